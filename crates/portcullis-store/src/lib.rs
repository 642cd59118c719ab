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

mod rows;
mod sql;

pub use sql::{Engine, SqlStore, StoreOptions, restore_sqlite};
