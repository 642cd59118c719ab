//! Per-request cost of the guard next to the bare signature check it is built on.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis_core::crypto::jws::{Alg as SignAlg, Signer};
use portcullis_guard::jwk::{Jwk, VerifyingKey};
use portcullis_guard::{Alg, Guard, require_acr};

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (alg, name) in [
        (SignAlg::EdDsa, "EdDSA"),
        (SignAlg::Es256, "ES256"),
        (SignAlg::Rs256, "RS256"),
    ] {
        let (signer, _) = Signer::generate(alg).unwrap();
        let jwks = serde_json::json!({ "keys": [signer.jwk()] });
        let (issuer, token) = rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let body = jwks.to_string();
            tokio::spawn(async move {
                let app = axum::Router::new().route(
                    "/jwks",
                    axum::routing::get(move || async move { body.clone() }),
                );
                axum::serve(listener, app).await.unwrap();
            });
            let issuer = format!("http://127.0.0.1:{port}");
            let now = portcullis_core::clock::Clock::now(&portcullis_core::clock::SystemClock);
            let token = signer
                .sign_jwt(
                    "at+jwt",
                    &serde_json::json!({
                        "iss": issuer, "sub": "usr_1", "aud": "https://api.example.com",
                        "exp": now + 3600, "iat": now, "jti": "j1", "client_id": "c1",
                        "scope": "payouts:write", "acr": "aal2", "auth_time": now,
                    }),
                )
                .unwrap();
            (issuer, token)
        });
        let guard = rt
            .block_on(
                Guard::builder(issuer.clone(), "https://api.example.com")
                    .jwks_uri(format!("{issuer}/jwks"))
                    .build(),
            )
            .unwrap();
        let rule = require_acr("aal2").max_age(300);
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        let (method, uri) = (axum::http::Method::POST, "/payouts".parse().unwrap());
        c.bench_function(&format!("guard authorize {name}"), |b| {
            b.iter(|| {
                rt.block_on(guard.authorize(&method, &uri, &headers, &rule))
                    .unwrap()
            })
        });
        let jwk: Jwk = serde_json::from_value(serde_json::to_value(signer.jwk()).unwrap()).unwrap();
        let key = VerifyingKey::from_jwk(&jwk).unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sig).unwrap();
        let alg = Alg::parse(name).unwrap();
        c.bench_function(&format!("raw signature check {name}"), |b| {
            b.iter(|| assert!(key.verify(alg, input.as_bytes(), &sig)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
