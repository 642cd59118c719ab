//! DPoP (RFC 9449) at the authorization server, over real HTTP: proofs made here with P-256
//! keys bind the tokens of a code, a refresh and client credentials; a public client's refresh
//! tokens work only with their key; UserInfo and the management API take bound tokens only with
//! the `DPoP` scheme and a proof for the request and token; a proof is good once, also 80 times
//! at once; bad proofs are refused and spend nothing; nonces when the tenant requires them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::admin::NewClient;
use portcullis_core::crypto::{b64url, b64url_decode, random};
use portcullis_testkit::{Engine, TestApp, browser, spawn_app_with_env};
use serde_json::{Value, json};

/// A client's DPoP key, and the server's time (its test clock stands still).
struct Key {
    now: i64,
    ec: EcKey,
    jwk: Value,
    jkt: String,
}

impl Key {
    fn new(app: &TestApp) -> Key {
        let ec = EcKey::new();
        Key {
            now: app.clock_now(),
            jwk: ec.jwk.clone(),
            jkt: ec.jkt.clone(),
            ec,
        }
    }

    fn sign(&self, header: &Value, claims: &Value) -> String {
        self.ec.sign(header, claims)
    }

    /// A token request with a fresh proof by this key.
    async fn token<F: serde::Serialize + ?Sized>(
        &self,
        app: &TestApp,
        client: Option<(&str, &str)>,
        form: &F,
    ) -> (u16, Value, Option<String>) {
        let proof = self.proof("POST", &app.url("/oauth/token"), json!({}));
        token(app, client, form, Some(&proof)).await
    }

    /// A proof for `method` `url`, now, with `extra` claims (`ath`, `nonce`, or overrides).
    fn proof(&self, method: &str, url: &str, extra: Value) -> String {
        let mut claims = json!({
            "jti": random::token(),
            "htm": method,
            "htu": url,
            "iat": self.now,
        });
        for (k, v) in extra.as_object().unwrap() {
            claims[k] = v.clone();
        }
        let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk });
        self.sign(&header, &claims)
    }
}

fn ath(token: &str) -> Value {
    json!({ "ath": sha256_b64(token.as_bytes()) })
}

/// A token request answered `400 invalid_dpop_proof`.
fn refused(status: u16, body: &Value, why: &str) {
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof")),
        "{why}: {body}"
    );
}

/// The payload of a JWT.
fn payload(jwt: &str) -> Value {
    serde_json::from_slice(&b64url_decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

/// A token request with an optional proof; status, body and the `DPoP-Nonce` header.
async fn token<F: serde::Serialize + ?Sized>(
    app: &TestApp,
    client: Option<(&str, &str)>,
    form: &F,
    proof: Option<&str>,
) -> (u16, Value, Option<String>) {
    let mut req = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .form(form);
    if let Some((id, secret)) = client {
        req = req.basic_auth(id, Some(secret));
    }
    if let Some(p) = proof {
        req = req.header("DPoP", p);
    }
    let resp = req.send().await.unwrap();
    let nonce = resp
        .headers()
        .get("dpop-nonce")
        .map(|v| v.to_str().unwrap().to_string());
    (resp.status().as_u16(), resp.json().await.unwrap(), nonce)
}

/// UserInfo with `authorization` and an optional proof: status and `WWW-Authenticate`.
async fn userinfo(app: &TestApp, authorization: &str, proof: Option<&str>) -> (u16, String) {
    let mut req = reqwest::Client::new()
        .get(app.url("/userinfo"))
        .header("authorization", authorization);
    if let Some(p) = proof {
        req = req.header("DPoP", p);
    }
    let resp = req.send().await.unwrap();
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (resp.status().as_u16(), challenge)
}

/// A code exchange's form; a public client names itself, a confidential one authenticates.
fn exchange(client_id: Option<&str>, code: &str) -> Vec<(String, String)> {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    form.extend(client_id.map(|c| ("client_id", c)));
    owned(&form)
}

/// A refresh's form, as [`exchange`].
fn refreshing(client_id: Option<&str>, token: &str) -> Vec<(String, String)> {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    form.extend(client_id.map(|c| ("client_id", c)));
    owned(&form)
}

fn owned(form: &[(&str, &str)]) -> Vec<(String, String)> {
    form.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const VERIFIER: &str = "a-pkce-verifier-long-enough-for-rfc-7636-forty-three-characters";

/// The authorization request of [`code_for`], with `extra` parameters.
fn authorize(client_id: &str, extra: &str) -> String {
    let challenge = sha256_b64(VERIFIER.as_bytes());
    format!(
        "/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=openid%20email%20offline_access&state=s&code_challenge={challenge}&code_challenge_method=S256{extra}",
        form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    )
}

/// Signs in through the hosted pages with PKCE: the code.
async fn code_for(app: &TestApp, client_id: &str) -> String {
    code_with(app, client_id, "").await
}

async fn code_with(app: &TestApp, client_id: &str, extra: &str) -> String {
    let done = sign_in(&browser(), app, &authorize(client_id, extra)).await;
    done.param("code").expect("a code")
}

async fn public_client(app: &TestApp) -> String {
    app.create_user(EMAIL, PASSWORD).await;
    let (client, _) = app
        .create_client(NewClient {
            name: "SPA".into(),
            redirect_uris: vec![REDIRECT.into()],
            public: true,
            ..NewClient::default()
        })
        .await;
    client.id
}

#[tokio::test]
async fn a_public_clients_tokens_are_bound_and_its_refresh_needs_the_key() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let discovery = app.get_json("/.well-known/openid-configuration").await;
    assert_eq!(
        discovery["dpop_signing_alg_values_supported"],
        json!(["EdDSA", "ES256", "RS256", "PS256"])
    );
    let client_id = public_client(&app).await;
    let token_url = app.url("/oauth/token");
    let key = Key::new(&app);
    let code = code_for(&app, &client_id).await;
    let form = exchange(Some(&client_id), &code);
    let (status, body, _) = key.token(&app, None, &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "DPoP");
    let access = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(payload(&access)["cnf"]["jkt"], key.jkt.as_str());
    let refresh = body["refresh_token"].as_str().unwrap().to_string();

    // UserInfo: the DPoP scheme with a proof for this request and token; nothing else.
    let info = app.url("/userinfo");
    let good = key.proof("GET", &info, ath(&access));
    assert_eq!(
        userinfo(&app, &format!("DPoP {access}"), Some(&good))
            .await
            .0,
        200
    );
    let (status, challenge) = userinfo(&app, &format!("DPoP {access}"), Some(&good)).await;
    assert_eq!(status, 401, "a proof is good once");
    assert!(challenge.starts_with("DPoP "), "{challenge}");
    assert!(
        challenge.contains("error=\"invalid_dpop_proof\""),
        "{challenge}"
    );
    let (status, challenge) = userinfo(&app, &format!("Bearer {access}"), None).await;
    assert_eq!(status, 401, "a bound token is no bearer token");
    assert!(challenge.contains("invalid_dpop_proof"), "{challenge}");
    for (why, proof) in [
        ("no ath", key.proof("GET", &info, json!({}))),
        ("POST, not GET", key.proof("POST", &info, ath(&access))),
        (
            "another key",
            Key::new(&app).proof("GET", &info, ath(&access)),
        ),
        (
            "another URL",
            key.proof("GET", &app.url("/oauth/token"), ath(&access)),
        ),
    ] {
        let (status, _) = userinfo(&app, &format!("DPoP {access}"), Some(&proof)).await;
        assert_eq!(status, 401, "{why}");
    }
    assert_eq!(
        userinfo(&app, &format!("DPoP {access}"), None).await.0,
        401,
        "no proof"
    );

    // The refresh token is bound: no proof, or another key's, is refused and spends nothing.
    let form = refreshing(Some(&client_id), &refresh);
    let (status, body, _) = token(&app, None, &form, None).await;
    refused(status, &body, "refused");
    let thief = Key::new(&app).proof("POST", &token_url, json!({}));
    let (status, body, _) = token(&app, None, &form, Some(&thief)).await;
    refused(status, &body, "refused");
    let (status, body, _) = key.token(&app, None, &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "DPoP");
    assert_eq!(
        payload(body["access_token"].as_str().unwrap())["cnf"]["jkt"],
        key.jkt.as_str()
    );
    // The successor is bound too.
    let next = body["refresh_token"].as_str().unwrap().to_string();
    let form = refreshing(Some(&client_id), &next);
    let (status, _, _) = token(&app, None, &form, None).await;
    assert_eq!(status, 400);
    let (status, _, _) = key.token(&app, None, &form).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn bad_proofs_are_refused_and_spend_nothing() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let client_id = public_client(&app).await;
    let token_url = app.url("/oauth/token");
    let key = Key::new(&app);
    let code = code_for(&app, &client_id).await;
    let form = exchange(Some(&client_id), &code);
    let mut private = key.jwk.clone();
    private["d"] = json!(b64url(&[7u8; 32]));
    let stale = key.now - 600;
    let cases = [
        ("not a JWT", "not.a.jwt".to_string()),
        (
            "another URL",
            key.proof("POST", &app.url("/userinfo"), json!({})),
        ),
        ("GET, not POST", key.proof("GET", &token_url, json!({}))),
        (
            "ten minutes old",
            key.proof("POST", &token_url, json!({ "iat": stale })),
        ),
        (
            "from the future",
            key.proof("POST", &token_url, json!({ "iat": key.now + 600 })),
        ),
        (
            "no jti",
            key.proof("POST", &token_url, json!({ "jti": "" })),
        ),
        (
            "a private key in the header",
            key.sign(
                &json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": private }),
                &json!({ "jti": "p1", "htm": "POST", "htu": token_url, "iat": key.now }),
            ),
        ),
        (
            "no typ",
            key.sign(
                &json!({ "alg": "ES256", "jwk": key.jwk }),
                &json!({ "jti": "p2", "htm": "POST", "htu": token_url, "iat": key.now }),
            ),
        ),
        (
            "signed by another key",
            Key::new(&app).sign(
                &json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": key.jwk }),
                &json!({ "jti": "p3", "htm": "POST", "htu": token_url, "iat": key.now }),
            ),
        ),
    ];
    for (why, proof) in cases {
        let (status, body, _) = token(&app, None, &form, Some(&proof)).await;
        assert_eq!(status, 400, "{why}: {body}");
        assert_eq!(body["error"], "invalid_dpop_proof", "{why}");
    }
    // Two DPoP headers.
    let resp = reqwest::Client::new()
        .post(&token_url)
        .form(&form)
        .header("DPoP", key.proof("POST", &token_url, json!({})))
        .header("DPoP", key.proof("POST", &token_url, json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    // None of it spent the code.
    let (status, body, _) = key.token(&app, None, &form).await;
    assert_eq!(status, 200, "{body}");
    // A public client that sends no proof gets bearer tokens, as before.
    let code = code_for(&app, &client_id).await;
    let form = exchange(Some(&client_id), &code);
    let (status, body, _) = token(&app, None, &form, None).await;
    assert_eq!((status, body["token_type"].as_str()), (200, Some("Bearer")));
    assert!(
        payload(body["access_token"].as_str().unwrap())
            .get("cnf")
            .is_none()
    );
}

#[tokio::test]
async fn one_proof_gets_one_token_even_80_at_once() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let client = admin_client(&app, &["read:users"]).await;
    let token_url = app.url("/oauth/token");
    let key = Key::new(&app);
    let proof = key.proof("POST", &token_url, json!({}));
    let audience = format!("{}/api/v2/", app.issuer);
    let form = [
        ("grant_type", "client_credentials"),
        ("audience", audience.as_str()),
    ];
    let tries = (0..80).map(|_| {
        let (app, client, proof, form) = (&app, &client, proof.clone(), form);
        async move { token(app, Some((&client.0, &client.1)), &form, Some(&proof)).await }
    });
    let answers = futures_util::future::join_all(tries).await;
    let ok: Vec<_> = answers.iter().filter(|(s, _, _)| *s == 200).collect();
    assert_eq!(ok.len(), 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|(s, b, _)| *s == 200 || b["error"] == "invalid_dpop_proof")
    );
    let access = ok[0].1["access_token"].as_str().unwrap().to_string();
    assert_eq!(ok[0].1["token_type"], "DPoP");

    // The management API: the DPoP scheme and a proof, never as a bearer token.
    let users = app.url("/api/v2/users");
    let call = |authorization: String, proof: Option<String>| {
        let mut req = reqwest::Client::new()
            .get(&users)
            .header("authorization", authorization);
        if let Some(p) = proof {
            req = req.header("DPoP", p);
        }
        req.send()
    };
    let bearer = call(format!("Bearer {access}"), None).await.unwrap();
    assert_eq!(bearer.status(), 401);
    assert!(
        bearer.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_dpop_proof")
    );
    let proved = call(
        format!("DPoP {access}"),
        Some(key.proof("GET", &users, ath(&access))),
    )
    .await
    .unwrap();
    assert_eq!(proved.status(), 200, "{}", proved.text().await.unwrap());

    // Introspection names the key.
    let resp: Value = reqwest::Client::new()
        .post(app.url("/oauth/introspect"))
        .basic_auth(&client.0, Some(&client.1))
        .form(&[("token", access.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resp["active"], true, "{resp}");
    assert_eq!(resp["token_type"], "DPoP");
    assert_eq!(resp["cnf"]["jkt"], key.jkt.as_str());
}

#[tokio::test]
async fn a_confidential_clients_refresh_token_is_not_bound() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (cid, secret) = setup(&app).await;
    let token_url = app.url("/oauth/token");
    let code = code_for(&app, &cid).await;
    let key = Key::new(&app);
    let form = exchange(None, &code);
    let (status, body, _) = token(
        &app,
        Some((&cid, &secret)),
        &form,
        Some(&key.proof("POST", &token_url, json!({}))),
    )
    .await;
    assert_eq!(
        (status, body["token_type"].as_str()),
        (200, Some("DPoP")),
        "{body}"
    );
    // Its credentials hold the refresh token: another key, or none, may refresh it.
    let refresh = body["refresh_token"].as_str().unwrap().to_string();
    let form = refreshing(None, &refresh);
    let other = Key::new(&app);
    let (status, body, _) = token(
        &app,
        Some((&cid, &secret)),
        &form,
        Some(&other.proof("POST", &token_url, json!({}))),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        payload(body["access_token"].as_str().unwrap())["cnf"]["jkt"],
        other.jkt.as_str()
    );
    let refresh = body["refresh_token"].as_str().unwrap().to_string();
    let form = refreshing(None, &refresh);
    let (status, body, _) = token(&app, Some((&cid, &secret)), &form, None).await;
    assert_eq!(
        (status, body["token_type"].as_str()),
        (200, Some("Bearer")),
        "{body}"
    );
}

#[tokio::test]
async fn nonces_when_the_tenant_requires_them() {
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[("PORTCULLIS_TOKENS__DPOP_REQUIRE_NONCE", "true")],
    )
    .await;
    let client = admin_client(&app, &["read:users"]).await;
    let token_url = app.url("/oauth/token");
    let audience = format!("{}/api/v2/", app.issuer);
    let form = [
        ("grant_type", "client_credentials"),
        ("audience", audience.as_str()),
    ];
    let key = Key::new(&app);
    let creds = Some((client.0.as_str(), client.1.as_str()));
    let (status, body, nonce) = key.token(&app, creds, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("use_dpop_nonce")),
        "{body}"
    );
    let nonce = nonce.expect("a DPoP-Nonce header");
    for forged in ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "nonce", ""] {
        let proof = key.proof("POST", &token_url, json!({ "nonce": forged }));
        let (status, body, _) = token(&app, creds, &form, Some(&proof)).await;
        assert_eq!(status, 400, "{forged}: {body}");
    }
    let proof = key.proof("POST", &token_url, json!({ "nonce": nonce }));
    let (status, body, next) = token(&app, creds, &form, Some(&proof)).await;
    assert_eq!(status, 200, "{body}");
    assert!(next.is_some(), "a nonce for the next proof");
    // At a resource: 401 with the nonce and a DPoP challenge.
    let access = body["access_token"].as_str().unwrap().to_string();
    let users = app.url("/api/v2/users");
    let resp = reqwest::Client::new()
        .get(&users)
        .header("authorization", format!("DPoP {access}"))
        .header("DPoP", key.proof("GET", &users, ath(&access)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let fresh = resp.headers()["dpop-nonce"].to_str().unwrap().to_string();
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("use_dpop_nonce")
    );
    let mut extra = ath(&access);
    extra["nonce"] = json!(fresh);
    let resp = reqwest::Client::new()
        .get(&users)
        .header("authorization", format!("DPoP {access}"))
        .header("DPoP", key.proof("GET", &users, extra))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn require_dpop_per_client_and_per_api() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    app.create_user(EMAIL, PASSWORD).await;
    let mut strict = portcullis_core::policy::PolicyOverrides::default();
    strict.set("require_dpop=true").unwrap();
    let (spa, _) = app
        .create_client(NewClient {
            name: "strict SPA".into(),
            redirect_uris: vec![REDIRECT.into()],
            public: true,
            policy: strict.clone(),
            ..NewClient::default()
        })
        .await;
    app.state.refresh().await.unwrap();
    let key = Key::new(&app);
    // The client's policy: refused before the code is spent, then the same code with a proof.
    let code = code_for(&app, &spa.id).await;
    let form = exchange(Some(&spa.id), &code);
    let (status, body, _) = token(&app, None, &form, None).await;
    refused(status, &body, "refused");
    let (status, body, _) = key.token(&app, None, &form).await;
    assert_eq!(
        (status, body["token_type"].as_str()),
        (200, Some("DPoP")),
        "{body}"
    );

    // An API's policy: tokens for it only against a proof, whichever client asks.
    const API: &str = "https://ledger.example";
    portcullis_core::admin::create_api(
        app.store.as_ref(),
        &app.clock,
        API,
        None,
        vec!["ledger:read".into()],
        strict,
    )
    .await
    .unwrap();
    let machine = admin_client(&app, &["read:users"]).await;
    portcullis_core::admin::grant_client(
        app.store.as_ref(),
        &machine.0,
        API,
        vec!["ledger:read".into()],
    )
    .await
    .unwrap();
    app.state.refresh().await.unwrap();
    let creds = Some((machine.0.as_str(), machine.1.as_str()));
    let form = [("grant_type", "client_credentials"), ("audience", API)];
    let (status, body, _) = token(&app, creds, &form, None).await;
    refused(status, &body, "refused");
    let (status, body, _) = key.token(&app, creds, &form).await;
    assert_eq!(
        (status, body["token_type"].as_str()),
        (200, Some("DPoP")),
        "{body}"
    );
    // The same client's tokens for an API without the rule need none.
    let mgmt = format!("{}/api/v2/", app.issuer);
    let form = [
        ("grant_type", "client_credentials"),
        ("audience", mgmt.as_str()),
    ];
    let (status, body, _) = token(&app, creds, &form, None).await;
    assert_eq!(
        (status, body["token_type"].as_str()),
        (200, Some("Bearer")),
        "{body}"
    );
}

#[tokio::test]
async fn dpop_jkt_binds_the_code_to_the_key() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let client_id = public_client(&app).await;
    let key = Key::new(&app);
    // A code bound to the key: another key's proof, or none, cannot redeem it.
    let code = code_with(&app, &client_id, &format!("&dpop_jkt={}", key.jkt)).await;
    let form = exchange(Some(&client_id), &code);
    let (status, body, _) = Key::new(&app).token(&app, None, &form).await;
    refused(status, &body, "refused");
    let code = code_with(&app, &client_id, &format!("&dpop_jkt={}", key.jkt)).await;
    let form = exchange(Some(&client_id), &code);
    let (status, _, _) = token(&app, None, &form, None).await;
    assert_eq!(status, 400, "no proof");
    let code = code_with(&app, &client_id, &format!("&dpop_jkt={}", key.jkt)).await;
    let form = exchange(Some(&client_id), &code);
    let (status, body, _) = key.token(&app, None, &form).await;
    assert_eq!(
        (status, body["token_type"].as_str()),
        (200, Some("DPoP")),
        "{body}"
    );
    // Something that is no thumbprint is refused at the authorization endpoint.
    let resp = browser()
        .get(app.url(&authorize(&client_id, "&dpop_jkt=not-a-thumbprint")))
        .send()
        .await
        .unwrap();
    let to = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with(REDIRECT) && to.contains("error=invalid_request"),
        "{to}"
    );
}

#[tokio::test]
async fn a_proof_at_the_push_binds_the_code() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (cid, secret) = setup(&app).await;
    let key = Key::new(&app);
    let challenge = sha256_b64(VERIFIER.as_bytes());
    let form = [
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let par = app.url("/oauth/par");
    let pushed: Value = reqwest::Client::new()
        .post(&par)
        .basic_auth(&cid, Some(&secret))
        .header("DPoP", key.proof("POST", &par, json!({})))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let uri = pushed["request_uri"].as_str().expect("pushed").to_string();
    let front = format!(
        "/authorize?client_id={cid}&request_uri={}",
        form_urlencoded::byte_serialize(uri.as_bytes()).collect::<String>()
    );
    let code = sign_in(&browser(), &app, &front)
        .await
        .param("code")
        .expect("a code");
    let form = exchange(None, &code);
    let creds = Some((cid.as_str(), secret.as_str()));
    let (status, body, _) = Key::new(&app).token(&app, creds, &form).await;
    refused(status, &body, "another key");
}

#[tokio::test]
async fn an_mfa_token_keeps_the_key_of_the_request_that_got_it() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    app.create_user(EMAIL, PASSWORD).await;
    let (cid, secret) = password_client(&app, &["mfa=always"]).await;
    let client = Some((cid.as_str(), secret.as_str()));
    let key = Key::new(&app);
    let (status, body, _) = key
        .token(
            &app,
            client,
            &[
                ("grant_type", "password"),
                ("username", EMAIL),
                ("password", PASSWORD),
                ("scope", "openid"),
            ],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("mfa_required")),
        "{body}"
    );
    let mfa_token = body["mfa_token"].as_str().unwrap().to_string();
    let resp = reqwest::Client::new()
        .post(app.url("/mfa/associate"))
        .bearer_auth(&mfa_token)
        .json(&json!({
            "authenticator_types": ["otp"], "client_id": cid, "client_secret": secret,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let enrolled: Value = resp.json().await.unwrap();
    let totp = portcullis_core::factor::totp::TotpSecret::from_base32(
        enrolled["secret"].as_str().unwrap(),
    )
    .unwrap();
    app.clock.advance(30);
    let code = totp.code_at(app.clock_now());
    let form = [
        ("grant_type", OTP),
        ("mfa_token", mfa_token.as_str()),
        ("otp", code.as_str()),
    ];
    // Without a proof, or with another key: refused before the code is even looked at.
    let (status, body, _) = token(&app, client, &form, None).await;
    refused(status, &body, "no proof");
    let thief = Key::new(&app);
    let (status, body, _) = thief.token(&app, client, &form).await;
    refused(status, &body, "another key");
    // The same key finishes the sign-in, and its tokens are bound to it.
    let (status, body, _) = key.token(&app, client, &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "DPoP");
    assert_eq!(
        payload(body["access_token"].as_str().unwrap())["cnf"]["jkt"],
        key.jkt.as_str()
    );
}
