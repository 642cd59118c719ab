//! Ending sessions, in one place: every way a session ends (sign-out, the user or an admin
//! revoking it, a removed factor, a changed password, a blocked or deleted user) revokes its
//! refresh tokens and tells each app that received tokens in it, by OpenID Connect Back-Channel
//! Logout 1.0, so no app keeps a session its provider has ended.

use std::time::Duration;

use portcullis_core::crypto::random;
use portcullis_core::model::{Client, Session};
use serde::Serialize;

use crate::error::AppResult;
use crate::http::ClientMeta;
use crate::state::AppState;

/// The event a logout token carries (§2.4).
pub const LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// How long a logout token is valid: long enough for the retries, short enough to be useless
/// later.
const LOGOUT_TOKEN_TTL: i64 = 120;

/// The claims of a logout token (§2.4): no `nonce`, an `events` member, `sid` and `sub`.
#[derive(Debug, Serialize)]
struct LogoutClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    jti: String,
    sub: &'a str,
    sid: &'a str,
    events: serde_json::Value,
}

/// Ends one session (revoking its refresh tokens), records why, and sends back-channel logout
/// tokens to its apps.
pub async fn end(
    state: &AppState,
    meta: &ClientMeta,
    session: &Session,
    reason: &str,
    client_id: Option<&str>,
) -> AppResult<()> {
    state
        .store()
        .revoke_session(&session.id, state.now())
        .await?;
    let kind = if reason == "logout" {
        "session.logout"
    } else {
        "session.revoked"
    };
    state
        .audit(
            kind,
            meta,
            Some(&session.user_id),
            client_id,
            serde_json::json!({ "session_id": session.id, "reason": reason }),
        )
        .await;
    notify_apps(state, session).await;
    Ok(())
}

/// Ends every live session of a user but `keep`; how many ended.
pub async fn end_all(
    state: &AppState,
    meta: &ClientMeta,
    user_id: &str,
    keep: Option<&str>,
    reason: &str,
) -> AppResult<usize> {
    let mut ended = 0;
    for s in state.store().user_sessions(user_id, state.now()).await? {
        if Some(s.id.as_str()) != keep {
            end(state, meta, &s, reason, None).await?;
            ended += 1;
        }
    }
    Ok(ended)
}

/// Starts delivery of a logout token to every app of the session that registered a
/// `backchannel_logout_uri`; delivery runs in the background, retried with backoff, and its
/// outcome is recorded in the audit trail.
pub async fn notify_apps(state: &AppState, session: &Session) {
    for client_id in &session.clients {
        let Some(client) = state.client(client_id).await else {
            continue;
        };
        let Some(uri) = client.backchannel_logout_uri.clone() else {
            continue;
        };
        let (state, session) = (state.clone(), session.clone());
        tokio::spawn(async move {
            deliver(&state, &client, &uri, &session).await;
        });
    }
}

fn logout_token(state: &AppState, client: &Client, session: &Session) -> AppResult<String> {
    let signer = state
        .snapshot()
        .signer_for(client)
        .cloned()
        .ok_or_else(|| crate::error::AppError::Internal("no signing key".into()))?;
    let now = state.now();
    let claims = LogoutClaims {
        iss: state.issuer(),
        aud: &client.id,
        iat: now,
        exp: now + LOGOUT_TOKEN_TTL,
        jti: random::token(),
        sub: &session.user_id,
        sid: &session.id,
        events: serde_json::json!({ LOGOUT_EVENT: {} }),
    };
    Ok(signer.sign_jwt("logout+jwt", &claims)?)
}

/// Posts the token until the app answers 2xx, the app refuses it (4xx: retrying cannot help),
/// or the attempts run out.
/// Posts logout tokens to `uri` until one is taken or the attempts run out. Each attempt signs
/// a new token with a fresh `jti`, so a relying party that saw an earlier one (and perhaps
/// answered too late) never takes a retry for a replay.
async fn deliver(state: &AppState, client: &Client, uri: &str, session: &Session) {
    let (client_id, sid, uid) = (
        client.id.as_str(),
        session.id.as_str(),
        session.user_id.as_str(),
    );
    let settings = state.settings().logout;
    let mut wait = Duration::from_millis(settings.backchannel_backoff_ms);
    let mut outcome = String::new();
    let mut attempts = 0;
    let mut delivered = false;
    while attempts < settings.backchannel_attempts.max(1) {
        if attempts > 0 {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
        attempts += 1;
        let token = match logout_token(state, client, session) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = ?e, client_id = %client_id, "logout token not signed");
                outcome = "unsigned".into();
                break;
            }
        };
        let sent = state
            .http()
            .post(uri)
            .timeout(Duration::from_millis(settings.backchannel_timeout_ms))
            .header("cache-control", "no-store")
            .form(&[("logout_token", token.as_str())])
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => {
                delivered = true;
                outcome = r.status().as_u16().to_string();
                break;
            }
            Ok(r) if r.status().is_client_error() => {
                outcome = r.status().as_u16().to_string();
                break;
            }
            Ok(r) => outcome = r.status().as_u16().to_string(),
            Err(e) if e.is_timeout() => outcome = "timeout".into(),
            Err(_) => outcome = "unreachable".into(),
        }
    }
    let kind = if delivered {
        "logout.backchannel_delivered"
    } else {
        "logout.backchannel_failed"
    };
    state
        .audit(
            kind,
            &ClientMeta::default(),
            Some(uid),
            Some(client_id),
            serde_json::json!({ "session_id": sid, "attempts": attempts, "outcome": outcome }),
        )
        .await;
}
