//! The consent page (`/u/consent`): a signed-in user allows or denies a third-party
//! application the scopes it asked for. Allowing is remembered per user, application and
//! audience, and the request then goes back through the gate before a code is issued.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::model::Session;
use portcullis_core::oauth::split_scope;

use crate::error::{AppError, AppResult};
use crate::gate::Verdict;
use crate::http::ClientMeta;
use crate::oidc::authorize::{self, AuthorizeRequest};
use crate::oidc::consent;
use crate::state::AppState;
use crate::ui::flow::{self, Resume};
use crate::ui::{self, PageCtx};

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    csrf: String,
    nonce: String,
    state: &'a str,
    client_name: &'a str,
    client_logo: Option<String>,
    email: &'a str,
    /// The user code of a device asking, to compare with the device's screen.
    user_code: Option<&'a str>,
    /// The binding message of a backchannel (CIBA) request, to compare with the client's.
    binding: Option<&'a str>,
    /// A backchannel (CIBA) request: its own words, with or without a binding message.
    request_is_backchannel: bool,
    api: Option<ApiAsk>,
    scopes: Vec<String>,
}

/// "It asks to use **API** on your behalf, and to:", cut around the API's name so the page can
/// set it in bold while translators keep the whole sentence in one message.
struct ApiAsk {
    before: String,
    name: String,
    after: String,
}

impl ApiAsk {
    fn new(name: &str) -> ApiAsk {
        // A private-use character stands in for the name, then marks where to cut.
        const MARK: &str = "\u{E000}";
        let text = crate::tr!("consent-asks-api", api = MARK);
        match text.split_once(MARK) {
            Some((before, after)) => ApiAsk {
                before: before.to_string(),
                name: name.to_string(),
                after: after.to_string(),
            },
            None => ApiAsk {
                before: crate::tr!("consent-asks-api", api = name),
                name: String::new(),
                after: String::new(),
            },
        }
    }
}

/// Query of `GET /u/consent`.
#[derive(Debug, serde::Deserialize)]
pub struct ConsentQuery {
    state: Option<String>,
}

fn expired() -> AppError {
    AppError::page(StatusCode::BAD_REQUEST, crate::tr!("consent-expired"))
}

/// The pending request a consent form names, and the signed-in session answering it.
async fn pending(
    state: &AppState,
    headers: &HeaderMap,
    id: Option<&str>,
) -> AppResult<Result<(String, AuthorizeRequest, Session), Response>> {
    let id = id.filter(|i| !i.is_empty()).ok_or_else(expired)?;
    let request = flow::pending_request(state, id)
        .await?
        .ok_or_else(expired)?;
    match ui::current_session(state, headers).await? {
        Some(session) => Ok(Ok((id.to_string(), request, session))),
        // Signed out since: sign in again, and the request comes back here.
        None => Ok(Err(ui::see_other(&format!("/u/login?state={id}"), &[]))),
    }
}

/// `GET /u/consent?state=…`: what the application asks for, in words.
pub async fn consent_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ConsentQuery>,
) -> Response {
    let result = async {
        let (id, request, session) = match pending(&state, &headers, q.state.as_deref()).await? {
            Ok(p) => p,
            Err(redirect) => return Ok(redirect),
        };
        let client = state.client(&request.client_id).await.ok_or_else(expired)?;
        let user = state
            .store()
            .user_by_id(&session.user_id)
            .await?
            .ok_or_else(expired)?;
        let api_name = match request.audience.as_deref() {
            Some(aud) => state.api(aud).await.map(|a| a.name),
            None => None,
        };
        let scopes = split_scope(&request.scope)
            .iter()
            .map(|s| consent::describe(s, api_name.as_deref()))
            .collect();
        let ctx = PageCtx::new(&state, &headers);
        let page = ConsentPage {
            csrf: ctx.csrf.clone(),
            nonce: ctx.nonce.clone(),
            state: &id,
            client_name: &client.name,
            client_logo: ui::client_logo(&state, &request.client_id),
            email: &user.email,
            user_code: request.user_code.as_deref(),
            binding: request.binding_message.as_deref(),
            request_is_backchannel: request.device.is_some() && request.user_code.is_none(),
            api: api_name.as_deref().map(ApiAsk::new),
            scopes,
        };
        ctx.respond(StatusCode::OK, &page, vec![])
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/consent`: `decision=allow` records the consent and finishes the request through
/// the gate; `deny` sends the application `access_denied`.
pub async fn consent_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = ui::posted(&state, &headers, &body)?;
        let (id, request, session) = match pending(&state, &headers, form.get("state")).await? {
            Ok(p) => p,
            Err(redirect) => return Ok(redirect),
        };
        let allow = match form.get("decision") {
            Some("allow") => true,
            Some("deny") => false,
            _ => {
                return Err(AppError::page(
                    StatusCode::BAD_REQUEST,
                    crate::tr!("consent-choose"),
                ));
            }
        };
        // Spent once: of two racing answers, one decides.
        if state
            .store()
            .take_pending(&id, state.now())
            .await?
            .is_none()
        {
            return Err(expired());
        }
        let details = serde_json::json!({
            "audience": request.audience,
            "scope": request.scope,
        });
        if !allow {
            state
                .audit(
                    "consent.denied",
                    &meta,
                    Some(&session.user_id),
                    Some(&request.client_id),
                    details,
                )
                .await;
            return authorize::denied(&state, &request).await;
        }
        consent::record(&state, &session.user_id, &request).await?;
        // `prompt=consent` is answered now.
        let mut request = request;
        request.prompt.retain(|p| p != "consent");
        state
            .audit(
                "consent.granted",
                &meta,
                Some(&session.user_id),
                Some(&request.client_id),
                details,
            )
            .await;
        let policy = state
            .policy(Some(&request.client_id), request.audience.as_deref())
            .await;
        let (required, _) = request.demands(&policy);
        match crate::gate::judge(
            &state,
            &meta,
            session.clone(),
            Some(request.clone()),
            &policy,
            None,
        )
        .await?
        {
            Verdict::Cleared(cleared) => authorize::complete(&state, &cleared).await,
            Verdict::Short(ask) => {
                let pending = authorize::pend(&state, &request).await?;
                flow::step_up(
                    &state,
                    &session,
                    Resume::Authorize(pending),
                    required,
                    Some(policy),
                    ask,
                )
                .await
            }
            Verdict::Denied(reason) => authorize::action_denied(&state, &request, &reason).await,
            Verdict::Refused => Err(AppError::page(
                StatusCode::FORBIDDEN,
                crate::tr!("signin-refused"),
            )),
        }
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}
