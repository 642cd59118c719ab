//! The SQL implementation of [`Store`], shared by both engines.

use std::time::Duration;

use async_trait::async_trait;
use portcullis_core::identity::{email_skeleton, normalize_email};
use portcullis_core::model::*;
use portcullis_core::policy::PolicyOverrides;
use portcullis_core::ports::{ConfigSignal, Store};
use portcullis_core::{Error, Result};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor};

use crate::rows::{self, db_err, from_json, to_json};

/// The database engine behind a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// An embedded SQLite file (WAL mode).
    Sqlite,
    /// A PostgreSQL server (or one that speaks its protocol).
    Postgres,
}

impl Engine {
    /// The engine a `database_url` names, if any.
    pub fn of(url: &str) -> Option<Engine> {
        if url.starts_with("sqlite:") {
            Some(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Engine::Postgres)
        } else {
            None
        }
    }
}

/// How to connect.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `sqlite://path` or `postgres://…`.
    pub url: String,
    /// PostgreSQL schema to use (created if missing); tests isolate themselves with it.
    pub schema: Option<String>,
    /// Pool size.
    pub max_connections: u32,
}

impl StoreOptions {
    /// Options with defaults for `url`.
    pub fn new(url: impl Into<String>) -> Self {
        StoreOptions {
            url: url.into(),
            schema: None,
            max_connections: 8,
        }
    }
}

/// A [`Store`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct SqlStore {
    /// Reads (and, on PostgreSQL, everything).
    pool: AnyPool,
    /// Writes. On SQLite one connection: writers then queue in the pool instead of contending
    /// for the database lock and sleeping in SQLite's busy handler.
    writer: AnyPool,
    engine: Engine,
    /// The URL, for the configuration listener's own connection.
    url: String,
    /// The `NOTIFY` channel of this database and schema (tests share one database).
    channel: String,
    /// SQLite's refresh rotations, committed in groups by one task (see `group`).
    rotations: Option<tokio::sync::mpsc::Sender<crate::group::Rotation>>,
}

fn valid_schema_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

async fn open_pool(url: &str, engine: Engine, schema: Option<String>, max: u32) -> Result<AnyPool> {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _| {
            let schema = schema.clone();
            Box::pin(async move {
                match engine {
                    Engine::Sqlite => {
                        // WAL lets readers run beside the one writer; NORMAL sync is durable
                        // in WAL mode except across power loss of the last transaction.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                    }
                    Engine::Postgres => {
                        if let Some(s) = schema {
                            conn.execute(format!("SET search_path TO {s}").as_str())
                                .await?;
                        }
                    }
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .map_err(db_err)
}

impl SqlStore {
    /// Connects to the database; SQLite files are created if missing.
    pub async fn connect(options: &StoreOptions) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let engine = Engine::of(&options.url).ok_or_else(|| {
            Error::Invalid("database_url must start with sqlite:// or postgres://".into())
        })?;
        let mut url = options.url.clone();
        if engine == Engine::Sqlite && !url.contains('?') && !url.contains(":memory:") {
            url.push_str("?mode=rwc");
        }
        let schema = options.schema.clone();
        if let Some(s) = &schema {
            if !valid_schema_name(s) {
                return Err(Error::Invalid("schema name must be [a-z0-9_]".into()));
            }
            let admin = AnyPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .map_err(db_err)?;
            admin
                .execute(format!("CREATE SCHEMA IF NOT EXISTS {s}").as_str())
                .await
                .map_err(db_err)?;
            admin.close().await;
        }
        let pool = open_pool(&url, engine, schema.clone(), options.max_connections).await?;
        let writer = match engine {
            Engine::Sqlite => open_pool(&url, engine, schema, 1).await?,
            Engine::Postgres => pool.clone(),
        };
        let channel = match &options.schema {
            Some(s) => format!("portcullis_config_{s}"),
            None => "portcullis_config".to_string(),
        };
        let rotations = match engine {
            Engine::Sqlite => Some(crate::group::start(writer.clone())),
            // Several writers commit side by side on PostgreSQL.
            Engine::Postgres => None,
        };
        Ok(SqlStore {
            pool,
            writer,
            engine,
            url,
            channel,
            rotations,
        })
    }

    /// The engine in use.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Runs one SQL statement as it is: for maintenance and for tests that must reach past the
    /// application (tampering with the audit trail); how many rows it touched.
    pub async fn execute_raw(&self, sql: &str) -> Result<u64> {
        self.exec(sqlx::query(sql)).await
    }

    /// Writes a consistent copy of a SQLite database to `path` while it serves (`VACUUM INTO`
    /// reads one snapshot; writers go on). PostgreSQL has its own tools (`pg_dump`, base backups).
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<()> {
        if self.engine != Engine::Sqlite {
            return Err(Error::Invalid(
                "backup copies SQLite databases; on PostgreSQL use pg_dump or a base backup (docs/deploy.md)".into(),
            ));
        }
        if path.exists() {
            return Err(Error::Invalid(format!(
                "{} exists; a backup never overwrites a file",
                path.display()
            )));
        }
        let target = path
            .to_str()
            .ok_or_else(|| Error::Invalid("the backup path must be UTF-8".into()))?;
        self.exec(sqlx::query("VACUUM INTO $1").bind(target.to_string()))
            .await
            .map(|_| ())
    }

    /// Applies pending migrations for the engine.
    pub async fn migrate(&self) -> Result<()> {
        let mut migrator = match self.engine {
            Engine::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Engine::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        // During a rolling upgrade this version may start on a schema a later version already
        // migrated: its migrations only expand (see `migrations_only_expand`), so serving on it
        // is safe, and refusing to start would stop the upgrade halfway.
        migrator.set_ignore_missing(true);
        migrator
            .run(&self.writer)
            .await
            .map_err(|e| Error::Store(e.to_string()))?;
        self.backfill_email_skeletons().await
    }

    /// Gives rows older than the look-alike key theirs (SQL cannot compute a TR39 skeleton).
    async fn backfill_email_skeletons(&self) -> Result<()> {
        let rows = self
            .fetch_all(sqlx::query(
                "SELECT id, email FROM users WHERE email_skeleton IS NULL",
            ))
            .await?;
        for row in rows {
            let (id, email) = (rows::string(&row, "id")?, rows::string(&row, "email")?);
            self.exec(
                sqlx::query("UPDATE users SET email_skeleton = $1 WHERE id = $2")
                    .bind(email_skeleton(&email))
                    .bind(id),
            )
            .await?;
        }
        Ok(())
    }

    /// Drops a PostgreSQL schema (test clean-up).
    pub async fn drop_schema(&self, schema: &str) -> Result<()> {
        if self.engine == Engine::Postgres && valid_schema_name(schema) {
            self.writer
                .execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE").as_str())
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    async fn fetch_all<'q>(&self, q: Q<'q>) -> Result<Vec<AnyRow>> {
        q.fetch_all(&self.pool).await.map_err(db_err)
    }

    async fn fetch_optional<'q>(&self, q: Q<'q>) -> Result<Option<AnyRow>> {
        q.fetch_optional(&self.pool).await.map_err(db_err)
    }

    async fn write_optional<'q>(&self, q: Q<'q>) -> Result<Option<AnyRow>> {
        q.fetch_optional(&self.writer).await.map_err(db_err)
    }

    async fn exec<'q>(&self, q: Q<'q>) -> Result<u64> {
        q.execute(&self.writer)
            .await
            .map(|r| r.rows_affected())
            .map_err(db_err)
    }

    /// The `n` of a `SELECT COUNT(*) AS n …`.
    async fn count<'q>(&self, q: Q<'q>) -> Result<i64> {
        Ok(self
            .fetch_optional(q)
            .await?
            .map(|r| rows::opt_i64(&r, "n"))
            .transpose()?
            .flatten()
            .unwrap_or(0))
    }

    async fn session_clients(&self, id: &str) -> Result<Vec<String>> {
        let rows = self
            .fetch_all(
                sqlx::query("SELECT client_id FROM session_clients WHERE session_id = $1 ORDER BY client_id")
                    .bind(id.to_string()),
            )
            .await?;
        rows.iter().map(|r| rows::string(r, "client_id")).collect()
    }

    /// Runs the upsert or delete of a client's side-table row (logo, keys) with a configuration
    /// bump; whether the client exists.
    async fn set_client_side(&self, client_id: &str, upsert: bool, query: Q<'_>) -> Result<bool> {
        let n = self.write_tx(true, vec![query]).await?;
        if !upsert {
            return Ok(self.list_clients().await?.iter().any(|c| c.id == client_id));
        }
        Ok(n.first().copied().unwrap_or(0) > 0)
    }

    /// Runs statements in one write transaction, first bumping the configuration version when
    /// they change clients, APIs, grants or keys (so caches reload); returns rows affected each.
    async fn write_tx(&self, bump_version: bool, statements: Vec<Q<'_>>) -> Result<Vec<u64>> {
        let mut tx = self.writer.begin().await.map_err(db_err)?;
        if bump_version {
            sqlx::query(BUMP_VERSION)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            if self.engine == Engine::Postgres {
                // Delivered at commit to every node listening, so their caches reload at once.
                sqlx::query("SELECT pg_notify($1, '')")
                    .bind(self.channel.clone())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
            }
        }
        let mut affected = Vec::with_capacity(statements.len());
        for q in statements {
            affected.push(q.execute(&mut *tx).await.map_err(db_err)?.rows_affected());
        }
        tx.commit().await.map_err(db_err)?;
        Ok(affected)
    }

    /// Why a refresh token could not be spent: used before (`Replayed`) or not live (`Missing`).
    async fn spent_refresh_token(&self, digest: &str) -> Result<Spent<RefreshToken>> {
        let old = self
            .fetch_optional(
                sqlx::query(
                    "SELECT * FROM refresh_tokens WHERE digest = $1 AND used_at IS NOT NULL",
                )
                .bind(digest.to_string()),
            )
            .await?;
        match old {
            Some(row) => rows::refresh_token(&row).map(Spent::Replayed),
            None => Ok(Spent::Missing),
        }
    }

    async fn session_where(&self, column: &str, value: &str, now: i64) -> Result<Option<Session>> {
        let sql = format!(
            "SELECT * FROM sessions WHERE {column} = $1 AND revoked_at IS NULL AND expires_at > $2"
        );
        let Some(row) = self
            .fetch_optional(sqlx::query(&sql).bind(value.to_string()).bind(now))
            .await?
        else {
            return Ok(None);
        };
        let id = rows::string(&row, "id")?;
        let clients = self.session_clients(&id).await?;
        rows::session(&row, clients).map(Some)
    }
}

type Q<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Spends refresh token `$1` at `$2` if it is live; the spent row. One text for the plain spend
/// and PostgreSQL's one-statement rotation.
macro_rules! spend_refresh_sql {
    () => {
        "UPDATE refresh_tokens SET used_at = $2
         WHERE digest = $1 AND used_at IS NULL AND expires_at > $2
           AND family_id NOT IN (SELECT id FROM revoked_families)
         RETURNING digest, body, created_at, expires_at"
    };
}

pub(crate) fn spend_refresh<'q>(digest: &str, now: i64) -> Q<'q> {
    sqlx::query(spend_refresh_sql!())
        .bind(digest.to_string())
        .bind(now)
}

fn insert_refresh<'q>(t: &RefreshToken) -> Result<Q<'q>> {
    bind_refresh(
        sqlx::query(
            "INSERT INTO refresh_tokens (digest, family_id, session_id, client_id, user_id, body, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        ),
        t,
    )
}

/// Binds a refresh token's eight columns, in `insert_refresh`'s order, as the next parameters.
fn bind_refresh<'q>(q: Q<'q>, t: &RefreshToken) -> Result<Q<'q>> {
    Ok(q.bind(t.digest.clone())
        .bind(t.grant.family_id.clone())
        .bind(t.grant.session_id.clone())
        .bind(t.grant.client_id.clone())
        .bind(t.grant.user_id.clone())
        .bind(to_json(&t.grant)?)
        .bind(t.created_at)
        .bind(t.expires_at))
}

/// PostgreSQL's rotation as one statement: spends `old_digest` with `spend_refresh`'s text and,
/// only if that spent a row, inserts the successor and its access token record. A concurrent
/// rotation of the same token waits on the row lock, then finds it used and inserts nothing.
fn rotate_in_one<'q>(
    old_digest: &str,
    now: i64,
    next: &RefreshToken,
    access_jti: &str,
    access_expires_at: i64,
) -> Result<Q<'q>> {
    let q = sqlx::query(concat!(
        "WITH spent AS (",
        spend_refresh_sql!(),
        "), successor AS (
            INSERT INTO refresh_tokens (digest, family_id, session_id, client_id, user_id, body, created_at, expires_at)
            SELECT $3, $4, $5, $6, $7, $8, $9, $10 WHERE EXISTS (SELECT 1 FROM spent)
         ), access AS (
            INSERT INTO access_tokens (jti, family_id, expires_at)
            SELECT $11, $4, $12 WHERE EXISTS (SELECT 1 FROM spent)
         )
         SELECT digest, body, created_at, expires_at FROM spent"
    ))
    .bind(old_digest.to_string())
    .bind(now);
    Ok(bind_refresh(q, next)?
        .bind(access_jti.to_string())
        .bind(access_expires_at))
}

/// Stores a refresh token's successor and its access token record, and commits.
async fn commit_successor(
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    next: &RefreshToken,
    access_jti: &str,
    access_expires_at: i64,
) -> Result<()> {
    insert_refresh(next)?
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    insert_access(access_jti, &next.grant.family_id, access_expires_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    tx.commit().await.map_err(db_err)
}

fn insert_user<'q>(u: &User) -> Result<Q<'q>> {
    Ok(sqlx::query(
        "INSERT INTO users (id, email, email_verified, name, password_hash, blocked, created_at, last_login,
           user_metadata, app_metadata, email_skeleton)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(u.id.clone())
    .bind(normalize_email(&u.email))
    .bind(i64::from(u.email_verified))
    .bind(u.name.clone())
    .bind(u.password_hash.clone())
    .bind(i64::from(u.blocked))
    .bind(u.created_at)
    .bind(u.last_login)
    .bind(to_json(&u.user_metadata)?)
    .bind(to_json(&u.app_metadata)?)
    .bind(email_skeleton(&u.email)))
}

fn insert_factor<'q>(f: &Factor) -> Result<Q<'q>> {
    Ok(sqlx::query(
        "INSERT INTO factors (id, user_id, kind, name, secret_enc, target, credential_id, detail,
                              sign_count, last_step, active, created_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(f.id.clone())
    .bind(f.user_id.clone())
    .bind(f.kind.as_str())
    .bind(f.name.clone())
    .bind(f.secret_enc.clone())
    .bind(f.target.clone())
    .bind(f.credential_id.clone())
    .bind(to_json(&f.detail)?)
    .bind(f.sign_count)
    .bind(f.last_step)
    .bind(i64::from(f.active))
    .bind(f.created_at)
    .bind(f.last_used_at))
}

fn insert_access<'q>(jti: &str, family_id: &str, expires_at: i64) -> Q<'q> {
    sqlx::query("INSERT INTO access_tokens (jti, family_id, expires_at) VALUES ($1, $2, $3)")
        .bind(jti.to_string())
        .bind(family_id.to_string())
        .bind(expires_at)
}

/// Forwards the configuration channel's notifications until the receiver is gone; after a lost
/// connection (the next wait reconnects) it says `Resumed`, since notifications in between are
/// lost and only the counter tells.
async fn listen_config(url: String, channel: String, tx: tokio::sync::mpsc::Sender<ConfigSignal>) {
    let mut listener: Option<sqlx::postgres::PgListener> = None;
    loop {
        let l = match listener.as_mut() {
            Some(l) => l,
            None => match sqlx::postgres::PgListener::connect(&url).await {
                Ok(mut l) => match l.listen(&channel).await {
                    Ok(()) => {
                        // Anything may have changed while nobody listened.
                        if tx.send(ConfigSignal::Resumed).await.is_err() {
                            return;
                        }
                        listener.insert(l)
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "configuration listener could not LISTEN");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                },
                Err(e) => {
                    tracing::debug!(error = %e, "configuration listener cannot connect yet");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
        };
        let signal = match l.try_recv().await {
            Ok(Some(_)) => ConfigSignal::Changed,
            Ok(None) => {
                // Connect again ourselves, so `Resumed` comes once the listener is back.
                listener = None;
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "configuration listener lost its connection");
                listener = None;
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        // A full channel already holds a reload that will see this change too.
        match tx.try_send(signal) {
            Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => return,
            _ => continue,
        }
    }
}

const BUMP_VERSION: &str = "UPDATE meta SET config_version = config_version + 1 WHERE id = 1";

/// Rows one sweeping statement deletes at most: short transactions, short locks.
const SWEEP_BATCH: u64 = 500;

/// How long an expired lease row is kept (it is reused by its name anyway).
const LEASE_MEMORY: i64 = 86_400;

/// How long a browser stays known to the adaptive policy after its last multi-factor sign-in.
const AGENT_MEMORY: i64 = 365 * 86_400;

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> Result<()> {
        self.exec(sqlx::query("SELECT 1")).await.map(|_| ())
    }

    fn config_signals(&self) -> Option<tokio::sync::mpsc::Receiver<ConfigSignal>> {
        if self.engine != Engine::Postgres {
            return None;
        }
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        tokio::spawn(listen_config(self.url.clone(), self.channel.clone(), tx));
        Some(rx)
    }

    async fn count_hit(&self, key: &str, window_start: i64, expires_at: i64) -> Result<i64> {
        let row = self
            .write_optional(
                sqlx::query(
                    "INSERT INTO rate_windows (key, window_start, hits, expires_at) VALUES ($1, $2, 1, $3)
                     ON CONFLICT (key) DO UPDATE SET
                       hits = CASE WHEN rate_windows.window_start = excluded.window_start
                                   THEN rate_windows.hits + 1 ELSE 1 END,
                       window_start = excluded.window_start,
                       expires_at = excluded.expires_at
                     RETURNING hits",
                )
                .bind(key.to_string())
                .bind(window_start)
                .bind(expires_at),
            )
            .await?;
        row.map(|r| rows::opt_i64(&r, "hits"))
            .transpose()?
            .flatten()
            .ok_or_else(|| Error::Store("rate window not counted".into()))
    }

    async fn config_version(&self) -> Result<i64> {
        let row = self
            .fetch_optional(sqlx::query("SELECT config_version FROM meta WHERE id = 1"))
            .await?
            .ok_or_else(|| Error::Store("meta row missing".into()))?;
        rows::opt_i64(&row, "config_version").map(|v| v.unwrap_or(0))
    }

    async fn create_user(&self, u: &User) -> Result<()> {
        self.exec(insert_user(u)?).await.map(|_| ())
    }

    async fn users_page(
        &self,
        email: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<User>, i64)> {
        let email = email.map(|e| e.trim().to_lowercase());
        let filter = if email.is_some() {
            "WHERE email = $3"
        } else {
            ""
        };
        let page =
            format!("SELECT * FROM users {filter} ORDER BY created_at, id LIMIT $1 OFFSET $2");
        let mut q = sqlx::query(&page).bind(limit).bind(offset);
        let count_sql = format!(
            "SELECT COUNT(*) AS n FROM users {}",
            filter.replace("$3", "$1")
        );
        let mut count = sqlx::query(&count_sql);
        if let Some(e) = &email {
            q = q.bind(e.clone());
            count = count.bind(e.clone());
        }
        let users = self
            .fetch_all(q)
            .await?
            .iter()
            .map(rows::user)
            .collect::<Result<Vec<_>>>()?;
        let total = self.count(count).await?;
        Ok((users, total))
    }

    async fn update_user(&self, u: &User) -> Result<bool> {
        let n = self
            .exec(
                sqlx::query(
                    "UPDATE users SET email = $1, email_verified = $2, name = $3, password_hash = $4,
                       blocked = $5, user_metadata = $6, app_metadata = $7, email_skeleton = $9
                     WHERE id = $8",
                )
                .bind(normalize_email(&u.email))
                .bind(i64::from(u.email_verified))
                .bind(u.name.clone())
                .bind(u.password_hash.clone())
                .bind(i64::from(u.blocked))
                .bind(to_json(&u.user_metadata)?)
                .bind(to_json(&u.app_metadata)?)
                .bind(u.id.clone())
                .bind(email_skeleton(&u.email)),
            )
            .await?;
        Ok(n > 0)
    }

    async fn user_by_id(&self, id: &str) -> Result<Option<User>> {
        self.fetch_optional(sqlx::query("SELECT * FROM users WHERE id = $1").bind(id.to_string()))
            .await?
            .as_ref()
            .map(rows::user)
            .transpose()
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        self.fetch_optional(
            sqlx::query("SELECT * FROM users WHERE email = $1").bind(normalize_email(email)),
        )
        .await?
        .as_ref()
        .map(rows::user)
        .transpose()
    }

    async fn user_look_alike(&self, email: &str) -> Result<Option<User>> {
        self.fetch_optional(
            sqlx::query(
                "SELECT * FROM users WHERE email_skeleton = $1 AND email <> $2 ORDER BY created_at LIMIT 1",
            )
            .bind(email_skeleton(email))
            .bind(normalize_email(email)),
        )
        .await?
        .as_ref()
        .map(rows::user)
        .transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        let rows = self
            .fetch_all(sqlx::query("SELECT * FROM users ORDER BY created_at, id"))
            .await?;
        rows.iter().map(rows::user).collect()
    }

    async fn delete_user(&self, id: &str) -> Result<bool> {
        let n = self
            .write_tx(
                false,
                vec![
                    sqlx::query("DELETE FROM users WHERE id = $1").bind(id.to_string()),
                    sqlx::query("DELETE FROM refresh_tokens WHERE user_id = $1")
                        .bind(id.to_string()),
                ],
            )
            .await?;
        Ok(n[0] > 0)
    }

    async fn set_last_login(&self, id: &str, at: i64) -> Result<()> {
        self.write_tx(
            false,
            vec![
                sqlx::query("UPDATE users SET last_login = $1 WHERE id = $2")
                    .bind(at)
                    .bind(id.to_string()),
                sqlx::query(
                    "INSERT INTO user_logins (user_id, count) SELECT id, 1 FROM users WHERE id = $1
                     ON CONFLICT (user_id) DO UPDATE SET count = user_logins.count + 1",
                )
                .bind(id.to_string()),
            ],
        )
        .await
        .map(|_| ())
    }

    async fn create_client(&self, c: &Client) -> Result<()> {
        let insert = sqlx::query(
            "INSERT INTO clients (id, name, secret_digest, redirect_uris, post_logout_redirect_uris,
               grant_types, backchannel_logout_uri, first_party, signing_alg, created_at, policy)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(c.id.clone())
        .bind(c.name.clone())
        .bind(c.secret_digest.clone())
        .bind(to_json(&c.redirect_uris)?)
        .bind(to_json(&c.post_logout_redirect_uris)?)
        .bind(to_json(&c.grant_types)?)
        .bind(c.backchannel_logout_uri.clone())
        .bind(i64::from(c.first_party))
        .bind(c.signing_alg.clone())
        .bind(c.created_at)
        .bind(to_json(&c.policy)?);
        self.write_tx(true, vec![insert]).await.map(|_| ())
    }

    async fn list_clients(&self) -> Result<Vec<Client>> {
        let rows = self
            .fetch_all(sqlx::query("SELECT * FROM clients ORDER BY created_at, id"))
            .await?;
        rows.iter().map(rows::client).collect()
    }

    async fn delete_client(&self, id: &str) -> Result<bool> {
        let n = self
            .write_tx(
                true,
                vec![
                    sqlx::query("DELETE FROM clients WHERE id = $1").bind(id.to_string()),
                    sqlx::query("DELETE FROM refresh_tokens WHERE client_id = $1")
                        .bind(id.to_string()),
                ],
            )
            .await?;
        Ok(n[0] > 0)
    }

    async fn update_client(&self, c: &Client) -> Result<bool> {
        let update = sqlx::query(
            "UPDATE clients SET name = $1, secret_digest = $2, redirect_uris = $3,
               post_logout_redirect_uris = $4, grant_types = $5, backchannel_logout_uri = $6,
               first_party = $7, signing_alg = $8, policy = $9
             WHERE id = $10",
        )
        .bind(c.name.clone())
        .bind(c.secret_digest.clone())
        .bind(to_json(&c.redirect_uris)?)
        .bind(to_json(&c.post_logout_redirect_uris)?)
        .bind(to_json(&c.grant_types)?)
        .bind(c.backchannel_logout_uri.clone())
        .bind(i64::from(c.first_party))
        .bind(c.signing_alg.clone())
        .bind(to_json(&c.policy)?)
        .bind(c.id.clone());
        Ok(self.write_tx(true, vec![update]).await?[0] > 0)
    }

    async fn update_api(&self, a: &Api) -> Result<bool> {
        let update = sqlx::query(
            "UPDATE apis SET name = $1, scopes = $2, token_ttl = $3, policy = $4, signing_alg = $6
             WHERE id = $5",
        )
        .bind(a.name.clone())
        .bind(to_json(&a.scopes)?)
        .bind(a.token_ttl)
        .bind(to_json(&a.policy)?)
        .bind(a.id.clone())
        .bind(a.signing_alg.clone());
        Ok(self.write_tx(true, vec![update]).await?[0] > 0)
    }

    async fn delete_api(&self, id: &str) -> Result<bool> {
        let n = self
            .write_tx(
                true,
                vec![
                    sqlx::query(
                        "DELETE FROM client_grants WHERE audience IN (SELECT identifier FROM apis WHERE id = $1)",
                    )
                    .bind(id.to_string()),
                    sqlx::query("DELETE FROM apis WHERE id = $1").bind(id.to_string()),
                ],
            )
            .await?;
        Ok(n[1] > 0)
    }

    async fn delete_client_grant(&self, client_id: &str, audience: &str) -> Result<bool> {
        let delete =
            sqlx::query("DELETE FROM client_grants WHERE client_id = $1 AND audience = $2")
                .bind(client_id.to_string())
                .bind(audience.to_string());
        Ok(self.write_tx(true, vec![delete]).await?[0] > 0)
    }

    async fn set_client_policy(&self, id: &str, policy: &PolicyOverrides) -> Result<bool> {
        let update = sqlx::query("UPDATE clients SET policy = $1 WHERE id = $2")
            .bind(to_json(policy)?)
            .bind(id.to_string());
        Ok(self.write_tx(true, vec![update]).await?[0] > 0)
    }

    async fn set_api_policy(&self, identifier: &str, policy: &PolicyOverrides) -> Result<bool> {
        let update = sqlx::query("UPDATE apis SET policy = $1 WHERE identifier = $2")
            .bind(to_json(policy)?)
            .bind(identifier.to_string());
        Ok(self.write_tx(true, vec![update]).await?[0] > 0)
    }

    async fn create_api(&self, a: &Api) -> Result<()> {
        let insert = sqlx::query(
            "INSERT INTO apis (id, identifier, name, scopes, token_ttl, created_at, policy, signing_alg)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(a.id.clone())
        .bind(a.identifier.clone())
        .bind(a.name.clone())
        .bind(to_json(&a.scopes)?)
        .bind(a.token_ttl)
        .bind(a.created_at)
        .bind(to_json(&a.policy)?)
        .bind(a.signing_alg.clone());
        self.write_tx(true, vec![insert]).await.map(|_| ())
    }

    async fn list_apis(&self) -> Result<Vec<Api>> {
        let rows = self
            .fetch_all(sqlx::query("SELECT * FROM apis ORDER BY created_at, id"))
            .await?;
        rows.iter().map(rows::api).collect()
    }

    async fn put_client_grant(&self, g: &ClientGrant) -> Result<()> {
        let upsert = sqlx::query(
            "INSERT INTO client_grants (client_id, audience, scopes) VALUES ($1, $2, $3)
             ON CONFLICT (client_id, audience) DO UPDATE SET scopes = excluded.scopes",
        )
        .bind(g.client_id.clone())
        .bind(g.audience.clone())
        .bind(to_json(&g.scopes)?);
        self.write_tx(true, vec![upsert]).await.map(|_| ())
    }

    async fn create_client_grant(&self, g: &ClientGrant) -> Result<()> {
        let insert = sqlx::query(
            "INSERT INTO client_grants (client_id, audience, scopes) VALUES ($1, $2, $3)",
        )
        .bind(g.client_id.clone())
        .bind(g.audience.clone())
        .bind(to_json(&g.scopes)?);
        self.write_tx(true, vec![insert]).await.map(|_| ())
    }

    async fn list_client_grants(&self) -> Result<Vec<ClientGrant>> {
        let rows = self
            .fetch_all(sqlx::query(
                "SELECT * FROM client_grants ORDER BY client_id, audience",
            ))
            .await?;
        rows.iter().map(rows::client_grant).collect()
    }

    async fn rotate_signing_key(&self, k: &SigningKeyRecord, at: i64) -> Result<()> {
        let retire = sqlx::query(
            "UPDATE signing_keys SET retired_at = $1 WHERE alg = $2 AND retired_at IS NULL",
        )
        .bind(at)
        .bind(k.alg.clone());
        let insert = sqlx::query(
            "INSERT INTO signing_keys (kid, alg, private_encrypted, created_at, retired_at)
             VALUES ($1, $2, $3, $4, NULL)",
        )
        .bind(k.kid.clone())
        .bind(k.alg.clone())
        .bind(k.private_encrypted.clone())
        .bind(k.created_at);
        self.write_tx(true, vec![retire, insert]).await.map(|_| ())
    }

    async fn list_signing_keys(&self) -> Result<Vec<SigningKeyRecord>> {
        let rows = self
            .fetch_all(sqlx::query(
                "SELECT * FROM signing_keys ORDER BY created_at DESC, kid",
            ))
            .await?;
        rows.iter().map(rows::signing_key).collect()
    }

    async fn purge_signing_keys(&self, before: i64) -> Result<u64> {
        let delete = sqlx::query(
            "DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < $1",
        )
        .bind(before);
        Ok(self.write_tx(true, vec![delete]).await?[0])
    }

    async fn create_session(&self, s: &Session, token_digest: &str) -> Result<()> {
        self.exec(
            sqlx::query(
                "INSERT INTO sessions (id, token_digest, user_id, created_at, auth_time, acr, amr, expires_at, proofs, user_agent, ip, last_seen_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(s.id.clone())
            .bind(token_digest.to_string())
            .bind(s.user_id.clone())
            .bind(s.created_at)
            .bind(s.auth_time)
            .bind(s.acr.clone())
            .bind(to_json(&s.amr)?)
            .bind(s.expires_at)
            .bind(to_json(&s.proofs)?)
            .bind(s.user_agent.clone())
            .bind(s.ip.clone())
            .bind(s.last_seen_at),
        )
        .await
        .map(|_| ())
    }

    async fn session_by_token(&self, token_digest: &str, now: i64) -> Result<Option<Session>> {
        self.session_where("token_digest", token_digest, now).await
    }

    async fn session_by_id(&self, id: &str, now: i64) -> Result<Option<Session>> {
        self.session_where("id", id, now).await
    }

    async fn add_session_client(&self, id: &str, client_id: &str) -> Result<()> {
        self.exec(
            sqlx::query(
                "INSERT INTO session_clients (session_id, client_id) VALUES ($1, $2)
                 ON CONFLICT (session_id, client_id) DO NOTHING",
            )
            .bind(id.to_string())
            .bind(client_id.to_string()),
        )
        .await
        .map(|_| ())
    }

    async fn reauthenticate_session(&self, s: &Session, token_digest: &str) -> Result<()> {
        let n = self
            .exec(
                sqlx::query(
                    "UPDATE sessions SET token_digest = $2, auth_time = $3, acr = $4, amr = $5, proofs = $6
                     WHERE id = $1 AND revoked_at IS NULL",
                )
                .bind(s.id.clone())
                .bind(token_digest.to_string())
                .bind(s.auth_time)
                .bind(s.acr.clone())
                .bind(to_json(&s.amr)?)
                .bind(to_json(&s.proofs)?),
            )
            .await?;
        if n == 0 {
            return Err(Error::NotFound(format!("session {}", s.id)));
        }
        Ok(())
    }

    async fn revoke_session(&self, id: &str, at: i64) -> Result<()> {
        let end =
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at)
                .bind(id.to_string());
        let families = sqlx::query(
            "INSERT INTO revoked_families (id, revoked_at)
             SELECT DISTINCT family_id, $1 FROM refresh_tokens WHERE session_id = $2
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(at)
        .bind(id.to_string());
        self.write_tx(false, vec![end, families]).await.map(|_| ())
    }

    async fn put_pending(&self, p: &PendingAuthorization) -> Result<()> {
        self.exec(
            sqlx::query(
                "INSERT INTO pending_authorizations (id, request, expires_at) VALUES ($1, $2, $3)",
            )
            .bind(p.id.clone())
            .bind(to_json(&p.request)?)
            .bind(p.expires_at),
        )
        .await
        .map(|_| ())
    }

    async fn pending(&self, id: &str, now: i64) -> Result<Option<PendingAuthorization>> {
        self.fetch_optional(
            sqlx::query(
                "SELECT * FROM pending_authorizations WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
            )
            .bind(id.to_string())
            .bind(now),
        )
        .await?
        .as_ref()
        .map(rows::pending)
        .transpose()
    }

    async fn take_pending(&self, id: &str, now: i64) -> Result<Option<PendingAuthorization>> {
        self.write_optional(
            sqlx::query(
                "UPDATE pending_authorizations SET used_at = $2
                 WHERE id = $1 AND used_at IS NULL AND expires_at > $2
                 RETURNING id, request, expires_at",
            )
            .bind(id.to_string())
            .bind(now),
        )
        .await?
        .as_ref()
        .map(rows::pending)
        .transpose()
    }

    async fn create_code(&self, c: &AuthCode) -> Result<()> {
        self.exec(
            sqlx::query("INSERT INTO auth_codes (digest, body, expires_at) VALUES ($1, $2, $3)")
                .bind(c.digest.clone())
                .bind(to_json(c)?)
                .bind(c.expires_at),
        )
        .await
        .map(|_| ())
    }

    async fn spend_code(&self, digest: &str, now: i64) -> Result<Spent<AuthCode>> {
        let fresh = self
            .write_optional(
                sqlx::query(
                    "UPDATE auth_codes SET used_at = $2 WHERE digest = $1 AND used_at IS NULL
                     RETURNING body",
                )
                .bind(digest.to_string())
                .bind(now),
            )
            .await?;
        if let Some(row) = fresh {
            return Ok(Spent::Fresh(from_json(&rows::string(&row, "body")?)?));
        }
        let old = self
            .fetch_optional(
                sqlx::query("SELECT body FROM auth_codes WHERE digest = $1")
                    .bind(digest.to_string()),
            )
            .await?;
        match old {
            Some(row) => Ok(Spent::Replayed(from_json(&rows::string(&row, "body")?)?)),
            None => Ok(Spent::Missing),
        }
    }

    async fn create_refresh_token(&self, t: &RefreshToken) -> Result<()> {
        self.exec(insert_refresh(t)?).await.map(|_| ())
    }

    async fn raise_refresh_token(&self, digest: &str, grant: &GrantContext) -> Result<bool> {
        Ok(self
            .exec(
                sqlx::query(
                    "UPDATE refresh_tokens SET body = $2 WHERE digest = $1 AND used_at IS NULL",
                )
                .bind(digest.to_string())
                .bind(to_json(grant)?),
            )
            .await?
            == 1)
    }

    async fn spend_refresh_token(&self, digest: &str, now: i64) -> Result<Spent<RefreshToken>> {
        let fresh = self.write_optional(spend_refresh(digest, now)).await?;
        match fresh {
            Some(row) => rows::refresh_token(&row).map(Spent::Fresh),
            None => self.spent_refresh_token(digest).await,
        }
    }

    async fn rotate_refresh_token(
        &self,
        old_digest: &str,
        now: i64,
        next: &RefreshToken,
        access_jti: &str,
        access_expires_at: i64,
    ) -> Result<Spent<RefreshToken>> {
        if let Some(queue) = &self.rotations {
            let (reply, answer) = tokio::sync::oneshot::channel();
            let stopped = || Error::Store("the rotation committer has stopped".into());
            queue
                .send(crate::group::Rotation {
                    old_digest: old_digest.to_string(),
                    now,
                    next: next.clone(),
                    access_jti: access_jti.to_string(),
                    access_expires_at,
                    reply,
                })
                .await
                .map_err(|_| stopped())?;
            return match answer.await.map_err(|_| stopped())?? {
                Some(row) => rows::refresh_token(&row).map(Spent::Fresh),
                None => self.spent_refresh_token(old_digest).await,
            };
        }
        // One statement is one round trip and its own transaction: spending the old token and
        // storing both successors commit together or not at all.
        let fresh = self
            .write_optional(rotate_in_one(
                old_digest,
                now,
                next,
                access_jti,
                access_expires_at,
            )?)
            .await?;
        match fresh {
            Some(row) => rows::refresh_token(&row).map(Spent::Fresh),
            None => self.spent_refresh_token(old_digest).await,
        }
    }

    async fn reissue_refresh_token(
        &self,
        old_digest: &str,
        used_since: i64,
        now: i64,
        next: &RefreshToken,
        access_jti: &str,
        access_expires_at: i64,
    ) -> Result<bool> {
        let mut tx = self.writer.begin().await.map_err(db_err)?;
        let recent = sqlx::query(
            "SELECT digest FROM refresh_tokens
             WHERE digest = $1 AND used_at IS NOT NULL AND used_at >= $2 AND expires_at > $3
               AND family_id NOT IN (SELECT id FROM revoked_families)",
        )
        .bind(old_digest.to_string())
        .bind(used_since)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        if recent.is_none() {
            return Ok(false);
        }
        commit_successor(tx, next, access_jti, access_expires_at).await?;
        Ok(true)
    }

    async fn revoke_family(&self, family_id: &str, at: i64) -> Result<()> {
        self.exec(
            sqlx::query(
                "INSERT INTO revoked_families (id, revoked_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            )
            .bind(family_id.to_string())
            .bind(at),
        )
        .await
        .map(|_| ())
    }

    async fn family_revoked(&self, family_id: &str) -> Result<bool> {
        Ok(self
            .fetch_optional(
                sqlx::query("SELECT id FROM revoked_families WHERE id = $1")
                    .bind(family_id.to_string()),
            )
            .await?
            .is_some())
    }

    async fn refresh_token_grant(&self, digest: &str, now: i64) -> Result<Option<RefreshToken>> {
        self.fetch_optional(
            sqlx::query(
                "SELECT * FROM refresh_tokens WHERE digest = $1 AND used_at IS NULL AND expires_at > $2
                   AND family_id NOT IN (SELECT id FROM revoked_families)",
            )
            .bind(digest.to_string())
            .bind(now),
        )
        .await?
        .as_ref()
        .map(rows::refresh_token)
        .transpose()
    }

    async fn record_access_token(&self, jti: &str, family_id: &str, expires_at: i64) -> Result<()> {
        self.exec(insert_access(jti, family_id, expires_at))
            .await
            .map(|_| ())
    }

    async fn revoke_access_token(&self, jti: &str, at: i64) -> Result<()> {
        self.exec(
            sqlx::query(
                "UPDATE access_tokens SET revoked_at = $1 WHERE jti = $2 AND revoked_at IS NULL",
            )
            .bind(at)
            .bind(jti.to_string()),
        )
        .await
        .map(|_| ())
    }

    async fn access_token_revoked(&self, jti: &str) -> Result<bool> {
        Ok(self
            .fetch_optional(
                sqlx::query(
                    "SELECT a.jti FROM access_tokens a
                     WHERE a.jti = $1 AND (a.revoked_at IS NOT NULL
                       OR a.family_id IN (SELECT id FROM revoked_families))",
                )
                .bind(jti.to_string()),
            )
            .await?
            .is_some())
    }

    async fn append_audit(&self, e: &AuditEvent, link: &AuditLink, head: &AuditSeal) -> Result<()> {
        let insert = sqlx::query(
            "INSERT INTO audit_events (at, kind, user_id, client_id, ip, user_agent, detail, seq, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(e.at)
        .bind(e.kind.clone())
        .bind(e.user_id.clone())
        .bind(e.client_id.clone())
        .bind(e.ip.clone())
        .bind(e.user_agent.clone())
        .bind(to_json(&e.detail)?)
        .bind(link.seq)
        .bind(link.prev_hash.clone())
        .bind(link.hash.clone());
        // The head only moves forward, whatever order transactions commit in.
        let seal = sqlx::query(
            "INSERT INTO audit_seal (id, seq, hash, seal) VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, seal = excluded.seal
             WHERE audit_seal.seq < excluded.seq",
        )
        .bind(head.seq)
        .bind(head.hash.clone())
        .bind(head.seal.clone());
        self.write_tx(false, vec![insert, seal]).await.map(|_| ())
    }

    async fn audit_seal(&self) -> Result<Option<AuditSeal>> {
        self.fetch_optional(sqlx::query(
            "SELECT seq, hash, seal FROM audit_seal WHERE id = 1",
        ))
        .await?
        .as_ref()
        .map(|r| {
            Ok(AuditSeal {
                seq: rows::opt_i64(r, "seq")?.unwrap_or_default(),
                hash: rows::string(r, "hash")?,
                seal: rows::string(r, "seal")?,
            })
        })
        .transpose()
    }

    async fn audit_head(&self) -> Result<Option<AuditLink>> {
        let row = self
            .fetch_optional(sqlx::query(
                "SELECT seq, prev_hash, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
            ))
            .await?;
        if let Some(row) = row {
            return rows::audit_link(&row);
        }
        Ok(self.audit_checkpoint().await?.map(|c| AuditLink {
            seq: c.seq,
            prev_hash: String::new(),
            hash: c.hash,
        }))
    }

    async fn audit_rows(&self, after_id: i64, limit: i64) -> Result<Vec<ChainedEvent>> {
        let rows = self
            .fetch_all(
                sqlx::query("SELECT * FROM audit_events WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after_id)
                    .bind(limit),
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ChainedEvent {
                    id: rows::opt_i64(r, "id")?.unwrap_or_default(),
                    link: rows::audit_link(r)?,
                    event: rows::audit(r)?,
                })
            })
            .collect()
    }

    async fn audit_checkpoint(&self) -> Result<Option<AuditCheckpoint>> {
        self.fetch_optional(sqlx::query("SELECT * FROM audit_checkpoint WHERE id = 1"))
            .await?
            .as_ref()
            .map(rows::audit_checkpoint)
            .transpose()
    }

    async fn prune_audit(&self, c: &AuditCheckpoint) -> Result<u64> {
        let n = self
            .write_tx(
                false,
                vec![
                    sqlx::query(
                        "INSERT INTO audit_checkpoint (id, seq, hash, at, seal) VALUES (1, $1, $2, $3, $4)
                         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,
                           at = excluded.at, seal = excluded.seal",
                    )
                    .bind(c.seq)
                    .bind(c.hash.clone())
                    .bind(c.at)
                    .bind(c.seal.clone()),
                    sqlx::query("DELETE FROM audit_events WHERE seq <= $1 OR seq IS NULL").bind(c.seq),
                ],
            )
            .await?;
        Ok(n[1])
    }

    async fn search_audit(&self, query: &AuditQuery) -> Result<(Vec<LoggedEvent>, i64)> {
        let mut conditions = Vec::new();
        let mut text = Vec::new();
        let mut numbers = Vec::new();
        if let Some(u) = &query.user_id {
            text.push(u.clone());
            conditions.push(format!("user_id = ${}", text.len()));
        }
        if let Some(k) = &query.kind {
            text.push(k.clone());
            conditions.push(if k.ends_with('.') {
                format!("substr(kind, 1, {}) = ${}", k.chars().count(), text.len())
            } else {
                format!("kind = ${}", text.len())
            });
        }
        for (bound, op) in [
            (query.id, "id ="),
            (query.before_id, "id <"),
            (query.from, "at >="),
            (query.to, "at <"),
        ] {
            if let Some(t) = bound {
                numbers.push(t);
                conditions.push(format!("{op} ${}", text.len() + numbers.len()));
            }
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let n = text.len() + numbers.len();
        let page_sql = format!(
            "SELECT * FROM audit_events {filter} ORDER BY id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let count_sql = format!("SELECT COUNT(*) AS n FROM audit_events {filter}");
        let mut page = sqlx::query(&page_sql);
        let mut count = sqlx::query(&count_sql);
        for t in &text {
            page = page.bind(t.clone());
            count = count.bind(t.clone());
        }
        for v in &numbers {
            page = page.bind(*v);
            count = count.bind(*v);
        }
        page = page.bind(query.limit).bind(query.offset);
        let events = self
            .fetch_all(page)
            .await?
            .iter()
            .map(|r| {
                Ok(LoggedEvent {
                    id: rows::opt_i64(r, "id")?.unwrap_or_default(),
                    event: rows::audit(r)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let total = self.count(count).await?;
        Ok((events, total))
    }

    async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEvent>> {
        let rows = self
            .fetch_all(
                sqlx::query("SELECT * FROM audit_events ORDER BY id DESC LIMIT $1").bind(limit),
            )
            .await?;
        rows.iter().map(rows::audit).collect()
    }

    async fn sweep_expired(
        &self,
        now: i64,
        forget_failures_before: i64,
        budget: u64,
    ) -> Result<u64> {
        // Spent codes are kept until expiry so a replay is still recognised (and punished).
        // A revoked family goes once no token of it is left to check against it.
        // (table, its key, what has gone stale, the bound in it)
        let sweeps: [(&str, &str, &str, i64); 13] = [
            ("pending_authorizations", "id", "expires_at <= $1", now),
            ("auth_codes", "digest", "expires_at <= $1", now),
            ("refresh_tokens", "digest", "expires_at <= $1", now),
            ("access_tokens", "jti", "expires_at <= $1", now),
            ("sessions", "id", "expires_at <= $1", now),
            ("otp_codes", "id", "expires_at <= $1", now),
            ("flows", "id", "expires_at <= $1", now),
            ("devices", "id", "expires_at <= $1", now),
            ("rate_windows", "key", "expires_at <= $1", now),
            ("failures", "key", "last_at <= $1", forget_failures_before),
            // A browser not seen for a year is new again.
            (
                "seen_agents",
                "user_id, digest",
                "last_seen_at <= $1",
                now - AGENT_MEMORY,
            ),
            ("leases", "name", "expires_at <= $1", now - LEASE_MEMORY),
            (
                "revoked_families",
                "id",
                "revoked_at <= $1
                 AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.family_id = revoked_families.id)
                 AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.family_id = revoked_families.id)",
                now,
            ),
        ];
        let mut total = 0;
        for (table, key, condition, bound) in sweeps {
            let sql = format!(
                "DELETE FROM {table} WHERE ({key}) IN
                   (SELECT {key} FROM {table} WHERE {condition} LIMIT {SWEEP_BATCH})"
            );
            loop {
                if total >= budget {
                    return Ok(total);
                }
                let gone = self.exec(sqlx::query(&sql).bind(bound)).await?;
                total += gone;
                if gone < SWEEP_BATCH {
                    break;
                }
            }
        }
        Ok(total)
    }

    async fn take_lease(&self, name: &str, holder: &str, now: i64, until: i64) -> Result<bool> {
        let row = self
            .write_optional(
                sqlx::query(
                    "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $4)
                     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                     WHERE leases.holder = excluded.holder OR leases.expires_at <= $3
                     RETURNING holder",
                )
                .bind(name.to_string())
                .bind(holder.to_string())
                .bind(now)
                .bind(until),
            )
            .await?;
        Ok(row.is_some())
    }

    async fn create_factor(&self, f: &Factor) -> Result<()> {
        self.exec(insert_factor(f)?).await.map(|_| ())
    }

    async fn factors(&self, user_id: &str) -> Result<Vec<Factor>> {
        let rows = self
            .fetch_all(
                sqlx::query("SELECT * FROM factors WHERE user_id = $1 ORDER BY created_at, id")
                    .bind(user_id.to_string()),
            )
            .await?;
        rows.iter().map(rows::factor).collect()
    }

    async fn factor(&self, id: &str) -> Result<Option<Factor>> {
        self.fetch_optional(sqlx::query("SELECT * FROM factors WHERE id = $1").bind(id.to_string()))
            .await?
            .as_ref()
            .map(rows::factor)
            .transpose()
    }

    async fn factor_by_credential(&self, credential_id: &str) -> Result<Option<Factor>> {
        self.fetch_optional(
            sqlx::query("SELECT * FROM factors WHERE credential_id = $1")
                .bind(credential_id.to_string()),
        )
        .await?
        .as_ref()
        .map(rows::factor)
        .transpose()
    }

    async fn rename_factor(&self, user_id: &str, id: &str, name: &str) -> Result<bool> {
        let n = self
            .exec(
                sqlx::query("UPDATE factors SET name = $3 WHERE id = $1 AND user_id = $2")
                    .bind(id.to_string())
                    .bind(user_id.to_string())
                    .bind(name.to_string()),
            )
            .await?;
        Ok(n > 0)
    }

    async fn delete_factor(&self, user_id: &str, id: &str) -> Result<bool> {
        let n = self
            .exec(
                sqlx::query("DELETE FROM factors WHERE id = $1 AND user_id = $2")
                    .bind(id.to_string())
                    .bind(user_id.to_string()),
            )
            .await?;
        Ok(n > 0)
    }

    async fn touch_factor(&self, id: &str, at: i64) -> Result<()> {
        self.exec(
            sqlx::query("UPDATE factors SET last_used_at = $2, active = 1 WHERE id = $1")
                .bind(id.to_string())
                .bind(at),
        )
        .await
        .map(|_| ())
    }

    async fn use_totp_step(&self, id: &str, step: i64, at: i64) -> Result<bool> {
        let n = self
            .exec(
                sqlx::query(
                    "UPDATE factors SET last_step = $2, last_used_at = $3, active = 1
                     WHERE id = $1 AND (last_step IS NULL OR last_step < $2)",
                )
                .bind(id.to_string())
                .bind(step)
                .bind(at),
            )
            .await?;
        Ok(n > 0)
    }

    async fn update_webauthn_factor(
        &self,
        id: &str,
        old_count: i64,
        new_count: i64,
        secret_enc: &[u8],
        detail: &serde_json::Value,
        at: i64,
    ) -> Result<bool> {
        let n = self
            .exec(
                sqlx::query(
                    "UPDATE factors SET sign_count = $3, secret_enc = $4, detail = $5, last_used_at = $6, active = 1
                     WHERE id = $1 AND sign_count = $2",
                )
                .bind(id.to_string())
                .bind(old_count)
                .bind(new_count)
                .bind(secret_enc.to_vec())
                .bind(to_json(detail)?)
                .bind(at),
            )
            .await?;
        Ok(n > 0)
    }

    async fn replace_recovery_codes(
        &self,
        user_id: &str,
        digests: &[String],
        at: i64,
    ) -> Result<()> {
        let mut statements = vec![
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id.to_string()),
        ];
        for d in digests {
            statements.push(
                sqlx::query(
                    "INSERT INTO recovery_codes (user_id, digest, created_at) VALUES ($1, $2, $3)",
                )
                .bind(user_id.to_string())
                .bind(d.clone())
                .bind(at),
            );
        }
        self.write_tx(false, statements).await.map(|_| ())
    }

    async fn use_recovery_code(&self, user_id: &str, digest: &str, at: i64) -> Result<bool> {
        let n = self
            .exec(
                sqlx::query(
                    "UPDATE recovery_codes SET used_at = $3
                     WHERE user_id = $1 AND digest = $2 AND used_at IS NULL",
                )
                .bind(user_id.to_string())
                .bind(digest.to_string())
                .bind(at),
            )
            .await?;
        Ok(n > 0)
    }

    async fn recovery_codes_left(&self, user_id: &str) -> Result<i64> {
        let row = self
            .fetch_optional(
                sqlx::query(
                    "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
                )
                .bind(user_id.to_string()),
            )
            .await?;
        row.map(|r| rows::count(&r))
            .transpose()
            .map(|n| n.unwrap_or(0))
    }

    async fn put_otp(&self, c: &OneTimeCode) -> Result<()> {
        let clear = sqlx::query("DELETE FROM otp_codes WHERE purpose = $1 AND destination = $2")
            .bind(c.purpose.clone())
            .bind(c.destination.clone());
        let insert = sqlx::query(
            "INSERT INTO otp_codes (id, user_id, purpose, channel, destination, digest, attempts, data, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(c.id.clone())
        .bind(c.user_id.clone())
        .bind(c.purpose.clone())
        .bind(c.channel.clone())
        .bind(c.destination.clone())
        .bind(c.digest.clone())
        .bind(c.attempts)
        .bind(to_json(&c.data)?)
        .bind(c.created_at)
        .bind(c.expires_at);
        self.write_tx(false, vec![clear, insert]).await.map(|_| ())
    }

    async fn otp_attempt(
        &self,
        id: &str,
        now: i64,
        max_attempts: i64,
    ) -> Result<Option<OneTimeCode>> {
        self.write_optional(
            sqlx::query(
                "UPDATE otp_codes SET attempts = attempts + 1
                 WHERE id = $1 AND used_at IS NULL AND expires_at > $2 AND attempts < $3
                 RETURNING id, user_id, purpose, channel, destination, digest, attempts, data, created_at, expires_at",
            )
            .bind(id.to_string())
            .bind(now)
            .bind(max_attempts),
        )
        .await?
        .as_ref()
        .map(rows::otp)
        .transpose()
    }

    async fn spend_otp(&self, id: &str, now: i64) -> Result<bool> {
        let n = self
            .exec(
                sqlx::query(
                    "UPDATE otp_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(id.to_string())
                .bind(now),
            )
            .await?;
        Ok(n > 0)
    }

    async fn spend_otp_by_digest(&self, digest: &str, now: i64) -> Result<Option<OneTimeCode>> {
        self.write_optional(
            sqlx::query(
                "UPDATE otp_codes SET used_at = $2
                 WHERE digest = $1 AND used_at IS NULL AND expires_at > $2
                 RETURNING id, user_id, purpose, channel, destination, digest, attempts, data, created_at, expires_at",
            )
            .bind(digest.to_string())
            .bind(now),
        )
        .await?
        .as_ref()
        .map(rows::otp)
        .transpose()
    }

    async fn put_flow(&self, f: &Flow) -> Result<()> {
        self.exec(
            sqlx::query(
                "INSERT INTO flows (id, kind, user_id, data, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(f.id.clone())
            .bind(f.kind.clone())
            .bind(f.user_id.clone())
            .bind(to_json(&f.data)?)
            .bind(f.expires_at),
        )
        .await
        .map(|_| ())
    }

    async fn flow(&self, id: &str, now: i64) -> Result<Option<Flow>> {
        self.fetch_optional(
            sqlx::query("SELECT * FROM flows WHERE id = $1 AND expires_at > $2")
                .bind(id.to_string())
                .bind(now),
        )
        .await?
        .as_ref()
        .map(rows::flow)
        .transpose()
    }

    async fn update_flow(&self, id: &str, data: &serde_json::Value, now: i64) -> Result<bool> {
        let n = self
            .exec(
                sqlx::query("UPDATE flows SET data = $2 WHERE id = $1 AND expires_at > $3")
                    .bind(id.to_string())
                    .bind(to_json(data)?)
                    .bind(now),
            )
            .await?;
        Ok(n > 0)
    }

    async fn take_flow(&self, id: &str, now: i64) -> Result<Option<Flow>> {
        self.write_optional(
            sqlx::query(
                "DELETE FROM flows WHERE id = $1 AND expires_at > $2
                 RETURNING id, kind, user_id, data, expires_at",
            )
            .bind(id.to_string())
            .bind(now),
        )
        .await?
        .as_ref()
        .map(rows::flow)
        .transpose()
    }

    async fn create_device(&self, d: &Device) -> Result<()> {
        self.exec(
            sqlx::query(
                "INSERT INTO devices (id, user_id, token_digest, label, created_at, last_used_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(d.id.clone())
            .bind(d.user_id.clone())
            .bind(d.token_digest.clone())
            .bind(d.label.clone())
            .bind(d.created_at)
            .bind(d.last_used_at)
            .bind(d.expires_at),
        )
        .await
        .map(|_| ())
    }

    async fn rotate_device(
        &self,
        id: &str,
        old_digest: &str,
        new_digest: &str,
        now: i64,
    ) -> Result<Option<Device>> {
        self.write_optional(
            sqlx::query(
                "UPDATE devices SET token_digest = $3, last_used_at = $4
                 WHERE id = $1 AND token_digest = $2 AND revoked_at IS NULL AND expires_at > $4
                 RETURNING id, user_id, token_digest, label, created_at, last_used_at, expires_at",
            )
            .bind(id.to_string())
            .bind(old_digest.to_string())
            .bind(new_digest.to_string())
            .bind(now),
        )
        .await?
        .as_ref()
        .map(rows::device)
        .transpose()
    }

    async fn devices(&self, user_id: &str, now: i64) -> Result<Vec<Device>> {
        let rows = self
            .fetch_all(
                sqlx::query(
                    "SELECT * FROM devices WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
                     ORDER BY created_at DESC, id",
                )
                .bind(user_id.to_string())
                .bind(now),
            )
            .await?;
        rows.iter().map(rows::device).collect()
    }

    async fn revoke_device(&self, user_id: &str, id: &str, at: i64) -> Result<bool> {
        let n = self
            .exec(
                sqlx::query(
                    "UPDATE devices SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                )
                .bind(id.to_string())
                .bind(user_id.to_string())
                .bind(at),
            )
            .await?;
        Ok(n > 0)
    }

    async fn revoke_devices(&self, user_id: &str, at: i64) -> Result<u64> {
        self.exec(
            sqlx::query(
                "UPDATE devices SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(user_id.to_string())
            .bind(at),
        )
        .await
    }

    async fn note_agent(&self, user_id: &str, digest: &str, at: i64) -> Result<()> {
        self.exec(
            sqlx::query(
                "INSERT INTO seen_agents (user_id, digest, first_seen_at, last_seen_at)
                 VALUES ($1, $2, $3, $3)
                 ON CONFLICT (user_id, digest) DO UPDATE SET last_seen_at = excluded.last_seen_at",
            )
            .bind(user_id.to_string())
            .bind(digest.to_string())
            .bind(at),
        )
        .await
        .map(|_| ())
    }

    async fn agent_seen(&self, user_id: &str, digest: &str, since: i64) -> Result<bool> {
        Ok(self
            .fetch_optional(
                sqlx::query(
                    "SELECT 1 AS seen FROM seen_agents
                     WHERE user_id = $1 AND digest = $2 AND last_seen_at >= $3",
                )
                .bind(user_id.to_string())
                .bind(digest.to_string())
                .bind(since),
            )
            .await?
            .is_some())
    }

    async fn user_sessions(&self, user_id: &str, now: i64) -> Result<Vec<Session>> {
        let rows = self
            .fetch_all(
                sqlx::query(
                    "SELECT * FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
                     ORDER BY created_at DESC, id",
                )
                .bind(user_id.to_string())
                .bind(now),
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let id = rows::string(row, "id")?;
            let clients = self.session_clients(&id).await?;
            out.push(rows::session(row, clients)?);
        }
        Ok(out)
    }

    async fn user_audit(&self, user_id: &str, limit: i64) -> Result<Vec<AuditEvent>> {
        let rows = self
            .fetch_all(
                sqlx::query(
                    "SELECT * FROM audit_events WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
                )
                .bind(user_id.to_string())
                .bind(limit),
            )
            .await?;
        rows.iter().map(rows::audit).collect()
    }

    async fn record_failure(&self, key: &str, at: i64) -> Result<Failures> {
        let row = self
            .write_optional(
                sqlx::query(
                    "INSERT INTO failures (key, failed, last_at) VALUES ($1, 1, $2)
                     ON CONFLICT (key) DO UPDATE SET failed = failures.failed + 1, last_at = $2
                     RETURNING failed, last_at",
                )
                .bind(key.to_string())
                .bind(at),
            )
            .await?
            .ok_or_else(|| Error::Store("upsert returned nothing".into()))?;
        rows::failures(&row)
    }

    async fn failures(&self, key: &str) -> Result<Failures> {
        Ok(self
            .fetch_optional(
                sqlx::query("SELECT failed, last_at FROM failures WHERE key = $1")
                    .bind(key.to_string()),
            )
            .await?
            .as_ref()
            .map(rows::failures)
            .transpose()?
            .unwrap_or_default())
    }

    async fn clear_failures(&self, key: &str) -> Result<()> {
        self.exec(sqlx::query("DELETE FROM failures WHERE key = $1").bind(key.to_string()))
            .await
            .map(|_| ())
    }

    async fn reserve_failure(&self, key: &str, seen: i64, at: i64) -> Result<bool> {
        let q = if seen == 0 {
            sqlx::query(
                "INSERT INTO failures (key, failed, last_at) VALUES ($1, 1, $2)
                 ON CONFLICT (key) DO UPDATE SET failed = 1, last_at = $2 WHERE failures.failed = 0",
            )
            .bind(key.to_string())
            .bind(at)
        } else {
            sqlx::query(
                "UPDATE failures SET failed = failed + 1, last_at = $2 WHERE key = $1 AND failed = $3",
            )
            .bind(key.to_string())
            .bind(at)
            .bind(seen)
        };
        Ok(self.exec(q).await? == 1)
    }

    async fn release_failure(&self, key: &str) -> Result<()> {
        self.exec(
            sqlx::query("UPDATE failures SET failed = failed - 1 WHERE key = $1 AND failed > 0")
                .bind(key.to_string()),
        )
        .await
        .map(|_| ())
    }

    async fn put_consent(&self, c: &Consent) -> Result<()> {
        let mut scope = self
            .consent(&c.user_id, &c.client_id, c.audience.as_deref())
            .await?
            .map(|old| old.scope)
            .unwrap_or_default();
        for s in &c.scope {
            if !scope.contains(s) {
                scope.push(s.clone());
            }
        }
        self.exec(
            sqlx::query(
                "INSERT INTO consents (id, user_id, client_id, audience, scope, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (user_id, client_id, audience) DO UPDATE SET scope = $5, updated_at = $7",
            )
            .bind(c.id.clone())
            .bind(c.user_id.clone())
            .bind(c.client_id.clone())
            .bind(c.audience.clone().unwrap_or_default())
            .bind(scope.join(" "))
            .bind(c.created_at)
            .bind(c.updated_at),
        )
        .await
        .map(|_| ())
    }

    async fn consent(
        &self,
        user_id: &str,
        client_id: &str,
        audience: Option<&str>,
    ) -> Result<Option<Consent>> {
        self.fetch_optional(
            sqlx::query(
                "SELECT * FROM consents WHERE user_id = $1 AND client_id = $2 AND audience = $3",
            )
            .bind(user_id.to_string())
            .bind(client_id.to_string())
            .bind(audience.unwrap_or_default().to_string()),
        )
        .await?
        .as_ref()
        .map(rows::consent)
        .transpose()
    }

    async fn consents(
        &self,
        user_id: Option<&str>,
        client_id: Option<&str>,
    ) -> Result<Vec<Consent>> {
        let rows = self
            .fetch_all(
                sqlx::query(
                    "SELECT * FROM consents WHERE ($1 = '' OR user_id = $1) AND ($2 = '' OR client_id = $2)
                     ORDER BY updated_at DESC, id",
                )
                .bind(user_id.unwrap_or_default().to_string())
                .bind(client_id.unwrap_or_default().to_string()),
            )
            .await?;
        rows.iter().map(rows::consent).collect()
    }

    async fn revoke_client_families(&self, user_id: &str, client_id: &str, at: i64) -> Result<u64> {
        self.exec(
            sqlx::query(
                "INSERT INTO revoked_families (id, revoked_at)
                 SELECT DISTINCT family_id, $3 FROM refresh_tokens WHERE user_id = $1 AND client_id = $2
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(user_id.to_string())
            .bind(client_id.to_string())
            .bind(at),
        )
        .await
    }

    async fn delete_consent(&self, id: &str) -> Result<bool> {
        Ok(self
            .exec(sqlx::query("DELETE FROM consents WHERE id = $1").bind(id.to_string()))
            .await?
            > 0)
    }

    async fn schedule_user_deletion(&self, id: &str, at: i64) -> Result<bool> {
        let n = self
            .exec(
                sqlx::query("UPDATE users SET delete_after = $1 WHERE id = $2")
                    .bind(at)
                    .bind(id.to_string()),
            )
            .await?;
        Ok(n > 0)
    }

    async fn cancel_user_deletion(&self, id: &str) -> Result<bool> {
        let n = self
            .exec(
                sqlx::query(
                    "UPDATE users SET delete_after = NULL WHERE id = $1 AND delete_after IS NOT NULL",
                )
                .bind(id.to_string()),
            )
            .await?;
        Ok(n > 0)
    }

    async fn admin_role(&self, user_id: &str) -> Result<Option<String>> {
        self.fetch_optional(
            sqlx::query("SELECT role FROM admin_roles WHERE user_id = $1")
                .bind(user_id.to_string()),
        )
        .await?
        .map(|r| rows::string(&r, "role"))
        .transpose()
    }

    async fn set_admin_role(&self, user_id: &str, role: Option<&str>, at: i64) -> Result<bool> {
        match role {
            Some(role) => Ok(self
                .exec(
                    sqlx::query(
                        "INSERT INTO admin_roles (user_id, role, granted_at)
                         SELECT id, $2, $3 FROM users WHERE id = $1
                         ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, granted_at = excluded.granted_at",
                    )
                    .bind(user_id.to_string())
                    .bind(role.to_string())
                    .bind(at),
                )
                .await?
                == 1),
            None => {
                self.exec(
                    sqlx::query("DELETE FROM admin_roles WHERE user_id = $1")
                        .bind(user_id.to_string()),
                )
                .await?;
                Ok(self.user_by_id(user_id).await?.is_some())
            }
        }
    }

    async fn search_users(
        &self,
        by: UserSearch,
        prefix: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<User>> {
        // A prefix is the range [prefix, prefix + U+10FFFF) in byte order: SQLite's default
        // collation, and COLLATE "C" on PostgreSQL (the index of migration 0016), so the range and
        // the order come from one index. The cursor is the previous page's last user, whose key
        // the database reads itself (the same folding as the index, whatever the engine's
        // `lower` does with non-ASCII letters).
        let c = match self.engine {
            Engine::Postgres => " COLLATE \"C\"",
            Engine::Sqlite => "",
        };
        let (key, q) = match by {
            UserSearch::Email => (format!("email{c}"), prefix.trim().to_lowercase()),
            UserSearch::Name => (format!("lower(name){c}"), prefix.trim().to_string()),
        };
        let fold = |v: &str| match by {
            UserSearch::Email => format!("{v}{c}"),
            UserSearch::Name => format!("lower({v}){c}"),
        };
        // Emails are unique, so the email alone orders; names tie, so the id breaks ties.
        let (order, last) = match by {
            UserSearch::Email => (key.clone(), fold("email")),
            UserSearch::Name => (format!("{key}, id"), format!("{}, id", fold("name"))),
        };
        let cursor = if after.is_some() {
            format!("AND ({order}) > (SELECT {last} FROM users WHERE id = $4)")
        } else {
            String::new()
        };
        let sql = format!(
            "SELECT * FROM users WHERE {key} >= {lo} AND {key} < {lo} || $2 {cursor}
             ORDER BY {order} LIMIT $3",
            lo = fold("$1"),
        );
        let mut query = sqlx::query(&sql)
            .bind(q)
            .bind("\u{10FFFF}".to_string())
            .bind(limit);
        if let Some(after) = after {
            query = query.bind(after.to_string());
        }
        self.fetch_all(query)
            .await?
            .iter()
            .map(rows::user)
            .collect()
    }

    async fn touch_session(&self, id: &str, at: i64) -> Result<()> {
        self.exec(
            sqlx::query(
                "UPDATE sessions SET last_seen_at = $2
                 WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at <= $2 - $3)",
            )
            .bind(id.to_string())
            .bind(at)
            .bind(Session::SEEN_EVERY),
        )
        .await
        .map(|_| ())
    }

    async fn user_deletion_due(&self, id: &str) -> Result<Option<i64>> {
        Ok(self
            .fetch_optional(
                sqlx::query("SELECT delete_after FROM users WHERE id = $1").bind(id.to_string()),
            )
            .await?
            .map(|r| rows::opt_i64(&r, "delete_after"))
            .transpose()?
            .flatten())
    }

    async fn audit_histogram(
        &self,
        kinds: &[&str],
        from: i64,
        bucket: i64,
    ) -> Result<Vec<(String, i64, i64)>> {
        if kinds.is_empty() || bucket <= 0 {
            return Ok(vec![]);
        }
        let list = (0..kinds.len())
            .map(|i| format!("${}", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        // The (kind, at) index of migration 0006 gives each kind's range; only counts leave.
        let sql = format!(
            "SELECT kind, (at - $1) / $2 AS bucket, COUNT(*) AS n FROM audit_events
             WHERE kind IN ({list}) AND at >= $1
             GROUP BY kind, (at - $1) / $2"
        );
        let mut q = sqlx::query(&sql).bind(from).bind(bucket);
        for k in kinds {
            q = q.bind(k.to_string());
        }
        self.fetch_all(q)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    rows::string(r, "kind")?,
                    rows::opt_i64(r, "bucket")?.unwrap_or(0),
                    rows::opt_i64(r, "n")?.unwrap_or(0),
                ))
            })
            .collect()
    }

    async fn adoption(&self) -> Result<Adoption> {
        let active_users = self
            .count(sqlx::query(
                "SELECT COUNT(*) AS n FROM users WHERE blocked = 0",
            ))
            .await?;
        // From the active factors' own indexes (migration 0016); blocked users are few, so
        // they are left out by a small set rather than a join with every user.
        let with_factor = self
            .count(sqlx::query(
                "SELECT COUNT(*) AS n FROM (SELECT DISTINCT user_id FROM factors
                 WHERE active = 1 AND user_id NOT IN (SELECT id FROM users WHERE blocked <> 0)) AS f",
            ))
            .await?;
        let by_kind = self
            .fetch_all(sqlx::query(
                "SELECT kind, COUNT(DISTINCT user_id) AS n FROM factors
                 WHERE active = 1 AND user_id NOT IN (SELECT id FROM users WHERE blocked <> 0)
                 GROUP BY kind ORDER BY kind",
            ))
            .await?
            .iter()
            .map(|r| {
                Ok((
                    rows::string(r, "kind")?,
                    rows::opt_i64(r, "n")?.unwrap_or(0),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Adoption {
            active_users,
            with_factor,
            by_kind,
        })
    }

    async fn live_sessions(&self, now: i64) -> Result<i64> {
        self.count(
            sqlx::query(
                "SELECT COUNT(*) AS n FROM sessions WHERE revoked_at IS NULL AND expires_at > $1",
            )
            .bind(now),
        )
        .await
    }

    async fn replace_password_hash(&self, id: &str, old: &str, new: &str) -> Result<bool> {
        Ok(self
            .exec(
                sqlx::query(
                    "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2",
                )
                .bind(id.to_string())
                .bind(old.to_string())
                .bind(new.to_string()),
            )
            .await?
            == 1)
    }

    async fn set_user_alias(&self, alias: &str, user_id: &str) -> Result<()> {
        let changed = self
            .exec(
                sqlx::query(
                    "INSERT INTO user_aliases (alias, user_id) VALUES ($1, $2) ON CONFLICT (alias) DO NOTHING",
                )
                .bind(alias.to_string())
                .bind(user_id.to_string()),
            )
            .await?;
        if changed == 0 {
            let owner = self
                .fetch_optional(
                    sqlx::query("SELECT user_id FROM user_aliases WHERE alias = $1")
                        .bind(alias.to_string()),
                )
                .await?
                .map(|r| rows::string(&r, "user_id"))
                .transpose()?;
            if owner.as_deref() != Some(user_id) {
                return Err(Error::Conflict(format!("alias {alias}")));
            }
        }
        Ok(())
    }

    async fn user_by_alias(&self, alias: &str) -> Result<Option<User>> {
        self.fetch_optional(
            sqlx::query(
                "SELECT u.* FROM users u JOIN user_aliases a ON a.user_id = u.id WHERE a.alias = $1",
            )
            .bind(alias.to_string()),
        )
        .await?
        .map(|r| rows::user(&r))
        .transpose()
    }

    async fn tenant_setting(&self, key: &str) -> Result<Option<String>> {
        self.fetch_optional(
            sqlx::query("SELECT value FROM tenant_settings WHERE key = $1").bind(key.to_string()),
        )
        .await?
        .map(|r| rows::string(&r, "value"))
        .transpose()
    }

    async fn set_tenant_setting(&self, key: &str, value: Option<&str>, at: i64) -> Result<()> {
        let statement = match value {
            Some(v) => sqlx::query(
                "INSERT INTO tenant_settings (key, value, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(key.to_string())
            .bind(v.to_string())
            .bind(at),
            None => sqlx::query("DELETE FROM tenant_settings WHERE key = $1").bind(key.to_string()),
        };
        self.write_tx(true, vec![statement]).await?;
        Ok(())
    }

    async fn create_accounts(&self, accounts: &[NewAccount]) -> Result<()> {
        let mut statements = Vec::with_capacity(accounts.len() * 3);
        for a in accounts {
            statements.push(insert_user(&a.user)?);
            if let Some(alias) = &a.alias {
                statements.push(
                    sqlx::query("INSERT INTO user_aliases (alias, user_id) VALUES ($1, $2)")
                        .bind(alias.clone())
                        .bind(a.user.id.clone()),
                );
            }
            for f in &a.factors {
                statements.push(insert_factor(f)?);
            }
        }
        self.write_tx(false, statements).await.map(|_| ())
    }

    async fn create_action(&self, a: &portcullis_core::actions::Action) -> Result<()> {
        self.write_tx(
            true,
            vec![
                sqlx::query(
                    "INSERT INTO actions (id, name, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(a.id.clone())
                .bind(a.name.clone())
                .bind(to_json(a)?)
                .bind(a.created_at)
                .bind(a.updated_at),
            ],
        )
        .await?;
        Ok(())
    }

    async fn save_action(&self, a: &portcullis_core::actions::Action) -> Result<bool> {
        let n = self
            .write_tx(
                true,
                vec![
                    sqlx::query(
                        "UPDATE actions SET name = $1, body = $2, updated_at = $3 WHERE id = $4",
                    )
                    .bind(a.name.clone())
                    .bind(to_json(a)?)
                    .bind(a.updated_at)
                    .bind(a.id.clone()),
                ],
            )
            .await?;
        Ok(n.first().copied().unwrap_or(0) > 0)
    }

    async fn action(&self, id: &str) -> Result<Option<portcullis_core::actions::Action>> {
        self.fetch_optional(
            sqlx::query("SELECT body FROM actions WHERE id = $1").bind(id.to_string()),
        )
        .await?
        .map(|r| from_json(&rows::string(&r, "body")?))
        .transpose()
    }

    async fn list_actions(&self) -> Result<Vec<portcullis_core::actions::Action>> {
        let rows = self
            .fetch_all(sqlx::query(
                "SELECT body FROM actions ORDER BY created_at, id",
            ))
            .await?;
        rows.iter()
            .map(|r| from_json(&rows::string(r, "body")?))
            .collect()
    }

    async fn delete_action(&self, id: &str) -> Result<bool> {
        let n = self
            .write_tx(
                true,
                vec![sqlx::query("DELETE FROM actions WHERE id = $1").bind(id.to_string())],
            )
            .await?;
        Ok(n.first().copied().unwrap_or(0) > 0)
    }

    async fn user_locale(&self, user_id: &str) -> Result<Option<String>> {
        self.fetch_optional(
            sqlx::query("SELECT locale FROM user_locales WHERE user_id = $1")
                .bind(user_id.to_string()),
        )
        .await?
        .map(|r| rows::string(&r, "locale"))
        .transpose()
    }

    async fn set_user_locale(&self, user_id: &str, locale: Option<&str>) -> Result<bool> {
        let query = match locale {
            Some(tag) => sqlx::query(
                "INSERT INTO user_locales (user_id, locale) SELECT id, $2 FROM users WHERE id = $1
                 ON CONFLICT (user_id) DO UPDATE SET locale = excluded.locale",
            )
            .bind(user_id.to_string())
            .bind(tag.to_string()),
            None => {
                sqlx::query("DELETE FROM user_locales WHERE user_id = $1").bind(user_id.to_string())
            }
        };
        let n = self.write_tx(false, vec![query]).await?;
        if locale.is_none() {
            return Ok(self.user_by_id(user_id).await?.is_some());
        }
        Ok(n.first().copied().unwrap_or(0) > 0)
    }

    async fn client_logos(&self) -> Result<Vec<(String, String)>> {
        let rows = self
            .fetch_all(sqlx::query(
                "SELECT client_id, logo_uri FROM client_logos ORDER BY client_id",
            ))
            .await?;
        rows.iter()
            .map(|r| Ok((rows::string(r, "client_id")?, rows::string(r, "logo_uri")?)))
            .collect()
    }

    async fn set_client_logo(&self, client_id: &str, logo_uri: Option<&str>) -> Result<bool> {
        let query = match logo_uri {
            Some(uri) => sqlx::query(
                "INSERT INTO client_logos (client_id, logo_uri) SELECT id, $2 FROM clients WHERE id = $1
                 ON CONFLICT (client_id) DO UPDATE SET logo_uri = excluded.logo_uri",
            )
            .bind(client_id.to_string())
            .bind(uri.to_string()),
            None => sqlx::query("DELETE FROM client_logos WHERE client_id = $1")
                .bind(client_id.to_string()),
        };
        self.set_client_side(client_id, logo_uri.is_some(), query)
            .await
    }

    async fn client_settings(&self, name: &str) -> Result<Vec<(String, String)>> {
        let rows = self
            .fetch_all(
                sqlx::query(
                    "SELECT client_id, value FROM client_settings WHERE name = $1 ORDER BY client_id",
                )
                .bind(name.to_string()),
            )
            .await?;
        rows.iter()
            .map(|r| Ok((rows::string(r, "client_id")?, rows::string(r, "value")?)))
            .collect()
    }

    async fn set_client_setting(
        &self,
        client_id: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<bool> {
        let query = match value {
            Some(v) => sqlx::query(
                "INSERT INTO client_settings (client_id, name, value) SELECT id, $2, $3 FROM clients WHERE id = $1
                 ON CONFLICT (client_id, name) DO UPDATE SET value = excluded.value",
            )
            .bind(client_id.to_string())
            .bind(name.to_string())
            .bind(v.to_string()),
            None => sqlx::query("DELETE FROM client_settings WHERE client_id = $1 AND name = $2")
                .bind(client_id.to_string())
                .bind(name.to_string()),
        };
        self.set_client_side(client_id, value.is_some(), query)
            .await
    }

    async fn client_keys(&self) -> Result<Vec<(String, ClientKeys)>> {
        let rows = self
            .fetch_all(sqlx::query(
                "SELECT client_id, jwks, jwks_uri FROM client_keys ORDER BY client_id",
            ))
            .await?;
        rows.iter().map(rows::client_keys).collect()
    }

    async fn set_client_keys(&self, client_id: &str, keys: Option<&ClientKeys>) -> Result<bool> {
        let query = match keys {
            Some(k) => sqlx::query(
                "INSERT INTO client_keys (client_id, jwks, jwks_uri) SELECT id, $2, $3 FROM clients WHERE id = $1
                 ON CONFLICT (client_id) DO UPDATE SET jwks = excluded.jwks, jwks_uri = excluded.jwks_uri",
            )
            .bind(client_id.to_string())
            .bind(k.jwks.as_ref().map(to_json).transpose()?)
            .bind(k.jwks_uri.clone()),
            None => sqlx::query("DELETE FROM client_keys WHERE client_id = $1")
                .bind(client_id.to_string()),
        };
        self.set_client_side(client_id, keys.is_some(), query).await
    }

    async fn logins_count(&self, user_id: &str) -> Result<i64> {
        let row = self
            .fetch_optional(
                sqlx::query("SELECT count FROM user_logins WHERE user_id = $1")
                    .bind(user_id.to_string()),
            )
            .await?;
        Ok(match row {
            Some(r) => rows::opt_i64(&r, "count")?.unwrap_or(0),
            None => 0,
        })
    }

    async fn users_due_for_deletion(&self, now: i64, limit: i64) -> Result<Vec<String>> {
        let rows = self
            .fetch_all(
                sqlx::query(
                    "SELECT id FROM users WHERE delete_after IS NOT NULL AND delete_after <= $1
                     ORDER BY delete_after, id LIMIT $2",
                )
                .bind(now)
                .bind(limit),
            )
            .await?;
        rows.iter().map(|r| rows::string(r, "id")).collect()
    }

    async fn claim_user_deletion(&self, id: &str, now: i64) -> Result<bool> {
        // One conditional UPDATE: of racing sweepers (or a sweep and a cancel) one wins.
        let n = self
            .exec(
                sqlx::query(
                    "UPDATE users SET delete_after = NULL
                     WHERE id = $1 AND delete_after IS NOT NULL AND delete_after <= $2",
                )
                .bind(id.to_string())
                .bind(now),
            )
            .await?;
        Ok(n > 0)
    }

    async fn link_upstream(&self, i: &UpstreamIdentity) -> Result<()> {
        self.exec(
            sqlx::query(
                "INSERT INTO upstream_identities (provider, subject, user_id, email, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(i.provider.clone())
            .bind(i.subject.clone())
            .bind(i.user_id.clone())
            .bind(i.email.clone())
            .bind(i.created_at),
        )
        .await
        .map(|_| ())
    }

    async fn upstream_identity(
        &self,
        provider: &str,
        subject: &str,
    ) -> Result<Option<UpstreamIdentity>> {
        self.fetch_optional(
            sqlx::query("SELECT * FROM upstream_identities WHERE provider = $1 AND subject = $2")
                .bind(provider.to_string())
                .bind(subject.to_string()),
        )
        .await?
        .as_ref()
        .map(rows::upstream_identity)
        .transpose()
    }

    async fn upstream_identities(&self, user_id: &str) -> Result<Vec<UpstreamIdentity>> {
        let rows = self
            .fetch_all(
                sqlx::query(
                    "SELECT * FROM upstream_identities WHERE user_id = $1
                     ORDER BY created_at, provider, subject",
                )
                .bind(user_id.to_string()),
            )
            .await?;
        rows.iter().map(rows::upstream_identity).collect()
    }

    async fn unlink_upstream(&self, user_id: &str, provider: &str, subject: &str) -> Result<bool> {
        let n = self
            .exec(
                sqlx::query(
                    "DELETE FROM upstream_identities WHERE user_id = $1 AND provider = $2 AND subject = $3",
                )
                .bind(user_id.to_string())
                .bind(provider.to_string())
                .bind(subject.to_string()),
            )
            .await?;
        Ok(n > 0)
    }
}

/// Puts the SQLite backup at `backup` in place of the database `database_url` names, after
/// checking it is a whole Portcullis database. Refuses while the database is open (its `-wal` or
/// `-shm` file exists: a server is running, or one crashed) unless `force`.
pub async fn restore_sqlite(
    backup: &std::path::Path,
    database_url: &str,
    force: bool,
) -> Result<()> {
    if Engine::of(database_url) != Some(Engine::Sqlite) {
        return Err(Error::Invalid(
            "restore replaces SQLite databases; on PostgreSQL use pg_restore (docs/deploy.md)"
                .into(),
        ));
    }
    let target = sqlite_path(database_url)?;
    let side = |suffix: &str| std::path::PathBuf::from(format!("{}{suffix}", target.display()));
    if !force && (side("-wal").exists() || side("-shm").exists()) {
        return Err(Error::Conflict(format!(
            "{} is open (its -wal or -shm file exists): stop the server first, or pass --force after a crash",
            target.display()
        )));
    }
    // The backup must open, pass SQLite's own check, and carry the schema's migrations.
    let source = backup
        .to_str()
        .ok_or_else(|| Error::Invalid("the backup path must be UTF-8".into()))?;
    if !backup.is_file() {
        return Err(Error::Invalid(format!("{source} is not a file")));
    }
    sqlx::any::install_default_drivers();
    let check = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&format!("sqlite://{source}?mode=ro"))
        .await
        .map_err(|e| Error::Invalid(format!("{source} is not a SQLite database: {e}")))?;
    let verdict: std::result::Result<(String, i64), sqlx::Error> = async {
        let ok = sqlx::query("PRAGMA integrity_check")
            .fetch_one(&check)
            .await?;
        let ok: String = sqlx::Row::try_get(&ok, 0)?;
        let n = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations WHERE success")
            .fetch_one(&check)
            .await?;
        Ok((ok, sqlx::Row::try_get(&n, "n")?))
    }
    .await;
    check.close().await;
    match verdict {
        Ok((ok, n)) if ok == "ok" && n > 0 => {}
        Ok((ok, _)) if ok != "ok" => {
            return Err(Error::Invalid(format!("{source} is damaged: {ok}")));
        }
        Ok(_) | Err(_) => {
            return Err(Error::Invalid(format!(
                "{source} is not a Portcullis database"
            )));
        }
    }
    // Copy beside the target, then rename over it: a crash leaves the old or the new, never half.
    let staging = side(".restoring");
    tokio::fs::copy(backup, &staging)
        .await
        .map_err(|e| Error::Store(format!("copy to {}: {e}", staging.display())))?;
    let copied = tokio::fs::File::open(&staging)
        .await
        .map_err(|e| Error::Store(e.to_string()))?;
    copied
        .sync_all()
        .await
        .map_err(|e| Error::Store(e.to_string()))?;
    for stale in [side("-wal"), side("-shm")] {
        let _ = tokio::fs::remove_file(stale).await;
    }
    tokio::fs::rename(&staging, &target)
        .await
        .map_err(|e| Error::Store(format!("rename over {}: {e}", target.display())))
}

/// The file a `sqlite:` URL names.
fn sqlite_path(url: &str) -> Result<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(Error::Invalid(format!("{url} names no database file")));
    }
    Ok(std::path::PathBuf::from(path))
}
