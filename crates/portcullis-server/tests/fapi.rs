//! The FAPI 2.0 Security Profile as a policy switch (`fapi2`), over real HTTP: pushed requests,
//! PKCE, DPoP-bound tokens and `private_key_jwt` (aimed at the issuer only) required; codes that
//! live 60 seconds; tokens signed ES256 rather than RS256; public clients and secrets refused.
//! What the profile refuses spends nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::admin::NewClient;
use portcullis_core::crypto::random;
use portcullis_core::policy::PolicyOverrides;
use portcullis_testkit::{Engine, TestApp, browser, spawn_app_with_env};
use serde_json::{Value, json};

const ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn fapi() -> PolicyOverrides {
    let mut p = PolicyOverrides::default();
    p.set("fapi2=true").unwrap();
    p
}

/// A FAPI client's side: its assertion key, its DPoP key, its id and its PKCE pair.
struct Bank<'a> {
    app: &'a TestApp,
    key: EcKey,
    holder: EcKey,
    cid: String,
    verifier: String,
    challenge: String,
}

impl<'a> Bank<'a> {
    /// Registers a FAPI client: keys, no secret, the profile on.
    async fn new(app: &'a TestApp) -> Bank<'a> {
        let key = EcKey::new();
        let cid = keyed_web_client(app, &key, json!({ "fapi2": true })).await;
        let verifier = random::token();
        Bank {
            app,
            challenge: sha256_b64(verifier.as_bytes()),
            verifier,
            key,
            holder: EcKey::new(),
            cid,
        }
    }

    /// The authorization request, to push.
    fn request(&self, state: &str) -> Vec<(&'static str, String)> {
        vec![
            ("response_type", "code".into()),
            ("redirect_uri", REDIRECT.into()),
            ("scope", "openid email offline_access".into()),
            ("state", state.into()),
            ("nonce", "n-0S6_WzA2Mj".into()),
            ("code_challenge", self.challenge.clone()),
            ("code_challenge_method", "S256".into()),
        ]
    }

    /// POSTs `form` to `path` with an assertion aimed at `aud` (the issuer by default) and,
    /// with `proof`, a DPoP proof by the holder's key.
    async fn call(
        &self,
        path: &str,
        aud: Option<&str>,
        proof: bool,
        form: &[(&str, String)],
    ) -> (u16, Value) {
        let app = self.app;
        let now = app.clock_now();
        let jwt = self.key.sign(
            &json!({ "alg": "ES256", "typ": "JWT" }),
            &json!({
                "iss": self.cid, "sub": self.cid, "aud": aud.unwrap_or(&app.issuer),
                "exp": now + 60, "jti": random::token(),
            }),
        );
        let mut all = vec![
            ("client_assertion_type", ASSERTION.to_string()),
            ("client_assertion", jwt),
        ];
        all.extend(form.iter().map(|(k, v)| (*k, v.clone())));
        let mut req = reqwest::Client::new().post(app.url(path)).form(&all);
        if proof {
            req = req.header("DPoP", self.holder.dpop("POST", &app.url(path), now));
        }
        let resp = req.send().await.unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    /// Pushes the request, signs in through the browser with its `request_uri`: the code.
    async fn code(&self, state: &str) -> String {
        let (status, body) = self
            .call("/oauth/par", None, true, &self.request(state))
            .await;
        assert_eq!(status, 201, "{body}");
        let uri: String =
            form_urlencoded::byte_serialize(body["request_uri"].as_str().unwrap().as_bytes())
                .collect();
        let path = format!("/authorize?client_id={}&request_uri={uri}", self.cid);
        let done = sign_in(&browser(), self.app, &path).await;
        assert_eq!(done.param("iss").as_deref(), Some(self.app.issuer.as_str()));
        assert_eq!(done.param("state").as_deref(), Some(state));
        done.param("code").unwrap()
    }

    /// The form redeeming `code`.
    fn redeem(&self, code: &str) -> Vec<(&'static str, String)> {
        vec![
            ("grant_type", "authorization_code".into()),
            ("code", code.into()),
            ("redirect_uri", REDIRECT.into()),
            ("code_verifier", self.verifier.clone()),
        ]
    }
}

fn header(jwt: &str) -> Value {
    let part = jwt.split('.').next().unwrap();
    serde_json::from_slice(&portcullis_core::crypto::b64url_decode(part).unwrap()).unwrap()
}

fn error(answer: &(u16, Value)) -> (u16, Option<&str>) {
    (answer.0, answer.1["error"].as_str())
}

#[tokio::test]
async fn a_fapi_client_signs_in_with_par_pkce_dpop_and_keys_only() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    app.create_user(EMAIL, PASSWORD).await;
    let bank = Bank::new(&app).await;

    // Not pushed: refused to the client.
    let pkce = format!(
        "&code_challenge={}&code_challenge_method=S256",
        bank.challenge
    );
    let front = get(&browser(), &app, &authorize_url(&app, &bank.cid, &pkce)).await;
    assert_eq!(front.param("error").as_deref(), Some("invalid_request"));

    // Pushes refused: an assertion aimed at the endpoint rather than the issuer; no PKCE.
    let par = app.url("/oauth/par");
    let answer = bank
        .call("/oauth/par", Some(&par), true, &bank.request("s"))
        .await;
    assert_eq!(
        error(&answer),
        (401, Some("invalid_client")),
        "{}",
        answer.1
    );
    let mut no_pkce = bank.request("s");
    no_pkce.retain(|(k, _)| !k.starts_with("code_challenge"));
    let answer = bank.call("/oauth/par", None, true, &no_pkce).await;
    assert_eq!(
        error(&answer),
        (400, Some("invalid_request")),
        "{}",
        answer.1
    );

    // By the book. Without a proof the code is refused, and not spent.
    let code = bank.code("s1").await;
    let answer = bank
        .call("/oauth/token", None, false, &bank.redeem(&code))
        .await;
    assert_eq!(
        error(&answer),
        (400, Some("invalid_dpop_proof")),
        "{}",
        answer.1
    );
    let (status, tokens) = bank
        .call("/oauth/token", None, true, &bank.redeem(&code))
        .await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "DPoP");
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(claims(access)["cnf"]["jkt"], bank.holder.jkt.as_str());
    // Never RS256 under the profile.
    assert_eq!(header(tokens["id_token"].as_str().unwrap())["alg"], "ES256");
    assert_eq!(header(access)["alg"], "ES256");
    // The refresh needs the proof too.
    let refresh = vec![
        ("grant_type", "refresh_token".to_string()),
        (
            "refresh_token",
            tokens["refresh_token"].as_str().unwrap().to_string(),
        ),
    ];
    let answer = bank.call("/oauth/token", None, false, &refresh).await;
    assert_eq!(
        error(&answer),
        (400, Some("invalid_dpop_proof")),
        "{}",
        answer.1
    );
    assert_eq!(bank.call("/oauth/token", None, true, &refresh).await.0, 200);

    // Codes live 60 seconds.
    let code = bank.code("s2").await;
    app.clock.advance(61);
    let answer = bank
        .call("/oauth/token", None, true, &bank.redeem(&code))
        .await;
    assert_eq!(error(&answer), (400, Some("invalid_grant")), "{}", answer.1);
}

#[tokio::test]
async fn the_profile_refuses_secrets_and_public_clients() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    app.create_user(EMAIL, PASSWORD).await;
    let (with_secret, secret) = app
        .create_client(NewClient {
            name: "Secret bank app".into(),
            redirect_uris: vec![REDIRECT.into()],
            grant_types: vec!["authorization_code".into(), "client_credentials".into()],
            policy: fapi(),
            ..NewClient::default()
        })
        .await;
    let (public, _) = app
        .create_client(NewClient {
            name: "Public bank app".into(),
            redirect_uris: vec![REDIRECT.into()],
            public: true,
            policy: fapi(),
            ..NewClient::default()
        })
        .await;
    app.state.refresh().await.unwrap();
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/par"))
        .basic_auth(&with_secret.id, secret.as_deref())
        .form(&[
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("private_key_jwt"),
        "{body}"
    );
    let page = get(
        &browser(),
        &app,
        &authorize_url(&app, &public.id, "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"),
    )
    .await;
    assert_eq!(
        page.param("error").as_deref(),
        Some("unauthorized_client"),
        "{:?}",
        page.location
    );
    // The tenant switch applies to every client, and discovery says pushes are required.
    let admin = admin_token(&app, &["update:tenant_settings"]).await;
    let resp = reqwest::Client::new()
        .put(app.url("/api/v2/mfa-policy/tenant"))
        .bearer_auth(admin)
        .json(&json!({ "fapi2": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    app.state.refresh().await.unwrap();
    let discovery = app.get_json("/.well-known/openid-configuration").await;
    assert_eq!(discovery["require_pushed_authorization_requests"], true);
}
