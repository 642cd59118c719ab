//! Where the server under test keeps its data: a SQLite file in the harness's temporary folder,
//! or a fresh PostgreSQL database the harness creates and drops. Also reads how much the
//! database holds, for the soak.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::{Connection, Executor, Row};

/// The database engine the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL database (one or several nodes).
    Postgres,
}

/// The PostgreSQL server the fresh databases are created on unless `--database-url` says.
pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Tables the soak counts: the four that grow with token traffic and sign-ins, and those a
/// sign-in also writes (a session's clients, the pending request, the audit trail).
pub const TABLES: [&str; 7] = [
    "refresh_tokens",
    "access_tokens",
    "sessions",
    "auth_codes",
    "session_clients",
    "pending_authorizations",
    "audit_events",
];

/// One database for the server.
pub struct Database {
    /// Its engine.
    pub engine: Engine,
    /// The URL the server is given.
    pub url: String,
    /// PostgreSQL's `server_version`.
    pub version: Option<String>,
    /// PostgreSQL's `autovacuum` setting: without it, the space of deleted rows is never reused.
    pub autovacuum: Option<bool>,
    file: Option<PathBuf>,
    /// The server it was created on, and its name, to drop it.
    created: Option<(String, String)>,
}

impl Database {
    /// A SQLite file at `path` (the server creates it).
    pub fn sqlite(path: &Path) -> Database {
        Database {
            engine: Engine::Sqlite,
            url: format!("sqlite://{}", path.display()),
            version: None,
            autovacuum: None,
            file: Some(path.to_path_buf()),
            created: None,
        }
    }

    /// Creates a fresh, empty database on the PostgreSQL server at `admin` (whose own database
    /// is only connected to).
    pub async fn postgres(admin: &str) -> anyhow::Result<Database> {
        let mut conn = sqlx::PgConnection::connect(admin)
            .await
            .with_context(|| format!("connecting to {}", redact(admin)))?;
        let random = crate::aws_lc_rs_random()?;
        let name = format!(
            "portcullis_bench_{}",
            random[..6]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        // A plain string runs as a simple query: CREATE DATABASE refuses a transaction block.
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .with_context(|| format!("creating database {name}"))?;
        let version: String = sqlx::query_scalar("SHOW server_version")
            .fetch_one(&mut conn)
            .await?;
        let autovacuum: String = sqlx::query_scalar("SHOW autovacuum")
            .fetch_one(&mut conn)
            .await?;
        let _ = conn.close().await;
        let mut url = url::Url::parse(admin)?;
        url.set_path(&format!("/{name}"));
        Ok(Database {
            engine: Engine::Postgres,
            url: url.to_string(),
            version: Some(version),
            autovacuum: Some(autovacuum == "on"),
            file: None,
            created: Some((admin.to_string(), name)),
        })
    }

    /// Drops a database this harness created (SQLite files go with the temporary folder).
    pub async fn remove(self) -> anyhow::Result<()> {
        let Some((admin, name)) = self.created else {
            return Ok(());
        };
        let mut conn = sqlx::PgConnection::connect(&admin).await?;
        // FORCE ends connections a killed server may have left for a moment.
        conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await
            .with_context(|| format!("dropping database {name}"))?;
        let _ = conn.close().await;
        Ok(())
    }

    /// "SQLite" or "PostgreSQL 15.4".
    pub fn label(&self) -> String {
        match (&self.engine, &self.version) {
            (Engine::Sqlite, _) => "SQLite".into(),
            (Engine::Postgres, Some(v)) => format!("PostgreSQL {v}"),
            (Engine::Postgres, None) => "PostgreSQL".into(),
        }
    }

    /// A connection for reading how much the database holds.
    pub async fn storage(&self) -> anyhow::Result<Storage> {
        match &self.file {
            Some(file) => {
                // Read-only, so the harness can never write to the server's file; a reader does
                // not block SQLite's single writer in WAL mode.
                let options = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(file)
                    .read_only(true)
                    .busy_timeout(Duration::from_secs(5));
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await?;
                Ok(Storage::Sqlite {
                    pool,
                    file: file.clone(),
                })
            }
            None => {
                let options = sqlx::postgres::PgConnectOptions::from_str(&self.url)?;
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await?;
                Ok(Storage::Postgres { pool })
            }
        }
    }
}

/// A URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("…"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Reads row counts and sizes from the server's database.
pub enum Storage {
    /// The SQLite file, opened read-only.
    Sqlite {
        /// One read-only connection.
        pool: sqlx::SqlitePool,
        /// The database file (its `-wal` sits next to it).
        file: PathBuf,
    },
    /// The fresh PostgreSQL database.
    Postgres {
        /// One connection.
        pool: sqlx::PgPool,
    },
}

/// Rows in each of [`TABLES`] and the two sizes of [`Storage::size_labels`], in bytes.
pub struct Holding {
    /// Rows per table, in the order of [`TABLES`].
    pub rows: Vec<i64>,
    /// Bytes, in the order of [`Storage::size_labels`].
    pub bytes: [u64; 2],
}

impl Storage {
    /// What the two sizes measure.
    pub fn size_labels(&self) -> [&'static str; 2] {
        match self {
            Storage::Sqlite { .. } => ["db file MiB", "-wal MiB"],
            Storage::Postgres { .. } => ["tables MiB", "database MiB"],
        }
    }

    /// How the space is used at the end: free pages in SQLite's file, which it reuses before it
    /// grows; dead rows and vacuums in PostgreSQL, whose deletes free space only once vacuumed.
    pub async fn space(&self) -> anyhow::Result<String> {
        match self {
            Storage::Sqlite { pool, .. } => {
                let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
                    .fetch_one(pool)
                    .await?;
                let free: i64 = sqlx::query_scalar("PRAGMA freelist_count")
                    .fetch_one(pool)
                    .await?;
                let size: i64 = sqlx::query_scalar("PRAGMA page_size")
                    .fetch_one(pool)
                    .await?;
                Ok(format!(
                    "SQLite file at the end: {pages} pages of {size} bytes, {free} of them free (reused before the file grows).\n"
                ))
            }
            Storage::Postgres { pool } => {
                let rows = sqlx::query(
                    "SELECT relname::text, n_live_tup, n_dead_tup, autovacuum_count, vacuum_count,
                            pg_total_relation_size(relid)
                     FROM pg_stat_user_tables WHERE relname = ANY($1) ORDER BY relname",
                )
                .bind(TABLES.iter().map(|t| t.to_string()).collect::<Vec<_>>())
                .fetch_all(pool)
                .await?;
                let mut out = "PostgreSQL at the end (statistics are approximate):\n\n| table | live rows | dead rows | autovacuums | MiB |\n|---|---:|---:|---:|---:|\n".to_string();
                for r in rows {
                    let name: String = r.try_get(0)?;
                    let live: i64 = r.try_get(1)?;
                    let dead: i64 = r.try_get(2)?;
                    let auto: i64 = r.try_get(3)?;
                    let bytes: i64 = r.try_get(5)?;
                    out.push_str(&format!(
                        "| {name} | {live} | {dead} | {auto} | {:.1} |\n",
                        bytes as f64 / (1024.0 * 1024.0)
                    ));
                }
                Ok(out)
            }
        }
    }

    /// Counts rows and measures sizes now.
    pub async fn sample(&self) -> anyhow::Result<Holding> {
        // One statement, so the counts come from one snapshot.
        let counts = format!(
            "SELECT {}",
            TABLES
                .iter()
                .map(|t| format!("(SELECT count(*) FROM {t})"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows = |row: &dyn Fn(usize) -> Result<i64, sqlx::Error>| {
            (0..TABLES.len()).map(row).collect::<Result<Vec<i64>, _>>()
        };
        match self {
            Storage::Sqlite { pool, file } => {
                let row = sqlx::query(&counts).fetch_one(pool).await?;
                let rows = rows(&|i| row.try_get(i))?;
                let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
                let mut wal = file.clone().into_os_string();
                wal.push("-wal");
                Ok(Holding {
                    rows,
                    bytes: [size(file), size(Path::new(&wal))],
                })
            }
            Storage::Postgres { pool } => {
                let row = sqlx::query(&counts).fetch_one(pool).await?;
                let rows = rows(&|i| row.try_get(i))?;
                // The counted tables with their indexes and TOAST, and the whole database.
                let sizes = format!(
                    "SELECT ({})::bigint, pg_database_size(current_database())",
                    TABLES
                        .iter()
                        .map(|t| format!("pg_total_relation_size('{t}')"))
                        .collect::<Vec<_>>()
                        .join(" + ")
                );
                let row = sqlx::query(&sizes).fetch_one(pool).await?;
                let tables: i64 = row.try_get(0)?;
                let database: i64 = row.try_get(1)?;
                Ok(Holding {
                    rows,
                    bytes: [tables.max(0) as u64, database.max(0) as u64],
                })
            }
        }
    }
}
