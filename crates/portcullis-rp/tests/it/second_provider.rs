//! The relying party and the guard against an OpenID Provider that is not Portcullis (the npm
//! `oidc-provider` package): sign-in through its pages, its JWT access tokens verified by the
//! guard, a machine token judged on scope, and its back-channel logout ending our session.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::Router;
use axum::routing::get;
use portcullis_guard::{Guard, Rejection, Rule, require_acr, require_scopes};
use portcullis_rp::{Rp, RpConfig, UserSession};
use portcullis_testkit::second_provider::{ClientSetup, start};
use portcullis_testkit::{browser, json};
use serde_json::Value;

const RESOURCE: &str = "https://payouts.example.com";

fn attr(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + 7;
    Some(rest[v..v + rest[v..].find('"')?].to_string())
}

fn form_action(html: &str) -> String {
    let i = html.find("action=\"").unwrap() + 8;
    html[i..i + html[i..].find('"').unwrap()].replace("&amp;", "&")
}

fn absolute(issuer: &str, loc: &str) -> String {
    if loc.starts_with('/') {
        format!("{issuer}{loc}")
    } else {
        loc.to_string()
    }
}

async fn location(resp: reqwest::Response) -> String {
    let status = resp.status();
    let loc = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    match loc {
        Some(l) => l,
        None => panic!(
            "no redirect ({status}): {}",
            resp.text().await.unwrap_or_default()
        ),
    }
}

#[tokio::test]
async fn rp_and_guard_work_with_another_provider() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app_url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let setup = ClientSetup {
        client_id: "payouts-web".into(),
        client_secret: "a secret only this test knows, long enough".into(),
        redirect_uri: format!("{app_url}/auth/callback"),
        post_logout_redirect_uri: format!("{app_url}/"),
        backchannel_logout_uri: format!("{app_url}/auth/backchannel-logout"),
        resource: RESOURCE.into(),
    };
    let op = start(&setup).await;
    let mut config = RpConfig::new(
        op.issuer.clone(),
        setup.client_id.clone(),
        Some(setup.client_secret.clone()),
        setup.redirect_uri.clone(),
        "the app secret for the second provider test",
    );
    config.audience = Some(RESOURCE.into());
    config.scope = "openid profile email offline_access payouts:write".into();
    config.post_logout_redirect_uri = Some(setup.post_logout_redirect_uri.clone());
    let rp = Rp::discover(config).await.unwrap();
    let app = rp.wrap(Router::new().route(
        "/",
        get(|s: UserSession| async move { s.get().map(|s| s.sub).unwrap_or_default() }),
    ));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    // Sign in through oidc-provider's development pages (any login).
    let b = browser();
    let to_op = location(
        b.get(format!("{app_url}/auth/login?return_to=/"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(to_op.starts_with(&op.issuer), "{to_op}");
    let mut next = location(b.get(&to_op).send().await.unwrap()).await;
    let mut signed_in = false;
    for _ in 0..6 {
        if next.starts_with(&app_url) {
            break;
        }
        let url = absolute(&op.issuer, &next);
        let resp = b.get(&url).send().await.unwrap();
        if resp.status().is_redirection() {
            next = location(resp).await;
            continue;
        }
        let page = resp.text().await.unwrap();
        assert!(
            page.contains("name=\"login\""),
            "expected the sign-in page: {page}"
        );
        let action = absolute(&op.issuer, &form_action(&page));
        let resp = b
            .post(&action)
            .form(&[
                ("prompt", "login"),
                ("login", "ada"),
                ("password", "anything"),
            ])
            .send()
            .await
            .unwrap();
        signed_in = true;
        next = location(resp).await;
    }
    assert!(signed_in);
    assert!(
        next.starts_with(&format!("{app_url}/auth/callback?")),
        "{next}"
    );
    let resp = b.get(&next).send().await.unwrap();
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let me: Value = json(b.get(format!("{app_url}/auth/profile"))).await;
    assert_eq!(
        (me["sub"].as_str(), me["email"].as_str()),
        (Some("ada"), Some("ada@example.org"))
    );

    // Its JWT access token, through the guard built for that provider.
    let token: Value = json(b.get(format!("{app_url}/auth/access-token"))).await;
    let at = token["access_token"]
        .as_str()
        .expect("a JWT access token for the API")
        .to_string();
    let guard = Guard::discover(op.issuer.clone(), RESOURCE).await.unwrap();
    let claims = guard.verify(&at).await.unwrap();
    assert_eq!(claims.sub, "ada");
    assert!(claims.has_scope("payouts:write"));
    let (method, uri) = (axum::http::Method::POST, "/payouts".parse().unwrap());
    let mut headers = axum::http::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {at}").parse().unwrap());
    assert!(
        guard
            .authorize(&method, &uri, &headers, &Rule::any())
            .await
            .is_ok()
    );
    // No acr from this provider's tokens: an aal2 route asks for a step-up (fail closed).
    assert!(matches!(
        guard
            .authorize(&method, &uri, &headers, &require_acr("aal2"))
            .await,
        Err(Rejection::StepUp { .. })
    ));

    // A machine token from the provider, judged on scope.
    let http = reqwest::Client::new();
    let meta = json(http.get(format!("{}/.well-known/openid-configuration", op.issuer))).await;
    let m2m = json(
        http.post(meta["token_endpoint"].as_str().unwrap())
            .basic_auth(&setup.client_id, Some(&setup.client_secret))
            .form(&[
                ("grant_type", "client_credentials"),
                ("resource", RESOURCE),
                ("scope", "payouts:write"),
            ]),
    )
    .await;
    let mut m2m_headers = axum::http::HeaderMap::new();
    m2m_headers.insert(
        "authorization",
        format!("Bearer {}", m2m["access_token"].as_str().unwrap())
            .parse()
            .unwrap(),
    );
    let claims = guard
        .authorize(
            &method,
            &uri,
            &m2m_headers,
            &require_scopes(["payouts:write"]).require_acr("aal2"),
        )
        .await
        .unwrap();
    assert_eq!(claims.sub, setup.client_id, "a machine token, no step-up");

    // Signing out at the provider: it posts a logout token to the app, whose session ends.
    let end = meta["end_session_endpoint"].as_str().unwrap().to_string();
    let page = b.get(&end).send().await.unwrap().text().await.unwrap();
    let xsrf = attr(&page, "xsrf").expect("the logout confirmation form");
    let action = absolute(&op.issuer, &form_action(&page));
    let resp = b
        .post(&action)
        .form(&[("xsrf", xsrf.as_str()), ("logout", "yes")])
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let gone = b
        .get(format!("{app_url}/auth/profile"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        gone.status(),
        401,
        "the back-channel logout ended the session"
    );
}
