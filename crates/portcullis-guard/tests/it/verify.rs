//! The guard against a key server of its own: every verification rule, JWKS rotation with the
//! refetch limit and an unreachable provider, and DPoP proofs. Keys and signatures are real.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use axum::http::{HeaderMap, Method, Uri};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_core::crypto::jws::{Alg as SignAlg, Signer};
use portcullis_guard::{Guard, Rejection, Rule, require_acr, require_scopes, thumbprint};
use serde_json::{Value, json};

const AUD: &str = "https://payouts.example.com";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A provider that serves discovery and a JWKS that tests can swap or take down.
struct Provider {
    issuer: String,
    keys: Arc<Mutex<Option<Value>>>,
    fetches: Arc<AtomicUsize>,
}

async fn provider(signers: &[&Signer]) -> Provider {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let keys = Arc::new(Mutex::new(Some(
        json!({ "keys": signers.iter().map(|s| s.jwk()).collect::<Vec<_>>() }),
    )));
    let fetches = Arc::new(AtomicUsize::new(0));
    let (k, f, i) = (keys.clone(), fetches.clone(), issuer.clone());
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            axum::routing::get(move || {
                let i = i.clone();
                async move { axum::Json(json!({ "issuer": i, "jwks_uri": format!("{i}/jwks") })) }
            }),
        )
        .route(
            "/jwks",
            axum::routing::get(move || {
                let (k, f) = (k.clone(), f.clone());
                async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    match k.lock().unwrap().clone() {
                        Some(v) => axum::Json(v).into_response(),
                        None => axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response(),
                    }
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Provider {
        issuer,
        keys,
        fetches,
    }
}

use axum::response::IntoResponse;

fn now() -> i64 {
    portcullis_core::clock::Clock::now(&portcullis_core::clock::SystemClock)
}

fn claims(issuer: &str) -> Value {
    let now = now();
    json!({
        "iss": issuer, "sub": "usr_1", "aud": AUD, "exp": now + 600, "iat": now, "jti": "j1",
        "client_id": "web", "scope": "openid payouts:write", "acr": "aal2", "amr": ["pwd", "otp", "mfa"],
        "auth_time": now - 10, "sid": "ses_1",
    })
}

/// Signs any header and payload with a signer's key (for headers the signer would not write).
fn forge(header: Value, payload: &Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let sig = sign(input.as_bytes());
    format!("{input}.{}", b64(&sig))
}

fn bearer(token: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("authorization", format!("Bearer {token}").parse().unwrap());
    h.insert("host", "api.test".parse().unwrap());
    h
}

async fn check(guard: &Guard, headers: &HeaderMap, rule: &Rule) -> Result<(), Rejection> {
    let uri: Uri = "/payouts?x=1".parse().unwrap();
    guard
        .authorize(&Method::POST, &uri, headers, rule)
        .await
        .map(|_| ())
}

fn invalid(r: Result<(), Rejection>) -> String {
    match r {
        Err(Rejection::InvalidToken(why)) => why,
        other => panic!("expected invalid_token, got {other:?}"),
    }
}

#[tokio::test]
async fn every_claim_and_header_rule_is_enforced() {
    let (signer, _) = Signer::generate(SignAlg::Es256).unwrap();
    let (rsa, _) = Signer::generate(SignAlg::Rs256).unwrap();
    let p = provider(&[&signer, &rsa]).await;
    let guard = Guard::discover(p.issuer.clone(), AUD).await.unwrap();
    let good = signer.sign_jwt("at+jwt", &claims(&p.issuer)).unwrap();
    assert!(check(&guard, &bearer(&good), &Rule::any()).await.is_ok());
    assert!(
        check(
            &guard,
            &bearer(&rsa.sign_jwt("at+jwt", &claims(&p.issuer)).unwrap()),
            &Rule::any()
        )
        .await
        .is_ok()
    );
    let typ = signer
        .sign_jwt("application/at+jwt", &claims(&p.issuer))
        .unwrap();
    assert!(check(&guard, &bearer(&typ), &Rule::any()).await.is_ok());

    let with = |edit: &dyn Fn(&mut Value)| {
        let mut c = claims(&p.issuer);
        edit(&mut c);
        signer.sign_jwt("at+jwt", &c).unwrap()
    };
    for (token, why) in [
        (
            with(&|c| c["iss"] = "https://evil.example.com".into()),
            "wrong issuer",
        ),
        (
            with(&|c| c["aud"] = "https://other.example.com".into()),
            "not for this API",
        ),
        (with(&|c| c["exp"] = (now() - 31).into()), "expired"),
        (with(&|c| c["nbf"] = (now() + 120).into()), "not valid yet"),
        (
            with(&|c| {
                c.as_object_mut().unwrap().remove("exp");
            }),
            "missing or malformed claims",
        ),
        (
            signer.sign_jwt("JWT", &claims(&p.issuer)).unwrap(),
            "not an access token (typ at+jwt)",
        ),
    ] {
        assert_eq!(
            invalid(check(&guard, &bearer(&token), &Rule::any()).await),
            why
        );
    }
    // Leeway: 29 s past exp still passes, an audience list works.
    assert!(
        check(
            &guard,
            &bearer(&with(&|c| c["exp"] = (now() - 29).into())),
            &Rule::any()
        )
        .await
        .is_ok()
    );
    assert!(
        check(
            &guard,
            &bearer(&with(&|c| c["aud"] = json!(["x", AUD]))),
            &Rule::any()
        )
        .await
        .is_ok()
    );

    // Tampered payload, `none`, HMAC keyed with the public key, and an RSA key named for ES256.
    let (head, _) = good.split_once('.').unwrap();
    let (_, sig) = good.rsplit_once('.').unwrap();
    let mut evil = claims(&p.issuer);
    evil["sub"] = "admin".into();
    let tampered = format!("{head}.{}.{sig}", b64(evil.to_string().as_bytes()));
    assert_eq!(
        invalid(check(&guard, &bearer(&tampered), &Rule::any()).await),
        "signature not verified by any published key"
    );
    let none = forge(
        json!({"alg": "none", "typ": "at+jwt"}),
        &claims(&p.issuer),
        |_| vec![],
    );
    assert_eq!(
        invalid(check(&guard, &bearer(&none), &Rule::any()).await),
        "not a signed JWT with an accepted algorithm"
    );
    let public = serde_json::to_vec(signer.jwk()).unwrap();
    let hs = forge(
        json!({"alg": "HS256", "typ": "at+jwt", "kid": signer.kid()}),
        &claims(&p.issuer),
        |m| {
            aws_lc_rs::hmac::sign(
                &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &public),
                m,
            )
            .as_ref()
            .to_vec()
        },
    );
    assert_eq!(
        invalid(check(&guard, &bearer(&hs), &Rule::any()).await),
        "not a signed JWT with an accepted algorithm"
    );
    let confused = forge(
        json!({"alg": "ES256", "typ": "at+jwt", "kid": rsa.kid()}),
        &claims(&p.issuer),
        |_| vec![0; 64],
    );
    assert_eq!(
        invalid(check(&guard, &bearer(&confused), &Rule::any()).await),
        "signature not verified by any published key"
    );
    let only_ed = Guard::builder(p.issuer.clone(), AUD)
        .algorithms([portcullis_guard::Alg::EdDsa])
        .build()
        .await
        .unwrap();
    assert_eq!(
        invalid(check(&only_ed, &bearer(&good), &Rule::any()).await),
        "algorithm not accepted"
    );

    // No token, another scheme, garbage.
    assert_eq!(
        check(&guard, &HeaderMap::new(), &Rule::any()).await,
        Err(Rejection::Missing)
    );
    let mut basic = HeaderMap::new();
    basic.insert("authorization", "Basic dXNlcjpwdw==".parse().unwrap());
    assert_eq!(
        check(&guard, &basic, &Rule::any()).await,
        Err(Rejection::Missing)
    );
    invalid(check(&guard, &bearer("not-a-jwt"), &Rule::any()).await);
}

#[tokio::test]
async fn rules_judge_users_on_level_and_age_and_machines_on_scope() {
    let (signer, _) = Signer::generate(SignAlg::EdDsa).unwrap();
    let p = provider(&[&signer]).await;
    let clock = Arc::new(std::sync::atomic::AtomicI64::new(now()));
    let c = clock.clone();
    let guard = Guard::builder(p.issuer.clone(), AUD)
        .clock(Arc::new(move || c.load(Ordering::SeqCst)))
        .build()
        .await
        .unwrap();
    let token = |edit: &dyn Fn(&mut Value)| {
        let mut c = claims(&p.issuer);
        edit(&mut c);
        bearer(&signer.sign_jwt("at+jwt", &c).unwrap())
    };
    let bank = require_acr("aal2").max_age(300);
    let step_up = Err(Rejection::StepUp {
        required_acr: Some("aal2".into()),
        max_age: Some(300),
    });
    assert!(check(&guard, &token(&|_| {}), &bank).await.is_ok());
    assert!(
        check(&guard, &token(&|c| c["acr"] = "aal3".into()), &bank)
            .await
            .is_ok(),
        "aal3 meets aal2"
    );
    assert_eq!(
        check(&guard, &token(&|c| c["acr"] = "aal1".into()), &bank).await,
        step_up
    );
    assert_eq!(
        check(
            &guard,
            &token(&|c| {
                c.as_object_mut().unwrap().remove("acr");
            }),
            &bank
        )
        .await,
        step_up,
        "a user token without acr"
    );
    let pape = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";
    assert!(
        check(&guard, &token(&|c| c["acr"] = pape.into()), &bank)
            .await
            .is_ok()
    );
    // Five minutes later the same token is too old for this route, still fine elsewhere.
    clock.fetch_add(291, Ordering::SeqCst);
    assert_eq!(check(&guard, &token(&|_| {}), &bank).await, step_up);
    assert!(
        check(&guard, &token(&|_| {}), &require_acr("aal2"))
            .await
            .is_ok()
    );
    clock.fetch_sub(291, Ordering::SeqCst);

    let machine = |scope: &'static str| {
        token(&move |c| {
            let o = c.as_object_mut().unwrap();
            for k in ["acr", "amr", "auth_time", "sid"] {
                o.remove(k);
            }
            o.insert("sub".into(), "web".into());
            o.insert("scope".into(), scope.into());
        })
    };
    let payouts = require_scopes(["payouts:write"]);
    assert!(
        check(&guard, &machine("payouts:write"), &payouts)
            .await
            .is_ok()
    );
    assert!(
        check(
            &guard,
            &machine("payouts:write"),
            &bank.clone().require_scopes(["payouts:write"])
        )
        .await
        .is_ok(),
        "no step-up for machines"
    );
    assert_eq!(
        check(&guard, &machine("payouts:read"), &payouts).await,
        Err(Rejection::InsufficientScope(vec!["payouts:write".into()]))
    );
    assert_eq!(
        check(&guard, &token(&|c| c["scope"] = "openid".into()), &payouts).await,
        Err(Rejection::InsufficientScope(vec!["payouts:write".into()])),
        "scope comes before step-up"
    );
}

#[tokio::test]
async fn rotation_refetches_at_most_once_per_interval_and_an_outage_keeps_the_cache() {
    let (old, _) = Signer::generate(SignAlg::Es256).unwrap();
    let (new, _) = Signer::generate(SignAlg::EdDsa).unwrap();
    let p = provider(&[&old]).await;
    let clock = Arc::new(std::sync::atomic::AtomicI64::new(now()));
    let c = clock.clone();
    let guard = Guard::builder(p.issuer.clone(), AUD)
        .clock(Arc::new(move || c.load(Ordering::SeqCst)))
        .build()
        .await
        .unwrap();
    assert_eq!(p.fetches.load(Ordering::SeqCst), 1);
    let old_token = bearer(&old.sign_jwt("at+jwt", &claims(&p.issuer)).unwrap());
    let new_token = bearer(&new.sign_jwt("at+jwt", &claims(&p.issuer)).unwrap());
    // A kid nobody published: one refetch at most within the interval, however many tries.
    for _ in 0..5 {
        invalid(check(&guard, &new_token, &Rule::any()).await);
    }
    assert_eq!(
        p.fetches.load(Ordering::SeqCst),
        1,
        "fetched at start, within the interval since"
    );
    *p.keys.lock().unwrap() = Some(json!({ "keys": [old.jwk(), new.jwk()] }));
    clock.fetch_add(30, Ordering::SeqCst);
    assert!(
        check(&guard, &new_token, &Rule::any()).await.is_ok(),
        "the rotated key is picked up"
    );
    assert_eq!(p.fetches.load(Ordering::SeqCst), 2);
    // The provider goes down: known keys keep working, the failed refetch changes nothing.
    *p.keys.lock().unwrap() = None;
    clock.fetch_add(30, Ordering::SeqCst);
    let (stranger, _) = Signer::generate(SignAlg::Es256).unwrap();
    invalid(
        check(
            &guard,
            &bearer(&stranger.sign_jwt("at+jwt", &claims(&p.issuer)).unwrap()),
            &Rule::any(),
        )
        .await,
    );
    assert_eq!(p.fetches.load(Ordering::SeqCst), 3);
    assert!(check(&guard, &old_token, &Rule::any()).await.is_ok());
    assert!(check(&guard, &new_token, &Rule::any()).await.is_ok());
}

/// A DPoP key: its public JWK and a signer for proofs.
pub(crate) struct DpopKey {
    pair: EcdsaKeyPair,
    jwk: Value,
}

impl DpopKey {
    pub(crate) fn new() -> DpopKey {
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        let point = pair.public_key().as_ref().to_vec();
        let jwk = json!({ "kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65]) });
        DpopKey { pair, jwk }
    }

    pub(crate) fn jkt(&self) -> String {
        thumbprint(&serde_json::from_value(self.jwk.clone()).unwrap()).unwrap()
    }

    pub(crate) fn proof(&self, htm: &str, htu: &str, iat: i64, token: &str, jti: &str) -> String {
        let ath =
            b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes()).as_ref());
        forge(
            json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk }),
            &json!({ "jti": jti, "htm": htm, "htu": htu, "iat": iat, "ath": ath }),
            |m| {
                self.pair
                    .sign(&SystemRandom::new(), m)
                    .unwrap()
                    .as_ref()
                    .to_vec()
            },
        )
    }
}

#[tokio::test]
async fn dpop_bound_tokens_need_a_fresh_proof_for_this_request() {
    let (signer, _) = Signer::generate(SignAlg::Es256).unwrap();
    // The thumbprint is RFC 7638's: Portcullis names its keys by theirs.
    let jwk: portcullis_guard::jwk::Jwk =
        serde_json::from_value(serde_json::to_value(signer.jwk()).unwrap()).unwrap();
    assert_eq!(thumbprint(&jwk).as_deref(), Some(signer.kid()));

    let p = provider(&[&signer]).await;
    let guard = Guard::discover(p.issuer.clone(), AUD).await.unwrap();
    let key = DpopKey::new();
    let mut c = claims(&p.issuer);
    c["cnf"] = json!({ "jkt": key.jkt() });
    let token = signer.sign_jwt("at+jwt", &c).unwrap();
    let htu = "http://api.test/payouts";
    let send = |scheme: &str, proof: Option<String>| {
        let mut h = HeaderMap::new();
        h.insert(
            "authorization",
            format!("{scheme} {token}").parse().unwrap(),
        );
        h.insert("host", "api.test".parse().unwrap());
        if let Some(p) = proof {
            h.insert("dpop", p.parse().unwrap());
        }
        h
    };
    let dpop_error = |r: Result<(), Rejection>| match r {
        Err(Rejection::InvalidDpopProof(why)) => why,
        other => panic!("expected invalid_dpop_proof, got {other:?}"),
    };
    let good = key.proof("POST", htu, now(), &token, "p1");
    assert!(
        check(&guard, &send("DPoP", Some(good.clone())), &Rule::any())
            .await
            .is_ok()
    );
    assert_eq!(
        dpop_error(check(&guard, &send("DPoP", Some(good)), &Rule::any()).await),
        "the proof was already used"
    );
    assert_eq!(
        dpop_error(
            check(
                &guard,
                &send("Bearer", Some(key.proof("POST", htu, now(), &token, "p2"))),
                &Rule::any()
            )
            .await
        ),
        "a DPoP-bound token must be sent with the DPoP scheme"
    );
    for (proof, why) in [
        (None, "no DPoP header"),
        (
            Some(key.proof("GET", htu, now(), &token, "p3")),
            "htm does not match the request method",
        ),
        (
            Some(key.proof("POST", "http://api.test/other", now(), &token, "p4")),
            "htu does not match the request URL",
        ),
        (
            Some(key.proof("POST", htu, now() - 120, &token, "p5")),
            "iat is outside the acceptance window",
        ),
        (
            Some(key.proof("POST", htu, now(), "another-token", "p6")),
            "ath does not match the access token",
        ),
        (
            Some(DpopKey::new().proof("POST", htu, now(), &token, "p7")),
            "the proof's key is not the token's key",
        ),
    ] {
        assert_eq!(
            dpop_error(check(&guard, &send("DPoP", proof), &Rule::any()).await),
            why
        );
    }
    // Query strings do not count in htu; an unbound token may not use the DPoP scheme.
    assert!(
        check(
            &guard,
            &send(
                "DPoP",
                Some(key.proof("POST", "http://API.test/payouts", now(), &token, "p8"))
            ),
            &Rule::any()
        )
        .await
        .is_ok()
    );
    let plain = signer.sign_jwt("at+jwt", &claims(&p.issuer)).unwrap();
    let mut h = HeaderMap::new();
    h.insert("authorization", format!("DPoP {plain}").parse().unwrap());
    assert_eq!(
        invalid(check(&guard, &h, &Rule::any()).await),
        "the token is not DPoP-bound"
    );
}

#[tokio::test]
async fn discovery_must_name_the_configured_issuer() {
    let (signer, _) = Signer::generate(SignAlg::Es256).unwrap();
    let p = provider(&[&signer]).await;
    let err = Guard::discover(format!("{}/", p.issuer), AUD)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("instead of"), "{err}");
    assert!(Guard::discover("http://127.0.0.1:9", AUD).await.is_err());
}
