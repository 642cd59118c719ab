//! Mutual TLS (RFC 8705) over real TLS with client certificates: the server asks for a
//! certificate (`[tls] request_client_certificates`), a client registered with
//! `self_signed_tls_client_auth` authenticates with its certificate alone, and a client with
//! `tls_client_certificate_bound_access_tokens` gets tokens bound to it (`cnf.x5t#S256`) that
//! the management API and `/userinfo` take only over a connection with that certificate. A
//! public client's refresh tokens are bound too, FAPI 2.0 accepts the certificate in place of
//! DPoP, and registrations that do not hold together are refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use common::*;
use portcullis_testkit::{Engine, TestApp, spawn_app_with_env};
use serde_json::{Value, json};

/// A client's certificate: self-signed, P-256, with its key as a JWK carrying it in `x5c`.
struct Holder {
    identity: String,
    der: Vec<u8>,
    jwk: Value,
}

impl Holder {
    fn new(name: &str) -> Holder {
        let made = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
        let raw = made.signing_key.public_key_raw();
        let der = made.cert.der().to_vec();
        let b64 = portcullis_core::crypto::b64url;
        Holder {
            identity: format!("{}{}", made.cert.pem(), made.signing_key.serialize_pem()),
            jwk: json!({
                "kty": "EC", "crv": "P-256", "x": b64(&raw[1..33]), "y": b64(&raw[33..65]),
                "x5c": [base64::engine::general_purpose::STANDARD.encode(&der)],
            }),
            der,
        }
    }

    /// The `x5t#S256` a token bound to this certificate carries.
    fn thumbprint(&self) -> String {
        sha256_b64(&self.der)
    }
}

/// A server with native TLS (a certificate for localhost), asking for client certificates when
/// `ask`; its certificate's PEM, for the clients to trust.
async fn tls_app(ask: bool) -> (TestApp, String, tempfile::TempDir) {
    tls_app_trusting(ask, None).await
}

/// [`tls_app`] whose `[tls] client_ca` is `ca` (PEM), when given.
async fn tls_app_trusting(ask: bool, ca: Option<&str>) -> (TestApp, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let trusted = dir.path().join("client-ca.pem");
    let trusted = trusted.display().to_string();
    let mut env = vec![
        ("PORTCULLIS_TLS__CERT", cert.as_str()),
        ("PORTCULLIS_TLS__KEY", key.as_str()),
        (
            "PORTCULLIS_TLS__REQUEST_CLIENT_CERTIFICATES",
            if ask { "true" } else { "false" },
        ),
    ];
    if let Some(ca) = ca {
        std::fs::write(&trusted, ca).unwrap();
        env.push(("PORTCULLIS_TLS__CLIENT_CA", trusted.as_str()));
    }
    let app = spawn_app_with_env(Engine::Sqlite, &env).await;
    assert!(app.issuer.starts_with("https://"), "{}", app.issuer);
    (app, made.cert.pem(), dir)
}

/// An https client trusting the server, presenting `holder`'s certificate when given.
fn https(server: &str, holder: Option<&Holder>) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(server.as_bytes()).unwrap())
        .redirect(reqwest::redirect::Policy::none());
    if let Some(h) = holder {
        b = b.identity(reqwest::Identity::from_pem(h.identity.as_bytes()).unwrap());
    }
    b.build().unwrap()
}

/// Status and JSON body of an answer.
async fn answer(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The discovery document, fetched over `via`.
async fn discovery(app: &TestApp, via: &reqwest::Client) -> Value {
    let url = format!("{}/.well-known/openid-configuration", app.issuer);
    answer(via.get(url).send().await.unwrap()).await.1
}

/// POSTs `form` to the token endpoint (or `path`) over `via`, with Basic credentials when given.
async fn token(
    app: &TestApp,
    via: &reqwest::Client,
    path: &str,
    basic: Option<&(String, String)>,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = via.post(format!("{}{path}", app.issuer)).form(form);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    answer(req.send().await.unwrap()).await
}

/// A management API call over `via` with `bearer`.
async fn api(
    app: &TestApp,
    via: &reqwest::Client,
    bearer: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = via
        .request(method.parse().unwrap(), format!("{}{path}", app.issuer))
        .bearer_auth(bearer);
    if let Some(b) = body {
        req = req.json(&b);
    }
    answer(req.send().await.unwrap()).await
}

/// Registers a client over `via` with `admin`: status and the client as the API shows it.
async fn create(app: &TestApp, via: &reqwest::Client, admin: &str, body: Value) -> (u16, Value) {
    api(app, via, admin, "POST", "/api/v2/clients", Some(body)).await
}

/// A management token (no certificate involved) for registering clients.
async fn manager(app: &TestApp, via: &reqwest::Client) -> String {
    let admin = admin_client(app, &["create:clients", "update:clients", "read:clients"]).await;
    let (status, body) = token(
        app,
        via,
        "/oauth/token",
        Some(&admin),
        &[
            ("grant_type", "client_credentials"),
            ("audience", &audience(app)),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

/// Registers a machine client over `via` with `admin`: `fields` on top of a client-credentials
/// app with `holder`'s certificate; it may then read clients. The client as the API shows it.
async fn machine(
    app: &TestApp,
    via: &reqwest::Client,
    admin: &str,
    holder: &Holder,
    fields: Value,
) -> Value {
    let mut body = json!({
        "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": "self_signed_tls_client_auth",
        "jwks": { "keys": [holder.jwk] },
    });
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, created) = create(app, via, admin, body).await;
    assert_eq!(status, 201, "{created}");
    may_read_clients(app, created["client_id"].as_str().unwrap()).await;
    created
}

/// A management token for machine client `cid`, asked over `via` with no other credential.
async fn machine_token(app: &TestApp, via: &reqwest::Client, cid: &str) -> (u16, Value) {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", cid),
        ("audience", &audience(app)),
    ];
    token(app, via, "/oauth/token", None, &form).await
}

/// Lets `client` ask for management tokens with `read:clients`.
async fn may_read_clients(app: &TestApp, client: &str) {
    portcullis_core::admin::grant_client(
        app.store.as_ref(),
        client,
        &audience(app),
        vec!["read:clients".into()],
    )
    .await
    .unwrap();
    app.state.refresh().await.unwrap();
}

#[tokio::test]
async fn a_registered_certificate_authenticates_and_binds_its_tokens() {
    let (app, server, _dir) = tls_app(true).await;
    let (ada, bob) = (Holder::new("payments"), Holder::new("intruder"));
    let (with_ada, with_bob, plain) = (
        https(&server, Some(&ada)),
        https(&server, Some(&bob)),
        https(&server, None),
    );

    // Discovery says so, since the server asks for certificates.
    let doc = discovery(&app, &plain).await;
    assert_eq!(doc["tls_client_certificate_bound_access_tokens"], true);
    for list in [
        "token_endpoint_auth_methods_supported",
        "introspection_endpoint_auth_methods_supported",
    ] {
        let methods: Vec<&str> = doc[list]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(methods.contains(&"self_signed_tls_client_auth"), "{list}");
    }

    // Registrations that do not hold together are refused, and nothing is created.
    let admin = manager(&app, &plain).await;
    let (_, before) = api(&app, &plain, &admin, "GET", "/api/v2/clients", None).await;
    let mut no_x5c = ada.jwk.clone();
    no_x5c.as_object_mut().unwrap().remove("x5c");
    let mut swapped = ada.jwk.clone();
    swapped["x5c"] = bob.jwk["x5c"].clone();
    let mut garbage = ada.jwk.clone();
    garbage["x5c"] = json!(["bm90IGEgY2VydGlmaWNhdGU="]);
    for (body, why) in [
        (json!({}), "needs jwks"),
        (json!({ "jwks": { "keys": [no_x5c] } }), "needs x5c"),
        (
            json!({ "jwks": { "keys": [swapped] } }),
            "does not hold the key",
        ),
        (json!({ "jwks": { "keys": [garbage] } }), "not an X.509"),
        (
            json!({ "jwks_uri": "https://payments.example.com/jwks" }),
            "by value",
        ),
    ] {
        let mut body = body;
        body["name"] = "Broken".into();
        body["grant_types"] = json!(["client_credentials"]);
        body["token_endpoint_auth_method"] = "self_signed_tls_client_auth".into();
        let (status, err) = create(&app, &plain, &admin, body).await;
        assert_eq!(status, 400, "{why}: {err}");
        assert!(
            err["message"].as_str().unwrap().contains(why),
            "{why}: {err}"
        );
    }
    let (_, after) = api(&app, &plain, &admin, "GET", "/api/v2/clients", None).await;
    assert_eq!(before, after, "a refused registration creates nothing");

    // The payments service: its certificate, no secret, bound tokens.
    let created = machine(
        &app,
        &plain,
        &admin,
        &ada,
        json!({ "name": "Payments", "tls_client_certificate_bound_access_tokens": true }),
    )
    .await;
    assert!(created.get("client_secret").is_none(), "{created}");
    assert_eq!(
        created["token_endpoint_auth_method"],
        "self_signed_tls_client_auth"
    );
    assert_eq!(created["tls_client_certificate_bound_access_tokens"], true);
    let cid = created["client_id"].as_str().unwrap().to_string();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", cid.as_str()),
        ("audience", &audience(&app)),
    ];

    // Its certificate is its credential; another one, none, or a secret are refused.
    let (status, body) = token(&app, &with_ada, "/oauth/token", None, &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer", "sent as a bearer token");
    let access = body["access_token"].as_str().unwrap().to_string();
    let cnf = &claims(&access)["cnf"];
    assert_eq!(cnf["x5t#S256"], ada.thumbprint());
    assert!(cnf.get("jkt").is_none(), "{cnf}");
    for via in [&with_bob, &plain] {
        let (status, err) = token(&app, via, "/oauth/token", None, &form).await;
        assert_eq!(
            (status, err["error"].as_str()),
            (401, Some("invalid_client"))
        );
    }
    let with_secret = [&form[..], &[("client_secret", "guess")]].concat();
    let (status, err) = token(&app, &with_ada, "/oauth/token", None, &with_secret).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_client"))
    );

    // The bound token works only over a connection with that certificate.
    let (status, listed) = api(&app, &with_ada, &access, "GET", "/api/v2/clients", None).await;
    assert_eq!(status, 200, "{listed}");
    for via in [&with_bob, &plain] {
        let (status, err) = api(&app, via, &access, "GET", "/api/v2/clients", None).await;
        assert_eq!(status, 401, "{err}");
    }

    // Introspection names the certificate.
    let introspector = admin_client(&app, &[]).await;
    let (status, seen) = token(
        &app,
        &plain,
        "/oauth/introspect",
        Some(&introspector),
        &[("token", &access)],
    )
    .await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["active"], true);
    assert_eq!(seen["token_type"], "Bearer");
    assert_eq!(seen["cnf"]["x5t#S256"], ada.thumbprint());

    // The guard crate takes the token with the certificate and refuses it without.
    let guard = portcullis_guard::Guard::builder(app.issuer.clone(), audience(&app))
        .http_client(https(&server, None))
        .build()
        .await
        .unwrap();
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        axum::http::header::AUTHORIZATION,
        format!("Bearer {access}").parse().unwrap(),
    );
    let (method, uri) = (axum::http::Method::GET, "/payouts".parse().unwrap());
    let rule = portcullis_guard::Rule::any();
    let held = guard
        .authorize_with_certificate(&method, &uri, &headers, Some(&ada.der), &rule)
        .await
        .unwrap();
    assert_eq!(held.x5t_s256(), Some(ada.thumbprint().as_str()));
    for other in [Some(bob.der.as_slice()), None] {
        let refused = guard
            .authorize_with_certificate(&method, &uri, &headers, other, &rule)
            .await;
        assert!(
            matches!(refused, Err(portcullis_guard::Rejection::InvalidToken(_))),
            "{refused:?}"
        );
    }
    assert!(
        guard
            .authorize(&method, &uri, &headers, &rule)
            .await
            .is_err()
    );

    // Unbound again: tokens lose the confirmation. Then a secret instead: the certificate is no
    // longer a credential.
    let path = format!("/api/v2/clients/{cid}");
    let (status, changed) = api(
        &app,
        &plain,
        &admin,
        "PATCH",
        &path,
        Some(json!({ "tls_client_certificate_bound_access_tokens": false })),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["tls_client_certificate_bound_access_tokens"], false);
    app.state.refresh().await.unwrap();
    let (status, body) = token(&app, &with_ada, "/oauth/token", None, &form).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        claims(body["access_token"].as_str().unwrap())
            .get("cnf")
            .is_none()
    );
    let (status, changed) = api(
        &app,
        &plain,
        &admin,
        "PATCH",
        &path,
        Some(json!({ "token_endpoint_auth_method": "client_secret_post" })),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["token_endpoint_auth_method"], "client_secret_post");
    assert!(changed.get("jwks").is_none(), "{changed}");
    app.state.refresh().await.unwrap();
    let (status, err) = token(&app, &with_ada, "/oauth/token", None, &form).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

#[tokio::test]
async fn public_refresh_tokens_and_fapi_follow_the_certificate() {
    let (app, server, _dir) = tls_app(true).await;
    app.create_user(EMAIL, PASSWORD).await;
    let (ada, bob) = (Holder::new("phone"), Holder::new("thief"));
    let (with_ada, with_bob, plain) = (
        https(&server, Some(&ada)),
        https(&server, Some(&bob)),
        https(&server, None),
    );
    let admin = manager(&app, &plain).await;

    // A public app with bound tokens: no secret, its certificate holds its refresh tokens.
    let (status, created) = create(
        &app,
        &plain,
        &admin,
        json!({
            "name": "Phone",
            "grant_types": ["password", "refresh_token"],
            "token_endpoint_auth_method": "none",
            "tls_client_certificate_bound_access_tokens": true,
        }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let cid = created["client_id"].as_str().unwrap().to_string();
    let signin = [
        ("grant_type", "password"),
        ("client_id", cid.as_str()),
        ("username", EMAIL),
        ("password", PASSWORD),
        ("scope", "openid offline_access"),
    ];
    // Without a certificate the app cannot get tokens it asked to have bound.
    let (status, err) = token(&app, &plain, "/oauth/token", None, &signin).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = token(&app, &with_ada, "/oauth/token", None, &signin).await;
    assert_eq!(status, 200, "{body}");
    let access = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(claims(&access)["cnf"]["x5t#S256"], ada.thumbprint());
    let refresh = body["refresh_token"].as_str().unwrap().to_string();

    // UserInfo: the holder's connection only.
    let userinfo = |via: &reqwest::Client| {
        via.get(format!("{}/userinfo", app.issuer))
            .bearer_auth(&access)
            .send()
    };
    let (status, me) = answer(userinfo(&with_ada).await.unwrap()).await;
    assert_eq!(status, 200, "{me}");
    for via in [&with_bob, &plain] {
        let resp = userinfo(via).await.unwrap();
        assert_eq!(resp.status(), 401);
        let challenge = resp.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.contains("invalid_token"), "{challenge}");
    }

    // The refresh token needs the same certificate; another one spends nothing.
    let again = [
        ("grant_type", "refresh_token"),
        ("client_id", cid.as_str()),
        ("refresh_token", refresh.as_str()),
    ];
    let (status, err) = token(&app, &with_bob, "/oauth/token", None, &again).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    // Eighty refreshes at once over the right connection: one wins, as for any refresh token.
    let wins = all_at_once(80, || {
        let via = with_ada.clone();
        let url = format!("{}/oauth/token", app.issuer);
        let form: Vec<(String, String)> = again
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        async move { via.post(url).form(&form).send().await.unwrap() }
    })
    .await;
    let fresh: Vec<Value> = {
        let mut out = Vec::new();
        for resp in wins {
            let (status, body) = answer(resp).await;
            if status == 200 {
                out.push(body);
            }
        }
        out
    };
    assert_eq!(fresh.len(), 1, "one refresh wins");
    let next = fresh[0]["refresh_token"].as_str().unwrap();
    assert_eq!(
        claims(fresh[0]["access_token"].as_str().unwrap())["cnf"]["x5t#S256"],
        ada.thumbprint()
    );
    let (status, err) = token(
        &app,
        &with_bob,
        "/oauth/token",
        None,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", cid.as_str()),
            ("refresh_token", next),
        ],
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // FAPI 2.0 takes a certificate in place of DPoP: a bound mutual-TLS client gets tokens
    // without a proof; an unbound one is told what the profile wants.
    for bound in [true, false] {
        let created = machine(
            &app,
            &plain,
            &admin,
            &ada,
            json!({
                "name": "Bank",
                "tls_client_certificate_bound_access_tokens": bound,
                "mfa_policy": { "fapi2": true },
            }),
        )
        .await;
        let bank = created["client_id"].as_str().unwrap();
        let (status, body) = machine_token(&app, &with_ada, bank).await;
        if bound {
            assert_eq!(status, 200, "{body}");
            let access = body["access_token"].as_str().unwrap();
            assert_eq!(claims(access)["cnf"]["x5t#S256"], ada.thumbprint());
            let header: Value = serde_json::from_slice(
                &portcullis_core::crypto::b64url_decode(access.split('.').next().unwrap()).unwrap(),
            )
            .unwrap();
            assert_ne!(header["alg"], "RS256", "FAPI 2.0 signs without RS256");
        } else {
            assert_eq!(status, 400, "{body}");
            assert!(
                body["error_description"]
                    .as_str()
                    .unwrap()
                    .contains("sender-constrained"),
                "{body}"
            );
        }
    }
}

#[tokio::test]
async fn a_server_that_does_not_ask_offers_no_mutual_tls() {
    let (app, server, _dir) = tls_app(false).await;
    let holder = Holder::new("payments");
    let (with_cert, plain) = (https(&server, Some(&holder)), https(&server, None));
    let doc = discovery(&app, &plain).await;
    assert_eq!(doc["tls_client_certificate_bound_access_tokens"], false);
    assert!(
        !doc["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("self_signed_tls_client_auth"))
    );
    // A client registered for it anyway cannot authenticate: no certificate reaches the server.
    let admin = manager(&app, &plain).await;
    let created = machine(&app, &plain, &admin, &holder, json!({ "name": "Payments" })).await;
    let cid = created["client_id"].as_str().unwrap();
    let (status, err) = machine_token(&app, &with_cert, cid).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

/// A client CA, and certificates it issues for client authentication.
struct Ca {
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
    pem: String,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let pem = params.self_signed(&key).unwrap().pem();
        Ca {
            issuer: rcgen::Issuer::new(params, key),
            pem,
        }
    }

    /// A client certificate for `O=Acme, CN=<cn>` with the DNS name `dns`, as a holder.
    fn issue(&self, cn: &str, dns: &str) -> Holder {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec![dns.to_string()]).unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "Acme");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Holder {
            identity: format!("{}{}", cert.pem(), key.serialize_pem()),
            der: cert.der().to_vec(),
            jwk: Value::Null,
        }
    }
}

#[tokio::test]
async fn a_certificate_from_the_client_ca_authenticates_by_its_subject() {
    let ca = Ca::new("Acme client CA");
    let (app, server, _dir) = tls_app_trusting(true, Some(&ca.pem)).await;
    let plain = https(&server, None);
    let doc = discovery(&app, &plain).await;
    assert!(
        doc["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("tls_client_auth"))
    );
    let admin = manager(&app, &plain).await;
    let register = |body: Value| {
        let mut body = body;
        body["name"] = "Ledger".into();
        body["grant_types"] = json!(["client_credentials"]);
        body["token_endpoint_auth_method"] = "tls_client_auth".into();
        create(&app, &plain, &admin, body)
    };
    // One subject, well formed, and only for this method.
    for (body, why) in [
        (json!({}), "needs one of"),
        (
            json!({ "tls_client_auth_san_dns": "a.example", "tls_client_auth_san_uri": "https://a" }),
            "give one of",
        ),
        (
            json!({ "tls_client_auth_san_ip": "not an address" }),
            "not usable",
        ),
    ] {
        let (status, err) = register(body).await;
        assert_eq!(status, 400, "{why}: {err}");
        assert!(
            err["message"].as_str().unwrap().contains(why),
            "{why}: {err}"
        );
    }
    let (status, err) = create(
        &app,
        &plain,
        &admin,
        json!({
            "name": "Mixed", "grant_types": ["client_credentials"],
            "tls_client_auth_san_dns": "a.example",
        }),
    )
    .await;
    assert_eq!(status, 400, "a subject without tls_client_auth: {err}");

    let by_dn = register(json!({ "tls_client_auth_subject_dn": "cn=ledger, O=Acme" })).await;
    assert_eq!(by_dn.0, 201, "{}", by_dn.1);
    assert!(by_dn.1.get("client_secret").is_none(), "{}", by_dn.1);
    assert_eq!(by_dn.1["tls_client_auth_subject_dn"], "cn=ledger, O=Acme");
    let by_dns = register(json!({ "tls_client_auth_san_dns": "ledger.acme.example" })).await;
    assert_eq!(by_dns.0, 201, "{}", by_dns.1);
    let (by_dn, by_dns) = (
        by_dn.1["client_id"].as_str().unwrap().to_string(),
        by_dns.1["client_id"].as_str().unwrap().to_string(),
    );
    for cid in [&by_dn, &by_dns] {
        may_read_clients(&app, cid).await;
    }

    // The CA's certificate for the ledger passes both ways; one for another subject, one of
    // another CA with the same names, or none, does not.
    let ledger = ca.issue("ledger", "ledger.acme.example");
    let other = ca.issue("billing", "billing.acme.example");
    let forged = Ca::new("Acme client CA").issue("ledger", "ledger.acme.example");
    let self_signed = Holder::new("ledger.acme.example");
    for cid in [&by_dn, &by_dns] {
        let (status, body) = machine_token(&app, &https(&server, Some(&ledger)), cid).await;
        assert_eq!(status, 200, "{body}");
        for wrong in [&other, &forged, &self_signed] {
            let (status, err) = machine_token(&app, &https(&server, Some(wrong)), cid).await;
            assert_eq!(
                (status, err["error"].as_str()),
                (401, Some("invalid_client"))
            );
        }
        let (status, _) = machine_token(&app, &plain, cid).await;
        assert_eq!(status, 401);
    }

    // Another method: the subject goes with it.
    let (status, changed) = api(
        &app,
        &plain,
        &admin,
        "PATCH",
        &format!("/api/v2/clients/{by_dns}"),
        Some(json!({ "token_endpoint_auth_method": "client_secret_post" })),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert!(
        changed.get("tls_client_auth_san_dns").is_none(),
        "{changed}"
    );
    app.state.refresh().await.unwrap();
    let (status, _) = machine_token(&app, &https(&server, Some(&ledger)), &by_dns).await;
    assert_eq!(status, 401);
}

/// A client behind a TLS-terminating proxy: plain http, with the proxy's RFC 9440 header naming
/// `holder`'s certificate (or none).
fn proxied(holder: Option<&Holder>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(h) = holder {
        let value = format!(
            ":{}:",
            base64::engine::general_purpose::STANDARD.encode(&h.der)
        );
        headers.insert("client-cert", value.parse().unwrap());
    }
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

/// A server believing certificate headers from `proxies`, which discovery then says; a
/// management token for registering clients.
async fn behind_proxy(proxies: &str, via: &reqwest::Client) -> (TestApp, String) {
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[("PORTCULLIS_PROXY__CLIENT_CERT_FROM", proxies)],
    )
    .await;
    let doc = discovery(&app, via).await;
    assert_eq!(doc["tls_client_certificate_bound_access_tokens"], true);
    let admin = manager(&app, via).await;
    (app, admin)
}

#[tokio::test]
async fn a_trusted_proxy_passes_the_certificate_in_rfc_9440_headers() {
    let ada = Holder::new("payments");
    // The proxy is on loopback, as the test client is.
    let (with_ada, plain) = (proxied(Some(&ada)), proxied(None));
    let (app, admin) = behind_proxy("10.1.2.3, 127.0.0.1", &plain).await;
    let created = machine(
        &app,
        &plain,
        &admin,
        &ada,
        json!({ "name": "Payments", "tls_client_certificate_bound_access_tokens": true }),
    )
    .await;
    let cid = created["client_id"].as_str().unwrap();
    let (status, body) = machine_token(&app, &with_ada, cid).await;
    assert_eq!(status, 200, "{body}");
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(claims(access)["cnf"]["x5t#S256"], ada.thumbprint());
    let (status, _) = api(&app, &with_ada, access, "GET", "/api/v2/clients", None).await;
    assert_eq!(status, 200);
    let (status, _) = api(&app, &plain, access, "GET", "/api/v2/clients", None).await;
    assert_eq!(status, 401);
    let (status, _) = machine_token(&app, &plain, cid).await;
    assert_eq!(status, 401);

    // From anywhere else the header is not believed: a client cannot name a certificate itself.
    let (elsewhere, admin) = behind_proxy("10.1.2.3", &plain).await;
    let created = machine(
        &elsewhere,
        &plain,
        &admin,
        &ada,
        json!({ "name": "Payments" }),
    )
    .await;
    let cid = created["client_id"].as_str().unwrap();
    let (status, err) = machine_token(&elsewhere, &with_ada, cid).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

/// Runs `n` copies of `make()` at once and collects their results.
async fn all_at_once<F, Fut, T>(n: usize, make: F) -> Vec<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|_| tokio::spawn(make())).collect();
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}
