//! Password reset by email link: the same answer for known and unknown addresses, one use,
//! the newest link only, 30 minutes; a user with a factor proves it before the new password is
//! taken; the rules apply; success ends every session and tells the user.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::ports::Store;
use portcullis_testkit::{TestApp, browser, form_value, spawn_app};

async fn ask(app: &TestApp, email: &str) -> Page {
    submit(&browser(), app, "/u/reset", "/u/reset", &[("email", email)]).await
}

/// The newest reset link in the outbox for `email` that is not `after`.
async fn reset_link(app: &TestApp, after: Option<&str>) -> String {
    let outbox = app.state.outbox().unwrap();
    for _ in 0..200 {
        let link = outbox
            .latest_to(EMAIL)
            .and_then(|m| {
                m.text
                    .split_whitespace()
                    .find(|w| w.contains("/u/reset/password?t="))
                    .map(str::to_string)
            })
            .filter(|l| Some(l.as_str()) != after);
        if let Some(link) = link {
            return link;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no reset link was sent");
}

/// Opens a link and presses "Continue" in browser `b`.
async fn follow(b: &reqwest::Client, app: &TestApp, link: &str) -> Page {
    let page = get(b, app, link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let token = form_value(&page.body, "t").unwrap();
    let csrf = form_value(&page.body, "csrf").unwrap();
    post(
        b,
        app,
        "/u/reset/continue",
        &[("csrf", &csrf), ("t", &token)],
    )
    .await
}

async fn new_password(b: &reqwest::Client, app: &TestApp, password: &str) -> Page {
    submit(
        b,
        app,
        "/u/reset/new",
        "/u/reset/new",
        &[("password", password)],
    )
    .await
}

async fn hash_of(app: &TestApp) -> Option<String> {
    app.store
        .user_by_email(EMAIL)
        .await
        .unwrap()
        .unwrap()
        .password_hash
}

#[tokio::test]
async fn the_request_reveals_nothing_and_a_link_works_once() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let stranger = "nobody@example.com";
    let unknown = ask(&app, stranger).await;
    let known = ask(&app, EMAIL).await;
    assert_eq!(known.status, 200);
    assert_eq!(without_nonces(&unknown.body), without_nonces(&known.body));
    assert!(app.state.outbox().unwrap().latest_to(stranger).is_none());

    // The link opens a button; pressing it (no factor) goes to the form.
    let link = reset_link(&app, None).await;
    let b = browser();
    let go = follow(&b, &app, &link).await;
    assert_eq!(go.location.as_deref(), Some("/u/reset/new"));
    // The password alone stands for the account: 15 characters at least, not a common one.
    let before = hash_of(&app).await;
    for (weak, why) in [
        ("short but ok 1", "at least 15"),
        ("Password1234567!", "commonly used"),
        ("ada@example.com forever", "email"),
    ] {
        let page = new_password(&b, &app, weak).await;
        assert_eq!(page.status, 422, "{weak}");
        assert!(page.body.contains(why), "{weak}: {}", page.body);
    }
    assert_eq!(hash_of(&app).await, before, "nothing changed");
    let done = new_password(&b, &app, "a brand new passphrase").await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_ne!(hash_of(&app).await, before);
    let mail = app.state.outbox().unwrap().latest_to(EMAIL).unwrap();
    assert_eq!(mail.subject, "Your password was changed");

    // The link is spent; the new password works and the old one does not.
    assert_eq!(follow(&browser(), &app, &link).await.status, 410);
    let old = password_step(&browser(), &app, &cid, "").await;
    assert!(old.param("code").is_none());
    app.stop().await;
}

#[tokio::test]
async fn only_the_newest_link_works_and_only_for_thirty_minutes() {
    let app = spawn_app().await;
    setup(&app).await;
    ask(&app, EMAIL).await;
    let first = reset_link(&app, None).await;
    ask(&app, EMAIL).await;
    let second = reset_link(&app, Some(&first)).await;
    assert_eq!(follow(&browser(), &app, &first).await.status, 410);
    app.clock.advance(30 * 60 + 1);
    assert_eq!(follow(&browser(), &app, &second).await.status, 410);
    ask(&app, EMAIL).await;
    let third = reset_link(&app, Some(&second)).await;
    app.clock.advance(29 * 60);
    assert_eq!(
        follow(&browser(), &app, &third).await.location.as_deref(),
        Some("/u/reset/new")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_user_with_a_factor_proves_it_first_and_every_session_ends() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let signed_in = browser();
    let (totp, _) = enrol_totp(&signed_in, &app, &cid).await;
    let uid = user_id(&app).await;
    assert_eq!(
        app.store
            .user_sessions(&uid, app.clock_now())
            .await
            .unwrap()
            .len(),
        1
    );

    ask(&app, EMAIL).await;
    let link = reset_link(&app, None).await;
    let b = browser();
    let go = follow(&b, &app, &link).await;
    assert_eq!(
        go.location.as_deref(),
        Some("/u/mfa"),
        "the factor comes first"
    );
    // The form stays shut until the factor is proved.
    let shut = get(&b, &app, "/u/reset/new").await;
    assert_eq!(shut.status, 410);
    let before = hash_of(&app).await;
    let wrong = submit(
        &b,
        &app,
        "/u/mfa",
        "/u/mfa",
        &[
            (
                "method",
                &form_value(&get(&b, &app, "/u/mfa").await.body, "method").unwrap(),
            ),
            ("code", "000000"),
        ],
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(get(&b, &app, "/u/reset/new").await.status, 410);
    app.clock.advance(30);
    let proved = prove_totp(&b, &app, &totp).await;
    assert_eq!(
        proved.location.as_deref(),
        Some("/u/reset/new"),
        "{}",
        proved.body
    );
    // With a second factor beside it, 8 characters will do.
    let done = new_password(&b, &app, "fresh lynx").await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_ne!(hash_of(&app).await, before);
    assert!(
        app.store
            .user_sessions(&uid, app.clock_now())
            .await
            .unwrap()
            .is_empty(),
        "every session ended, and the reset signed nobody in"
    );
    let events = app.store.user_audit(&uid, 50).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == "password.changed" && e.detail["via"] == "reset")
    );
    app.stop().await;
}
