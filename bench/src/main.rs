//! Load harness for Portcullis.
//!
//! Starts the release `portcullis` server and a bare JWT-signing baseline as child processes on
//! loopback, drives `client_credentials`, `refresh_token` and password sign-in with a closed-loop
//! generator, samples the server's memory, and prints a Markdown table with each figure as a ratio
//! to the baseline. In the same run it measures raw Argon2id capacity (the server's own hasher,
//! no HTTP), so the sign-in rate can be read as a share of what the hashing allows. Run it with
//! `bash bench/run.sh`; `--smoke` runs every scenario for a second and fails unless each one
//! completed requests without errors. `--database postgres` runs the same scenarios on a fresh
//! PostgreSQL database (`--nodes N` servers on it), and `--soak` replaces the timed scenarios with
//! a long refresh and sign-in load that samples storage as lifetimes expire.

mod bare;
mod cpu;
mod db;
mod dpop;
mod load;
mod search;
mod soak;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine as _;
use clap::{Parser, Subcommand};
use cpu::{CpuMeter, CpuUse};
use db::{Database, Engine};
use load::{Conn, Stats, measure};
use portcullis_core::crypto::password::{PasswordCost, PasswordHasher};
use portcullis_core::crypto::secret::SecretString;

/// Portcullis load harness.
#[derive(Debug, Parser)]
struct Args {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// Seconds per load phase.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Concurrent connections for token grants.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Concurrent sign-ins (each costs one Argon2id hash).
    #[arg(long, default_value_t = 4)]
    login_concurrency: usize,
    /// Also write the table to this file.
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// The portcullis binary (default: next to this one).
    #[arg(long)]
    portcullis: Option<PathBuf>,
    /// One second per phase (unless `--duration` says otherwise); exit 1 unless every scenario
    /// completed requests without errors. Asserts nothing about speed.
    #[arg(long)]
    smoke: bool,
    /// The server's database: `sqlite` (a file in a temporary folder) or `postgres` (a fresh
    /// database created on `--database-url` and dropped at the end). Given, the output also
    /// names the engine and the CPU the servers used.
    #[arg(long, value_enum)]
    database: Option<Engine>,
    /// The PostgreSQL server to create the fresh database on
    /// [default: postgres://postgres@127.0.0.1:5432/test].
    #[arg(long)]
    database_url: Option<String>,
    /// `portcullis serve` processes on the one PostgreSQL database, each on its own port; the
    /// load's connections and sign-ins go to them round-robin [default: 1].
    #[arg(long)]
    nodes: Option<usize>,
    /// Instead of the timed scenarios, run `--soak-refreshes` refreshes and `--soak-signins`
    /// sign-ins against a server with short lifetimes, sampling storage every 10 s.
    #[arg(long, conflicts_with = "smoke")]
    soak: bool,
    /// Refreshes the soak makes (across `--concurrency` rotating chains).
    #[arg(long, default_value_t = 1_000_000)]
    soak_refreshes: u64,
    /// Sign-ins the soak makes (`--login-concurrency` at once), besides those restarting chains.
    #[arg(long, default_value_t = 100_000)]
    soak_signins: u64,
}

impl Args {
    /// Whether a flag of the engine comparison was given, so the output says which engine ran
    /// and what CPU it used (without one it stays as it always was).
    fn extended(&self) -> bool {
        self.database.is_some() || self.nodes.is_some()
    }
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Run the bare baseline server.
    BareServer {
        /// Address to listen on.
        #[arg(long)]
        listen: String,
        /// Signing algorithm: RS256, ES256 or EdDSA.
        #[arg(long, default_value = "RS256")]
        alg: String,
    },
    /// Time the admin console's user search on a fresh database holding `--users` accounts
    /// (`--database postgres` for PostgreSQL; SQLite otherwise).
    Search {
        /// Accounts to create first.
        #[arg(long, default_value_t = 1_000_000)]
        users: u64,
        /// Times each search runs.
        #[arg(long, default_value_t = 50)]
        rounds: usize,
    },
}

/// Kills its child when dropped, so no server outlives the harness.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const MAX_OPS: u64 = 5_000_000;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match &args.command {
        Some(Cmd::BareServer { listen, alg }) => rt.block_on(bare::serve(listen, alg)),
        Some(Cmd::Search { users, rounds }) => rt.block_on(search(&args, *users, *rounds)),
        None => rt.block_on(run(&args)),
    }
}

/// The `search` subcommand: a fresh database, filled and searched, then dropped.
async fn search(args: &Args, users: u64, rounds: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = match args.database {
        Some(Engine::Postgres) => {
            Database::postgres(args.database_url.as_deref().unwrap_or(db::DEFAULT_POSTGRES)).await?
        }
        _ => Database::sqlite(&dir.path().join("search.db")),
    };
    let table = search::run(&db, users, rounds.max(1)).await;
    db.remove().await?;
    let table = table?;
    print!("{table}");
    if let Some(path) = &args.markdown {
        std::fs::write(path, &table)?;
    }
    Ok(())
}

fn free_addr() -> anyhow::Result<SocketAddr> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?)
}

/// `n` distinct free loopback addresses: every listener is held until all are taken, so the
/// system cannot hand out one port twice.
fn free_addrs(n: usize) -> anyhow::Result<Vec<SocketAddr>> {
    let listeners = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(listeners
        .iter()
        .map(|l| l.local_addr())
        .collect::<Result<_, _>>()?)
}

/// The base URL of a node (the issuer's host, its own port).
fn base_url(addr: SocketAddr) -> String {
    format!("http://localhost:{}", addr.port())
}

struct Env {
    bin: PathBuf,
    vars: Vec<(String, String)>,
}

impl Env {
    /// The same settings with `key` set to `value`.
    fn with(&self, key: &str, value: &str) -> Env {
        let mut vars: Vec<(String, String)> = self
            .vars
            .iter()
            .filter(|(k, _)| k != key)
            .cloned()
            .collect();
        vars.push((key.into(), value.into()));
        Env {
            bin: self.bin.clone(),
            vars,
        }
    }

    fn migrate(&self) -> anyhow::Result<()> {
        let migrated = self
            .command()
            .arg("migrate")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        anyhow::ensure!(migrated.success(), "portcullis migrate failed");
        Ok(())
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.bin);
        c.env_clear()
            .envs(self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        c
    }

    fn json(&self, args: &[&str], stdin: Option<&str>) -> anyhow::Result<serde_json::Value> {
        use std::io::Write;
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(input.as_bytes())?;
        }
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!(
                "portcullis {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(serde_json::from_slice(&out.stdout)?)
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

async fn wait_ready(addr: SocketAddr, path: &str) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let http = reqwest::Client::new();
    let url = format!("http://{addr}{path}");
    while start.elapsed() < Duration::from_secs(20) {
        if let Ok(r) = http.get(&url).send().await
            && r.status().is_success()
        {
            return Ok(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    bail!("{url} not ready within 20 s")
}

async fn start_server(env: &Env, addr: SocketAddr) -> anyhow::Result<(ChildGuard, Duration)> {
    let child = env
        .command()
        .args(["serve", "--listen", &addr.to_string()])
        // The load comes from one address: the per-IP page limits would turn it into 429s.
        .env("PORTCULLIS_LIMITS__LOGIN_PER_MINUTE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    let guard = ChildGuard(child);
    let ready = wait_ready(addr, "/healthz").await?;
    Ok((guard, ready))
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

fn field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

const REDIRECT: &str = "http://localhost:3000/cb";
/// The Action the second round of refreshes and sign-ins runs: one custom claim.
const TRIVIAL_ACTION: &str = "exports.onExecutePostLogin = async (event, api) => {\n  api.accessToken.setCustomClaim('https://bench.example/tier', event.user.app_metadata.tier || 'free');\n};\n";
const EMAIL: &str = "bench@example.com";

/// A fresh random password for the bench user: 144 bits in URL-safe base64, so it passes any
/// length, breach or similarity rule the server may tighten to.
fn strong_password() -> anyhow::Result<String> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&aws_lc_rs_random()?[..18]))
}

/// A refresh grant's form body for `token`.
fn refresh_body(token: &str) -> String {
    format!("grant_type=refresh_token&refresh_token={token}")
}

/// The rotated refresh token in a token response.
fn next_refresh(bytes: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| v["refresh_token"].as_str().map(str::to_string))
}

/// The confidential web client the refresh and sign-in scenarios use (CLI JSON).
fn web_client(env: &Env) -> anyhow::Result<serde_json::Value> {
    env.json(
        &[
            "client",
            "create",
            "--name",
            "web",
            "--redirect-uri",
            REDIRECT,
        ],
        None,
    )
}

/// One sign-in through the hosted form at `issuer` (or one node's base URL); returns the
/// authorization code.
async fn sign_in(
    issuer: &str,
    client_id: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<String> {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let url = format!(
        "{issuer}/authorize?response_type=code&client_id={client_id}&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&scope=openid%20offline_access&state=s"
    );
    let r = http.get(&url).send().await?;
    let loc = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .context("no login redirect")?
        .to_string();
    let page = http
        .get(format!("{issuer}{loc}"))
        .send()
        .await?
        .text()
        .await?;
    let state = field(&page, "state").context("state")?;
    let csrf = field(&page, "csrf").context("csrf")?;
    let r = http
        .post(format!("{issuer}/u/login"))
        .form(&[
            ("state", state.as_str()),
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await?;
    let loc = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .with_context(|| format!("no code redirect (status {})", r.status()))?;
    let url = url::Url::parse(loc)?;
    url.query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .context("no code")
}

async fn refresh_token(
    issuer: &str,
    client_id: &str,
    secret: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<String> {
    let code = sign_in(issuer, client_id, email, password).await?;
    let v: serde_json::Value = reqwest::Client::new()
        .post(format!("{issuer}/oauth/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await?
        .json()
        .await?;
    v["refresh_token"]
        .as_str()
        .map(str::to_string)
        .context("no refresh token")
}

/// Samples processes' RSS until stopped; returns the largest peak of one of them in KiB.
struct RssSampler {
    peak: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl RssSampler {
    fn start(pids: &[u32]) -> RssSampler {
        let largest = |pids: &[u32]| pids.iter().map(|p| rss_kib(*p)).max().unwrap_or(0);
        let peak = Arc::new(AtomicU64::new(largest(pids)));
        let (p, pids) = (peak.clone(), pids.to_vec());
        let task = tokio::spawn(async move {
            loop {
                p.fetch_max(largest(&pids), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        RssSampler { peak, task }
    }

    fn stop(self) -> u64 {
        self.task.abort();
        self.peak.load(Ordering::Relaxed)
    }
}

struct Row {
    name: String,
    stats: Stats,
    peak_rss_kib: u64,
    /// The row (a baseline) its rate is compared with.
    base: usize,
    /// Cores the measured processes used during the phase.
    cpu: CpuUse,
}

/// The algorithms measured: the default, and the fastest (with the API each signs for).
const ALGS: [(&str, &str); 2] = [
    ("RS256", "https://bench.api"),
    ("EdDSA", "https://eddsa.bench.api"),
];

/// Drives a client_credentials-shaped POST at `addr` with keep-alive connections; with
/// `dpop` (the token endpoint's URL), each request carries a fresh ES256 DPoP proof.
#[allow(clippy::too_many_arguments)]
async fn grant_load(
    addrs: &[SocketAddr],
    path: &'static str,
    id: &str,
    secret: &str,
    body: &str,
    concurrency: usize,
    duration: Duration,
    dpop: Option<&str>,
) -> anyhow::Result<Stats> {
    let auth = basic(id, secret);
    let body = body.to_string();
    let prover = match dpop {
        Some(htu) => Some(Arc::new(dpop::Prover::new(htu)?)),
        None => None,
    };
    Ok(measure(
        conns(addrs, concurrency).await?,
        duration,
        MAX_OPS,
        move |mut c: Conn| {
            let (auth, body) = (auth.clone(), body.clone());
            let proof = prover.as_ref().map(|p| p.proof());
            async move {
                let sent = c.post_form_with(path, Some(&auth), proof, body).await;
                (c, matches!(sent, Ok((200, _))))
            }
        },
    )
    .await)
}

/// `n` connections, the `i`th to `addrs[i % addrs.len()]`: spread round-robin over the nodes,
/// each sticking to its node.
async fn conns(addrs: &[SocketAddr], n: usize) -> anyhow::Result<Vec<Conn>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(Conn::connect(addrs[i % addrs.len()]).await?);
    }
    Ok(out)
}

async fn run(args: &Args) -> anyhow::Result<()> {
    let bin = match &args.portcullis {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("portcullis"),
    };
    anyhow::ensure!(
        bin.exists(),
        "portcullis binary not found at {}",
        bin.display()
    );
    let engine = args.database.unwrap_or(Engine::Sqlite);
    let nodes = args.nodes.unwrap_or(1);
    anyhow::ensure!(nodes >= 1, "--nodes must be at least 1");
    anyhow::ensure!(
        nodes == 1 || engine == Engine::Postgres,
        "--nodes needs --database postgres: nodes share one PostgreSQL database"
    );
    anyhow::ensure!(
        args.database_url.is_none() || engine == Engine::Postgres,
        "--database-url needs --database postgres"
    );
    let dir = tempfile::tempdir()?;
    let admin = args.database_url.as_deref().unwrap_or(db::DEFAULT_POSTGRES);
    let create = |file: &str| {
        let path = dir.path().join(file);
        async move {
            match engine {
                Engine::Sqlite => Ok(Database::sqlite(&path)),
                Engine::Postgres => Database::postgres(admin).await,
            }
        }
    };
    // The scenarios also time a start on an empty database; the soak needs only its own.
    let mut databases = vec![create("bench.db").await?];
    if !args.soak {
        match create("empty.db").await {
            Ok(d) => databases.push(d),
            Err(e) => {
                drop_all(databases).await;
                return Err(e);
            }
        }
    }
    let work = async {
        match &databases[..] {
            [db] => soak::run(args, bin, db, nodes).await,
            [db, empty] => scenarios(args, bin, db, empty, nodes).await,
            _ => bail!("no database"),
        }
    };
    // On Ctrl-C the work is dropped (its guards kill the servers) and the databases still go.
    let outcome = tokio::select! {
        r = work => r,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    drop_all(databases).await;
    outcome
}

/// Drops the PostgreSQL databases the run created; a failure is reported, not fatal.
async fn drop_all(databases: Vec<Database>) {
    for db in databases {
        if let Err(e) = db.remove().await {
            eprintln!("warning: {e:#}");
        }
    }
}

/// The settings every server of a run shares: one issuer, database and master key.
fn server_env(bin: PathBuf, issuer: &str, db: &Database) -> anyhow::Result<Env> {
    let key = base64::engine::general_purpose::STANDARD.encode(aws_lc_rs_random()?);
    Ok(Env {
        bin,
        vars: vec![
            ("PORTCULLIS_ISSUER".into(), issuer.into()),
            ("PORTCULLIS_DATABASE_URL".into(), db.url.clone()),
            ("PORTCULLIS_MASTER_KEY".into(), key),
            ("PORTCULLIS_LOG__LEVEL".into(), "warn".into()),
        ],
    })
}

/// Starts a server on each of `addrs` after the first (which runs already).
async fn start_more(env: &Env, addrs: &[SocketAddr]) -> anyhow::Result<Vec<ChildGuard>> {
    let mut servers = Vec::new();
    for addr in addrs.iter().skip(1) {
        servers.push(start_server(env, *addr).await?.0);
    }
    Ok(servers)
}

/// The timed scenarios.
async fn scenarios(
    args: &Args,
    bin: PathBuf,
    db: &Database,
    empty: &Database,
    nodes: usize,
) -> anyhow::Result<()> {
    let addrs = free_addrs(nodes)?;
    let addr = addrs[0];
    let bases: Vec<String> = addrs.iter().map(|a| base_url(*a)).collect();
    // Every node has the same issuer; requests go to each node's own port.
    let issuer = bases[0].clone();
    let env = server_env(bin, &issuer, db)?;
    env.migrate()?;
    let duration = Duration::from_secs(if args.smoke && !duration_given() {
        1
    } else {
        args.duration
    });
    let postgres = db.engine == Engine::Postgres;

    // Ready time on an empty database: serve migrates and generates the keys itself.
    let empty_env = env.with("PORTCULLIS_DATABASE_URL", &empty.url);
    let (server, ready_empty) = start_server(&empty_env, addr).await?;
    drop(server);
    // Ready time after `migrate` (which creates the keys), and on a restart.
    let (server, ready_cold) = start_server(&env, addr).await?;
    drop(server);
    let (server, ready_warm) = start_server(&env, addr).await?;

    // One API per algorithm, RS256 (the default) and EdDSA (the fastest to sign), each with a
    // machine client granted on it.
    let mut machines = Vec::new();
    for (alg, identifier) in ALGS {
        env.json(
            &[
                "api",
                "create",
                "--identifier",
                identifier,
                "--scope",
                "read",
                "--signing-alg",
                alg,
            ],
            None,
        )?;
        let m2m = env.json(
            &[
                "client",
                "create",
                "--name",
                "m2m",
                "--grant",
                "client_credentials",
                "--api",
                identifier,
                "--scope",
                "read",
            ],
            None,
        )?;
        machines.push((
            alg,
            identifier,
            str_of(&m2m, "client_id")?,
            str_of(&m2m, "client_secret")?,
        ));
    }
    let web = web_client(&env)?;
    let password = strong_password()?;
    env.json(
        &["user", "create", "--email", EMAIL, "--password-stdin"],
        Some(&format!("{password}\n")),
    )?;
    let (web_id, web_secret) = (str_of(&web, "client_id")?, str_of(&web, "client_secret")?);
    // The other nodes start with clients, APIs and the user in place.
    let more = start_more(&env, &addrs).await?;
    let pids: Vec<u32> = std::iter::once(server.0.id())
        .chain(more.iter().map(|s| s.0.id()))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss = pids.iter().map(|p| rss_kib(*p)).max().unwrap_or(0);

    let mut rows = Vec::new();

    // Per algorithm: the bare baseline, then client_credentials for the API signed with it.
    for (alg, identifier, m2m_id, m2m_secret) in &machines {
        let bare_addr = free_addr()?;
        let bare = ChildGuard(
            Command::new(std::env::current_exe()?)
                .args([
                    "bare-server",
                    "--listen",
                    &bare_addr.to_string(),
                    "--alg",
                    alg,
                ])
                .stdout(Stdio::null())
                .spawn()?,
        );
        wait_for_port(bare_addr).await?;
        let sampler = RssSampler::start(&[bare.0.id()]);
        let cpu = CpuMeter::start(&[bare.0.id()], postgres);
        let stats = grant_load(
            &[bare_addr],
            "/token",
            bare::CLIENT_ID,
            bare::CLIENT_SECRET,
            "grant_type=client_credentials",
            args.concurrency,
            duration,
            None,
        )
        .await?;
        let base = rows.len();
        rows.push(Row {
            name: format!("bare axum + {alg} sign (baseline)"),
            stats,
            cpu: cpu.stop(),
            peak_rss_kib: sampler.stop(),
            base,
        });
        drop(bare);
        let body = format!(
            "grant_type=client_credentials&audience={}",
            url::form_urlencoded::byte_serialize(identifier.as_bytes()).collect::<String>()
        );
        // Then the same with a DPoP proof on every request (a fresh ES256 proof, made by the
        // generator): what checking it, counting its jti once and binding the token cost.
        let token_url = format!("{issuer}/oauth/token");
        for (dpop, label) in [(None, ""), (Some(token_url.as_str()), " + DPoP")] {
            let sampler = RssSampler::start(&pids);
            let cpu = CpuMeter::start(&pids, postgres);
            let stats = grant_load(
                &addrs,
                "/oauth/token",
                m2m_id,
                m2m_secret,
                &body,
                args.concurrency,
                duration,
                dpop,
            )
            .await?;
            rows.push(Row {
                name: format!("client_credentials{label} ({alg} API)"),
                stats,
                cpu: cpu.stop(),
                peak_rss_kib: sampler.stop(),
                base,
            });
        }
    }

    // refresh_token and sign-in, first with no Action, then with one trivial post-login Action
    // bound (what running Actions adds to each request).
    for action in [None, Some(TRIVIAL_ACTION)] {
        let suffix = match action {
            None => "",
            Some(code) => {
                env.json(
                    &[
                        "action", "deploy", "--name", "bench", "--file", "-", "--bind",
                    ],
                    Some(code),
                )?;
                // Every node reloads on the change (PostgreSQL's notice, SQLite's poll).
                tokio::time::sleep(Duration::from_millis(1500)).await;
                ", one Action"
            }
        };
        // refresh_token with rotation: every worker carries its own token chain, begun on the node
        // its connection goes to.
        let mut states = Vec::new();
        for (i, c) in conns(&addrs, args.concurrency)
            .await?
            .into_iter()
            .enumerate()
        {
            let node = &bases[i % bases.len()];
            states.push((
                c,
                refresh_token(node, &web_id, &web_secret, EMAIL, &password).await?,
            ));
        }
        let auth = basic(&web_id, &web_secret);
        let sampler = RssSampler::start(&pids);
        let cpu = CpuMeter::start(&pids, postgres);
        let stats = measure(
            states,
            duration,
            MAX_OPS,
            move |(mut c, token): (Conn, String)| {
                let auth = auth.clone();
                async move {
                    match c
                        .post_form("/oauth/token", Some(&auth), refresh_body(&token))
                        .await
                    {
                        Ok((200, bytes)) => match next_refresh(&bytes) {
                            Some(t) => ((c, t), true),
                            None => ((c, token), false),
                        },
                        _ => ((c, token), false),
                    }
                }
            },
        )
        .await;
        rows.push(Row {
            name: format!("refresh_token (rotating){suffix}"),
            stats,
            cpu: cpu.stop(),
            peak_rss_kib: sampler.stop(),
            base: 0,
        });

        // Password sign-in: authorize → login page → POST, one Argon2id hash each; the workers are
        // spread round-robin over the nodes.
        let sampler = RssSampler::start(&pids);
        let cpu = CpuMeter::start(&pids, postgres);
        let web_for_login = web_id.clone();
        let password_for_login: Arc<str> = password.as_str().into();
        let login_nodes: Vec<Arc<str>> = (0..args.login_concurrency)
            .map(|j| bases[j % bases.len()].as_str().into())
            .collect();
        let stats = measure(login_nodes, duration, MAX_OPS, move |node: Arc<str>| {
            let client = web_for_login.clone();
            let password = password_for_login.clone();
            async move {
                let ok = sign_in(&node, &client, EMAIL, &password).await.is_ok();
                (node, ok)
            }
        })
        .await;
        rows.push(Row {
            name: format!("password sign-in (3 requests){suffix}"),
            stats,
            cpu: cpu.stop(),
            peak_rss_kib: sampler.stop(),
            base: 0,
        });
    }
    drop(more);
    drop(server);

    // Raw Argon2id capacity: the server's own hasher (same cost, same bound of one hash per core,
    // same memory pool) verifying in this process with nothing else running.
    let hashing = argon2_capacity(duration).await?;

    let table = render(
        &rows,
        &hashing,
        args,
        duration,
        idle_rss,
        [ready_empty, ready_cold, ready_warm],
        args.extended().then_some(EngineRun { db, nodes }),
    );
    println!("{table}");
    if let Some(path) = &args.markdown {
        std::fs::write(path, &table)?;
    }
    if args.smoke {
        smoke_check(&rows, &hashing)?;
    }
    Ok(())
}

/// True when `--duration` was on the command line (so `--smoke` keeps it).
fn duration_given() -> bool {
    std::env::args().any(|a| a == "--duration" || a.starts_with("--duration="))
}

/// Fails unless every scenario completed at least one request and none failed.
fn smoke_check(rows: &[Row], hashing: &Hashing) -> anyhow::Result<()> {
    let broken: Vec<String> = rows
        .iter()
        .filter(|r| r.stats.ok == 0 || r.stats.errors > 0)
        .map(|r| format!("{} ({} ok, {} errors)", r.name, r.stats.ok, r.stats.errors))
        .chain(
            (hashing.stats.ok == 0 || hashing.stats.errors > 0).then(|| {
                format!(
                    "Argon2id capacity ({} ok, {} errors)",
                    hashing.stats.ok, hashing.stats.errors
                )
            }),
        )
        .collect();
    anyhow::ensure!(broken.is_empty(), "smoke run failed: {}", broken.join("; "));
    eprintln!(
        "smoke run passed: {} scenarios completed requests without errors",
        rows.len() + 1
    );
    Ok(())
}

/// Raw Argon2id verification throughput at the server's default cost and concurrency.
struct Hashing {
    stats: Stats,
    threads: usize,
    cost: PasswordCost,
}

async fn argon2_capacity(duration: Duration) -> anyhow::Result<Hashing> {
    let cost = PasswordCost::default();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let hasher = PasswordHasher::new(cost, threads)?;
    let phc = hasher.hash(SecretString::new("capacity probe")).await?;
    let stats = measure(vec![(); threads], duration, MAX_OPS, move |()| {
        let (hasher, phc) = (hasher.clone(), phc.clone());
        async move {
            let ok = matches!(
                hasher
                    .verify(SecretString::new("capacity probe"), Some(phc))
                    .await,
                Ok(true)
            );
            ((), ok)
        }
    })
    .await;
    Ok(Hashing {
        stats,
        threads,
        cost,
    })
}

fn str_of(v: &serde_json::Value, key: &str) -> anyhow::Result<String> {
    v[key]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no {key} in {v}"))
}

fn aws_lc_rs_random() -> anyhow::Result<[u8; 32]> {
    use aws_lc_rs::rand::SecureRandom;
    let mut k = [0u8; 32];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut k)
        .map_err(|_| anyhow::anyhow!("no randomness"))?;
    Ok(k)
}

async fn wait_for_port(addr: SocketAddr) -> anyhow::Result<()> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    bail!("baseline did not start")
}

/// The engine compared, when `--database` or `--nodes` was given.
struct EngineRun<'a> {
    db: &'a Database,
    nodes: usize,
}

fn render(
    rows: &[Row],
    hashing: &Hashing,
    args: &Args,
    duration: Duration,
    idle_rss: u64,
    ready: [Duration; 3],
    engine: Option<EngineRun<'_>>,
) -> String {
    let postgres = engine
        .as_ref()
        .is_some_and(|e| e.db.engine == Engine::Postgres);
    let mut out = String::new();
    if let Some(e) = &engine {
        out.push_str(&format!(
            "Engine: {}, {}.\n\n",
            e.db.label(),
            match e.nodes {
                1 => "one node".to_string(),
                n => format!(
                    "{n} nodes on the one database (connections and sign-ins round-robin over them; peak and idle RSS are the largest node's)"
                ),
            }
        ));
    }
    out.push_str("| scenario | req/s | p50 ms | p99 ms | vs baseline | errors | peak RSS MiB |");
    if engine.is_some() {
        out.push_str(" server cores |");
        if postgres {
            out.push_str(" PostgreSQL cores |");
        }
        out.push_str(" load cores | req/s per server core |");
    }
    out.push_str("\n|---|---:|---:|---:|---:|---:|---:|");
    if engine.is_some() {
        out.push_str(if postgres {
            "---:|---:|---:|---:|"
        } else {
            "---:|---:|---:|"
        });
    }
    out.push('\n');
    for r in rows {
        out.push_str(&format!(
            "| {} | {:.0} | {:.2} | {:.2} | {:.0}% | {} | {:.1} |",
            r.name,
            r.stats.rate(),
            r.stats.percentile_ms(50.0),
            r.stats.percentile_ms(99.0),
            100.0 * r.stats.rate() / rows.get(r.base).map_or(1.0, |b| b.stats.rate()).max(1e-9),
            r.stats.errors,
            r.peak_rss_kib as f64 / 1024.0
        ));
        if engine.is_some() {
            out.push_str(&format!(" {:.2} |", r.cpu.server));
            if let Some(db) = r.cpu.db {
                out.push_str(&format!(" {db:.2} |"));
            }
            out.push_str(&format!(
                " {:.2} | {:.0} |",
                r.cpu.generator,
                r.stats.rate() / r.cpu.server.max(1e-9)
            ));
        }
        out.push('\n');
    }
    let sign_in = rows
        .iter()
        .find(|r| r.name.starts_with("password sign-in"))
        .map(|r| r.stats.rate())
        .unwrap_or(0.0);
    let capacity = hashing.stats.rate();
    out.push_str(&format!(
        "\nRaw Argon2id (m={} KiB, t={}, p={}; the server's hasher, {} at once, no HTTP): {:.1} verifications/s, p50 {:.2} ms. Password sign-in ran at {:.0}% of that capacity.\n",
        hashing.cost.memory_kib,
        hashing.cost.iterations,
        hashing.cost.parallelism,
        hashing.threads,
        capacity,
        hashing.stats.percentile_ms(50.0),
        100.0 * sign_in / capacity.max(1e-9),
    ));
    out.push_str(&format!(
        "\nIdle RSS of the server: {:.1} MiB. Ready (first `GET /healthz` 200): {} ms on an empty database (schema and keys created), {} ms on first start after `portcullis migrate`, {} ms on restart.\n\
         Load: {} connections for token grants, {} for sign-ins, {} s per phase, generator in the same machine.\n",
        idle_rss as f64 / 1024.0,
        ready[0].as_millis(),
        ready[1].as_millis(),
        ready[2].as_millis(),
        args.concurrency,
        args.login_concurrency,
        duration.as_secs()
    ));
    if engine.is_some() {
        out.push_str(&per_core(rows, postgres));
        out.push_str(&sign_in_per_core(rows, capacity, hashing.threads));
    }
    out
}

/// Sign-ins per core the servers used against raw Argon2id per hashing core: the share of the
/// hashing capacity a node reaches when the database does not take cores from it (PostgreSQL
/// on its own machine), where the plain share above counts the database's CPU against it.
fn sign_in_per_core(rows: &[Row], capacity: f64, threads: usize) -> String {
    let Some(r) = rows.iter().find(|r| r.name.starts_with("password sign-in")) else {
        return String::new();
    };
    let per_core = r.stats.rate() / r.cpu.server.max(1e-9);
    let raw_per_core = capacity / threads.max(1) as f64;
    format!(
        "Password sign-in per core the servers used: {per_core:.1}/s ({:.2} cores), {:.0}% of raw Argon2id per hashing core ({raw_per_core:.1}/s).\n",
        r.cpu.server,
        100.0 * per_core / raw_per_core.max(1e-9),
    )
}

/// Keycloak's published sizing: one vCPU per 120 refreshes, and per 120 client-credentials
/// grants, per second ("Concepts for sizing CPU and memory resources").
const KEYCLOAK_PER_VCPU: f64 = 120.0;

/// Rates per core used for refresh and client_credentials, next to Keycloak's sizing.
fn per_core(rows: &[Row], postgres: bool) -> String {
    let picked: Vec<&Row> = rows
        .iter()
        .filter(|r| r.name.starts_with("refresh_token") || r.name.starts_with("client_credentials"))
        .collect();
    let list = |with_db: bool| {
        picked
            .iter()
            .map(|r| {
                let cores = r.cpu.server
                    + if with_db {
                        r.cpu.db.unwrap_or(0.0)
                    } else {
                        0.0
                    };
                format!(
                    "{} {:.0}/s per core ({:.2} cores)",
                    r.name,
                    r.stats.rate() / cores.max(1e-9),
                    cores
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut out = format!(
        "\nPer core the servers used (utime + stime from /proc, summed over nodes, over the phase's wall time): {}. Keycloak's sizing: {KEYCLOAK_PER_VCPU:.0} refreshes/s and {KEYCLOAK_PER_VCPU:.0} client-credentials grants/s per vCPU.\n",
        list(false)
    );
    if postgres {
        out.push_str(&format!(
            "Counting PostgreSQL's processes as well: {}.\n",
            list(true)
        ));
    }
    out
}
