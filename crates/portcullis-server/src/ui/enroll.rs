//! Enrolment pages (`/u/enroll…`): an authenticator app (TOTP), or codes by email or SMS. A
//! factor is stored only after the user proves it works; the first one comes with recovery codes.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::authn::assurance::{Method, Proof};
use portcullis_core::authn::factors::Outcome;
use portcullis_core::crypto::{random, token_digest};
use portcullis_core::factor::FactorKind;
use portcullis_core::factor::totp::{TotpSecret, qr_svg};
use portcullis_core::factor::webauthn::Style;
use portcullis_core::model::{Factor, Flow, Session};
use portcullis_core::notify::Channel;
use portcullis_proto::acr::Acr;

use crate::error::{AppError, AppResult};
use crate::http::{ClientMeta, Params};
use crate::ratelimit::Class;
use crate::state::AppState;
use crate::ui::flow::{self, Tx};
use crate::ui::{self, PageCtx, security};

const ENROLL_TTL: i64 = 600;

/// Who is enrolling: a sign-in that must enrol first, or a signed-in user on the security page.
pub enum Who {
    /// During sign-in.
    Tx(String, Tx),
    /// From the security page, with a fresh proof.
    Session(Session),
}

impl Who {
    /// Whether this sign-in already proved a factor of `kind`'s sort (a magic link is the
    /// mailbox an email code would prove again), so enrolling one now adds nothing.
    fn already_proved(&self, kind: FactorKind) -> bool {
        matches!(self, Who::Tx(_, tx)
            if tx.proofs.iter().any(|p| p.method.same_kind(kind.method())))
    }

    /// The policy the enrolment runs under: the sign-in's, or the tenant's on the security
    /// page.
    fn policy(&self, state: &AppState) -> portcullis_core::policy::Policy {
        match self {
            Who::Tx(_, tx) => tx.policy(state),
            Who::Session(_) => state.tenant_policy(),
        }
    }

    fn user_id(&self) -> &str {
        match self {
            Who::Tx(_, tx) => &tx.user_id,
            Who::Session(s) => &s.user_id,
        }
    }
}

/// The enrolling user, or where to send the browser first (sign in, or step up). A sign-in
/// in progress enrols only when the gate sent it here (`enroll`, set by `flow::short`) or an
/// enrolment ticket started it: a password alone never adds a factor to an account.
async fn who(state: &AppState, headers: &HeaderMap) -> AppResult<Result<Who, Response>> {
    if let Some((id, tx)) = flow::load(state, headers).await?
        && tx.enroll
    {
        return Ok(Ok(Who::Tx(id, tx)));
    }
    match ui::current_session(state, headers).await? {
        Some(session) => {
            if security::fresh(state, &session).await? {
                Ok(Ok(Who::Session(session)))
            } else {
                security::step_up(state, &session, "/u/account/security")
                    .await
                    .map(Err)
            }
        }
        None => Ok(Err(ui::see_other(
            "/u/login?return_to=/u/account/security",
            &[],
        ))),
    }
}

/// A POST to an enrolment page: CSRF and per-IP limit checked, the enrolling user found;
/// `Err` is where to send the browser instead (sign-in or step-up).
async fn posted_by(
    state: &AppState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<Result<(Params, Who), Response>> {
    let form = ui::posted(state, headers, body)?;
    state.limit(Class::Enroll, meta).await?;
    Ok(who(state, headers).await?.map(|w| (form, w)))
}

#[derive(Template)]
#[template(path = "enroll.html")]
struct ChoosePage {
    nonce: String,
    required: bool,
    webauthn: bool,
    totp: bool,
    email: bool,
    sms: bool,
}

/// `GET /u/enroll`: choose a factor to add.
pub async fn choose(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result = async {
        let who = match who(&state, &headers).await? {
            Ok(w) => w,
            Err(redirect) => return Ok(redirect),
        };
        let ctx = PageCtx::new(&state, &headers);
        let policy = who.policy(&state);
        // Only a WebAuthn credential reaches aal3.
        let aal3 = matches!(&who, Who::Tx(_, tx) if tx.required == Some(Acr::Aal3));
        let page = ChoosePage {
            nonce: ctx.nonce.clone(),
            required: matches!(&who, Who::Tx(_, tx) if tx.enroll),
            webauthn: state.webauthn_on() && policy.allows(FactorKind::Webauthn),
            totp: !aal3 && policy.allows(FactorKind::Totp),
            email: !aal3
                && policy.allows(FactorKind::Email)
                && !who.already_proved(FactorKind::Email),
            sms: !aal3 && policy.allows(FactorKind::Sms),
        };
        ctx.respond(StatusCode::OK, &page, vec![])
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "enroll_totp.html")]
struct TotpPage {
    csrf: String,
    nonce: String,
    enrollment: String,
    qr: String,
    secret: String,
    uri: String,
    name: String,
    error: Option<String>,
}

fn totp_context(id: &str) -> String {
    format!("totp-enrollment:{id}")
}

pub(crate) async fn user_email(state: &AppState, user_id: &str) -> AppResult<String> {
    Ok(state
        .store()
        .user_by_id(user_id)
        .await?
        .map(|u| u.email)
        .unwrap_or_default())
}

/// The issuer an authenticator app shows beside the code: the tenant's product name and host,
/// the same in every language (it names the account, it is not a sentence).
pub(crate) fn issuer_label(state: &AppState) -> String {
    let product = &state.brand().product;
    url::Url::parse(state.issuer())
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .map(|h| format!("{product} ({h})"))
        .unwrap_or_else(|| product.clone())
}

#[allow(clippy::too_many_arguments)]
async fn totp_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    user_id: &str,
    enrollment: &str,
    secret: &TotpSecret,
    name: &str,
    error: Option<String>,
) -> AppResult<Response> {
    let uri = secret.uri(&issuer_label(state), &user_email(state, user_id).await?);
    let ctx = PageCtx::new(state, headers);
    let page = TotpPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        enrollment: enrollment.into(),
        qr: qr_svg(&uri)?,
        secret: secret.base32(),
        uri,
        name: name.into(),
        error,
    };
    ctx.respond(status, &page, vec![])
}

/// `GET /u/enroll/totp`: a new secret, as a QR code and as text.
pub async fn totp_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result = async {
        let who = match who(&state, &headers).await? {
            Ok(w) => w,
            Err(redirect) => return Ok(redirect),
        };
        refuse(&state, &who, FactorKind::Totp)?;
        let secret = TotpSecret::generate();
        let id = random::id("enr");
        let sealed = state
            .master()
            .encrypt(secret.as_bytes(), &totp_context(&id))?;
        state
            .store()
            .put_flow(&Flow {
                id: id.clone(),
                kind: "totp_enroll".into(),
                user_id: Some(who.user_id().to_string()),
                data: serde_json::json!({ "secret": portcullis_core::crypto::b64url(&sealed) }),
                expires_at: state.now() + ENROLL_TTL,
            })
            .await?;
        totp_page(
            &state,
            &headers,
            StatusCode::OK,
            who.user_id(),
            &id,
            &secret,
            &crate::tr!("enroll-totp-name"),
            None,
        )
        .await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

fn enrollment_expired() -> AppError {
    AppError::page(StatusCode::BAD_REQUEST, crate::tr!("enroll-error-expired"))
}

fn nickname(form: &Params, default: &str) -> String {
    let name = ui::clean_name(form.get("name").unwrap_or(default));
    if name.is_empty() {
        default.into()
    } else {
        name
    }
}

/// `POST /u/enroll/totp`: stores the factor once a code from it checks out.
pub async fn totp_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let (form, who) = match posted_by(&state, &meta, &headers, &body).await? {
            Ok(posted) => posted,
            Err(redirect) => return Ok(redirect),
        };
        refuse(&state, &who, FactorKind::Totp)?;
        let user_id = who.user_id().to_string();
        let id = form.get("enrollment").unwrap_or_default().to_string();
        let now = state.now();
        let flow = state
            .store()
            .flow(&id, now)
            .await?
            .filter(|f| f.kind == "totp_enroll" && f.user_id.as_deref() == Some(&user_id))
            .ok_or_else(enrollment_expired)?;
        let sealed = flow.data["secret"]
            .as_str()
            .and_then(|s| portcullis_core::crypto::b64url_decode(s).ok())
            .ok_or_else(enrollment_expired)?;
        let secret = TotpSecret::from_bytes(state.master().decrypt(&sealed, &totp_context(&id))?);
        let name = nickname(&form, &crate::tr!("enroll-totp-name"));
        let code = form.get("code").unwrap_or_default();
        let Some(step) = secret.verify(code, now, None) else {
            return totp_page(
                &state,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                &user_id,
                &id,
                &secret,
                &name,
                Some(crate::tr!("enroll-totp-error")),
            )
            .await;
        };
        if state.store().take_flow(&id, now).await?.is_none() {
            return Err(enrollment_expired());
        }
        let factor = state
            .factors()
            .enroll_totp(&user_id, &secret, &name, step)
            .await?;
        let proof = Proof::new(Method::Totp, now, Some(factor.id.clone()));
        enrolled(&state, &headers, &meta, who, factor, proof).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct CodesPage {
    csrf: String,
    nonce: String,
    codes: Vec<String>,
    download: String,
}

/// Shows a fresh set of recovery codes, once.
pub fn codes_page(
    state: &AppState,
    headers: &HeaderMap,
    codes: Vec<String>,
    cookies: Vec<String>,
) -> AppResult<Response> {
    let text = format!(
        "{}\n\n{}\n\n{}\n",
        crate::tr!(
            "recovery-codes-file-heading",
            product = crate::i18n::product()
        ),
        crate::tr!("recovery-codes-file-note"),
        codes.join("\n")
    );
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        url::form_urlencoded::byte_serialize(text.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    );
    let ctx = PageCtx::new(state, headers);
    let page = CodesPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        codes,
        download,
    };
    ctx.respond(StatusCode::OK, &page, cookies)
}

/// After a factor is stored: audit, notice, recovery codes with the first factor, then onwards.
async fn enrolled(
    state: &AppState,
    headers: &HeaderMap,
    meta: &ClientMeta,
    who: Who,
    factor: Factor,
    proof: Proof,
) -> AppResult<Response> {
    let user_id = who.user_id().to_string();
    state
        .audit(
            "factor.enrolled",
            meta,
            Some(&user_id),
            None,
            serde_json::json!({ "factor_id": factor.id, "type": factor.kind.as_str() }),
        )
        .await;
    let security = format!("{}/u/account/security", state.issuer());
    ui::notify_user(state, &user_id, || {
        (
            crate::tr!("email-factor-added-subject"),
            crate::tr!(
                "email-factor-added",
                kind = crate::ui::kind_label(factor.kind),
                name = factor.name.as_str(),
                link = security
            ),
        )
    })
    .await;
    let active = ui::active_factors(state, &user_id).await?.len();
    let codes = if active == 1 {
        Some(state.factors().issue_recovery_codes(&user_id).await?)
    } else {
        None
    };
    if let Who::Tx(id, mut tx) = who {
        tx.proofs.push(proof);
        tx.enroll = false;
        match codes {
            Some(codes) => {
                flow::save(state, &id, &tx).await?;
                codes_page(state, headers, codes, vec![])
            }
            None => flow::finish(state, headers, meta, Some(&id), tx, vec![]).await,
        }
    } else {
        let mut cookies = Vec::new();
        if let Who::Session(mut session) = who {
            // Enrolment proved possession of the new factor: it counts as a fresh proof, so
            // adding a second method right after the first does not ask again.
            session.prove([proof]);
            let token = random::token();
            state
                .store()
                .reauthenticate_session(&session, &token_digest(&token))
                .await?;
            cookies.push(ui::session_cookie(state, &token));
        }
        match codes {
            Some(codes) => codes_page(state, headers, codes, cookies),
            None => Ok(ui::see_other("/u/account/security", &cookies)),
        }
    }
}

/// `POST /u/enroll/continue`: after the recovery codes, finish the sign-in (or go back to the
/// security page).
pub async fn continue_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        ui::posted(&state, &headers, &body)?;
        match flow::load(&state, &headers).await? {
            // The gate decides: a sign-in still short of its demands goes to its next step.
            Some((id, tx)) if !tx.enroll && !tx.proofs.is_empty() => {
                flow::finish(&state, &headers, &meta, Some(&id), tx, vec![]).await
            }
            _ => Ok(ui::see_other("/u/account/security", &[])),
        }
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "enroll_oob.html")]
struct OobPage {
    csrf: String,
    nonce: String,
    channel: &'static str,
    sms: bool,
    target: String,
    enrollment: String,
    error: Option<String>,
}

/// Query of `GET /u/enroll/oob`.
#[derive(Debug, serde::Deserialize)]
pub struct OobQuery {
    channel: Option<String>,
}

fn channel_of(name: Option<&str>) -> AppResult<(FactorKind, Channel, &'static str)> {
    match name {
        Some("sms") => Ok((FactorKind::Sms, Channel::Sms, "sms")),
        Some("email") | None => Ok((FactorKind::Email, Channel::Email, "email")),
        _ => Err(AppError::page(
            StatusCode::BAD_REQUEST,
            crate::tr!("enroll-error-channel"),
        )),
    }
}

/// Refuses a kind the policy does not allow, or one this sign-in already proved.
fn refuse(state: &AppState, who: &Who, kind: FactorKind) -> AppResult<()> {
    if !who.policy(state).allows(kind) {
        return Err(AppError::page(
            StatusCode::BAD_REQUEST,
            crate::tr!("enroll-error-not-allowed"),
        ));
    }
    if who.already_proved(kind) {
        return Err(AppError::page(
            StatusCode::BAD_REQUEST,
            crate::tr!("enroll-error-email-proved"),
        ));
    }
    Ok(())
}

/// `GET /u/enroll/oob?channel=email|sms`: asks where to send codes.
pub async fn oob_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<OobQuery>,
) -> Response {
    let result = async {
        let who = match who(&state, &headers).await? {
            Ok(w) => w,
            Err(redirect) => return Ok(redirect),
        };
        let (kind, _, channel) = channel_of(q.channel.as_deref())?;
        refuse(&state, &who, kind)?;
        let target = if kind == FactorKind::Email {
            user_email(&state, who.user_id()).await?
        } else {
            String::new()
        };
        let ctx = PageCtx::new(&state, &headers);
        let page = OobPage {
            csrf: ctx.csrf.clone(),
            nonce: ctx.nonce.clone(),
            channel,
            sms: kind == FactorKind::Sms,
            target,
            enrollment: String::new(),
            error: None,
        };
        ctx.respond(StatusCode::OK, &page, vec![])
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Checks an address or phone number a person typed.
pub(crate) fn valid_target(kind: FactorKind, target: &str) -> Option<String> {
    match kind {
        FactorKind::Email => portcullis_core::admin::parse_email(target).ok(),
        _ => {
            let t: String = target
                .chars()
                .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
                .collect();
            let digits = t.strip_prefix('+')?;
            (digits.len() >= 8 && digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit()))
                .then_some(t)
        }
    }
}

/// `POST /u/enroll/oob`: `step=send` sends a code to the address; `step=verify` checks it and
/// stores the factor.
pub async fn oob_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let (form, who) = match posted_by(&state, &meta, &headers, &body).await? {
            Ok(posted) => posted,
            Err(redirect) => return Ok(redirect),
        };
        let user_id = who.user_id().to_string();
        let (kind, channel, name) = channel_of(form.get("channel"))?;
        refuse(&state, &who, kind)?;
        let now = state.now();
        let ctx = PageCtx::new(&state, &headers);
        let mut page = OobPage {
            csrf: ctx.csrf.clone(),
            nonce: ctx.nonce.clone(),
            channel: name,
            sms: kind == FactorKind::Sms,
            target: form.get("target").unwrap_or_default().to_string(),
            enrollment: String::new(),
            error: None,
        };
        if form.get("step") != Some("verify") {
            let Some(target) = valid_target(kind, &page.target) else {
                page.error = Some(if page.sms {
                    crate::tr!("enroll-oob-error-sms")
                } else {
                    crate::tr!("enroll-oob-error-email")
                });
                return ctx.respond(StatusCode::UNPROCESSABLE_ENTITY, &page, vec![]);
            };
            let (record, code) = state
                .factors()
                .new_code(Some(&user_id), "enroll", name, &target, serde_json::json!({}))
                .await?;
            crate::ui::mfa::deliver_code(&state, &user_id, channel, &target, &code).await?;
            let id = random::id("enr");
            state
                .store()
                .put_flow(&Flow {
                    id: id.clone(),
                    kind: "oob_enroll".into(),
                    user_id: Some(user_id.clone()),
                    data: serde_json::json!({ "code_id": record.id, "target": target, "channel": name }),
                    expires_at: now + ENROLL_TTL,
                })
                .await?;
            page.target = target;
            page.enrollment = id;
            return ctx.respond(StatusCode::OK, &page, vec![]);
        }
        let id = form.get("enrollment").unwrap_or_default().to_string();
        let flow = state
            .store()
            .flow(&id, now)
            .await?
            .filter(|f| f.kind == "oob_enroll" && f.user_id.as_deref() == Some(&user_id) && f.data["channel"] == name)
            .ok_or_else(enrollment_expired)?;
        let code_id = flow.data["code_id"].as_str().unwrap_or_default().to_string();
        let target = flow.data["target"].as_str().unwrap_or_default().to_string();
        let method = if kind == FactorKind::Sms { Method::SmsOtp } else { Method::EmailOtp };
        let code = form.get("code").unwrap_or_default();
        match state.factors().verify_code(&user_id, &code_id, code, method).await? {
            Outcome::Proved(_) => {}
            Outcome::Throttled { retry_after } => return Err(AppError::Throttled(retry_after)),
            Outcome::Wrong { .. } => {
                page.target = target;
                page.enrollment = id;
                page.error = Some(crate::tr!("enroll-oob-error-code"));
                return ctx.respond(StatusCode::UNPROCESSABLE_ENTITY, &page, vec![]);
            }
        }
        if state.store().take_flow(&id, now).await?.is_none() {
            return Err(enrollment_expired());
        }
        let factor = Factor {
            id: random::id("fac"),
            user_id: user_id.clone(),
            kind,
            name: if kind == FactorKind::Sms {
                crate::tr!("enroll-oob-name-sms")
            } else {
                crate::tr!("enroll-oob-name-email")
            },
            secret_enc: None,
            target: Some(target),
            credential_id: None,
            detail: serde_json::json!({}),
            sign_count: 0,
            last_step: None,
            active: true,
            created_at: now,
            last_used_at: Some(now),
        };
        state.store().create_factor(&factor).await?;
        let proof = Proof::new(method, now, Some(factor.id.clone()));
        enrolled(&state, &headers, &meta, who, factor, proof).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "enroll_webauthn.html")]
struct WebauthnPage {
    csrf: String,
    nonce: String,
    passkey: bool,
    options: String,
    enrollment: String,
    name: String,
    error: Option<String>,
}

/// Query of `GET /u/enroll/webauthn`.
#[derive(Debug, serde::Deserialize)]
pub struct WebauthnQuery {
    style: Option<String>,
}

fn style_of(name: Option<&str>) -> AppResult<Style> {
    match name {
        Some("passkey") | None => Ok(Style::Passkey),
        Some("security_key") => Ok(Style::SecurityKey),
        _ => Err(AppError::page(
            StatusCode::BAD_REQUEST,
            crate::tr!("enroll-error-style"),
        )),
    }
}

/// A registration challenge for the user, stored server-side, rendered as the page.
async fn webauthn_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    user_id: &str,
    style: Style,
    name: &str,
    error: Option<String>,
) -> AppResult<Response> {
    let email = user_email(state, user_id).await?;
    let existing: Vec<String> = state
        .store()
        .factors(user_id)
        .await?
        .into_iter()
        .filter_map(|f| f.credential_id)
        .collect();
    let challenge = state
        .webauthn()?
        .start_registration(user_id, &email, &email, &existing, style)?;
    let enrollment =
        flow::put_ceremony(state, "webauthn_register", Some(user_id), challenge.state).await?;
    let ctx = PageCtx::new(state, headers);
    let page = WebauthnPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        passkey: style == Style::Passkey,
        options: challenge.options.to_string(),
        enrollment,
        name: name.into(),
        error,
    };
    ctx.respond(status, &page, vec![])
}

fn default_name(style: Style) -> String {
    match style {
        Style::Passkey => crate::tr!("enroll-passkey-name"),
        Style::SecurityKey => crate::tr!("enroll-key-name"),
    }
}

/// `GET /u/enroll/webauthn?style=passkey|security_key`: the registration ceremony.
pub async fn webauthn_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<WebauthnQuery>,
) -> Response {
    let result = async {
        let who = match who(&state, &headers).await? {
            Ok(w) => w,
            Err(redirect) => return Ok(redirect),
        };
        let style = style_of(q.style.as_deref())?;
        refuse(&state, &who, FactorKind::Webauthn)?;
        webauthn_page(
            &state,
            &headers,
            StatusCode::OK,
            who.user_id(),
            style,
            &default_name(style),
            None,
        )
        .await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/enroll/webauthn`: checks the authenticator's answer and stores the credential.
pub async fn webauthn_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let (form, who) = match posted_by(&state, &meta, &headers, &body).await? {
            Ok(posted) => posted,
            Err(redirect) => return Ok(redirect),
        };
        refuse(&state, &who, FactorKind::Webauthn)?;
        let user_id = who.user_id().to_string();
        let (ceremony, response) = flow::answer(
            &state,
            &form,
            "enrollment",
            "webauthn_register",
            Some(&user_id),
        )
        .await?
        .ok_or_else(enrollment_expired)?;
        let style: Style =
            serde_json::from_value(ceremony["style"].clone()).map_err(|_| enrollment_expired())?;
        let name = nickname(&form, &default_name(style));
        let new = match state.webauthn()?.finish_registration(&response, &ceremony) {
            Ok(n) => n,
            Err(e) => {
                tracing::info!(error = %e, "webauthn registration refused");
                return webauthn_page(
                    &state,
                    &headers,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &user_id,
                    style,
                    &name,
                    Some(crate::tr!("enroll-webauthn-error")),
                )
                .await;
            }
        };
        let user_verified = new.detail["user_verified"].as_bool().unwrap_or(false);
        let device_bound = !new.detail["backup_eligible"].as_bool().unwrap_or(true);
        let factor = match state.factors().enroll_webauthn(&user_id, new, &name).await {
            Ok(f) => f,
            Err(portcullis_core::Error::Conflict(_)) => {
                return webauthn_page(
                    &state,
                    &headers,
                    StatusCode::CONFLICT,
                    &user_id,
                    style,
                    &name,
                    Some(crate::tr!("webauthn-error-registered")),
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
        let mut proof = Proof::new(Method::Webauthn, state.now(), Some(factor.id.clone()));
        proof.user_verified = user_verified;
        proof.device_bound = device_bound;
        enrolled(&state, &headers, &meta, who, factor, proof).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}
