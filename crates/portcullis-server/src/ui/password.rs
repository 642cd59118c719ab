//! New passwords on the hosted pages: the rules of NIST SP 800-63B §5.1.1 (via
//! `portcullis_core::authn::password_rules`), judged off the async executor, and the strength
//! meter's endpoint, so every page that takes a new password says the same thing.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::authn::password_rules::{self, MIN_SINGLE_FACTOR, MIN_WITH_MFA, Weakness};

use crate::error::{AppError, AppResult};
use crate::http::ClientMeta;
use crate::ratelimit::Class;
use crate::state::AppState;
use crate::ui;

/// The minimum length that applies: longer when the password will be the account's only factor
/// (800-63B-4).
pub fn min_length(single_factor: bool) -> usize {
    if single_factor {
        MIN_SINGLE_FACTOR
    } else {
        MIN_WITH_MFA
    }
}

/// Judges a new password against the rules; `Err` carries the sentence to show the person.
pub async fn judge(
    password: &str,
    single_factor: bool,
    personal: [String; 2],
) -> AppResult<Result<(), String>> {
    let password = password.to_string();
    let verdict = tokio::task::spawn_blocking(move || {
        let refs = [personal[0].as_str(), personal[1].as_str()];
        password_rules::check(&password, single_factor, &refs)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(verdict.map_err(|weakness| rule(&weakness)))
}

/// The sentence for a broken rule, in the current language.
fn rule(weakness: &Weakness) -> String {
    match weakness {
        Weakness::TooShort { min } => crate::tr!("password-rule-too-short", min = *min),
        Weakness::TooLong => crate::tr!("password-rule-too-long", max = password_rules::MAX),
        Weakness::Unprintable => crate::tr!("password-rule-unprintable"),
        Weakness::Common => crate::tr!("password-rule-common"),
        Weakness::Personal => crate::tr!("password-rule-personal"),
        Weakness::Guessable => crate::tr!("password-rule-guessable"),
    }
}

/// `POST /u/password/strength` (form: `csrf`, `password`, `single`, and the `email` and `name`
/// being registered, if any): `{"score": 0..4, "ok", "message"}` for the meter. The rules are
/// judged again when the form is submitted; this only tells the person early.
pub async fn strength(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result: AppResult<Response> = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Meter, &meta).await?;
        let password = form.get("password").unwrap_or_default().to_string();
        let single = form.get("single") == Some("1");
        let personal = [
            form.get("email").unwrap_or_default().to_string(),
            form.get("name").unwrap_or_default().to_string(),
        ];
        let score = {
            let (password, personal) = (password.clone(), personal.clone());
            tokio::task::spawn_blocking(move || {
                password_rules::strength(&password, &[&personal[0], &personal[1]])
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
        };
        let verdict = judge(&password, single, personal).await?;
        let message = match &verdict {
            Ok(()) if score >= 3 => crate::tr!("password-meter-strong"),
            Ok(()) => crate::tr!("password-meter-acceptable"),
            Err(why) => why.clone(),
        };
        let mut resp = axum::Json(serde_json::json!({
            "score": score,
            "ok": verdict.is_ok(),
            "message": message,
            "label": crate::tr!("password-meter-label"),
        }))
        .into_response();
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(resp)
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// The meter's script (served from our origin so the page's CSP nonce covers it).
pub async fn meter_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/password.js"),
    )
        .into_response()
}
