//! Upstream sign-in (federation) against a real, independent OpenID Provider: the npm
//! `oidc-provider` package with its development sign-in page, where the login typed decides the
//! account (`ada@example.com`, `unverified:…`, `mfa:…`; see `tests/oidc-provider/server.mjs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::ports::Store;
use portcullis_testkit::second_provider::{ClientSetup, SecondProvider, start_with_env};
use portcullis_testkit::{Engine, TestApp, browser, form_value, spawn_app_with_env};

const UPSTREAM_CLIENT: &str = "portcullis-federation";
const UPSTREAM_SECRET: &str = "the upstream secret of the federation tests, long enough";

struct Fed {
    app: TestApp,
    op: SecondProvider,
    client_id: String,
    secret: String,
}

fn engine() -> Engine {
    match std::env::var("PORTCULLIS_TEST_ENGINE").as_deref() {
        Ok("postgres") => Engine::Postgres,
        _ => Engine::Sqlite,
    }
}

/// The provider, then Portcullis with two upstreams on it: `acme` (its acr not trusted) and
/// `trusted` (`trust_upstream_acr = true`).
async fn fed(extra: &[(&str, &str)]) -> Fed {
    let op = start_with_env(
        &ClientSetup {
            client_id: "unused-rp".into(),
            client_secret: "unused rp secret, long enough for the provider".into(),
            redirect_uri: "http://localhost:3999/cb".into(),
            post_logout_redirect_uri: "http://localhost:3999/".into(),
            backchannel_logout_uri: "http://localhost:3999/bc".into(),
            resource: "https://api.example.com".into(),
        },
        &[
            ("UPSTREAM_CLIENT_ID", UPSTREAM_CLIENT),
            ("UPSTREAM_CLIENT_SECRET", UPSTREAM_SECRET),
        ],
    )
    .await;
    // New people may get accounts (the sign-up policy); a test may turn it off again.
    let mut env: Vec<(String, String)> = vec![("PORTCULLIS_POLICY__SIGNUP".into(), "true".into())];
    for (name, trust) in [("ACME", "false"), ("TRUSTED", "true")] {
        let key = |k: &str| format!("PORTCULLIS_UPSTREAM__{name}__{k}");
        env.push((key("KIND"), "oidc".into()));
        env.push((key("ISSUER"), op.issuer.clone()));
        env.push((key("CLIENT_ID"), UPSTREAM_CLIENT.into()));
        env.push((key("CLIENT_SECRET"), UPSTREAM_SECRET.into()));
        env.push((key("DISPLAY_NAME"), format!("{name} Corp")));
        env.push((key("TRUST_UPSTREAM_ACR"), trust.into()));
    }
    // The same provider as plain OAuth 2: no ID token, who the user is comes from userinfo, and
    // the client credentials go in the form.
    let meta: serde_json::Value =
        reqwest::get(format!("{}/.well-known/openid-configuration", op.issuer))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let key = |k: &str| format!("PORTCULLIS_UPSTREAM__PLAIN__{k}");
    for (k, v) in [
        ("KIND", "oauth2"),
        ("CLIENT_ID", &format!("{UPSTREAM_CLIENT}-post")),
        ("CLIENT_SECRET", UPSTREAM_SECRET),
        ("SCOPES", "openid email profile"),
        ("SUBJECT_CLAIM", "sub"),
        ("DISPLAY_NAME", "Plain OAuth"),
    ] {
        env.push((key(k), v.to_string()));
    }
    for (k, field) in [
        ("AUTHORIZATION_ENDPOINT", "authorization_endpoint"),
        ("TOKEN_ENDPOINT", "token_endpoint"),
        ("USERINFO_ENDPOINT", "userinfo_endpoint"),
    ] {
        env.push((key(k), meta[field].as_str().unwrap().to_string()));
    }
    let mut all: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    all.extend_from_slice(extra);
    let app = spawn_app_with_env(engine(), &all).await;
    let (client, secret) = app.web_client(REDIRECT).await;
    Fed {
        app,
        op,
        client_id: client.id,
        secret,
    }
}

fn absolute(base: &str, loc: &str) -> String {
    if loc.starts_with('/') {
        format!("{base}{loc}")
    } else {
        loc.to_string()
    }
}

fn form_action(html: &str) -> String {
    let i = html.find("action=\"").unwrap() + 8;
    html[i..i + html[i..].find('"').unwrap()].replace("&amp;", "&")
}

fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

/// `/authorize` for the test client, then the sign-in page: its `state` and the page.
async fn login_page(b: &reqwest::Client, f: &Fed, extra: &str) -> (String, Page) {
    let first = get(b, &f.app, &authorize_url(&f.app, &f.client_id, extra)).await;
    let login = first.location.expect("redirect to login");
    let page = get(b, &f.app, &login).await;
    assert_eq!(page.status, 200, "{}", page.body);
    (form_value(&page.body, "state").unwrap(), page)
}

/// From the "Continue with …" button to the provider: the authorize URL it redirects to.
async fn to_provider(b: &reqwest::Client, f: &Fed, provider: &str, state: &str) -> String {
    let start = get(
        b,
        &f.app,
        &format!("/u/login/upstream/{provider}?state={state}"),
    )
    .await;
    assert_eq!(start.status, 303, "{}", start.body);
    let to_op = start.location.unwrap();
    assert!(to_op.starts_with(&f.op.issuer), "{to_op}");
    to_op
}

/// Signs in at the provider as `login` from its authorize URL; the callback URL it sends the
/// browser to (not followed).
async fn at_provider(b: &reqwest::Client, f: &Fed, authorize: &str, login: &str) -> String {
    let mut next = authorize.to_string();
    for _ in 0..8 {
        if next.contains("/u/upstream/callback") {
            return next;
        }
        let resp = b.get(absolute(&f.op.issuer, &next)).send().await.unwrap();
        if resp.status().is_redirection() {
            next = resp.headers()["location"].to_str().unwrap().to_string();
            continue;
        }
        let page = resp.text().await.unwrap();
        let action = absolute(&f.op.issuer, &form_action(&page));
        // The provider confirms every grant to a native (loopback) client.
        let form: &[(&str, &str)] = if page.contains("value=\"consent\"") {
            &[("prompt", "consent")]
        } else {
            assert!(page.contains("name=\"login\""), "the sign-in page: {page}");
            &[("prompt", "login"), ("login", login), ("password", "any")]
        };
        let resp = b.post(&action).form(form).send().await.unwrap();
        next = resp.headers()["location"].to_str().unwrap().to_string();
    }
    panic!("no callback: {next}")
}

/// The whole round trip from a fresh `/authorize` through the provider: Portcullis's answer to
/// the callback.
async fn upstream_sign_in(b: &reqwest::Client, f: &Fed, provider: &str, login: &str) -> Page {
    let (state, _) = login_page(b, f, "").await;
    let authorize = to_provider(b, f, provider, &state).await;
    let callback = at_provider(b, f, &authorize, login).await;
    get(b, &f.app, &callback).await
}

/// The ID token Portcullis issues for a redirect carrying a code.
async fn id_token(f: &Fed, done: &Page) -> serde_json::Value {
    let loc = done.location.clone().unwrap_or_default();
    assert!(
        loc.starts_with(REDIRECT),
        "{} {loc} {}",
        done.status,
        done.body
    );
    let code = done.param("code").expect("code");
    let tokens = exchange(&f.app, &f.client_id, &f.secret, &code).await;
    claims(tokens["id_token"].as_str().unwrap())
}

async fn audit_kinds(f: &Fed) -> Vec<(String, serde_json::Value)> {
    f.app
        .store
        .recent_audit(200)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.detail))
        .collect()
}

#[tokio::test]
async fn federation_new_user_created_signed_in_and_link_reused() {
    let f = fed(&[]).await;
    let b = browser();
    let (state, page) = login_page(&b, &f, "").await;
    assert!(
        page.body.contains("Continue with ACME Corp"),
        "{}",
        page.body
    );
    assert!(page.body.contains("action=\"/u/login/upstream/acme\""));
    let authorize = to_provider(&b, &f, "acme", &state).await;
    // PKCE S256, a nonce and a state of our own, never the application's.
    assert_eq!(
        query_param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(query_param(&authorize, "code_challenge").unwrap().len(), 43);
    assert!(query_param(&authorize, "nonce").unwrap().len() >= 43);
    let upstream_state = query_param(&authorize, "state").unwrap();
    assert_ne!(upstream_state, state);
    assert_eq!(
        query_param(&authorize, "redirect_uri").unwrap(),
        format!("{}/u/upstream/callback", f.app.issuer)
    );
    let callback = at_provider(&b, &f, &authorize, "newbie@example.com").await;
    let done = get(&b, &f.app, &callback).await;
    let claims = id_token(&f, &done).await;
    assert_eq!(claims["acr"], "aal1");
    assert_eq!(claims["amr"], serde_json::json!(["fed"]));
    assert_eq!(claims["email"], "newbie@example.com");
    assert_eq!(claims["aud"], f.client_id.as_str());
    assert_eq!(claims["iss"], f.app.issuer.as_str());
    let user = f
        .app
        .store
        .user_by_email("newbie@example.com")
        .await
        .unwrap()
        .expect("account created");
    assert_eq!(claims["sub"], user.id.as_str());
    assert!(user.email_verified, "the provider verified it");
    assert!(user.password_hash.is_none());
    let links = f.app.store.upstream_identities(&user.id).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(
        (links[0].provider.as_str(), links[0].subject.as_str()),
        ("acme", "newbie@example.com")
    );

    // Again from another browser: the same account through the link, nothing new.
    let again = upstream_sign_in(&browser(), &f, "acme", "newbie@example.com").await;
    let claims = id_token(&f, &again).await;
    assert_eq!(claims["sub"], user.id.as_str());
    assert_eq!(f.app.store.list_users().await.unwrap().len(), 1);
    assert_eq!(
        f.app
            .store
            .upstream_identities(&user.id)
            .await
            .unwrap()
            .len(),
        1
    );
    let events = audit_kinds(&f).await;
    let linked: Vec<_> = events
        .iter()
        .filter(|(k, _)| k == "upstream.linked")
        .collect();
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].1["created"], true);
    let successes: Vec<_> = events
        .iter()
        .filter(|(k, _)| k == "login.success")
        .collect();
    assert_eq!(successes.len(), 2);
    assert_eq!(successes[0].1["methods"], serde_json::json!(["federated"]));
    // Never an email, code or token in the trail.
    let trail = serde_json::to_string(&events).unwrap();
    assert!(!trail.contains("newbie@example.com"), "{trail}");

    // Admins see the link in Auth0's `identities` and can undo it; the next upstream sign-in
    // then finds an account it may not enter without proving it.
    let t = admin_token(&f.app, &["read:users", "update:users"]).await;
    let (_, shown) = call(
        &f.app,
        &t,
        "GET",
        &format!("/api/v2/users/{}", user.id),
        None,
    )
    .await;
    assert_eq!(
        shown["identities"],
        serde_json::json!([{"provider": "acme", "connection": "acme", "user_id": "newbie@example.com", "isSocial": true}])
    );
    let path = format!(
        "/api/v2/users/{}/identities/acme/newbie@example.com",
        user.id
    );
    let (s, left) = call(&f.app, &t, "DELETE", &path, None).await;
    assert_eq!(s, 200, "{left}");
    assert_eq!(left[0]["provider"], "auth0");
    assert_eq!(call(&f.app, &t, "DELETE", &path, None).await.0, 404);
    let after = upstream_sign_in(&browser(), &f, "acme", "newbie@example.com").await;
    assert_eq!(after.location.as_deref(), Some("/u/upstream/link"));
    assert!(
        audit_kinds(&f)
            .await
            .iter()
            .any(|(k, _)| k == "upstream.unlinked")
    );
    f.app.stop().await;
}

#[tokio::test]
async fn federation_existing_account_links_only_after_its_password() {
    let f = fed(&[]).await;
    let ada = f.app.create_user(EMAIL, PASSWORD).await;
    let b = browser();
    let asked = upstream_sign_in(&b, &f, "acme", EMAIL).await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    assert_eq!(asked.location.as_deref(), Some("/u/upstream/link"));
    assert!(
        f.app
            .store
            .upstream_identities(&ada.id)
            .await
            .unwrap()
            .is_empty(),
        "nothing linked before the account is proved"
    );
    let page = get(&b, &f.app, "/u/upstream/link").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("already has an account"));
    assert!(page.body.contains("ACME Corp"));
    let csrf = form_value(&page.body, "csrf").unwrap();

    let wrong = post(
        &b,
        &f.app,
        "/u/upstream/link",
        &[("csrf", &csrf), ("password", "not the password at all")],
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("Wrong password"));
    assert!(
        f.app
            .store
            .upstream_identities(&ada.id)
            .await
            .unwrap()
            .is_empty()
    );

    let right = post(
        &b,
        &f.app,
        "/u/upstream/link",
        &[("csrf", &csrf), ("password", PASSWORD)],
    )
    .await;
    let claims = id_token(&f, &right).await;
    assert_eq!(claims["sub"], ada.id.as_str());
    assert_eq!(claims["amr"], serde_json::json!(["pwd"]));
    let links = f.app.store.upstream_identities(&ada.id).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].provider, "acme");
    // The pending link is spent: the page is gone.
    assert_eq!(get(&b, &f.app, "/u/upstream/link").await.status, 400);

    // From now on the provider signs Ada in directly.
    let direct = upstream_sign_in(&browser(), &f, "acme", EMAIL).await;
    let claims = id_token(&f, &direct).await;
    assert_eq!(claims["sub"], ada.id.as_str());
    assert_eq!(claims["amr"], serde_json::json!(["fed"]));
    assert_eq!(f.app.store.list_users().await.unwrap().len(), 1);
    let events = audit_kinds(&f).await;
    assert!(
        events
            .iter()
            .any(|(k, d)| k == "upstream.linked" && d["created"] == false)
    );
    assert!(
        events
            .iter()
            .any(|(k, d)| k == "login.failure" && d["reason"] == "invalid_credentials")
    );

    // Ada has a password, so she may disconnect the provider from her security page; after
    // that it no longer signs her in.
    let security = get(&b, &f.app, "/u/account/security").await;
    assert!(
        security.body.contains("Connected accounts"),
        "{}",
        security.body
    );
    assert!(security.body.contains("ACME Corp"));
    let gone = disconnect(&b, &f, EMAIL).await;
    assert_eq!(gone.status, 303, "{}", gone.body);
    assert!(
        f.app
            .store
            .upstream_identities(&ada.id)
            .await
            .unwrap()
            .is_empty()
    );
    let after = upstream_sign_in(&browser(), &f, "acme", EMAIL).await;
    assert_eq!(after.location.as_deref(), Some("/u/upstream/link"));
    f.app.stop().await;
}

/// Presses "Disconnect" for the ACME identity `subject` on the security page of browser `b`.
async fn disconnect(b: &reqwest::Client, f: &Fed, subject: &str) -> Page {
    submit(
        b,
        &f.app,
        "/u/account/security",
        "/u/account/security",
        &[("action", "unlink"), ("provider", "acme"), ("id", subject)],
    )
    .await
}

#[tokio::test]
async fn federation_the_only_way_in_cannot_be_disconnected() {
    let f = fed(&[]).await;
    let b = browser();
    let done = upstream_sign_in(&b, &f, "acme", "newbie@example.com").await;
    id_token(&f, &done).await;
    let user = f
        .app
        .store
        .user_by_email("newbie@example.com")
        .await
        .unwrap()
        .unwrap();
    let refused = disconnect(&b, &f, "newbie@example.com").await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("Choose a password"));
    assert_eq!(
        f.app
            .store
            .upstream_identities(&user.id)
            .await
            .unwrap()
            .len(),
        1
    );
    f.app.stop().await;
}

#[tokio::test]
async fn federation_unverified_email_never_links_nor_tells() {
    let f = fed(&[]).await;
    let ada = f.app.create_user(EMAIL, PASSWORD).await;
    let taken = upstream_sign_in(&browser(), &f, "acme", &format!("unverified:{EMAIL}")).await;
    let free = upstream_sign_in(&browser(), &f, "acme", "unverified:nobody@example.com").await;
    assert_eq!(taken.status, 403, "{}", taken.body);
    assert_eq!(free.status, 403, "{}", free.body);
    assert!(taken.body.contains("verified email address"));
    // The same answer whether or not the address has an account.
    assert_eq!(without_nonces(&taken.body), without_nonces(&free.body));
    assert!(
        f.app
            .store
            .upstream_identities(&ada.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(f.app.store.list_users().await.unwrap().len(), 1);
    f.app.stop().await;
}

#[tokio::test]
async fn federation_state_replay_tampering_and_other_browser_rejected() {
    let f = fed(&[]).await;
    let b = browser();
    let (state, _) = login_page(&b, &f, "").await;
    let authorize = to_provider(&b, &f, "acme", &state).await;
    let callback = at_provider(&b, &f, &authorize, "grace@example.com").await;

    // Another browser with the callback URL (login CSRF): refused, and the flow survives.
    let other = get(&browser(), &f.app, &callback).await;
    assert_eq!(other.status, 400, "{}", other.body);
    // A forged state: refused.
    let forged = get(&b, &f.app, &with_param(&callback, "state", "forged")).await;
    assert_eq!(forged.status, 400);
    assert!(
        f.app.store.list_users().await.unwrap().is_empty(),
        "nothing changed"
    );

    let done = get(&b, &f.app, &callback).await;
    assert!(
        done.param("code").is_some(),
        "{:?} {}",
        done.location,
        done.body
    );
    // The same answer again: the flow is spent.
    let replay = get(&b, &f.app, &callback).await;
    assert_eq!(replay.status, 400, "{}", replay.body);
    assert_eq!(f.app.store.list_users().await.unwrap().len(), 1);
    let failures: Vec<_> = audit_kinds(&f)
        .await
        .into_iter()
        .filter(|(k, _)| k == "login.failure")
        .map(|(_, d)| d["reason"].as_str().unwrap().to_string())
        .collect();
    assert!(failures.contains(&"upstream_other_browser".to_string()));
    assert!(failures.contains(&"upstream_bad_state".to_string()));

    // The provider's refusal: a friendly page, no account.
    let b = browser();
    let (state, _) = login_page(&b, &f, "").await;
    let authorize = to_provider(&b, &f, "acme", &state).await;
    let upstream_state = query_param(&authorize, "state").unwrap();
    let denied = get(
        &b,
        &f.app,
        &format!("/u/upstream/callback?error=access_denied&state={upstream_state}"),
    )
    .await;
    assert_eq!(denied.status, 403);
    assert!(denied.body.contains("You did not sign in with ACME Corp"));
    assert_eq!(f.app.store.list_users().await.unwrap().len(), 1);
    f.app.stop().await;
}

#[tokio::test]
async fn federation_nonce_and_pkce_are_checked() {
    let f = fed(&[]).await;
    // An ID token minted for another nonce is refused.
    let b = browser();
    let (state, _) = login_page(&b, &f, "").await;
    let authorize = to_provider(&b, &f, "acme", &state).await;
    let tampered = with_param(&authorize, "nonce", "a-nonce-of-the-attackers-choosing");
    let callback = at_provider(&b, &f, &tampered, "mallory@example.com").await;
    let refused = get(&b, &f.app, &callback).await;
    assert_eq!(refused.status, 502, "{}", refused.body);
    // A code issued for another PKCE challenge cannot be redeemed with our verifier.
    let b = browser();
    let (state, _) = login_page(&b, &f, "").await;
    let authorize = to_provider(&b, &f, "acme", &state).await;
    let other_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let tampered = with_param(&authorize, "code_challenge", other_challenge);
    let callback = at_provider(&b, &f, &tampered, "mallory@example.com").await;
    let refused = get(&b, &f.app, &callback).await;
    assert_eq!(refused.status, 502, "{}", refused.body);
    assert!(f.app.store.list_users().await.unwrap().is_empty());
    let reasons: Vec<String> = audit_kinds(&f)
        .await
        .into_iter()
        .filter(|(k, _)| k == "login.failure")
        .map(|(_, d)| d["reason"].as_str().unwrap().to_string())
        .collect();
    assert!(
        reasons.contains(&"upstream_nonce_mismatch".into()),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"upstream_token_rejected".into()),
        "{reasons:?}"
    );
    f.app.stop().await;
}

#[tokio::test]
async fn federation_policy_always_still_asks_for_a_local_factor() {
    let f = fed(&[]).await;
    let ada = f.app.create_user(EMAIL, PASSWORD).await;
    let (totp, _) = enrol_totp(&browser(), &f.app, &f.client_id).await;
    f.app
        .store
        .link_upstream(&portcullis_core::model::UpstreamIdentity {
            provider: "trusted".into(),
            subject: format!("mfa:{EMAIL}"),
            user_id: ada.id.clone(),
            email: None,
            created_at: 1,
        })
        .await
        .unwrap();
    f.app
        .store
        .link_upstream(&portcullis_core::model::UpstreamIdentity {
            provider: "acme".into(),
            subject: format!("mfa:{EMAIL}"),
            user_id: ada.id.clone(),
            email: None,
            created_at: 1,
        })
        .await
        .unwrap();
    // A new TOTP step, so the code of the enrolment is not a replay.
    f.app.clock.advance(30);
    let (always, always_secret) = password_client(&f.app, &["mfa=always"]).await;
    let f = Fed {
        client_id: always,
        secret: always_secret,
        ..f
    };
    // The upstream said it did multi-factor, but `acme` is not trusted for that: TOTP here.
    let b = browser();
    let asked = upstream_sign_in(&b, &f, "acme", &format!("mfa:{EMAIL}")).await;
    assert_eq!(asked.location.as_deref(), Some("/u/mfa"), "{}", asked.body);
    let done = prove_totp(&b, &f.app, &totp).await;
    let claims = id_token(&f, &done).await;
    assert_eq!(claims["sub"], ada.id.as_str());
    assert_eq!(claims["acr"], "aal2");
    assert_eq!(claims["amr"], serde_json::json!(["otp", "fed", "mfa"]));

    // `trusted` counts the upstream's multi-factor sign-in: aal2 without a local factor.
    let trusted = upstream_sign_in(&browser(), &f, "trusted", &format!("mfa:{EMAIL}")).await;
    let claims = id_token(&f, &trusted).await;
    assert_eq!(claims["acr"], "aal2");
    assert_eq!(claims["amr"], serde_json::json!(["fed", "mfa"]));
    f.app.stop().await;
}

#[tokio::test]
async fn federation_trust_upstream_acr_only_when_configured() {
    let f = fed(&[]).await;
    // Not trusted: a multi-factor report upstream is still one factor here.
    let plain = upstream_sign_in(&browser(), &f, "acme", "mfa:grace@example.com").await;
    let claims = id_token(&f, &plain).await;
    assert_eq!(claims["acr"], "aal1");
    assert_eq!(claims["amr"], serde_json::json!(["fed"]));
    // Trusted, but the upstream did one factor: aal1.
    let one = upstream_sign_in(&browser(), &f, "trusted", "hopper@example.com").await;
    let claims = id_token(&f, &one).await;
    assert_eq!(claims["acr"], "aal1");
    // Trusted and multi-factor upstream: aal2, which meets acr_values=aal2 without a local
    // factor.
    let b = browser();
    let (state, _) = login_page(&b, &f, "&acr_values=aal2").await;
    let authorize = to_provider(&b, &f, "trusted", &state).await;
    let callback = at_provider(&b, &f, &authorize, "mfa:lovelace@example.com").await;
    let done = get(&b, &f.app, &callback).await;
    let claims = id_token(&f, &done).await;
    assert_eq!(claims["acr"], "aal2");
    assert_eq!(claims["amr"], serde_json::json!(["fed", "mfa"]));
    f.app.stop().await;
}

#[tokio::test]
async fn federation_plain_oauth2_provider_signs_in_by_userinfo() {
    let f = fed(&[]).await;
    let b = browser();
    let (state, page) = login_page(&b, &f, "").await;
    assert!(page.body.contains("Continue with Plain OAuth"));
    let authorize = to_provider(&b, &f, "plain", &state).await;
    assert_eq!(
        query_param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(
        query_param(&authorize, "nonce").is_none(),
        "no ID token, no nonce"
    );
    let callback = at_provider(&b, &f, &authorize, "mfa:turing@example.com").await;
    let done = get(&b, &f.app, &callback).await;
    let claims = id_token(&f, &done).await;
    // Plain OAuth 2 reports no acr: one factor.
    assert_eq!(claims["acr"], "aal1");
    assert_eq!(claims["amr"], serde_json::json!(["fed"]));
    let user = f
        .app
        .store
        .user_by_email("turing@example.com")
        .await
        .unwrap()
        .expect("account created from userinfo");
    assert_eq!(user.name.as_deref(), Some("turing"));
    let links = f.app.store.upstream_identities(&user.id).await.unwrap();
    assert_eq!(links[0].provider, "plain");
    assert_eq!(links[0].subject, "mfa:turing@example.com");
    f.app.stop().await;
}

#[tokio::test]
async fn federation_creates_no_account_when_signup_is_off() {
    let f = fed(&[("PORTCULLIS_POLICY__SIGNUP", "false")]).await;
    let b = browser();
    let refused = upstream_sign_in(&b, &f, "acme", "newcomer@example.com").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("New accounts cannot be created here"));
    assert!(
        f.app
            .store
            .user_by_email("newcomer@example.com")
            .await
            .unwrap()
            .is_none()
    );
    // An existing account still signs in through its link page: sign-up is about new people.
    f.app.create_user(EMAIL, PASSWORD).await;
    let existing = upstream_sign_in(&browser(), &f, "acme", EMAIL).await;
    assert_eq!(existing.location.as_deref(), Some("/u/upstream/link"));
    f.app.stop().await;
}
