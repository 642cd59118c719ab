//! The page a CIBA approval email links to (`/u/ciba?t=…`): it names the application and its
//! binding message, and asks. Opening it spends nothing (mail scanners open links); the answer
//! spends the link once, then "continue" goes through the gate as every sign-in does (a fresh
//! sign-in at `aal2` at least, then the consent page), and "deny" tells the client no.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_proto::oauth::ErrorCode;

use crate::error::AppError;
use crate::http::ClientMeta;
use crate::oidc::{authorize, ciba, device};
use crate::state::AppState;
use crate::ui::{self, PageCtx};

#[derive(Template)]
#[template(path = "ciba.html")]
struct CibaPage<'a> {
    csrf: String,
    nonce: String,
    link: &'a str,
    client_name: &'a str,
    binding: Option<&'a str>,
}

/// Query of `GET /u/ciba`.
#[derive(Debug, serde::Deserialize)]
pub struct CibaQuery {
    t: Option<String>,
}

fn gone() -> AppError {
    AppError::page(StatusCode::BAD_REQUEST, crate::tr!("ciba-invalid"))
}

/// `GET /u/ciba?t=…`: what the application asks, and the two answers.
pub async fn ciba_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CibaQuery>,
) -> Response {
    let result = async {
        let link = q.t.unwrap_or_default();
        let (request, client_name) = ciba::opened(&state, &link, false).await?.ok_or_else(gone)?;
        let ctx = PageCtx::new(&state, &headers);
        let page = CibaPage {
            csrf: ctx.csrf.clone(),
            nonce: ctx.nonce.clone(),
            link: &link,
            client_name: &client_name,
            binding: request.binding_message.as_deref(),
        };
        ctx.respond(StatusCode::OK, &page, vec![])
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/ciba`: spends the link; `continue` signs in and confirms, `deny` refuses.
pub async fn ciba_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = ui::posted(&state, &headers, &body)?;
        let decision = form.get("decision").unwrap_or_default();
        if decision != "continue" && decision != "deny" {
            return Err(AppError::page(
                StatusCode::BAD_REQUEST,
                crate::tr!("consent-choose"),
            ));
        }
        let (request, _) = ciba::opened(&state, form.get("t").unwrap_or_default(), true)
            .await?
            .ok_or_else(gone)?;
        if decision == "deny" {
            return device::refuse(
                &state,
                &request,
                ErrorCode::AccessDenied,
                "The user denied the request.",
            )
            .await;
        }
        authorize::proceed(&state, &meta, &headers, request).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}
