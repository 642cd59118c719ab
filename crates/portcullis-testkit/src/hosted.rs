//! A browser's way through the hosted pages, for tests of relying parties: from an
//! authorization URL to the redirect back to the application.

use portcullis_core::clock::Clock;
use portcullis_core::factor::totp::TotpSecret;

use crate::{TestApp, form_value};

/// What the test user answers on the hosted pages.
pub struct Answers<'a> {
    /// Email and password for `/u/login`, if it comes.
    pub password: Option<(&'a str, &'a str)>,
    /// The TOTP secret for `/u/mfa`, if it comes.
    pub totp: Option<&'a TotpSecret>,
}

fn location(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Follows `authorize_url` through the sign-in and factor pages with `b` (a [`crate::browser`])
/// until the redirect leaves Portcullis; that URL (the application's callback).
///
/// # Panics
/// On a page the answers do not cover, or more than eight steps.
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
pub async fn authorize(
    app: &TestApp,
    b: &reqwest::Client,
    authorize_url: &str,
    answers: &Answers<'_>,
) -> String {
    let resp = b.get(authorize_url).send().await.unwrap();
    let mut next = location(&resp);
    for _ in 0..8 {
        let loc = next.clone().expect("a redirect");
        let url = if loc.starts_with('/') {
            app.url(&loc)
        } else if loc.starts_with(&app.issuer) {
            loc.replacen(&app.issuer, &app.url(""), 1)
        } else {
            return loc;
        };
        let page = b.get(&url).send().await.unwrap().text().await.unwrap();
        let path = url.split('?').next().unwrap().to_string();
        let form: Vec<(String, String)> = match (path.rsplit('/').next(), answers) {
            (
                Some("login"),
                Answers {
                    password: Some((email, password)),
                    ..
                },
            ) => vec![
                ("state".into(), form_value(&page, "state").unwrap()),
                ("csrf".into(), form_value(&page, "csrf").unwrap()),
                ("email".into(), email.to_string()),
                ("password".into(), password.to_string()),
            ],
            (
                Some("mfa"),
                Answers {
                    totp: Some(secret), ..
                },
            ) => vec![
                ("csrf".into(), form_value(&page, "csrf").unwrap()),
                ("method".into(), form_value(&page, "method").unwrap()),
                ("code".into(), secret.code_at(app.clock.now())),
            ],
            _ => panic!("no answer for {url}"),
        };
        let resp = b.post(&path).form(&form).send().await.unwrap();
        next = location(&resp);
    }
    panic!("too many steps through the hosted pages")
}
