//! The relying party in a real axum app against a real Portcullis, driven like a browser:
//! sign-in through the hosted pages, the encrypted session cookie, token refresh and
//! `mfa_required`, step-up back to the same page, lifetimes on a shared fake clock,
//! back-channel logout, RP-initiated logout, and bad callbacks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use portcullis_core::admin::{NewClient, create_api, load_signer};
use portcullis_core::clock::Clock;
use portcullis_core::factor::totp::TotpSecret;
use portcullis_core::policy::PolicyOverrides;
use portcullis_core::ports::Store;
use portcullis_rp::{MemoryStore, Rp, RpConfig, UserSession};
use portcullis_testkit::{Engine, TestApp, browser, hosted, spawn_app_with_env};
use serde_json::{Value, json};

const API: &str = "https://payouts.example.com";
const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery staple";
const SECRET: &str = "an app secret that is long enough for HKDF";

struct World {
    idp: TestApp,
    rp_url: String,
    client_id: String,
    totp: TotpSecret,
}

/// Portcullis (tenant policy `never`: the password alone is aal1) with a user who has TOTP, an
/// API, and the app: `/` shows the session, `/bank` demands aal2 within five minutes.
async fn world(store: bool, client_policy: &[&str]) -> World {
    let idp = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "never")]).await;
    let user = idp.create_user(EMAIL, PASSWORD).await;
    let totp = TotpSecret::generate();
    let step = idp.clock.now() / 30;
    idp.state
        .factors()
        .enroll_totp(&user.id, &totp, "Pixel", step)
        .await
        .unwrap();
    create_api(
        idp.store.as_ref(),
        &idp.clock,
        API,
        None,
        vec!["payouts:write".into()],
        PolicyOverrides::default(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let rp_url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let mut policy = PolicyOverrides::default();
    for p in client_policy {
        policy.set(p).unwrap();
    }
    let (client, secret) = idp
        .create_client(NewClient {
            name: "payout web".into(),
            redirect_uris: vec![format!("{rp_url}/auth/callback")],
            post_logout_redirect_uris: vec![format!("{rp_url}/")],
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            policy,
            ..NewClient::default()
        })
        .await;
    idp.state.refresh().await.unwrap();
    let mut config = RpConfig::new(
        idp.issuer.clone(),
        client.id.clone(),
        secret,
        format!("{rp_url}/auth/callback"),
        SECRET,
    );
    config.audience = Some(API.into());
    config.post_logout_redirect_uri = Some(format!("{rp_url}/"));
    config.inactivity = 1800;
    config.absolute = 4 * 3600;
    let clock = idp.clock.clone();
    config.clock = Some(Arc::new(move || clock.now()));
    if store {
        config.store = Some(Arc::new(MemoryStore::default()));
    }
    let rp = Rp::discover(config).await.unwrap();
    let app = rp.wrap(
        Router::new()
            .route(
                "/",
                get(|s: UserSession| async move {
                    axum::Json(json!({ "sub": s.get().map(|s| s.sub) }))
                }),
            )
            .route(
                "/bank",
                get(|s: UserSession| async move {
                    use axum::response::IntoResponse;
                    match s.get() {
                        Some(x) if x.acr.as_deref() == Some("aal2") => {
                            "bank details".into_response()
                        }
                        _ => s.step_up("/bank", Some("aal2"), Some(300)),
                    }
                }),
            ),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    World {
        idp,
        rp_url,
        client_id: client.id,
        totp,
    }
}

async fn get_(b: &reqwest::Client, url: &str) -> (u16, Option<String>, Value) {
    let resp = b.get(url).send().await.unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    let text = resp.text().await.unwrap();
    (
        status,
        location,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// From `/auth/login?…` through the hosted pages back to the app; the app's final redirect.
async fn sign_in(
    w: &World,
    b: &reqwest::Client,
    query: &str,
    password: bool,
    totp: bool,
) -> String {
    let (status, to_idp, _) = get_(b, &format!("{}/auth/login?{query}", w.rp_url)).await;
    assert_eq!(status, 303);
    let to_idp = to_idp.unwrap();
    assert!(
        to_idp.starts_with(&format!("{}/authorize?", w.idp.issuer)),
        "{to_idp}"
    );
    let answers = hosted::Answers {
        password: password.then_some((EMAIL, PASSWORD)),
        totp: totp.then_some(&w.totp),
    };
    let callback = hosted::authorize(&w.idp, b, &to_idp, &answers).await;
    assert!(
        callback.starts_with(&format!("{}/auth/callback?", w.rp_url)),
        "{callback}"
    );
    let (status, to, body) = get_(b, &callback).await;
    assert_eq!(status, 303, "{body}");
    to.unwrap()
}

/// Lets `seconds` pass while the user keeps using the app (so the inactivity limit does not
/// end the session).
async fn keep_using(w: &World, b: &reqwest::Client, seconds: i64) {
    let mut left = seconds;
    while left > 0 {
        let step = left.min(1500);
        w.idp.clock.advance(step);
        left -= step;
        assert_eq!(get_(b, &format!("{}/auth/profile", w.rp_url)).await.0, 200);
    }
}

#[tokio::test]
async fn sign_in_refresh_step_up_logout_with_cookie_sessions() {
    let w = world(false, &["mfa_on_refresh=when_enrolled"]).await;
    let b = browser();
    let profile = format!("{}/auth/profile", w.rp_url);
    assert_eq!(get_(&b, &profile).await.0, 401);

    // Sign in with the password: back where we asked, an aal1 session.
    assert_eq!(
        sign_in(&w, &b, "return_to=/dashboard", true, false).await,
        "/dashboard"
    );
    let (status, _, me) = get_(&b, &profile).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        (me["email"].as_str(), me["acr"].as_str()),
        (Some(EMAIL), Some("aal1"))
    );
    let (_, _, token) = get_(&b, &format!("{}/auth/access-token", w.rp_url)).await;
    let at = token["access_token"].as_str().unwrap().to_string();
    let claims = claims(&at);
    assert_eq!(claims["aud"][0], API);

    // The token is reused until it nears expiry; then a refresh, which this client's policy
    // (mfa_on_refresh = when_enrolled, and the user has TOTP) answers with mfa_required.
    let (_, _, again) = get_(&b, &format!("{}/auth/access-token", w.rp_url)).await;
    assert_eq!(again["access_token"], at.as_str());
    keep_using(
        &w,
        &b,
        token["expires_at"].as_i64().unwrap() - w.idp.clock.now() - 30,
    )
    .await;
    let (status, _, body) = get_(&b, &format!("{}/auth/access-token", w.rp_url)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("mfa_required")),
        "{body}"
    );

    // Step-up from the app's page: the factor only, and back to /bank at aal2.
    let (status, to, _) = get_(&b, &format!("{}/bank", w.rp_url)).await;
    assert_eq!(status, 303);
    let query = to.unwrap().split_once('?').unwrap().1.to_string();
    assert!(
        query.contains("acr_values=aal2") && query.contains("max_age=300"),
        "{query}"
    );
    w.idp.clock.advance(30);
    assert_eq!(sign_in(&w, &b, &query, false, true).await, "/bank");
    let (_, _, me2) = get_(&b, &profile).await;
    assert_eq!(
        (me2["acr"].as_str(), me2["sub"].clone()),
        (Some("aal2"), me["sub"].clone())
    );
    assert_eq!(
        get_(&b, &format!("{}/bank", w.rp_url)).await.2,
        "bank details"
    );
    // An aal2 grant refreshes without a factor.
    keep_using(&w, &b, 3600).await;
    let (status, _, fresh) = get_(&b, &format!("{}/auth/access-token", w.rp_url)).await;
    assert_eq!(status, 200, "{fresh}");
    assert_ne!(fresh["access_token"], at.as_str());

    // RP-initiated logout: cookies cleared, off to the provider with the hint.
    let (status, to, _) = get_(&b, &format!("{}/auth/logout", w.rp_url)).await;
    assert_eq!(status, 303);
    let to = to.unwrap();
    assert!(
        to.starts_with(&format!("{}/oidc/logout?", w.idp.issuer)),
        "{to}"
    );
    assert!(to.contains("id_token_hint=") && to.contains(&w.client_id));
    assert_eq!(get_(&b, &profile).await.0, 401);
}

fn claims(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, part).unwrap(),
    )
    .unwrap()
}

/// A logout token signed with the provider's own key, as Portcullis sends them.
async fn logout_token(w: &World, sid: Option<&str>, sub: Option<&str>, jti: &str) -> String {
    let record = w
        .idp
        .store
        .list_signing_keys()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.retired_at.is_none() && k.alg == "EdDSA")
        .unwrap();
    let signer = load_signer(w.idp.state.master(), &record).unwrap();
    let mut c = json!({
        "iss": w.idp.issuer, "aud": w.client_id, "iat": w.idp.clock.now(), "exp": w.idp.clock.now() + 120,
        "jti": jti, "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
    });
    if let Some(sid) = sid {
        c["sid"] = sid.into();
    }
    if let Some(sub) = sub {
        c["sub"] = sub.into();
    }
    signer.sign_jwt("logout+jwt", &c).unwrap()
}

async fn post_logout(w: &World, token: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/auth/backchannel-logout", w.rp_url))
        .form(&[("logout_token", token)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn lifetimes_and_backchannel_logout(store: bool) {
    let w = world(store, &[]).await;
    let profile = format!("{}/auth/profile", w.rp_url);
    // Inactivity: 30 minutes without a request ends the session; requests keep it alive.
    let b = browser();
    sign_in(&w, &b, "", true, false).await;
    for _ in 0..8 {
        w.idp.clock.advance(1700);
        assert_eq!(get_(&b, &profile).await.0, 200, "rolling");
    }
    w.idp.clock.advance(1000);
    assert_eq!(
        get_(&b, &profile).await.0,
        401,
        "absolute: four hours after sign-in"
    );
    let b = browser();
    sign_in(&w, &b, "", true, false).await;
    w.idp.clock.advance(1801);
    assert_eq!(get_(&b, &profile).await.0, 401, "inactive for 30 minutes");

    // Back-channel logout by sid ends that session only; replays and bad tokens are refused.
    let (b1, b2) = (browser(), browser());
    sign_in(&w, &b1, "", true, false).await;
    let sid = claims(&id_token_of(&w, &b1).await)["sid"]
        .as_str()
        .unwrap()
        .to_string();
    let other = browser_with_other_session(&w, &b2).await;
    let token = logout_token(&w, Some(&sid), None, "jti-1").await;
    assert_eq!(post_logout(&w, &token).await, 200);
    assert_eq!(get_(&b1, &profile).await.0, 401);
    assert_eq!(get_(&b2, &profile).await.0, 200, "{other}");
    assert_eq!(post_logout(&w, &token).await, 400, "replayed");
    let mut forged = token.clone();
    forged.pop();
    assert_eq!(post_logout(&w, &forged).await, 400);
    assert_eq!(
        post_logout(&w, &logout_token(&w, None, None, "jti-2").await).await,
        400
    );
    // By sub: every session of the user.
    let sub = get_(&b2, &profile).await.2["sub"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        post_logout(&w, &logout_token(&w, None, Some(&sub), "jti-3").await).await,
        200
    );
    assert_eq!(get_(&b2, &profile).await.0, 401);
    // A new sign-in after the logout works (a later second: sessions begun in the second of a
    // logout count as ended, the safe side).
    w.idp.clock.advance(1);
    let b3 = browser();
    sign_in(&w, &b3, "", true, false).await;
    assert_eq!(get_(&b3, &profile).await.0, 200);
}

async fn id_token_of(w: &World, b: &reqwest::Client) -> String {
    // The logout redirect carries the session's ID token as the hint; read it there.
    let (_, to, _) = get_(b, &format!("{}/auth/logout", w.rp_url)).await;
    let url = url::Url::parse(&to.unwrap()).unwrap();
    let hint = url
        .query_pairs()
        .find(|(k, _)| k == "id_token_hint")
        .unwrap()
        .1
        .to_string();
    // Signed out by that; sign in again in the same browser (same provider session, same sid).
    sign_in_again(w, b).await;
    hint
}

async fn sign_in_again(w: &World, b: &reqwest::Client) {
    let (_, to_idp, _) = get_(b, &format!("{}/auth/login", w.rp_url)).await;
    let (_, callback, _) = get_(b, &to_idp.unwrap()).await;
    let callback = callback.unwrap();
    assert!(
        callback.starts_with(&w.rp_url),
        "provider session reused: {callback}"
    );
    assert_eq!(get_(b, &callback).await.0, 303);
}

async fn browser_with_other_session(w: &World, b: &reqwest::Client) -> String {
    sign_in(w, b, "", true, false).await
}

#[tokio::test]
async fn lifetimes_and_backchannel_logout_with_cookie_sessions() {
    lifetimes_and_backchannel_logout(false).await;
}

#[tokio::test]
async fn lifetimes_and_backchannel_logout_with_a_session_store() {
    lifetimes_and_backchannel_logout(true).await;
}

#[tokio::test]
async fn callbacks_that_do_not_match_their_request_are_refused() {
    let w = world(false, &[]).await;
    let b = browser();
    // No sign-in in progress.
    let (status, _, body) = get_(&b, &format!("{}/auth/callback?code=x&state=y", w.rp_url)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_callback"))
    );
    // A request in progress, answered with another state or another issuer.
    let (_, _, _) = get_(
        &b,
        &format!("{}/auth/login?return_to=//evil.example.com", w.rp_url),
    )
    .await;
    let (status, _, body) = get_(
        &b,
        &format!("{}/auth/callback?code=x&state=forged", w.rp_url),
    )
    .await;
    assert_eq!(
        (status, body["error_description"].as_str()),
        (400, Some("invalid callback: state does not match"))
    );
    // Open redirects are not followed: return_to=//evil… comes back to "/".
    assert_eq!(
        sign_in(&w, &b, "return_to=//evil.example.com", true, false).await,
        "/"
    );
    // A tampered session cookie is no session.
    let jar = browser();
    let cookie = format!("portcullis_session={}", "A".repeat(80));
    let resp = jar
        .get(format!("{}/auth/profile", w.rp_url))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(
        resp.headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().contains("Max-Age=0"))
    );
    // The provider's own error comes through.
    let (_, to_idp, _) = get_(
        &b,
        &format!("{}/auth/login?prompt=none&acr_values=aal3", w.rp_url),
    )
    .await;
    let (_, callback, _) = get_(&b, &to_idp.unwrap()).await;
    let (status, _, body) = get_(&b, &callback.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "interaction_required", "{body}");
}

#[tokio::test]
async fn a_session_past_one_cookie_travels_in_chunks() {
    let w = world(false, &[]).await;
    let b = browser();
    sign_in(&w, &b, "", true, false).await;
    // Tokens for more APIs, from the provider session already open: no pages.
    let mut chunked = Vec::new();
    for n in 2..=4 {
        let api = format!("https://api{n}.example.com");
        create_api(
            w.idp.store.as_ref(),
            &w.idp.clock,
            &api,
            None,
            vec![],
            PolicyOverrides::default(),
        )
        .await
        .unwrap();
        w.idp.state.refresh().await.unwrap();
        let enc: String = url::form_urlencoded::byte_serialize(api.as_bytes()).collect();
        let (_, to_idp, _) = get_(&b, &format!("{}/auth/login?audience={enc}", w.rp_url)).await;
        let (_, callback, _) = get_(&b, &to_idp.unwrap()).await;
        let resp = b.get(callback.unwrap()).send().await.unwrap();
        assert_eq!(resp.status(), 303);
        let names: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|c| c.to_str().unwrap().split('=').next().unwrap().to_string())
            .collect();
        chunked.push(names.iter().any(|n| n == "portcullis_session.1"));
    }
    assert_eq!(
        chunked.last(),
        Some(&true),
        "past 3.8 KB the session is split: {chunked:?}"
    );
    // Every token is still there, read back from the chunks.
    for api in [API, "https://api2.example.com", "https://api4.example.com"] {
        let enc: String = url::form_urlencoded::byte_serialize(api.as_bytes()).collect();
        let (status, _, t) = get_(
            &b,
            &format!("{}/auth/access-token?audience={enc}", w.rp_url),
        )
        .await;
        assert_eq!(status, 200, "{api}: {t}");
        assert_eq!(claims(t["access_token"].as_str().unwrap())["aud"][0], api);
    }
    // Signing out clears every chunk.
    let resp = b
        .get(format!("{}/auth/logout", w.rp_url))
        .send()
        .await
        .unwrap();
    let cleared: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .filter(|c| c.contains("Max-Age=0"))
        .collect();
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("portcullis_session.0=")),
        "{cleared:?}"
    );
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("portcullis_session.1=")),
        "{cleared:?}"
    );
    assert_eq!(get_(&b, &format!("{}/auth/profile", w.rp_url)).await.0, 401);
}
