//! Client-Initiated Backchannel Authentication (OpenID Connect CIBA Core 1.0), poll and ping
//! modes: a confidential client names a user (`login_hint` or `id_token_hint`) at
//! `/bc-authorize`; the user gets an email with a link; the link's page sends them through the
//! same gate as every sign-in, where a fresh sign-in at `aal2` at least (a passkey, or a
//! password and a second factor) is demanded, then a consent page repeating the client's
//! `binding_message`. The client polls the token endpoint with its `auth_req_id`, or is pinged.
//!
//! A request is a device authorization (see [`super::device`]) that only one user may approve
//! and that only the CIBA grant redeems; its tokens carry what the approval proved.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::crypto::{random, token_digest};
use portcullis_core::factor::FactorKind;
use portcullis_core::model::{Client, Flow, User};
use portcullis_core::oauth::split_scope;
use portcullis_proto::acr::Acr;
use portcullis_proto::oauth::ErrorCode;

use super::authorize::{self, AuthorizeRequest};
use super::device::{self, Backchannel, Device, Ping};
use super::{client_auth, mint};
use crate::error::{AppError, AppResult};
use crate::http::{ClientMeta, Params};
use crate::state::AppState;

/// The grant type a client polls with (CIBA Core §10.1).
pub const GRANT: &str = "urn:openid:params:grant-type:ciba";

/// The client setting that holds a ping-mode client's notification endpoint.
pub const PING_SETTING: &str = "backchannel_client_notification_endpoint";

/// The hosted page the emailed link opens.
pub const PAGE: &str = "/u/ciba";

/// How long a request waits when the client does not say (`requested_expiry`), and the most.
const DEFAULT_EXPIRY: i64 = 300;
const MAX_EXPIRY: i64 = 600;

/// The longest `binding_message`: short enough to read at a glance on both screens.
const BINDING_MAX: usize = 64;

/// Requests a client may make for one user per minute: the emails are the user's inbox.
const PER_USER_PER_MINUTE: i64 = 5;

const LINK_KIND: &str = "ciba_link";

/// `POST /bc-authorize` (CIBA Core §7).
pub async fn bc_authorize(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match start(&state, &meta, &headers, &body).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

/// The user a request names by exactly one hint; `unknown_user_id` otherwise.
async fn hinted_user(state: &AppState, params: &Params) -> AppResult<User> {
    let unknown = || {
        AppError::bad(
            ErrorCode::UnknownUserId,
            "No user of this provider matches the hint.",
        )
    };
    let user = match (params.get("login_hint"), params.get("id_token_hint")) {
        (Some(hint), None) => match state.store().user_by_email(hint.trim()).await? {
            Some(u) => Some(u),
            None => state.store().user_by_id(hint.trim()).await?,
        },
        (None, Some(hint)) => match mint::verify_id_token_hint(state, hint).await {
            Some(claims) => match claims["sub"].as_str() {
                Some(sub) => state.store().user_by_id(sub).await?,
                None => None,
            },
            None => return Err(unknown()),
        },
        _ => {
            return Err(AppError::invalid_request(
                "Name the user with exactly one of login_hint and id_token_hint.",
            ));
        }
    };
    user.filter(|u| !u.blocked).ok_or_else(unknown)
}

async fn start(
    state: &AppState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<Response> {
    let mut params = super::token::form(headers, body)?;
    let client = client_auth::authenticate(state, headers, &params).await?;
    if client.is_public() || !client.allows_grant(GRANT) {
        return Err(AppError::bad(
            ErrorCode::UnauthorizedClient,
            "The client may not use backchannel authentication (a confidential client registered for the CIBA grant).",
        ));
    }
    for unsupported in ["user_code", "login_hint_token", "request"] {
        if params.get(unsupported).is_some() {
            return Err(AppError::invalid_request(format!(
                "{unsupported} is not supported by this provider."
            )));
        }
    }
    if !split_scope(params.get("scope").unwrap_or_default()).contains(&"openid".to_string()) {
        return Err(AppError::invalid_request("scope must include openid."));
    }
    let binding = params.owned("binding_message");
    // No addresses: the message sits beside the real approval link in the email, where a
    // client's own link would be a phishing lure.
    if binding.as_deref().is_some_and(|b| {
        b.is_empty()
            || b.chars().count() > BINDING_MAX
            || b.chars().any(|c| c.is_control())
            || b.contains("://")
            || b.to_ascii_lowercase().contains("www.")
    }) {
        return Err(AppError::bad(
            ErrorCode::InvalidBindingMessage,
            format!(
                "binding_message must be 1 to {BINDING_MAX} characters of plain text, without web addresses."
            ),
        ));
    }
    let expiry = match params.get("requested_expiry") {
        None => DEFAULT_EXPIRY,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n > 0 => n.min(MAX_EXPIRY),
            _ => {
                return Err(AppError::invalid_request(
                    "requested_expiry must be a positive number of seconds.",
                ));
            }
        },
    };
    let endpoint = state.snapshot().client_pings.get(&client.id).cloned();
    let notification = params.owned("client_notification_token");
    match (&endpoint, &notification) {
        (Some(_), None) => {
            return Err(AppError::invalid_request(
                "This client is pinged: client_notification_token is required.",
            ));
        }
        (Some(_), Some(t)) if t.is_empty() || t.len() > 1024 => {
            return Err(AppError::invalid_request(
                "client_notification_token must be 1 to 1024 characters.",
            ));
        }
        (None, Some(_)) => {
            return Err(AppError::invalid_request(
                "This client polls: client_notification_token is for ping mode.",
            ));
        }
        _ => {}
    }
    let user = hinted_user(state, &params).await?;
    // Approving takes a passkey or an authenticator app. Someone with neither but another
    // factor could only be stuck on the way; someone with no factor enrols one on the way.
    let factors = crate::ui::active_factors(state, &user.id).await?;
    if !factors.is_empty()
        && !factors
            .iter()
            .any(|f| matches!(f.kind, FactorKind::Webauthn | FactorKind::Totp))
    {
        return Err(AppError::bad(
            ErrorCode::AccessDenied,
            "The user has no passkey or authenticator app to approve with.",
        ));
    }
    for taken in [
        "id_token_hint",
        "binding_message",
        "client_notification_token",
        "requested_expiry",
    ] {
        params.remove(taken);
    }
    let auth_req_id = random::token();
    let id = token_digest(&auth_req_id);
    let mut request = authorize::device_request(state, &params, &client, &id, "")
        .await
        .map_err(|(code, description)| AppError::bad(code, description))?;
    approval_demands(&mut request, &user, binding.clone());
    // Counted once the request is good: what it costs is an email in the user's inbox.
    let now = state.now();
    let start = now - now.rem_euclid(60);
    let key = format!("ciba:{}:{}", client.id, user.id);
    if state.store().count_hit(&key, start, start + 60).await? > PER_USER_PER_MINUTE {
        return Err(AppError::TooMany {
            code: ErrorCode::TooManyRequests,
            seconds: start + 60 - now,
        });
    }
    let mode = if endpoint.is_some() { "ping" } else { "poll" };
    let backchannel = Backchannel {
        user_id: user.id.clone(),
        ping: endpoint.map(|endpoint| Ping {
            endpoint,
            token: notification.unwrap_or_default(),
            auth_req_id: auth_req_id.clone(),
        }),
    };
    Device::new(&client, request, now + expiry, Some(backchannel))
        .store(state, &id)
        .await?;
    let link = random::token();
    state
        .store()
        .put_flow(&Flow {
            id: token_digest(&link),
            kind: LINK_KIND.into(),
            user_id: Some(user.id.clone()),
            data: serde_json::json!({ "device": id }),
            expires_at: now + expiry,
        })
        .await?;
    email(state, &user, &client, binding.as_deref(), &link, expiry).await;
    state
        .audit(
            "ciba.requested",
            meta,
            Some(&user.id),
            Some(&client.id),
            serde_json::json!({ "mode": mode }),
        )
        .await;
    let body = serde_json::json!({
        "auth_req_id": auth_req_id,
        "expires_in": expiry,
        "interval": device::INTERVAL,
    });
    let mut resp = (StatusCode::OK, axum::Json(body)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// What approving demands: only `user`, at `aal2` at least, with a passkey or TOTP proved for
/// this request, then confirming on the consent page that shows the binding message.
fn approval_demands(request: &mut AuthorizeRequest, user: &User, binding: Option<String>) {
    request.user_code = None;
    request.binding_message = binding;
    request.hint_sub = Some(user.id.clone());
    request.login_hint = Some(user.email.clone());
    request.fresh_factor = true;
    if request.required_acr().is_none_or(|a| a < Acr::Aal2) {
        request.acr_values = Some(Acr::Aal2.as_str().into());
    }
}

/// Emails `user` the approval link, in their language, after the answer.
async fn email(
    state: &AppState,
    user: &User,
    client: &Client,
    binding: Option<&str>,
    link: &str,
    expiry: i64,
) {
    let link = format!("{}{PAGE}?t={link}", state.issuer());
    let name = client.name.clone();
    let message = crate::i18n::for_user(state, &user.id).await.run(|| {
        let valid = crate::i18n::duration(expiry);
        let text = match binding {
            Some(b) => crate::tr!(
                "email-ciba-binding",
                client = name.as_str(),
                binding = b,
                link = link.as_str(),
                valid = valid.as_str()
            ),
            None => crate::tr!(
                "email-ciba",
                client = name.as_str(),
                link = link.as_str(),
                valid = valid.as_str()
            ),
        };
        crate::ui::email(
            user.email.clone(),
            &crate::tr!("email-ciba-subject", client = name.as_str()),
            &text,
        )
    });
    crate::ui::send_later(state, message);
}

/// The request a link opens, and its client's name, if it still waits: with `spend`, the
/// link is spent (of two answers one counts); without, nothing is (mail scanners open links
/// too).
pub async fn opened(
    state: &AppState,
    link: &str,
    spend: bool,
) -> AppResult<Option<(AuthorizeRequest, String)>> {
    let id = token_digest(link);
    let now = state.now();
    let flow = if spend {
        state.store().take_flow(&id, now).await?
    } else {
        state.store().flow(&id, now).await?
    };
    match flow.filter(|f| f.kind == LINK_KIND) {
        Some(flow) => waiting(state, &flow).await,
        None => Ok(None),
    }
}

async fn waiting(state: &AppState, link: &Flow) -> AppResult<Option<(AuthorizeRequest, String)>> {
    let Some(id) = link.data["device"].as_str() else {
        return Ok(None);
    };
    let Some(pending) = device::pending_by_id(state, id).await? else {
        return Ok(None);
    };
    let request = pending.request().clone();
    let client = state
        .client(&request.client_id)
        .await
        .map(|c| c.name)
        .unwrap_or_default();
    Ok(Some((request, client)))
}
