//! CPU time of processes, read from `/proc/<pid>/stat`, so a rate can be given per core used.

use std::collections::HashMap;
use std::time::Instant;

/// Clock ticks per second in `/proc/<pid>/stat`. This is the kernel's `USER_HZ`, which is 100 on
/// every Linux architecture the harness runs on; reading it would take `sysconf`, an unsafe call
/// the workspace forbids.
const TICKS_PER_SECOND: f64 = 100.0;

/// The command name and `utime + stime` (in ticks) of a `/proc/<pid>/stat` line.
fn parse(stat: &str) -> Option<(&str, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    // The command name may hold spaces and parentheses, so fields are counted after its last `)`:
    // that leaves field 3 (state) first, so utime (field 14) is the 12th and stime the 13th.
    let mut fields = stat.get(close + 1..)?.split_whitespace();
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((stat.get(open + 1..close)?, utime + stime))
}

/// CPU ticks a process has used so far (0 once it is gone).
pub fn ticks(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| parse(&s).map(|(_, t)| t))
        .unwrap_or(0)
}

/// CPU ticks of every PostgreSQL process on this machine, by pid. The database runs on the same
/// cores as the server and the load, so its share is reported next to the server's.
fn postgres_ticks() -> HashMap<u32, u64> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let (comm, t) = parse(&stat)?;
            (comm == "postgres").then_some((pid, t))
        })
        .collect()
}

/// Cores used during a phase: CPU seconds per second of wall time.
#[derive(Debug, Clone, Copy)]
pub struct CpuUse {
    /// The processes measured (the server's nodes, or the baseline), summed.
    pub server: f64,
    /// Every `postgres` process on the machine, when the server runs on PostgreSQL.
    pub db: Option<f64>,
    /// This harness: the load generator.
    pub generator: f64,
}

/// CPU counters taken at the start of a phase.
pub struct CpuMeter {
    pids: Vec<u32>,
    start: Instant,
    server: u64,
    generator: u64,
    db: Option<HashMap<u32, u64>>,
}

impl CpuMeter {
    /// Starts counting for `pids` (and PostgreSQL's processes when `postgres`).
    pub fn start(pids: &[u32], postgres: bool) -> CpuMeter {
        CpuMeter {
            pids: pids.to_vec(),
            start: Instant::now(),
            server: pids.iter().map(|p| ticks(*p)).sum(),
            generator: ticks(std::process::id()),
            db: postgres.then(postgres_ticks),
        }
    }

    /// Cores used since `start`.
    pub fn stop(self) -> CpuUse {
        let wall = self.start.elapsed().as_secs_f64().max(1e-9);
        let cores = |ticks: u64| ticks as f64 / TICKS_PER_SECOND / wall;
        let server: u64 = self.pids.iter().map(|p| ticks(*p)).sum();
        let generator = ticks(std::process::id());
        // A backend started during the phase counts from zero; one that ended is lost, which the
        // servers' long-lived pools make rare.
        let db = self.db.map(|before| {
            let used: u64 = postgres_ticks()
                .into_iter()
                .map(|(pid, t)| t.saturating_sub(before.get(&pid).copied().unwrap_or(0)))
                .sum();
            cores(used)
        });
        CpuUse {
            server: cores(server.saturating_sub(self.server)),
            db,
            generator: cores(generator.saturating_sub(self.generator)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utime_and_stime_after_the_command_name() {
        let stat = "42 (a (b) c) S 1 42 42 0 -1 4194304 10 0 0 0 250 75 0 0 20 0 1 0 100";
        assert_eq!(parse(stat), Some(("a (b) c", 325)));
    }
}
