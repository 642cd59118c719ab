//! Command-line interface (DESIGN.md §2). Creation commands print one JSON object on stdout.

use std::io::BufRead;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use portcullis_core::admin::{self, NewClient};
use portcullis_core::clock::{Clock, SystemClock};
use portcullis_core::crypto::aead::MasterKeys;
use portcullis_core::crypto::jws::Alg;
use portcullis_core::crypto::password::{PasswordCost, PasswordHasher};
use portcullis_core::crypto::secret::SecretString;
use portcullis_core::model::{Api, Client};
use portcullis_core::policy::PolicyOverrides;
use portcullis_core::ports::Store;
use portcullis_server::config::{Settings, Sources};
use portcullis_server::startup::{Application, open_store};
use serde_json::json;

/// Portcullis: an OpenID Connect provider built around multi-factor and step-up authentication.
#[derive(Debug, Parser)]
#[command(name = "portcullis", version, about)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
struct Global {
    /// TOML configuration file.
    #[arg(long, global = true, env = "PORTCULLIS_CONFIG")]
    config: Option<String>,
    /// Development mode: ./portcullis-dev.db, issuer http://localhost:<port>, demo data.
    #[arg(long, global = true)]
    dev: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply database migrations and create the initial signing keys.
    Migrate,
    /// Exit 0 when the server this configuration describes answers /readyz (container and
    /// service-manager health checks, which have no curl).
    Health,
    /// Copy the SQLite database to FILE while the server runs (a consistent snapshot).
    Backup {
        /// Where to write the copy; an existing file is never overwritten.
        file: std::path::PathBuf,
    },
    /// Replace the SQLite database with a backup made by `backup` (stop the server first).
    Restore {
        /// The backup to restore.
        file: std::path::PathBuf,
        /// Restore even though the database looks open (its -wal or -shm file exists), after
        /// a crash.
        #[arg(long)]
        force: bool,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage clients (relying parties).
    #[command(subcommand)]
    Client(ClientCommand),
    /// Manage APIs (resource servers).
    #[command(subcommand)]
    Api(ApiCommand),
    /// Manage signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Inspect MFA policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Import users from another identity provider.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Manage post-login Actions (Auth0's `exports.onExecutePostLogin`).
    #[command(subcommand)]
    Action(ActionCommand),
}

#[derive(Debug, Subcommand)]
enum ActionCommand {
    /// Create or update the Action NAME from FILE (`-` for standard input), check and deploy
    /// it; with `--bind`, run it last at post-login if it is not bound yet.
    Deploy {
        /// The Action's name.
        #[arg(long)]
        name: String,
        /// The source exporting `onExecutePostLogin`.
        #[arg(long)]
        file: String,
        /// `KEY=VALUE` for `event.secrets.KEY` (repeatable; secrets not named are kept).
        #[arg(long = "secret", value_name = "KEY=VALUE")]
        secrets: Vec<String>,
        /// Bind it to post-login (after those already bound).
        #[arg(long)]
        bind: bool,
    },
    /// Every Action: deployed version and post-login position.
    List,
    /// Set the post-login bindings to these Actions, in this order (none: unbind all).
    Bind {
        /// Action names.
        names: Vec<String>,
    },
    /// Delete an Action; one bound to post-login only with `--force` (which unbinds it).
    Remove {
        /// The Action's name.
        name: String,
        /// Unbind it first.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Users from an Auth0 bulk-import file (a JSON array) or export (NDJSON), `-` for standard
    /// input: upserted by email, password hashes kept until the first sign-in, `user_id` kept as
    /// an alias, TOTP, phone and email factors added. Each refused line is reported on standard
    /// error; exits 1 if any was.
    Auth0 {
        /// The file.
        file: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walks the hash chain; exits 1 and names the first broken link if any.
    Verify,
    /// Prunes events older than `[audit] retention_days` (or `--older-than-days`) behind a sealed
    /// checkpoint, after checking the chain.
    Prune {
        /// Days to keep, instead of the setting.
        #[arg(long)]
        older_than_days: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// The effective policy: the tenant's (the file's `[policy]` with the keys changed at run
    /// time), then a client's and an API's when given.
    Show {
        /// Client id.
        #[arg(long)]
        client: Option<String>,
        /// API identifier (audience).
        #[arg(long)]
        api: Option<String>,
    },
    /// Change tenant policy keys over the config file (`KEY=VALUE`; `KEY=default` follows the
    /// file again); the same change as the console's policy page.
    Set {
        /// `KEY=VALUE` pairs: mfa, required_acr, max_age, mfa_on_refresh, allowed_factors,
        /// enroll_with_any, remember_device_days, signup, require_verified_email, require_dpop,
        /// require_pushed_authorization_requests, token_exchange, fapi2.
        #[arg(value_name = "KEY=VALUE", required = true)]
        pairs: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user.
    Create {
        /// Email address.
        #[arg(long)]
        email: String,
        /// Password (visible in the process list; prefer --password-stdin).
        #[arg(
            long,
            conflicts_with_all = ["password_stdin", "password_link"],
            required_unless_present_any = ["password_stdin", "password_link"]
        )]
        password: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long, conflicts_with = "password_link")]
        password_stdin: bool,
        /// No password: email the user a single-use link to choose one (printed as
        /// `ticket_url` too), live five days.
        #[arg(long)]
        password_link: bool,
    },
    /// List users as JSON.
    List,
    /// Delete a user.
    Delete {
        /// User id.
        id: String,
    },
    /// Block sign-in for a user and end their sessions.
    Block {
        /// User id.
        id: String,
    },
    /// Let a blocked user sign in again.
    Unblock {
        /// User id.
        id: String,
    },
    /// Grant a console (`/admin`) role, or take it with `none`.
    Role {
        /// User id.
        id: String,
        /// `admin` (everything), `support` (read, send tickets, remove a factor), `auditor`
        /// (read only) or `none`.
        #[arg(long)]
        role: String,
    },
    /// Force a password reset: the password stops working, sessions end, and the user is
    /// emailed a single-use link to choose a new one (printed as `ticket_url`).
    ResetPassword {
        /// User id.
        id: String,
        /// How long the link lives, in seconds.
        #[arg(long, default_value_t = PASSWORD_LINK_TTL)]
        ttl: i64,
        /// Print the link only; send no email.
        #[arg(long)]
        no_email: bool,
    },
}

/// How long a password link from the CLI lives: five days, as the management API's tickets.
const PASSWORD_LINK_TTL: i64 = 5 * 86_400;

#[derive(Debug, Subcommand)]
enum ClientCommand {
    /// Create a client.
    Create(Box<ClientCreate>),
    /// Change a client's policy overrides (`--policy KEY=VALUE`, `KEY=default` clears one).
    Update {
        /// Client id.
        id: String,
        /// Policy key to override (repeatable).
        #[arg(long = "policy", value_name = "KEY=VALUE", required = true)]
        policies: Vec<String>,
    },
    /// List clients as JSON.
    List,
    /// Delete a client.
    Delete {
        /// Client id.
        id: String,
    },
}

#[derive(Debug, Args)]
struct ClientCreate {
    /// Display name.
    #[arg(long)]
    name: String,
    /// Redirect URI (exact match; repeatable).
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// Post-logout redirect URI (exact match; repeatable).
    #[arg(long = "post-logout-redirect-uri")]
    post_logout_redirect_uris: Vec<String>,
    /// Grant type (repeatable; default authorization_code and refresh_token).
    #[arg(long = "grant")]
    grants: Vec<String>,
    /// A public client (no secret; PKCE required).
    #[arg(long)]
    public: bool,
    /// OIDC back-channel logout URI.
    #[arg(long)]
    backchannel_logout_uri: Option<String>,
    /// A third-party client (gets a consent screen).
    #[arg(long)]
    third_party: bool,
    /// ID-token signing algorithm: RS256 (default, OIDC Core §3.1.3.7), ES256 or EdDSA.
    #[arg(long)]
    signing_alg: Option<String>,
    /// Grant the client access to this API for client_credentials.
    #[arg(long, requires = "scopes")]
    api: Option<String>,
    /// Scopes granted on --api (repeatable).
    #[arg(long = "scope", requires = "api")]
    scopes: Vec<String>,
    /// Policy key this client overrides (repeatable): mfa, required_acr, max_age,
    /// mfa_on_refresh, allowed_factors, enroll_with_any, remember_device_days, signup,
    /// require_verified_email, require_dpop, require_pushed_authorization_requests,
    /// token_exchange, fapi2.
    #[arg(long = "policy", value_name = "KEY=VALUE")]
    policies: Vec<String>,
    /// A JSON file with the client's public keys (a JWKS): it then authenticates with
    /// private_key_jwt assertions (RFC 7523) and has no secret.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["jwks_uri", "public"])]
    jwks_file: Option<std::path::PathBuf>,
    /// Where the client publishes its JWKS (https), for private_key_jwt instead of a secret.
    #[arg(long, value_name = "URL", conflicts_with = "public")]
    jwks_uri: Option<String>,
}

#[derive(Debug, Subcommand)]
enum ApiCommand {
    /// Create an API.
    Create {
        /// Audience identifier, usually a URI.
        #[arg(long)]
        identifier: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// Scope the API defines (repeatable).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// MFA policy key this API overrides (repeatable; the most specific layer).
        #[arg(long = "policy", value_name = "KEY=VALUE")]
        policies: Vec<String>,
        /// Access-token algorithm: RS256 (default), ES256 or EdDSA.
        #[arg(long)]
        signing_alg: Option<String>,
    },
    /// Change an API's policy overrides (`--policy KEY=VALUE`, `KEY=default` clears one) or its
    /// access-token algorithm.
    Update {
        /// Audience identifier.
        #[arg(long)]
        identifier: String,
        /// Policy key to override (repeatable).
        #[arg(
            long = "policy",
            value_name = "KEY=VALUE",
            required_unless_present = "signing_alg"
        )]
        policies: Vec<String>,
        /// Access-token algorithm: RS256, ES256 or EdDSA.
        #[arg(long)]
        signing_alg: Option<String>,
    },
    /// List APIs as JSON.
    List,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Generate new signing keys; the old ones stay published until their tokens expire.
    Rotate {
        /// Rotate only this algorithm (EdDSA, ES256, RS256).
        #[arg(long)]
        alg: Option<String>,
    },
    /// List signing keys as JSON.
    List,
}

fn settings(global: &Global, listen: Option<String>) -> anyhow::Result<Settings> {
    Ok(Settings::load(&Sources {
        file: global.config.clone(),
        env: std::env::vars().collect(),
        dev: global.dev,
        listen,
    })?)
}

fn init_logging(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&settings.log.level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if settings.log.format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

fn hasher(settings: &Settings) -> anyhow::Result<PasswordHasher> {
    let p = &settings.password;
    Ok(PasswordHasher::new(
        PasswordCost {
            memory_kib: p.memory_kib,
            iterations: p.iterations,
            parallelism: p.parallelism,
        },
        p.max_concurrent,
    )?)
}

fn master(settings: &Settings) -> anyhow::Result<MasterKeys> {
    let keys: Vec<String> = settings
        .master_keys
        .iter()
        .map(|k| k.expose().to_string())
        .collect();
    Ok(MasterKeys::from_base64(&keys)?)
}

fn print(value: serde_json::Value) {
    println!("{value}");
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let listen = match &cli.command {
        Command::Serve { listen } => listen.clone(),
        _ => None,
    };
    let settings = settings(&cli.global, listen)?;
    init_logging(&settings);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    if let Command::Serve { .. } = cli.command {
        return serve(settings, clock).await;
    }
    if let Command::Health = cli.command {
        return health(&settings).await;
    }
    if matches!(cli.command, Command::Backup { .. })
        && portcullis_store::Engine::of(settings.database_url.expose())
            != Some(portcullis_store::Engine::Sqlite)
    {
        bail!(
            "backup copies SQLite databases; on PostgreSQL use pg_dump or a base backup (docs/deploy.md)"
        );
    }
    if let Command::Restore { file, force } = &cli.command {
        // Before the database is opened: opening it would migrate the file being replaced.
        portcullis_store::restore_sqlite(file, settings.database_url.expose(), *force).await?;
        print(json!({ "restored": file.display().to_string() }));
        return Ok(());
    }
    let store = open_store(&settings)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let sql = &store;
    let store: &dyn Store = &store;
    match cli.command {
        Command::Serve { .. } | Command::Migrate => {
            // Initial signing keys belong to a prepared database; generating RSA keys here keeps
            // them off the server's first start.
            admin::ensure_keys(store, &master(&settings)?, clock.as_ref()).await?;
            eprintln!("migrations applied; signing keys present");
        }
        Command::Backup { file } => {
            sql.backup_to(&file).await?;
            print(json!({ "backup": file.display().to_string() }));
        }
        // Done before the database was opened.
        Command::Restore { .. } | Command::Health => {}
        Command::User(cmd) => user(cmd, &settings, store, clock.as_ref()).await?,
        Command::Client(cmd) => {
            // The management API is stored on the server's first start; a client granted its
            // scopes before that needs it now. A dev issuer that follows the port is known to
            // the server only.
            if !settings.issuer_auto {
                admin::ensure_api(
                    store,
                    &portcullis_server::mgmt::builtin_api(&settings.issuer, clock.now()),
                )
                .await?;
            }
            client(cmd, store, clock.as_ref()).await?
        }
        Command::Api(ApiCommand::Create {
            identifier,
            name,
            scopes,
            policies,
            signing_alg,
        }) => {
            let alg = checked_alg(signing_alg)?;
            let mut api = admin::create_api(
                store,
                clock.as_ref(),
                &identifier,
                name.as_deref(),
                scopes,
                overrides(PolicyOverrides::default(), &policies)?,
            )
            .await?;
            if alg.is_some() {
                api.signing_alg = alg;
                store.update_api(&api).await?;
            }
            print(json!({ "id": api.id, "identifier": api.identifier }));
        }
        Command::Api(ApiCommand::Update {
            identifier,
            policies,
            signing_alg,
        }) => {
            let alg = checked_alg(signing_alg)?;
            let mut api = find_api(store, &identifier).await?;
            api.policy = overrides(api.policy, &policies)?;
            if alg.is_some() {
                api.signing_alg = alg;
            }
            store.update_api(&api).await?;
            print(json!({
                "identifier": identifier,
                "policy": api.policy,
                "signing_alg": api.signing_alg.as_deref().unwrap_or("RS256"),
            }));
        }
        Command::Policy(PolicyCommand::Show { client, api }) => {
            let stored = admin::tenant_overrides(store).await?;
            let tenant = settings.policy.clone().with(&stored);
            let c = match &client {
                Some(id) => Some(find_client(store, id).await?),
                None => None,
            };
            let a = match &api {
                Some(identifier) => Some(find_api(store, identifier).await?),
                None => None,
            };
            let effective =
                tenant.resolve(c.as_ref().map(|c| &c.policy), a.as_ref().map(|a| &a.policy));
            print(json!({
                "client_id": client,
                "api": api,
                "file": settings.policy,
                "tenant_overrides": stored,
                "tenant": tenant,
                "client": c.map(|c| c.policy),
                "api_overrides": a.map(|a| a.policy),
                "effective": effective,
            }));
        }
        Command::Policy(PolicyCommand::Set { pairs }) => {
            let stored = overrides(admin::tenant_overrides(store).await?, &pairs)?;
            admin::set_tenant_overrides(store, clock.as_ref(), &stored).await?;
            record(
                &settings,
                store,
                clock.as_ref(),
                "policy.tenant_changed",
                None,
                json!({ "overrides": stored }),
            )
            .await?;
            print(json!({
                "tenant_overrides": stored,
                "tenant": settings.policy.clone().with(&stored),
            }));
        }
        Command::Action(command) => action(&settings, store, clock.as_ref(), command).await?,
        Command::Import(ImportCommand::Auth0 { file }) => {
            import_auth0(&settings, store, clock.as_ref(), &file).await?;
        }
        Command::Audit(AuditCommand::Verify) => {
            match portcullis_core::audit::verify(store, &master(&settings)?).await? {
                portcullis_core::audit::Verdict::Intact {
                    events,
                    unchained,
                    checkpoint,
                    sealed,
                } => print(json!({
                    "intact": true,
                    "events": events,
                    "unchained": unchained,
                    "checkpoint": checkpoint,
                    "sealed": sealed,
                })),
                portcullis_core::audit::Verdict::Broken { seq, reason } => {
                    print(json!({ "intact": false, "seq": seq, "reason": reason }));
                    anyhow::bail!("the audit chain is broken at event {seq}: {reason}");
                }
            }
        }
        Command::Audit(AuditCommand::Prune { older_than_days }) => {
            let days = older_than_days.unwrap_or(settings.audit.retention_days);
            anyhow::ensure!(
                older_than_days.is_some() || days > 0,
                "no retention: set [audit] retention_days or pass --older-than-days"
            );
            let now = clock.now();
            let pruned =
                portcullis_core::audit::prune(store, &master(&settings)?, now - days * 86_400, now)
                    .await?;
            print(json!({ "pruned": pruned }));
        }
        Command::Api(ApiCommand::List) => print(serde_json::to_value(store.list_apis().await?)?),
        Command::Keys(KeysCommand::Rotate { alg }) => {
            let algs = match alg {
                Some(a) => vec![Alg::parse(&a).context("--alg must be EdDSA, ES256 or RS256")?],
                None => Alg::all().to_vec(),
            };
            admin::ensure_keys(store, &master(&settings)?, clock.as_ref()).await?;
            let mut rotated = Vec::new();
            for alg in algs {
                let k = admin::rotate_key(store, &master(&settings)?, clock.as_ref(), alg).await?;
                rotated.push(json!({ "kid": k.kid, "alg": k.alg }));
            }
            print(json!({ "rotated": rotated }));
        }
        Command::Keys(KeysCommand::List) => {
            let keys: Vec<_> = store
                .list_signing_keys()
                .await?
                .into_iter()
                .map(|k| json!({ "kid": k.kid, "alg": k.alg, "created_at": k.created_at, "retired_at": k.retired_at }))
                .collect();
            print(json!(keys));
        }
    }
    Ok(())
}

async fn user(
    cmd: UserCommand,
    settings: &Settings,
    store: &dyn Store,
    clock: &dyn Clock,
) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Create {
            email,
            password,
            password_stdin,
            password_link,
        } => {
            if password_link {
                let user = admin::add_user(
                    store,
                    &hasher(settings)?,
                    clock,
                    admin::NewUser {
                        email,
                        ..admin::NewUser::default()
                    },
                )
                .await?;
                let token = admin::password_link(
                    store,
                    &master(settings)?,
                    clock,
                    &user,
                    PASSWORD_LINK_TTL,
                )
                .await?;
                let url = portcullis_server::ui::reset_link(&settings.issuer, &token);
                record(
                    settings,
                    store,
                    clock,
                    "user.created",
                    Some(&user.id),
                    json!({ "password": "link" }),
                )
                .await?;
                let sent = mail_password_link(settings, &user.email, &url, false).await;
                print(
                    json!({ "user_id": user.id, "email": user.email, "ticket_url": url, "email_sent": sent }),
                );
                return Ok(());
            }
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                line.trim_end_matches(['\r', '\n']).to_string()
            } else {
                password.unwrap_or_default()
            };
            let user = admin::create_user(
                store,
                &hasher(settings)?,
                clock,
                &email,
                SecretString::new(password),
            )
            .await?;
            print(json!({ "user_id": user.id, "email": user.email }));
        }
        UserCommand::Block { id } => {
            let change = admin::set_blocked(store, clock, &id, true).await?;
            let detail = json!({ "blocked": true, "ended_sessions": change.ended_sessions.len() });
            record(settings, store, clock, "user.blocked", Some(&id), detail).await?;
            print(
                json!({ "user_id": id, "blocked": true, "ended_sessions": change.ended_sessions.len() }),
            );
        }
        UserCommand::Unblock { id } => {
            admin::set_blocked(store, clock, &id, false).await?;
            record(
                settings,
                store,
                clock,
                "user.unblocked",
                Some(&id),
                json!({ "blocked": false }),
            )
            .await?;
            print(json!({ "user_id": id, "blocked": false }));
        }
        UserCommand::Role { id, role } => {
            let parsed = match role.as_str() {
                "none" => None,
                name => Some(portcullis_core::roles::Role::parse(name).ok_or_else(|| {
                    anyhow::anyhow!("--role must be admin, support, auditor or none")
                })?),
            };
            admin::set_role(store, clock, &id, parsed).await?;
            let name = parsed.map(|r| r.as_str());
            record(
                settings,
                store,
                clock,
                "user.role_changed",
                Some(&id),
                json!({ "role": name }),
            )
            .await?;
            print(json!({ "user_id": id, "role": name }));
        }
        UserCommand::ResetPassword { id, ttl, no_email } => {
            if !(60..=30 * 86_400).contains(&ttl) {
                bail!("--ttl must be between 60 seconds and 30 days");
            }
            let (change, token) =
                admin::force_password_reset(store, &master(settings)?, clock, &id, ttl).await?;
            let url = portcullis_server::ui::reset_link(&settings.issuer, &token);
            let detail = json!({ "ended_sessions": change.ended_sessions.len(), "ttl_sec": ttl, "send_mail": !no_email });
            record(
                settings,
                store,
                clock,
                "password.reset_forced",
                Some(&id),
                detail,
            )
            .await?;
            let sent =
                !no_email && mail_password_link(settings, &change.user.email, &url, true).await;
            print(
                json!({ "user_id": id, "ticket_url": url, "ended_sessions": change.ended_sessions.len(), "email_sent": sent }),
            );
        }
        UserCommand::List => print(serde_json::to_value(store.list_users().await?)?),
        UserCommand::Delete { id } => {
            if !store.delete_user(&id).await? {
                bail!("no user with id {id}");
            }
            print(json!({ "deleted": id }));
        }
    }
    Ok(())
}

/// `portcullis action …`: the management API's Actions endpoints, from the command line.
async fn action(
    settings: &Settings,
    store: &dyn Store,
    clock: &dyn Clock,
    command: ActionCommand,
) -> anyhow::Result<()> {
    use portcullis_server::actions::{self as actions, ActionRef};
    let by_name = |all: &[portcullis_core::actions::Action], name: &str| {
        all.iter().find(|a| a.name == name).cloned()
    };
    match command {
        ActionCommand::Deploy {
            name,
            file,
            secrets,
            bind,
        } => {
            let code = if file == "-" {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
                text
            } else {
                std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?
            };
            let mut given = Vec::new();
            for pair in &secrets {
                let (k, v) = pair
                    .split_once('=')
                    .with_context(|| "--secret takes KEY=VALUE".to_string())?;
                given.push((k.to_string(), v.to_string()));
            }
            let deployed = actions::save_and_deploy(
                store,
                &master(settings)?,
                settings.actions.limits(),
                &name,
                code,
                given,
                bind,
                clock.now(),
            )
            .await?;
            let id = deployed.id.clone();
            let version = deployed.deployed.as_ref().map(|d| d.number);
            record(
                settings,
                store,
                clock,
                "action.deployed",
                None,
                json!({ "action_id": id, "version": version }),
            )
            .await?;
            print(json!({
                "id": id,
                "name": name,
                "version": version,
                "bound": actions::bindings(store).await?.contains(&id),
            }));
        }
        ActionCommand::List => {
            let bound = actions::bindings(store).await?;
            let list: Vec<serde_json::Value> = store
                .list_actions()
                .await?
                .iter()
                .map(|a| {
                    json!({
                        "id": a.id,
                        "name": a.name,
                        "version": a.deployed.as_ref().map(|d| d.number),
                        "all_changes_deployed": !a.modified(),
                        "secrets": a.secrets.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
                        "post_login_position": bound.iter().position(|b| *b == a.id),
                    })
                })
                .collect();
            print(json!(list));
        }
        ActionCommand::Bind { names } => {
            let refs: Vec<(ActionRef, Option<String>)> = names
                .into_iter()
                .map(|n| (ActionRef::Name(n), None))
                .collect();
            let bound = actions::bind(store, &refs, clock.now()).await?;
            let names: Vec<String> = bound.into_iter().map(|(a, _)| a.name).collect();
            record(
                settings,
                store,
                clock,
                "action.bindings_changed",
                None,
                json!({ "trigger": "post-login", "actions": names }),
            )
            .await?;
            print(json!({ "post-login": names }));
        }
        ActionCommand::Remove { name, force } => {
            let a = by_name(&store.list_actions().await?, &name)
                .with_context(|| format!("no Action named {name}"))?;
            actions::delete(store, &a.id, force, clock.now()).await?;
            record(
                settings,
                store,
                clock,
                "action.deleted",
                None,
                json!({ "action_id": a.id, "force": force }),
            )
            .await?;
            print(json!({ "deleted": a.id }));
        }
    }
    Ok(())
}

/// Appends an administrator's change to the audit trail, as the CLI.
async fn record(
    settings: &Settings,
    store: &dyn Store,
    clock: &dyn Clock,
    kind: &str,
    user_id: Option<&str>,
    detail: serde_json::Value,
) -> anyhow::Result<()> {
    let event = portcullis_core::model::AuditEvent {
        at: clock.now(),
        kind: kind.into(),
        user_id: user_id.map(str::to_string),
        client_id: None,
        ip: None,
        user_agent: Some("portcullis cli".into()),
        detail,
    };
    portcullis_core::audit::append(store, &master(settings)?, &event).await?;
    Ok(())
}

/// `portcullis import auth0 FILE`: one user at a time, each refused line reported as a JSON
/// line on standard error, a count every thousand on a terminal, the totals on standard output.
async fn import_auth0(
    settings: &Settings,
    store: &dyn Store,
    clock: &dyn Clock,
    file: &str,
) -> anyhow::Result<()> {
    use std::io::{IsTerminal, Read};
    let mut text = String::new();
    if file == "-" {
        std::io::stdin().read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    }
    let master = master(settings)?;
    let factors = portcullis_core::authn::factors::Factors {
        store,
        master: &master,
        lockout: settings.lockout,
        now: clock.now(),
    };
    let lines = portcullis_core::import::auth0_file(&text);
    let terminal = std::io::stderr().is_terminal();
    let total = lines.len();
    let progress = |done: usize| {
        if terminal && (done.is_multiple_of(1000) || done == total) {
            eprintln!("{done} of {total} users");
        }
    };
    let report = portcullis_core::import::auth0_lines(&factors, &lines, true, &progress).await;
    for (line, why) in &report.failed {
        // The line and the reason; never the line's content (it holds hashes).
        eprintln!("{}", json!({ "line": line, "error": why }));
    }
    let (created, updated, failed, added) = (
        report.created,
        report.updated,
        report.failed.len(),
        report.factors,
    );
    let totals =
        json!({ "created": created, "updated": updated, "failed": failed, "factors": added });
    let event = portcullis_core::model::AuditEvent {
        at: clock.now(),
        kind: "users.imported".into(),
        user_id: None,
        client_id: None,
        ip: None,
        user_agent: Some("portcullis cli".into()),
        detail: json!({ "from": "auth0", "totals": totals }),
    };
    portcullis_core::audit::append(store, &master, &event).await?;
    print(totals);
    if failed > 0 {
        let users = if failed == 1 {
            "user was"
        } else {
            "users were"
        };
        bail!("{failed} {users} not imported (reasons above)");
    }
    Ok(())
}

/// Emails a password link through the configured notifier (the dev outbox with `--dev`);
/// whether it went. A failure is a warning: the change is made and the link is printed.
async fn mail_password_link(settings: &Settings, to: &str, url: &str, forced: bool) -> bool {
    let (subject, text) = if forced {
        (
            "Choose a new password",
            format!(
                "An administrator asked you to choose a new password; your old one no longer works. Use this link (it works once):\n{url}\n\nIf your account has a second factor, you will prove it first."
            ),
        )
    } else {
        (
            "Choose your password",
            format!(
                "An account was created for you. Choose its password with this link (it works once):\n{url}"
            ),
        )
    };
    let notifier =
        match portcullis_server::notify::build(&settings.notify, settings.outbox_dir.clone()) {
            Ok(n) => n,
            Err(e) => {
                eprintln!(
                    "warning: the email was not sent ({e}); hand the printed link over instead"
                );
                return false;
            }
        };
    let message = portcullis_server::ui::email(to, subject, &text);
    match notifier.send(&message).await {
        Ok(()) => true,
        Err(e) => {
            eprintln!("warning: the email was not sent ({e}); hand the printed link over instead");
            false
        }
    }
}

async fn find_client(store: &dyn Store, id: &str) -> anyhow::Result<Client> {
    store
        .list_clients()
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .with_context(|| format!("no client with id {id}"))
}

async fn find_api(store: &dyn Store, identifier: &str) -> anyhow::Result<Api> {
    store
        .list_apis()
        .await?
        .into_iter()
        .find(|a| a.identifier == identifier)
        .with_context(|| format!("no API with identifier {identifier}"))
}

/// An access-token algorithm named on the command line: one Portcullis signs with.
fn checked_alg(alg: Option<String>) -> anyhow::Result<Option<String>> {
    match alg {
        Some(a) if portcullis_core::crypto::jws::Alg::parse(&a).is_none() => {
            anyhow::bail!("invalid: --signing-alg must be RS256, ES256 or EdDSA")
        }
        other => Ok(other),
    }
}

/// `--policy KEY=VALUE` flags laid over `base`; the first bad one is the error.
fn overrides(mut base: PolicyOverrides, pairs: &[String]) -> anyhow::Result<PolicyOverrides> {
    for pair in pairs {
        base.set(pair)?;
    }
    Ok(base)
}

async fn client(cmd: ClientCommand, store: &dyn Store, clock: &dyn Clock) -> anyhow::Result<()> {
    match cmd {
        ClientCommand::Create(c) => {
            let c = *c;
            let jwks = match &c.jwks_file {
                Some(path) => Some(
                    serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(path)?)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
                ),
                None => None,
            };
            let keys = portcullis_server::mgmt::client_keys(jwks.as_ref(), c.jwks_uri.as_deref())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let (client, secret) = admin::create_client(
                store,
                clock,
                NewClient {
                    name: c.name,
                    redirect_uris: c.redirect_uris,
                    post_logout_redirect_uris: c.post_logout_redirect_uris,
                    grant_types: c.grants,
                    public: c.public,
                    backchannel_logout_uri: c.backchannel_logout_uri,
                    third_party: c.third_party,
                    signing_alg: c.signing_alg,
                    id: None,
                    policy: overrides(PolicyOverrides::default(), &c.policies)?,
                },
            )
            .await?;
            if let Some(api) = c.api
                && let Err(e) = admin::grant_client(store, &client.id, &api, c.scopes).await
            {
                store.delete_client(&client.id).await?;
                return Err(e.into());
            }
            let mut out = json!({ "client_id": client.id });
            match &keys {
                Some(k) => {
                    store.set_client_keys(&client.id, Some(k)).await?;
                    out["token_endpoint_auth_method"] = "private_key_jwt".into();
                }
                None => {
                    if let Some(s) = secret {
                        out["client_secret"] = s.expose().into();
                    }
                }
            }
            print(out);
        }
        ClientCommand::Update { id, policies } => {
            let policy = overrides(find_client(store, &id).await?.policy, &policies)?;
            store.set_client_policy(&id, &policy).await?;
            print(json!({ "client_id": id, "policy": policy }));
        }
        ClientCommand::List => print(serde_json::to_value(store.list_clients().await?)?),
        ClientCommand::Delete { id } => {
            if !store.delete_client(&id).await? {
                bail!("no client with id {id}");
            }
            print(json!({ "deleted": id }));
        }
    }
    Ok(())
}

/// Asks the local listener for `/readyz`: on the loopback address of the configured port (a
/// wildcard listener answers there), over TLS when the server terminates it itself.
async fn health(settings: &Settings) -> anyhow::Result<()> {
    let mut addr = settings.listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            std::net::SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    let scheme = if settings.tls.is_some() {
        "https"
    } else {
        "http"
    };
    // Only ever this machine's own listener, whose certificate names the public host.
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(std::time::Duration::from_secs(5))
        .build()?;
    let status = client
        .get(format!("{scheme}://{addr}/readyz"))
        .send()
        .await
        .with_context(|| format!("no answer from {addr}"))?
        .status();
    if !status.is_success() {
        bail!("not ready: /readyz answered {status}");
    }
    eprintln!("ready");
    Ok(())
}

async fn serve(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<()> {
    let dev = settings.dev;
    let app = Application::build(settings, clock)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if dev {
        crate::dev::seed(app.state()).await?;
    }
    tracing::info!(issuer = %app.state().issuer(), "listening on {}", app.state().settings().listen);
    eprintln!("Portcullis is ready at {}", app.state().issuer());
    app.run_until(shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
