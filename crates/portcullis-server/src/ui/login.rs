//! The sign-in page (`/u/login`): the first factor, then on to a second factor when policy asks.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::authn::assurance::{Method, Proof};
use portcullis_core::authn::factors::{Outcome, password_key};
use portcullis_core::crypto::secret::SecretString;
use portcullis_core::model::User;
use portcullis_proto::acr::Acr;

use crate::error::{AppError, AppResult};
use crate::gate;
use crate::http::ClientMeta;
use crate::oidc::authorize::AuthorizeRequest;
use crate::ratelimit::Class;
use crate::state::AppState;
use crate::ui::flow::{self, Resume, Tx};
use crate::ui::{self, PageCtx, device};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    state: &'a str,
    return_to: &'a str,
    csrf: String,
    nonce: String,
    client_name: &'a str,
    /// The app's own logo (`logo_uri`), beside "to continue to …".
    client_logo: Option<String>,
    email: &'a str,
    error: Option<&'a str>,
    signup: bool,
    upstreams: Vec<crate::ui::upstream::Button>,
    passkeys: bool,
}

/// Query of `GET /u/login`.
#[derive(Debug, serde::Deserialize)]
pub struct LoginQuery {
    state: Option<String>,
    return_to: Option<String>,
}

fn expired() -> AppError {
    AppError::page(StatusCode::BAD_REQUEST, crate::tr!("login-expired"))
}

/// Where the sign-in resumes: a pending authorization, or a hosted page.
pub(crate) async fn target(
    state: &AppState,
    id: Option<&str>,
    return_to: Option<&str>,
) -> AppResult<(Resume, Option<AuthorizeRequest>)> {
    match (id, return_to) {
        (Some(id), _) => {
            let request = flow::pending_request(state, id)
                .await?
                .ok_or_else(expired)?;
            Ok((Resume::Authorize(id.to_string()), Some(request)))
        }
        (None, Some(path)) if flow::allowed_return(path) => Ok((Resume::Path(path.into()), None)),
        _ => Err(expired()),
    }
}

/// The hidden `state` and `return_to` fields a form carries to resume `resume`.
pub(crate) fn form_fields(resume: &Resume) -> (&str, &str) {
    match resume {
        Resume::Authorize(id) => (id.as_str(), ""),
        Resume::Path(p) => ("", p.as_str()),
        Resume::Ticket | Resume::Reset => ("", ""),
    }
}

async fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    resume: &Resume,
    request: Option<&AuthorizeRequest>,
    email: &str,
    error: Option<&str>,
) -> AppResult<Response> {
    let client_name = match request {
        Some(r) => state.client(&r.client_id).await.ok_or_else(expired)?.name,
        None => String::new(),
    };
    let client_logo = request.and_then(|r| ui::client_logo(state, &r.client_id));
    let (id, return_to) = form_fields(resume);
    let signup = ui::signup::allowed(state, request).await;
    let ctx = PageCtx::new(state, headers);
    let page = LoginPage {
        state: id,
        return_to,
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        client_name: &client_name,
        client_logo,
        email,
        error,
        signup,
        upstreams: crate::ui::upstream::buttons(state, resume),
        passkeys: state.webauthn_on(),
    };
    ctx.respond(status, &page, vec![])
}

/// `GET /u/login?state=…` (or `?return_to=/u/account/security`).
pub async fn login_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let result = async {
        let (resume, request) = target(&state, q.state.as_deref(), q.return_to.as_deref()).await?;
        let hint = request
            .as_ref()
            .and_then(|r| r.login_hint.clone())
            .unwrap_or_default();
        page(
            &state,
            &headers,
            StatusCode::OK,
            &resume,
            request.as_ref(),
            &hint,
            None,
        )
        .await
    }
    .await;
    result.unwrap_or_else(axum::response::IntoResponse::into_response)
}

/// `POST /u/login`: checks CSRF, the throttles and the password, then signs in or moves on to
/// the second factor.
pub async fn login_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = ui::posted(&state, &headers, &body)?;
        let (resume, request) = target(&state, form.get("state"), form.get("return_to")).await?;
        state.limit(Class::Login, &meta).await?;
        let email = form.get("email").unwrap_or_default().trim().to_string();
        // Counted per address whether or not it has an account, so neither the wait nor the
        // work done tells an outsider which addresses are registered.
        let key = password_key(state.master(), &email);
        let user = state.store().user_by_email(&email).await?;
        let client_id = request.as_ref().map(|r| r.client_id.clone());
        let password = form.get("password").unwrap_or_default();
        let user = match password_attempt(
            &state,
            &meta,
            &key,
            user,
            password,
            client_id.as_deref(),
            serde_json::json!({}),
        )
        .await?
        {
            Checked::Right(user) => user,
            Checked::Wait(wait) => return Err(AppError::Throttled(wait)),
            Checked::Wrong => {
                return page(
                    &state,
                    &headers,
                    StatusCode::UNAUTHORIZED,
                    &resume,
                    request.as_ref(),
                    &email,
                    Some(&crate::tr!("login-error-wrong")),
                )
                .await;
            }
        };
        let proof = Proof::new(Method::Password, state.now(), None);
        // Cleared after the adaptive policy has seen the failures that came before.
        let next = after_first_factor(
            &state,
            &headers,
            &meta,
            &user,
            proof,
            resume,
            request.as_ref(),
        )
        .await;
        state.store().clear_failures(&key).await?;
        next
    }
    .await;
    result.unwrap_or_else(axum::response::IntoResponse::into_response)
}

/// After a right password: a hash imported from another system (or Argon2id below today's
/// cost) is replaced by Argon2id at this server's cost, once; the user as stored now.
async fn rehashed(
    state: &AppState,
    meta: &ClientMeta,
    mut user: User,
    password: &str,
) -> AppResult<User> {
    let Some(old) = user.password_hash.clone() else {
        return Ok(user);
    };
    if !state.hasher().needs_rehash(&old) {
        return Ok(user);
    }
    let scheme = old.split('$').nth(1).unwrap_or_default().to_string();
    let new = state.hasher().hash(SecretString::new(password)).await?;
    // Only over the hash just checked: a change made meanwhile (a new password, a reset) wins.
    if !state
        .store()
        .replace_password_hash(&user.id, &old, &new)
        .await?
    {
        return Ok(user);
    }
    user.password_hash = Some(new);
    state
        .audit(
            "password.rehashed",
            meta,
            Some(&user.id),
            None,
            serde_json::json!({ "from": scheme }),
        )
        .await;
    Ok(user)
}

/// The answer to a password tried against an account.
pub(crate) enum Checked {
    /// Right, and the account may sign in.
    Right(User),
    /// Wrong (or the account is blocked, or unknown): counted, audited.
    Wrong,
    /// The throttle says wait this many seconds; nothing was checked.
    Wait(i64),
}

/// Tries `password` against `user` (`None`: no such account, the same work is done) under the
/// per-address throttle `key`: the attempt is counted before the hash is checked, so parallel
/// guesses cannot outrun the lockout. A failure is audited (`login.failure`, with `detail`),
/// and so is the lockout it causes. On success the failures before it stay for the caller to
/// read (the adaptive policy) and clear.
pub(crate) async fn password_attempt(
    state: &AppState,
    meta: &ClientMeta,
    key: &str,
    user: Option<User>,
    password: &str,
    client_id: Option<&str>,
    detail: serde_json::Value,
) -> AppResult<Checked> {
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let usable = user.as_ref().is_some_and(|u| !u.blocked);
    let outcome = state
        .factors()
        .check_password(
            state.hasher(),
            key,
            hash,
            usable,
            SecretString::new(password),
        )
        .await?;
    let known_id = user.as_ref().map(|u| u.id.clone());
    match (outcome, user) {
        (Outcome::Proved(_), Some(user)) => {
            Ok(Checked::Right(rehashed(state, meta, user, password).await?))
        }
        (Outcome::Throttled { retry_after }, _) => Ok(Checked::Wait(retry_after)),
        (outcome, _) => {
            // The event's own field, then the caller's detail (`grant`, `provider`).
            let with_detail = |key: &str, value: &str| {
                let mut fields = detail.clone();
                if let Some(f) = fields.as_object_mut() {
                    f.insert(key.into(), value.into());
                }
                fields
            };
            let user = known_id.as_deref();
            let failure = with_detail("reason", "invalid_credentials");
            state
                .audit("login.failure", meta, user, client_id, failure)
                .await;
            if matches!(outcome, Outcome::Wrong { locked: true }) {
                let lockout = with_detail("secret", "password");
                state.audit("lockout", meta, user, client_id, lockout).await;
            }
            Ok(Checked::Wrong)
        }
    }
}

/// After the first factor: on to the gate, which signs in or sends the user on to a second
/// factor (or an enrolment) as the policy and the request demand.
pub async fn after_first_factor(
    state: &AppState,
    headers: &HeaderMap,
    meta: &ClientMeta,
    user: &User,
    proof: Proof,
    resume: Resume,
    request: Option<&AuthorizeRequest>,
) -> AppResult<Response> {
    let policy = state
        .policy(
            request.map(|r| r.client_id.as_str()),
            request.and_then(|r| r.audience.as_deref()),
        )
        .await;
    if policy.require_verified_email && !user.email_verified {
        return ui::signup::require_verified(state, user, proof, resume).await;
    }
    let (required, max_age) = match request {
        Some(r) => r.demands(&policy),
        None => (policy.required_acr, policy.max_age),
    };
    let fresh_required = max_age.is_some() || request.is_some_and(|r| r.forces_login());
    // Recorded now, before the right password clears the failures that may have raised it.
    let demand = gate::demand(state, meta, user, &policy, request, None).await?;
    let mut tx = Tx {
        user_id: user.id.clone(),
        proofs: vec![proof],
        resume,
        session_id: None,
        enroll: false,
        remember_allowed: !fresh_required && policy.remember_device_days > 0,
        code_id: None,
        required,
        policy: Some(policy.clone()),
        floor: Some(demand.level),
        ask: None,
    };
    let already = portcullis_core::authn::assurance::evaluate(&tx.proofs)
        .map(|a| a.acr)
        .unwrap_or(Acr::Aal1);
    let mut cookies = Vec::new();
    // A remembered device stands in for the second factor, never when the application asked
    // for a fresh sign-in or for more than aal2.
    if !already.satisfies(demand.level)
        && portcullis_core::policy::Policy::remembered_browser_counts(
            demand.level,
            fresh_required,
            !crate::oidc::mfa_grant::usable_kinds(state, user, &policy)
                .await?
                .is_empty(),
        )
        && let Some((device, cookie)) = device::recognise(state, headers, &user.id).await?
    {
        tx.proofs.push(Proof::new(
            Method::RememberedDevice,
            state.now(),
            Some(device.id),
        ));
        cookies.push(cookie);
    }
    flow::finish(state, headers, meta, None, tx, cookies).await
}

/// `POST /u/login/passkey/options`: a passwordless challenge for the sign-in page's script
/// (`conditional=1` for autofill). JSON `{"ceremony", "options"}`.
pub async fn passkey_options(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Login, &meta).await?;
        let challenge = state
            .webauthn()?
            .start_discoverable(form.get("conditional") == Some("1"))?;
        let ceremony =
            flow::put_ceremony(&state, "webauthn_passwordless", None, challenge.state).await?;
        let mut resp = axum::Json(serde_json::json!({
            "ceremony": ceremony,
            "options": challenge.options,
        }))
        .into_response();
        resp.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
        Ok::<_, AppError>(resp)
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/login/passkey`: signs in with a passkey; a verified passkey is two factors in one.
pub async fn passkey_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = ui::posted(&state, &headers, &body)?;
        let (resume, request) = target(&state, form.get("state"), form.get("return_to")).await?;
        state.limit(Class::Login, &meta).await?;
        let answer = flow::answer(&state, &form, "ceremony", "webauthn_passwordless", None).await?;
        let signed = match answer {
            Some((ceremony, response)) => {
                state
                    .factors()
                    .verify_passwordless(state.webauthn()?, &response, &ceremony)
                    .await?
            }
            None => None,
        };
        let user = match &signed {
            Some(s) => state
                .store()
                .user_by_id(&s.user_id)
                .await?
                .filter(|u| !u.blocked),
            None => None,
        };
        let client_id = request.as_ref().map(|r| r.client_id.clone());
        let (Some(signed), Some(user)) = (signed, user) else {
            state
                .audit(
                    "login.failure",
                    &meta,
                    None,
                    client_id.as_deref(),
                    serde_json::json!({ "reason": "passkey_refused" }),
                )
                .await;
            return page(
                &state,
                &headers,
                StatusCode::UNAUTHORIZED,
                &resume,
                request.as_ref(),
                "",
                Some(&crate::tr!("login-error-passkey")),
            )
            .await;
        };
        after_first_factor(
            &state,
            &headers,
            &meta,
            &user,
            signed.proof,
            resume,
            request.as_ref(),
        )
        .await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}
