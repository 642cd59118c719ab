//! The page where a person approves a device (RFC 8628 §3.3): they type the code the device
//! shows (or open the link that carries it, and still confirm it), and the request continues
//! as a sign-in through the gate, ending on a consent page that shows the code again.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::AppResult;
use crate::http::ClientMeta;
use crate::oidc::{authorize, device};
use crate::ratelimit::Class;
use crate::state::AppState;
use crate::ui::{self, PageCtx};

#[derive(Template)]
#[template(path = "device.html")]
struct DevicePage<'a> {
    csrf: String,
    nonce: String,
    user_code: &'a str,
    error: Option<String>,
}

/// Query of `GET /u/device` (`verification_uri_complete` carries the code).
#[derive(Debug, serde::Deserialize)]
pub struct DeviceQuery {
    user_code: Option<String>,
}

fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    user_code: &str,
    error: Option<String>,
) -> AppResult<Response> {
    let ctx = PageCtx::new(state, headers);
    let page = DevicePage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        user_code,
        error,
    };
    ctx.respond(status, &page, vec![])
}

/// `GET /u/device[?user_code=…]`: the code form. A code in the link is only filled in: the
/// person confirms it, so a link alone never starts a sign-in (RFC 8628 §5.4).
pub async fn device_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<DeviceQuery>,
) -> Response {
    let typed: String = q
        .user_code
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(12)
        .collect();
    page(&state, &headers, StatusCode::OK, &typed, None).unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/device`: spends the code (guesses are limited per address) and goes on as the
/// browser flow's `/authorize` would: sign-in or step-up as needed, then the consent page.
pub async fn device_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Factor, &meta).await?;
        let typed = form.get("user_code").unwrap_or_default();
        match device::claim(&state, typed).await? {
            Some(request) => authorize::proceed(&state, &meta, &headers, request).await,
            None => {
                tracing::info!("device approval with an unknown or spent user code");
                page(
                    &state,
                    &headers,
                    StatusCode::BAD_REQUEST,
                    "",
                    Some(crate::tr!("device-code-invalid")),
                )
            }
        }
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}
