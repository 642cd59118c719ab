//! Auth0's multi-resource refresh, as `@auth0/nextjs-auth0`'s `getAccessToken({ audience })`
//! uses it: a refresh token mints for any API its client holds a client grant on, that API's
//! policy applies (an unmet one answers `mfa_required` bound to the API), the `mfa-*` grant
//! then gives a token for that API, and the refresh token says what was proved.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::policy::PolicyOverrides;
use portcullis_testkit::{Engine, browser, spawn_app_with_env};

const API: &str = "https://payouts.example";

#[tokio::test]
async fn refresh_for_another_api_steps_up_then_mints_for_it() {
    // Passwords alone sign in here; the payouts API wants aal2.
    let app = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "never")]).await;
    let web = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &web.0).await;
    let mut aal2 = PolicyOverrides::default();
    aal2.set("required_acr=aal2").unwrap();
    portcullis_core::admin::create_api(
        app.store.as_ref(),
        &app.clock,
        API,
        None,
        vec!["read:payouts".into(), "write:payouts".into()],
        aal2,
    )
    .await
    .unwrap();
    portcullis_core::admin::create_api(
        app.store.as_ref(),
        &app.clock,
        "https://other.example",
        None,
        vec!["read".into()],
        PolicyOverrides::default(),
    )
    .await
    .unwrap();
    portcullis_core::admin::grant_client(
        app.store.as_ref(),
        &web.0,
        API,
        vec!["read:payouts".into()],
    )
    .await
    .unwrap();
    app.state.refresh().await.unwrap();

    app.clock.advance(30);
    let b = browser();
    let url = authorize_url(&app, &web.0, "")
        .replace("scope=openid%20email", "scope=openid%20offline_access");
    let done = portcullis_testkit::login(&b, &app, &url, EMAIL, PASSWORD).await;
    let tokens = exchange(&app, &web.0, &web.1, &done.param("code").unwrap()).await;
    assert_eq!(claims(tokens["id_token"].as_str().unwrap())["acr"], "aal1");
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    let refresh_for = |audience: &'static str, scope: &'static str| {
        let (app, web, refresh) = (&app, web.clone(), refresh.clone());
        async move {
            let mut form = vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.as_str()),
            ];
            if !audience.is_empty() {
                form.push(("audience", audience));
            }
            if !scope.is_empty() {
                form.push(("scope", scope));
            }
            grant(app, &web, &form).await
        }
    };

    // An API the client holds no grant on, or that does not exist: refused, never ignored.
    let (status, body) = refresh_for("https://other.example", "").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("access_denied")),
        "{body}"
    );
    let (status, body) = refresh_for("https://nowhere.example", "").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );
    let (status, body) = refresh_for(API, "write:payouts").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope")),
        "{body}"
    );

    // The payouts API at aal1: mfa_required, bound to that API.
    let (status, body) = refresh_for(API, "openid read:payouts").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("mfa_required")),
        "{body}"
    );
    let mfa_token = body["mfa_token"].as_str().unwrap().to_string();
    let listed = reqwest::Client::new()
        .get(app.url("/mfa/authenticators"))
        .bearer_auth(&mfa_token)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(listed[0]["type"], "otp", "{listed}");
    // Another audience on the mfa grant: refused.
    let code = totp.code_at(app.clock_now());
    let otp_for = |audience: &'static str| {
        let form = [
            ("grant_type", OTP),
            ("mfa_token", mfa_token.as_str()),
            ("otp", code.as_str()),
            ("audience", audience),
        ];
        let (app, web) = (&app, web.clone());
        async move { grant(app, &web, &form).await }
    };
    let (status, body) = otp_for("https://other.example").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );
    // Eighty answers with the API-bound mfa_token at once: one token for the API.
    let answers = grant_at_once(
        &app,
        &web,
        &[
            ("grant_type", OTP),
            ("mfa_token", mfa_token.as_str()),
            ("otp", code.as_str()),
            ("audience", API),
        ],
        80,
    )
    .await;
    let mut won: Vec<_> = answers.into_iter().filter(|(s, _)| *s == 200).collect();
    assert_eq!(won.len(), 1, "an mfa_token is spent once");
    let (_, body) = won.pop().unwrap();
    let at = claims(body["access_token"].as_str().unwrap());
    assert_eq!(at["aud"][0], API, "{at}");
    assert_eq!(at["acr"], "aal2");
    assert_eq!(at["scope"], "openid read:payouts");

    // The refresh token the client kept now carries the factor: the API's token comes straight.
    let (status, body) = refresh_for(API, "openid read:payouts").await;
    assert_eq!(status, 200, "{body}");
    let at = claims(body["access_token"].as_str().unwrap());
    assert_eq!(
        (at["aud"][0].as_str(), at["acr"].as_str()),
        (Some(API), Some("aal2"))
    );
    assert!(at["amr"].as_array().unwrap().contains(&"otp".into()));
    // Without a scope, every scope the client grant allows on that API.
    let (status, body) = grant(
        &app,
        &web,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
            ("audience", API),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let at = claims(body["access_token"].as_str().unwrap());
    assert_eq!(at["scope"], "openid offline_access read:payouts");
    // Without an audience, the original one.
    let (status, body) = grant(
        &app,
        &web,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let at = claims(body["access_token"].as_str().unwrap());
    assert_eq!(at["aud"], format!("{}/userinfo", app.issuer));

    // Eighty refreshes of one refresh token for the API at once: spent once, and the reuse
    // revokes the family, winner included.
    let last = body["refresh_token"].as_str().unwrap().to_string();
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", last.as_str()),
        ("audience", API),
    ];
    let answers = grant_at_once(&app, &web, &form, 80).await;
    let won: Vec<_> = answers.iter().filter(|(s, _)| *s == 200).collect();
    assert_eq!(won.len(), 1, "a refresh token is spent once");
    assert_eq!(
        claims(won[0].1["access_token"].as_str().unwrap())["aud"][0],
        API
    );
    let next = won[0].1["refresh_token"].as_str().unwrap();
    let (status, _) = grant(
        &app,
        &web,
        &[("grant_type", "refresh_token"), ("refresh_token", next)],
    )
    .await;
    assert_eq!(status, 400);
    app.stop().await;
}
