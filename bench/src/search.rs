//! The console's user search at scale: a fresh database filled with `--users` accounts (one
//! million by default), then the store's own `search_users` timed for the cases an admin meets
//! (a short and a long email prefix, the start of a name, every user, a page deep in the list).
//! Each case runs `--rounds` times; the table gives the median and the slowest.

use std::time::{Duration, Instant};

use anyhow::Context;
use portcullis_core::model::UserSearch;
use portcullis_core::ports::Store;
use portcullis_store::{SqlStore, StoreOptions};

use crate::db::{Database, Engine};

/// Users per console page.
const PAGE: i64 = 50;

/// Fills `store` with `n` users: emails `u<i>@<domain>` over 40 domains, names from 200 first
/// names, in one statement per engine (a generated series, not `n` round trips).
async fn fill(db: &Database, n: u64) -> anyhow::Result<()> {
    let rows = "SELECT 'usr_' || i, 'u' || i || '@d' || (i % 40) || '.example', 1,
                'Name' || (i % 200) || ' ' || i, NULL, 0, i, NULL, '{}', '{}'";
    let sql = match db.engine {
        Engine::Postgres => format!(
            "INSERT INTO users (id, email, email_verified, name, password_hash, blocked, created_at, last_login, user_metadata, app_metadata)
             {rows} FROM generate_series(1, {n}) AS i"
        ),
        Engine::Sqlite => format!(
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})
             INSERT INTO users (id, email, email_verified, name, password_hash, blocked, created_at, last_login, user_metadata, app_metadata)
             {rows} FROM s"
        ),
    };
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await?;
    sqlx::Executor::execute(&mut conn, sql.as_str())
        .await
        .context("filling users")?;
    sqlx::Executor::execute(&mut conn, "ANALYZE").await?;
    Ok(())
}

/// Runs the search benchmark on `db` and prints its table.
pub async fn run(db: &Database, users: u64, rounds: usize) -> anyhow::Result<String> {
    let store = SqlStore::connect(&StoreOptions::new(db.url.clone())).await?;
    store.migrate().await?;
    let filled = Instant::now();
    fill(db, users).await?;
    let fill_time = filled.elapsed();
    // A cursor deep in the list: the user at the middle of the email order.
    let middle = format!("usr_{}", users / 2);
    let cases: [(&str, UserSearch, &str, Option<&str>); 7] = [
        (
            "email, 2 characters (\"u1\")",
            UserSearch::Email,
            "u1",
            None,
        ),
        (
            "email, 4 characters (\"u123\")",
            UserSearch::Email,
            "u123",
            None,
        ),
        (
            "email, exact address",
            UserSearch::Email,
            "u4242@d2.example",
            None,
        ),
        ("everyone, first page", UserSearch::Email, "", None),
        (
            "everyone, a page in the middle",
            UserSearch::Email,
            "",
            Some(middle.as_str()),
        ),
        (
            "name, 5 characters (\"name1\")",
            UserSearch::Name,
            "name1",
            None,
        ),
        (
            "name, a page in the middle",
            UserSearch::Name,
            "",
            Some(middle.as_str()),
        ),
    ];
    let mut out = format!(
        "### Console user search, {} with {users} users ({rounds} rounds per case; filled in {:.1} s)\n\n| case | rows | median ms | slowest ms |\n|---|---:|---:|---:|\n",
        db.label(),
        fill_time.as_secs_f64()
    );
    for (label, by, q, after) in cases {
        let mut times: Vec<Duration> = Vec::with_capacity(rounds);
        let mut found = 0;
        for _ in 0..rounds {
            let started = Instant::now();
            found = store.search_users(by, q, after, PAGE).await?.len();
            times.push(started.elapsed());
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        out.push_str(&format!(
            "| {label} | {found} | {:.2} | {:.2} |\n",
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1])
        ));
    }
    Ok(out)
}
