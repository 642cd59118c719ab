//! Integration tests: a real server on port 0, driven by the `openidconnect` crate as the relying
//! party and by a cookie-keeping HTTP client through the hosted login form.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessToken, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, RefreshToken, Scope, TokenResponse,
};
use portcullis_core::admin::NewClient;
use portcullis_core::ports::Store;
use portcullis_testkit::{
    Engine, TestApp, browser, form_value, login, spawn_app, spawn_app_with, spawn_app_with_env,
};
use serde_json::Value;

const REDIRECT: &str = "http://localhost:3000/api/auth/callback/portcullis";
const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery staple";

fn http() -> openidconnect::reqwest::Client {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn jwt_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&portcullis_core::crypto::b64url_decode(part).unwrap()).unwrap()
}

fn authorize_url(app: &TestApp, client_id: &str, extra: &str) -> String {
    format!(
        "{}/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=openid%20email%20offline_access&state=st4te{extra}",
        app.issuer,
        urlencode(REDIRECT)
    )
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Signs in through the form in a fresh browser; returns the authorization code.
async fn sign_in_code(app: &TestApp, client_id: &str, extra: &str) -> String {
    let out = login(
        &browser(),
        app,
        &authorize_url(app, client_id, extra),
        EMAIL,
        PASSWORD,
    )
    .await;
    out.param("code").expect("code")
}

/// Signs in through the form and exchanges the code with raw HTTP; returns the token response.
async fn tokens(app: &TestApp, client_id: &str, secret: &str) -> Value {
    let b = browser();
    let out = login(&b, app, &authorize_url(app, client_id, ""), EMAIL, PASSWORD).await;
    let code = out.param("code").expect("code");
    exchange(app, client_id, secret, &code).await.1
}

async fn exchange(app: &TestApp, client_id: &str, secret: &str, code: &str) -> (u16, Value) {
    token_request(
        app,
        client_id,
        secret,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await
}

async fn token_request(
    app: &TestApp,
    client_id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .basic_auth(client_id, Some(secret))
        .form(form)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

async fn refresh(
    app: &TestApp,
    client_id: &str,
    secret: &str,
    refresh_token: &str,
) -> (u16, Value) {
    token_request(
        app,
        client_id,
        secret,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

async fn userinfo_status(app: &TestApp, access_token: &str) -> u16 {
    reqwest::Client::new()
        .get(app.url("/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn introspect(app: &TestApp, client_id: &str, secret: &str, token: &str) -> Value {
    reqwest::Client::new()
        .post(app.url("/oauth/introspect"))
        .basic_auth(client_id, Some(secret))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn setup() -> (TestApp, String, String) {
    let app = spawn_app().await;
    app.create_user(EMAIL, PASSWORD).await;
    let (client, secret) = app.web_client(REDIRECT).await;
    (app, client.id, secret)
}

#[tokio::test]
async fn discovery_advertises_required_metadata() {
    let app = spawn_app().await;
    let m: Value = app.get_json("/.well-known/openid-configuration").await;
    assert_eq!(m["issuer"], app.issuer.as_str());
    assert_eq!(
        m["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(m["authorization_response_iss_parameter_supported"], true);
    assert_eq!(
        m["acr_values_supported"],
        serde_json::json!([
            "aal1",
            "aal2",
            "aal3",
            "http://schemas.openid.net/pape/policies/2007/06/multi-factor"
        ])
    );
    for claim in ["acr", "amr", "auth_time", "sid"] {
        assert!(
            m["claims_supported"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == claim),
            "{claim}"
        );
    }
    for key in [
        "backchannel_logout_supported",
        "dpop_signing_alg_values_supported",
    ] {
        assert!(!m[key].is_null(), "{key}");
    }
    for (key, path) in [
        ("mfa_challenge_endpoint", "/mfa/challenge"),
        ("mfa_associate_endpoint", "/mfa/associate"),
        ("mfa_authenticators_endpoint", "/mfa/authenticators"),
        ("mfa_audience", "/mfa/"),
    ] {
        assert_eq!(m[key], format!("{}{path}", app.issuer), "{key}");
    }
    let algs = app.jwks_field("alg").await;
    assert_eq!(algs.len(), 3);
    for alg in ["EdDSA", "ES256", "RS256"] {
        assert!(algs.iter().any(|a| a == alg));
    }
}

#[tokio::test]
async fn code_flow_with_openidconnect_rp_pkce_idtoken_userinfo_refresh_logout() {
    let (app, client_id, secret) = setup().await;
    let http = http();
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(app.issuer.clone()).unwrap(), &http)
            .await
            .unwrap();
    let rp = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id.clone()),
        Some(ClientSecret::new(secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = rp
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();

    let b = browser();
    let out = login(&b, &app, url.as_str(), EMAIL, PASSWORD).await;
    assert_eq!(out.status, 302, "{}", out.body);
    assert_eq!(out.param("state").as_deref(), Some(csrf.secret().as_str()));
    assert_eq!(
        out.param("iss").as_deref(),
        Some(app.issuer.as_str()),
        "RFC 9207 iss"
    );
    let code = out.param("code").unwrap();

    let response = rp
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let id_token = response.id_token().unwrap();
    // The crate's default verifier accepts RS256 only (OIDC Core §3.1.3.7): no configuration.
    let verifier = rp.id_token_verifier();
    let claims = id_token.claims(&verifier, &nonce).unwrap();
    assert_eq!(claims.auth_context_ref().unwrap().as_str(), "aal1");
    assert_eq!(
        claims
            .auth_method_refs()
            .unwrap()
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>(),
        vec!["pwd"]
    );
    assert!(claims.auth_time().is_some());
    assert_eq!(claims.email().unwrap().as_str(), EMAIL);
    let raw_id = jwt_part(&id_token.to_string(), 1);
    assert!(raw_id["sid"].as_str().unwrap().starts_with("ses_"));
    assert!(jwt_part(&id_token.to_string(), 0)["kid"].is_string());

    let at = response.access_token().secret().clone();
    let header = jwt_part(&at, 0);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "RS256");
    let payload = jwt_part(&at, 1);
    assert_eq!(payload["client_id"], client_id.as_str());
    assert_eq!(payload["acr"], "aal1");
    assert_eq!(payload["amr"], serde_json::json!(["pwd"]));
    assert_eq!(payload["sid"], raw_id["sid"]);
    assert_eq!(payload["auth_time"], raw_id["auth_time"]);

    let info: CoreUserInfoClaims = rp
        .user_info(AccessToken::new(at.clone()), None)
        .unwrap()
        .require_issuer_match(false)
        .require_audience_match(false)
        .request_async(&http)
        .await
        .unwrap();
    assert_eq!(info.subject().as_str(), claims.subject().as_str());
    assert_eq!(info.email().unwrap().as_str(), EMAIL);

    let refresh = response.refresh_token().unwrap().clone();
    let refreshed = rp
        .exchange_refresh_token(&refresh)
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    assert_ne!(
        refreshed.refresh_token().unwrap().secret(),
        refresh.secret(),
        "rotated"
    );
    assert!(refreshed.id_token().is_some());

    // RP-initiated logout with id_token_hint ends the session and returns to the exact URI.
    let logout = format!(
        "{}/oidc/logout?id_token_hint={}&post_logout_redirect_uri={}&state=bye1",
        app.issuer,
        id_token,
        urlencode("http://localhost:3000/bye")
    );
    let resp = b.get(&logout).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    assert_eq!(
        resp.headers()["location"],
        "http://localhost:3000/bye?state=bye1"
    );
    let again = b.get(url.as_str()).send().await.unwrap();
    assert!(
        again.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/u/login"),
        "session ended"
    );
    // Logout revoked the session's tokens too.
    let reuse = rp
        .exchange_refresh_token(&RefreshToken::new(
            refreshed.refresh_token().unwrap().secret().clone(),
        ))
        .unwrap()
        .request_async(&http)
        .await;
    assert!(reuse.is_err());
    app.stop().await;
}

#[tokio::test]
async fn rs256_client_tokens_verify_with_default_rp_settings() {
    let app = spawn_app().await;
    app.create_user(EMAIL, PASSWORD).await;
    let (client, secret) = app
        .create_client(NewClient {
            name: "Legacy".into(),
            redirect_uris: vec![REDIRECT.into()],
            signing_alg: Some("RS256".into()),
            ..NewClient::default()
        })
        .await;
    let http = http();
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(app.issuer.clone()).unwrap(), &http)
            .await
            .unwrap();
    let rp = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client.id.clone()),
        secret.map(ClientSecret::new),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    let (url, _, nonce) = rp
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .url();
    let out = login(&browser(), &app, url.as_str(), EMAIL, PASSWORD).await;
    let response = rp
        .exchange_code(AuthorizationCode::new(out.param("code").unwrap()))
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    // The default verifier accepts only RS256.
    response
        .id_token()
        .unwrap()
        .claims(&rp.id_token_verifier(), &nonce)
        .unwrap();
}

#[tokio::test]
async fn code_flow_works_on_postgres() {
    let app = spawn_app_with(Engine::Postgres).await;
    app.create_user(EMAIL, PASSWORD).await;
    let (client, secret) = app.web_client(REDIRECT).await;
    let t = tokens(&app, &client.id, &secret).await;
    assert!(
        t["id_token"].is_string() && t["refresh_token"].is_string(),
        "{t}"
    );
    assert_eq!(
        userinfo_status(&app, t["access_token"].as_str().unwrap()).await,
        200
    );
    app.stop().await;
}

#[tokio::test]
async fn authorize_unregistered_redirect_uri_is_not_redirected() {
    let (app, client_id, _) = setup().await;
    let url = format!(
        "{}/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=openid",
        app.issuer,
        urlencode("http://localhost:3000/api/auth/callback/evil")
    );
    let resp = browser().get(url).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.headers().get("location").is_none());
    let unknown = browser()
        .get(format!(
            "{}/authorize?client_id=nope&redirect_uri=x",
            app.issuer
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    assert!(unknown.headers().get("location").is_none());
}

#[tokio::test]
async fn authorize_errors_redirect_with_state_and_iss() {
    let (app, client_id, _) = setup().await;
    let (public, _) = app
        .create_client(NewClient {
            name: "SPA".into(),
            redirect_uris: vec![REDIRECT.into()],
            public: true,
            ..NewClient::default()
        })
        .await;
    let cases = [
        (authorize_url(&app, &public.id, ""), "invalid_request"), // public client without PKCE
        (
            authorize_url(
                &app,
                &client_id,
                "&code_challenge=abc&code_challenge_method=plain",
            ),
            "invalid_request",
        ),
        (
            authorize_url(&app, &client_id, "&max_age=-1"),
            "invalid_request",
        ),
        (
            authorize_url(&app, &client_id, "&prompt=none%20login"),
            "invalid_request",
        ),
        (
            authorize_url(&app, &client_id, "&audience=https%3A%2F%2Funknown"),
            "invalid_request",
        ),
        (
            authorize_url(&app, &client_id, "")
                .replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
        (
            authorize_url(&app, &client_id, "&prompt=none"),
            "login_required",
        ),
    ];
    for (url, error) in cases {
        let resp = browser().get(&url).send().await.unwrap();
        assert_eq!(resp.status(), 302, "{url}");
        let loc = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
        let q: std::collections::HashMap<_, _> = loc.query_pairs().into_owned().collect();
        assert_eq!(q["error"], error, "{url}");
        assert_eq!(q["state"], "st4te");
        assert_eq!(q["iss"], app.issuer);
        assert!(loc.as_str().starts_with(REDIRECT));
    }
    let dup = browser()
        .get(authorize_url(&app, &client_id, "&state=again"))
        .send()
        .await
        .unwrap();
    // Client and redirect URI are valid, so the client hears it (RFC 6749 §4.1.2.1).
    assert_eq!(dup.status(), 302, "repeated parameter refused");
    let loc = url::Url::parse(dup.headers()["location"].to_str().unwrap()).unwrap();
    assert!(
        loc.query_pairs()
            .any(|(k, v)| k == "error" && v == "invalid_request")
    );
}

#[tokio::test]
async fn pkce_mismatch_and_missing_verifier_are_invalid_grant() {
    let (app, client_id, secret) = setup().await;
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let extra = format!(
        "&code_challenge={}&code_challenge_method=S256",
        challenge.as_str()
    );
    for verifier in [Some("x".repeat(43)), None] {
        let out = login(
            &browser(),
            &app,
            &authorize_url(&app, &client_id, &extra),
            EMAIL,
            PASSWORD,
        )
        .await;
        let code = out.param("code").unwrap();
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
        ];
        if let Some(v) = &verifier {
            form.push(("code_verifier", v.as_str()));
        }
        let (status, body) = token_request(&app, &client_id, &secret, &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn replayed_code_fails_and_revokes_what_it_issued() {
    let (app, client_id, secret) = setup().await;
    let code = sign_in_code(&app, &client_id, "").await;
    let (status, first) = exchange(&app, &client_id, &secret, &code).await;
    assert_eq!(status, 200);
    let at = first["access_token"].as_str().unwrap();
    assert_eq!(userinfo_status(&app, at).await, 200);
    let (status, second) = exchange(&app, &client_id, &secret, &code).await;
    assert_eq!(
        (status, second["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(userinfo_status(&app, at).await, 401, "access token revoked");
    assert_eq!(
        introspect(&app, &client_id, &secret, at).await["active"],
        false
    );
    let rt = first["refresh_token"].as_str().unwrap();
    let (status, body) = refresh(&app, &client_id, &secret, rt).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "refresh token revoked"
    );
    let audit = app.store.recent_audit(20).await.unwrap();
    assert!(audit.iter().any(|e| e.kind == "token.code_replay"));
}

#[tokio::test]
async fn concurrent_code_exchange_succeeds_once() {
    let (app, client_id, secret) = setup().await;
    let code = sign_in_code(&app, &client_id, "").await;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (url, id, s, c) = (
            app.url("/oauth/token"),
            client_id.clone(),
            secret.clone(),
            code.clone(),
        );
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .basic_auth(id, Some(s))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", c.as_str()),
                    ("redirect_uri", REDIRECT),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap() == 200 {
            ok += 1;
        }
    }
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn reused_refresh_token_revokes_family_and_is_audited() {
    let (app, client_id, secret) = setup().await;
    let t = tokens(&app, &client_id, &secret).await;
    let rt1 = t["refresh_token"].as_str().unwrap();
    let (s, t2) = refresh(&app, &client_id, &secret, rt1).await;
    assert_eq!(s, 200);
    let rt2 = t2["refresh_token"].as_str().unwrap();
    let (s, reuse) = refresh(&app, &client_id, &secret, rt1).await;
    assert_eq!((s, reuse["error"].as_str()), (400, Some("invalid_grant")));
    let (s, _) = refresh(&app, &client_id, &secret, rt2).await;
    assert_eq!(s, 400, "the whole family is revoked");
    assert_eq!(
        userinfo_status(&app, t2["access_token"].as_str().unwrap()).await,
        401
    );
    let audit = app.store.recent_audit(20).await.unwrap();
    assert!(
        audit.iter().any(|e| e.kind == "token.refresh_reuse"
            && e.client_id.as_deref() == Some(client_id.as_str()))
    );
}

#[tokio::test]
async fn refresh_scope_can_narrow_but_not_widen() {
    let (app, client_id, secret) = setup().await;
    let t = tokens(&app, &client_id, &secret).await;
    let rt = t["refresh_token"].as_str().unwrap();
    let (s, body) = token_request(
        &app,
        &client_id,
        &secret,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("scope", "openid profile"),
        ],
    )
    .await;
    assert_eq!((s, body["error"].as_str()), (400, Some("invalid_scope")));
    let (s, body) = token_request(
        &app,
        &client_id,
        &secret,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("scope", "openid"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["scope"], "openid");
}

#[tokio::test]
async fn refresh_token_of_another_client_is_refused_and_not_spent() {
    let (app, client_id, secret) = setup().await;
    let (other, other_secret) = app.web_client(REDIRECT).await;
    let t = tokens(&app, &client_id, &secret).await;
    let rt = t["refresh_token"].as_str().unwrap();
    let (s, _) = token_request(
        &app,
        &other.id,
        &other_secret,
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = refresh(&app, &client_id, &secret, rt).await;
    assert_eq!(s, 200, "the owner can still use it");
}

#[tokio::test]
async fn expiry_of_code_access_and_refresh_tokens_follows_the_clock() {
    let (app, client_id, secret) = setup().await;
    let out = login(
        &browser(),
        &app,
        &authorize_url(&app, &client_id, ""),
        EMAIL,
        PASSWORD,
    )
    .await;
    app.clock.advance(61);
    let (s, body) = exchange(&app, &client_id, &secret, &out.param("code").unwrap()).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "code expired"
    );

    let t = tokens(&app, &client_id, &secret).await;
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(userinfo_status(&app, at).await, 200);
    app.clock.advance(3601);
    assert_eq!(userinfo_status(&app, at).await, 401, "access token expired");
    app.clock.advance(30 * 86400);
    let (s, _) = refresh(
        &app,
        &client_id,
        &secret,
        t["refresh_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(s, 400, "refresh token expired");
}

#[tokio::test]
async fn tampered_jwt_is_rejected() {
    let (app, client_id, secret) = setup().await;
    let t = tokens(&app, &client_id, &secret).await;
    let at = t["access_token"].as_str().unwrap();
    let parts: Vec<&str> = at.split('.').collect();
    let mut claims = jwt_part(at, 1);
    claims["sub"] = "usr_someone_else".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        portcullis_core::crypto::b64url(claims.to_string().as_bytes()),
        parts[2]
    );
    let resp = reqwest::Client::new()
        .get(app.url("/userinfo"))
        .bearer_auth(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    assert_eq!(
        introspect(&app, &client_id, &secret, &forged).await["active"],
        false
    );
    let none_alg = format!(
        "{}.{}.",
        portcullis_core::crypto::b64url(br#"{"alg":"none","typ":"at+jwt"}"#),
        parts[1]
    );
    assert_eq!(userinfo_status(&app, &none_alg).await, 401);
}

#[tokio::test]
async fn wrong_client_secret_is_invalid_client() {
    let (app, client_id, secret) = setup().await;
    let code = sign_in_code(&app, &client_id, "").await;
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .basic_auth(&client_id, Some("wrong"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    assert_eq!(
        resp.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
    let post = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", client_id.as_str()),
            ("client_secret", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 401);
    // The failed attempts did not spend the code; client_secret_post works.
    let ok = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", client_id.as_str()),
            ("client_secret", secret.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn client_credentials_scoped_to_grant_without_acr() {
    let app = spawn_app().await;
    portcullis_core::admin::create_api(
        app.store.as_ref(),
        &app.clock,
        "https://api.example.com",
        None,
        vec!["read".into(), "write".into()],
        Default::default(),
    )
    .await
    .unwrap();
    let (m2m, secret) = app
        .create_client(NewClient {
            name: "worker".into(),
            grant_types: vec!["client_credentials".into()],
            ..NewClient::default()
        })
        .await;
    let secret = secret.unwrap();
    let form = |scope: Option<&'static str>| {
        let mut f = vec![
            ("grant_type", "client_credentials"),
            ("audience", "https://api.example.com"),
        ];
        if let Some(s) = scope {
            f.push(("scope", s));
        }
        f
    };
    let (s, body) = token_request(&app, &m2m.id, &secret, &form(None)).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (403, Some("access_denied")),
        "no client grant yet"
    );
    portcullis_core::admin::grant_client(
        app.store.as_ref(),
        &m2m.id,
        "https://api.example.com",
        vec!["read".into()],
    )
    .await
    .unwrap();
    let (s, body) = token_request(&app, &m2m.id, &secret, &form(None)).await;
    assert_eq!(s, 200, "{body}");
    let claims = jwt_part(body["access_token"].as_str().unwrap(), 1);
    assert_eq!(claims["aud"], "https://api.example.com");
    assert_eq!(claims["scope"], "read");
    assert_eq!(claims["sub"], m2m.id.as_str());
    assert!(
        claims.get("acr").is_none()
            && claims.get("amr").is_none()
            && claims.get("auth_time").is_none()
    );
    let (s, body) = token_request(&app, &m2m.id, &secret, &form(Some("read write"))).await;
    assert_eq!((s, body["error"].as_str()), (400, Some("invalid_scope")));
    let (s, body) = token_request(
        &app,
        &m2m.id,
        &secret,
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!((s, body["error"].as_str()), (400, Some("invalid_request")));
    let (s, body) = token_request(
        &app,
        &m2m.id,
        &secret,
        &[("grant_type", "authorization_code"), ("code", "x")],
    )
    .await;
    assert_eq!(
        (s, body["error"].as_str()),
        (400, Some("unauthorized_client"))
    );
    let (s, body) = token_request(&app, &m2m.id, &secret, &[("grant_type", "urn:nope")]).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn sso_prompt_none_prompt_login_and_max_age() {
    let (app, client_id, secret) = setup().await;
    let b = browser();
    let first = login(
        &b,
        &app,
        &authorize_url(&app, &client_id, ""),
        EMAIL,
        PASSWORD,
    )
    .await;
    assert!(first.param("code").is_some());
    // Signed in: prompt=none returns a code without UI.
    let resp = b
        .get(authorize_url(&app, &client_id, "&prompt=none"))
        .send()
        .await
        .unwrap();
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with(REDIRECT) && loc.contains("code="), "{loc}");
    // prompt=login asks for the whole sign-in again; an exceeded max_age for one proof, on the
    // factor page (the password, for a user without second factors).
    let resp = b
        .get(authorize_url(&app, &client_id, "&prompt=login"))
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/u/login")
    );
    app.clock.advance(120);
    let resp = b
        .get(authorize_url(&app, &client_id, "&max_age=60"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"].to_str().unwrap(), "/u/mfa");
    let resp = b
        .get(authorize_url(&app, &client_id, "&max_age=60&prompt=none"))
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=login_required")
    );
    // Proving the password again moves auth_time forward.
    let page = b
        .get(app.url("/u/mfa"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let again = b
        .post(app.url("/u/mfa"))
        .form(&[
            ("csrf", form_value(&page, "csrf").unwrap().as_str()),
            ("method", "password"),
            ("code", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(again.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let (_, t) = exchange(&app, &client_id, &secret, &code).await;
    let auth_time = jwt_part(t["id_token"].as_str().unwrap(), 1)["auth_time"]
        .as_i64()
        .unwrap();
    assert_eq!(auth_time, app.clock_now());
}

trait ClockNow {
    fn clock_now(&self) -> i64;
}

impl ClockNow for TestApp {
    fn clock_now(&self) -> i64 {
        use portcullis_core::clock::Clock;
        self.clock.now()
    }
}

#[tokio::test]
async fn login_wrong_password_and_unknown_user_get_the_same_answer() {
    let (app, client_id, _) = setup().await;
    let wrong = login(
        &browser(),
        &app,
        &authorize_url(&app, &client_id, ""),
        EMAIL,
        "wrong password",
    )
    .await;
    let unknown = login(
        &browser(),
        &app,
        &authorize_url(&app, &client_id, ""),
        "nobody@example.com",
        "wrong password",
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert!(wrong.body.contains("Wrong email or password."));
    assert!(unknown.body.contains("Wrong email or password."));
    let audit = app.store.recent_audit(10).await.unwrap();
    assert_eq!(
        audit.iter().filter(|e| e.kind == "login.failure").count(),
        2
    );
}

#[tokio::test]
async fn login_without_csrf_token_is_forbidden() {
    let (app, client_id, _) = setup().await;
    let b = browser();
    let resp = b
        .get(authorize_url(&app, &client_id, ""))
        .send()
        .await
        .unwrap();
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    let page = b.get(app.url(&loc)).send().await.unwrap();
    let cookies: Vec<String> = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/"))
    );
    let html = page.text().await.unwrap();
    let state = portcullis_testkit::form_value(&html, "state").unwrap();
    let resp = b
        .post(app.url("/u/login"))
        .form(&[
            ("state", state.as_str()),
            ("csrf", "forged"),
            ("email", EMAIL),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let other_browser = browser();
    let csrf = portcullis_testkit::form_value(&html, "csrf").unwrap();
    let resp = other_browser
        .post(app.url("/u/login"))
        .form(&[
            ("state", state.as_str()),
            ("csrf", csrf.as_str()),
            ("email", EMAIL),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        403,
        "token bound to the first browser's cookie"
    );
}

#[tokio::test]
async fn revoke_refresh_token_and_introspection() {
    let (app, client_id, secret) = setup().await;
    let t = tokens(&app, &client_id, &secret).await;
    let rt = t["refresh_token"].as_str().unwrap();
    let at = t["access_token"].as_str().unwrap();
    let active = introspect(&app, &client_id, &secret, at).await;
    assert_eq!(active["active"], true);
    assert_eq!(active["acr"], "aal1");
    assert_eq!(
        introspect(&app, &client_id, &secret, rt).await["active"],
        true
    );
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/revoke"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("token", rt), ("token_type_hint", "refresh_token")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        introspect(&app, &client_id, &secret, rt).await["active"],
        false
    );
    assert_eq!(
        introspect(&app, &client_id, &secret, at).await["active"],
        false,
        "family revoked"
    );
    let unknown = reqwest::Client::new()
        .post(app.url("/oauth/revoke"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("token", "not-a-token")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 200, "RFC 7009 §2.2");
}

#[tokio::test]
async fn key_rotation_keeps_old_tokens_valid_and_signs_with_new_key() {
    let (app, client_id, secret) = setup().await;
    let before = tokens(&app, &client_id, &secret).await;
    let old_at = before["access_token"].as_str().unwrap();
    let old_kid = jwt_part(old_at, 0)["kid"].as_str().unwrap().to_string();
    portcullis_core::admin::rotate_key(
        app.store.as_ref(),
        app.state.master(),
        &app.clock,
        portcullis_core::crypto::jws::Alg::Rs256,
    )
    .await
    .unwrap();
    let kids = app.jwks_field("kid").await;
    assert_eq!(kids.len(), 4, "new key published, old one kept");
    assert!(kids.contains(&old_kid));
    assert_eq!(
        userinfo_status(&app, old_at).await,
        200,
        "old token still verifies"
    );
    let after = tokens(&app, &client_id, &secret).await;
    let new_kid = jwt_part(after["access_token"].as_str().unwrap(), 0)["kid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_kid, old_kid);
    assert!(kids.contains(&new_kid));
}

#[tokio::test]
async fn logout_without_hint_asks_for_confirmation() {
    let (app, client_id, _) = setup().await;
    let b = browser();
    login(
        &b,
        &app,
        &authorize_url(&app, &client_id, ""),
        EMAIL,
        PASSWORD,
    )
    .await;
    let resp = b.get(app.url("/oidc/logout")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Sign out?"));
    let still = b
        .get(authorize_url(&app, &client_id, ""))
        .send()
        .await
        .unwrap();
    assert!(
        still.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with(REDIRECT),
        "GET alone did not sign out"
    );
    let csrf = portcullis_testkit::form_value(&html, "csrf").unwrap();
    let resp = b
        .post(app.url("/oidc/logout"))
        .form(&[("csrf", csrf.as_str()), ("request", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let after = b
        .get(authorize_url(&app, &client_id, ""))
        .send()
        .await
        .unwrap();
    assert!(
        after.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/u/login")
    );
    let bad = b
        .get(format!(
            "{}/oidc/logout?client_id={client_id}&post_logout_redirect_uri={}",
            app.issuer,
            urlencode("http://localhost:3000/elsewhere")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        bad.status(),
        400,
        "post_logout_redirect_uri must match exactly"
    );
}

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    assert_eq!(
        reqwest::get(app.url("/healthz")).await.unwrap().status(),
        200
    );
    assert_eq!(
        reqwest::get(app.url("/readyz")).await.unwrap().status(),
        200
    );
}

#[tokio::test]
async fn public_client_uses_pkce_without_secret() {
    let app = spawn_app().await;
    app.create_user(EMAIL, PASSWORD).await;
    let (spa, secret) = app
        .create_client(NewClient {
            name: "SPA".into(),
            redirect_uris: vec![REDIRECT.into()],
            public: true,
            ..NewClient::default()
        })
        .await;
    assert!(secret.is_none());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let extra = format!(
        "&code_challenge={}&code_challenge_method=S256",
        challenge.as_str()
    );
    let out = login(
        &browser(),
        &app,
        &authorize_url(&app, &spa.id, &extra),
        EMAIL,
        PASSWORD,
    )
    .await;
    let code = out.param("code").unwrap();
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", spa.id.as_str()),
            ("code_verifier", verifier.secret().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert!(body["id_token"].is_string());
    let refresh = body["refresh_token"].as_str().unwrap();
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", spa.id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        200,
        "public clients refresh with client_id only"
    );
    let introspect = reqwest::Client::new()
        .post(app.url("/oauth/introspect"))
        .form(&[("token", refresh), ("client_id", spa.id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        introspect.status(),
        401,
        "introspection is for confidential clients"
    );
}

#[tokio::test]
async fn https_issuer_uses_host_prefixed_secure_cookies() {
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[("PORTCULLIS_ISSUER", "https://id.example.com")],
    )
    .await;
    let (client, _) = app.web_client(REDIRECT).await;
    let b = browser();
    let url = format!(
        "{}/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid&login_hint=ada%40example.com",
        app.url(""),
        client.id,
        urlencode(REDIRECT)
    );
    let resp = b.get(url).send().await.unwrap();
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    let page = b.get(app.url(&loc)).send().await.unwrap();
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-portcullis_csrf="), "{cookie}");
    for attr in ["; Path=/", "; HttpOnly", "; SameSite=Lax", "; Secure"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert!(!cookie.contains("Domain="), "__Host- cookies are host-only");
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"value="ada@example.com""#),
        "login_hint prefills the email"
    );
    let m: Value = app.get_json("/.well-known/openid-configuration").await;
    assert_eq!(m["token_endpoint"], "https://id.example.com/oauth/token");
}

#[tokio::test]
async fn signing_in_again_keeps_the_session_or_replaces_it_for_another_user() {
    let (app, client_id, secret) = setup().await;
    app.create_user("bob@example.com", PASSWORD).await;
    let b = browser();
    let first = tokens_in(&app, &b, &client_id, &secret, "", EMAIL).await;
    let sid = jwt_part(first["id_token"].as_str().unwrap(), 1)["sid"].clone();
    app.clock.advance(30);
    let again = tokens_in(&app, &b, &client_id, &secret, "&prompt=login", EMAIL).await;
    let claims = jwt_part(again["id_token"].as_str().unwrap(), 1);
    assert_eq!(claims["sid"], sid, "same person, same session");
    assert_eq!(
        claims["auth_time"].as_i64().unwrap(),
        app.clock_now(),
        "auth_time moved"
    );
    let (s, _) = refresh(
        &app,
        &client_id,
        &secret,
        first["refresh_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(s, 200, "re-authentication keeps earlier tokens");
    let bob = tokens_in(
        &app,
        &b,
        &client_id,
        &secret,
        "&prompt=login",
        "bob@example.com",
    )
    .await;
    assert_ne!(jwt_part(bob["id_token"].as_str().unwrap(), 1)["sid"], sid);
    let (s, _) = refresh(
        &app,
        &client_id,
        &secret,
        again["refresh_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(
        s, 400,
        "another user's sign-in ended the first session and its tokens"
    );
}

async fn tokens_in(
    app: &TestApp,
    b: &reqwest::Client,
    client_id: &str,
    secret: &str,
    extra: &str,
    email: &str,
) -> Value {
    let out = login(
        b,
        app,
        &authorize_url(app, client_id, extra),
        email,
        PASSWORD,
    )
    .await;
    exchange(app, client_id, secret, &out.param("code").expect("code"))
        .await
        .1
}

#[tokio::test]
async fn concurrent_refresh_of_one_token_succeeds_once_and_revokes_the_family() {
    let (app, client_id, secret) = setup().await;
    let t = tokens(&app, &client_id, &secret).await;
    let rt = t["refresh_token"].as_str().unwrap().to_string();
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (url, id, s, rt) = (
                app.url("/oauth/token"),
                client_id.clone(),
                secret.clone(),
                rt.clone(),
            );
            tokio::spawn(async move {
                let resp = reqwest::Client::new()
                    .post(url)
                    .basic_auth(id, Some(s))
                    .form(&[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", rt.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap();
                (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        if status == 200 {
            winners.push(body);
        }
    }
    assert_eq!(winners.len(), 1, "a refresh token is spent once");
    let next = winners[0]["refresh_token"].as_str().unwrap();
    let (s, _) = refresh(&app, &client_id, &secret, next).await;
    assert_eq!(
        s, 400,
        "the parallel reuse revoked the family, winner included"
    );
}

/// A server with a 10-second refresh reuse interval, the user and a web client.
async fn with_reuse_interval() -> (
    portcullis_testkit::TestApp,
    portcullis_core::model::Client,
    String,
) {
    let app = portcullis_testkit::spawn_app_with_env(
        portcullis_testkit::Engine::Sqlite,
        &[("PORTCULLIS_TOKENS__REFRESH_REUSE_INTERVAL", "10")],
    )
    .await;
    app.create_user(EMAIL, PASSWORD).await;
    let (client, secret) = app.web_client(REDIRECT).await;
    (app, client, secret)
}

#[tokio::test]
async fn refresh_reuse_interval_gives_a_lost_answer_a_second_successor_then_detects_reuse() {
    let (app, client, secret) = with_reuse_interval().await;
    let client_id = client.id;
    let t = tokens(&app, &client_id, &secret).await;
    let rt1 = t["refresh_token"].as_str().unwrap().to_string();
    // The answer to this rotation is "lost": the client still holds rt1.
    let (s, lost) = refresh(&app, &client_id, &secret, &rt1).await;
    assert_eq!(s, 200);
    app.clock.advance(3);
    let (s, retried) = refresh(&app, &client_id, &secret, &rt1).await;
    assert_eq!(s, 200, "{retried}");
    let rt3 = retried["refresh_token"].as_str().unwrap();
    assert_ne!(rt3, lost["refresh_token"].as_str().unwrap());
    // Another client presenting it is still refused (and that is reuse).
    let (other, other_secret) = app.web_client(REDIRECT).await;
    let (s, _) = refresh(&app, &other.id, &other_secret, &rt1).await;
    assert_eq!(s, 400);
    let (s, _) = refresh(&app, &client_id, &secret, rt3).await;
    assert_eq!(s, 400, "the other client's reuse revoked the family");

    // A new family: eighty retries at once within the interval all get an answer; past the
    // interval the same token is reuse, and the whole family goes.
    let t = tokens(&app, &client_id, &secret).await;
    let rt = t["refresh_token"].as_str().unwrap().to_string();
    let (s, first) = refresh(&app, &client_id, &secret, &rt).await;
    assert_eq!(s, 200);
    let answers = common::grant_at_once(
        &app,
        &(client_id.clone(), secret.clone()),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.as_str()),
        ],
        80,
    )
    .await;
    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    app.clock.advance(11);
    let (s, body) = refresh(&app, &client_id, &secret, &rt).await;
    assert_eq!((s, body["error"].as_str()), (400, Some("invalid_grant")));
    let (s, _) = refresh(
        &app,
        &client_id,
        &secret,
        first["refresh_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(s, 400, "reuse past the interval revoked the family");
    let audit = app.store.recent_audit(200).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.kind == "token.refresh_reissued")
            .count(),
        81
    );
}

#[tokio::test]
async fn refresh_reuse_interval_eighty_rotations_of_a_live_token_at_once_all_answered() {
    // One wins the rotation; the others lose the race to it, within the interval.
    let (app, client, secret) = with_reuse_interval().await;
    let t = tokens(&app, &client.id, &secret).await;
    let rt = t["refresh_token"].as_str().unwrap();
    let answers = common::grant_at_once(
        &app,
        &(client.id.clone(), secret.clone()),
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        80,
    )
    .await;
    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    let reissued = app
        .store
        .recent_audit(200)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == "token.refresh_reissued")
        .count();
    assert_eq!(reissued, 79);
    for (_, body) in answers.iter().take(3) {
        let (s, _) = refresh(
            &app,
            &client.id,
            &secret,
            body["refresh_token"].as_str().unwrap(),
        )
        .await;
        assert_eq!(s, 200);
    }
}

#[tokio::test]
async fn authorize_with_audience_issues_an_access_token_for_that_api() {
    let (app, client_id, secret) = setup().await;
    portcullis_core::admin::create_api(
        app.store.as_ref(),
        &app.clock,
        "https://payouts.example.com",
        None,
        vec!["payouts:write".into()],
        Default::default(),
    )
    .await
    .unwrap();
    let code = sign_in_code(
        &app,
        &client_id,
        "&audience=https%3A%2F%2Fpayouts.example.com",
    )
    .await;
    let (status, t) = exchange(&app, &client_id, &secret, &code).await;
    assert_eq!(status, 200, "{t}");
    let at = t["access_token"].as_str().unwrap();
    let claims = jwt_part(at, 1);
    assert_eq!(
        claims["aud"],
        serde_json::json!([
            "https://payouts.example.com",
            format!("{}/userinfo", app.issuer)
        ])
    );
    assert_eq!(claims["acr"], "aal1");
    assert_eq!(t["expires_in"], 3600);
    assert_eq!(
        userinfo_status(&app, at).await,
        200,
        "openid tokens also serve /userinfo"
    );
}
