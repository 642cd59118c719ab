//! Per-IP request limits for the hosted pages: a fixed one-minute window per (class, address).
//!
//! This is the first, cheap line: it caps how fast one address can guess. Per-account counters
//! in the database (see `portcullis_core::authn::lockout`) are the second line. On PostgreSQL,
//! where several nodes serve one tenant, the windows are counted in the database
//! ([`shared_check`]) so N nodes do not give an address N times the allowance; on SQLite (one
//! node) they live in memory. The memory windows also stand in if the database cannot count.

use std::collections::HashMap;
use std::sync::Mutex;

/// What is being limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Password submissions.
    Login,
    /// Second-factor submissions and code sends.
    Factor,
    /// Enrolment submissions.
    Enroll,
    /// Strength-meter estimates, asked as a person types.
    Meter,
}

/// Meter estimates per IP and minute: a person typing a long passphrase asks often, and each
/// answer costs a dictionary match, not a hash.
pub const METER_PER_MINUTE: u32 = 240;

/// The window length in seconds.
pub const WINDOW: i64 = 60;
// Bounds memory under a flood from many addresses; old windows are dropped first.
const MAX_ENTRIES: usize = 100_000;

impl Class {
    /// The class's name in shared window keys.
    pub fn name(self) -> &'static str {
        match self {
            Class::Login => "login",
            Class::Factor => "factor",
            Class::Enroll => "enroll",
            Class::Meter => "meter",
        }
    }
}

/// Counts a request in the database's window for (class, address), shared by every node;
/// `Some(seconds)` to wait when the address is over `limit` this window.
pub async fn shared_check(
    store: &dyn portcullis_core::ports::Store,
    class: Class,
    ip: &str,
    limit: u32,
    now: i64,
) -> portcullis_core::Result<Option<i64>> {
    let start = now - now.rem_euclid(WINDOW);
    let key = format!("{}:{ip}", class.name());
    let hits = store.count_hit(&key, start, start + WINDOW).await?;
    Ok((hits > i64::from(limit)).then_some(start + WINDOW - now))
}

/// The limiter.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<(Class, String), (i64, u32)>>,
}

impl RateLimiter {
    /// Counts a request; `Some(seconds)` to wait when the address is over `limit` this window.
    pub fn check(&self, class: Class, ip: &str, limit: u32, now: i64) -> Option<i64> {
        if limit == 0 {
            return None;
        }
        let start = now - now.rem_euclid(WINDOW);
        let mut map = match self.windows.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, (s, _)| *s == start);
        }
        let entry = map.entry((class, ip.to_string())).or_insert((start, 0));
        if entry.0 != start {
            *entry = (start, 0);
        }
        if entry.1 >= limit {
            return Some(start + WINDOW - now);
        }
        entry.1 += 1;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratelimit_window_caps_then_resets() {
        let l = RateLimiter::default();
        for _ in 0..3 {
            assert_eq!(l.check(Class::Login, "10.0.0.1", 3, 120), None);
        }
        assert_eq!(l.check(Class::Login, "10.0.0.1", 3, 130), Some(50));
        assert_eq!(
            l.check(Class::Factor, "10.0.0.1", 3, 130),
            None,
            "classes apart"
        );
        assert_eq!(
            l.check(Class::Login, "10.0.0.2", 3, 130),
            None,
            "addresses apart"
        );
        assert_eq!(
            l.check(Class::Login, "10.0.0.1", 3, 180),
            None,
            "next window"
        );
        assert_eq!(l.check(Class::Login, "10.0.0.1", 0, 180), None, "0 is off");
    }
}
