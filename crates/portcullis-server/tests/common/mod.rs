//! The hosted-page journey shared by the HTTP test files: a browser-like client, the
//! authorization round trip, and reading pages and tokens.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use portcullis_core::factor::totp::TotpSecret;
use portcullis_core::ports::Store;
use portcullis_testkit::authenticator::SoftAuthenticator;
use portcullis_testkit::{TestApp, attr_value, form_value};
use serde_json::Value;

pub const REDIRECT: &str = "http://localhost:3000/api/auth/callback/portcullis";
pub const EMAIL: &str = "ada@example.com";
pub const PASSWORD: &str = "correct horse battery staple";

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Page {
    pub fn param(&self, name: &str) -> Option<String> {
        let url = url::Url::parse(self.location.as_ref()?).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

pub async fn read(resp: reqwest::Response) -> Page {
    Page {
        status: resp.status().as_u16(),
        location: resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string()),
        set_cookies: resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect(),
        body: resp.text().await.unwrap(),
    }
}

pub async fn get(b: &reqwest::Client, app: &TestApp, path: &str) -> Page {
    let url = if path.starts_with("http") {
        path.to_string()
    } else {
        app.url(path)
    };
    read(b.get(url).send().await.unwrap()).await
}

pub async fn post(b: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> Page {
    read(b.post(app.url(path)).form(form).send().await.unwrap()).await
}

/// POSTs a form found on `page_path`, carrying its CSRF token.
pub async fn submit(
    b: &reqwest::Client,
    app: &TestApp,
    page_path: &str,
    action: &str,
    form: &[(&str, &str)],
) -> Page {
    let page = get(b, app, page_path).await;
    let csrf = form_value(&page.body, "csrf").expect("csrf");
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(form);
    post(b, app, action, &all).await
}

pub fn authorize_url(app: &TestApp, client_id: &str, extra: &str) -> String {
    format!(
        "{}/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=openid%20email&state=s{extra}",
        app.issuer,
        form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    )
}

/// Authorize, then the password: the answer to the password form.
pub async fn password_step(
    b: &reqwest::Client,
    app: &TestApp,
    client_id: &str,
    extra: &str,
) -> Page {
    sign_in(b, app, &authorize_url(app, client_id, extra)).await
}

/// Follows an authorization request to the hosted sign-in and sends the password: the answer.
pub async fn sign_in(b: &reqwest::Client, app: &TestApp, authorize: &str) -> Page {
    let first = get(b, app, authorize).await;
    let login = first.location.expect("redirect to login");
    assert!(login.starts_with("/u/login"), "{login}");
    let page = get(b, app, &login).await;
    password_form(b, app, &page).await
}

/// Sends the password on a sign-in page: the answer.
pub async fn password_form(b: &reqwest::Client, app: &TestApp, login: &Page) -> Page {
    let state = form_value(&login.body, "state").expect("the sign-in form");
    let csrf = form_value(&login.body, "csrf").unwrap();
    post(
        b,
        app,
        "/u/login",
        &[
            ("state", &state),
            ("csrf", &csrf),
            ("email", EMAIL),
            ("password", PASSWORD),
        ],
    )
    .await
}

pub async fn exchange(app: &TestApp, client_id: &str, secret: &str, code: &str) -> Value {
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

pub fn claims(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&portcullis_core::crypto::b64url_decode(part).unwrap()).unwrap()
}

pub fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page"))
        + start.len();
    let j = html[i..].find(end).unwrap() + i;
    &html[i..j]
}

pub async fn setup(app: &TestApp) -> (String, String) {
    app.create_user(EMAIL, PASSWORD).await;
    let (client, secret) = app.web_client(REDIRECT).await;
    (client.id, secret)
}

/// Signs in with the password alone (the user has no factor yet) and enrols TOTP from the
/// security pages; returns the secret and the recovery codes.
pub async fn enrol_totp(
    b: &reqwest::Client,
    app: &TestApp,
    client_id: &str,
) -> (TotpSecret, Vec<String>) {
    let done = password_step(b, app, client_id, "").await;
    assert!(done.param("code").is_some(), "{:?}", done.location);
    let page = get(b, app, "/u/enroll/totp").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<svg"), "QR code rendered as SVG");
    let secret = TotpSecret::from_base32(between(&page.body, "id=\"totp-secret\">", "<")).unwrap();
    let enrollment = form_value(&page.body, "enrollment").unwrap();
    let csrf = form_value(&page.body, "csrf").unwrap();
    let wrong = post(
        b,
        app,
        "/u/enroll/totp",
        &[
            ("csrf", &csrf),
            ("enrollment", &enrollment),
            ("code", "000000"),
            ("name", "Pixel"),
        ],
    )
    .await;
    assert_eq!(wrong.status, 422);
    assert!(
        app.store
            .factors(&user_id(app).await)
            .await
            .unwrap()
            .is_empty(),
        "not stored before a good code"
    );
    let code = secret.code_at(app.clock_now());
    let ok = post(
        b,
        app,
        "/u/enroll/totp",
        &[
            ("csrf", &csrf),
            ("enrollment", &enrollment),
            ("code", &code),
            ("name", "Pixel"),
        ],
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let codes: Vec<String> = ok
        .body
        .split("<li><code>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    let cont = submit(b, app, "/u/account/security", "/u/enroll/continue", &[]).await;
    assert_eq!(cont.location.as_deref(), Some("/u/account/security"));
    (secret, codes)
}

pub async fn user_id(app: &TestApp) -> String {
    app.store.user_by_email(EMAIL).await.unwrap().unwrap().id
}

pub trait Now {
    fn clock_now(&self) -> i64;
}

impl Now for TestApp {
    fn clock_now(&self) -> i64 {
        use portcullis_core::clock::Clock;
        self.clock.now()
    }
}

pub fn jar_with(app: &TestApp, set_cookie: &str) -> reqwest::Client {
    let jar = reqwest::cookie::Jar::default();
    let pair = set_cookie.split(';').next().unwrap();
    jar.add_cookie_str(&format!("{pair}; Path=/"), &app.url("/").parse().unwrap());
    reqwest::Client::builder()
        .cookie_provider(Arc::new(jar))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The first six-digit number in a message.
pub fn code_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_string()
}

/// Enrols codes by email to `email` from the enrolment page, in signed-in browser `b`; the
/// answer to the verification (the recovery codes with a first factor).
pub async fn enrol_email_codes(b: &reqwest::Client, app: &TestApp, email: &str) -> Page {
    let sent = submit(
        b,
        app,
        "/u/enroll/oob?channel=email",
        "/u/enroll/oob",
        &[("channel", "email"), ("step", "send"), ("target", email)],
    )
    .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let enrollment = form_value(&sent.body, "enrollment").unwrap();
    let outbox = app.state.outbox().unwrap();
    let code = code_in(&outbox.latest_to(email).unwrap().text);
    submit(
        b,
        app,
        "/u/enroll/oob?channel=email",
        "/u/enroll/oob",
        &[
            ("channel", "email"),
            ("step", "verify"),
            ("enrollment", &enrollment),
            ("code", &code),
        ],
    )
    .await
}

/// The options a hosted page hands its script.
pub fn page_options(body: &str) -> Value {
    serde_json::from_str(&attr_value(body, "data-options").expect("data-options")).unwrap()
}

/// Registers a credential from `/u/enroll/webauthn?style=…` in browser `b`; the answer page.
pub async fn register(
    b: &reqwest::Client,
    app: &TestApp,
    key: &mut SoftAuthenticator,
    style: &str,
    name: &str,
) -> Page {
    let page = get(b, app, &format!("/u/enroll/webauthn?style={style}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let answer = key.register(&page_options(&page.body));
    post(
        b,
        app,
        "/u/enroll/webauthn",
        &[
            ("csrf", &form_value(&page.body, "csrf").unwrap()),
            ("enrollment", &form_value(&page.body, "enrollment").unwrap()),
            ("credential", &answer.to_string()),
            ("name", name),
        ],
    )
    .await
}

/// Answers `/u/mfa` with the TOTP code of the current step.
pub async fn prove_totp(
    b: &reqwest::Client,
    app: &TestApp,
    totp: &portcullis_core::factor::totp::TotpSecret,
) -> Page {
    let page = get(b, app, "/u/mfa").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let method = form_value(&page.body, "method").unwrap();
    let code = totp.code_at(app.clock_now());
    submit(
        b,
        app,
        "/u/mfa",
        "/u/mfa",
        &[("method", &method), ("code", &code)],
    )
    .await
}

// Auth0's non-interactive MFA: a password-grant client and the token requests.

pub const OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
pub const RECOVERY: &str = "http://auth0.com/oauth/grant-type/mfa-recovery-code";
pub const OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";

/// A client that may use the password grant: `(id, secret)`.
pub async fn password_client(
    app: &portcullis_testkit::TestApp,
    policy: &[&str],
) -> (String, String) {
    let mut overrides = portcullis_core::policy::PolicyOverrides::default();
    for p in policy {
        overrides.set(p).unwrap();
    }
    let (client, secret) = app
        .create_client(portcullis_core::admin::NewClient {
            name: "cli app".into(),
            redirect_uris: vec![REDIRECT.into()],
            grant_types: vec!["authorization_code".into(), "password".into()],
            policy: overrides,
            ..portcullis_core::admin::NewClient::default()
        })
        .await;
    (client.id, secret.unwrap())
}

pub async fn grant(
    app: &portcullis_testkit::TestApp,
    client: &(String, String),
    form: &[(&str, &str)],
) -> (u16, Value) {
    post_as(app, client, "/oauth/token", form).await
}

/// POSTs `form` to `path` as `client` (Basic authentication): the status and JSON body.
pub async fn post_as(
    app: &portcullis_testkit::TestApp,
    client: &(String, String),
    path: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(app.url(path))
        .basic_auth(&client.0, Some(&client.1))
        .form(form)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// Follows local redirects from `page` until a page answers.
pub async fn follow(b: &reqwest::Client, app: &TestApp, mut page: Page) -> Page {
    while let Some(next) = page.location.clone().filter(|l| l.starts_with('/')) {
        page = get(b, app, &next).await;
    }
    page
}

/// Answers the consent page with `decision` (`allow` or `deny`).
pub async fn decide(b: &reqwest::Client, app: &TestApp, consent: &Page, decision: &str) -> Page {
    let state = form_value(&consent.body, "state").expect("the consent form");
    let csrf = form_value(&consent.body, "csrf").unwrap();
    post(
        b,
        app,
        "/u/consent",
        &[("state", &state), ("csrf", &csrf), ("decision", decision)],
    )
    .await
}

/// A sprayed password grant (`Winter2026!` for `user{n}@example.com`) sent to `token_url`.
pub async fn spray(token_url: String, client: (String, String), n: usize) -> reqwest::Response {
    reqwest::Client::new()
        .post(token_url)
        .basic_auth(&client.0, Some(&client.1))
        .form(&[
            ("grant_type", "password"),
            ("username", format!("user{n}@example.com").as_str()),
            ("password", "Winter2026!"),
        ])
        .send()
        .await
        .unwrap()
}

/// The same token request sent `n` times at once: one-time things must be spent once.
pub async fn grant_at_once(
    app: &portcullis_testkit::TestApp,
    client: &(String, String),
    form: &[(&str, &str)],
    n: usize,
) -> Vec<(u16, Value)> {
    let form: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (url, client, form) = (app.url("/oauth/token"), client.clone(), form.clone());
            tokio::spawn(async move {
                let resp = reqwest::Client::new()
                    .post(url)
                    .basic_auth(&client.0, Some(&client.1))
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

pub async fn otp(
    app: &portcullis_testkit::TestApp,
    client: &(String, String),
    token: &str,
    code: &str,
) -> (u16, Value) {
    grant(
        app,
        client,
        &[("grant_type", OTP), ("mfa_token", token), ("otp", code)],
    )
    .await
}

pub async fn password(
    app: &portcullis_testkit::TestApp,
    client: &(String, String),
    pw: &str,
) -> (u16, Value) {
    grant(
        app,
        client,
        &[
            ("grant_type", "password"),
            ("username", EMAIL),
            ("password", pw),
            ("scope", "openid"),
        ],
    )
    .await
}

/// A browser-like client that sends `user_agent`.
pub fn browser_as(user_agent: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .build()
        .unwrap()
}

/// A page with its CSP nonces blanked, to compare two answers byte for byte.
pub fn without_nonces(html: &str) -> String {
    html.split("nonce=\"")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_string()
            } else {
                part[part.find('"').unwrap()..].to_string()
            }
        })
        .collect()
}

/// A page with its per-browser parts (nonces, state and CSRF tokens) and `email` blanked out,
/// to compare the answers two people got.
pub fn neutral(body: &str, email: &str) -> String {
    let mut body = without_nonces(body).replace(email, "x");
    for field in ["csrf", "state"] {
        if let Some(v) = portcullis_testkit::form_value(&body, field).filter(|v| !v.is_empty()) {
            body = body.replace(&v, field);
        }
    }
    body
}

/// The management API's audience.
pub fn audience(app: &portcullis_testkit::TestApp) -> String {
    format!("{}/api/v2/", app.issuer)
}

/// A machine client with `scopes` on the management API: its id and secret.
pub async fn admin_client(app: &portcullis_testkit::TestApp, scopes: &[&str]) -> (String, String) {
    let (client, secret) = app
        .create_client(portcullis_core::admin::NewClient {
            name: "admin tool".into(),
            grant_types: vec!["client_credentials".into()],
            ..portcullis_core::admin::NewClient::default()
        })
        .await;
    portcullis_core::admin::grant_client(
        app.store.as_ref(),
        &client.id,
        &audience(app),
        scopes.iter().map(|s| s.to_string()).collect(),
    )
    .await
    .unwrap();
    app.state.refresh().await.unwrap();
    (client.id, secret.unwrap())
}

/// A machine client with `scopes` on the management API, and its access token.
pub async fn admin_token(app: &portcullis_testkit::TestApp, scopes: &[&str]) -> String {
    let client = admin_client(app, scopes).await;
    let (status, body) = grant(
        app,
        &client,
        &[
            ("grant_type", "client_credentials"),
            ("audience", &audience(app)),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

/// Calls the management API: status and JSON body (`null` when empty).
pub async fn call(
    app: &portcullis_testkit::TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .request(method.parse().unwrap(), app.url(path))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Waits for the newest message to `to` with `subject` (notices go out in the background).
pub async fn mail(app: &TestApp, to: &str, subject: &str) -> portcullis_core::notify::Message {
    for _ in 0..200 {
        if let Some(m) = app
            .state
            .outbox()
            .unwrap()
            .messages()
            .into_iter()
            .find(|m| m.to == to && m.subject == subject)
        {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no \"{subject}\" to {to}");
}

/// Base64url of the SHA-256 of `data`.
pub fn sha256_b64(data: &[u8]) -> String {
    portcullis_core::crypto::b64url(
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data).as_ref(),
    )
}

/// A web client registered through the management API with `key` (no secret) and the
/// `policy` keys given (`{}` for none); its id.
pub async fn keyed_web_client(app: &TestApp, key: &EcKey, policy: Value) -> String {
    let admin = admin_token(app, &["create:clients"]).await;
    let resp = reqwest::Client::new()
        .post(app.url("/api/v2/clients"))
        .bearer_auth(admin)
        .json(&serde_json::json!({
            "name": "Signed app",
            "callbacks": [REDIRECT],
            "grant_types": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": { "keys": [key.jwk] },
            "mfa_policy": policy,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.unwrap();
    app.state.refresh().await.unwrap();
    body["client_id"].as_str().unwrap().to_string()
}

/// A client's P-256 key (DPoP proofs, `private_key_jwt` assertions): its public JWK and RFC
/// 7638 thumbprint, computed here from the members in their canonical order.
pub struct EcKey {
    pair: aws_lc_rs::signature::EcdsaKeyPair,
    pub jwk: Value,
    pub jkt: String,
}

impl EcKey {
    pub fn new() -> EcKey {
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
        use portcullis_core::crypto::b64url;
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let point = pair.public_key().as_ref().to_vec();
        let (x, y) = (b64url(&point[1..33]), b64url(&point[33..65]));
        let jkt =
            sha256_b64(format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#).as_bytes());
        EcKey {
            pair,
            jwk: serde_json::json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y }),
            jkt,
        }
    }

    /// A DPoP proof (RFC 9449) by this key for `method` `url` at `iat`.
    pub fn dpop(&self, method: &str, url: &str, iat: i64) -> String {
        self.sign(
            &serde_json::json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk }),
            &serde_json::json!({
                "jti": portcullis_core::crypto::random::token(),
                "htm": method,
                "htu": url,
                "iat": iat,
            }),
        )
    }

    /// A compact JWS of `claims` under `header`, signed ES256.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        use portcullis_core::crypto::b64url;
        let input = format!(
            "{}.{}",
            b64url(header.to_string().as_bytes()),
            b64url(claims.to_string().as_bytes())
        );
        let sig = self
            .pair
            .sign(&aws_lc_rs::rand::SystemRandom::new(), input.as_bytes())
            .unwrap();
        format!("{input}.{}", b64url(sig.as_ref()))
    }
}
