//! The second-factor challenge (`/u/mfa`): offers the user's factors, last used first, with
//! "try another way"; verifies one and finishes the sign-in or step-up.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::authn::assurance::Method;
use portcullis_core::authn::factors::{Outcome, password_key};
use portcullis_core::crypto::secret::SecretString;
use portcullis_core::factor::FactorKind;
use portcullis_core::model::Factor;
use portcullis_core::notify::{Channel, Message};
use portcullis_proto::acr::Acr;

use crate::error::{AppError, AppResult};
use crate::http::ClientMeta;
use crate::oidc::authorize::unmet;
use crate::ratelimit::Class;
use crate::state::AppState;
use crate::ui::flow::{self, Resume, Tx};
use crate::ui::{self, PageCtx, device};

/// A way to verify, offered as a link.
pub struct Choice {
    /// `/u/mfa?method=…`.
    pub href: String,
    /// What it is.
    pub label: String,
}

#[derive(Template)]
#[template(path = "mfa.html")]
struct MfaPage {
    csrf: String,
    nonce: String,
    lead: String,
    method: String,
    input_label: String,
    input_type: &'static str,
    numeric: bool,
    needs_send: bool,
    remember_days: i64,
    others: Vec<Choice>,
    error: Option<String>,
    notice: Option<String>,
    webauthn_options: Option<String>,
    ceremony: String,
}

/// Query of `GET /u/mfa`.
#[derive(Debug, serde::Deserialize)]
pub struct MfaQuery {
    method: Option<String>,
    sent: Option<String>,
}

/// A method the user can verify with: a factor id, `recovery`, or `password` (step-up of a
/// user who has no second factor yet).
#[derive(Debug, Clone)]
pub(crate) enum Way {
    Factor(Box<Factor>),
    /// All of the user's security keys and passkeys: one ceremony offers them together.
    Webauthn,
    Recovery,
    Password,
}

impl Way {
    fn key(&self) -> String {
        match self {
            Way::Factor(f) => f.id.clone(),
            Way::Webauthn => "webauthn".into(),
            Way::Recovery => "recovery".into(),
            Way::Password => "password".into(),
        }
    }

    fn label(&self) -> String {
        match self {
            Way::Factor(f) if f.kind == FactorKind::Sms => crate::tr!(
                "mfa-way-sms",
                target = mask(f.target.as_deref().unwrap_or(""))
            ),
            Way::Factor(f) if f.kind == FactorKind::Email => crate::tr!(
                "mfa-way-email",
                target = mask(f.target.as_deref().unwrap_or(""))
            ),
            Way::Factor(f) => crate::tr!(
                "mfa-way-factor",
                kind = ui::kind_label(f.kind),
                name = &f.name
            ),
            Way::Webauthn => crate::tr!("mfa-way-webauthn"),
            Way::Recovery => crate::tr!("mfa-way-recovery"),
            Way::Password => crate::tr!("mfa-way-password"),
        }
    }
}

/// Hides most of an address or number: `a•••@example.com`, `•••• 4567`.
pub fn mask(target: &str) -> String {
    if let Some((local, domain)) = target.split_once('@') {
        let first: String = local.chars().take(1).collect();
        return format!("{first}•••@{domain}");
    }
    let digits: String = target.chars().filter(char::is_ascii_digit).collect();
    let tail = &digits[digits.len().saturating_sub(4)..];
    format!("•••• {tail}")
}

/// The ways this user can verify now, most recently used first.
pub(crate) async fn ways(state: &AppState, tx: &Tx) -> AppResult<Vec<Way>> {
    let mut factors = ui::active_factors(state, &tx.user_id).await?;
    let policy = tx.policy(state);
    factors.retain(|f| policy.allows(f.kind));
    let mut proved = tx.proofs.clone();
    if let Some(id) = &tx.session_id
        && let Some(session) = state.store().session_by_id(id, state.now()).await?
    {
        proved.extend(session.proofs);
    }
    // Raising the level (a sign-in that needs a second factor, a step-up to an `acr`): a
    // factor of a kind already proved adds nothing (an email code after a magic link), so it
    // is not offered. A step-up for freshness alone (`max_age`) may re-prove any factor.
    let level = portcullis_core::authn::assurance::evaluate(&proved)
        .map(|a| a.acr)
        .unwrap_or(Acr::Aal1);
    let raising = tx.session_id.is_none() || tx.required.is_some_and(|r| !level.satisfies(r));
    let before = factors.len();
    if raising {
        factors.retain(|f| !proved.iter().any(|p| p.method.same_kind(f.kind.method())));
    }
    // Only a WebAuthn credential can make aal3.
    let aal3 = tx.required == Some(Acr::Aal3);
    if aal3 {
        factors.retain(|f| f.kind == FactorKind::Webauthn);
    }
    let filtered = factors.len() < before;
    factors.sort_by_key(|f| std::cmp::Reverse(f.last_used_at.unwrap_or(f.created_at)));
    let mut out: Vec<Way> = Vec::new();
    for f in factors {
        if f.kind != FactorKind::Webauthn {
            out.push(Way::Factor(Box::new(f)));
        } else if !out.iter().any(|w| matches!(w, Way::Webauthn)) {
            out.push(Way::Webauthn);
        }
    }
    // Recovery codes stand in for a lost factor; when the only factors left are of the kind
    // just proved, the user enrols a different one instead.
    if !aal3
        && (!out.is_empty() || !filtered)
        && state.store().recovery_codes_left(&tx.user_id).await? > 0
    {
        out.push(Way::Recovery);
    }
    // The password is a factor of its own kind: after a magic link, an upstream sign-in or a
    // passkey without user verification it can be the second one, so a mailbox never has to
    // vouch for itself. And it re-proves a password-only session for freshness.
    let password_proved = proved.iter().any(|p| p.method == Method::Password);
    let second = raising && !aal3 && !password_proved && tx.resume != Resume::Reset;
    let refresh = tx.session_id.is_some() && tx.required.is_none() && out.is_empty();
    if (second || refresh)
        && state
            .store()
            .user_by_id(&tx.user_id)
            .await?
            .is_some_and(|u| u.password_hash.is_some())
    {
        out.push(Way::Password);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    tx: &Tx,
    ways: &[Way],
    chosen: &Way,
    error: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    let ctx = PageCtx::new(state, headers);
    let (input_label, input_type, numeric) = match chosen {
        Way::Recovery => (crate::tr!("mfa-label-recovery"), "text", false),
        Way::Password => (crate::tr!("mfa-label-password"), "password", false),
        Way::Factor(f) if f.kind == FactorKind::Totp => {
            (crate::tr!("mfa-label-totp"), "text", true)
        }
        Way::Factor(_) => (crate::tr!("mfa-label-code"), "text", true),
        Way::Webauthn => (String::new(), "text", false),
    };
    let lead = match chosen {
        Way::Factor(f) if f.kind == FactorKind::Totp => {
            crate::tr!("mfa-lead-totp", name = &f.name)
        }
        Way::Factor(f) => crate::tr!(
            "mfa-lead-send",
            target = mask(f.target.as_deref().unwrap_or(""))
        ),
        Way::Webauthn => crate::tr!("mfa-lead-webauthn"),
        Way::Recovery => crate::tr!("mfa-lead-recovery"),
        Way::Password => crate::tr!("mfa-lead-password"),
    };
    let (webauthn_options, ceremony) = if matches!(chosen, Way::Webauthn) {
        let creds = state.factors().webauthn_credentials(&tx.user_id).await?;
        let challenge = state.webauthn()?.start_assertion(&creds)?;
        let ceremony =
            flow::put_ceremony(state, "webauthn_assert", Some(&tx.user_id), challenge.state)
                .await?;
        (Some(challenge.options.to_string()), ceremony)
    } else {
        (None, String::new())
    };
    let needs_send = matches!(chosen, Way::Factor(f) if matches!(f.kind, FactorKind::Email | FactorKind::Sms))
        && tx.code_id.is_none();
    let page = MfaPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        lead,
        method: chosen.key(),
        input_label,
        input_type,
        numeric,
        needs_send,
        remember_days: if tx.remember_allowed && !matches!(chosen, Way::Password) {
            tx.policy(state).remember_device_days
        } else {
            0
        },
        others: ways
            .iter()
            .filter(|w| w.key() != chosen.key())
            .map(|w| Choice {
                href: format!("/u/mfa?method={}", w.key()),
                label: w.label(),
            })
            .collect(),
        error,
        notice,
        webauthn_options,
        ceremony,
    };
    ctx.respond(status, &page, vec![])
}

fn pick(ways: &[Way], key: Option<&str>) -> Option<Way> {
    match key {
        Some(k) => ways.iter().find(|w| w.key() == k).cloned(),
        None => ways.first().cloned(),
    }
}

/// `GET /u/mfa`.
pub async fn mfa_get(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    Query(q): Query<MfaQuery>,
) -> Response {
    let result = async {
        let (id, mut tx) = flow::require(&state, &headers).await?;
        let ways = ways(&state, &tx).await?;
        if ways.is_empty() {
            return flow::short(&state, &meta, Some(&id), tx, vec![]).await;
        }
        let chosen = pick(&ways, q.method.as_deref()).ok_or_else(|| {
            AppError::page(StatusCode::BAD_REQUEST, crate::tr!("mfa-error-unavailable"))
        })?;
        // A code sent for another factor does not carry over.
        if q.sent.is_none() && tx.code_id.is_some() {
            tx.code_id = None;
            flow::save(&state, &id, &tx).await?;
        }
        let notice = q
            .sent
            .as_ref()
            .map(|_| crate::tr!("mfa-notice-sent", valid = crate::i18n::duration(10 * 60)));
        page(
            &state,
            &headers,
            StatusCode::OK,
            &tx,
            &ways,
            &chosen,
            None,
            notice,
        )
        .await
    }
    .await;
    result.unwrap_or_else(axum::response::IntoResponse::into_response)
}

/// No factor of the user's reaches the level the application asked for, and policy does not
/// let them enrol one now: the transaction ends and the application hears
/// `unmet_authentication_requirements`.
pub(crate) async fn give_up(
    state: &AppState,
    meta: &ClientMeta,
    id: Option<&str>,
    tx: &Tx,
) -> AppResult<Response> {
    let now = state.now();
    if let Some(id) = id {
        state.store().take_flow(id, now).await?;
    }
    let clear = ui::set_cookie(state, "tx", "", 0);
    let Resume::Authorize(pending) = &tx.resume else {
        return Err(AppError::page(
            StatusCode::FORBIDDEN,
            crate::tr!("mfa-error-too-weak"),
        ));
    };
    let request = flow::pending_request(state, pending).await?;
    state.store().take_pending(pending, now).await?;
    let Some(request) = request else {
        return Err(AppError::page(
            StatusCode::BAD_REQUEST,
            crate::tr!("mfa-error-expired"),
        ));
    };
    state
        .audit(
            "stepup.failed",
            meta,
            Some(&tx.user_id),
            Some(&request.client_id),
            serde_json::json!({
                "required_acr": tx.required.map(Acr::as_str),
                "reason": "no_suitable_factor",
            }),
        )
        .await;
    let mut resp = unmet(state, &request).await?;
    if let Ok(v) = axum::http::HeaderValue::from_str(&clear) {
        resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// Sends a one-time code for an email or SMS factor.
pub async fn send_code(
    state: &AppState,
    user_id: &str,
    factor: &Factor,
    purpose: &str,
) -> AppResult<String> {
    let channel = match factor.kind {
        FactorKind::Email => Channel::Email,
        FactorKind::Sms => Channel::Sms,
        _ => {
            return Err(AppError::page(
                StatusCode::BAD_REQUEST,
                crate::tr!("mfa-error-no-code"),
            ));
        }
    };
    let target = factor.target.clone().unwrap_or_default();
    let (record, code) = state
        .factors()
        .new_code(
            Some(user_id),
            purpose,
            factor.kind.as_str(),
            &target,
            serde_json::json!({ "factor_id": factor.id }),
        )
        .await?;
    deliver_code(state, user_id, channel, &target, &code).await?;
    Ok(record.id)
}

/// Sends `code` to `target`, in user `user_id`'s language.
pub async fn deliver_code(
    state: &AppState,
    user_id: &str,
    channel: Channel,
    target: &str,
    code: &str,
) -> AppResult<()> {
    let message = crate::i18n::for_user(state, user_id).await.run(|| {
        let text = crate::tr!(
            "code-message",
            product = crate::i18n::product(),
            code = code,
            valid = crate::i18n::duration(10 * 60)
        );
        Message::new(channel, target, crate::tr!("code-message-subject"), text)
    });
    state.notifier().send(&message).await.map_err(|e| {
        tracing::warn!(error = %e, "code delivery failed");
        AppError::page(StatusCode::BAD_GATEWAY, crate::tr!("mfa-error-send-failed"))
    })
}

/// `POST /u/mfa/send`: sends a code for the chosen email or SMS factor.
pub async fn mfa_send(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Factor, &meta).await?;
        let (id, mut tx) = flow::require(&state, &headers).await?;
        let ways = ways(&state, &tx).await?;
        let Some(Way::Factor(factor)) = pick(&ways, form.get("method")) else {
            return Err(AppError::page(
                StatusCode::BAD_REQUEST,
                crate::tr!("mfa-error-unavailable"),
            ));
        };
        tx.code_id = Some(send_code(&state, &tx.user_id, &factor, "mfa").await?);
        flow::save(&state, &id, &tx).await?;
        Ok(ui::see_other(
            &format!("/u/mfa?method={}&sent=1", factor.id),
            &[],
        ))
    }
    .await;
    result.unwrap_or_else(axum::response::IntoResponse::into_response)
}

/// `POST /u/mfa`: verifies the code and finishes the sign-in.
pub async fn mfa_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Factor, &meta).await?;
        let (id, mut tx) = flow::require(&state, &headers).await?;
        let ways = ways(&state, &tx).await?;
        let chosen = pick(&ways, form.get("method")).ok_or_else(|| {
            AppError::page(StatusCode::BAD_REQUEST, crate::tr!("mfa-error-unavailable"))
        })?;
        let code = form.get("code").unwrap_or_default();
        let factors = state.factors();
        let outcome = match &chosen {
            Way::Factor(f) if f.kind == FactorKind::Totp => {
                factors.verify_totp(&tx.user_id, Some(&f.id), code).await?
            }
            Way::Factor(f) => match tx.code_id.clone() {
                Some(code_id) => {
                    factors
                        .verify_code(&tx.user_id, &code_id, code, f.kind.method())
                        .await?
                }
                None => Outcome::Wrong { locked: false },
            },
            Way::Webauthn => {
                let answer = flow::answer(
                    &state,
                    &form,
                    "ceremony",
                    "webauthn_assert",
                    Some(&tx.user_id),
                )
                .await?;
                match answer {
                    Some((ceremony, response)) => {
                        factors
                            .verify_webauthn(state.webauthn()?, &tx.user_id, &response, &ceremony)
                            .await?
                    }
                    None => Outcome::Wrong { locked: false },
                }
            }
            Way::Recovery => factors.verify_recovery_code(&tx.user_id, code).await?,
            Way::Password => verify_password(&state, &tx.user_id, code).await?,
        };
        match outcome {
            Outcome::Proved(proof) => {
                tx.proofs.push(proof);
                if matches!(chosen, Way::Recovery) {
                    recovery_code_used(&state, &meta, &tx.user_id).await;
                }
                let mut cookies = Vec::new();
                if tx.remember_allowed && form.get("remember") == Some("1") {
                    let days = tx.policy(&state).remember_device_days;
                    cookies.push(device::remember(&state, &tx.user_id, &meta, days).await?);
                }
                flow::finish(&state, &headers, &meta, Some(&id), tx, cookies).await
            }
            Outcome::Wrong { locked } => {
                state
                    .audit(
                        "factor.failure",
                        &meta,
                        Some(&tx.user_id),
                        None,
                        serde_json::json!({ "method": key_kind(&chosen) }),
                    )
                    .await;
                if locked {
                    state
                        .audit(
                            "lockout",
                            &meta,
                            Some(&tx.user_id),
                            None,
                            serde_json::json!({ "secret": "factor" }),
                        )
                        .await;
                }
                page(
                    &state,
                    &headers,
                    StatusCode::UNAUTHORIZED,
                    &tx,
                    &ways,
                    &chosen,
                    Some(match chosen {
                        Way::Webauthn => crate::tr!("mfa-error-webauthn"),
                        _ => crate::tr!("mfa-error-wrong-code"),
                    }),
                    None,
                )
                .await
            }
            Outcome::Throttled { retry_after } => Err(AppError::Throttled(retry_after)),
        }
    }
    .await;
    result.unwrap_or_else(axum::response::IntoResponse::into_response)
}

fn key_kind(way: &Way) -> &'static str {
    match way {
        Way::Factor(f) => f.kind.as_str(),
        Way::Webauthn => "webauthn",
        Way::Recovery => "recovery_code",
        Way::Password => "password",
    }
}

/// Re-checks the password of a signed-in user (step-up when no second factor exists yet).
async fn verify_password(state: &AppState, user_id: &str, password: &str) -> AppResult<Outcome> {
    let Some(user) = state.store().user_by_id(user_id).await? else {
        return Ok(Outcome::Wrong { locked: false });
    };
    let key = password_key(state.master(), &user.email);
    let outcome = state
        .factors()
        .check_password(
            state.hasher(),
            &key,
            user.password_hash.clone(),
            !user.blocked,
            SecretString::new(password),
        )
        .await?;
    if matches!(outcome, Outcome::Proved(_)) {
        state.store().clear_failures(&key).await?;
    }
    Ok(outcome)
}

/// Audit and notice for a spent recovery code.
pub async fn recovery_code_used(state: &AppState, meta: &ClientMeta, user_id: &str) {
    let left = state
        .store()
        .recovery_codes_left(user_id)
        .await
        .unwrap_or(0);
    state
        .audit(
            "recovery_code.used",
            meta,
            Some(user_id),
            None,
            serde_json::json!({ "left": left }),
        )
        .await;
    let security = format!("{}/u/account/security", state.issuer());
    ui::notify_user(state, user_id, || {
        (
            crate::tr!("email-recovery-used-subject"),
            crate::tr!("email-recovery-used", left = left, link = security),
        )
    })
    .await;
}
