//! Security notices to the user: a sign-in from a new browser, and the HTML part every notice
//! carries beside its text, with the "not you?" link to the security page.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_testkit::{Engine, spawn_app_with_env};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15";

async fn notices(app: &portcullis_testkit::TestApp, subject: &str) -> usize {
    // The notice is sent in the background: give it a moment.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    app.state
        .outbox()
        .unwrap()
        .messages()
        .into_iter()
        .filter(|m| m.to == EMAIL && m.subject == subject)
        .count()
}

#[tokio::test]
async fn a_new_browser_is_announced_the_first_sign_in_and_a_known_one_is_not() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (cid, _) = setup(&app).await;
    const NEW: &str = "New sign-in to your account";
    assert!(
        password_step(&browser_as(FIREFOX), &app, &cid, "")
            .await
            .param("code")
            .is_some()
    );
    assert_eq!(
        notices(&app, NEW).await,
        0,
        "the first sign-in ever is not news"
    );
    assert!(
        password_step(&browser_as(FIREFOX), &app, &cid, "")
            .await
            .param("code")
            .is_some()
    );
    assert_eq!(notices(&app, NEW).await, 0, "a known browser is not news");
    assert!(
        password_step(&browser_as(SAFARI), &app, &cid, "")
            .await
            .param("code")
            .is_some()
    );
    assert_eq!(notices(&app, NEW).await, 1);
    let mail = app.state.outbox().unwrap().latest_to(EMAIL).unwrap();
    assert!(mail.text.contains("Safari on macOS"), "{}", mail.text);
    assert!(mail.text.contains("127.0.0.1"));
    let security = format!("{}/u/account/security", app.issuer);
    assert!(mail.text.contains(&security));
    let html = mail.html.unwrap();
    assert!(html.contains(&format!("<a href=\"{security}\">")), "{html}");
    assert!(!mail.text.contains(PASSWORD) && !html.contains(PASSWORD));
    // Once announced, the browser is known.
    assert!(
        password_step(&browser_as(SAFARI), &app, &cid, "")
            .await
            .param("code")
            .is_some()
    );
    assert_eq!(notices(&app, NEW).await, 1);
    app.stop().await;
}
