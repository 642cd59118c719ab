//! The self-service profile page: name; email change behind a fresh proof, confirmed by a
//! single-use link to the new address, the old one told, taken addresses answered as success;
//! password change with the current password or a fresh proof, the rules applied, other
//! sessions ended; deletion behind a proof from the last minute, a grace period that a sign-in
//! cancels, and a sweep that deletes when it is over.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::ports::Store;
use portcullis_server::ui::profile::sweep_deletions;
use portcullis_testkit::{TestApp, browser, form_value, spawn_app};

const PROFILE: &str = "/u/account/profile";

/// A browser signed in with the password (the user's only factor so far).
async fn signed_in(app: &TestApp, cid: &str) -> reqwest::Client {
    let b = browser();
    let done = password_step(&b, app, cid, "").await;
    assert!(done.param("code").is_some(), "{:?}", done.location);
    b
}

/// Posts one of the profile forms.
async fn act(b: &reqwest::Client, app: &TestApp, action: &str, fields: &[(&str, &str)]) -> Page {
    let mut all = vec![("action", action)];
    all.extend_from_slice(fields);
    submit(b, app, PROFILE, PROFILE, &all).await
}

/// Re-proves the password on `/u/mfa` (a step-up of a user with no second factor).
async fn prove_password(b: &reqwest::Client, app: &TestApp) -> Page {
    let page = get(b, app, "/u/mfa").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let method = form_value(&page.body, "method").unwrap();
    assert_eq!(method, "password");
    submit(
        b,
        app,
        "/u/mfa",
        "/u/mfa",
        &[("method", &method), ("code", PASSWORD)],
    )
    .await
}

fn count_to(app: &TestApp, to: &str) -> usize {
    app.state
        .outbox()
        .unwrap()
        .messages()
        .iter()
        .filter(|m| m.to == to)
        .count()
}

/// The email change link in the newest confirmation sent to `to`, other than `after`.
async fn change_link(app: &TestApp, to: &str, after: Option<&str>) -> String {
    for _ in 0..200 {
        let link = app
            .state
            .outbox()
            .unwrap()
            .latest_to(to)
            .and_then(|m| {
                m.text
                    .split_whitespace()
                    .find(|w| w.contains("/u/account/email?t="))
                    .map(str::to_string)
            })
            .filter(|l| Some(l.as_str()) != after);
        if let Some(link) = link {
            return link;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no email change link was sent to {to}");
}

/// Opens a link in a fresh browser (the link alone is enough) and presses the button.
async fn confirm(app: &TestApp, link: &str) -> Page {
    let b = browser();
    let page = get(&b, app, link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let token = form_value(&page.body, "t").unwrap();
    let csrf = form_value(&page.body, "csrf").unwrap();
    post(
        &b,
        app,
        "/u/account/email",
        &[("csrf", &csrf), ("t", &token)],
    )
    .await
}

async fn user(app: &TestApp, id: &str) -> Option<portcullis_core::model::User> {
    app.store.user_by_id(id).await.unwrap()
}

async fn events(app: &TestApp, uid: &str) -> Vec<portcullis_core::model::AuditEvent> {
    app.store.user_audit(uid, 100).await.unwrap()
}

async fn sessions(app: &TestApp, uid: &str) -> usize {
    app.store
        .user_sessions(uid, app.clock_now())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn profile_name_change_cleaned_saved_and_audited() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let anonymous = get(&browser(), &app, PROFILE).await;
    assert_eq!(
        anonymous.location.as_deref(),
        Some("/u/login?return_to=/u/account/profile")
    );
    let b = signed_in(&app, &cid).await;
    let uid = user_id(&app).await;
    let page = get(&b, &app, PROFILE).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("/u/account/security"),
        "linked both ways"
    );
    assert!(
        get(&b, &app, "/u/account/security")
            .await
            .body
            .contains("/u/account/profile")
    );

    let done = act(&b, &app, "name", &[("name", "  Ada\u{7} Lovelace \n")]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Your name was saved."));
    assert_eq!(
        user(&app, &uid).await.unwrap().name.as_deref(),
        Some("Ada Lovelace")
    );
    assert!(
        events(&app, &uid)
            .await
            .iter()
            .any(|e| e.kind == "user.updated" && e.detail["fields"][0] == "name")
    );
    // A form without the CSRF token changes nothing.
    let forged = post(&b, &app, PROFILE, &[("action", "name"), ("name", "Eve")]).await;
    assert_eq!(forged.status, 403);
    assert_eq!(
        user(&app, &uid).await.unwrap().name.as_deref(),
        Some("Ada Lovelace")
    );
    app.stop().await;
}

#[tokio::test]
async fn profile_email_change_stale_session_steps_up_then_link_moves_address_once() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let b = signed_in(&app, &cid).await;
    let uid = user_id(&app).await;
    let new = "ada@newmail.example";

    // Past five minutes, the change waits for a proof.
    app.clock.advance(301);
    let stale = act(&b, &app, "email", &[("email", new)]).await;
    assert_eq!(stale.location.as_deref(), Some("/u/mfa"));
    assert_eq!(count_to(&app, new), 0, "nothing sent before the proof");
    let back = prove_password(&b, &app).await;
    assert_eq!(back.location.as_deref(), Some(PROFILE), "{}", back.body);

    let sent = act(&b, &app, "email", &[("email", " Ada@NewMail.example ")]).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains(&format!("We sent a link to {new}")));
    let link = change_link(&app, new, None).await;
    assert_eq!(user(&app, &uid).await.unwrap().email, EMAIL, "not yet");
    // A reset link still in the old mailbox dies with the change.
    submit(
        &browser(),
        &app,
        "/u/reset",
        "/u/reset",
        &[("email", EMAIL)],
    )
    .await;
    let reset = mail(&app, EMAIL, "Reset your password").await;
    let reset = reset
        .text
        .split_whitespace()
        .find(|w| w.contains("/u/reset/password?t="))
        .unwrap()
        .to_string();

    let done = confirm(&app, &link).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let changed = user(&app, &uid).await.unwrap();
    assert_eq!(changed.email, new);
    assert!(changed.email_verified);
    let told = mail(&app, EMAIL, "Your email address was changed").await;
    assert!(told.text.contains("If this was not you"));
    assert!(
        events(&app, &uid)
            .await
            .iter()
            .any(|e| e.kind == "user.email_changed")
    );
    // Single use.
    assert_eq!(confirm(&app, &link).await.status, 410);
    let rb = browser();
    let opened = get(&rb, &app, &reset).await;
    let spent = post(
        &rb,
        &app,
        "/u/reset/continue",
        &[
            ("csrf", &form_value(&opened.body, "csrf").unwrap()),
            ("t", &form_value(&opened.body, "t").unwrap()),
        ],
    )
    .await;
    assert_eq!(spent.status, 410, "the old mailbox's reset link is dead");
    assert_eq!(user(&app, &uid).await.unwrap().email, new);
    app.stop().await;
}

#[tokio::test]
async fn profile_email_change_newer_request_or_expiry_kills_link() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let b = signed_in(&app, &cid).await;
    let uid = user_id(&app).await;
    let (first_to, second_to) = ("first@example.org", "second@example.org");

    act(&b, &app, "email", &[("email", first_to)]).await;
    let first = change_link(&app, first_to, None).await;
    act(&b, &app, "email", &[("email", second_to)]).await;
    let second = change_link(&app, second_to, None).await;
    assert_eq!(
        confirm(&app, &first).await.status,
        410,
        "a newer request kills it, whatever address it named"
    );
    app.clock.advance(30 * 60 + 1);
    assert_eq!(confirm(&app, &second).await.status, 410, "expired");
    assert_eq!(user(&app, &uid).await.unwrap().email, EMAIL);

    let b = signed_in(&app, &cid).await;
    act(&b, &app, "email", &[("email", second_to)]).await;
    let third = change_link(&app, second_to, Some(&second)).await;
    app.clock.advance(29 * 60);
    assert_eq!(confirm(&app, &third).await.status, 200);
    assert_eq!(user(&app, &uid).await.unwrap().email, second_to);
    app.stop().await;
}

#[tokio::test]
async fn profile_email_change_to_taken_address_looks_like_success_and_tells_owner() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let taken = "grace@example.com";
    let other = app.create_user(taken, "another long passphrase").await;
    let free = "ada@free.example";
    let b = signed_in(&app, &cid).await;
    let uid = user_id(&app).await;

    let to_free = act(&b, &app, "email", &[("email", free)]).await;
    let to_taken = act(&b, &app, "email", &[("email", taken)]).await;
    assert_eq!(to_free.status, to_taken.status);
    assert_eq!(
        without_nonces(&to_free.body).replace(free, "ADDRESS"),
        without_nonces(&to_taken.body).replace(taken, "ADDRESS"),
        "the same page either way"
    );
    let warned = mail(&app, taken, "Someone tried to use your email address").await;
    assert!(!warned.text.contains("/u/account/email?t="), "no link");
    assert_eq!(count_to(&app, taken), 1);
    assert_eq!(user(&app, &uid).await.unwrap().email, EMAIL);
    assert_eq!(user(&app, &other.id).await.unwrap().email, taken);
    // The request to the taken address was the newest: the earlier link is dead too.
    let link = change_link(&app, free, None).await;
    assert_eq!(confirm(&app, &link).await.status, 410);

    // Taken between the request and the click: a neutral refusal, nothing changes.
    act(&b, &app, "email", &[("email", free)]).await;
    let link = change_link(&app, free, Some(&link)).await;
    let late = app.create_user(free, "yet another long passphrase").await;
    let refused = confirm(&app, &link).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("was not changed"));
    assert_eq!(user(&app, &uid).await.unwrap().email, EMAIL);
    assert_eq!(user(&app, &late.id).await.unwrap().email, free);
    app.stop().await;
}

#[tokio::test]
async fn profile_password_change_wrong_current_refused_nothing_changes() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let b = signed_in(&app, &cid).await;
    let uid = user_id(&app).await;
    let before = user(&app, &uid).await.unwrap().password_hash;
    app.clock.advance(301);
    let page = get(&b, &app, PROFILE).await;
    assert!(page.body.contains("name=\"current\""), "asked for it");
    let wrong = act(
        &b,
        &app,
        "password",
        &[
            ("current", "not my password"),
            ("password", "purple giraffe lantern tides"),
        ],
    )
    .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("current password is not right"));
    assert_eq!(user(&app, &uid).await.unwrap().password_hash, before);
    assert_eq!(sessions(&app, &uid).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn profile_password_change_with_current_ends_other_sessions_and_notifies() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let b = signed_in(&app, &cid).await;
    let other = signed_in(&app, &cid).await;
    let uid = user_id(&app).await;
    assert_eq!(sessions(&app, &uid).await, 2);
    let before = user(&app, &uid).await.unwrap().password_hash;
    app.clock.advance(301);
    let done = act(
        &b,
        &app,
        "password",
        &[
            ("current", PASSWORD),
            ("password", "purple giraffe lantern tides"),
        ],
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Your password was changed"));
    assert_ne!(user(&app, &uid).await.unwrap().password_hash, before);
    assert_eq!(sessions(&app, &uid).await, 1, "this session stays");
    assert_eq!(get(&b, &app, PROFILE).await.status, 200);
    let ended = get(&other, &app, PROFILE).await;
    assert_eq!(
        ended.location.as_deref(),
        Some("/u/login?return_to=/u/account/profile"),
        "the other session's cookie no longer works"
    );
    mail(&app, EMAIL, "Your password was changed").await;
    assert!(
        events(&app, &uid)
            .await
            .iter()
            .any(|e| e.kind == "password.changed" && e.detail["via"] == "profile")
    );
    // The old password is gone.
    let old = password_step(&browser(), &app, &cid, "").await;
    assert!(old.param("code").is_none());
    app.stop().await;
}

#[tokio::test]
async fn profile_password_change_rules_refuse_short_and_common() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let b = signed_in(&app, &cid).await;
    let uid = user_id(&app).await;
    let before = user(&app, &uid).await.unwrap().password_hash;
    // A fresh proof stands in for the current password; the password is the only factor, so
    // 15 characters at least and nothing common or personal.
    for (weak, why) in [
        ("short but ok 1", "at least 15"),
        ("Password1234567!", "commonly used"),
        ("ada@example.com forever", "email"),
    ] {
        let page = act(&b, &app, "password", &[("password", weak)]).await;
        assert_eq!(page.status, 422, "{weak}");
        assert!(page.body.contains(why), "{weak}: {}", page.body);
    }
    assert_eq!(user(&app, &uid).await.unwrap().password_hash, before);
    let ok = act(
        &b,
        &app,
        "password",
        &[("password", "purple giraffe lantern tides")],
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_ne!(user(&app, &uid).await.unwrap().password_hash, before);
    app.stop().await;
}

#[tokio::test]
async fn profile_deletion_stale_auth_steps_up_schedules_and_sign_in_cancels() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let b = signed_in(&app, &cid).await;
    let other = signed_in(&app, &cid).await;
    let uid = user_id(&app).await;

    // More than a minute old: prove it again first.
    app.clock.advance(61);
    let stale = act(&b, &app, "delete", &[]).await;
    assert_eq!(stale.location.as_deref(), Some("/u/mfa"));
    let back = prove_password(&b, &app).await;
    assert_eq!(back.location.as_deref(), Some(PROFILE));
    assert!(
        get(&b, &app, PROFILE)
            .await
            .body
            .contains(">Delete my account<")
    );
    let done = act(&b, &app, "delete", &[]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("7 days"));
    assert_eq!(sessions(&app, &uid).await, 0, "signed out everywhere");
    assert!(get(&other, &app, PROFILE).await.location.is_some());
    let told = mail(&app, EMAIL, "Your account will be deleted").await;
    assert!(told.text.contains("/u/account/profile"));
    assert!(
        events(&app, &uid)
            .await
            .iter()
            .any(|e| e.kind == "user.deletion_scheduled")
    );

    // Signing in within the grace period keeps the account.
    app.clock.advance(3 * 86_400);
    signed_in(&app, &cid).await;
    mail(&app, EMAIL, "Your account will not be deleted").await;
    assert!(
        events(&app, &uid)
            .await
            .iter()
            .any(|e| e.kind == "user.deletion_cancelled")
    );
    app.clock.advance(10 * 86_400);
    assert_eq!(sweep_deletions(&app.state).await.unwrap(), 0);
    assert!(user(&app, &uid).await.is_some());
    app.stop().await;
}

#[tokio::test]
async fn profile_deletion_with_factor_after_grace_sweep_deletes_user() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let b = browser();
    let (totp, _) = enrol_totp(&b, &app, &cid).await;
    let uid = user_id(&app).await;

    app.clock.advance(61);
    let stale = act(&b, &app, "delete", &[]).await;
    assert_eq!(stale.location.as_deref(), Some("/u/mfa"));
    // The password alone does not do for a user with a second factor.
    let mfa = get(&b, &app, "/u/mfa").await;
    assert_ne!(form_value(&mfa.body, "method").as_deref(), Some("password"));
    app.clock.advance(30);
    let back = prove_totp(&b, &app, &totp).await;
    assert_eq!(back.location.as_deref(), Some(PROFILE), "{}", back.body);
    let done = act(&b, &app, "delete", &[]).await;
    assert_eq!(done.status, 200, "{}", done.body);

    app.clock.advance(7 * 86_400 - 60);
    assert_eq!(sweep_deletions(&app.state).await.unwrap(), 0, "not yet");
    assert!(user(&app, &uid).await.is_some());
    app.clock.advance(120);
    assert_eq!(sweep_deletions(&app.state).await.unwrap(), 1);
    assert!(user(&app, &uid).await.is_none());
    assert!(app.store.factors(&uid).await.unwrap().is_empty());
    assert!(
        events(&app, &uid)
            .await
            .iter()
            .any(|e| e.kind == "user.deleted" && e.detail["via"] == "scheduled")
    );
    assert_eq!(sweep_deletions(&app.state).await.unwrap(), 0, "once");
    let gone = password_step(&browser(), &app, &cid, "").await;
    assert!(gone.param("code").is_none());
    app.stop().await;
}

#[tokio::test]
async fn deletion_is_cancelled_by_a_password_grant_sign_in_too() {
    let app = spawn_app().await;
    app.create_user(EMAIL, PASSWORD).await;
    let id = user_id(&app).await;
    assert!(
        app.store
            .schedule_user_deletion(&id, app.clock_now() + 86_400)
            .await
            .unwrap()
    );
    let client = password_client(&app, &["mfa=never"]).await;
    let (status, body) = password(&app, &client, PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        app.store
            .users_due_for_deletion(app.clock_now() + 30 * 86_400, 10)
            .await
            .unwrap()
            .is_empty(),
        "the schedule is gone"
    );
    let kinds: Vec<String> = app
        .store
        .recent_audit(20)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(
        kinds.iter().any(|k| k == "user.deletion_cancelled"),
        "{kinds:?}"
    );
    app.stop().await;
}
