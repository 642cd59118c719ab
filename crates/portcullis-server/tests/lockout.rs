//! The per-account lockout holds under concurrency: each guess is counted before its secret is
//! checked, so 80 guesses at once are evaluated no more often than the schedule allows (five
//! free tries and the sixth, then waits), on SQLite and PostgreSQL alike.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::ports::Store;
use portcullis_testkit::{Engine, TestApp, browser, form_value, spawn_app_with_env};
use serde_json::Value;

/// Guesses the schedule lets through at once: `free_attempts` failures without a wait, and
/// the one that finds the count at the limit.
const EVALUATED: usize = 6;

/// Per-IP limits off: only the account's own throttle acts.
const NO_IP_LIMITS: &[(&str, &str)] = &[
    ("PORTCULLIS_LIMITS__LOGIN_PER_MINUTE", "0"),
    ("PORTCULLIS_LIMITS__FACTOR_PER_MINUTE", "0"),
];

async fn at_once<F, Fut>(n: usize, f: F) -> Vec<(u16, Value)>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = (u16, Value)> + Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|_| tokio::spawn(f())).collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

/// One token request, as a task can own it.
fn token_request(
    app: &TestApp,
    cli: &(String, String),
    form: &[(&str, &str)],
) -> impl std::future::Future<Output = (u16, Value)> + Send + use<> {
    let (url, cli) = (app.url("/oauth/token"), cli.clone());
    let form: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    async move {
        let resp = reqwest::Client::new()
            .post(url)
            .basic_auth(&cli.0, Some(&cli.1))
            .form(&form)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }
}

fn tally(answers: &[(u16, Value)]) -> (usize, usize) {
    let evaluated = answers
        .iter()
        .filter(|(s, b)| *s == 400 && b["error"] == "invalid_grant")
        .count();
    let throttled = answers
        .iter()
        .filter(|(s, b)| *s == 429 && b["error"] == "too_many_attempts")
        .count();
    (evaluated, throttled)
}

/// Eighty wrong passwords for one account at once, spread over `nodes` (one node, or several
/// on one database): the schedule's number are evaluated, the rest wait.
async fn password_guesses_at_once(app: &TestApp, nodes: &[&TestApp]) {
    let cli = password_client(app, &["mfa=never"]).await;
    app.create_user(EMAIL, PASSWORD).await;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let answers = at_once(80, || {
        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        token_request(
            nodes[n % nodes.len()],
            &cli,
            &[
                ("grant_type", "password"),
                ("username", EMAIL),
                ("password", "wrong guess, wrong guess"),
            ],
        )
    })
    .await;
    assert_eq!(tally(&answers), (EVALUATED, 80 - EVALUATED), "{answers:?}");
    // The right password now waits too: the account is throttled, not the guesser.
    let (status, body) = password(app, &cli, PASSWORD).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("too_many_attempts"))
    );
    let failures = app
        .store
        .recent_audit(500)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "login.failure")
        .count();
    assert_eq!(failures, EVALUATED, "only evaluated guesses are failures");
}

#[tokio::test]
async fn lockout_80_password_grant_guesses_evaluate_six_sqlite() {
    let app = spawn_app_with_env(Engine::Sqlite, NO_IP_LIMITS).await;
    password_guesses_at_once(&app, &[&app]).await;
    app.stop().await;
}

#[tokio::test]
async fn lockout_80_password_grant_guesses_evaluate_six_postgres() {
    let app = spawn_app_with_env(Engine::Postgres, NO_IP_LIMITS).await;
    password_guesses_at_once(&app, &[&app]).await;
    app.stop().await;
}

#[tokio::test]
async fn lockout_80_password_grant_guesses_over_three_nodes_evaluate_six() {
    let app = spawn_app_with_env(Engine::Postgres, NO_IP_LIMITS).await;
    let b = portcullis_testkit::spawn_node(&app, NO_IP_LIMITS).await;
    let c = portcullis_testkit::spawn_node(&app, NO_IP_LIMITS).await;
    password_guesses_at_once(&app, &[&app, &b, &c]).await;
    c.stop().await;
    b.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn lockout_80_hosted_login_guesses_evaluate_six() {
    let app = spawn_app_with_env(Engine::Sqlite, NO_IP_LIMITS).await;
    let (client_id, _) = setup(&app).await;
    // Eighty browsers, each on its own login page.
    let mut forms = Vec::new();
    for _ in 0..80 {
        let b = browser();
        let first = get(&b, &app, &authorize_url(&app, &client_id, "")).await;
        let page = get(&b, &app, first.location.as_deref().unwrap()).await;
        let state = form_value(&page.body, "state").unwrap();
        let csrf = form_value(&page.body, "csrf").unwrap();
        forms.push((b, state, csrf));
    }
    let tasks: Vec<_> = forms
        .into_iter()
        .map(|(b, state, csrf)| {
            let url = app.url("/u/login");
            tokio::spawn(async move {
                let form = [
                    ("state", state.as_str()),
                    ("csrf", csrf.as_str()),
                    ("email", EMAIL),
                    ("password", "wrong guess, wrong guess"),
                ];
                b.post(url)
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(
        (wrong, throttled),
        (EVALUATED, 80 - EVALUATED),
        "{statuses:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn lockout_80_totp_and_recovery_guesses_evaluate_six() {
    let app = spawn_app_with_env(Engine::Sqlite, NO_IP_LIMITS).await;
    let (web, _) = setup(&app).await;
    let (totp, codes) = enrol_totp(&browser(), &app, &web).await;
    let cli = password_client(&app, &["mfa=always"]).await;
    app.clock.advance(30);
    let (_, body) = password(&app, &cli, PASSWORD).await;
    let token = body["mfa_token"].as_str().unwrap().to_string();

    let answers = at_once(80, || {
        token_request(
            &app,
            &cli,
            &[
                ("grant_type", OTP),
                ("mfa_token", &token),
                ("otp", "000000"),
            ],
        )
    })
    .await;
    assert_eq!(tally(&answers), (EVALUATED, 80 - EVALUATED), "{answers:?}");
    // Even the right code waits now.
    let right = totp.code_at(app.clock_now());
    let (status, _) = otp(&app, &cli, &token, &right).await;
    assert_eq!(status, 429);

    // Recovery codes share the account's factor counter, which now stands at six: after the
    // wait, a burst gets exactly one guess before the next, longer wait.
    app.clock.advance(2);
    let (_, body) = password(&app, &cli, PASSWORD).await;
    let token = body["mfa_token"].as_str().unwrap().to_string();
    let recovery = |code: &'static str| {
        token_request(
            &app,
            &cli,
            &[
                ("grant_type", RECOVERY),
                ("mfa_token", &token),
                ("recovery_code", code),
            ],
        )
    };
    let answers = at_once(80, || recovery("AAAA-BBBB-CCCC")).await;
    assert_eq!(tally(&answers), (1, 79), "{answers:?}");
    // A right recovery code sent 80 times once the wait is over: spent exactly once.
    app.clock.advance(4);
    let (_, body) = password(&app, &cli, PASSWORD).await;
    let fresh = body["mfa_token"].as_str().unwrap().to_string();
    let code = codes[0].clone();
    let answers = at_once(80, || {
        token_request(
            &app,
            &cli,
            &[
                ("grant_type", RECOVERY),
                ("mfa_token", &fresh),
                ("recovery_code", &code),
            ],
        )
    })
    .await;
    let ok = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(ok, 1, "{answers:?}");
    app.stop().await;
}

#[tokio::test]
async fn ip_limit_password_grant_spraying_many_accounts_from_one_address() {
    // Defaults: 30 password tries per address and minute, whatever the accounts.
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let cli = password_client(&app, &["mfa=never"]).await;
    let mut answers = Vec::new();
    for n in 0..40 {
        let resp = spray(app.url("/oauth/token"), cli.clone(), n).await;
        let retry = resp.headers().get("retry-after").is_some();
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap();
        answers.push((
            status,
            body["error"].as_str().unwrap_or_default().to_string(),
            retry,
        ));
    }
    let limited: Vec<_> = answers.iter().filter(|(s, _, _)| *s == 429).collect();
    assert_eq!(limited.len(), 10, "{answers:?}");
    assert!(
        limited
            .iter()
            .all(|(_, e, retry)| e == "too_many_requests" && *retry)
    );
    // The mfa-* grants count against the factor allowance of the same address.
    for _ in 0..30 {
        let (status, _) = grant(
            &app,
            &cli,
            &[("grant_type", OTP), ("mfa_token", "x"), ("otp", "1")],
        )
        .await;
        assert_ne!(status, 429);
    }
    let (status, body) = grant(
        &app,
        &cli,
        &[
            ("grant_type", RECOVERY),
            ("mfa_token", "x"),
            ("recovery_code", "1"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("too_many_requests"))
    );
    app.stop().await;
}
