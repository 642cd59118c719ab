//! Enrolment tickets (`POST /api/v2/guardian/enrollments/ticket`): a link an admin hands a
//! user so they can add a second factor without signing in first. Opening the link shows a
//! button (mail scanners spend nothing); pressing it spends the ticket once and runs the usual
//! enrolment pages. Finishing enrols the factor and signs nobody in: the ticket proves only
//! that the admin chose this person, not who is at the keyboard.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::crypto::{random, token_digest};
use portcullis_core::model::Flow;

use crate::error::AppResult;
use crate::http::ClientMeta;
use crate::ratelimit::Class;
use crate::state::AppState;
use crate::ui::flow::{self, Resume, Tx};
use crate::ui::{self, PageCtx};

const KIND: &str = "enroll_ticket";

/// The longest a ticket may live: 30 days, as Auth0's.
pub const MAX_TTL: i64 = 30 * 86_400;

/// A created ticket: its public id and the link for the user (which holds the secret).
#[derive(Debug)]
pub struct Ticket {
    /// Id for logs and support (`tkt_…`); not enough to use the ticket.
    pub id: String,
    /// The link; only its digest is stored.
    pub url: String,
}

/// Stores a single-use enrolment ticket for `user_id`, valid `ttl` seconds.
pub async fn create(state: &AppState, user_id: &str, ttl: i64) -> AppResult<Ticket> {
    let token = random::token();
    let id = random::id("tkt");
    state
        .store()
        .put_flow(&Flow {
            id: token_digest(&token),
            kind: KIND.into(),
            user_id: Some(user_id.into()),
            data: serde_json::json!({ "ticket_id": id }),
            expires_at: state.now() + ttl,
        })
        .await?;
    Ok(Ticket {
        id,
        url: format!("{}/u/ticket?t={token}", state.issuer()),
    })
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    csrf: String,
    nonce: String,
    token: String,
    email: String,
}

/// Query of `GET /u/ticket`.
#[derive(Debug, serde::Deserialize)]
pub struct TicketQuery {
    t: Option<String>,
}

fn invalid() -> Response {
    ui::message(
        StatusCode::GONE,
        &crate::tr!("ticket-expired-heading"),
        &crate::tr!("ticket-expired-text"),
    )
}

/// `GET /u/ticket?t=…`: shows whose account it is and a button; spends nothing.
pub async fn ticket_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<TicketQuery>,
) -> Response {
    let result: AppResult<Response> = async {
        let token = q.t.unwrap_or_default();
        let flow = state
            .store()
            .flow(&token_digest(&token), state.now())
            .await?
            .filter(|f| f.kind == KIND);
        let Some(user_id) = flow.and_then(|f| f.user_id) else {
            return Ok(invalid());
        };
        let Some(user) = state.store().user_by_id(&user_id).await? else {
            return Ok(invalid());
        };
        let ctx = PageCtx::new(&state, &headers);
        let page = TicketPage {
            csrf: ctx.csrf.clone(),
            nonce: ctx.nonce.clone(),
            token,
            email: user.email,
        };
        ctx.respond(StatusCode::OK, &page, vec![])
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/ticket`: spends the ticket (at most once) and opens the enrolment pages for its
/// user.
pub async fn ticket_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result: AppResult<Response> = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Enroll, &meta).await?;
        let token = form.get("t").unwrap_or_default();
        let taken = state
            .store()
            .take_flow(&token_digest(token), state.now())
            .await?;
        let Some(flow) = taken.filter(|f| f.kind == KIND) else {
            return Ok(invalid());
        };
        let Some(user) = (match &flow.user_id {
            Some(id) => state.store().user_by_id(id).await?,
            None => None,
        })
        .filter(|u| !u.blocked) else {
            return Ok(invalid());
        };
        state
            .audit(
                "ticket.used",
                &meta,
                Some(&user.id),
                None,
                serde_json::json!({ "ticket_id": flow.data["ticket_id"] }),
            )
            .await;
        let tx = Tx {
            user_id: user.id,
            proofs: vec![],
            resume: Resume::Ticket,
            session_id: None,
            enroll: true,
            remember_allowed: false,
            code_id: None,
            required: None,
            policy: None,
            floor: None,
            ask: None,
        };
        let cookie = flow::start(&state, &tx).await?;
        Ok(ui::see_other("/u/enroll", &[cookie]))
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// The page a ticket's enrolment ends on.
pub fn done(cookies: &[String]) -> Response {
    let mut resp = ui::message(
        StatusCode::OK,
        &crate::tr!("ticket-done-heading"),
        &crate::tr!("ticket-done-text"),
    );
    for c in cookies {
        if let Ok(v) = axum::http::HeaderValue::from_str(c) {
            resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
    }
    resp
}
