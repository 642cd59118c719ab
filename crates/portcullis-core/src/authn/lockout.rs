//! Throttling of guesses against one account (NIST SP 800-63B §5.2.2): a few free tries, then an
//! exponentially growing wait, then a lockout long before the 100-attempt bound.
//!
//! The counters live in the database (keyed per account and per secret type), so they hold
//! across restarts and across nodes; this module only decides what a count means.

/// The schedule (the `[lockout]` section of the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LockoutPolicy {
    /// Consecutive failures allowed without any wait.
    pub free_attempts: i64,
    /// Wait after the first failure past the free ones, in seconds; doubles with each further one.
    pub base_delay: i64,
    /// Longest exponential wait, in seconds.
    pub max_delay: i64,
    /// Consecutive failures after which the account is locked for `lock_for`.
    pub lock_after: i64,
    /// Lockout length, in seconds; each failure after it starts again.
    pub lock_for: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            free_attempts: 5,
            base_delay: 2,
            max_delay: 900,
            lock_after: 20,
            lock_for: 86_400,
        }
    }
}

impl LockoutPolicy {
    /// Until when further attempts are refused after `failures` consecutive failures, the last
    /// at `last_failure_at`; `None` when an attempt may go ahead.
    pub fn blocked_until(&self, failures: i64, last_failure_at: i64) -> Option<i64> {
        if failures >= self.lock_after {
            return Some(last_failure_at + self.lock_for);
        }
        if failures <= self.free_attempts {
            return None;
        }
        let doublings = (failures - self.free_attempts - 1).min(20) as u32;
        let delay = self
            .base_delay
            .saturating_mul(1i64 << doublings)
            .min(self.max_delay);
        Some(last_failure_at + delay)
    }

    /// Whether `failures` is exactly the count that locks the account (for one audit event).
    pub fn locks_now(&self, failures: i64) -> bool {
        failures == self.lock_after
    }

    /// Seconds to wait at `now`, if blocked.
    pub fn retry_after(&self, failures: i64, last_failure_at: i64, now: i64) -> Option<i64> {
        self.blocked_until(failures, last_failure_at)
            .filter(|until| *until > now)
            .map(|until| until - now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_free_attempts_then_doubling_then_lock() {
        let p = LockoutPolicy::default();
        for n in 0..=5 {
            assert_eq!(p.blocked_until(n, 1000), None, "{n}");
        }
        assert_eq!(p.blocked_until(6, 1000), Some(1002));
        assert_eq!(p.blocked_until(7, 1000), Some(1004));
        assert_eq!(p.blocked_until(8, 1000), Some(1008));
        assert_eq!(p.blocked_until(19, 1000), Some(1900));
        assert_eq!(p.blocked_until(20, 1000), Some(1000 + 86_400));
        assert!(p.locks_now(20) && !p.locks_now(21));
        assert_eq!(p.retry_after(6, 1000, 1001), Some(1));
        assert_eq!(p.retry_after(6, 1000, 1002), None);
    }

    #[test]
    fn lockout_bound_well_under_nist_limit() {
        // Attempts possible in a day without ever succeeding stay far below NIST's 100.
        let p = LockoutPolicy::default();
        let (mut now, mut last, mut failures) = (0i64, 0i64, 0i64);
        while now < 86_400 {
            match p.retry_after(failures, last, now) {
                Some(wait) => now += wait,
                None => {
                    failures += 1;
                    last = now;
                }
            }
        }
        assert!(failures <= p.lock_after + 1, "{failures}");
    }
}
