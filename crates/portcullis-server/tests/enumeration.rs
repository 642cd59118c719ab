//! No door of the hosted pages or the token endpoint tells an outsider whether an address has an
//! account: for each, the answer to an address with an account (wrong password, or blocked) and
//! to one without is the same status, the same page or JSON (per-browser tokens aside), the same
//! cookies, and mail goes only to the real owner.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::ports::Store;
use portcullis_testkit::{TestApp, browser, form_value, spawn_app_with_env};

const STRANGER: &str = "nobody@example.com";
const BLOCKED: &str = "bo@example.com";

fn cookie_names(p: &Page) -> Vec<String> {
    let mut names: Vec<String> = p
        .set_cookies
        .iter()
        .map(|c| c.split('=').next().unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn assert_same(door: &str, a: &Page, a_email: &str, b: &Page, b_email: &str) {
    assert_eq!(a.status, b.status, "{door}: status");
    assert_eq!(a.location, b.location, "{door}: location");
    assert_eq!(cookie_names(a), cookie_names(b), "{door}: cookies");
    assert_eq!(
        neutral(&a.body, a_email),
        neutral(&b.body, b_email),
        "{door}: page"
    );
}

/// The sign-in page of a fresh `/authorize` in browser `b`: its `state` and `csrf`.
async fn sign_in_form(b: &reqwest::Client, app: &TestApp, client_id: &str) -> (String, String) {
    let first = get(b, app, &authorize_url(app, client_id, "")).await;
    let page = get(b, app, &first.location.unwrap()).await;
    (
        form_value(&page.body, "state").unwrap(),
        form_value(&page.body, "csrf").unwrap(),
    )
}

async fn at_door(app: &TestApp, client_id: &str, action: &str, email: &str, pw: &str) -> Page {
    let b = browser();
    let (state, csrf) = sign_in_form(&b, app, client_id).await;
    post(
        &b,
        app,
        action,
        &[
            ("state", &state),
            ("csrf", &csrf),
            ("email", email),
            ("name", ""),
            ("password", pw),
        ],
    )
    .await
}

#[tokio::test]
async fn no_door_tells_whether_an_address_has_an_account() {
    let app = spawn_app_with_env(
        portcullis_testkit::Engine::Sqlite,
        &[("PORTCULLIS_POLICY__SIGNUP", "true")],
    )
    .await;
    let (cid, _) = setup(&app).await;
    let blocked = app.create_user(BLOCKED, PASSWORD).await;
    let mut user = app.store.user_by_id(&blocked.id).await.unwrap().unwrap();
    user.blocked = true;
    app.store.update_user(&user).await.unwrap();

    // The password form: a wrong password, a blocked account with the right one, no account.
    let wrong = at_door(&app, &cid, "/u/login", EMAIL, "not the password").await;
    let none = at_door(&app, &cid, "/u/login", STRANGER, "not the password").await;
    let held = at_door(&app, &cid, "/u/login", BLOCKED, PASSWORD).await;
    assert_eq!(wrong.status, 401);
    assert_same("sign-in", &wrong, EMAIL, &none, STRANGER);
    assert_same("sign-in (blocked)", &held, BLOCKED, &none, STRANGER);

    // An emailed sign-in link, a password reset, a sign-up.
    for (door, action) in [("magic link", "/u/login/magic"), ("sign-up", "/u/signup")] {
        let known = at_door(&app, &cid, action, EMAIL, "violet rivers under quiet hills").await;
        let unknown = at_door(
            &app,
            &cid,
            action,
            STRANGER,
            "violet rivers under quiet hills",
        )
        .await;
        assert_same(door, &known, EMAIL, &unknown, STRANGER);
    }
    let shared = &app;
    let reset = |email: &'static str| async move {
        submit(
            &browser(),
            shared,
            "/u/reset",
            "/u/reset",
            &[("email", email)],
        )
        .await
    };
    let (known, unknown) = (reset(EMAIL).await, reset(STRANGER).await);
    assert_same("password reset", &known, EMAIL, &unknown, STRANGER);

    // The password grant (first-party apps, Auth0's MFA API).
    let client = password_client(shared, &[]).await;
    let ask = |username: &'static str| {
        let client = client.clone();
        async move {
            grant(
                shared,
                &client,
                &[
                    ("grant_type", "password"),
                    ("username", username),
                    ("password", "not the password"),
                    ("scope", "openid"),
                ],
            )
            .await
        }
    };
    let (known, unknown) = (ask(EMAIL).await, ask(STRANGER).await);
    assert_eq!(known, unknown, "password grant");
    assert_eq!(ask(BLOCKED).await, unknown, "password grant (blocked)");

    // Mail went to the account's owner only, never to the address without one.
    for _ in 0..100 {
        if app.state.outbox().unwrap().latest_to(EMAIL).is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let outbox = app.state.outbox().unwrap();
    assert!(outbox.latest_to(EMAIL).is_some());
    assert!(
        outbox
            .latest_to(STRANGER)
            .is_some_and(|m| m.subject == "Verify your email address")
    );
    assert_eq!(
        outbox
            .messages()
            .iter()
            .filter(|m| m.to == STRANGER)
            .count(),
        1,
        "only the sign-up's own code goes to a free address"
    );
    app.stop().await;
}
