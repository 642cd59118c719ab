//! The OpenAPI 3.1 description of the management and MFA APIs, served at
//! `/api/v2/openapi.json`. The handlers carry their own `#[utoipa::path]`; the answers are
//! described here, and a fuzzer checks in CI that every answer matches them.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{Flow, OAuth2, Scopes, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, ServerBuilder};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi, ToSchema};

use crate::state::AppState;

/// An error of the management API (Auth0's shape).
#[derive(ToSchema, serde::Serialize)]
#[allow(non_snake_case, dead_code)]
pub struct ApiErrorDoc {
    /// The HTTP status.
    statusCode: u16,
    /// Its reason phrase.
    error: String,
    /// What went wrong, naming the field or scope.
    message: String,
    /// A stable code: `invalid_body`, `invalid_query_string`, `insufficient_scope`, …
    errorCode: String,
}

/// The errors every management endpoint may answer.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ApiErrors {
    /// Bad input, naming the field.
    #[response(status = 400)]
    BadRequest(ApiErrorDoc),
    /// No token, or not a valid one.
    #[response(status = 401)]
    Unauthorized(ApiErrorDoc),
    /// The token lacks the scope, or is not a machine token.
    #[response(status = 403)]
    Forbidden(ApiErrorDoc),
    /// No such object.
    #[response(status = 404)]
    NotFound(ApiErrorDoc),
}

/// An OAuth error (RFC 6749 §5.2), as the MFA API answers.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct OAuthErrorDoc {
    /// The error code.
    error: String,
    /// What went wrong.
    error_description: Option<String>,
}

/// The errors every MFA API endpoint may answer.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum MfaErrors {
    /// Bad input.
    #[response(status = 400)]
    BadRequest(OAuthErrorDoc),
    /// No token or client authentication, or not a valid one.
    #[response(status = 401)]
    Unauthorized(OAuthErrorDoc),
    /// Not allowed with this token.
    #[response(status = 403)]
    Forbidden(OAuthErrorDoc),
    /// Too many attempts.
    #[response(status = 429)]
    TooMany(OAuthErrorDoc),
}

/// Auth0's paging parameters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// Page number, from 0.
    #[param(minimum = 0, maximum = 1000000)]
    page: Option<i64>,
    /// Items per page (default 50).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
    /// Wrap the list with `start`, `limit`, `length` and `total`.
    include_totals: Option<bool>,
}

/// One way the user signs in: the password account, or a linked upstream identity.
#[derive(ToSchema, serde::Serialize)]
#[allow(non_snake_case, dead_code)]
pub struct IdentityDoc {
    provider: String,
    connection: String,
    user_id: String,
    isSocial: bool,
}

/// A user.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct UserDoc {
    user_id: String,
    email: String,
    email_verified: bool,
    blocked: bool,
    name: Option<String>,
    /// Data the user may change through apps.
    #[schema(value_type = Object)]
    user_metadata: serde_json::Value,
    /// Data only admins change.
    #[schema(value_type = Object)]
    app_metadata: serde_json::Value,
    /// Kinds of factor enrolled (`totp`, `webauthn`, `email`, `sms`).
    multifactor: Vec<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    last_login: Option<String>,
    identities: Vec<IdentityDoc>,
}

/// A page of users with totals.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct UsersTotals {
    start: i64,
    limit: i64,
    length: i64,
    total: i64,
    users: Vec<UserDoc>,
}

/// Users: a bare list, or with totals when `include_totals=true`.
#[derive(ToSchema, serde::Serialize)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum UsersPage {
    /// Without totals.
    List(Vec<UserDoc>),
    /// With totals.
    Totals(UsersTotals),
}

/// A factor as a Guardian enrolment.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct EnrollmentDoc {
    id: String,
    /// `confirmed`, or `pending` until its first use.
    status: String,
    /// `authenticator`, `sms`, `email`, `webauthn-roaming` or `webauthn-platform`.
    r#type: String,
    auth_method: String,
    name: String,
    #[schema(format = DateTime)]
    enrolled_at: String,
    #[schema(format = DateTime)]
    last_auth: Option<String>,
    /// SMS: the number, masked.
    phone_number: Option<String>,
    /// Email: the address, masked.
    identifier: Option<String>,
}

/// A factor, or the recovery-code set, as an authentication method.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct MethodDoc {
    id: String,
    /// `totp`, `phone`, `email`, `passkey`, `webauthn-roaming` or `recovery-code`.
    r#type: String,
    name: Option<String>,
    confirmed: bool,
    #[schema(format = DateTime)]
    created_at: Option<String>,
    #[schema(format = DateTime)]
    last_auth_at: Option<String>,
    /// Recovery codes left.
    remaining: Option<i64>,
}

/// A client that received tokens in a session.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct SessionClientDoc {
    client_id: String,
}

/// A method proved in a session.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct SessionMethodDoc {
    name: String,
    #[schema(format = DateTime)]
    timestamp: String,
}

/// What a session proved.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct SessionAuthDoc {
    methods: Vec<SessionMethodDoc>,
}

/// A sign-in session.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct SessionDoc {
    id: String,
    user_id: String,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    authenticated_at: String,
    #[schema(format = DateTime)]
    expires_at: String,
    acr: String,
    amr: Vec<String>,
    clients: Vec<SessionClientDoc>,
    authentication: SessionAuthDoc,
}

/// A user's sessions.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct SessionsDoc {
    sessions: Vec<SessionDoc>,
}

/// An enrolment ticket.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct TicketDoc {
    ticket_id: String,
    /// The single-use link for the user.
    ticket_url: String,
}

/// A password-change ticket.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct PasswordTicketDoc {
    /// The single-use link where the user sets a password.
    ticket: String,
}

/// An audit event.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct LogDoc {
    log_id: String,
    #[schema(format = DateTime)]
    date: String,
    r#type: String,
    user_id: Option<String>,
    client_id: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    #[schema(value_type = Object)]
    details: serde_json::Value,
}

/// A page of events with totals.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct LogsTotals {
    start: i64,
    limit: i64,
    length: i64,
    total: i64,
    logs: Vec<LogDoc>,
}

/// Events: a bare list, or with totals.
#[derive(ToSchema, serde::Serialize)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum LogsPage {
    /// Without totals.
    List(Vec<LogDoc>),
    /// With totals.
    Totals(LogsTotals),
}

/// Back-channel logout settings.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct BackchannelDoc {
    backchannel_logout_urls: Vec<String>,
}

/// Token signing settings.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct JwtConfigurationDoc {
    alg: String,
}

/// A client (application).
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct ClientDoc {
    client_id: String,
    name: String,
    callbacks: Vec<String>,
    allowed_logout_urls: Vec<String>,
    grant_types: Vec<String>,
    app_type: String,
    token_endpoint_auth_method: String,
    is_first_party: bool,
    oidc_backchannel_logout: BackchannelDoc,
    jwt_configuration: JwtConfigurationDoc,
    /// The policy keys this client overrides.
    #[schema(value_type = Object)]
    mfa_policy: serde_json::Value,
    #[schema(format = DateTime)]
    created_at: String,
    /// The logo the hosted pages show for this app, when it has one.
    logo_uri: Option<String>,
    /// Its public keys for `private_key_jwt`, when registered by value.
    #[schema(value_type = Option<Object>)]
    jwks: Option<serde_json::Value>,
    /// Where it publishes its keys for `private_key_jwt`, when registered by address.
    jwks_uri: Option<String>,
    /// Whether its tokens are bound to its TLS client certificate (RFC 8705 §3).
    tls_client_certificate_bound_access_tokens: bool,
    /// `tls_client_auth`: the subject DN its certificate must carry; or one of the
    /// `tls_client_auth_san_*` names instead.
    tls_client_auth_subject_dn: Option<String>,
    /// `tls_client_auth`: the DNS name its certificate must carry.
    tls_client_auth_san_dns: Option<String>,
    /// `tls_client_auth`: the URI its certificate must carry.
    tls_client_auth_san_uri: Option<String>,
    /// `tls_client_auth`: the IP address its certificate must carry.
    tls_client_auth_san_ip: Option<String>,
    /// `tls_client_auth`: the email address its certificate must carry.
    tls_client_auth_san_email: Option<String>,
    /// Only when created, rotated or made confidential: shown once.
    client_secret: Option<String>,
}

/// A page of clients with totals.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct ClientsTotals {
    start: i64,
    limit: i64,
    length: i64,
    total: i64,
    clients: Vec<ClientDoc>,
}

/// Clients: a bare list, or with totals.
#[derive(ToSchema, serde::Serialize)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum ClientsPage {
    /// Without totals.
    List(Vec<ClientDoc>),
    /// With totals.
    Totals(ClientsTotals),
}

/// A scope of an API.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct ScopeDoc {
    value: String,
    description: String,
}

/// A resource server (API).
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct ResourceServerDoc {
    id: String,
    identifier: String,
    name: String,
    scopes: Vec<ScopeDoc>,
    token_lifetime: i64,
    signing_alg: String,
    #[schema(value_type = Object)]
    mfa_policy: serde_json::Value,
    /// Built in (the management API): cannot be changed or deleted.
    is_system: bool,
    #[schema(format = DateTime)]
    created_at: String,
}

/// A page of APIs with totals.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct ResourceServersTotals {
    start: i64,
    limit: i64,
    length: i64,
    total: i64,
    resource_servers: Vec<ResourceServerDoc>,
}

/// APIs: a bare list, or with totals.
#[derive(ToSchema, serde::Serialize)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum ResourceServersPage {
    /// Without totals.
    List(Vec<ResourceServerDoc>),
    /// With totals.
    Totals(ResourceServersTotals),
}

/// Scopes a client may get for an API with `client_credentials`.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct ClientGrantDoc {
    id: String,
    client_id: String,
    audience: String,
    scope: Vec<String>,
}

/// A page of grants with totals.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct ClientGrantsTotals {
    start: i64,
    limit: i64,
    length: i64,
    total: i64,
    client_grants: Vec<ClientGrantDoc>,
}

/// Grants: a bare list, or with totals.
#[derive(ToSchema, serde::Serialize)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum ClientGrantsPage {
    /// Without totals.
    List(Vec<ClientGrantDoc>),
    /// With totals.
    Totals(ClientGrantsTotals),
}

/// A user's consent to a third-party application (Auth0's user grant).
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct UserGrantDoc {
    id: String,
    #[serde(rename = "clientID")]
    client_id: String,
    user_id: String,
    audience: String,
    scope: Vec<String>,
}

/// A page of user grants with totals.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct UserGrantsTotals {
    start: i64,
    limit: i64,
    length: i64,
    total: i64,
    grants: Vec<UserGrantDoc>,
}

/// User grants: a bare list, or with totals.
#[derive(ToSchema, serde::Serialize)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum UserGrantsPage {
    /// Without totals.
    List(Vec<UserGrantDoc>),
    /// With totals.
    Totals(UserGrantsTotals),
}

/// The tenant's MFA policy and the one in force for a client and API.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct PolicyDoc {
    #[schema(value_type = Object)]
    tenant: serde_json::Value,
    #[schema(value_type = Object)]
    tenant_overrides: serde_json::Value,
    #[schema(value_type = Object)]
    effective: serde_json::Value,
}

/// An authenticator of the MFA API.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct AuthenticatorDoc {
    id: String,
    /// `otp`, `oob` or `recovery-code`.
    authenticator_type: String,
    /// The same as `authenticator_type` (Auth0's newer SDKs read this one).
    #[serde(rename = "type")]
    kind: String,
    /// For `oob`: `email` or `sms`.
    oob_channel: Option<String>,
    name: Option<String>,
    active: bool,
}

/// The request of `POST /mfa/associate`.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct AssociateRequest {
    /// `["otp"]` or `["oob"]`.
    authenticator_types: Vec<String>,
    /// For `oob`: `["sms"]` or `["email"]`.
    oob_channels: Option<Vec<String>>,
    phone_number: Option<String>,
    email: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// The answer of `POST /mfa/associate`.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct AssociateDoc {
    authenticator_type: String,
    /// TOTP: the base32 seed.
    secret: Option<String>,
    /// TOTP: the `otpauth://` URI for a QR code.
    barcode_uri: Option<String>,
    oob_channel: Option<String>,
    oob_code: Option<String>,
    binding_method: Option<String>,
    /// With the first factor only.
    recovery_codes: Option<Vec<String>>,
}

/// The request of `POST /mfa/challenge`.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct ChallengeRequest {
    mfa_token: String,
    client_id: String,
    client_secret: Option<String>,
    /// `otp`, `oob` or both, space-separated.
    challenge_type: Option<String>,
    authenticator_id: Option<String>,
}

/// The answer of `POST /mfa/challenge`.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct ChallengeDoc {
    challenge_type: String,
    oob_code: Option<String>,
    binding_method: Option<String>,
}

/// Declares the bearer schemes: management tokens and MFA API tokens, both from the token
/// endpoint.
struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        let scopes = |names: &[&str]| Scopes::from_iter(names.iter().map(|s| (*s, *s)));
        components.add_security_scheme(
            "management",
            SecurityScheme::OAuth2(OAuth2::new([Flow::ClientCredentials(
                utoipa::openapi::security::ClientCredentials::new(
                    "/oauth/token",
                    scopes(&super::SCOPES),
                ),
            )])),
        );
        components.add_security_scheme(
            "mfa",
            SecurityScheme::Http(utoipa::openapi::security::Http::new(
                utoipa::openapi::security::HttpAuthScheme::Bearer,
            )),
        );
    }
}

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portcullis management and MFA APIs",
        description = "An Auth0-compatible subset: users, factors, sessions, user grants (consents), enrolment tickets, logs, clients, APIs, client grants, post-login Actions, user import jobs; and the MFA API."
    ),
    paths(
        super::users::list,
        super::users::by_email,
        super::users::get_one,
        super::users::create,
        super::users::update,
        super::users::remove,
        super::users::enrollments,
        super::users::unlink,
        super::users::methods,
        super::users::method,
        super::users::remove_method,
        super::users::remove_methods,
        super::users::enrollment,
        super::users::remove_enrollment,
        super::users::sessions,
        super::users::end_sessions,
        super::users::session,
        super::users::end_session,
        super::users::forget_browsers,
        super::users::ticket,
        super::users::password_ticket,
        super::logs::list,
        super::logs::get_one,
        super::logs::of_user,
        super::apps::clients,
        super::apps::client,
        super::apps::create_client,
        super::apps::update_client,
        super::apps::rotate_secret,
        super::apps::delete_client,
        super::apps::apis,
        super::apps::api,
        super::apps::create_api,
        super::apps::update_api,
        super::apps::delete_api,
        super::apps::grants,
        super::apps::create_grant,
        super::apps::delete_grant,
        super::apps::policy,
        super::apps::set_tenant_policy,
        super::consents::list,
        super::consents::remove,
        super::consents::remove_for_user,
        super::jobs::create,
        super::jobs::get_one,
        super::jobs::errors,
        super::actions::list,
        super::actions::create,
        super::actions::get_one,
        super::actions::update,
        super::actions::remove,
        super::actions::deploy,
        super::actions::triggers,
        super::actions::bindings,
        super::actions::set_bindings,
        crate::oidc::mfa_api::authenticators,
        crate::oidc::mfa_api::remove,
        crate::oidc::mfa_api::associate,
        crate::oidc::mfa_api::challenge,
    ),
    modifiers(&Security),
    tags(
        (name = "users", description = "Users, their factors and sessions"),
        (name = "guardian", description = "Enrolments and enrolment tickets"),
        (name = "logs", description = "The audit trail"),
        (name = "clients", description = "Applications, APIs and client grants"),
        (name = "actions", description = "Post-login Actions: drafts, deploys and the trigger's bindings"),
        (name = "mfa", description = "The MFA API (mfa_token or MFA-audience access token)"),
    )
)]
pub struct ApiDoc;

/// The document for this issuer.
pub fn document(issuer: &str) -> Document {
    let mut doc = ApiDoc::openapi();
    doc.servers = Some(vec![ServerBuilder::new().url(issuer).build()]);
    doc
}

/// `GET /api/v2/openapi.json`: public, like discovery.
pub async fn serve(State(state): State<AppState>) -> Response {
    axum::Json(document(state.issuer())).into_response()
}
