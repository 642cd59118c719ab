//! Remembered devices: after a multi-factor sign-in the browser may get a cookie that skips the
//! second factor at later sign-ins of the same user. The cookie is `id.token.mac`: the token is
//! random and stored only as a digest, rotated on every use (so a copied cookie dies when either
//! copy is used), and the MAC binds it to the user it was issued for.

use axum::http::HeaderMap;
use portcullis_core::authn::factors::{factor_key, password_key};
use portcullis_core::crypto::secret::ct_eq;
use portcullis_core::crypto::{b64url, hmac_sha256, random, token_digest};
use portcullis_core::model::{Device, User};

use crate::error::AppResult;
use crate::http::{ClientMeta, cookie};
use crate::state::AppState;
use crate::ui;

fn mac(state: &AppState, user_id: &str, id: &str, token: &str) -> String {
    let key = state.master().derive("portcullis device v1");
    b64url(&hmac_sha256(
        &key,
        format!("{user_id}|{id}|{token}").as_bytes(),
    ))
}

fn value(state: &AppState, user_id: &str, id: &str, token: &str) -> String {
    format!("{id}.{token}.{}", mac(state, user_id, id, token))
}

/// A short description of the browser for the security page.
pub fn label(user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or("");
    let browser = ["Edg/", "Firefox/", "Chrome/", "Safari/"]
        .iter()
        .find(|b| ua.contains(*b))
        .map(|b| match *b {
            "Edg/" => "Edge",
            "Firefox/" => "Firefox",
            "Chrome/" => "Chrome",
            _ => "Safari",
        })
        .map_or_else(|| crate::tr!("device-browser-unknown"), str::to_string);
    let os = [
        ("Windows", "Windows"),
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(k, _)| ua.contains(k))
    .map_or_else(
        || crate::tr!("device-system-unknown"),
        |(_, v)| (*v).to_string(),
    );
    crate::tr!("device-label", browser = browser, os = os)
}

/// Remembers this browser for the user for `days` (the policy's `remember_device_days`);
/// returns the cookie.
pub async fn remember(
    state: &AppState,
    user_id: &str,
    meta: &ClientMeta,
    days: i64,
) -> AppResult<String> {
    let lifetime = days * 86_400;
    let now = state.now();
    let token = random::token();
    let device = Device {
        id: random::id("dev"),
        user_id: user_id.into(),
        token_digest: token_digest(&token),
        label: label(meta.user_agent.as_deref()),
        created_at: now,
        last_used_at: None,
        expires_at: now + lifetime,
    };
    state.store().create_device(&device).await?;
    Ok(ui::set_cookie(
        state,
        "device",
        &value(state, user_id, &device.id, &token),
        lifetime,
    ))
}

/// If the browser is a remembered device of `user_id`, rotates its token and returns the new
/// cookie; `None` otherwise.
pub async fn recognise(
    state: &AppState,
    headers: &HeaderMap,
    user_id: &str,
) -> AppResult<Option<(Device, String)>> {
    let Some(raw) = cookie(headers, &ui::cookie_name(state, "device")) else {
        return Ok(None);
    };
    let mut parts = raw.splitn(3, '.');
    let (Some(id), Some(token), Some(tag)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(None);
    };
    if !ct_eq(tag.as_bytes(), mac(state, user_id, id, token).as_bytes()) {
        return Ok(None);
    }
    let next = random::token();
    let Some(device) = state
        .store()
        .rotate_device(id, &token_digest(token), &token_digest(&next), state.now())
        .await?
        .filter(|d| d.user_id == user_id)
    else {
        return Ok(None);
    };
    let remaining = device.expires_at - state.now();
    let cookie = ui::set_cookie(
        state,
        "device",
        &value(state, user_id, &device.id, &next),
        remaining,
    );
    Ok(Some((device, cookie)))
}

/// Failures (passwords and second factors) just before a sign-in that make the adaptive policy
/// ask for a factor.
pub const ADAPTIVE_FAILURES: i64 = 3;

/// How far back a browser counts as known: the store forgets older ones.
const AGENT_MEMORY: i64 = 365 * 86_400;

fn agent_digest(state: &AppState, user_agent: &str) -> String {
    let key = state.master().derive("portcullis user agent v1");
    b64url(&hmac_sha256(&key, user_agent.as_bytes()))
}

/// The adaptive policy's question: does this sign-in look new for the user? Yes from a browser
/// (user agent) they never finished a multi-factor sign-in from, or after repeated failures on
/// the account. A remembered-device cookie is checked by the caller and outweighs this.
pub async fn unfamiliar(state: &AppState, user: &User, meta: &ClientMeta) -> AppResult<bool> {
    let store = state.store();
    let failures = store
        .failures(&password_key(state.master(), &user.email))
        .await?
        .count
        + store.failures(&factor_key(&user.id)).await?.count;
    if failures >= ADAPTIVE_FAILURES {
        return Ok(true);
    }
    Ok(match meta.user_agent.as_deref() {
        Some(ua) => {
            !store
                .agent_seen(
                    &user.id,
                    &agent_digest(state, ua),
                    state.now() - AGENT_MEMORY,
                )
                .await?
        }
        None => true,
    })
}

/// Notes the browser of a finished multi-factor sign-in, so the adaptive policy knows it.
/// Notes a sign-in from this browser and says whether it is the first from it, for the
/// "new sign-in" notice. Kept under its own key, apart from the adaptive policy's record of
/// multi-factor sign-ins, so a password-only sign-in never makes a browser familiar to it.
pub async fn first_sign_in_from(
    state: &AppState,
    user_id: &str,
    meta: &ClientMeta,
) -> AppResult<bool> {
    let key = state.master().derive("portcullis sign-in agent v1");
    let ua = meta.user_agent.as_deref().unwrap_or_default();
    let digest = b64url(&hmac_sha256(&key, ua.as_bytes()));
    let store = state.store();
    let seen = store.agent_seen(user_id, &digest, 0).await?;
    store.note_agent(user_id, &digest, state.now()).await?;
    Ok(!seen)
}

pub async fn note_agent(state: &AppState, user_id: &str, meta: &ClientMeta) -> AppResult<()> {
    if let Some(ua) = meta.user_agent.as_deref() {
        state
            .store()
            .note_agent(user_id, &agent_digest(state, ua), state.now())
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn device_label_names_browser_and_system() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
        assert_eq!(label(Some(chrome)), "Chrome on Linux");
        assert_eq!(label(None), "Browser on unknown system");
    }
}
