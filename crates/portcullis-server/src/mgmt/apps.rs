//! Clients (applications), resource servers (APIs), client grants and MFA policies.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_core::admin::{self, NewClient};
use portcullis_core::crypto::token_digest;
use std::collections::HashMap;

use portcullis_core::model::{Api, Client, ClientGrant, ClientKeys};
use portcullis_core::policy::PolicyOverrides;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Admin, ApiError, ApiResult, Paging, no_content, parse_body, query, respond};
use crate::oidc::mtls;
use crate::state::AppState;
use crate::time::iso8601;

fn client_json(c: &Client, extras: &Extras) -> Value {
    let logo = extras.logos.get(&c.id);
    let keys = extras.keys.get(&c.id);
    let ping = extras.pings.get(&c.id);
    let mut out = json!({
        "client_id": c.id,
        "name": c.name,
        "callbacks": c.redirect_uris,
        "allowed_logout_urls": c.post_logout_redirect_uris,
        "grant_types": c.grant_types,
        "app_type": if c.is_public() { "spa" } else if c.allows_grant("authorization_code") { "regular_web" } else { "non_interactive" },
        "token_endpoint_auth_method": if c.is_public() { "none" } else { "client_secret_post" },
        "is_first_party": c.first_party,
        "oidc_backchannel_logout": {
            "backchannel_logout_urls": c.backchannel_logout_uri.iter().collect::<Vec<_>>(),
        },
        "jwt_configuration": { "alg": c.signing_alg },
        "mfa_policy": c.policy,
        "created_at": iso8601(c.created_at),
    });
    if let Some(logo) = logo {
        out["logo_uri"] = logo.as_str().into();
    }
    if c.allows_grant(crate::oidc::ciba::GRANT) {
        out["backchannel_token_delivery_mode"] =
            if ping.is_some() { "ping" } else { "poll" }.into();
    }
    if let Some(ping) = ping {
        out["backchannel_client_notification_endpoint"] = ping.as_str().into();
    }
    if let Some(k) = keys {
        out["token_endpoint_auth_method"] = "private_key_jwt".into();
        if let Some(jwks) = &k.jwks {
            out["jwks"] = jwks.clone();
        }
        if let Some(uri) = &k.jwks_uri {
            out["jwks_uri"] = uri.as_str().into();
        }
    }
    if let Some(method) = extras.methods.get(&c.id) {
        out["token_endpoint_auth_method"] = method.as_str().into();
    }
    out["tls_client_certificate_bound_access_tokens"] = extras.bound.contains_key(&c.id).into();
    if let Some(subject) = extras
        .subjects
        .get(&c.id)
        .and_then(|s| serde_json::from_str::<mtls::Subject>(s).ok())
    {
        out[subject.field.as_str()] = subject.value.into();
    }
    out
}

/// What the client list shows beside each client: logos, keys, CIBA ping addresses, mutual-TLS
/// authentication methods and certificate-bound tokens, by client id.
struct Extras {
    logos: HashMap<String, String>,
    keys: HashMap<String, ClientKeys>,
    pings: HashMap<String, String>,
    methods: HashMap<String, String>,
    bound: HashMap<String, String>,
    subjects: HashMap<String, String>,
}

impl Extras {
    async fn load(state: &AppState) -> ApiResult<Extras> {
        Ok(Extras {
            logos: state.store().client_logos().await?.into_iter().collect(),
            keys: state.store().client_keys().await?.into_iter().collect(),
            pings: state
                .store()
                .client_settings(crate::oidc::ciba::PING_SETTING)
                .await?
                .into_iter()
                .collect(),
            methods: state
                .store()
                .client_settings(mtls::METHOD_SETTING)
                .await?
                .into_iter()
                .collect(),
            bound: state
                .store()
                .client_settings(mtls::BOUND_SETTING)
                .await?
                .into_iter()
                .collect(),
            subjects: state
                .store()
                .client_settings(mtls::SUBJECT_SETTING)
                .await?
                .into_iter()
                .collect(),
        })
    }

    fn json(&self, c: &Client) -> Value {
        client_json(c, self)
    }
}

/// The client as the API shows it, with its logo and keys.
async fn shown(state: &AppState, c: &Client) -> ApiResult<Value> {
    Ok(Extras::load(state).await?.json(c))
}

async fn find_client(state: &AppState, id: &str) -> ApiResult<Client> {
    state
        .store()
        .list_clients()
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| ApiError::not_found("inexistent_client", "client"))
}

#[utoipa::path(
    get,
    path = "/api/v2/clients",
    tag = "clients",
    params(super::openapi::PageParams),
    responses((status = 200, description = "Clients", body = super::openapi::ClientsPage), super::openapi::ApiErrors),
    security(("management" = ["read:clients"]))
)]
/// `GET /api/v2/clients`.
pub async fn clients(
    State(state): State<AppState>,
    admin: Admin,
    RawQuery(q): RawQuery,
) -> Response {
    respond(async {
        admin.require(&["read:clients"])?;
        let paging = Paging::from(&query(q)?)?;
        let all = state.store().list_clients().await?;
        let extras = Extras::load(&state).await?;
        Ok(paging.page_of("clients", &all, |c| extras.json(c)))
    })
    .await
}

#[utoipa::path(
    get,
    path = "/api/v2/clients/{id}",
    tag = "clients",
    params(("id" = String, Path, description = "The id")),
    responses((status = 200, description = "The client", body = super::openapi::ClientDoc), super::openapi::ApiErrors),
    security(("management" = ["read:clients"]))
)]
/// `GET /api/v2/clients/{id}`.
pub async fn client(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["read:clients"])?;
        let c = find_client(&state, &id).await?;
        Ok(axum::Json(shown(&state, &c).await?).into_response())
    })
    .await
}

/// Auth0's back-channel logout settings.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Backchannel {
    #[serde(default)]
    backchannel_logout_urls: Vec<String>,
}

/// Auth0's token signing settings.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct JwtConfiguration {
    #[serde(default)]
    alg: Option<String>,
}

/// The body of `POST /api/v2/clients` and `PATCH /api/v2/clients/{id}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ClientBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    callbacks: Option<Vec<String>>,
    #[serde(default)]
    allowed_logout_urls: Option<Vec<String>>,
    #[serde(default)]
    grant_types: Option<Vec<String>>,
    #[serde(default)]
    token_endpoint_auth_method: Option<String>,
    #[serde(default)]
    is_first_party: Option<bool>,
    #[serde(default)]
    oidc_backchannel_logout: Option<Backchannel>,
    #[serde(default)]
    jwt_configuration: Option<JwtConfiguration>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    mfa_policy: Option<PolicyOverrides>,
    /// The logo the hosted pages show for this app: an `https` address on one of the tenant's
    /// image origins (`[branding] image_origins`); `null` or `""` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    logo_uri: Option<Value>,
    /// Public keys for `private_key_jwt` (RFC 7523), a JWKS (`{"keys": [...]}`); `null`
    /// removes them. A client with keys authenticates with signed assertions only.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Object>)]
    jwks: Option<Value>,
    /// Where the client publishes its JWKS instead (https); `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    jwks_uri: Option<Value>,
    /// CIBA ping mode: where the client is told a backchannel authentication has an answer
    /// (https); `null` removes it, and the client polls.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    backchannel_client_notification_endpoint: Option<Value>,
    /// Bind this client's tokens to the TLS client certificate of its token requests (RFC 8705
    /// §3).
    #[serde(default)]
    tls_client_certificate_bound_access_tokens: Option<bool>,
    /// `tls_client_auth`: the subject DN its certificate must carry (RFC 4514).
    #[serde(default)]
    tls_client_auth_subject_dn: Option<String>,
    /// `tls_client_auth`: a DNS name its certificate must carry.
    #[serde(default)]
    tls_client_auth_san_dns: Option<String>,
    /// `tls_client_auth`: a URI its certificate must carry.
    #[serde(default)]
    tls_client_auth_san_uri: Option<String>,
    /// `tls_client_auth`: an IP address its certificate must carry.
    #[serde(default)]
    tls_client_auth_san_ip: Option<String>,
    /// `tls_client_auth`: an email address its certificate must carry.
    #[serde(default)]
    tls_client_auth_san_email: Option<String>,
    /// Auth0 describes the kind of app; the grant types say what it may do.
    #[serde(default)]
    #[allow(dead_code)]
    app_type: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
}

/// `private_key_jwt` keys checked as the management API checks them, for the CLI's
/// `--jwks-file` and `--jwks-uri`: `None` when neither is given; why not, otherwise.
pub fn client_keys(
    jwks: Option<&Value>,
    jwks_uri: Option<&str>,
) -> Result<Option<ClientKeys>, String> {
    if jwks.is_some() && jwks_uri.is_some() {
        return Err("give a JWKS or its address, not both".into());
    }
    let keys = ClientKeys {
        jwks: jwks.map(check_jwks).transpose().map_err(|e| e.message)?,
        jwks_uri: jwks_uri
            .map(check_jwks_uri)
            .transpose()
            .map_err(|e| e.message)?,
    };
    Ok((keys.jwks.is_some() || keys.jwks_uri.is_some()).then_some(keys))
}

/// A JWKS of usable public keys.
fn check_jwks(v: &Value) -> ApiResult<Value> {
    let keys = v["keys"]
        .as_array()
        .filter(|k| !k.is_empty())
        .ok_or_else(|| ApiError::body("must be a JWKS with keys on property jwks"))?;
    for k in keys {
        if ["d", "p", "q", "dp", "dq", "qi", "k"]
            .iter()
            .any(|m| k.get(m).is_some())
        {
            return Err(ApiError::body(
                "must hold public keys only on property jwks",
            ));
        }
        let usable = serde_json::from_value::<portcullis_guard::jwk::Jwk>(k.clone())
            .ok()
            .and_then(|j| portcullis_guard::jwk::VerifyingKey::from_jwk(&j));
        if usable.is_none() {
            return Err(ApiError::body(
                "holds a key that is not an Ed25519, P-256 or RSA public key on property jwks",
            ));
        }
    }
    Ok(json!({ "keys": keys }))
}

/// The certificates of a `self_signed_tls_client_auth` client: given by value, one per key
/// (`x5c`), each holding the key beside it.
fn certificates(jwks: Option<&Value>) -> ApiResult<()> {
    let jwks = jwks.ok_or_else(|| {
        ApiError::body(
            "self_signed_tls_client_auth needs the certificates by value, in jwks (x5c), on property jwks",
        )
    })?;
    mtls::registered_certificates(jwks)
        .map(|_| ())
        .map_err(|e| ApiError::body(format!("{e} on property jwks")))
}

/// An https address (http only on a loopback host, for development).
fn check_jwks_uri(s: &str) -> ApiResult<String> {
    check_https(s, "jwks_uri")
}

/// `s` as an https address (http only on a loopback host, for development), for `property`.
fn check_https(s: &str, property: &str) -> ApiResult<String> {
    let ok = url::Url::parse(s).is_ok_and(|u| {
        u.scheme() == "https"
            || (u.scheme() == "http"
                && matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")))
    });
    if !ok {
        return Err(ApiError::body(format!(
            "must be an https URL on property {property}"
        )));
    }
    Ok(s.to_string())
}

/// A field that was sent, `null` included (serde reads a `null` `Option` as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

impl ClientBody {
    fn public(&self) -> ApiResult<Option<bool>> {
        match self.token_endpoint_auth_method.as_deref() {
            None => Ok(None),
            Some("none") => Ok(Some(true)),
            Some(
                "client_secret_post"
                | "client_secret_basic"
                | "private_key_jwt"
                | mtls::SELF_SIGNED
                | mtls::PKI,
            ) => Ok(Some(false)),
            Some(_) => Err(ApiError::body(
                "token_endpoint_auth_method must be none, client_secret_post, client_secret_basic, private_key_jwt, self_signed_tls_client_auth or tls_client_auth on property token_endpoint_auth_method",
            )),
        }
    }

    /// The mutual-TLS method to record (`Some(None)`: none), given the one the client has.
    fn method(&self, existing: Option<&str>) -> Option<Option<String>> {
        match self.token_endpoint_auth_method.as_deref() {
            None => None,
            Some(m @ (mtls::SELF_SIGNED | mtls::PKI)) => Some(Some(m.to_string())),
            Some(_) => existing.map(|_| None),
        }
    }

    /// The `tls_client_auth` subject to record (`Some(None)`: none), given the method the
    /// client had and whether it had a subject: exactly one of the subject fields, and only for
    /// that method.
    fn subject(
        &self,
        existing_method: Option<&str>,
        had_subject: bool,
    ) -> ApiResult<Option<Option<mtls::Subject>>> {
        let given: Vec<(&str, &String)> = mtls::SUBJECT_FIELDS
            .iter()
            .zip([
                &self.tls_client_auth_subject_dn,
                &self.tls_client_auth_san_dns,
                &self.tls_client_auth_san_uri,
                &self.tls_client_auth_san_ip,
                &self.tls_client_auth_san_email,
            ])
            .filter_map(|(f, v)| v.as_ref().map(|v| (*f, v)))
            .collect();
        let method = self.token_endpoint_auth_method.as_deref();
        let pki = method.or(existing_method) == Some(mtls::PKI);
        if given.len() > 1 {
            return Err(ApiError::body(
                "give one of tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip and tls_client_auth_san_email on property token_endpoint_auth_method",
            ));
        }
        match given.first() {
            Some((field, _)) if !pki => Err(ApiError::body(format!(
                "{field} is for tls_client_auth on property token_endpoint_auth_method"
            ))),
            Some((field, value)) => {
                let value = value.trim();
                let sane = !value.is_empty()
                    && value.len() <= 512
                    && !value.chars().any(char::is_control)
                    && (*field != "tls_client_auth_san_ip"
                        || value.parse::<std::net::IpAddr>().is_ok())
                    && (*field != "tls_client_auth_subject_dn"
                        || !mtls::parse_dn(value).is_empty());
                if !sane {
                    return Err(ApiError::body(format!("is not usable on property {field}")));
                }
                Ok(Some(Some(mtls::Subject {
                    field: field.to_string(),
                    value: value.to_string(),
                })))
            }
            None if method == Some(mtls::PKI) && !had_subject => Err(ApiError::body(
                "tls_client_auth needs one of tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip and tls_client_auth_san_email on property token_endpoint_auth_method",
            )),
            None if method.is_some() && !pki && had_subject => Ok(Some(None)),
            None => Ok(None),
        }
    }

    /// The keys the client will have (`Some(None)`: none), from `existing` and what the body
    /// says; `None` when the body changes nothing about them. Public keys only, usable ones,
    /// by value or by an https address, never both; `private_key_jwt` needs some.
    fn keys(
        &self,
        existing: Option<&ClientKeys>,
        existing_method: Option<&str>,
    ) -> ApiResult<Option<Option<ClientKeys>>> {
        let method = self.token_endpoint_auth_method.as_deref();
        let keyed = |m: &str| m == "private_key_jwt" || m == mtls::SELF_SIGNED;
        // The method the client will have: what the body says, else what it had.
        let certified = method.or(existing_method) == Some(mtls::SELF_SIGNED);
        if self.jwks.is_none() && self.jwks_uri.is_none() {
            return match method {
                Some(m) if keyed(m) && existing.is_none() => Err(ApiError::body(format!(
                    "{m} needs jwks or jwks_uri on property token_endpoint_auth_method"
                ))),
                Some(mtls::SELF_SIGNED) => {
                    certificates(existing.and_then(|k| k.jwks.as_ref()))?;
                    Ok(None)
                }
                // Another method: the keys go, so a secret (or none) is how it signs in.
                Some(m) if !keyed(m) && existing.is_some() => Ok(Some(None)),
                _ => Ok(None),
            };
        }
        let mut keys = existing.cloned().unwrap_or_default();
        match &self.jwks {
            None => {}
            Some(Value::Null) => keys.jwks = None,
            Some(v) => keys.jwks = Some(check_jwks(v)?),
        }
        match &self.jwks_uri {
            None => {}
            Some(Value::Null) => keys.jwks_uri = None,
            Some(Value::String(s)) => keys.jwks_uri = Some(check_jwks_uri(s)?),
            Some(_) => return Err(ApiError::body("must be a string on property jwks_uri")),
        }
        if keys.jwks.is_some() && keys.jwks_uri.is_some() {
            return Err(ApiError::body(
                "send jwks or jwks_uri, not both, on property jwks",
            ));
        }
        let any = keys.jwks.is_some() || keys.jwks_uri.is_some();
        if any && method.is_some_and(|m| !keyed(m)) {
            return Err(ApiError::body(
                "jwks and jwks_uri are for private_key_jwt and self_signed_tls_client_auth on property token_endpoint_auth_method",
            ));
        }
        if certified {
            certificates(keys.jwks.as_ref())?;
        }
        Ok(Some(any.then_some(keys)))
    }

    /// The certificate-bound tokens flag to record (`Some(None)`: off).
    fn bound(&self) -> Option<Option<&'static str>> {
        self.tls_client_certificate_bound_access_tokens
            .map(|on| on.then_some("true"))
    }

    /// The logo to set (`Some(None)` removes it), checked against the tenant's image origins.
    fn logo(&self, state: &AppState) -> ApiResult<Option<Option<String>>> {
        match &self.logo_uri {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) if s.is_empty() => Ok(Some(None)),
            Some(Value::String(s)) => state
                .brand()
                .check_logo(s)
                .map(|u| Some(Some(u)))
                .map_err(|e| ApiError::body(format!("{e} on property logo_uri"))),
            Some(_) => Err(ApiError::body("must be a string on property logo_uri")),
        }
    }

    /// The CIBA ping address to set (`Some(None)` removes it).
    fn ping(&self) -> ApiResult<Option<Option<String>>> {
        const P: &str = "backchannel_client_notification_endpoint";
        match &self.backchannel_client_notification_endpoint {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) => check_https(s, P).map(|s| Some(Some(s))),
            Some(_) => Err(ApiError::body(format!("must be a string on property {P}"))),
        }
    }

    fn backchannel(&self) -> ApiResult<Option<Option<String>>> {
        match &self.oidc_backchannel_logout {
            None => Ok(None),
            Some(b) if b.backchannel_logout_urls.len() > 1 => Err(ApiError::body(
                "one back-channel logout URL per client on property oidc_backchannel_logout.backchannel_logout_urls",
            )),
            Some(b) => Ok(Some(b.backchannel_logout_urls.first().cloned())),
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/v2/clients",
    tag = "clients",
    request_body = ClientBody,
    responses((status = 201, description = "Created, with its secret shown once", body = super::openapi::ClientDoc), super::openapi::ApiErrors),
    security(("management" = ["create:clients"]))
)]
/// `POST /api/v2/clients`: `201` with the client and, once, its `client_secret`.
pub async fn create_client(State(state): State<AppState>, admin: Admin, body: Bytes) -> Response {
    respond(async {
        admin.require(&["create:clients"])?;
        let body: ClientBody = parse_body(&body)?;
        let public = body.public()?.unwrap_or(false);
        let backchannel = body.backchannel()?.flatten();
        let logo = body.logo(&state)?.flatten();
        let keys = body.keys(None, None)?.flatten();
        let ping = body.ping()?.flatten();
        let method = body.method(None).flatten();
        let bound = body.bound().flatten();
        let subject = body.subject(None, false)?.flatten();
        let (client, secret) = admin::create_client(
            state.store(),
            state.clock(),
            NewClient {
                name: body.name.unwrap_or_default(),
                redirect_uris: body.callbacks.unwrap_or_default(),
                post_logout_redirect_uris: body.allowed_logout_urls.unwrap_or_default(),
                grant_types: body.grant_types.unwrap_or_default(),
                public,
                backchannel_logout_uri: backchannel,
                third_party: !body.is_first_party.unwrap_or(true),
                signing_alg: body.jwt_configuration.and_then(|j| j.alg),
                id: None,
                policy: body.mfa_policy.unwrap_or_default(),
            },
        )
        .await?;
        if let Some(logo) = &logo {
            state
                .store()
                .set_client_logo(&client.id, Some(logo))
                .await?;
        }
        if let Some(keys) = &keys {
            state
                .store()
                .set_client_keys(&client.id, Some(keys))
                .await?;
        }
        if let Some(ping) = &ping {
            state
                .store()
                .set_client_setting(&client.id, crate::oidc::ciba::PING_SETTING, Some(ping))
                .await?;
        }
        if let Some(method) = &method {
            state
                .store()
                .set_client_setting(&client.id, mtls::METHOD_SETTING, Some(method))
                .await?;
        }
        if let Some(bound) = bound {
            state
                .store()
                .set_client_setting(&client.id, mtls::BOUND_SETTING, Some(bound))
                .await?;
        }
        if let Some(subject) = &subject {
            let value = serde_json::to_string(subject).unwrap_or_default();
            state
                .store()
                .set_client_setting(&client.id, mtls::SUBJECT_SETTING, Some(&value))
                .await?;
        }
        admin
            .audit(
                &state,
                "client.created",
                None,
                json!({ "target_client_id": client.id }),
            )
            .await;
        let mut out = shown(&state, &client).await?;
        // A client with keys or certificates never signs in with a secret: none to show.
        if let Some(s) = secret.filter(|_| keys.is_none() && method.is_none()) {
            out["client_secret"] = s.expose().into();
        }
        Ok((StatusCode::CREATED, axum::Json(out)).into_response())
    })
    .await
}

#[utoipa::path(
    patch,
    path = "/api/v2/clients/{id}",
    tag = "clients",
    params(("id" = String, Path, description = "The id")),
    request_body = ClientBody,
    responses((status = 200, description = "Updated", body = super::openapi::ClientDoc), super::openapi::ApiErrors),
    security(("management" = ["update:clients"]))
)]
/// `PATCH /api/v2/clients/{id}`: changes what the body names, under the same rules as
/// creation.
pub async fn update_client(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    respond(async {
        admin.require(&["update:clients"])?;
        let body: ClientBody = parse_body(&body)?;
        let mut c = find_client(&state, &id).await?;
        let logo = body.logo(&state)?;
        let existing = state
            .store()
            .client_keys()
            .await?
            .into_iter()
            .find(|(cid, _)| *cid == c.id)
            .map(|(_, k)| k);
        let existing_method = state
            .store()
            .client_settings(mtls::METHOD_SETTING)
            .await?
            .into_iter()
            .find(|(cid, _)| *cid == c.id)
            .map(|(_, m)| m);
        let keys = body.keys(existing.as_ref(), existing_method.as_deref())?;
        let ping = body.ping()?;
        let method = body.method(existing_method.as_deref());
        let bound = body.bound();
        let had_subject = state
            .store()
            .client_settings(mtls::SUBJECT_SETTING)
            .await?
            .iter()
            .any(|(cid, _)| *cid == c.id);
        let subject = body.subject(existing_method.as_deref(), had_subject)?;
        let mut secret = None;
        match body.public()? {
            Some(true) => c.secret_digest = None,
            Some(false) if c.is_public() => {
                let (s, d) = admin::new_client_secret();
                c.secret_digest = Some(d);
                secret = Some(s);
            }
            _ => {}
        }
        if let Some(b) = body.backchannel()? {
            c.backchannel_logout_uri = b;
        }
        if let Some(n) = body.name {
            c.name = n.trim().to_string();
        }
        if let Some(v) = body.callbacks {
            c.redirect_uris = v;
        }
        if let Some(v) = body.allowed_logout_urls {
            c.post_logout_redirect_uris = v;
        }
        if let Some(v) = body.grant_types {
            c.grant_types = v;
        }
        if let Some(v) = body.is_first_party {
            c.first_party = v;
        }
        if let Some(alg) = body.jwt_configuration.and_then(|j| j.alg) {
            c.signing_alg = alg;
        }
        if let Some(p) = body.mfa_policy {
            c.policy = p;
        }
        if !save_client(&state, &c).await? {
            return Err(ApiError::not_found("inexistent_client", "client"));
        }
        if let Some(logo) = &logo
            && !state
                .store()
                .set_client_logo(&c.id, logo.as_deref())
                .await?
        {
            return Err(ApiError::not_found("inexistent_client", "client"));
        }
        if let Some(keys) = &keys {
            state.store().set_client_keys(&c.id, keys.as_ref()).await?;
        }
        if let Some(ping) = &ping {
            state
                .store()
                .set_client_setting(&c.id, crate::oidc::ciba::PING_SETTING, ping.as_deref())
                .await?;
        }
        if let Some(method) = &method {
            state
                .store()
                .set_client_setting(&c.id, mtls::METHOD_SETTING, method.as_deref())
                .await?;
        }
        if let Some(bound) = bound {
            state
                .store()
                .set_client_setting(&c.id, mtls::BOUND_SETTING, bound)
                .await?;
        }
        if let Some(subject) = &subject {
            let value = subject
                .as_ref()
                .map(|s| serde_json::to_string(s).unwrap_or_default());
            state
                .store()
                .set_client_setting(&c.id, mtls::SUBJECT_SETTING, value.as_deref())
                .await?;
        }
        admin
            .audit(
                &state,
                "client.updated",
                None,
                json!({ "target_client_id": c.id }),
            )
            .await;
        let mut out = shown(&state, &c).await?;
        if let Some(s) = secret {
            out["client_secret"] = s.expose().into();
        }
        Ok(axum::Json(out).into_response())
    })
    .await
}

#[utoipa::path(
    post,
    path = "/api/v2/clients/{id}/rotate-secret",
    tag = "clients",
    params(("id" = String, Path, description = "The id")),
    responses((status = 200, description = "The client with its new secret", body = super::openapi::ClientDoc), super::openapi::ApiErrors),
    security(("management" = ["update:client_keys"]))
)]
/// `POST /api/v2/clients/{id}/rotate-secret`: a new secret, shown once; the old one stops
/// working at once.
pub async fn rotate_secret(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["update:client_keys"])?;
        let c = find_client(&state, &id).await?;
        let (c, secret) = rotate_client_secret(&state, c).await?;
        admin
            .audit(
                &state,
                "client.secret_rotated",
                None,
                json!({ "target_client_id": c.id }),
            )
            .await;
        let mut out = shown(&state, &c).await?;
        out["client_secret"] = secret.expose().into();
        Ok(axum::Json(out).into_response())
    })
    .await
}

#[utoipa::path(
    delete,
    path = "/api/v2/clients/{id}",
    tag = "clients",
    params(("id" = String, Path, description = "The id")),
    responses((status = 204, description = "Deleted"), super::openapi::ApiErrors),
    security(("management" = ["delete:clients"]))
)]
/// `DELETE /api/v2/clients/{id}`: with its grants and tokens.
pub async fn delete_client(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["delete:clients"])?;
        if !remove_client(&state, &id).await? {
            return Err(ApiError::not_found("inexistent_client", "client"));
        }
        admin
            .audit(
                &state,
                "client.deleted",
                None,
                json!({ "target_client_id": id }),
            )
            .await;
        Ok(no_content())
    })
    .await
}

/// Whether an API is built in (the management API), so it cannot be changed or deleted.
pub(crate) fn is_system(state: &AppState, api: &Api) -> bool {
    api.identifier == super::audience(state.issuer())
}

fn api_json(state: &AppState, a: &Api) -> Value {
    json!({
        "id": a.id,
        "identifier": a.identifier,
        "name": a.name,
        "scopes": a.scopes.iter().map(|s| json!({ "value": s, "description": s })).collect::<Vec<_>>(),
        "token_lifetime": a.token_ttl,
        "signing_alg": a.signing_alg.as_deref().unwrap_or("RS256"),
        "mfa_policy": a.policy,
        "is_system": is_system(state, a),
        "created_at": iso8601(a.created_at),
    })
}

async fn find_api(state: &AppState, id: &str) -> ApiResult<Api> {
    state
        .store()
        .list_apis()
        .await?
        .into_iter()
        .find(|a| a.id == id || a.identifier == id)
        .ok_or_else(|| ApiError::not_found("inexistent_resource_server", "resource server"))
}

#[utoipa::path(
    get,
    path = "/api/v2/resource-servers",
    tag = "clients",
    params(super::openapi::PageParams),
    responses((status = 200, description = "APIs", body = super::openapi::ResourceServersPage), super::openapi::ApiErrors),
    security(("management" = ["read:resource_servers"]))
)]
/// `GET /api/v2/resource-servers`.
pub async fn apis(State(state): State<AppState>, admin: Admin, RawQuery(q): RawQuery) -> Response {
    respond(async {
        admin.require(&["read:resource_servers"])?;
        let paging = Paging::from(&query(q)?)?;
        let all = state.store().list_apis().await?;
        Ok(paging.page_of("resource_servers", &all, |a| api_json(&state, a)))
    })
    .await
}

#[utoipa::path(
    get,
    path = "/api/v2/resource-servers/{id}",
    tag = "clients",
    params(("id" = String, Path, description = "The id or the identifier")),
    responses((status = 200, description = "The API", body = super::openapi::ResourceServerDoc), super::openapi::ApiErrors),
    security(("management" = ["read:resource_servers"]))
)]
/// `GET /api/v2/resource-servers/{id}` (by id or identifier, as Auth0).
pub async fn api(State(state): State<AppState>, admin: Admin, Path(id): Path<String>) -> Response {
    respond(async {
        admin.require(&["read:resource_servers"])?;
        Ok(axum::Json(api_json(&state, &find_api(&state, &id).await?)).into_response())
    })
    .await
}

/// A scope as Auth0 writes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ScopeBody {
    value: String,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
}

/// The body of `POST` and `PATCH /api/v2/resource-servers`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ApiBody {
    #[serde(default)]
    identifier: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<ScopeBody>>,
    #[serde(default)]
    token_lifetime: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    mfa_policy: Option<PolicyOverrides>,
    /// `RS256` (the default), `ES256` or `EdDSA`.
    #[serde(default)]
    signing_alg: Option<String>,
}

/// An API's access-token algorithm as sent: one Portcullis signs with, or refused.
pub(crate) fn api_alg(v: Option<String>) -> CoreResult<Option<String>> {
    match v {
        Some(a) if portcullis_core::crypto::jws::Alg::parse(&a).is_none() => Err(invalid(
            "signing_alg must be RS256, ES256 or EdDSA on property signing_alg",
        )),
        other => Ok(other),
    }
}

type CoreResult<T> = portcullis_core::Result<T>;

fn invalid(m: impl Into<String>) -> portcullis_core::Error {
    portcullis_core::Error::Invalid(m.into())
}

/// Access tokens live from one minute to a day.
const TOKEN_LIFETIME: std::ops::RangeInclusive<i64> = 60..=86_400;

pub(crate) fn lifetime(v: Option<i64>) -> CoreResult<Option<i64>> {
    match v {
        Some(t) if !TOKEN_LIFETIME.contains(&t) => Err(invalid(
            "token_lifetime must be from 60 to 86400 seconds on property token_lifetime",
        )),
        other => Ok(other),
    }
}

fn scope_values(scopes: Vec<ScopeBody>) -> CoreResult<Vec<String>> {
    checked_scopes(scopes.into_iter().map(|s| s.value).collect())
}

/// Scope values as an API declares them: not empty, no whitespace.
pub(crate) fn checked_scopes(values: Vec<String>) -> CoreResult<Vec<String>> {
    if let Some(bad) = values
        .iter()
        .find(|s| s.is_empty() || s.contains(char::is_whitespace))
    {
        return Err(invalid(format!(
            "scope {bad:?} is not valid on property scopes"
        )));
    }
    Ok(values)
}

#[utoipa::path(
    post,
    path = "/api/v2/resource-servers",
    tag = "clients",
    request_body = ApiBody,
    responses((status = 201, description = "Created", body = super::openapi::ResourceServerDoc), (status = 409, description = "Already exists", body = super::openapi::ApiErrorDoc), super::openapi::ApiErrors),
    security(("management" = ["create:resource_servers"]))
)]
/// `POST /api/v2/resource-servers`: `201`; `409` if the identifier is taken.
pub async fn create_api(State(state): State<AppState>, admin: Admin, body: Bytes) -> Response {
    respond(async {
        admin.require(&["create:resource_servers"])?;
        let body: ApiBody = parse_body(&body)?;
        let identifier = body
            .identifier
            .ok_or_else(|| ApiError::body("missing required property: identifier"))?;
        let ttl = lifetime(body.token_lifetime)?;
        let alg = api_alg(body.signing_alg)?;
        let scopes = scope_values(body.scopes.unwrap_or_default())?;
        let mut api = admin::create_api(
            state.store(),
            state.clock(),
            &identifier,
            body.name.as_deref(),
            scopes,
            body.mfa_policy.unwrap_or_default(),
        )
        .await?;
        if ttl.is_some() || alg.is_some() {
            api.token_ttl = ttl.unwrap_or(api.token_ttl);
            api.signing_alg = alg;
        }
        save_api(&state, &api).await?;
        admin
            .audit(
                &state,
                "api.created",
                None,
                json!({ "identifier": api.identifier }),
            )
            .await;
        Ok((StatusCode::CREATED, axum::Json(api_json(&state, &api))).into_response())
    })
    .await
}

fn system_api() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "operation_not_supported",
        "The management API is built in and cannot be changed.",
    )
}

#[utoipa::path(
    patch,
    path = "/api/v2/resource-servers/{id}",
    tag = "clients",
    params(("id" = String, Path, description = "The id")),
    request_body = ApiBody,
    responses((status = 200, description = "Updated", body = super::openapi::ResourceServerDoc), super::openapi::ApiErrors),
    security(("management" = ["update:resource_servers"]))
)]
/// `PATCH /api/v2/resource-servers/{id}`.
pub async fn update_api(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    respond(async {
        admin.require(&["update:resource_servers"])?;
        let body: ApiBody = parse_body(&body)?;
        let mut api = find_api(&state, &id).await?;
        if is_system(&state, &api) {
            return Err(system_api());
        }
        if body.identifier.is_some_and(|i| i != api.identifier) {
            return Err(ApiError::body(
                "identifier cannot be changed on property identifier",
            ));
        }
        if let Some(t) = lifetime(body.token_lifetime)? {
            api.token_ttl = t;
        }
        if let Some(s) = body.scopes {
            api.scopes = scope_values(s)?;
        }
        if let Some(n) = body.name {
            api.name = n;
        }
        if let Some(a) = api_alg(body.signing_alg)? {
            api.signing_alg = Some(a);
        }
        if let Some(p) = body.mfa_policy {
            api.policy = p;
        }
        save_api(&state, &api).await?;
        admin
            .audit(
                &state,
                "api.updated",
                None,
                json!({ "identifier": api.identifier }),
            )
            .await;
        Ok(axum::Json(api_json(&state, &api)).into_response())
    })
    .await
}

#[utoipa::path(
    delete,
    path = "/api/v2/resource-servers/{id}",
    tag = "clients",
    params(("id" = String, Path, description = "The id")),
    responses((status = 204, description = "Deleted"), super::openapi::ApiErrors),
    security(("management" = ["delete:resource_servers"]))
)]
/// `DELETE /api/v2/resource-servers/{id}`: with the client grants on it.
pub async fn delete_api(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["delete:resource_servers"])?;
        let api = find_api(&state, &id).await?;
        if is_system(&state, &api) {
            return Err(system_api());
        }
        remove_api(&state, &api).await?;
        admin
            .audit(
                &state,
                "api.deleted",
                None,
                json!({ "identifier": api.identifier }),
            )
            .await;
        Ok(no_content())
    })
    .await
}

/// A grant's id: derived from the pair it joins, since a client has one grant per API.
fn grant_id(g: &ClientGrant) -> String {
    format!(
        "cgr_{}",
        &token_digest(&format!("{}\n{}", g.client_id, g.audience))[..22]
    )
}

fn grant_json(g: &ClientGrant) -> Value {
    json!({ "id": grant_id(g), "client_id": g.client_id, "audience": g.audience, "scope": g.scopes })
}

#[utoipa::path(
    get,
    path = "/api/v2/client-grants",
    tag = "clients",
    params(super::openapi::PageParams, ("client_id" = Option<String>, Query, description = "Only this client's"), ("audience" = Option<String>, Query, description = "Only on this API")),
    responses((status = 200, description = "Grants", body = super::openapi::ClientGrantsPage), super::openapi::ApiErrors),
    security(("management" = ["read:client_grants"]))
)]
/// `GET /api/v2/client-grants` (filters `client_id`, `audience`).
pub async fn grants(
    State(state): State<AppState>,
    admin: Admin,
    RawQuery(q): RawQuery,
) -> Response {
    respond(async {
        admin.require(&["read:client_grants"])?;
        let params = query(q)?;
        let paging = Paging::from(&params)?;
        let all: Vec<ClientGrant> = state
            .store()
            .list_client_grants()
            .await?
            .into_iter()
            .filter(|g| params.get("client_id").is_none_or(|c| c == g.client_id))
            .filter(|g| params.get("audience").is_none_or(|a| a == g.audience))
            .collect();
        Ok(paging.page_of("client_grants", &all, grant_json))
    })
    .await
}

/// The body of `POST /api/v2/client-grants`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct GrantBody {
    client_id: String,
    audience: String,
    scope: Vec<String>,
}

#[utoipa::path(
    post,
    path = "/api/v2/client-grants",
    tag = "clients",
    request_body = GrantBody,
    responses((status = 201, description = "Created", body = super::openapi::ClientGrantDoc), (status = 409, description = "Already exists", body = super::openapi::ApiErrorDoc), super::openapi::ApiErrors),
    security(("management" = ["create:client_grants"]))
)]
/// `POST /api/v2/client-grants`: `201`; `409` if the client already has a grant on the API.
pub async fn create_grant(State(state): State<AppState>, admin: Admin, body: Bytes) -> Response {
    respond(async {
        admin.require(&["create:client_grants"])?;
        let body: GrantBody = parse_body(&body)?;
        let client = find_client(&state, &body.client_id).await?;
        let grant = add_grant(&state, &client, &body.audience, body.scope)
            .await
            .map_err(|e| match e {
                portcullis_core::Error::Conflict(_) => ApiError::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "A client grant for this client and audience already exists.",
                ),
                portcullis_core::Error::NotFound(_) => {
                    ApiError::not_found("inexistent_resource_server", "resource server")
                }
                other => other.into(),
            })?;
        admin
            .audit(
                &state,
                "client_grant.created",
                None,
                json!({ "target_client_id": grant.client_id, "audience": grant.audience, "scope": grant.scopes }),
            )
            .await;
        Ok((StatusCode::CREATED, axum::Json(grant_json(&grant))).into_response())
    })
    .await
}

#[utoipa::path(
    delete,
    path = "/api/v2/client-grants/{id}",
    tag = "clients",
    params(("id" = String, Path, description = "The id")),
    responses((status = 204, description = "Deleted"), super::openapi::ApiErrors),
    security(("management" = ["delete:client_grants"]))
)]
/// `DELETE /api/v2/client-grants/{id}`.
pub async fn delete_grant(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["delete:client_grants"])?;
        let grant = state
            .store()
            .list_client_grants()
            .await?
            .into_iter()
            .find(|g| grant_id(g) == id)
            .ok_or_else(|| ApiError::not_found("inexistent_client_grant", "client grant"))?;
        remove_grant(&state, &grant.client_id, &grant.audience).await?;
        admin
            .audit(
                &state,
                "client_grant.deleted",
                None,
                json!({ "target_client_id": grant.client_id, "audience": grant.audience }),
            )
            .await;
        Ok(no_content())
    })
    .await
}

#[utoipa::path(
    get,
    path = "/api/v2/mfa-policy",
    tag = "clients",
    params(("client_id" = Option<String>, Query, description = "A client"), ("audience" = Option<String>, Query, description = "An API identifier")),
    responses((status = 200, description = "Tenant and effective policy", body = super::openapi::PolicyDoc), super::openapi::ApiErrors),
    security(("management" = ["read:clients"]))
)]
/// `GET /api/v2/mfa-policy?client_id=&audience=`: the tenant's policy and the one in force
/// for that client and API (tenant, then client, then API; the most specific wins).
pub async fn policy(
    State(state): State<AppState>,
    admin: Admin,
    RawQuery(q): RawQuery,
) -> Response {
    respond(async {
        admin.require(&["read:clients"])?;
        let params = query(q)?;
        if let Some(id) = params.get("client_id") {
            find_client(&state, id).await?;
        }
        if let Some(a) = params.get("audience") {
            find_api(&state, a).await?;
        }
        let effective = state
            .policy(params.get("client_id"), params.get("audience"))
            .await;
        Ok(axum::Json(json!({
            "tenant": state.tenant_policy(),
            "tenant_overrides": state.snapshot().tenant_policy,
            "effective": effective,
        }))
        .into_response())
    })
    .await
}

/// Replaces the tenant policy keys changed at run time and reloads every node's copy; what
/// `PUT /api/v2/mfa-policy/tenant` and the console's policy editor both call (the caller audits).
pub(crate) async fn change_tenant_policy(
    state: &AppState,
    overrides: &PolicyOverrides,
) -> crate::error::AppResult<()> {
    admin::set_tenant_overrides(state.store(), state.clock(), overrides).await?;
    state
        .refresh()
        .await
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))
}

#[utoipa::path(
    put,
    path = "/api/v2/mfa-policy/tenant",
    tag = "clients",
    request_body(content = Object, description = "The tenant policy keys that override the config file's [policy] (mfa, required_acr, max_age, mfa_on_refresh, allowed_factors, enroll_with_any, remember_device_days, signup, require_verified_email, require_dpop, require_pushed_authorization_requests, token_exchange, fapi2); {} returns every key to the file"),
    responses((status = 200, description = "Tenant policy now in force", body = super::openapi::PolicyDoc), super::openapi::ApiErrors),
    security(("management" = ["update:tenant_settings"]))
)]
/// `PUT /api/v2/mfa-policy/tenant`: the tenant policy keys that override the config file, as a
/// whole (a key left out follows the file again).
pub async fn set_tenant_policy(
    State(state): State<AppState>,
    admin: Admin,
    body: Bytes,
) -> Response {
    respond(async {
        admin.require(&["update:tenant_settings"])?;
        // serde takes an array for a struct of optional fields; only an object names keys.
        if body.trim_ascii_start().first() != Some(&b'{') {
            return Err(ApiError::body(
                "the body must be a JSON object of policy keys",
            ));
        }
        let overrides: PolicyOverrides = parse_body(&body)?;
        overrides.check()?;
        change_tenant_policy(&state, &overrides).await?;
        admin
            .audit(
                &state,
                "policy.tenant_changed",
                None,
                json!({ "overrides": overrides }),
            )
            .await;
        Ok(axum::Json(json!({
            "tenant": state.tenant_policy(),
            "tenant_overrides": overrides,
            "effective": state.tenant_policy(),
        }))
        .into_response())
    })
    .await
}

/// Every node's copy of clients, APIs and grants reloaded after a change.
async fn reloaded(state: &AppState) -> CoreResult<()> {
    state
        .refresh()
        .await
        .map_err(|e| portcullis_core::Error::Store(e.to_string()))
}

/// Stores a changed client after the checks creation makes; whether it existed. Shared by the
/// management API and the console.
pub(crate) async fn save_client(state: &AppState, c: &Client) -> CoreResult<bool> {
    admin::check_client(c)?;
    let stored = state.store().update_client(c).await?;
    reloaded(state).await?;
    Ok(stored)
}

/// A new secret for a confidential client, shown once: the old one stops working at once.
pub(crate) async fn rotate_client_secret(
    state: &AppState,
    mut c: Client,
) -> CoreResult<(Client, portcullis_core::crypto::secret::SecretString)> {
    if c.is_public() {
        return Err(invalid("a public client has no secret"));
    }
    let (secret, digest) = admin::new_client_secret();
    c.secret_digest = Some(digest);
    if !state.store().update_client(&c).await? {
        return Err(portcullis_core::Error::NotFound("client".into()));
    }
    reloaded(state).await?;
    Ok((c, secret))
}

/// Deletes a client with its grants and tokens; whether it existed.
pub(crate) async fn remove_client(state: &AppState, id: &str) -> CoreResult<bool> {
    let gone = state.store().delete_client(id).await?;
    reloaded(state).await?;
    Ok(gone)
}

/// Stores a changed API.
pub(crate) async fn save_api(state: &AppState, api: &Api) -> CoreResult<()> {
    state.store().update_api(api).await?;
    reloaded(state).await
}

/// Deletes an API with the client grants on it.
pub(crate) async fn remove_api(state: &AppState, api: &Api) -> CoreResult<()> {
    state.store().delete_api(&api.id).await?;
    reloaded(state).await
}

/// Lets `client` ask for `scopes` of the API `audience` with `client_credentials`:
/// `Conflict` if it already may, `Invalid` if it is not allowed that grant, `NotFound` for an
/// unknown API.
pub(crate) async fn add_grant(
    state: &AppState,
    client: &Client,
    audience: &str,
    scopes: Vec<String>,
) -> CoreResult<ClientGrant> {
    if !client.allows_grant("client_credentials") {
        return Err(invalid(
            "the client is not allowed the client_credentials grant on property client_id",
        ));
    }
    // Insert-only: of two requests racing to create it, one gets `Conflict`.
    let grant = admin::create_client_grant(state.store(), &client.id, audience, scopes).await?;
    reloaded(state).await?;
    Ok(grant)
}

/// Takes a client's grant on an API away.
pub(crate) async fn remove_grant(
    state: &AppState,
    client_id: &str,
    audience: &str,
) -> CoreResult<()> {
    state
        .store()
        .delete_client_grant(client_id, audience)
        .await?;
    reloaded(state).await
}
