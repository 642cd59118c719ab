//! The baseline: a bare axum endpoint that checks HTTP Basic credentials and signs one JWT per
//! request with the algorithm of the scenario it is compared with (the same signing code as the
//! server). Nothing a token endpoint does can be cheaper, so it is the limit for this design.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_core::crypto::jws::{Alg, Signer};
use subtle::ConstantTimeEq;

/// The bare server's credentials.
pub const CLIENT_ID: &str = "bare";
/// The bare server's client secret.
pub const CLIENT_SECRET: &str = "bare-secret-with-enough-entropy-0123456789";

struct Bare {
    key: Signer,
    digest: [u8; 32],
    counter: std::sync::atomic::AtomicU64,
}

fn sha256(data: &[u8]) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

async fn token(State(bare): State<Arc<Bare>>, headers: HeaderMap) -> Response {
    let creds = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    let ok = creds
        .as_deref()
        .and_then(|c| c.split_once(':'))
        .is_some_and(|(id, secret)| {
            id == CLIENT_ID && bool::from(sha256(secret.as_bytes()).ct_eq(&bare.digest))
        });
    if !ok {
        return (StatusCode::UNAUTHORIZED, "{\"error\":\"invalid_client\"}").into_response();
    }
    let n = bare
        .counter
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let claims = serde_json::json!({
        "iss": "http://localhost", "sub": CLIENT_ID, "aud": "https://bench.api",
        "iat": 1_700_000_000, "exp": 1_700_003_600, "jti": format!("j{n}"), "scope": "read",
    });
    let Ok(jwt) = bare.key.sign_jwt("at+jwt", &claims) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    axum::Json(serde_json::json!({"access_token": jwt, "token_type": "Bearer", "expires_in": 3600}))
        .into_response()
}

/// Serves the baseline, signing with `alg`, until killed.
pub async fn serve(listen: &str, alg: &str) -> anyhow::Result<()> {
    let alg = Alg::parse(alg).ok_or_else(|| anyhow::anyhow!("unknown alg {alg}"))?;
    let (key, _) = Signer::generate(alg)?;
    let bare = Arc::new(Bare {
        key,
        digest: sha256(CLIENT_SECRET.as_bytes()),
        counter: Default::default(),
    });
    let app = axum::Router::new()
        .route("/token", axum::routing::post(token))
        .with_state(bare);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
