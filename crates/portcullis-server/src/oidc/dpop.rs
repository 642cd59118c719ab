//! DPoP at the authorization server (RFC 9449). A token request with a `DPoP` proof gets an
//! access token bound to the proof's key (`cnf.jkt`, `token_type: DPoP`) and, for a public
//! client, refresh tokens that only that key can use. This server's own resources (UserInfo, the
//! management and MFA APIs) take a bound token only with the `DPoP` scheme and a proof for that
//! request and token, and refuse it as a bearer token (§7.2). A proof is good once across every
//! node (the store's shared hit counter) and, with `tokens.dpop_require_nonce`, must carry a
//! nonce this server issued (§8), which is stateless: a time step and its MAC.

use axum::http::HeaderMap;
use portcullis_core::crypto::{b64url, b64url_decode, hmac_sha256, secret::ct_eq, token_digest};
use portcullis_guard::Proof;
use portcullis_proto::claims::AccessTokenClaims;
use portcullis_proto::oauth::ErrorCode;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// How far a proof's `iat` may be from the server's clock, in seconds, either way.
pub const WINDOW: i64 = 60;

/// How long a nonce is good for: the step it was made in and the next.
const NONCE_STEP: i64 = 300;

/// The response header carrying a fresh nonce.
pub const NONCE_HEADER: &str = "dpop-nonce";

tokio::task_local! {
    /// The key the token endpoint's current request proved (its thumbprint), for the tokens it
    /// mints; absent outside a token request and for requests without a proof.
    static BOUND: Option<String>;
}

/// Runs a token request's work with `jkt` as the key its tokens are bound to.
pub async fn bound_to<F: std::future::Future>(jkt: Option<String>, work: F) -> F::Output {
    BOUND.scope(jkt, work).await
}

/// The key the current token request proved, if any.
pub fn bound_key() -> Option<String> {
    BOUND.try_with(Clone::clone).ok().flatten()
}

/// The algorithms a proof may be signed with, as discovery lists them.
pub fn algorithms() -> Vec<String> {
    portcullis_guard::Alg::all()
        .iter()
        .map(|a| a.as_str().to_string())
        .collect()
}

/// Where a proof is checked: the token endpoint answers errors with 400 (RFC 9449 §5), a
/// resource with 401 and a `DPoP` challenge (§7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The token endpoint.
    TokenEndpoint,
    /// One of this server's resources.
    Resource,
}

/// An `invalid_dpop_proof` error where `at` says.
pub fn invalid(at: At, description: impl Into<String>) -> AppError {
    let description = description.into();
    match at {
        At::TokenEndpoint => AppError::bad(ErrorCode::InvalidDpopProof, description),
        At::Resource => AppError::OAuth {
            status: axum::http::StatusCode::UNAUTHORIZED,
            code: ErrorCode::InvalidDpopProof,
            challenge: Some(format!(
                "DPoP algs=\"{}\", error=\"invalid_dpop_proof\", error_description=\"{description}\"",
                algorithms().join(" ")
            )),
            description,
        },
    }
}

/// A nonce for now: the time step and its MAC under a key derived from the master key, so any
/// node checks any node's nonce without storing it.
pub fn nonce(state: &AppState) -> String {
    let step = state.now().div_euclid(NONCE_STEP);
    nonce_for(state, step)
}

fn nonce_for(state: &AppState, step: i64) -> String {
    let key = state.master().derive("portcullis dpop nonce v1");
    let mac = hmac_sha256(&key, &step.to_be_bytes());
    let mut raw = step.to_be_bytes().to_vec();
    raw.extend_from_slice(&mac[..16]);
    b64url(&raw)
}

fn nonce_ok(state: &AppState, presented: &str) -> bool {
    let Some(raw) = b64url_decode(presented).ok().filter(|r| r.len() == 24) else {
        return false;
    };
    let mut step = [0u8; 8];
    step.copy_from_slice(&raw[..8]);
    let step = i64::from_be_bytes(step);
    let now = state.now().div_euclid(NONCE_STEP);
    (step == now || step == now - 1)
        && ct_eq(nonce_for(state, step).as_bytes(), presented.as_bytes())
}

/// The request's DPoP proof for `method` `url`, checked: one `DPoP` header at most, a valid
/// proof (signature, public key, `htm`, `htu`, `iat`), `ath` matching `token` when a token is
/// presented with it, the server's nonce when required, and never used before on any node.
/// `None` when the request carries no proof.
pub async fn proof(
    state: &AppState,
    headers: &HeaderMap,
    method: &str,
    url: &str,
    token: Option<&str>,
    at: At,
) -> AppResult<Option<Proof>> {
    let mut values = headers.get_all("dpop").iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(invalid(at, "Send one DPoP header."));
    }
    let text = value
        .to_str()
        .map_err(|_| invalid(at, "The DPoP header is not a JWT."))?;
    let now = state.now();
    let proof = portcullis_guard::verify_proof(text, method, url, now, WINDOW).map_err(|e| {
        invalid(
            at,
            match e {
                portcullis_guard::Rejection::InvalidDpopProof(why) => {
                    format!("The DPoP proof is invalid: {why}.")
                }
                _ => "The DPoP proof is invalid.".to_string(),
            },
        )
    })?;
    if let Some(token) = token
        && proof.ath.as_deref() != Some(portcullis_guard::token_hash(token).as_str())
    {
        return Err(invalid(
            at,
            "The DPoP proof's ath is not the access token's hash.",
        ));
    }
    let nonce_needed = state.settings().tokens.dpop_require_nonce;
    match proof.nonce.as_deref() {
        Some(n) if nonce_ok(state, n) => {}
        None if !nonce_needed => {}
        _ => {
            return Err(AppError::DpopNonce {
                nonce: nonce(state),
                resource: at == At::Resource,
            });
        }
    }
    // Good once: the first use of (key, jti) counts 1, on whichever node sees it first.
    let key = format!(
        "dpop:{}",
        token_digest(&format!("{}|{}", proof.jkt, proof.jti))
    );
    let uses = state
        .store()
        .count_hit(&key, 0, proof.iat + WINDOW + 1)
        .await?;
    if uses != 1 {
        return Err(invalid(at, "The DPoP proof was already used."));
    }
    Ok(Some(proof))
}

/// The URL of this server's `path` as a proof's `htu` must name it.
pub fn url(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.issuer())
}

/// How a request presented an access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented {
    /// `Authorization: Bearer …` (or a form's `access_token`).
    Bearer(String),
    /// `Authorization: DPoP …`.
    Dpop(String),
}

impl Presented {
    /// The token itself.
    pub fn token(&self) -> &str {
        match self {
            Presented::Bearer(t) | Presented::Dpop(t) => t,
        }
    }
}

/// The `Authorization` header's token and scheme (`Bearer` or `DPoP`, any case).
pub fn authorization(headers: &HeaderMap) -> Option<Presented> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim().to_string();
    if token.is_empty() {
        return None;
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        Some(Presented::Bearer(token))
    } else if scheme.eq_ignore_ascii_case("dpop") {
        Some(Presented::Dpop(token))
    } else {
        None
    }
}

/// Checks that a verified access token was presented as its binding requires: a bound token
/// with the `DPoP` scheme and a proof for this request by its key; an unbound one as `Bearer`.
pub async fn check_presented(
    state: &AppState,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    presented: &Presented,
    claims: &AccessTokenClaims,
) -> AppResult<()> {
    super::mtls::check_presented(claims)?;
    match (
        claims.cnf.as_ref().and_then(|c| c.jkt.as_deref()),
        presented,
    ) {
        (Some(jkt), Presented::Dpop(token)) => {
            let url = url(state, path);
            let proof = proof(state, headers, method, &url, Some(token), At::Resource)
                .await?
                .ok_or_else(|| invalid(At::Resource, "A DPoP proof is required."))?;
            if !ct_eq(proof.jkt.as_bytes(), jkt.as_bytes()) {
                return Err(invalid(
                    At::Resource,
                    "The DPoP proof is not signed by the token's key.",
                ));
            }
            Ok(())
        }
        (Some(_), Presented::Bearer(_)) => Err(invalid(
            At::Resource,
            "This access token is DPoP-bound: send it with the DPoP scheme and a proof.",
        )),
        (None, Presented::Dpop(_)) => Err(AppError::invalid_token(
            "The access token is not DPoP-bound: send it with the Bearer scheme.",
        )),
        (None, Presented::Bearer(_)) => Ok(()),
    }
}
