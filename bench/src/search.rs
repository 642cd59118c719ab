//! The console at scale: a fresh database filled with `--users` accounts (one million by
//! default), then the store's own `search_users` timed for the cases an admin meets (a short and
//! a long email prefix, the start of a name, every user, a page deep in the list); then a factor
//! for every other user, as many audit events as users over 14 days and a live session for one
//! user in ten, and the overview's queries timed (the activity histogram, MFA adoption, live
//! sessions). Each case runs `--rounds` times; the table gives the median and the slowest.

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
    settle(db, &mut conn).await
}

/// The overview's "now": every generated event and session is placed relative to it.
const NOW: i64 = 2_000_000_000;

/// The dashboard's data at scale: factors for every other user, `n` audit events over 14 days
/// in six kinds, a live session for one user in ten.
async fn fill_dashboard(db: &Database, n: u64) -> anyhow::Result<()> {
    let series = |select: &str, table: &str, columns: &str, filter: &str| match db.engine {
        Engine::Postgres => format!(
            "INSERT INTO {table} ({columns}) {select} FROM generate_series(1, {n}) AS i {filter}"
        ),
        Engine::Sqlite => format!(
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})
             INSERT INTO {table} ({columns}) {select} FROM s {filter}"
        ),
    };
    let statements = [
        series(
            "SELECT 'fac_' || i, 'usr_' || i, CASE i % 6 WHEN 0 THEN 'webauthn' WHEN 2 THEN 'totp' ELSE 'sms' END,
                    'f', '{}', 0, 1, i",
            "factors",
            "id, user_id, kind, name, detail, sign_count, active, created_at",
            "WHERE i % 2 = 0",
        ),
        series(
            &format!(
                "SELECT {NOW} - (i % 1209600), CASE i % 6 WHEN 0 THEN 'login.success' WHEN 1 THEN 'login.failure'
                        WHEN 2 THEN 'factor.failure' WHEN 3 THEN 'stepup.requested' WHEN 4 THEN 'stepup.met'
                        ELSE 'lockout' END, 'usr_' || i, '{{}}'"
            ),
            "audit_events",
            "at, kind, user_id, detail",
            "",
        ),
        series(
            &format!(
                "SELECT 'ses_' || i, 'dig_' || i, 'usr_' || i, {NOW}, {NOW}, 'aal1', '[]', {NOW} + 3600"
            ),
            "sessions",
            "id, token_digest, user_id, created_at, auth_time, acr, amr, expires_at",
            "WHERE i % 10 = 0",
        ),
    ];
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await?;
    for sql in statements {
        sqlx::Executor::execute(&mut conn, sql.as_str())
            .await
            .context("filling the dashboard's tables")?;
    }
    settle(db, &mut conn).await
}

/// Statistics, and on PostgreSQL the visibility map autovacuum keeps in a running database (so
/// index-only scans are measured as they run there, not on pages never vacuumed).
async fn settle(db: &Database, conn: &mut sqlx::AnyConnection) -> anyhow::Result<()> {
    let sql = match db.engine {
        Engine::Postgres => "VACUUM ANALYZE",
        Engine::Sqlite => "ANALYZE",
    };
    sqlx::Executor::execute(conn, sql).await?;
    Ok(())
}

/// Times `f` `rounds` times: (median, slowest) in milliseconds.
async fn timed<F, Fut, T>(rounds: usize, mut f: F) -> anyhow::Result<(f64, f64)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = portcullis_core::Result<T>>,
{
    let mut times: Vec<Duration> = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        f().await?;
        times.push(started.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok((ms(times[times.len() / 2]), ms(times[times.len() - 1])))
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
        let found = store.search_users(by, q, after, PAGE).await?.len();
        let (median, slowest) = timed(rounds, || store.search_users(by, q, after, PAGE)).await?;
        out.push_str(&format!(
            "| {label} | {found} | {median:.2} | {slowest:.2} |\n"
        ));
    }
    let filled = Instant::now();
    fill_dashboard(db, users).await?;
    out.push_str(&format!(
        "\n### The overview's queries, with a factor for every other user, {users} audit events over 14 days and {} live sessions (filled in {:.1} s)\n\n| query | median ms | slowest ms |\n|---|---:|---:|\n",
        users / 10,
        filled.elapsed().as_secs_f64()
    ));
    let kinds = [
        "login.success",
        "login.failure",
        "factor.failure",
        "stepup.failed",
        "lockout",
        "stepup.requested",
        "stepup.met",
        "logout.backchannel_delivered",
        "logout.backchannel_failed",
    ];
    let from = (NOW / 86_400 - 13) * 86_400;
    let adoption = store.adoption().await?;
    let rows: [(String, (f64, f64)); 3] = [
        (
            "activity, 14 days by day, 9 kinds".into(),
            timed(rounds, || store.audit_histogram(&kinds, from, 86_400)).await?,
        ),
        (
            format!(
                "MFA adoption ({} of {} users, {} kinds)",
                adoption.with_factor,
                adoption.active_users,
                adoption.by_kind.len()
            ),
            timed(rounds, || store.adoption()).await?,
        ),
        (
            "live sessions".into(),
            timed(rounds, || store.live_sessions(NOW)).await?,
        ),
    ];
    for (label, (median, slowest)) in rows {
        out.push_str(&format!("| {label} | {median:.2} | {slowest:.2} |\n"));
    }
    Ok(out)
}
