//! The hosted pages in the user's language: `ui_locales`, then the language cookie (set by the
//! picker or by `ui_locales`), then `Accept-Language`, then the tenant default; right-to-left
//! Arabic; emails in the user's stored language; operator message files; the product's name.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::*;
use portcullis_core::ports::Store;
use portcullis_server::i18n::{Catalog, Current, t};
use portcullis_testkit::{Engine, browser, form_value, spawn_app_with_env};

/// The sign-in page outside an app's request (for the account pages).
const LOGIN: &str = "/u/login?return_to=%2Fu%2Faccount%2Fsecurity";

/// Message `id` as the shipped catalog writes it in `tag`.
fn text(tag: &str, id: &str) -> String {
    Current::of(&Arc::new(Catalog::shipped()), Some(tag)).run(|| t(id))
}

/// The `lang` and `dir` of a page's `<html>`.
fn lang_dir(body: &str) -> (String, String) {
    (
        between(body, "<html lang=\"", "\"").to_string(),
        between(body, "dir=\"", "\"").to_string(),
    )
}

fn with_language(accept: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("accept-language", accept.parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap()
}

#[tokio::test]
async fn ui_locales_wins_then_the_cookie_then_accept_language_then_the_default() {
    let app =
        spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_I18N__DEFAULT_LOCALE", "es")]).await;
    let (cid, _) = setup(&app).await;
    let german = text("de", "login-title");
    assert_ne!(german, text("en", "login-title"));

    // An app's ui_locales (OIDC Core §3.1.2.1): the first tag the server has, by language.
    let b = with_language("fr");
    let first = get(
        &b,
        &app,
        &authorize_url(&app, &cid, "&ui_locales=tlh%20de-CH%20en"),
    )
    .await;
    assert_eq!(first.status, 303, "{}", first.body);
    assert!(
        first
            .set_cookies
            .iter()
            .any(|c| c.starts_with("portcullis_locale=de;")),
        "{:?}",
        first.set_cookies
    );
    let login = get(&b, &app, first.location.as_deref().unwrap()).await;
    assert_eq!(lang_dir(&login.body), ("de".into(), "ltr".into()));
    assert!(login.body.contains(&german), "{}", login.body);
    // The pages after it keep the language (the cookie), though the browser asks for French.
    let wrong = post(
        &b,
        &app,
        "/u/login",
        &[
            ("state", &form_value(&login.body, "state").unwrap()),
            ("csrf", &form_value(&login.body, "csrf").unwrap()),
            ("email", EMAIL),
            ("password", "not the password"),
        ],
    )
    .await;
    assert_eq!(lang_dir(&wrong.body).0, "de");
    assert!(
        wrong.body.contains(&text("de", "login-error-wrong")),
        "{}",
        wrong.body
    );

    // Accept-Language by quality; Arabic is right to left.
    let b = with_language("fr;q=0.5, ar-EG, en;q=0.8");
    let page = get(&b, &app, LOGIN).await;
    assert_eq!(lang_dir(&page.body), ("ar".into(), "rtl".into()));
    assert!(page.body.contains(&text("ar", "login-title")));

    // The picker's cookie outvotes Accept-Language, and an unknown ui_locales changes nothing.
    let picked = get(&b, &app, "/u/locale?locale=ja&return_to=%2Fu%2Flogin").await;
    assert_eq!(picked.status, 303);
    assert_eq!(picked.location.as_deref(), Some("/u/login"));
    let page = get(&b, &app, &format!("{LOGIN}&ui_locales=tlh")).await;
    assert_eq!(lang_dir(&page.body), ("ja".into(), "ltr".into()));

    // Nothing stated: the tenant default. The console stays English whatever is asked.
    let page = get(&browser(), &app, LOGIN).await;
    assert_eq!(lang_dir(&page.body).0, "es");
    assert!(page.body.contains(&text("es", "login-title")));
    let console = get(&with_language("de"), &app, "/admin/login").await;
    if console.status == 200 {
        assert_eq!(lang_dir(&console.body).0, "en");
    }
}

#[tokio::test]
async fn a_repeated_field_is_refused_in_the_readers_language_and_changes_nothing() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (cid, _) = setup(&app).await;
    let b = with_language("de");
    let first = get(&b, &app, &authorize_url(&app, &cid, "")).await;
    let login = get(&b, &app, first.location.as_deref().unwrap()).await;
    let state = form_value(&login.body, "state").unwrap();
    let csrf = form_value(&login.body, "csrf").unwrap();
    let form = [
        ("state", state.as_str()),
        ("csrf", csrf.as_str()),
        ("email", EMAIL),
        ("email", "someone-else@example.com"),
        ("password", PASSWORD),
    ];
    let answer = post(&b, &app, "/u/login", &form).await;
    assert_eq!(answer.status, 400);
    assert_eq!(lang_dir(&answer.body).0, "de");
    assert!(
        answer
            .body
            .contains("Das Formular hat das Feld „email“ mehrfach gesendet."),
        "{}",
        answer.body
    );
    // Nothing happened: no session, and the same form still signs in once.
    assert!(answer.location.is_none());
    let form = [
        ("state", state.as_str()),
        ("csrf", csrf.as_str()),
        ("email", EMAIL),
        ("password", PASSWORD),
    ];
    assert!(
        post(&b, &app, "/u/login", &form)
            .await
            .param("code")
            .is_some()
    );
}

#[tokio::test]
async fn the_picker_lists_every_language_and_returns_only_to_this_server() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let b = browser();
    let page = get(
        &b,
        &app,
        "/u/login?return_to=%2Fu%2Faccount%2Fsecurity&ui_locales=fr",
    )
    .await;
    let picker = between(&page.body, "action=\"/u/locale\"", "</form>");
    for tag in ["en", "de", "fr", "es", "pt-BR", "ja", "ar"] {
        assert!(
            picker.contains(&format!("value=\"{tag}\" lang=\"{tag}\"")),
            "{tag}: {picker}"
        );
    }
    assert!(picker.contains("value=\"fr\" lang=\"fr\" selected"));
    assert!(picker.contains(&text("ar", "language-name")));
    // It returns to this page without the ui_locales that would outvote it.
    let back = form_value(picker, "return_to").unwrap();
    assert_eq!(back, "/u/login?return_to=%2Fu%2Faccount%2Fsecurity");
    for evil in [
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "https%3A%2F%2Fevil.example",
        "evil",
    ] {
        let r = get(&b, &app, &format!("/u/locale?locale=de&return_to={evil}")).await;
        assert_eq!(r.status, 303, "{evil}");
        assert_eq!(r.location.as_deref(), Some("/u/account/security"), "{evil}");
    }
    let unknown = get(&b, &app, "/u/locale?locale=tlh&return_to=%2Fu%2Flogin").await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.set_cookies.is_empty(), "a refusal changes nothing");
    let none = get(&b, &app, "/u/locale").await;
    assert_eq!(none.status, 400);
}

#[tokio::test]
async fn emails_are_written_in_the_users_language() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (cid, _) = setup(&app).await;
    let user = app.store.user_by_email(EMAIL).await.unwrap().unwrap();
    // No language stored (an account from the management API): the email is written in the
    // language of the request, although it is sent after the answer, by another task.
    let b = with_language("fr");
    for (path, subject) in [
        ("/u/reset", "email-reset-subject"),
        ("/u/login/magic", "email-magic-link-subject"),
    ] {
        let form = [("email", EMAIL), ("return_to", "/u/account/security")];
        let answer = submit(&b, &app, "/u/reset", path, &form).await;
        assert_eq!(answer.status, 200, "{path}");
        // `mail` waits for the French subject; an English one would time out.
        mail(&app, EMAIL, &text("fr", subject)).await;
    }
    assert!(
        app.store
            .set_user_locale(&user.id, Some("de"))
            .await
            .unwrap()
    );
    // Asked for from an English browser, the reset email is German: the user reads it.
    let b = with_language("en");
    let answer = submit(&b, &app, "/u/reset", "/u/reset", &[("email", EMAIL)]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(lang_dir(&answer.body).0, "en");
    let sent = mail(&app, EMAIL, &text("de", "email-reset-subject")).await;
    let html = sent.html.clone().unwrap();
    assert!(html.contains("lang=\"de\" dir=\"ltr\""), "{html}");
    assert!(sent.text.contains("/u/reset/password?t="));
    assert!(sent.text.contains("30 Minuten"), "{}", sent.text);

    // A signed-in user's pick of language becomes their language for emails; 80 picks at once
    // all answer, and one of them is stored.
    let b = browser();
    assert!(
        password_step(&b, &app, &cid, "")
            .await
            .param("code")
            .is_some()
    );
    let picks = (0..80).map(|i| {
        let b = b.clone();
        let url = app.url(&format!(
            "/u/locale?locale={}&return_to=%2Fu%2Faccount%2Fsecurity",
            ["ar", "ja"][i % 2]
        ));
        async move { b.get(url).send().await.unwrap().status().as_u16() }
    });
    let statuses = futures_util::future::join_all(picks).await;
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    let stored = app.store.user_locale(&user.id).await.unwrap();
    assert!(matches!(stored.as_deref(), Some("ar" | "ja")), "{stored:?}");
    let last = get(
        &b,
        &app,
        "/u/locale?locale=ar&return_to=%2Fu%2Faccount%2Fsecurity",
    )
    .await;
    assert_eq!(last.status, 303);
    assert_eq!(
        app.store.user_locale(&user.id).await.unwrap().as_deref(),
        Some("ar")
    );
    let security = submit(&b, &app, "/u/reset", "/u/reset", &[("email", EMAIL)]).await;
    assert_eq!(security.status, 200);
    let sent = mail(&app, EMAIL, &text("ar", "email-reset-subject")).await;
    assert!(
        sent.html.unwrap().contains("lang=\"ar\" dir=\"rtl\""),
        "Arabic mail is right to left"
    );
}

#[tokio::test]
async fn an_app_logo_comes_from_an_allowed_origin_and_shows_on_its_pages() {
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[
            (
                "PORTCULLIS_BRANDING__IMAGE_ORIGINS",
                "https://cdn.acme.example, https://img.acme.example:8443",
            ),
            ("PORTCULLIS_POLICY__SIGNUP", "true"),
        ],
    )
    .await;
    app.create_user(EMAIL, PASSWORD).await;
    let token = admin_token(&app, &["create:clients", "read:clients", "update:clients"]).await;
    let api = |method: reqwest::Method, path: &str| {
        reqwest::Client::new()
            .request(method, app.url(path))
            .bearer_auth(&token)
    };
    let created = api(reqwest::Method::POST, "/api/v2/clients")
        .json(&serde_json::json!({
            "name": "Payroll",
            "callbacks": [REDIRECT],
            "is_first_party": false,
            "logo_uri": "https://cdn.acme.example/payroll.svg",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: serde_json::Value = created.json().await.unwrap();
    let id = created["client_id"].as_str().unwrap().to_string();
    assert_eq!(created["logo_uri"], "https://cdn.acme.example/payroll.svg");
    // Refused: another origin, plain http, not a string; a refusal changes nothing.
    for bad in [
        serde_json::json!("https://evil.example/x.svg"),
        serde_json::json!("http://cdn.acme.example/x.svg"),
        serde_json::json!("javascript:alert(1)"),
        serde_json::json!(42),
    ] {
        let r = api(reqwest::Method::PATCH, &format!("/api/v2/clients/{id}"))
            .json(&serde_json::json!({ "logo_uri": bad }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(
            body["message"].as_str().unwrap().contains("logo_uri"),
            "{body}"
        );
    }
    let got: serde_json::Value = api(reqwest::Method::GET, &format!("/api/v2/clients/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["logo_uri"], "https://cdn.acme.example/payroll.svg");
    // The app's sign-in shows its logo, which the page's policy lets load.
    app.state.refresh().await.unwrap();
    let b = browser();
    let first = get(&b, &app, &authorize_url(&app, &id, "")).await;
    let resp = b
        .get(app.url(first.location.as_deref().unwrap()))
        .send()
        .await
        .unwrap();
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains(
            "img-src 'self' data: https://cdn.acme.example https://img.acme.example:8443;"
        ),
        "{csp}"
    );
    let page = read(resp).await;
    let logo = "<img class=\"client-logo\" src=\"https://cdn.acme.example/payroll.svg\"";
    assert!(page.body.contains(logo), "{}", page.body);
    // The app's sign-up page, and (a third-party app) its consent page, show it too.
    let signup = get(
        &b,
        &app,
        between(&page.body, "id=\"signup-link\" href=\"", "\""),
    )
    .await;
    assert_eq!(signup.status, 200);
    assert!(signup.body.contains(logo), "{}", signup.body);
    let consent = password_step(&b, &app, &id, "").await;
    let consent = get(&b, &app, consent.location.as_deref().unwrap()).await;
    assert!(
        consent.body.contains("action=\"/u/consent\""),
        "{}",
        consent.body
    );
    assert!(consent.body.contains(logo), "{}", consent.body);
    // Removed with null: gone from the API and the page.
    let r = api(reqwest::Method::PATCH, &format!("/api/v2/clients/{id}"))
        .json(&serde_json::json!({ "logo_uri": null }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body.get("logo_uri").is_none(), "{body}");
    app.state.refresh().await.unwrap();
    let page = get(&b, &app, &authorize_url(&app, &id, "")).await;
    let page = get(&b, &app, page.location.as_deref().unwrap()).await;
    assert!(!page.body.contains("payroll.svg"));
}

#[tokio::test]
async fn operators_override_messages_and_name_the_product() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("en.ftl"), "login-title = Welcome back\n").unwrap();
    std::fs::create_dir(dir.path().join("nl")).unwrap();
    std::fs::write(
        dir.path().join("nl").join("pages.ftl"),
        "language-name = Nederlands\nlogin-title = Inloggen\n",
    )
    .unwrap();
    let path = dir.path().display().to_string();
    let logo = tempfile::Builder::new().suffix(".svg").tempfile().unwrap();
    std::fs::write(logo.path(), r#"<svg xmlns="http://www.w3.org/2000/svg"/>"#).unwrap();
    let logo_path = logo.path().display().to_string();
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[
            ("PORTCULLIS_I18N__DIR", &path),
            ("PORTCULLIS_BRANDING__PRODUCT_NAME", "Acme Cloud"),
            ("PORTCULLIS_BRANDING__PRIMARY_COLOR", "#0b6e4f"),
            ("PORTCULLIS_BRANDING__BACKGROUND_COLOR", "#f5f0e6"),
            ("PORTCULLIS_BRANDING__LOGO_FILE", &logo_path),
            (
                "PORTCULLIS_BRANDING__FAVICON_URL",
                "https://cdn.acme.example/favicon.svg",
            ),
            (
                "PORTCULLIS_BRANDING__SUPPORT_URL",
                "https://acme.example/help",
            ),
            (
                "PORTCULLIS_BRANDING__PRIVACY_URL",
                "https://acme.example/privacy",
            ),
        ],
    )
    .await;
    let resp = browser().get(app.url(LOGIN)).send().await.unwrap();
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("img-src 'self' data: https://cdn.acme.example;"),
        "{csp}"
    );
    let page = read(resp).await;
    assert!(page.body.contains("--accent: #0b6e4f"), "{}", page.body);
    assert!(page.body.contains("background: #f5f0e6"));
    assert!(page.body.contains("prefers-color-scheme: dark"));
    assert!(
        page.body
            .contains("<img src=\"/u/assets/brand/logo\" alt=\"Acme Cloud\">")
    );
    assert!(
        page.body
            .contains("<link rel=\"icon\" href=\"https://cdn.acme.example/favicon.svg\">")
    );
    assert!(page.body.contains("href=\"https://acme.example/help\""));
    assert!(page.body.contains("href=\"https://acme.example/privacy\""));
    let served = browser()
        .get(app.url("/u/assets/brand/logo"))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/svg+xml");
    assert!(
        served.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(
        served.text().await.unwrap(),
        r#"<svg xmlns="http://www.w3.org/2000/svg"/>"#
    );
    let none = browser()
        .get(app.url("/u/assets/brand/favicon"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 404, "the favicon is an address, not a file");
    assert!(page.body.contains("Welcome back"), "{}", page.body);
    assert!(page.body.contains("· Acme Cloud</title>"), "{}", page.body);
    assert!(!page.body.contains("Portcullis"), "{}", page.body);
    // An added language: its messages, and English for the rest.
    let page = get(&with_language("nl-BE"), &app, LOGIN).await;
    assert_eq!(lang_dir(&page.body).0, "nl");
    assert!(page.body.contains("Inloggen"));
    assert!(page.body.contains(&text("en", "login-email-label")));
    assert!(page.body.contains("Nederlands"));
    // Authenticator apps list the account under the product's name.
    let (cid, _) = setup(&app).await;
    let b = browser();
    let done = password_step(&b, &app, &cid, "").await;
    assert!(done.param("code").is_some(), "{:?}", done.location);
    let totp = get(&b, &app, "/u/enroll/totp").await;
    assert!(
        totp.body
            .contains("href=\"otpauth://totp/Acme%20Cloud%20%28"),
        "{}",
        totp.body
    );
}

fn load(extra: &[(&str, &str)]) -> Result<(), String> {
    let mut env = vec![
        ("PORTCULLIS_ISSUER", "https://id.example"),
        ("PORTCULLIS_DATABASE_URL", "sqlite://unused.db"),
        (
            "PORTCULLIS_MASTER_KEY",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ),
    ];
    env.extend_from_slice(extra);
    portcullis_server::config::Settings::load(&portcullis_server::config::Sources {
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    })
    .map(|_| ())
    .map_err(|e| e.to_string())
}

#[test]
fn unreadable_colours_and_broken_message_files_stop_the_server_from_starting() {
    let err = load(&[("PORTCULLIS_BRANDING__PRIMARY_COLOR", "#ffd43b")]).unwrap_err();
    assert!(err.contains("contrast"), "{err}");
    let err = load(&[
        ("PORTCULLIS_BRANDING__PRIMARY_COLOR", "#1d4ed8"),
        ("PORTCULLIS_BRANDING__BACKGROUND_COLOR", "#1e3a8a"),
    ])
    .unwrap_err();
    assert!(err.contains("links"), "{err}");
    let err = load(&[(
        "PORTCULLIS_BRANDING__LOGO_URL",
        "http://cdn.example/logo.svg",
    )])
    .unwrap_err();
    assert!(err.contains("https"), "{err}");
    let err = load(&[("PORTCULLIS_I18N__DEFAULT_LOCALE", "tlh")]).unwrap_err();
    assert!(err.contains("tlh"), "{err}");
    load(&[("PORTCULLIS_BRANDING__PRIMARY_COLOR", "#1d4ed8")]).unwrap();
}

#[test]
fn a_message_file_that_does_not_parse_stops_the_server_from_starting() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("de.ftl"), "login-title = {\n").unwrap();
    let path = dir.path().display().to_string();
    let err = load(&[("PORTCULLIS_I18N__DIR", &path)]).unwrap_err();
    assert!(err.contains("de.ftl"), "{err}");
}
