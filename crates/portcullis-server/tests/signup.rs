//! Sign-up on the hosted pages: off unless a policy turns it on, the account exists only once
//! its address is proved (by the emailed code in this browser, or the link in any), the rules of
//! new passwords apply, and nothing in an answer tells whether an address already has an
//! account. Email verification at sign-in when policy requires it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::admin::NewClient;
use portcullis_core::policy::PolicyOverrides;
use portcullis_core::ports::Store;
use portcullis_testkit::{TestApp, browser, form_value, spawn_app};

const NEW_EMAIL: &str = "grace@example.com";
const NEW_PASSWORD: &str = "violet rivers under quiet hills";

/// A web client with these policy overrides: `(id, secret)`.
async fn client_with(app: &TestApp, pairs: &[&str]) -> (String, String) {
    let mut policy = PolicyOverrides::default();
    for p in pairs {
        policy.set(p).unwrap();
    }
    let (client, secret) = app
        .create_client(NewClient {
            name: "Signup app".into(),
            redirect_uris: vec![REDIRECT.into()],
            policy,
            ..NewClient::default()
        })
        .await;
    (client.id, secret.unwrap())
}

/// Opens the sign-up page through `/authorize?screen_hint=signup`; its path.
async fn open_signup(b: &reqwest::Client, app: &TestApp, client_id: &str) -> String {
    let first = get(
        b,
        app,
        &authorize_url(app, client_id, "&screen_hint=signup"),
    )
    .await;
    let to = first.location.expect("a redirect");
    assert!(to.starts_with("/u/signup?state="), "{to}");
    to
}

async fn sign_up(
    b: &reqwest::Client,
    app: &TestApp,
    page: &str,
    email: &str,
    password: &str,
) -> Page {
    let form = get(b, app, page).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let state = form_value(&form.body, "state").unwrap();
    let csrf = form_value(&form.body, "csrf").unwrap();
    post(
        b,
        app,
        "/u/signup",
        &[
            ("state", &state),
            ("csrf", &csrf),
            ("email", email),
            ("name", "Grace"),
            ("password", password),
        ],
    )
    .await
}

/// The newest email to `to` whose subject is `subject`, waiting for the background sender.
async fn mail(app: &TestApp, to: &str, subject: &str) -> portcullis_core::notify::Message {
    let outbox = app.state.outbox().unwrap();
    for _ in 0..200 {
        if let Some(m) = outbox.latest_to(to).filter(|m| m.subject == subject) {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no {subject:?} email to {to}");
}

fn link_in(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.contains("/u/signup/confirm?t="))
        .unwrap()
        .to_string()
}

async fn enter_code(b: &reqwest::Client, app: &TestApp, action: &str, code: &str) -> Page {
    submit(b, app, action, action, &[("code", code)]).await
}

#[tokio::test]
async fn signup_is_off_unless_a_policy_turns_it_on() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let b = browser();
    let first = get(&b, &app, &authorize_url(&app, &cid, "&screen_hint=signup")).await;
    let login = first.location.unwrap();
    assert!(login.starts_with("/u/login?state="), "{login}");
    let page = get(&b, &app, &login).await;
    assert!(!page.body.contains("Create an account"));
    let state = login.trim_start_matches("/u/login?state=");
    let closed = get(&b, &app, &format!("/u/signup?state={state}")).await;
    assert_eq!(closed.status, 404);
    let csrf = form_value(&page.body, "csrf").unwrap();
    let refused = post(
        &b,
        &app,
        "/u/signup",
        &[
            ("state", state),
            ("csrf", &csrf),
            ("email", NEW_EMAIL),
            ("password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(refused.status, 404);
    assert!(app.store.user_by_email(NEW_EMAIL).await.unwrap().is_none());

    // Turned on for one client: its sign-in page links to sign-up, and prompt=create opens it.
    let (open, _) = client_with(&app, &["signup=true"]).await;
    let first = get(&b, &app, &authorize_url(&app, &open, "&prompt=create")).await;
    assert!(
        first
            .location
            .as_deref()
            .unwrap()
            .starts_with("/u/signup?state="),
        "{:?}",
        first.location
    );
    let login = password_step_page(&b, &app, &open).await;
    assert!(login.body.contains("id=\"signup-link\""));
    app.stop().await;
}

async fn password_step_page(b: &reqwest::Client, app: &TestApp, client_id: &str) -> Page {
    let first = get(b, app, &authorize_url(app, client_id, "")).await;
    get(b, app, &first.location.unwrap()).await
}

#[tokio::test]
async fn signup_by_code_creates_a_verified_account_and_signs_in() {
    let app = spawn_app().await;
    let (cid, secret) = client_with(&app, &["signup=true"]).await;
    let b = browser();
    let page = open_signup(&b, &app, &cid).await;
    let sent = sign_up(&b, &app, &page, NEW_EMAIL, NEW_PASSWORD).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(sent.location.as_deref(), Some("/u/signup/verify"));
    assert!(
        app.store.user_by_email(NEW_EMAIL).await.unwrap().is_none(),
        "no account before the address is proved"
    );
    let email = mail(&app, NEW_EMAIL, "Verify your email address").await;
    let code = code_in(&email.text);
    assert!(email.text.contains("/u/signup/confirm?t="));

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = enter_code(&b, &app, "/u/signup/verify", wrong).await;
    assert_eq!(refused.status, 401);
    assert!(app.store.user_by_email(NEW_EMAIL).await.unwrap().is_none());

    // The right code twice at once: one creates the account and signs in, the other finds
    // the sign-up spent.
    let page = get(&b, &app, "/u/signup/verify").await;
    let csrf = form_value(&page.body, "csrf").unwrap();
    let form = [("csrf", csrf.as_str()), ("code", code.as_str())];
    let (one, two) = tokio::join!(
        post(&b, &app, "/u/signup/verify", &form),
        post(&b, &app, "/u/signup/verify", &form)
    );
    let (done, lost) = if one.param("code").is_some() {
        (one, two)
    } else {
        (two, one)
    };
    assert!(
        lost.param("code").is_none() && [401, 410].contains(&lost.status),
        "{}",
        lost.status
    );
    let auth_code = done
        .param("code")
        .unwrap_or_else(|| panic!("{:?} {}", done.location, done.body));
    let tokens = exchange(&app, &cid, &secret, &auth_code).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["email"], NEW_EMAIL);
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["amr"], serde_json::json!(["pwd"]));
    let user = app.store.user_by_email(NEW_EMAIL).await.unwrap().unwrap();
    assert!(user.email_verified);
    assert_eq!(user.name.as_deref(), Some("Grace"));
    assert_eq!(id["sub"], user.id);

    // Spent: the page is gone, the link finds nothing, and the new password signs in.
    assert_eq!(get(&b, &app, "/u/signup/verify").await.status, 410);
    assert_eq!(app.store.list_users().await.unwrap().len(), 1);
    let link = link_in(&email.text);
    assert_eq!(confirm(&browser(), &app, &link).await.status, 410);
    let b2 = browser();
    let login = password_step_page(&b2, &app, &cid).await;
    let signed = post(
        &b2,
        &app,
        "/u/login",
        &[
            ("state", &form_value(&login.body, "state").unwrap()),
            ("csrf", &form_value(&login.body, "csrf").unwrap()),
            ("email", NEW_EMAIL),
            ("password", NEW_PASSWORD),
        ],
    )
    .await;
    assert!(signed.param("code").is_some(), "{:?}", signed.location);
    let kinds: Vec<String> = app
        .store
        .recent_audit(50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&"signup.success".to_string()), "{kinds:?}");
    assert!(kinds.contains(&"signup.failed".to_string()), "{kinds:?}");
    app.stop().await;
}

/// Opens a sign-up link and presses its button in browser `b`.
async fn confirm(b: &reqwest::Client, app: &TestApp, link: &str) -> Page {
    let page = get(b, app, link).await;
    assert_eq!(page.status, 200);
    let token = form_value(&page.body, "t").unwrap();
    let csrf = form_value(&page.body, "csrf").unwrap();
    post(
        b,
        app,
        "/u/signup/confirm",
        &[("csrf", &csrf), ("t", &token)],
    )
    .await
}

#[tokio::test]
async fn signup_link_in_another_browser_creates_the_account_without_signing_in() {
    let app = spawn_app().await;
    let (cid, _) = client_with(&app, &["signup=true"]).await;
    let b = browser();
    let page = open_signup(&b, &app, &cid).await;
    sign_up(&b, &app, &page, NEW_EMAIL, NEW_PASSWORD).await;
    let email = mail(&app, NEW_EMAIL, "Verify your email address").await;
    let link = link_in(&email.text);
    // A mail scanner opening the link spends nothing.
    assert_eq!(get(&browser(), &app, &link).await.status, 200);
    let phone = browser();
    let done = confirm(&phone, &app, &link).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Your account is ready"));
    assert!(
        !done
            .set_cookies
            .iter()
            .any(|c| c.contains("session=") && !c.contains("Max-Age=0"))
    );
    assert!(
        app.store
            .user_by_email(NEW_EMAIL)
            .await
            .unwrap()
            .unwrap()
            .email_verified
    );
    // Once only: the link again, or the code in the first browser, find the sign-up gone.
    assert_eq!(confirm(&browser(), &app, &link).await.status, 410);
    assert_eq!(get(&b, &app, "/u/signup/verify").await.status, 410);
    app.stop().await;
}

#[tokio::test]
async fn signup_with_a_taken_address_answers_the_same_and_tells_the_owner() {
    let app = spawn_app().await;
    app.create_user(EMAIL, PASSWORD).await;
    let (cid, _) = client_with(&app, &["signup=true"]).await;
    let before = app.store.user_by_email(EMAIL).await.unwrap().unwrap();

    let taken_b = browser();
    let page = open_signup(&taken_b, &app, &cid).await;
    let taken = sign_up(&taken_b, &app, &page, EMAIL, NEW_PASSWORD).await;
    let free_b = browser();
    let page = open_signup(&free_b, &app, &cid).await;
    let free = sign_up(&free_b, &app, &page, NEW_EMAIL, NEW_PASSWORD).await;
    assert_eq!((taken.status, free.status), (303, 303));
    assert_eq!(taken.location, free.location);
    assert_eq!(taken.body, free.body);
    let names = |p: &Page| -> Vec<String> {
        p.set_cookies
            .iter()
            .map(|c| c.split('=').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&taken), names(&free));
    let taken_page = get(&taken_b, &app, "/u/signup/verify").await;
    let free_page = get(&free_b, &app, "/u/signup/verify").await;
    assert_eq!(
        neutral(&taken_page.body, EMAIL),
        neutral(&free_page.body, NEW_EMAIL)
    );

    // The owner is told instead of getting a code; every guess fails as a wrong code does.
    let note = mail(&app, EMAIL, "You already have an account").await;
    assert!(note.text.contains("/u/reset"));
    for guess in ["000000", "123456", "999999"] {
        let t = enter_code(&taken_b, &app, "/u/signup/verify", guess).await;
        let f = enter_code(&free_b, &app, "/u/signup/verify", guess).await;
        assert_eq!(t.status, 401);
        assert_eq!(t.status, f.status);
        assert_eq!(neutral(&t.body, EMAIL), neutral(&f.body, NEW_EMAIL));
    }
    let after = app.store.user_by_email(EMAIL).await.unwrap().unwrap();
    assert_eq!(after.password_hash, before.password_hash, "nothing changed");
    assert_eq!(app.store.list_users().await.unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn signup_applies_the_password_rules_and_checks_the_address() {
    let app = spawn_app().await;
    let (cid, _) = client_with(&app, &["signup=true"]).await;
    let b = browser();
    let page = open_signup(&b, &app, &cid).await;
    for (email, password, why) in [
        (NEW_EMAIL, "short but ok 1", "at least 15"),
        (NEW_EMAIL, "Password1234567!", "commonly used"),
        (NEW_EMAIL, "grace@example.com is me", "email"),
        ("not an address", NEW_PASSWORD, "valid email"),
    ] {
        let refused = sign_up(&b, &app, &page, email, password).await;
        assert_eq!(refused.status, 422, "{password}");
        assert!(refused.body.contains(why), "{password}: {}", refused.body);
        assert!(
            !refused.body.contains(password),
            "the password is never echoed"
        );
    }
    assert!(app.store.list_users().await.unwrap().is_empty());
    assert!(app.state.outbox().unwrap().latest_to(NEW_EMAIL).is_none());

    // With MFA always asked, the password is not the only factor: 8 characters will do, and
    // the new account enrols a second factor before it reaches the application.
    let (strict, _) = client_with(&app, &["signup=true", "mfa=always"]).await;
    let b = browser();
    let page = open_signup(&b, &app, &strict).await;
    let sent = sign_up(&b, &app, &page, NEW_EMAIL, "tulip moon").await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let code = code_in(
        &mail(&app, NEW_EMAIL, "Verify your email address")
            .await
            .text,
    );
    let done = enter_code(&b, &app, "/u/signup/verify", &code).await;
    assert_eq!(done.location.as_deref(), Some("/u/enroll"));
    app.stop().await;
}

#[tokio::test]
async fn strength_meter_judges_as_the_form_does() {
    let app = spawn_app().await;
    let b = browser();
    let page = get(&b, &app, "/u/reset").await;
    let csrf = form_value(&page.body, "csrf").unwrap();
    let judge = |password: &'static str, single: &'static str| {
        let (b, app, csrf) = (b.clone(), app.url("/u/password/strength"), csrf.clone());
        async move {
            let resp = b
                .post(app)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("password", password),
                    ("single", single),
                    ("email", NEW_EMAIL),
                    ("name", "Grace"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            resp.json::<serde_json::Value>().await.unwrap()
        }
    };
    let weak = judge("password", "0").await;
    assert_eq!(weak["ok"], false);
    assert!(weak["score"].as_u64().unwrap() <= 1);
    let short = judge("tulip moon", "1").await;
    assert_eq!(short["ok"], false);
    assert!(short["message"].as_str().unwrap().contains("15"));
    assert_eq!(judge("tulip moon", "0").await["ok"], true);
    let strong = judge(NEW_PASSWORD, "1").await;
    assert_eq!(strong["ok"], true);
    assert!(strong["score"].as_u64().unwrap() >= 3, "{strong}");
    assert_eq!(judge("grace@example.com forever", "0").await["ok"], false);
    // Without the form's CSRF token it answers nothing.
    let forged = reqwest::Client::new()
        .post(app.url("/u/password/strength"))
        .form(&[("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn unverified_users_prove_their_address_when_policy_requires_it() {
    let app = spawn_app().await;
    app.create_user(EMAIL, PASSWORD).await;
    let (cid, secret) = client_with(&app, &["require_verified_email=true"]).await;
    let b = browser();
    let held = password_step(&b, &app, &cid, "").await;
    assert_eq!(held.location.as_deref(), Some("/u/verify"));
    let code = code_in(&mail(&app, EMAIL, "Verify your email address").await.text);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(enter_code(&b, &app, "/u/verify", wrong).await.status, 401);
    let user = app.store.user_by_email(EMAIL).await.unwrap().unwrap();
    assert!(!user.email_verified);
    let done = enter_code(&b, &app, "/u/verify", &code).await;
    let auth_code = done
        .param("code")
        .unwrap_or_else(|| panic!("{:?} {}", done.location, done.body));
    let id = claims(
        exchange(&app, &cid, &secret, &auth_code).await["id_token"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(id["email_verified"], true);
    assert!(
        app.store
            .user_by_email(EMAIL)
            .await
            .unwrap()
            .unwrap()
            .email_verified
    );

    // Verified once, the next sign-in goes straight through; other clients never asked.
    let next = password_step(&browser(), &app, &cid, "").await;
    assert!(next.param("code").is_some(), "{:?}", next.location);
    app.stop().await;
}

#[tokio::test]
async fn signup_resend_replaces_the_code_a_few_times_and_tells_nothing() {
    let app = spawn_app().await;
    app.create_user(EMAIL, PASSWORD).await;
    let (cid, _) = client_with(&app, &["signup=true"]).await;
    let free = browser();
    let page = open_signup(&free, &app, &cid).await;
    sign_up(&free, &app, &page, NEW_EMAIL, NEW_PASSWORD).await;
    let first = code_in(
        &mail(&app, NEW_EMAIL, "Verify your email address")
            .await
            .text,
    );
    let taken = browser();
    let page = open_signup(&taken, &app, &cid).await;
    sign_up(&taken, &app, &page, EMAIL, NEW_PASSWORD).await;

    let resend = |b: reqwest::Client| {
        let app = &app;
        async move { submit(&b, app, "/u/signup/verify", "/u/signup/resend", &[]).await }
    };
    let again = resend(free.clone()).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.body.contains("We sent a new code"));
    let other = resend(taken.clone()).await;
    assert_eq!(neutral(&again.body, NEW_EMAIL), neutral(&other.body, EMAIL));
    let mut second = first.clone();
    for _ in 0..200 {
        second = code_in(
            &mail(&app, NEW_EMAIL, "Verify your email address")
                .await
                .text,
        );
        if second != first {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_ne!(second, first, "a new code went out");
    // Only the newest code works; after three new codes, no more.
    assert_eq!(
        enter_code(&free, &app, "/u/signup/verify", &first)
            .await
            .status,
        401
    );
    resend(free.clone()).await;
    resend(free.clone()).await;
    let enough = resend(free.clone()).await;
    assert_eq!(enough.status, 429);
    let enough_taken = {
        resend(taken.clone()).await;
        resend(taken.clone()).await;
        resend(taken.clone()).await
    };
    assert_eq!(
        neutral(&enough.body, NEW_EMAIL),
        neutral(&enough_taken.body, EMAIL)
    );
    // The first code and three new ones, the newest first once all four are out.
    let outbox = app.state.outbox().unwrap();
    let sent = || {
        outbox
            .messages()
            .into_iter()
            .filter(|m| m.to == NEW_EMAIL && m.subject == "Verify your email address")
            .collect::<Vec<_>>()
    };
    for _ in 0..200 {
        if sent().len() == 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(sent().len(), 4);
    let newest = code_in(&sent()[0].text);
    let done = enter_code(&free, &app, "/u/signup/verify", &newest).await;
    assert!(
        done.param("code").is_some(),
        "{:?} {}",
        done.location,
        done.body
    );
    app.stop().await;
}

#[tokio::test]
async fn signup_cannot_flood_a_mailbox() {
    let app = spawn_app().await;
    let (cid, _) = client_with(&app, &["signup=true"]).await;
    for _ in 0..9 {
        let b = browser();
        let page = open_signup(&b, &app, &cid).await;
        let sent = sign_up(&b, &app, &page, NEW_EMAIL, NEW_PASSWORD).await;
        assert_eq!(
            sent.location.as_deref(),
            Some("/u/signup/verify"),
            "the same answer"
        );
    }
    let outbox = app.state.outbox().unwrap();
    let count = || {
        outbox
            .messages()
            .iter()
            .filter(|m| m.to == NEW_EMAIL)
            .count()
    };
    for _ in 0..100 {
        if count() >= 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    // Free tries of the lockout schedule, then waits that grow (time stands still here).
    assert_eq!(count(), 6);
    // Later the address gets mail again.
    app.clock.advance(3);
    let b = browser();
    let page = open_signup(&b, &app, &cid).await;
    sign_up(&b, &app, &page, NEW_EMAIL, NEW_PASSWORD).await;
    for _ in 0..100 {
        if count() == 7 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(count(), 7);
    app.stop().await;
}

#[tokio::test]
async fn signup_a_look_alike_of_a_taken_address_is_taken_and_only_its_owner_hears() {
    let app = spawn_app().await;
    app.create_user("alice@example.com", PASSWORD).await;
    let (client_id, _) = client_with(&app, &["signup=true"]).await;
    // A Cyrillic "а" and a fullwidth "ａ": other strings, the same face.
    for look_alike in ["\u{430}lice@example.com", "\u{ff41}lice@example.com"] {
        let b = browser();
        let page = open_signup(&b, &app, &client_id).await;
        let answer = sign_up(&b, &app, &page, look_alike, NEW_PASSWORD).await;
        assert_eq!(answer.location.as_deref(), Some("/u/signup/verify"));
        mail(&app, "alice@example.com", "You already have an account").await;
        assert!(app.state.outbox().unwrap().latest_to(look_alike).is_none());
        assert!(app.store.user_by_email(look_alike).await.unwrap().is_none());
    }
    // The domain's case is the address's: one account.
    assert_eq!(
        app.store
            .user_by_email("Alice@EXAMPLE.com")
            .await
            .unwrap()
            .unwrap()
            .email,
        "alice@example.com"
    );
    app.stop().await;
}
