//! Second factors over HTTP: enrolment, the challenge at sign-in, recovery codes, remembered
//! devices, email codes, the security page and the throttles.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::*;
use portcullis_core::authn::factors::Outcome;
use portcullis_core::factor::totp::TotpSecret;
use portcullis_core::ports::Store;
use portcullis_testkit::{Engine, browser, form_value, spawn_app, spawn_app_with_env};

#[tokio::test]
async fn totp_enrol_then_sign_in_reaches_aal2() {
    let app = spawn_app().await;
    let (client_id, secret) = setup(&app).await;
    let b = browser();
    let (totp, _codes) = enrol_totp(&b, &app, &client_id).await;
    let factors = app.store.factors(&user_id(&app).await).await.unwrap();
    assert_eq!(factors.len(), 1);
    assert_eq!(factors[0].name, "Pixel");
    assert_ne!(
        factors[0].secret_enc.as_deref(),
        Some(totp.as_bytes()),
        "encrypted at rest"
    );

    let b2 = browser();
    let step = password_step(&b2, &app, &client_id, "").await;
    assert_eq!(step.location.as_deref(), Some("/u/mfa"));
    let page = get(&b2, &app, "/u/mfa").await;
    assert!(page.body.contains("authenticator app"), "{}", page.body);
    // The code that enrolled the factor is spent.
    let reused = totp.code_at(app.clock_now());
    let csrf = form_value(&page.body, "csrf").unwrap();
    let method = form_value(&page.body, "method").unwrap();
    let r = post(
        &b2,
        &app,
        "/u/mfa",
        &[("csrf", &csrf), ("method", &method), ("code", &reused)],
    )
    .await;
    assert_eq!(r.status, 401);
    app.clock.advance(30);
    let code = totp.code_at(app.clock_now());
    let ok = post(
        &b2,
        &app,
        "/u/mfa",
        &[("csrf", &csrf), ("method", &method), ("code", &code)],
    )
    .await;
    let auth_code = ok.param("code").expect("authorization code");
    let tokens = exchange(&app, &client_id, &secret, &auth_code).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal2");
    assert_eq!(id["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
    assert_eq!(id["auth_time"], app.clock_now());
    // The same code again, in a new sign-in: refused.
    let b3 = browser();
    password_step(&b3, &app, &client_id, "").await;
    let again = submit(
        &b3,
        &app,
        "/u/mfa",
        "/u/mfa",
        &[("method", &method), ("code", &code)],
    )
    .await;
    assert_eq!(again.status, 401);
    app.stop().await;
}

#[tokio::test]
async fn recovery_code_fifty_parallel_submissions_one_success() {
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[
            ("PORTCULLIS_LIMITS__LOGIN_PER_MINUTE", "0"),
            ("PORTCULLIS_LIMITS__FACTOR_PER_MINUTE", "0"),
            ("PORTCULLIS_LOCKOUT__FREE_ATTEMPTS", "99"),
            ("PORTCULLIS_LOCKOUT__LOCK_AFTER", "100"),
        ],
    )
    .await;
    let (client_id, secret) = setup(&app).await;
    let b = browser();
    let (_totp, codes) = enrol_totp(&b, &app, &client_id).await;
    let mut ready = Vec::new();
    for _ in 0..50 {
        let b = browser();
        let step = password_step(&b, &app, &client_id, "").await;
        assert_eq!(step.location.as_deref(), Some("/u/mfa"));
        let page = get(&b, &app, "/u/mfa?method=recovery").await;
        let csrf = form_value(&page.body, "csrf").unwrap();
        ready.push((b, csrf));
    }
    let app = Arc::new(app);
    let code = codes[3].clone();
    let tasks: Vec<_> = ready
        .into_iter()
        .map(|(b, csrf)| {
            let app = app.clone();
            let code = code.clone();
            tokio::spawn(async move {
                post(
                    &b,
                    &app,
                    "/u/mfa",
                    &[("csrf", &csrf), ("method", "recovery"), ("code", &code)],
                )
                .await
            })
        })
        .collect();
    let mut wins = Vec::new();
    for t in tasks {
        let page = t.await.unwrap();
        if let Some(c) = page.param("code") {
            wins.push(c);
        } else {
            assert_eq!(page.status, 401);
        }
    }
    assert_eq!(wins.len(), 1);
    let tokens = exchange(&app, &client_id, &secret, &wins[0]).await;
    assert_eq!(claims(tokens["id_token"].as_str().unwrap())["acr"], "aal2");
    let uid = user_id(&app).await;
    assert_eq!(app.store.recovery_codes_left(&uid).await.unwrap(), 9);
    // The owner is told by email.
    let outbox = app.state.outbox().unwrap();
    let notice = outbox.latest_to(EMAIL).unwrap();
    assert!(
        notice.subject.contains("recovery code"),
        "{}",
        notice.subject
    );
    let events = app.store.user_audit(&uid, 500).await.unwrap();
    assert!(events.iter().any(|e| e.kind == "recovery_code.used"));
    // Fifty requests writing at once: every failure is in the trail, none lost to the race for
    // the chain's next number, and the chain holds.
    assert_eq!(
        events.iter().filter(|e| e.kind == "factor.failure").count(),
        49
    );
    assert!(matches!(
        portcullis_core::audit::verify(app.store.as_ref(), app.state.master())
            .await
            .unwrap(),
        portcullis_core::audit::Verdict::Intact { .. }
    ));
}

#[tokio::test]
async fn totp_thousand_wrong_codes_never_succeed_and_lock() {
    let app = spawn_app().await;
    let (client_id, _) = setup(&app).await;
    let b = browser();
    let (totp, _) = enrol_totp(&b, &app, &client_id).await;
    let uid = user_id(&app).await;
    let mut counted = 0;
    let mut locked_events = 0;
    for i in 0..1000u32 {
        let now = app.clock_now();
        let right = totp.code_at(now);
        let window = [
            totp.code_at(now - 30),
            right.clone(),
            totp.code_at(now + 30),
        ];
        let mut n = right.parse::<u32>().unwrap() + 1 + i;
        while window.contains(&format!("{:06}", n % 1_000_000)) {
            n += 1;
        }
        let wrong = format!("{:06}", n % 1_000_000);
        match app
            .state
            .factors()
            .verify_totp(&uid, None, &wrong)
            .await
            .unwrap()
        {
            Outcome::Proved(_) => panic!("a wrong code succeeded"),
            Outcome::Wrong { locked } => {
                counted += 1;
                locked_events += usize::from(locked);
            }
            Outcome::Throttled { retry_after } => {
                // While locked, even the right code is refused without being looked at.
                let r = app
                    .state
                    .factors()
                    .verify_totp(&uid, None, &totp.code_at(now))
                    .await
                    .unwrap();
                assert!(matches!(r, Outcome::Throttled { .. }), "{r:?}");
                app.clock.advance(retry_after);
            }
        }
    }
    assert!(counted > 20, "{counted}");
    assert!(locked_events >= 1);
    // Over HTTP: the seventh wrong code in a row gets 429 with Retry-After.
    let app2 = spawn_app().await;
    let (client_id, _) = setup(&app2).await;
    let (_totp, _) = enrol_totp(&browser(), &app2, &client_id).await;
    let b2 = browser();
    password_step(&b2, &app2, &client_id, "").await;
    let page = get(&b2, &app2, "/u/mfa").await;
    let csrf = form_value(&page.body, "csrf").unwrap();
    let method = form_value(&page.body, "method").unwrap();
    for _ in 0..6 {
        let r = post(
            &b2,
            &app2,
            "/u/mfa",
            &[("csrf", &csrf), ("method", &method), ("code", "999999x")],
        )
        .await;
        assert_eq!(r.status, 401);
    }
    let resp = b2
        .post(app2.url("/u/mfa"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("method", method.as_str()),
            ("code", "123456"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().get("retry-after").is_some());
    app.stop().await;
    app2.stop().await;
}

#[tokio::test]
async fn policy_always_enrols_at_sign_in() {
    let app = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "always")]).await;
    let (client_id, secret) = setup(&app).await;
    let b = browser();
    let step = password_step(&b, &app, &client_id, "").await;
    assert_eq!(step.location.as_deref(), Some("/u/enroll"));
    let chooser = get(&b, &app, "/u/enroll").await;
    assert!(
        chooser.body.contains("least secure"),
        "SMS labelled weakest"
    );
    let page = get(&b, &app, "/u/enroll/totp").await;
    let totp = TotpSecret::from_base32(between(&page.body, "id=\"totp-secret\">", "<")).unwrap();
    let enrollment = form_value(&page.body, "enrollment").unwrap();
    let csrf = form_value(&page.body, "csrf").unwrap();
    let code = totp.code_at(app.clock_now());
    let codes = post(
        &b,
        &app,
        "/u/enroll/totp",
        &[
            ("csrf", &csrf),
            ("enrollment", &enrollment),
            ("code", &code),
        ],
    )
    .await;
    assert!(codes.body.contains("recovery codes"), "{}", codes.body);
    let done = post(&b, &app, "/u/enroll/continue", &[("csrf", &csrf)]).await;
    let tokens = exchange(
        &app,
        &client_id,
        &secret,
        &done.param("code").expect("code"),
    )
    .await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal2");
    assert_eq!(id["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
    app.stop().await;
}

#[tokio::test]
async fn remembered_device_skips_factor_but_not_for_prompt_login() {
    let app = spawn_app().await;
    let (client_id, secret) = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &client_id).await;
    app.clock.advance(30);
    let b = browser();
    password_step(&b, &app, &client_id, "").await;
    let page = get(&b, &app, "/u/mfa").await;
    assert!(page.body.contains("Remember this device for 30 days"));
    let csrf = form_value(&page.body, "csrf").unwrap();
    let method = form_value(&page.body, "method").unwrap();
    let code = totp.code_at(app.clock_now());
    let ok = post(
        &b,
        &app,
        "/u/mfa",
        &[
            ("csrf", &csrf),
            ("method", &method),
            ("code", &code),
            ("remember", "1"),
        ],
    )
    .await;
    let device = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("portcullis_device="))
        .expect("device cookie")
        .clone();
    assert!(device.contains("HttpOnly"));

    // A new browser session with only the device cookie: no second factor asked.
    let b2 = jar_with(&app, &device);
    let step = password_step(&b2, &app, &client_id, "").await;
    let tokens = exchange(
        &app,
        &client_id,
        &secret,
        &step.param("code").expect("skipped MFA"),
    )
    .await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal2");
    assert_eq!(id["amr"], serde_json::json!(["pwd", "mfa"]));
    let rotated = step
        .set_cookies
        .iter()
        .find(|c| c.starts_with("portcullis_device="))
        .expect("rotated")
        .clone();
    assert_ne!(rotated, device);
    // The old cookie value died with the rotation.
    let b3 = jar_with(&app, &device);
    assert_eq!(
        password_step(&b3, &app, &client_id, "")
            .await
            .location
            .as_deref(),
        Some("/u/mfa")
    );
    // prompt=login and max_age never take the device's word.
    let b4 = jar_with(&app, &rotated);
    assert_eq!(
        password_step(&b4, &app, &client_id, "&prompt=login")
            .await
            .location
            .as_deref(),
        Some("/u/mfa")
    );
    let b5 = jar_with(&app, &rotated);
    assert_eq!(
        password_step(&b5, &app, &client_id, "&max_age=600")
            .await
            .location
            .as_deref(),
        Some("/u/mfa")
    );
    // Listed, and gone once forgotten.
    let uid = user_id(&app).await;
    let devices = app.store.devices(&uid, app.clock_now()).await.unwrap();
    assert_eq!(devices.len(), 1);
    assert!(
        app.store
            .revoke_device(&uid, &devices[0].id, app.clock_now())
            .await
            .unwrap()
    );
    let b6 = jar_with(&app, &rotated);
    assert_eq!(
        password_step(&b6, &app, &client_id, "")
            .await
            .location
            .as_deref(),
        Some("/u/mfa")
    );
    app.stop().await;
}

#[tokio::test]
async fn email_code_factor_enrol_challenge_and_limits() {
    let app = spawn_app().await;
    let (client_id, secret) = setup(&app).await;
    let outbox = app.state.outbox().unwrap();
    let b = browser();
    password_step(&b, &app, &client_id, "").await;
    let ok = enrol_email_codes(&b, &app, EMAIL).await;
    assert_eq!(ok.status, 200, "recovery codes shown: {}", ok.body);

    let b2 = browser();
    assert_eq!(
        password_step(&b2, &app, &client_id, "")
            .await
            .location
            .as_deref(),
        Some("/u/mfa")
    );
    let page = get(&b2, &app, "/u/mfa").await;
    assert!(page.body.contains("Send a code"));
    let method = form_value(&page.body, "method").unwrap();
    let first = submit(&b2, &app, "/u/mfa", "/u/mfa/send", &[("method", &method)]).await;
    assert_eq!(first.status, 303);
    let old = code_in(&outbox.latest_to(EMAIL).unwrap().text);
    let send_again = submit(
        &b2,
        &app,
        &format!("/u/mfa?method={method}"),
        "/u/mfa/send",
        &[("method", &method)],
    )
    .await;
    let loc = send_again.location.unwrap();
    let new = code_in(&outbox.latest_to(EMAIL).unwrap().text);
    if old != new {
        // A new code replaces the old one.
        let r = submit(
            &b2,
            &app,
            &loc,
            "/u/mfa",
            &[("method", &method), ("code", &old)],
        )
        .await;
        assert_eq!(r.status, 401);
    }
    // Five wrong guesses spend the code: the right one no longer works.
    let wrong = if new == "000000" { "111111" } else { "000000" };
    let page = get(&b2, &app, &loc).await;
    let csrf = form_value(&page.body, "csrf").unwrap();
    let tried = if old != new { 1 } else { 0 };
    for _ in tried..5 {
        let r = post(
            &b2,
            &app,
            "/u/mfa",
            &[("csrf", &csrf), ("method", &method), ("code", wrong)],
        )
        .await;
        assert_eq!(r.status, 401);
    }
    let r = post(
        &b2,
        &app,
        "/u/mfa",
        &[("csrf", &csrf), ("method", &method), ("code", &new)],
    )
    .await;
    assert_eq!(r.status, 401, "out of tries");
    app.clock.advance(3);
    submit(&b2, &app, &loc, "/u/mfa/send", &[("method", &method)]).await;
    let fresh = code_in(&outbox.latest_to(EMAIL).unwrap().text);
    let done = submit(
        &b2,
        &app,
        &loc,
        "/u/mfa",
        &[("method", &method), ("code", &fresh)],
    )
    .await;
    let tokens = exchange(
        &app,
        &client_id,
        &secret,
        &done.param("code").expect("signed in"),
    )
    .await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal2");
    assert_eq!(id["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
    // Codes expire after 10 minutes.
    let b3 = browser();
    password_step(&b3, &app, &client_id, "").await;
    let page = get(&b3, &app, "/u/mfa").await;
    let method = form_value(&page.body, "method").unwrap();
    let sent = submit(&b3, &app, "/u/mfa", "/u/mfa/send", &[("method", &method)]).await;
    let late = code_in(&outbox.latest_to(EMAIL).unwrap().text);
    app.clock.advance(601);
    let r = submit(
        &b3,
        &app,
        &sent.location.unwrap(),
        "/u/mfa",
        &[("method", &method), ("code", &late)],
    )
    .await;
    assert_ne!(r.status, 302);
    app.stop().await;
}

#[tokio::test]
async fn security_page_needs_recent_factor_and_removal_ends_other_sessions() {
    let app = spawn_app().await;
    let (client_id, _) = setup(&app).await;
    let b1 = browser();
    let (totp, _) = enrol_totp(&b1, &app, &client_id).await;
    // A second signed-in browser.
    app.clock.advance(30);
    let b2 = browser();
    password_step(&b2, &app, &client_id, "").await;
    let code = totp.code_at(app.clock_now());
    let ok = submit(
        &b2,
        &app,
        "/u/mfa",
        "/u/mfa",
        &[
            (
                "method",
                &form_value(&get(&b2, &app, "/u/mfa").await.body, "method").unwrap(),
            ),
            ("code", &code),
        ],
    )
    .await;
    assert!(ok.param("code").is_some());
    assert_eq!(get(&b2, &app, "/u/account/security").await.status, 200);

    let uid = user_id(&app).await;
    let factor = app.store.factors(&uid).await.unwrap().remove(0);
    // Five minutes on, a change asks for a factor first.
    app.clock.advance(301);
    let r = submit(
        &b1,
        &app,
        "/u/account/security",
        "/u/account/security",
        &[
            ("action", "rename"),
            ("id", &factor.id),
            ("name", "Old phone"),
        ],
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/u/mfa"));
    let code = totp.code_at(app.clock_now());
    let page = get(&b1, &app, "/u/mfa").await;
    let stepped = post(
        &b1,
        &app,
        "/u/mfa",
        &[
            ("csrf", &form_value(&page.body, "csrf").unwrap()),
            ("method", &factor.id),
            ("code", &code),
        ],
    )
    .await;
    assert_eq!(stepped.location.as_deref(), Some("/u/account/security"));
    let r = submit(
        &b1,
        &app,
        "/u/account/security",
        "/u/account/security",
        &[
            ("action", "rename"),
            ("id", &factor.id),
            ("name", "Old phone"),
        ],
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/u/account/security"));
    let page = get(&b1, &app, "/u/account/security").await;
    assert!(page.body.contains("Old phone"));
    assert!(
        page.body.contains("<td>Sign-in method added</td>"),
        "recent events listed, in words"
    );
    // Removing the factor signs the other browser out and empties the recovery codes.
    let r = submit(
        &b1,
        &app,
        "/u/account/security",
        "/u/account/security",
        &[("action", "remove"), ("id", &factor.id)],
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/u/account/security"));
    assert!(app.store.factors(&uid).await.unwrap().is_empty());
    assert_eq!(app.store.recovery_codes_left(&uid).await.unwrap(), 0);
    let other = get(&b2, &app, "/u/account/security").await;
    assert_eq!(
        other.location.as_deref(),
        Some("/u/login?return_to=/u/account/security")
    );
    assert_eq!(get(&b1, &app, "/u/account/security").await.status, 200);
    let notice = app.state.outbox().unwrap().latest_to(EMAIL).unwrap();
    assert!(notice.subject.contains("removed"));
    app.stop().await;
}

#[tokio::test]
async fn hosted_pages_send_nonce_csp_and_security_headers() {
    let app = spawn_app().await;
    let (client_id, _) = setup(&app).await;
    let b = browser();
    let first = get(&b, &app, &authorize_url(&app, &client_id, "")).await;
    let resp = b
        .get(app.url(&first.location.unwrap()))
        .send()
        .await
        .unwrap();
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(resp.headers()["x-frame-options"], "DENY");
    assert_eq!(resp.headers()["referrer-policy"], "no-referrer");
    let body = resp.text().await.unwrap();
    let nonce = between(&body, "<style nonce=\"", "\"");
    assert!(csp.contains(&format!("style-src 'nonce-{nonce}'")), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert!(!body.contains("onclick") && !body.contains("onload"));
    // Every form carries a CSRF token; a post without one changes nothing.
    let r = post(&b, &app, "/u/mfa", &[("method", "recovery"), ("code", "x")]).await;
    assert_eq!(r.status, 403);
    app.stop().await;
}

#[tokio::test]
async fn https_issuer_sends_hsts_and_host_prefixed_cookies() {
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[("PORTCULLIS_ISSUER", "https://id.example.com")],
    )
    .await;
    let resp = reqwest::get(app.url("/u/login?return_to=/u/account/security"))
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    let cookie = resp.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-portcullis_csrf=") && cookie.contains("Secure"),
        "{cookie}"
    );
    let plain = spawn_app().await;
    let resp = reqwest::get(plain.url("/healthz")).await.unwrap();
    assert!(resp.headers().get("strict-transport-security").is_none());
    app.stop().await;
    plain.stop().await;
}
