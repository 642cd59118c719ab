//! Sign-up on the hosted pages (`/u/signup…`), when the tenant's or the client's policy has
//! `signup = true`; `/authorize` opens it for `screen_hint=signup` or `prompt=create`.
//!
//! No account exists until the address is proved: the form's data waits server-side, bound to
//! this browser, and the email carries both a six-digit code (typed here) and a link (which
//! works in any browser). So nobody can claim an address they do not read, and an account made
//! in someone else's name never exists. The answer is the same whether the address already has
//! an account or not: the owner of an existing one gets an email saying so instead of a code.
//! Email verification at sign-in (`/u/verify`, policy `require_verified_email`) is here too.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::admin::parse_email;
use portcullis_core::authn::assurance::{Method, Proof};
use portcullis_core::authn::factors::{
    EMAIL_VERIFY, Outcome, SIGNUP_CODE, SIGNUP_TTL, signup_mail_key,
};
use portcullis_core::crypto::secret::SecretString;
use portcullis_core::crypto::{random, token_digest};
use portcullis_core::model::{Flow, User};
use portcullis_core::notify::Message;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::http::{ClientMeta, cookie};
use crate::oidc::authorize::AuthorizeRequest;
use crate::ratelimit::Class;
use crate::state::AppState;
use crate::ui::flow::Resume;
use crate::ui::login::{after_first_factor, target};
use crate::ui::{self, PageCtx};

const KIND: &str = "signup";
const VERIFY_KIND: &str = "verify_email";
const COOKIE: &str = "signup";
const VERIFY_COOKIE: &str = "verify";

/// A sign-up waiting for its address to be proved.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    email: String,
    name: Option<String>,
    /// `None` when the address already has an account: then nothing will ever be created.
    password_hash: Option<String>,
    /// The emailed code's record (a random id nobody holds a code for, for a taken address).
    code_id: String,
    resume: Resume,
    /// New codes sent since the first (bounded, so the form cannot be used to flood a mailbox).
    #[serde(default)]
    resent: u32,
    /// The address of the existing account this sign-up collides with (the same address, or
    /// one that looks like it): the only one told about the attempt.
    #[serde(default)]
    owner: Option<String>,
}

/// How many times a sign-up may ask for a new code.
const MAX_RESENDS: u32 = 3;

/// A sign-in held until the user proves their email address.
#[derive(Debug, Serialize, Deserialize)]
struct Verifying {
    user_id: String,
    proof: Proof,
    resume: Resume,
    code_id: String,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage<'a> {
    state: &'a str,
    return_to: &'a str,
    csrf: String,
    nonce: String,
    client_name: &'a str,
    client_logo: Option<String>,
    email: &'a str,
    name: &'a str,
    min: usize,
    single: bool,
    error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "signup_code.html")]
struct CodePage<'a> {
    csrf: String,
    nonce: String,
    heading: &'a str,
    action: &'a str,
    email: &'a str,
    error: Option<&'a str>,
    notice: Option<&'a str>,
    /// Whether "send a new code" is offered (sign-up; a sign-in asks again by signing in).
    resend: bool,
}

/// Query of `GET /u/signup`.
#[derive(Debug, Deserialize)]
pub struct SignupQuery {
    state: Option<String>,
    return_to: Option<String>,
}

/// Whether the policy for this request (the client's, or the tenant's for hosted pages) lets
/// people create accounts.
pub async fn allowed(state: &AppState, request: Option<&AuthorizeRequest>) -> bool {
    state
        .policy(
            request.map(|r| r.client_id.as_str()),
            request.and_then(|r| r.audience.as_deref()),
        )
        .await
        .signup
}

/// Whether a new password will be the account's only factor: unless policy makes every user
/// enrol a second one, it may stay so, and the longer minimum applies.
async fn single_factor(state: &AppState, request: Option<&AuthorizeRequest>) -> bool {
    let policy = state
        .policy(
            request.map(|r| r.client_id.as_str()),
            request.and_then(|r| r.audience.as_deref()),
        )
        .await;
    policy.mfa != crate::config::MfaMode::Always
}

fn closed() -> Response {
    ui::message(
        StatusCode::NOT_FOUND,
        &crate::tr!("signup-closed-heading"),
        &crate::tr!("signup-closed-text"),
    )
}

fn expired() -> Response {
    ui::message(
        StatusCode::GONE,
        &crate::tr!("signup-expired-heading"),
        &crate::tr!(
            "signup-expired-text",
            valid = crate::i18n::duration(SIGNUP_TTL)
        ),
    )
}

struct Form<'a> {
    email: &'a str,
    name: &'a str,
    error: Option<&'a str>,
}

async fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    resume: &Resume,
    request: Option<&AuthorizeRequest>,
    form: Form<'_>,
) -> AppResult<Response> {
    let client_name = match request {
        Some(r) => state
            .client(&r.client_id)
            .await
            .map(|c| c.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let (id, return_to) = crate::ui::login::form_fields(resume);
    let single = single_factor(state, request).await;
    let ctx = PageCtx::new(state, headers);
    let page = SignupPage {
        state: id,
        return_to,
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        client_name: &client_name,
        client_logo: request.and_then(|r| ui::client_logo(state, &r.client_id)),
        email: form.email,
        name: form.name,
        min: ui::password::min_length(single),
        single,
        error: form.error,
    };
    ctx.respond(status, &page, vec![])
}

/// `GET /u/signup?state=…`: the sign-up form.
pub async fn signup_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SignupQuery>,
) -> Response {
    let result: AppResult<Response> = async {
        let (resume, request) = target(&state, q.state.as_deref(), q.return_to.as_deref()).await?;
        if !allowed(&state, request.as_ref()).await {
            return Ok(closed());
        }
        let hint = request
            .as_ref()
            .and_then(|r| r.login_hint.clone())
            .unwrap_or_default();
        let form = Form {
            email: &hint,
            name: "",
            error: None,
        };
        page(
            &state,
            &headers,
            StatusCode::OK,
            &resume,
            request.as_ref(),
            form,
        )
        .await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/signup`: checks the form, keeps it server-side and emails the address a code and a
/// link (or, when it has an account already, a note saying so). The answer is the same.
pub async fn signup_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result: AppResult<Response> = async {
        let form = ui::posted(&state, &headers, &body)?;
        let (resume, request) = target(&state, form.get("state"), form.get("return_to")).await?;
        if !allowed(&state, request.as_ref()).await {
            return Ok(closed());
        }
        state.limit(Class::Login, &meta).await?;
        let raw_email = form.get("email").unwrap_or_default();
        let name = ui::clean_name(form.get("name").unwrap_or_default());
        let password = form.get("password").unwrap_or_default().to_string();
        fn refuse<'a>(email: &'a str, name: &'a str, error: &'a str) -> Form<'a> {
            Form {
                email,
                name,
                error: Some(error),
            }
        }
        let Ok(email) = parse_email(raw_email) else {
            let error = crate::tr!("signup-error-email");
            let form = refuse(raw_email, &name, &error);
            return page(
                &state,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                &resume,
                request.as_ref(),
                form,
            )
            .await;
        };
        let single = single_factor(&state, request.as_ref()).await;
        let personal = [email.clone(), name.clone()];
        if let Err(why) = ui::password::judge(&password, single, personal).await? {
            let form = refuse(raw_email, &name, &why);
            return page(
                &state,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                &resume,
                request.as_ref(),
                form,
            )
            .await;
        }
        // Hashed either way, so the time to answer does not tell which addresses are taken.
        let hash = state.hasher().hash(SecretString::new(password)).await?;
        // Taken: the address itself, or one a reader cannot tell from it (a Cyrillic `а`, a
        // fullwidth letter), so nobody can open an account that wears another's face.
        let existing = match state.store().user_by_email(&email).await? {
            Some(u) => Some(u),
            None => state.store().user_look_alike(&email).await?,
        };
        let token = random::token();
        let flow_id = token_digest(&token);
        let (code_id, mail) = match &existing {
            None => proofs(&state, &email, &flow_id).await?,
            Some(owner) => (random::id("otp"), taken_email(&state, &owner.email).await),
        };
        let pending = Pending {
            email: email.clone(),
            name: Some(name.clone()).filter(|n| !n.is_empty()),
            password_hash: existing.is_none().then_some(hash),
            code_id,
            resume,
            resent: 0,
            owner: existing.as_ref().map(|u| u.email.clone()),
        };
        state
            .store()
            .put_flow(&Flow {
                id: flow_id,
                kind: KIND.into(),
                user_id: None,
                data: serde_json::to_value(&pending)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                expires_at: state.now() + SIGNUP_TTL,
            })
            .await?;
        state
            .audit(
                "signup.requested",
                &meta,
                existing.as_ref().map(|u| u.id.as_str()),
                request.as_ref().map(|r| r.client_id.as_str()),
                serde_json::json!({ "taken": existing.is_some() }),
            )
            .await;
        send_signup_mail(&state, mail).await?;
        let cookie = ui::set_cookie(&state, COOKIE, &token, SIGNUP_TTL);
        Ok(ui::see_other("/u/signup/verify", &[cookie]))
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// A new code and link for the sign-up `flow_id` (older ones die): the code's record id and
/// the email that carries both.
async fn proofs(state: &AppState, email: &str, flow_id: &str) -> AppResult<(String, Message)> {
    let (record, code) = state
        .factors()
        .new_code(None, SIGNUP_CODE, "email", email, serde_json::json!({}))
        .await?;
    let link = state
        .factors()
        .new_signup_link(email, serde_json::json!({ "flow": flow_id }))
        .await?;
    Ok((record.id, verification_email(state, email, &code, &link)))
}

fn verification_email(state: &AppState, email: &str, code: &str, link: &str) -> Message {
    let url = format!("{}/u/signup/confirm?t={link}", state.issuer());
    let text = crate::tr!(
        "email-signup-code",
        code = code,
        link = url,
        valid = crate::i18n::duration(30 * 60)
    );
    ui::email(email, &crate::tr!("email-verify-subject"), &text)
}

/// The note to an existing account's address, in that account's language (not the language of
/// whoever typed the address into the sign-up form).
async fn taken_email(state: &AppState, email: &str) -> Message {
    match state.store().user_by_email(email).await {
        Ok(Some(owner)) => crate::i18n::for_user(state, &owner.id)
            .await
            .run(|| taken_text(state, email)),
        _ => taken_text(state, email),
    }
}

fn taken_text(state: &AppState, email: &str) -> Message {
    let text = crate::tr!(
        "email-signup-taken",
        account = format!("{}/u/account/security", state.issuer()),
        reset = format!("{}/u/reset", state.issuer())
    );
    ui::email(email, &crate::tr!("email-signup-taken-subject"), &text)
}

/// Sends a sign-up email unless the address had too many already (the lockout schedule on a
/// per-address counter: a few at once, then ever longer waits, at most 20 a day); the page says
/// the same either way.
async fn send_signup_mail(state: &AppState, message: Message) -> AppResult<()> {
    let key = signup_mail_key(state.master(), &message.to);
    // Reserved atomically, so a burst of requests cannot send more than the schedule allows.
    let Ok(_counted) = state.factors().reserve(&key).await? else {
        tracing::info!("sign-up email held back: too many for this address");
        return Ok(());
    };
    ui::send_later(state, message);
    Ok(())
}

/// The flow of `kind` named by this browser's `base` cookie: its id and data.
pub(crate) async fn cookie_flow<T: serde::de::DeserializeOwned>(
    state: &AppState,
    headers: &HeaderMap,
    base: &str,
    kind: &str,
) -> AppResult<Option<(String, T)>> {
    let Some(token) = cookie(headers, &ui::cookie_name(state, base)).filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    let id = token_digest(token);
    let Some(flow) = state
        .store()
        .flow(&id, state.now())
        .await?
        .filter(|f| f.kind == kind)
    else {
        return Ok(None);
    };
    let data = serde_json::from_value(flow.data).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Some((id, data)))
}

/// This browser's sign-up in progress: its flow id and data.
async fn pending(state: &AppState, headers: &HeaderMap) -> AppResult<Option<(String, Pending)>> {
    cookie_flow(state, headers, COOKIE, KIND).await
}

/// The sign-up's code page with `error` or `notice`.
fn signup_code_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: &str,
    error: Option<&str>,
    notice: Option<&str>,
) -> AppResult<Response> {
    code_page(
        state,
        headers,
        status,
        "/u/signup/verify",
        email,
        error,
        notice,
    )
}

fn code_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    action: &str,
    email: &str,
    error: Option<&str>,
    notice: Option<&str>,
) -> AppResult<Response> {
    let ctx = PageCtx::new(state, headers);
    let signing_up = action != "/u/verify";
    let heading = if signing_up {
        crate::tr!("signup-code-heading")
    } else {
        crate::tr!("verify-heading")
    };
    let page = CodePage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        heading: &heading,
        action,
        email,
        error,
        notice,
        resend: signing_up,
    };
    ctx.respond(status, &page, vec![])
}

/// `GET /u/signup/verify`: asks for the emailed code.
pub async fn verify_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result: AppResult<Response> = async {
        let Some((_, p)) = pending(&state, &headers).await? else {
            return Ok(expired());
        };
        signup_code_page(&state, &headers, StatusCode::OK, &p.email, None, None)
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/signup/verify`: the code proves the address; the account is created and the person
/// signed in (a second factor follows when policy asks).
pub async fn verify_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result: AppResult<Response> = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Factor, &meta).await?;
        let Some((id, p)) = pending(&state, &headers).await? else {
            return Ok(expired());
        };
        let code = form.get("code").unwrap_or_default().trim();
        let spent = state.factors().spend_code(&p.code_id, code).await?;
        if spent.is_none() {
            state
                .audit(
                    "signup.failed",
                    &meta,
                    None,
                    None,
                    serde_json::json!({ "reason": "wrong_code" }),
                )
                .await;
            return code_page(
                &state,
                &headers,
                StatusCode::UNAUTHORIZED,
                "/u/signup/verify",
                &p.email,
                Some(&crate::tr!("signup-code-error")),
                None,
            );
        }
        let mut resp = create(&state, &headers, &meta, &id, p, true).await?;
        ui::clear_cookie(&state, &mut resp, COOKIE);
        Ok(resp)
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/signup/resend`: a new code and link for this browser's sign-up (the older ones
/// stop working), at most [`MAX_RESENDS`] times; for a taken address, the owner's note again,
/// so the answer stays the same.
pub async fn resend_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result: AppResult<Response> = async {
        ui::posted(&state, &headers, &body)?;
        state.limit(Class::Factor, &meta).await?;
        let Some((id, mut p)) = pending(&state, &headers).await? else {
            return Ok(expired());
        };
        if p.resent >= MAX_RESENDS {
            return code_page(
                &state,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                "/u/signup/verify",
                &p.email,
                Some(&crate::tr!("signup-code-too-many")),
                None,
            );
        }
        p.resent += 1;
        let mail = if p.password_hash.is_some() {
            let (code_id, mail) = proofs(&state, &p.email, &id).await?;
            p.code_id = code_id;
            mail
        } else {
            taken_email(&state, p.owner.as_deref().unwrap_or(&p.email)).await
        };
        let data = serde_json::to_value(&p).map_err(|e| AppError::Internal(e.to_string()))?;
        if !state.store().update_flow(&id, &data, state.now()).await? {
            return Ok(expired());
        }
        send_signup_mail(&state, mail).await?;
        signup_code_page(
            &state,
            &headers,
            StatusCode::OK,
            &p.email,
            None,
            Some(&crate::tr!("signup-code-resent")),
        )
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /u/signup/confirm?t=…`: a button (mail scanners that open links spend nothing).
pub async fn confirm_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ui::LinkQuery>,
) -> Response {
    let page = ui::LinkButton {
        heading: crate::tr!("signup-confirm-heading"),
        lead: crate::tr!("signup-confirm-lead"),
        action: "/u/signup/confirm",
        button: crate::tr!("signup-confirm-button"),
    };
    ui::link_button(&state, &headers, q.raw(), &page)
}

/// `POST /u/signup/confirm`: spends the link and creates the account; the browser that started
/// the sign-up goes on signing in, any other is told to sign in.
pub async fn confirm_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result: AppResult<Response> = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Factor, &meta).await?;
        let token = form.get("t").unwrap_or_default();
        let Some(record) = state.factors().spend_signup_link(token).await? else {
            return Ok(expired());
        };
        let flow_id = record.data["flow"].as_str().unwrap_or_default().to_string();
        let Some(flow) = state
            .store()
            .flow(&flow_id, state.now())
            .await?
            .filter(|f| f.kind == KIND)
        else {
            return Ok(expired());
        };
        let p: Pending =
            serde_json::from_value(flow.data).map_err(|e| AppError::Internal(e.to_string()))?;
        let same_browser = cookie(&headers, &ui::cookie_name(&state, COOKIE))
            .is_some_and(|t| token_digest(t) == flow_id);
        let mut resp = create(&state, &headers, &meta, &flow_id, p, same_browser).await?;
        if same_browser {
            ui::clear_cookie(&state, &mut resp, COOKIE);
        }
        Ok(resp)
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Ends a proved sign-up (at most once: the flow is taken) by creating the account, then signs
/// in when `sign_in` (the browser that filled the form) or says the account is ready.
async fn create(
    state: &AppState,
    headers: &HeaderMap,
    meta: &ClientMeta,
    flow_id: &str,
    p: Pending,
    sign_in: bool,
) -> AppResult<Response> {
    if state
        .store()
        .take_flow(flow_id, state.now())
        .await?
        .is_none()
    {
        return Ok(expired());
    }
    let Some(password_hash) = p.password_hash else {
        // A taken address: nobody holds its code, but a lucky guess still creates nothing.
        return Ok(expired());
    };
    let now = state.now();
    let user = User {
        id: random::id("usr"),
        email: p.email,
        email_verified: true,
        name: p.name,
        password_hash: Some(password_hash),
        blocked: false,
        created_at: now,
        last_login: None,
        user_metadata: portcullis_core::model::empty_object(),
        app_metadata: portcullis_core::model::empty_object(),
    };
    match state.store().create_user(&user).await {
        Ok(()) => {}
        // The address was registered while this sign-up waited.
        Err(portcullis_core::Error::Conflict(_)) => return Ok(expired()),
        Err(e) => return Err(e.into()),
    }
    // Emails from now on are written in the language the account was made in.
    if let Err(e) = state
        .store()
        .set_user_locale(&user.id, Some(&crate::i18n::lang()))
        .await
    {
        tracing::warn!(error = %e, "new user's language not stored");
    }
    state
        .audit(
            "signup.success",
            meta,
            Some(&user.id),
            match &p.resume {
                Resume::Authorize(id) => crate::ui::flow::pending_request(state, id)
                    .await?
                    .map(|r| r.client_id),
                _ => None,
            }
            .as_deref(),
            serde_json::json!({ "email_verified": true }),
        )
        .await;
    tracing::info!(user_id = %user.id, "account created by sign-up");
    let request = match &p.resume {
        Resume::Authorize(id) => crate::ui::flow::pending_request(state, id).await?,
        _ => None,
    };
    let resumable = matches!(p.resume, Resume::Path(_)) || request.is_some();
    if !sign_in || !resumable {
        return Ok(ui::message(
            StatusCode::OK,
            &crate::tr!("signup-ready-heading"),
            &crate::tr!("signup-ready-text"),
        ));
    }
    let proof = Proof::new(Method::Password, now, None);
    after_first_factor(
        state,
        headers,
        meta,
        &user,
        proof,
        p.resume,
        request.as_ref(),
    )
    .await
}

/// Holds a sign-in until the user proves their email address with a code (policy
/// `require_verified_email`): the code goes out now, and `/u/verify` finishes the sign-in.
pub async fn require_verified(
    state: &AppState,
    user: &User,
    proof: Proof,
    resume: Resume,
) -> AppResult<Response> {
    let (record, code) = state
        .factors()
        .new_code(
            Some(&user.id),
            EMAIL_VERIFY,
            "email",
            &user.email,
            serde_json::json!({}),
        )
        .await?;
    let message = crate::i18n::for_user(state, &user.id).await.run(|| {
        let text = crate::tr!(
            "email-verify-code",
            code = code.as_str(),
            valid = crate::i18n::duration(10 * 60)
        );
        ui::email(
            user.email.clone(),
            &crate::tr!("email-verify-subject"),
            &text,
        )
    });
    ui::send_later(state, message);
    let held = Verifying {
        user_id: user.id.clone(),
        proof,
        resume,
        code_id: record.id,
    };
    let token = random::token();
    state
        .store()
        .put_flow(&Flow {
            id: token_digest(&token),
            kind: VERIFY_KIND.into(),
            user_id: Some(user.id.clone()),
            data: serde_json::to_value(&held).map_err(|e| AppError::Internal(e.to_string()))?,
            expires_at: state.now() + portcullis_core::factor::otp::TTL,
        })
        .await?;
    let cookie = ui::set_cookie(
        state,
        VERIFY_COOKIE,
        &token,
        portcullis_core::factor::otp::TTL,
    );
    Ok(ui::see_other("/u/verify", &[cookie]))
}

async fn verifying(
    state: &AppState,
    headers: &HeaderMap,
) -> AppResult<Option<(String, Verifying)>> {
    cookie_flow(state, headers, VERIFY_COOKIE, VERIFY_KIND).await
}

/// `GET /u/verify`: asks for the code sent to the user's address.
pub async fn email_verify_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result: AppResult<Response> = async {
        let Some((_, v)) = verifying(&state, &headers).await? else {
            return Ok(expired());
        };
        let email = ui::enroll::user_email(&state, &v.user_id).await?;
        code_page(
            &state,
            &headers,
            StatusCode::OK,
            "/u/verify",
            &email,
            None,
            None,
        )
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/verify`: the code marks the address verified and the sign-in goes on.
pub async fn email_verify_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result: AppResult<Response> = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Factor, &meta).await?;
        let Some((id, v)) = verifying(&state, &headers).await? else {
            return Ok(expired());
        };
        let code = form.get("code").unwrap_or_default().trim();
        let outcome = state
            .factors()
            .verify_code(&v.user_id, &v.code_id, code, Method::EmailOtp)
            .await?;
        let Some(mut user) = state.store().user_by_id(&v.user_id).await? else {
            return Ok(expired());
        };
        match outcome {
            Outcome::Proved(_) => {}
            Outcome::Throttled { retry_after } => return Err(AppError::Throttled(retry_after)),
            Outcome::Wrong { .. } => {
                return code_page(
                    &state,
                    &headers,
                    StatusCode::UNAUTHORIZED,
                    "/u/verify",
                    &user.email,
                    Some(&crate::tr!("verify-error")),
                    None,
                );
            }
        }
        if state.store().take_flow(&id, state.now()).await?.is_none() {
            return Ok(expired());
        }
        user.email_verified = true;
        state.store().update_user(&user).await?;
        state
            .audit(
                "user.email_verified",
                &meta,
                Some(&user.id),
                None,
                serde_json::json!({ "by": "code" }),
            )
            .await;
        let request = match &v.resume {
            Resume::Authorize(pending) => crate::ui::flow::pending_request(&state, pending).await?,
            _ => None,
        };
        let mut resp = after_first_factor(
            &state,
            &headers,
            &meta,
            &user,
            v.proof,
            v.resume,
            request.as_ref(),
        )
        .await?;
        ui::clear_cookie(&state, &mut resp, VERIFY_COOKIE);
        Ok(resp)
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}
