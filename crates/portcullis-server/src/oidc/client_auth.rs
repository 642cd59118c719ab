//! Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3.1,
//! OIDC Core §9): `client_secret_basic`, `client_secret_post`, and `none` for public clients.

use axum::http::{HeaderMap, header};
use base64::Engine;
use portcullis_core::crypto::secret::{SecretString, ct_eq};
use portcullis_core::crypto::token_digest;
use portcullis_core::model::Client;

use crate::error::{AppError, AppResult};
use crate::http::Params;
use crate::state::AppState;

/// Credentials as presented.
#[derive(Debug)]
struct Presented {
    client_id: String,
    secret: Option<SecretString>,
    basic: bool,
}

fn form_decode(value: &str) -> Option<String> {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
    form_urlencoded::parse(format!("v={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
}

fn presented(headers: &HeaderMap, params: &Params) -> AppResult<Presented> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        });
    match (basic, params.get("client_secret")) {
        (Some(_), Some(_)) => Err(AppError::invalid_request(
            "Use one client authentication method, not several.",
        )),
        (Some(b64), None) => {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| AppError::invalid_client(true))?;
            let raw = String::from_utf8(raw).map_err(|_| AppError::invalid_client(true))?;
            let (id, secret) = raw
                .split_once(':')
                .ok_or_else(|| AppError::invalid_client(true))?;
            let id = form_decode(id).ok_or_else(|| AppError::invalid_client(true))?;
            let secret = form_decode(secret).ok_or_else(|| AppError::invalid_client(true))?;
            if params.get("client_id").is_some_and(|form_id| form_id != id) {
                return Err(AppError::invalid_request(
                    "client_id does not match the credentials.",
                ));
            }
            Ok(Presented {
                client_id: id,
                secret: Some(SecretString::new(secret)),
                basic: true,
            })
        }
        (None, secret) => {
            let id = params
                .owned("client_id")
                .ok_or_else(|| AppError::invalid_client(false))?;
            Ok(Presented {
                client_id: id,
                secret: secret.map(SecretString::new),
                basic: false,
            })
        }
    }
}

/// Authenticates the client of a back-channel request.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
) -> AppResult<Client> {
    let p = presented(headers, params)?;
    let client = state.client(&p.client_id).await;
    // Compare against a dummy digest for unknown clients so timing does not reveal which exist.
    let expected = client
        .as_ref()
        .and_then(|c| c.secret_digest.clone())
        .unwrap_or_else(|| token_digest("unknown client"));
    match (client, p.secret) {
        (Some(c), Some(secret)) if !c.is_public() => {
            if ct_eq(
                token_digest(secret.expose()).as_bytes(),
                expected.as_bytes(),
            ) {
                Ok(c)
            } else {
                Err(AppError::invalid_client(p.basic))
            }
        }
        (Some(c), None) if c.is_public() => Ok(c),
        _ => Err(AppError::invalid_client(p.basic)),
    }
}
