//! The logs never carry a secret: every factor's journey runs with a subscriber that keeps
//! all events at TRACE level, then the text is searched for each password, seed, code, link
//! and token the journey used.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use portcullis_testkit::authenticator::SoftAuthenticator;
use portcullis_testkit::{browser, form_value, spawn_app};
use tracing::Level;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// Appends every formatted event to one shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn cookie_values(page: &Page) -> Vec<String> {
    page.set_cookies
        .iter()
        .filter_map(|c| {
            c.split(';')
                .next()?
                .split_once('=')
                .map(|(_, v)| v.to_string())
        })
        .filter(|v| v.len() >= 16)
        .collect()
}

#[tokio::test]
async fn no_password_seed_code_link_or_token_reaches_the_logs() {
    let logs = Captured::default();
    let writer = logs.clone();
    // Everything at TRACE except the test's own HTTP client, whose cookie jar logs what it
    // receives (the server's logs are what is under test).
    let targets = Targets::new()
        .with_default(Level::TRACE)
        .with_target("cookie_store", LevelFilter::OFF)
        .with_target("reqwest", LevelFilter::OFF);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone()),
        )
        .with(targets)
        .init();

    let app = spawn_app().await;
    let (client_id, secret) = setup(&app).await;
    let mut secrets: Vec<String> = vec![PASSWORD.into(), secret.clone()];

    // Password, then TOTP enrolment with its recovery codes.
    let b = browser();
    let (totp, codes) = enrol_totp(&b, &app, &client_id).await;
    secrets.push(totp.base32());
    secrets.extend(codes.iter().cloned());

    // Email codes as a second factor.
    app.clock.advance(30);
    let b2 = browser();
    password_step(&b2, &app, &client_id, "").await;
    let page = get(&b2, &app, "/u/mfa").await;
    let code = totp.code_at(app.clock_now());
    secrets.push(code.clone());
    let method = form_value(&page.body, "method").unwrap();
    let done = submit(
        &b2,
        &app,
        "/u/mfa",
        "/u/mfa",
        &[("method", &method), ("code", &code)],
    )
    .await;
    secrets.push(done.param("code").unwrap());
    secrets.extend(cookie_values(&done));
    let enrolled = enrol_email_codes(&b2, &app, EMAIL).await;
    assert_eq!(enrolled.status, 303, "{}", enrolled.body);
    let outbox = app.state.outbox().unwrap();
    let sent_codes: Vec<String> = outbox
        .messages()
        .iter()
        .filter(|m| m.text.contains("verification code"))
        .map(|m| code_in(&m.text))
        .collect();
    assert!(!sent_codes.is_empty());
    secrets.extend(sent_codes);

    // A recovery code at sign-in, and the tokens it earns.
    let b3 = browser();
    password_step(&b3, &app, &client_id, "").await;
    let used = submit(
        &b3,
        &app,
        "/u/mfa?method=recovery",
        "/u/mfa",
        &[("method", "recovery"), ("code", &codes[0])],
    )
    .await;
    let auth_code = used.param("code").unwrap();
    let tokens = exchange(&app, &client_id, &secret, &auth_code).await;
    for field in ["access_token", "id_token"] {
        secrets.push(tokens[field].as_str().unwrap().to_string());
    }

    // A magic link.
    let b4 = browser();
    let asked = submit(
        &b4,
        &app,
        "/u/login?return_to=/u/account/security",
        "/u/login/magic",
        &[("return_to", "/u/account/security"), ("email", EMAIL)],
    )
    .await;
    assert_eq!(asked.status, 200);
    let mut link = None;
    for _ in 0..200 {
        link = outbox.latest_to(EMAIL).and_then(|m| {
            let at = m.text.find("/u/magic?t=")?;
            Some(m.text[at..].split_whitespace().next()?.to_string())
        });
        if link.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let link = link.expect("a sign-in link");
    secrets.push(link.trim_start_matches("/u/magic?t=").to_string());
    let confirm = get(&b4, &app, &link).await;
    let followed = post(
        &b4,
        &app,
        "/u/magic",
        &[
            ("csrf", &form_value(&confirm.body, "csrf").unwrap()),
            ("t", &form_value(&confirm.body, "t").unwrap()),
        ],
    )
    .await;
    assert_eq!(followed.location.as_deref(), Some("/u/mfa"));

    // A passkey registration.
    let mut key = SoftAuthenticator::new(&app.issuer);
    let stored = register(&b2, &app, &mut key, "passkey", "Passkey").await;
    assert_eq!(stored.status, 303, "{}", stored.body);
    app.stop().await;

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("signed in"), "events were captured");
    for s in &secrets {
        if let Some(at) = text.find(s.as_str()) {
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            panic!("a secret reached the log: {}", &text[line_start..line_end]);
        }
    }
}
