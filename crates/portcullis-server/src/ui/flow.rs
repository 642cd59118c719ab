//! A sign-in (or step-up) in progress: who the user is, what they have proved so far, and where
//! to go when they are done. Kept server-side, keyed by the digest of a random cookie token, so
//! it is bound to this browser and can be finished on any node.

use axum::http::HeaderMap;
use axum::response::Response;
use portcullis_core::authn::assurance::{Method, Proof};
use portcullis_core::crypto::{random, token_digest};
use portcullis_core::model::{Flow, Session};
use portcullis_core::policy::Policy;
use portcullis_proto::acr::Acr;
use serde::{Deserialize, Serialize};

use crate::actions::Ask;
use crate::error::{AppError, AppResult};
use crate::gate::Verdict;
use crate::http::{ClientMeta, Params, cookie};
use crate::oidc::authorize::{AuthorizeRequest, complete};
use crate::state::AppState;
use crate::ui;

const TX_TTL: i64 = 900;
const KIND: &str = "authn";

/// Where to go once the user has proved enough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resume {
    /// Finish a pending `/authorize` request (its id).
    Authorize(String),
    /// Back to a hosted page.
    Path(String),
    /// An enrolment ticket: enrol, then stop without signing in.
    Ticket,
    /// A password reset: after the factor, the new password form (no sign-in).
    Reset,
}

/// The transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tx {
    /// The user (identified by the first factor, or by the session being stepped up).
    pub user_id: String,
    /// Factors proved in this transaction.
    pub proofs: Vec<Proof>,
    /// Where to go next.
    pub resume: Resume,
    /// The session being stepped up, if any (else a new session is created).
    pub session_id: Option<String>,
    /// The user must enrol a factor before finishing (policy `always`).
    pub enroll: bool,
    /// Whether "remember this device" may be offered (not for `max_age` / `prompt=login`).
    pub remember_allowed: bool,
    /// The email or SMS code last sent in this transaction.
    #[serde(default)]
    pub code_id: Option<String>,
    /// The level the application asked for (`acr_values`), if any: factors that cannot reach
    /// it are not offered, and finishing below it is an error for the application.
    #[serde(default)]
    pub required: Option<Acr>,
    /// The client's and API's effective policy (the tenant's when `None`).
    #[serde(default)]
    pub policy: Option<Policy>,
    /// The level demanded when the first factor was proved; the gate never asks for less.
    #[serde(default)]
    pub floor: Option<Acr>,
    /// A factor a post-login Action asked for (`challengeWith*`, `enrollWith*`).
    #[serde(default)]
    pub ask: Option<Ask>,
}

impl Tx {
    /// The policy this transaction runs under.
    pub fn policy(&self, state: &AppState) -> Policy {
        self.policy.clone().unwrap_or_else(|| state.tenant_policy())
    }

    /// Takes on what a post-login Action asked for: only the kinds it named are offered (and
    /// enrolled), within what the policy allows.
    fn asked(&mut self, state: &AppState, ask: Option<Ask>) {
        let Some(ask) = ask else {
            return;
        };
        let mut policy = self.policy(state);
        policy.allowed_factors.retain(|k| ask.kinds.contains(k));
        self.policy = Some(policy);
        self.ask = Some(ask);
    }
}

/// Starts a step-up of a signed-in `session`: one more factor on `/u/mfa`, then `resume`.
pub async fn step_up(
    state: &AppState,
    session: &Session,
    resume: Resume,
    required: Option<Acr>,
    policy: Option<Policy>,
    ask: Option<Ask>,
) -> AppResult<Response> {
    let mut tx = Tx {
        user_id: session.user_id.clone(),
        proofs: vec![],
        resume,
        session_id: Some(session.id.clone()),
        enroll: false,
        remember_allowed: false,
        code_id: None,
        required,
        policy,
        floor: None,
        ask: None,
    };
    tx.asked(state, ask);
    challenged(state, &ClientMeta::default(), &tx).await;
    let cookie = start(state, &tx).await?;
    Ok(ui::see_other("/u/mfa", &[cookie]))
}

/// Records that a sign-in or a signed-in session is sent for a (further) factor or an
/// enrolment: the overview's "second factor asked" series.
async fn challenged(state: &AppState, meta: &ClientMeta, tx: &Tx) {
    state
        .audit(
            "mfa.challenged",
            meta,
            Some(&tx.user_id),
            None,
            serde_json::json!({
                "next": if tx.enroll { "enroll" } else { "factor" },
                "step_up": tx.session_id.is_some(),
            }),
        )
        .await;
}

/// Hosted paths a sign-in may return to.
pub fn allowed_return(path: &str) -> bool {
    matches!(path, "/u/account/security" | "/u/account/profile")
        || crate::console::is_console_path(path)
}

/// The pending authorization a transaction resumes, if any.
pub async fn pending_request(state: &AppState, id: &str) -> AppResult<Option<AuthorizeRequest>> {
    let Some(p) = state.store().pending(id, state.now()).await? else {
        return Ok(None);
    };
    serde_json::from_value(p.request)
        .map(Some)
        .map_err(|e| AppError::Internal(e.to_string()))
}

fn expired() -> AppError {
    AppError::page(
        axum::http::StatusCode::BAD_REQUEST,
        crate::tr!("signin-expired"),
    )
}

/// Stores a new transaction; returns the cookie that names it.
pub async fn start(state: &AppState, tx: &Tx) -> AppResult<String> {
    let token = random::token();
    let flow = Flow {
        id: token_digest(&token),
        kind: KIND.into(),
        user_id: Some(tx.user_id.clone()),
        data: serde_json::to_value(tx).map_err(|e| AppError::Internal(e.to_string()))?,
        expires_at: state.now() + TX_TTL,
    };
    state.store().put_flow(&flow).await?;
    Ok(ui::set_cookie(state, "tx", &token, TX_TTL))
}

/// The browser's live transaction: its flow id and state.
pub async fn load(state: &AppState, headers: &HeaderMap) -> AppResult<Option<(String, Tx)>> {
    let Some(token) = cookie(headers, &ui::cookie_name(state, "tx")).filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    let id = token_digest(token);
    let Some(flow) = state.store().flow(&id, state.now()).await? else {
        return Ok(None);
    };
    if flow.kind != KIND {
        return Ok(None);
    }
    let tx: Tx =
        serde_json::from_value(flow.data).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Some((id, tx)))
}

/// The browser's live transaction, or an "expired" page.
pub async fn require(state: &AppState, headers: &HeaderMap) -> AppResult<(String, Tx)> {
    load(state, headers).await?.ok_or_else(expired)
}

/// Saves changes to a transaction.
pub async fn save(state: &AppState, id: &str, tx: &Tx) -> AppResult<()> {
    let data = serde_json::to_value(tx).map_err(|e| AppError::Internal(e.to_string()))?;
    if !state.store().update_flow(id, &data, state.now()).await? {
        return Err(expired());
    }
    Ok(())
}

/// Ends a transaction if the gate clears it: a new session, or new proofs on the session
/// being stepped up, then on to where the user was going. A transaction the gate finds short
/// goes on to the next factor (or an enrolment), whichever page asked to finish it.
pub async fn finish(
    state: &AppState,
    headers: &HeaderMap,
    meta: &ClientMeta,
    flow_id: Option<&str>,
    tx: Tx,
    mut cookies: Vec<String>,
) -> AppResult<Response> {
    if tx.resume == Resume::Reset {
        // The factor is proved; the reset goes on to its password form and signs nobody in.
        let Some(id) = flow_id else {
            return Err(expired());
        };
        save(state, id, &tx).await?;
        return Ok(ui::see_other("/u/reset/new", &cookies));
    }
    if tx.resume == Resume::Ticket {
        // An enrolment ticket ends with its factor enrolled and nobody signed in.
        let Some(id) = flow_id.filter(|_| !tx.proofs.is_empty()) else {
            return Err(expired());
        };
        if state.store().take_flow(id, state.now()).await?.is_none() {
            return Err(expired());
        }
        cookies.push(ui::set_cookie(state, "tx", "", 0));
        return Ok(crate::ui::ticket::done(&cookies));
    }
    let now = state.now();
    let request = match &tx.resume {
        Resume::Authorize(id) => Some(pending_request(state, id).await?.ok_or_else(expired)?),
        Resume::Path(_) | Resume::Ticket | Resume::Reset => None,
    };
    let current = match &tx.session_id {
        Some(id) => state.store().session_by_id(id, now).await?,
        None => ui::current_session(state, headers).await?,
    };
    // The same person proving more (step-up, prompt=login) keeps one session with new proofs.
    let (candidate, stepped_up, replaced) = match current {
        Some(mut s) if s.user_id == tx.user_id => {
            s.prove(tx.proofs.iter().cloned());
            (s, true, None)
        }
        other => (
            Session::start(
                &tx.user_id,
                now,
                now + state.settings().session.lifetime,
                tx.proofs.iter().cloned(),
            ),
            false,
            other,
        ),
    };
    let policy = tx.policy(state);
    let cleared =
        match crate::gate::judge(state, meta, candidate, request, &policy, tx.floor).await? {
            Verdict::Cleared(c) => c,
            Verdict::Short(ask) => {
                let mut tx = tx;
                tx.asked(state, ask);
                return short(state, meta, flow_id, tx, cookies).await;
            }
            Verdict::Denied(reason) => {
                return denied(state, flow_id, &tx, &reason, cookies).await;
            }
            Verdict::Refused => {
                if let Some(id) = flow_id {
                    state.store().take_flow(id, now).await?;
                }
                return Err(AppError::page(
                    axum::http::StatusCode::FORBIDDEN,
                    crate::tr!("signin-refused"),
                ));
            }
        };
    if let Some(id) = flow_id {
        if state.store().take_flow(id, now).await?.is_none() {
            return Err(expired());
        }
        cookies.push(ui::set_cookie(state, "tx", "", 0));
    }
    if let Resume::Authorize(id) = &tx.resume
        && state.store().take_pending(id, now).await?.is_none()
    {
        return Err(expired());
    }
    let token = random::token();
    let digest = token_digest(&token);
    let session = cleared.session();
    if stepped_up {
        state
            .store()
            .reauthenticate_session(session, &digest)
            .await?;
    } else {
        if let Some(old) = replaced {
            crate::sessions::end(state, meta, &old, "replaced", None).await?;
        }
        // Where it was made, for the lists of sessions (a User-Agent is capped: it is the
        // client's text).
        let made = Session {
            user_agent: meta
                .user_agent
                .as_deref()
                .map(|ua| ua.chars().take(USER_AGENT_MAX).collect()),
            ip: meta.ip.clone(),
            last_seen_at: Some(now),
            ..session.clone()
        };
        state.store().create_session(&made, &digest).await?;
        let before = state.store().user_by_id(&tx.user_id).await?;
        state.store().set_last_login(&tx.user_id, now).await?;
        crate::ui::profile::cancel_deletion_on_sign_in(state, meta, &tx.user_id).await?;
        let first_here = ui::device::first_sign_in_from(state, &tx.user_id, meta).await?;
        // The very first sign-in is not news; a new browser after that is.
        if first_here && before.is_some_and(|u| u.last_login.is_some()) {
            new_device_notice(state, &tx.user_id, meta).await;
        }
    }
    // An upstream identity waiting for its account's owner to sign in is linked now.
    ui::upstream::link_on_sign_in(state, headers, meta, &tx, &mut cookies).await?;
    cookies.push(ui::session_cookie(state, &token));
    let methods: Vec<&str> = tx.proofs.iter().map(|p| p.method.as_str()).collect();
    state
        .audit(
            if tx.session_id.is_some() {
                "stepup.met"
            } else {
                "login.success"
            },
            meta,
            Some(&tx.user_id),
            cleared.request().map(|r| r.client_id.as_str()),
            serde_json::json!({
                "session_id": session.id,
                "methods": methods,
                "acr": session.acr,
                "amr": session.amr,
            }),
        )
        .await;
    tracing::info!(user_id = %tx.user_id, session_id = %session.id, acr = %session.acr, "signed in");
    if Acr::parse(&session.acr).is_some_and(|a| a >= Acr::Aal2) {
        ui::device::note_agent(state, &tx.user_id, meta).await?;
    }
    match (cleared.request(), &tx.resume) {
        (Some(_), _) => {
            let mut resp = complete(state, &cleared).await?;
            for c in cookies {
                if let Ok(v) = axum::http::HeaderValue::from_str(&c) {
                    resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
                }
            }
            Ok(resp)
        }
        (None, Resume::Path(path)) => Ok(ui::see_other(path, &cookies)),
        (None, Resume::Authorize(_) | Resume::Ticket | Resume::Reset) => Err(expired()),
    }
}

/// A post-login Action denied the sign-in: the transaction ends and the application hears
/// `access_denied` with the Action's reason (a page, when there is no application to tell).
async fn denied(
    state: &AppState,
    flow_id: Option<&str>,
    tx: &Tx,
    reason: &str,
    mut cookies: Vec<String>,
) -> AppResult<Response> {
    let now = state.now();
    if let Some(id) = flow_id {
        state.store().take_flow(id, now).await?;
        cookies.push(ui::set_cookie(state, "tx", "", 0));
    }
    let request = match &tx.resume {
        Resume::Authorize(id) => {
            let request = pending_request(state, id).await?;
            state.store().take_pending(id, now).await?;
            request
        }
        _ => None,
    };
    let Some(request) = request else {
        return Err(AppError::page(
            axum::http::StatusCode::FORBIDDEN,
            crate::tr!("signin-access-denied", reason = reason),
        ));
    };
    let mut resp = crate::oidc::authorize::action_denied(state, &request, reason).await?;
    for c in cookies {
        if let Ok(v) = axum::http::HeaderValue::from_str(&c) {
            resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}

/// The longest `User-Agent` a session keeps.
const USER_AGENT_MAX: usize = 512;

/// Where a transaction goes when the gate finds it short: the next factor on `/u/mfa`; with
/// nothing left to prove, an enrolment (only for a user with no factor yet, or one who has
/// just proved a second factor, so a password alone never adds a factor to an account that
/// has one); else the application hears `unmet_authentication_requirements`.
pub async fn short(
    state: &AppState,
    meta: &ClientMeta,
    flow_id: Option<&str>,
    mut tx: Tx,
    cookies: Vec<String>,
) -> AppResult<Response> {
    let next = if !crate::ui::mfa::ways(state, &tx).await?.is_empty() {
        "/u/mfa"
    } else if may_enroll(state, &tx).await? {
        tx.enroll = true;
        "/u/enroll"
    } else {
        return crate::ui::mfa::give_up(state, meta, flow_id, &tx).await;
    };
    challenged(state, meta, &tx).await;
    let mut cookies = cookies;
    match flow_id {
        Some(id) => save(state, id, &tx).await?,
        None => cookies.push(start(state, &tx).await?),
    }
    Ok(ui::see_other(next, &cookies))
}

/// Whether this transaction may enrol a factor before it finishes: the policy allows it for
/// the level asked, and the account has no factor yet (trust on first use) or this sign-in
/// already proved two factors.
async fn may_enroll(state: &AppState, tx: &Tx) -> AppResult<bool> {
    let policy = tx.policy(state);
    if ui::active_factors(state, &tx.user_id).await?.is_empty() {
        // An Action's `enrollWith*` is the administrator asking for exactly this.
        let action_enrols = tx.ask.as_ref().is_some_and(|a| a.enroll);
        return Ok(action_enrols || policy.may_enrol_first_factor(tx.required));
    }
    if !policy.enroll_with_any && tx.required.is_some() {
        return Ok(false);
    }
    let mut proved = tx.proofs.clone();
    if let Some(id) = &tx.session_id
        && let Some(session) = state.store().session_by_id(id, state.now()).await?
    {
        proved.extend(session.proofs);
    }
    // A remembered browser stands in for a factor at sign-in, not for adding one.
    proved.retain(|p| p.method != Method::RememberedDevice);
    Ok(portcullis_core::authn::assurance::evaluate(&proved).is_some_and(|a| a.acr >= Acr::Aal2))
}

/// Emails the user about a sign-in from a browser they never used before.
async fn new_device_notice(state: &AppState, user_id: &str, meta: &ClientMeta) {
    let device = ui::device::label(meta.user_agent.as_deref());
    let ip = meta.ip.clone();
    let (at, security) = (
        state.now(),
        format!("{}/u/account/security", state.issuer()),
    );
    // In the background: a slow mail server must not slow the sign-in. The language goes along
    // (a spawned task leaves the request's behind).
    let (state, user_id, lang) = (state.clone(), user_id.to_string(), crate::i18n::current());
    tokio::spawn(lang.scope(async move {
        ui::notify_user(&state, &user_id, || {
            (
                crate::tr!("email-new-device-subject"),
                crate::tr!(
                    "email-new-device",
                    device = device,
                    ip = ip.unwrap_or_else(|| crate::tr!("email-new-device-ip-unknown")),
                    when = crate::i18n::date_time(at),
                    link = security
                ),
            )
        })
        .await;
    }));
}

/// Stores the server half of a WebAuthn ceremony under a fresh random id, for the page to
/// send back.
pub async fn put_ceremony(
    state: &AppState,
    kind: &str,
    user_id: Option<&str>,
    data: serde_json::Value,
) -> AppResult<String> {
    let id = random::id("cer");
    state
        .store()
        .put_flow(&Flow {
            id: id.clone(),
            kind: kind.into(),
            user_id: user_id.map(str::to_string),
            data,
            expires_at: state.now() + portcullis_core::factor::webauthn::CEREMONY_TTL,
        })
        .await?;
    Ok(id)
}

/// Takes the ceremony a form names in `field`, at most once (a challenge answered or failed is
/// gone), with the browser's answer from the `credential` field (`null` if it is not JSON).
pub async fn answer(
    state: &AppState,
    form: &Params,
    field: &str,
    kind: &str,
    user_id: Option<&str>,
) -> AppResult<Option<(serde_json::Value, serde_json::Value)>> {
    let id = form.get(field).unwrap_or_default();
    let flow = state.store().take_flow(id, state.now()).await?;
    let response = serde_json::from_str(form.get("credential").unwrap_or_default())
        .unwrap_or(serde_json::Value::Null);
    Ok(flow
        .filter(|f| f.kind == kind && f.user_id.as_deref() == user_id)
        .map(|f| (f.data, response)))
}
