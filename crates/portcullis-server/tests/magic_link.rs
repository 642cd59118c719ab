//! Email magic links over HTTP: the request that reveals nothing, the link that works once, for
//! ten minutes, only while it is the newest, and the second factor that still follows it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::*;
use portcullis_testkit::{TestApp, browser, form_value, spawn_app};
use serde_json::json;

/// A sign-in page for `client_id` in browser `b`: its `state` and `csrf` fields.
async fn login_page(b: &reqwest::Client, app: &TestApp, client_id: &str) -> (String, String) {
    let first = get(b, app, &authorize_url(app, client_id, "")).await;
    let page = get(b, app, &first.location.expect("to the sign-in page")).await;
    assert!(page.body.contains("formaction=\"/u/login/magic\""));
    (
        form_value(&page.body, "state").unwrap(),
        form_value(&page.body, "csrf").unwrap(),
    )
}

async fn ask_link(b: &reqwest::Client, app: &TestApp, client_id: &str, email: &str) -> Page {
    let (state, csrf) = login_page(b, app, client_id).await;
    post(
        b,
        app,
        "/u/login/magic",
        &[
            ("state", &state),
            ("csrf", &csrf),
            ("email", email),
            ("password", ""),
        ],
    )
    .await
}

/// The newest sign-in link in the outbox for `email` that is not `after` (delivery runs in the
/// background, so it may take a moment to land).
async fn link_to(app: &TestApp, email: &str, after: Option<&str>) -> String {
    let outbox = app.state.outbox().unwrap();
    for _ in 0..200 {
        let link = outbox
            .latest_to(email)
            .and_then(|m| {
                m.text
                    .split_whitespace()
                    .find(|w| w.contains("/u/magic?t="))
                    .map(str::to_string)
            })
            .filter(|l| Some(l.as_str()) != after);
        if let Some(link) = link {
            return link;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no sign-in link was sent to {email}");
}

/// Opens a link and presses "Sign in" in browser `b`.
async fn follow(b: &reqwest::Client, app: &TestApp, link: &str) -> Page {
    let page = get(b, app, link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let token = form_value(&page.body, "t").unwrap();
    let csrf = form_value(&page.body, "csrf").unwrap();
    post(b, app, "/u/magic", &[("csrf", &csrf), ("t", &token)]).await
}

#[tokio::test]
async fn magic_link_signs_in_once_and_the_request_reveals_nothing() {
    let app = spawn_app().await;
    let (client_id, secret) = setup(&app).await;
    let b = browser();
    let known = ask_link(&b, &app, &client_id, EMAIL).await;
    assert_eq!(known.status, 200);
    assert!(known.body.contains("Check your email"));
    let stranger = "nobody@example.com";
    let unknown = ask_link(&browser(), &app, &client_id, stranger).await;
    assert_eq!(unknown.status, known.status);
    assert_eq!(
        without_nonces(&unknown.body).replace(stranger, EMAIL),
        without_nonces(&known.body),
        "the same answer for an address without an account"
    );
    let link = link_to(&app, EMAIL, None).await;
    assert!(link.starts_with(&format!("{}/u/magic?t=", app.issuer)));
    let outbox = app.state.outbox().unwrap();
    assert!(outbox.latest_to(stranger).is_none());

    // Opening the link (a mail scanner does) spends nothing; the button does.
    let path = link.trim_start_matches(&app.issuer).to_string();
    assert_eq!(get(&browser(), &app, &path).await.status, 200);
    let done = follow(&b, &app, &path).await;
    let code = done
        .param("code")
        .unwrap_or_else(|| panic!("{}", done.body));
    let tokens = exchange(&app, &client_id, &secret, &code).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal1");
    assert_eq!(id["amr"], json!(["otp"]));
    assert_eq!(id["sub"], user_id(&app).await);

    let again = follow(&browser(), &app, &path).await;
    assert_eq!(again.status, 410, "a link works once");
    app.stop().await;
}

#[tokio::test]
async fn only_the_newest_link_works_and_only_for_ten_minutes() {
    let app = spawn_app().await;
    let (client_id, _secret) = setup(&app).await;
    let b = browser();
    ask_link(&b, &app, &client_id, EMAIL).await;
    let first = link_to(&app, EMAIL, None).await;
    ask_link(&b, &app, &client_id, EMAIL).await;
    let second = link_to(&app, EMAIL, Some(&first)).await;
    let strip = |l: &str| l.trim_start_matches(&app.issuer).to_string();
    assert_eq!(follow(&b, &app, &strip(&first)).await.status, 410);

    app.clock.advance(590);
    let done = follow(&b, &app, &strip(&second)).await;
    assert!(done.param("code").is_some(), "still valid after 590 s");

    ask_link(&browser(), &app, &client_id, EMAIL).await;
    let third = link_to(&app, EMAIL, Some(&second)).await;
    app.clock.advance(601);
    assert_eq!(follow(&browser(), &app, &strip(&third)).await.status, 410);

    let tampered = format!("{}x", strip(&third));
    assert_eq!(follow(&b, &app, &tampered).await.status, 410);
    assert_eq!(get(&b, &app, "/u/magic").await.status, 410);
    app.stop().await;
}

#[tokio::test]
async fn one_link_clicked_twenty_times_at_once_signs_in_once() {
    let app = spawn_app().await;
    let (client_id, _secret) = setup(&app).await;
    let b = browser();
    ask_link(&b, &app, &client_id, EMAIL).await;
    let link = link_to(&app, EMAIL, None).await;
    let page = get(&b, &app, link.trim_start_matches(&app.issuer)).await;
    let form = Arc::new([
        ("csrf", form_value(&page.body, "csrf").unwrap()),
        ("t", form_value(&page.body, "t").unwrap()),
    ]);
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (app, b, form) = (app.clone(), b.clone(), form.clone());
            tokio::spawn(async move {
                read(
                    b.post(app.url("/u/magic"))
                        .form(&*form)
                        .send()
                        .await
                        .unwrap(),
                )
                .await
            })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        let page = t.await.unwrap();
        if page.param("code").is_some() {
            wins += 1;
        } else {
            assert_eq!(page.status, 410);
        }
    }
    assert_eq!(wins, 1);
    Arc::into_inner(app).unwrap().stop().await;
}

#[tokio::test]
async fn a_second_factor_still_follows_and_email_codes_do_not_count_twice() {
    let app = spawn_app().await;
    let (client_id, secret) = setup(&app).await;
    let b = browser();
    let (totp, _codes) = enrol_totp(&b, &app, &client_id).await;

    let b2 = browser();
    ask_link(&b2, &app, &client_id, EMAIL).await;
    let link = link_to(&app, EMAIL, None).await;
    let step = follow(&b2, &app, link.trim_start_matches(&app.issuer)).await;
    assert_eq!(step.location.as_deref(), Some("/u/mfa"));
    app.clock.advance(30);
    let done = submit(
        &b2,
        &app,
        "/u/mfa",
        "/u/mfa",
        &[
            (
                "method",
                &form_value(&get(&b2, &app, "/u/mfa").await.body, "method").unwrap(),
            ),
            ("code", &totp.code_at(app.clock_now())),
        ],
    )
    .await;
    let code = done
        .param("code")
        .unwrap_or_else(|| panic!("{}", done.body));
    let tokens = exchange(&app, &client_id, &secret, &code).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal2");
    assert_eq!(id["amr"], json!(["otp", "mfa"]));

    // Bob's only factor is email codes: after a link, they would prove the same mailbox, so
    // he is not offered them (nor recovery codes) but his password, a factor of another kind;
    // the mailbox alone never adds a factor to his account.
    let bob = "bob@example.com";
    app.create_user(bob, PASSWORD).await;
    let bb = browser();
    portcullis_testkit::login(
        &bb,
        &app,
        &authorize_url(&app, &client_id, ""),
        bob,
        PASSWORD,
    )
    .await;
    let ok = enrol_email_codes(&bb, &app, bob).await;
    assert_eq!(ok.status, 200, "{}", ok.body);

    let bb2 = browser();
    ask_link(&bb2, &app, &client_id, bob).await;
    let link = link_to(&app, bob, None).await;
    let step = follow(&bb2, &app, link.trim_start_matches(&app.issuer)).await;
    assert_eq!(step.location.as_deref(), Some("/u/mfa"));
    let mfa = get(&bb2, &app, "/u/mfa").await;
    assert_eq!(mfa.status, 200, "{:?}", mfa.location);
    assert!(mfa.body.contains("Enter your password"), "{}", mfa.body);
    assert!(!mfa.body.contains("Email code to"), "{}", mfa.body);
    assert_ne!(get(&bb2, &app, "/u/enroll/totp").await.status, 200);
    let done = submit(
        &bb2,
        &app,
        "/u/mfa",
        "/u/mfa",
        &[("method", "password"), ("code", PASSWORD)],
    )
    .await;
    let code = done
        .param("code")
        .unwrap_or_else(|| panic!("{}", done.body));
    let tokens = exchange(&app, &client_id, &secret, &code).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal2");
    assert_eq!(id["amr"], json!(["pwd", "otp", "mfa"]));
    app.stop().await;
}
