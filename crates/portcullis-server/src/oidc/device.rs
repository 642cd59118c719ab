//! The device authorization grant (RFC 8628): a device without a browser (a TV, a CLI) asks
//! `/oauth/device/code` for a device code and a short user code, shows the user code, and polls
//! the token endpoint while the user signs in on another screen at `/u/device`.
//!
//! The hosted page turns the user code into an ordinary authorization request that carries the
//! device's flow id instead of a redirect URI, and hands it to [`authorize::proceed`]: the same
//! session check, gate, step-up and consent as the browser flow, so `acr_values`, `max_age` and
//! the policies hold here too. Where the browser flow would issue a code, [`approve`] records
//! the grant for the device; the first poll after that takes it, once.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::crypto::{random, token_digest};
use portcullis_core::model::{Client, Flow, GrantContext};
use portcullis_proto::oauth::{ErrorCode, TokenResponse};
use serde::{Deserialize, Serialize};

use super::authorize::{self, AuthorizeRequest};
use super::{client_auth, mfa_grant};
use crate::error::{AppError, AppResult};
use crate::gate::Cleared;
use crate::http::{ClientMeta, Params};
use crate::state::AppState;

/// The grant type a device polls with (RFC 8628 §3.4).
pub const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// How long a device code and its user code live, in seconds.
pub const TTL: i64 = 600;

/// The least number of seconds between polls (RFC 8628 §3.2 `interval`).
pub const INTERVAL: i64 = 5;

/// The hosted page where the user types the code.
pub const PAGE: &str = "/u/device";

const KIND: &str = "device";
const USER_KIND: &str = "device_user";

/// How long an expired device code is still known, so its device hears `expired_token`
/// rather than `invalid_grant`.
const AFTERLIFE: i64 = 600;

/// Consonants only: no vowels to spell words, none of the letters people confuse (RFC 8628
/// §6.1). Eight of them are about 34 bits, against guesses limited per address.
const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LEN: usize = 8;

/// Where a device authorization stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Status {
    /// Waiting for the user.
    Pending,
    /// Approved: the next poll takes the grant.
    Approved,
    /// Refused by the user, the policy or an Action: the error for the device.
    Denied,
    /// Its tokens were issued.
    Redeemed,
}

/// A device authorization, stored as flow state under the digest of its device code (or of a
/// CIBA `auth_req_id`: the same record, answered on another page).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Device {
    client_id: String,
    status: Status,
    /// When the codes stop working (the flow itself is kept [`AFTERLIFE`] longer).
    expires: i64,
    request: AuthorizeRequest,
    #[serde(default)]
    grant: Option<GrantContext>,
    /// The error and description a refused authorization answers with.
    #[serde(default)]
    error: Option<(String, String)>,
    /// For a backchannel (CIBA) request: who must approve it, and how the client hears.
    #[serde(default)]
    backchannel: Option<Backchannel>,
}

/// What a CIBA request adds to a device authorization.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Backchannel {
    /// The only user who may approve it (from `login_hint` or `id_token_hint`).
    pub user_id: String,
    /// Ping mode: where, with what bearer token, and the `auth_req_id` to name. The id is kept
    /// because the ping must carry it; it is useless without the client's own credentials.
    pub ping: Option<Ping>,
}

/// A CIBA ping (CIBA Core §10.2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Ping {
    pub endpoint: String,
    pub token: String,
    pub auth_req_id: String,
}

impl Device {
    /// A new pending authorization for `request`, by `client`, until `expires`.
    pub(super) fn new(
        client: &Client,
        request: AuthorizeRequest,
        expires: i64,
        backchannel: Option<Backchannel>,
    ) -> Device {
        Device {
            client_id: client.id.clone(),
            status: Status::Pending,
            expires,
            request,
            grant: None,
            error: None,
            backchannel,
        }
    }

    /// The authorization request its approval answers.
    pub(super) fn request(&self) -> &AuthorizeRequest {
        &self.request
    }

    /// Stores it under `id`, known [`AFTERLIFE`] past its expiry.
    pub(super) async fn store(&self, state: &AppState, id: &str) -> AppResult<()> {
        state
            .store()
            .put_flow(&Flow {
                id: id.to_string(),
                kind: KIND.into(),
                user_id: None,
                data: to_value(self)?,
                expires_at: self.expires + AFTERLIFE,
            })
            .await?;
        Ok(())
    }
}

/// `POST /oauth/device/code` (RFC 8628 §3.1).
pub async fn device_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match start(&state, &headers, &body).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

async fn start(state: &AppState, headers: &HeaderMap, body: &[u8]) -> AppResult<Response> {
    let params = super::token::form(headers, body)?;
    let client = client_auth::authenticate(state, headers, &params).await?;
    if !client.allows_grant(GRANT) {
        return Err(AppError::bad(
            ErrorCode::UnauthorizedClient,
            "The client may not use the device authorization grant.",
        ));
    }
    let device_code = random::token();
    let id = token_digest(&device_code);
    let now = state.now();
    let mut user_code = new_user_code();
    // A live code is never handed out twice; with 20^8 codes a clash is rare, three unheard of.
    for _ in 0..3 {
        if state
            .store()
            .flow(&user_key(&user_code), now)
            .await?
            .is_none()
        {
            break;
        }
        user_code = new_user_code();
    }
    let shown = display(&user_code);
    let request = authorize::device_request(state, &params, &client, &id, &shown)
        .await
        .map_err(|(code, description)| AppError::bad(code, description))?;
    Device::new(&client, request, now + TTL, None)
        .store(state, &id)
        .await?;
    state
        .store()
        .put_flow(&Flow {
            id: user_key(&user_code),
            kind: USER_KIND.into(),
            user_id: None,
            data: serde_json::json!({ "device": id }),
            expires_at: now + TTL,
        })
        .await?;
    let page = format!("{}{PAGE}", state.issuer());
    let body = serde_json::json!({
        "device_code": device_code,
        "user_code": shown,
        "verification_uri": page,
        "verification_uri_complete": format!("{page}?user_code={shown}"),
        "expires_in": TTL,
        "interval": INTERVAL,
    });
    let mut resp = (StatusCode::OK, axum::Json(body)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

fn new_user_code() -> String {
    let mut code = String::with_capacity(USER_CODE_LEN);
    while code.len() < USER_CODE_LEN {
        for b in random::bytes::<16>() {
            // Below 240 every letter is equally likely (240 = 12 × 20).
            if b < 240 && code.len() < USER_CODE_LEN {
                code.push(char::from(ALPHABET[usize::from(b % 20)]));
            }
        }
    }
    code
}

/// `BCDF-GHJK`: the code as shown and typed.
fn display(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a}-{b}")
}

/// A typed user code as stored: upper case, without the dash or spaces people add or drop.
pub fn normalize(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == USER_CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

fn user_key(code: &str) -> String {
    token_digest(&format!("user_code:{code}"))
}

fn to_value(device: &Device) -> AppResult<serde_json::Value> {
    serde_json::to_value(device).map_err(|e| AppError::Internal(e.to_string()))
}

fn parse(flow: &Flow) -> AppResult<Device> {
    serde_json::from_value(flow.data.clone()).map_err(|e| AppError::Internal(e.to_string()))
}

/// The pending authorization request a typed user code stands for, the code spent: of two
/// people typing the same code, one goes on. `None` for a code that is wrong, used or expired.
pub async fn claim(state: &AppState, typed: &str) -> AppResult<Option<AuthorizeRequest>> {
    let Some(code) = normalize(typed) else {
        return Ok(None);
    };
    let now = state.now();
    let Some(entry) = state
        .store()
        .take_flow(&user_key(&code), now)
        .await?
        .filter(|f| f.kind == USER_KIND)
    else {
        return Ok(None);
    };
    let Some(id) = entry.data["device"].as_str() else {
        return Ok(None);
    };
    Ok(pending_by_id(state, id).await?.map(|d| d.request))
}

/// The live, still pending device authorization `request` answers.
async fn pending(state: &AppState, request: &AuthorizeRequest) -> AppResult<Option<Device>> {
    match request.device.as_deref() {
        Some(id) => pending_by_id(state, id).await,
        None => Ok(None),
    }
}

/// The device authorization stored under `id`, if it is live and still waits for an answer.
pub(super) async fn pending_by_id(state: &AppState, id: &str) -> AppResult<Option<Device>> {
    let now = state.now();
    let Some(flow) = state
        .store()
        .flow(id, now)
        .await?
        .filter(|f| f.kind == KIND)
    else {
        return Ok(None);
    };
    let device = parse(&flow)?;
    Ok((device.status == Status::Pending && now < device.expires).then_some(device))
}

/// The page for an answer that came too late, or twice: in the words of the flow it was for.
fn gone(request: Option<&AuthorizeRequest>) -> AppError {
    let text = if request.is_some_and(|r| r.user_code.is_none()) {
        crate::tr!("ciba-invalid")
    } else {
        crate::tr!("device-code-invalid")
    };
    AppError::page(StatusCode::BAD_REQUEST, text)
}

/// Approves the device a sign-in the gate cleared (and the user confirmed) was for: the grant
/// waits for the device's next poll.
pub async fn approve(state: &AppState, cleared: &Cleared) -> AppResult<Response> {
    let Some(request) = cleared.request() else {
        return Err(gone(None));
    };
    let Some(mut device) = pending(state, request).await? else {
        return Err(gone(Some(request)));
    };
    let session = cleared.session();
    if let Some(b) = &device.backchannel
        && b.user_id != session.user_id
    {
        // Someone else signed in with the link: refused for the client, said to the person.
        refuse(
            state,
            request,
            ErrorCode::AccessDenied,
            "Another account answered the request.",
        )
        .await?;
        return Err(AppError::page(
            StatusCode::FORBIDDEN,
            crate::tr!("ciba-wrong-account"),
        ));
    }
    device.status = Status::Approved;
    device.grant = Some(authorize::grant_of(request, cleared));
    let id = request.device.as_deref().unwrap_or_default();
    if !state
        .store()
        .update_flow(id, &to_value(&device)?, state.now())
        .await?
    {
        return Err(gone(Some(request)));
    }
    state
        .store()
        .add_session_client(&session.id, &request.client_id)
        .await?;
    ping(state, &device);
    let client = state
        .client(&request.client_id)
        .await
        .map(|c| c.name)
        .unwrap_or_default();
    Ok(if device.backchannel.is_some() {
        crate::ui::message(
            StatusCode::OK,
            &crate::tr!("ciba-done-heading"),
            &crate::tr!("ciba-done", client = client),
        )
    } else {
        crate::ui::message(
            StatusCode::OK,
            &crate::tr!("device-done-heading"),
            &crate::tr!("device-done", client = client),
        )
    })
}

/// Tells a ping-mode client its request has an answer (CIBA Core §10.2), in the background:
/// the person's page does not wait for the client's server.
fn ping(state: &AppState, device: &Device) {
    let Some(p) = device.backchannel.as_ref().and_then(|b| b.ping.clone()) else {
        return;
    };
    let http = state.http().clone();
    tokio::spawn(async move {
        let sent = http
            .post(&p.endpoint)
            .bearer_auth(&p.token)
            .json(&serde_json::json!({ "auth_req_id": p.auth_req_id }))
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => tracing::warn!(status = %r.status(), "CIBA ping refused by the client"),
            Err(e) => tracing::warn!(error = %e, "CIBA ping not delivered"),
        }
    });
}

/// Refuses the device `request` was for (the user denied it, an Action or the policy did):
/// its next poll hears `code`, and the person a page saying so.
pub async fn refuse(
    state: &AppState,
    request: &AuthorizeRequest,
    code: ErrorCode,
    description: &str,
) -> AppResult<Response> {
    // A backchannel request carries no user code, which tells the two apart when the record
    // is no longer pending (expired or answered meanwhile).
    let mut backchannel = request.user_code.is_none();
    if let Some(mut device) = pending(state, request).await? {
        device.status = Status::Denied;
        device.error = Some((code.as_str().to_string(), description.to_string()));
        let id = request.device.as_deref().unwrap_or_default();
        state
            .store()
            .update_flow(id, &to_value(&device)?, state.now())
            .await?;
        ping(state, &device);
        backchannel = device.backchannel.is_some();
    }
    Ok(if backchannel {
        crate::ui::message(
            StatusCode::OK,
            &crate::tr!("ciba-denied-heading"),
            &crate::tr!("ciba-denied"),
        )
    } else {
        crate::ui::message(
            StatusCode::OK,
            &crate::tr!("device-denied-heading"),
            &crate::tr!("device-denied"),
        )
    })
}

/// The device code grant (RFC 8628 §3.4, §3.5), or with `backchannel` the CIBA grant (CIBA
/// Core §10.1, §11, by `auth_req_id`), at the token endpoint: `authorization_pending` until the
/// user answers, `slow_down` for a client polling faster than [`INTERVAL`], then the tokens
/// once. Neither grant redeems the other's.
pub async fn redeem(
    state: &AppState,
    meta: &ClientMeta,
    client: &Client,
    params: &Params,
    backchannel: bool,
) -> AppResult<TokenResponse> {
    let name = if backchannel {
        "auth_req_id"
    } else {
        "device_code"
    };
    let code = params
        .get(name)
        .ok_or_else(|| AppError::invalid_request(format!("{name} is required.")))?;
    let id = token_digest(code);
    let now = state.now();
    let invalid = || AppError::invalid_grant("The device code or auth_req_id is invalid.");
    let Some(flow) = state
        .store()
        .flow(&id, now)
        .await?
        .filter(|f| f.kind == KIND)
    else {
        return Err(invalid());
    };
    let device = parse(&flow)?;
    if device.backchannel.is_some() != backchannel {
        return Err(invalid());
    }
    if device.client_id != client.id {
        return Err(AppError::invalid_grant(
            "The device code was issued to another client.",
        ));
    }
    match device.status {
        Status::Redeemed => {
            return Err(AppError::invalid_grant(
                "The device code has already been used.",
            ));
        }
        Status::Denied => {
            let (code, description) = device.error.unwrap_or_default();
            let code = if code == ErrorCode::UnmetAuthenticationRequirements.as_str() {
                ErrorCode::UnmetAuthenticationRequirements
            } else {
                ErrorCode::AccessDenied
            };
            return Err(AppError::bad(code, description));
        }
        _ if now >= device.expires => {
            return Err(AppError::bad(
                ErrorCode::ExpiredToken,
                "The device code has expired; start again.",
            ));
        }
        Status::Pending => {
            // One poll per interval window, counted on every node (RFC 8628 §3.5).
            let start = now - now.rem_euclid(INTERVAL);
            let polls = state
                .store()
                .count_hit(&format!("device_poll:{id}"), start, start + INTERVAL)
                .await?;
            return Err(if polls > 1 {
                AppError::bad(
                    ErrorCode::SlowDown,
                    format!("Poll at most every {INTERVAL} seconds."),
                )
            } else {
                AppError::bad(
                    ErrorCode::AuthorizationPending,
                    "The user has not answered yet.",
                )
            });
        }
        Status::Approved => {}
    }
    // Of simultaneous polls after the approval, one takes the grant.
    let Some(taken) = state.store().take_flow(&id, now).await? else {
        return Err(AppError::invalid_grant(
            "The device code has already been used.",
        ));
    };
    let mut device = parse(&taken)?;
    let grant = match (device.status, device.grant.take()) {
        (Status::Approved, Some(grant)) => grant,
        _ => {
            state.store().put_flow(&taken).await?;
            return Err(AppError::invalid_grant(
                "The device code has already been used.",
            ));
        }
    };
    device.status = Status::Redeemed;
    state
        .store()
        .put_flow(&Flow {
            data: to_value(&device)?,
            ..taken
        })
        .await?;
    if state
        .store()
        .session_by_id(&grant.session_id, now)
        .await?
        .is_none()
    {
        return Err(AppError::invalid_grant(
            "The session that approved this device has ended.",
        ));
    }
    if let Some(err) = mfa_grant::exchange_needs_factor(state, meta, client, &grant, None).await? {
        return Err(err);
    }
    super::token::issue(state, client, &grant, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_user_codes_are_typeable() {
        let code = new_user_code();
        assert_eq!(code.len(), USER_CODE_LEN);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        let shown = display(&code);
        assert_eq!(shown.len(), USER_CODE_LEN + 1);
        assert_eq!(normalize(&shown).as_deref(), Some(code.as_str()));
        assert_eq!(
            normalize(&format!(" {} ", shown.to_lowercase().replace('-', " "))).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(normalize("BCDF-GHJ"), None, "too short");
        assert_eq!(normalize("BCDF-GHJA"), None, "a vowel is never in a code");
        assert_eq!(normalize("BCDF-GHJKL"), None, "too long");
    }

    #[test]
    fn device_user_codes_use_every_letter() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            seen.extend(new_user_code().bytes());
        }
        assert_eq!(seen.len(), ALPHABET.len());
    }
}
