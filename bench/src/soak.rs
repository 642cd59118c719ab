//! The soak: a long rotating-refresh load and sign-ins against a server whose lifetimes are a
//! minute or less, so rows expire and the sweeper (every 10 s on the node holding its lease) has
//! to keep up. Storage is sampled every 10 s; at the end the samples are printed with whether
//! they stayed bounded.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::Args;
use crate::cpu::CpuMeter;
use crate::db::{Database, Holding, Storage, TABLES};
use crate::load::Conn;

/// Lifetimes the soak's server runs with, in seconds. The configuration sets no lower bound on
/// any of them, so they are chosen against the sweep, which runs every 10 s: a refresh family
/// lives 60 s (six sweeps), so a chain rotates thousands of times before it must sign in
/// again, and a soak of a few minutes still sees many generations of every kind of row expire.
/// Access and ID tokens and codes last half that; sessions and pending sign-ins as long as a
/// family.
const LIFETIMES: [(&str, &str); 6] = [
    ("PORTCULLIS_TOKENS__ACCESS_TTL", "30"),
    ("PORTCULLIS_TOKENS__ID_TTL", "30"),
    ("PORTCULLIS_TOKENS__REFRESH_TTL", "60"),
    ("PORTCULLIS_TOKENS__CODE_TTL", "30"),
    ("PORTCULLIS_SESSION__LIFETIME", "60"),
    ("PORTCULLIS_SESSION__LOGIN_TTL", "60"),
];

/// The refresh family's lifetime in [`LIFETIMES`]: a soak shorter than a few of these cannot
/// tell growth from warming up.
const FAMILY_SECONDS: u64 = 60;

/// How often storage is sampled.
const SAMPLE_EVERY: Duration = Duration::from_secs(10);

/// How much higher the second half's maximum may be than the first half's and still count as
/// bounded.
const BOUNDED_SLACK: f64 = 0.20;

/// What the workers have done so far.
#[derive(Default)]
struct Counters {
    /// Refresh attempts handed out (stops at `--soak-refreshes`).
    refresh_claims: AtomicU64,
    refreshed: AtomicU64,
    /// Refreshes refused because the family's lifetime ran out (the chain then starts again).
    expired: AtomicU64,
    refresh_errors: AtomicU64,
    /// Chains begun: a sign-in and a code exchange each.
    chains: AtomicU64,
    chain_errors: AtomicU64,
    /// Sign-in attempts handed out (stops at `--soak-signins`).
    signin_claims: AtomicU64,
    signed_in: AtomicU64,
    signin_errors: AtomicU64,
    /// The first error of each kind, to say what went wrong.
    first_errors: Mutex<Vec<String>>,
}

impl Counters {
    fn claim(counter: &AtomicU64, limit: u64) -> bool {
        counter.fetch_add(1, Ordering::Relaxed) < limit
    }

    fn error(&self, counter: &AtomicU64, what: &str, e: impl std::fmt::Display) {
        counter.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut first) = self.first_errors.lock()
            && !first.iter().any(|f| f.starts_with(what))
        {
            first.push(format!("{what}: {e}"));
        }
    }

    fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// The web client every chain and sign-in uses, and the users' shared password.
struct Web {
    id: String,
    secret: String,
    password: String,
}

/// The address of the `i`th soak user. Every worker signs in as its own user: the per-account
/// throttle counts a sign-in in flight as a guess until it succeeds, so more than its five free
/// attempts at once for one account are refused (`429`), as they should be.
fn email(i: usize) -> String {
    format!("soak{i}@example.com")
}

/// One sample of the soak.
struct Sample {
    at: Duration,
    refreshed: u64,
    signed_in: u64,
    holding: Holding,
    /// RSS of all nodes, KiB.
    rss_kib: u64,
    /// Cores the servers used since the previous sample.
    cores: f64,
}

/// Runs the soak against `db` with `nodes` servers.
pub async fn run(
    args: &Args,
    bin: std::path::PathBuf,
    db: &Database,
    nodes: usize,
) -> anyhow::Result<()> {
    let addrs = crate::free_addrs(nodes)?;
    let bases: Vec<String> = addrs.iter().map(|a| crate::base_url(*a)).collect();
    let mut env = crate::server_env(bin, &bases[0], db)?;
    for (k, v) in LIFETIMES {
        env = env.with(k, v);
    }
    env.migrate()?;
    let (first, _) = crate::start_server(&env, addrs[0]).await?;
    let client = crate::web_client(&env)?;
    let password = crate::strong_password()?;
    for i in 0..args.concurrency + args.login_concurrency {
        env.json(
            &["user", "create", "--email", &email(i), "--password-stdin"],
            Some(&format!("{password}\n")),
        )?;
    }
    let web = Arc::new(Web {
        id: crate::str_of(&client, "client_id")?,
        secret: crate::str_of(&client, "client_secret")?,
        password,
    });
    let more = crate::start_more(&env, &addrs).await?;
    let pids: Vec<u32> = std::iter::once(first.0.id())
        .chain(more.iter().map(|s| s.0.id()))
        .collect();
    let storage = db.storage().await?;

    let nodes_text = match nodes {
        1 => "one node".to_string(),
        n => format!("{n} nodes on the one database"),
    };
    let intro = format!(
        "Soak: {}, {nodes_text}; {} refreshes over {} rotating chains, {} sign-ins ({} at once). Lifetimes (s): {}. The server sweeps expired rows every 10 s.\n",
        db.label(),
        args.soak_refreshes,
        args.concurrency,
        args.soak_signins,
        args.login_concurrency,
        LIFETIMES
            .iter()
            .map(|(k, v)| format!(
                "{} {v}",
                k.trim_start_matches("PORTCULLIS_")
                    .to_lowercase()
                    .replace("__", ".")
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let intro = if db.autovacuum == Some(false) {
        format!(
            "{intro}Note: this PostgreSQL server runs with autovacuum off, so the space of deleted and updated rows is not reused until something vacuums the tables.\n"
        )
    } else {
        intro
    };
    eprint!("{intro}");

    let counters = Arc::new(Counters::default());
    let start = Instant::now();
    let mut workers = Vec::new();
    for i in 0..args.concurrency {
        let node = i % nodes;
        workers.push(tokio::spawn(refresher(
            addrs[node],
            bases[node].clone(),
            email(i),
            web.clone(),
            counters.clone(),
            args.soak_refreshes,
        )));
    }
    for j in 0..args.login_concurrency {
        workers.push(tokio::spawn(signer(
            bases[j % nodes].clone(),
            email(args.concurrency + j),
            web.clone(),
            counters.clone(),
            args.soak_signins,
        )));
    }

    let mut samples = Vec::new();
    let mut cpu = CpuMeter::start(&pids, false);
    let sample = |holding: Holding, cpu: &mut CpuMeter| {
        let used = std::mem::replace(cpu, CpuMeter::start(&pids, false)).stop();
        Sample {
            at: start.elapsed(),
            refreshed: Counters::get(&counters.refreshed),
            signed_in: Counters::get(&counters.signed_in),
            holding,
            rss_kib: pids.iter().map(|p| crate::rss_kib(*p)).sum(),
            cores: used.server,
        }
    };
    match storage.sample().await {
        Ok(h) => samples.push(sample(h, &mut cpu)),
        Err(e) => eprintln!("warning: storage sample failed: {e:#}"),
    }
    let mut next = start + SAMPLE_EVERY;
    loop {
        let done = workers.iter().all(|w| w.is_finished());
        if done || Instant::now() >= next {
            match storage.sample().await {
                Ok(h) => {
                    let s = sample(h, &mut cpu);
                    eprintln!("{}", progress(&s, samples.last()));
                    samples.push(s);
                }
                Err(e) => eprintln!("warning: storage sample failed: {e:#}"),
            }
            next += SAMPLE_EVERY;
        }
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let took = start.elapsed();
    let space = storage
        .space()
        .await
        .unwrap_or_else(|e| format!("(space not read: {e:#})\n"));
    drop(more);
    drop(first);

    let mut out = intro;
    out.push('\n');
    out.push_str(&table(&samples, &storage, nodes));
    out.push_str(&totals(&counters, took, args));
    out.push_str(&bounded(&samples, &storage, took));
    out.push('\n');
    out.push_str(&space);
    println!("{out}");
    if let Some(path) = &args.markdown {
        std::fs::write(path, &out)?;
    }
    Ok(())
}

/// A chain of rotating refreshes on one connection to one node, started again (a sign-in and a
/// code exchange) whenever its family expires.
async fn refresher(
    addr: std::net::SocketAddr,
    base: String,
    email: String,
    web: Arc<Web>,
    counters: Arc<Counters>,
    limit: u64,
) {
    let auth = crate::basic(&web.id, &web.secret);
    let mut conn: Option<Conn> = None;
    let mut token: Option<String> = None;
    // Every attempt takes a claim first, so a dead server ends the loop too.
    while Counters::claim(&counters.refresh_claims, limit) {
        let current = match token.take() {
            Some(t) => t,
            None => match crate::refresh_token(&base, &web.id, &web.secret, &email, &web.password)
                .await
            {
                Ok(t) => {
                    counters.chains.fetch_add(1, Ordering::Relaxed);
                    t
                }
                Err(e) => {
                    counters.error(&counters.chain_errors, "starting a chain", e);
                    continue;
                }
            },
        };
        if conn.is_none() {
            match Conn::connect(addr).await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    counters.error(&counters.refresh_errors, "connecting", e);
                    token = Some(current);
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        match c
            .post_form("/oauth/token", Some(&auth), crate::refresh_body(&current))
            .await
        {
            Ok((200, bytes)) => match crate::next_refresh(&bytes) {
                Some(t) => {
                    counters.refreshed.fetch_add(1, Ordering::Relaxed);
                    token = Some(t);
                }
                None => counters.error(&counters.refresh_errors, "refresh", "no refresh_token"),
            },
            // The family's absolute lifetime ran out: the client signs in again.
            Ok((400, bytes)) if bytes.windows(13).any(|w| w == b"invalid_grant") => {
                counters.expired.fetch_add(1, Ordering::Relaxed);
            }
            Ok((status, bytes)) => counters.error(
                &counters.refresh_errors,
                "refresh",
                format!("{status} {}", String::from_utf8_lossy(&bytes)),
            ),
            Err(e) => {
                // The answer was lost, and maybe the token spent with it: start afresh.
                counters.error(&counters.refresh_errors, "refresh", e);
                conn = None;
            }
        }
    }
}

/// Sign-ins through the hosted pages of one node.
async fn signer(base: String, email: String, web: Arc<Web>, counters: Arc<Counters>, limit: u64) {
    while Counters::claim(&counters.signin_claims, limit) {
        match crate::sign_in(&base, &web.id, &email, &web.password).await {
            Ok(_) => {
                counters.signed_in.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => counters.error(&counters.signin_errors, "sign-in", e),
        }
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Operations per second between two samples.
fn rates(s: &Sample, prev: Option<&Sample>) -> (f64, f64) {
    let Some(p) = prev else {
        return (0.0, 0.0);
    };
    let dt = (s.at - p.at).as_secs_f64().max(1e-9);
    (
        (s.refreshed - p.refreshed) as f64 / dt,
        (s.signed_in - p.signed_in) as f64 / dt,
    )
}

/// One line while the soak runs.
fn progress(s: &Sample, prev: Option<&Sample>) -> String {
    let (r, l) = rates(s, prev);
    let rows = TABLES
        .iter()
        .zip(&s.holding.rows)
        .map(|(t, n)| format!("{t} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{:>4} s: {} refreshes ({r:.0}/s), {} sign-ins ({l:.0}/s); rows: {rows}; {:.1} + {:.1} MiB; RSS {:.1} MiB",
        s.at.as_secs(),
        s.refreshed,
        s.signed_in,
        mib(s.holding.bytes[0]),
        mib(s.holding.bytes[1]),
        s.rss_kib as f64 / 1024.0
    )
}

/// Every sample, and the maximum of each column.
fn table(samples: &[Sample], storage: &Storage, nodes: usize) -> String {
    let [a, b] = storage.size_labels();
    let rss = if nodes > 1 {
        "RSS MiB (all nodes)"
    } else {
        "RSS MiB"
    };
    let mut out = format!(
        "| t s | refreshes | refresh/s | sign-ins | sign-in/s | {} | {a} | {b} | {rss} | server cores |\n|---:|---:|---:|---:|---:|{}---:|---:|---:|---:|\n",
        TABLES.join(" | "),
        "---:|".repeat(TABLES.len()),
    );
    let mut prev: Option<&Sample> = None;
    for s in samples {
        let (r, l) = rates(s, prev);
        out.push_str(&format!(
            "| {} | {} | {r:.0} | {} | {l:.0} | {} | {:.1} | {:.1} | {:.1} | {:.2} |\n",
            s.at.as_secs(),
            s.refreshed,
            s.signed_in,
            s.holding
                .rows
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(" | "),
            mib(s.holding.bytes[0]),
            mib(s.holding.bytes[1]),
            s.rss_kib as f64 / 1024.0,
            s.cores,
        ));
        prev = Some(s);
    }
    let max_u = |f: &dyn Fn(&Sample) -> u64| samples.iter().map(f).max().unwrap_or(0);
    let max_f = |f: &dyn Fn(&Sample) -> f64| samples.iter().map(f).fold(0.0, f64::max);
    let max_rates = samples
        .iter()
        .enumerate()
        .map(|(i, s)| rates(s, i.checked_sub(1).and_then(|p| samples.get(p))))
        .fold((0.0f64, 0.0f64), |m, r| (m.0.max(r.0), m.1.max(r.1)));
    out.push_str(&format!(
        "| max | | {:.0} | | {:.0} | {} | {:.1} | {:.1} | {:.1} | {:.2} |\n",
        max_rates.0,
        max_rates.1,
        (0..TABLES.len())
            .map(|i| max_u(&|s| s.holding.rows[i].max(0) as u64).to_string())
            .collect::<Vec<_>>()
            .join(" | "),
        mib(max_u(&|s| s.holding.bytes[0])),
        mib(max_u(&|s| s.holding.bytes[1])),
        max_u(&|s| s.rss_kib) as f64 / 1024.0,
        max_f(&|s| s.cores),
    ));
    out
}

/// What the workers did in all.
fn totals(c: &Counters, took: Duration, args: &Args) -> String {
    let secs = took.as_secs_f64().max(1e-9);
    let refreshed = Counters::get(&c.refreshed);
    let signed_in = Counters::get(&c.signed_in);
    let mut out = format!(
        "\nDone in {} s: {refreshed} refreshes ({:.0}/s; {} attempted), {} refused as expired and {} chains begun (a sign-in and a code exchange each), {} refresh errors, {} chain-start errors; {signed_in} sign-ins ({:.1}/s; {} attempted), {} sign-in errors.\n",
        took.as_secs(),
        refreshed as f64 / secs,
        args.soak_refreshes,
        Counters::get(&c.expired),
        Counters::get(&c.chains),
        Counters::get(&c.refresh_errors),
        Counters::get(&c.chain_errors),
        signed_in as f64 / secs,
        args.soak_signins,
        Counters::get(&c.signin_errors),
    );
    if let Ok(first) = c.first_errors.lock() {
        for e in first.iter() {
            out.push_str(&format!("First error {e}\n"));
        }
    }
    out
}

/// Each figure's maximum in the second half of the run against the first half's.
fn bounded(samples: &[Sample], storage: &Storage, took: Duration) -> String {
    let half = took / 2;
    let [a, b] = storage.size_labels();
    // Each figure's value in every sample.
    let mut figures: Vec<(String, Vec<f64>)> = TABLES
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let values = samples.iter().map(|s| s.holding.rows[i] as f64);
            (format!("{t} rows"), values.collect())
        })
        .collect();
    for (i, label) in [a, b].into_iter().enumerate() {
        let values = samples.iter().map(|s| mib(s.holding.bytes[i]));
        figures.push((label.into(), values.collect()));
    }
    let rss = samples.iter().map(|s| s.rss_kib as f64 / 1024.0);
    figures.push(("RSS MiB".into(), rss.collect()));
    let mut out = format!(
        "\nBounded? Each figure's maximum after {} s against before (bounded: at most {:.0}% higher).\n\n| figure | max, first half | max, second half | change | bounded |\n|---|---:|---:|---:|---|\n",
        half.as_secs(),
        100.0 * BOUNDED_SLACK
    );
    let mut all = true;
    for (name, values) in &figures {
        let max = |first: bool| {
            samples
                .iter()
                .zip(values)
                .filter(|(s, _)| (s.at <= half) == first)
                .map(|(_, v)| *v)
                .fold(0.0, f64::max)
        };
        let (m1, m2) = (max(true), max(false));
        let ok = m2 <= m1 * (1.0 + BOUNDED_SLACK) || m2 == 0.0;
        // The audit trail is meant to grow: it is kept for the retention period.
        let kept = name.starts_with("audit_events");
        all &= ok || kept;
        let change = if m1 > 0.0 {
            format!("{:+.0}%", 100.0 * (m2 - m1) / m1)
        } else {
            "–".into()
        };
        let fmt = |v: f64| {
            if name.ends_with("rows") {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        };
        out.push_str(&format!(
            "| {name} | {} | {} | {change} | {} |\n",
            fmt(m1),
            fmt(m2),
            match (ok, kept) {
                (true, _) => "yes",
                (false, true) => "no (kept by design)",
                (false, false) => "no",
            }
        ));
    }
    out.push_str(&format!(
        "\nThe audit trail is kept for `[audit] retention_days` (365 by default), so audit_events grows with sign-ins by design.\n\n{}\n",
        if all {
            "Every figure stayed bounded, the audit trail aside."
        } else {
            "Not every figure stayed bounded: see the rows marked no."
        }
    ));
    if took.as_secs() < 4 * FAMILY_SECONDS {
        out.push_str(&format!(
            "The run lasted {} s, less than four refresh-family lifetimes ({} s): the first half is mostly warming up, so growth here says little.\n",
            took.as_secs(),
            4 * FAMILY_SECONDS
        ));
    }
    out
}
