//! Portcullis storage: one SQL layer over SQLite (the embedded default) and PostgreSQL.
//!
//! Queries are written once with `$N` placeholders and portable types (TEXT, 64-bit integers,
//! bytes), and run through sqlx's `Any` driver; only the migrations differ per engine. SQLite runs
//! on sqlx's dedicated worker threads, so no query blocks the async executor.
//!
//! ```no_run
//! # async fn demo() -> portcullis_core::Result<()> {
//! use portcullis_core::ports::Store;
//! let store = portcullis_store::SqlStore::connect(&portcullis_store::StoreOptions::new(
//!     "sqlite://./portcullis.db",
//! ))
//! .await?;
//! store.migrate().await?;
//! store.ping().await?;
//! # Ok(()) }
//! ```

mod group;
mod rows;
mod sql;

pub use sql::{Engine, SqlStore, StoreOptions, restore_sqlite};

#[cfg(test)]
mod tests {
    /// Every migration only expands the schema (new tables, nullable or defaulted columns,
    /// indexes), so the previous version keeps working on a migrated database during a rolling
    /// upgrade. A contracting statement (dropping, renaming, retyping, a new NOT NULL column
    /// without a default) belongs in a release after the last version that reads the old shape,
    /// and says so on its line with `-- contract:` and the reason.
    #[test]
    fn migrations_only_expand() {
        let forbidden = [
            "drop table",
            "drop column",
            "drop index",
            "rename ",
            "alter column",
            "truncate",
        ];
        let mut offenders = Vec::new();
        for engine in ["sqlite", "postgres"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(engine);
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    let sql = line.split("--").next().unwrap_or_default().to_lowercase();
                    let contracts = forbidden.iter().any(|f| sql.contains(f))
                        || (sql.contains("add column")
                            && sql.contains("not null")
                            && !sql.contains("default"));
                    if contracts && !line.contains("-- contract:") {
                        offenders.push(format!("{}:{}: {line}", path.display(), n + 1));
                    }
                }
            }
        }
        assert!(offenders.is_empty(), "{offenders:#?}");
    }
}
