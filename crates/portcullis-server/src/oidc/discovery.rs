//! Provider metadata (OIDC Discovery 1.0 §3, RFC 8414) and the JWKS (RFC 7517 §5).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::crypto::jws::Alg;
use portcullis_proto::acr::Acr;
use portcullis_proto::discovery::ProviderMetadata;

use crate::state::AppState;

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

/// Builds the metadata document for an issuer.
pub fn metadata(issuer: &str) -> ProviderMetadata {
    let auth_methods = strings(&[
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "none",
    ]);
    ProviderMetadata {
        issuer: issuer.into(),
        authorization_endpoint: format!("{issuer}/authorize"),
        token_endpoint: format!("{issuer}/oauth/token"),
        userinfo_endpoint: format!("{issuer}/userinfo"),
        jwks_uri: format!("{issuer}/.well-known/jwks.json"),
        revocation_endpoint: format!("{issuer}/oauth/revoke"),
        introspection_endpoint: format!("{issuer}/oauth/introspect"),
        end_session_endpoint: format!("{issuer}/oidc/logout"),
        mfa_challenge_endpoint: format!("{issuer}/mfa/challenge"),
        mfa_associate_endpoint: format!("{issuer}/mfa/associate"),
        mfa_authenticators_endpoint: format!("{issuer}/mfa/authenticators"),
        mfa_audience: crate::oidc::mfa_api::audience(issuer),
        scopes_supported: strings(&["openid", "profile", "email", "offline_access"]),
        response_types_supported: strings(&["code"]),
        response_modes_supported: strings(&["query"]),
        grant_types_supported: strings(&crate::oidc::token::GRANT_TYPES),
        subject_types_supported: strings(&["public"]),
        id_token_signing_alg_values_supported: Alg::all()
            .iter()
            .map(|a| a.as_str().to_string())
            .collect(),
        token_endpoint_auth_methods_supported: auth_methods.clone(),
        revocation_endpoint_auth_methods_supported: auth_methods,
        introspection_endpoint_auth_methods_supported: strings(&[
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
        ]),
        // What a private_key_jwt assertion may be signed with (the guard's verifier).
        token_endpoint_auth_signing_alg_values_supported: crate::oidc::dpop::algorithms(),
        code_challenge_methods_supported: strings(&["S256"]),
        // The levels, then Auth0's multi-factor policy URI, accepted as aal2.
        acr_values_supported: Acr::all()
            .iter()
            .map(|a| a.as_str())
            .chain([portcullis_proto::acr::PAPE_MULTI_FACTOR])
            .map(str::to_string)
            .collect(),
        claims_supported: strings(&[
            "iss",
            "sub",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "acr",
            "amr",
            "sid",
            "azp",
            "email",
            "email_verified",
            "name",
        ]),
        // `create` (OpenID Connect user registration): the sign-up page when the client's
        // policy allows it, else the sign-in page.
        prompt_values_supported: strings(&["none", "login", "create"]),
        authorization_response_iss_parameter_supported: true,
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
        claims_parameter_supported: true,
        request_parameter_supported: true,
        request_object_signing_alg_values_supported: crate::oidc::dpop::algorithms(),
        request_uri_parameter_supported: false,
        // What a proof is verified with (the guard's verifier), not what this server signs with.
        dpop_signing_alg_values_supported: crate::oidc::dpop::algorithms(),
        pushed_authorization_request_endpoint: format!("{issuer}/oauth/par"),
        device_authorization_endpoint: format!("{issuer}/oauth/device/code"),
        backchannel_authentication_endpoint: format!("{issuer}/bc-authorize"),
        backchannel_token_delivery_modes_supported: strings(&["poll", "ping"]),
        backchannel_user_code_parameter_supported: false,
        // Filled in by the handler when the server asks for client certificates.
        tls_client_certificate_bound_access_tokens: false,
        // The tenant's policy, filled in by the handler.
        require_pushed_authorization_requests: false,
    }
}

/// `GET /.well-known/openid-configuration`.
pub async fn openid_configuration(State(state): State<AppState>) -> Response {
    let mut doc = metadata(state.issuer());
    doc.require_pushed_authorization_requests = state
        .policy(None, None)
        .await
        .require_pushed_authorization_requests;
    // Mutual TLS exists only where client certificates reach the server.
    if crate::oidc::mtls::available(&state) {
        doc.tls_client_certificate_bound_access_tokens = true;
        for methods in [
            &mut doc.token_endpoint_auth_methods_supported,
            &mut doc.revocation_endpoint_auth_methods_supported,
            &mut doc.introspection_endpoint_auth_methods_supported,
        ] {
            methods.push(crate::oidc::mtls::SELF_SIGNED.into());
            if state.client_ca().is_some() {
                methods.push(crate::oidc::mtls::PKI.into());
            }
        }
    }
    let mut resp = axum::Json(doc).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    resp
}

/// `GET /.well-known/jwks.json`: active keys and retired keys whose tokens may still be live.
pub async fn jwks(State(state): State<AppState>) -> Response {
    // JWKS is fetched rarely (RPs cache it), so check for a rotation on every request: a key made
    // by `portcullis keys rotate` is published at once.
    if let Err(e) = state.refresh().await {
        tracing::warn!(error = %e, "configuration reload failed");
    }
    let body = state.snapshot().jwks_json.to_string();
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/jwk-set+json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=60"),
            ),
        ],
        body,
    )
        .into_response()
}
