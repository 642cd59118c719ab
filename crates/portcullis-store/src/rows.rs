//! Mapping between rows and core records.

use portcullis_core::model::*;
use portcullis_core::{Error, Result};
use sqlx::Row;
use sqlx::any::AnyRow;

pub(crate) fn db_err(e: sqlx::Error) -> Error {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return Error::Conflict(db.message().to_string());
    }
    Error::Store(e.to_string())
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Store(e.to_string()))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(value: &str) -> Result<T> {
    serde_json::from_str(value).map_err(|e| Error::Store(format!("corrupt JSON column: {e}")))
}

fn get<'r, T>(row: &'r AnyRow, col: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(col).map_err(db_err)
}

pub(crate) fn user(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: get(row, "id")?,
        email: get(row, "email")?,
        email_verified: get::<i64>(row, "email_verified")? != 0,
        name: get(row, "name")?,
        password_hash: get(row, "password_hash")?,
        blocked: get::<i64>(row, "blocked")? != 0,
        created_at: get(row, "created_at")?,
        last_login: get(row, "last_login")?,
        user_metadata: from_json(&get::<String>(row, "user_metadata")?)?,
        app_metadata: from_json(&get::<String>(row, "app_metadata")?)?,
    })
}

pub(crate) fn client(row: &AnyRow) -> Result<Client> {
    Ok(Client {
        id: get(row, "id")?,
        name: get(row, "name")?,
        secret_digest: get(row, "secret_digest")?,
        redirect_uris: from_json(&get::<String>(row, "redirect_uris")?)?,
        post_logout_redirect_uris: from_json(&get::<String>(row, "post_logout_redirect_uris")?)?,
        grant_types: from_json(&get::<String>(row, "grant_types")?)?,
        backchannel_logout_uri: get(row, "backchannel_logout_uri")?,
        first_party: get::<i64>(row, "first_party")? != 0,
        signing_alg: get(row, "signing_alg")?,
        policy: from_json(&get::<String>(row, "policy")?)?,
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn api(row: &AnyRow) -> Result<Api> {
    Ok(Api {
        id: get(row, "id")?,
        identifier: get(row, "identifier")?,
        name: get(row, "name")?,
        scopes: from_json(&get::<String>(row, "scopes")?)?,
        token_ttl: get(row, "token_ttl")?,
        signing_alg: get(row, "signing_alg")?,
        policy: from_json(&get::<String>(row, "policy")?)?,
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn client_grant(row: &AnyRow) -> Result<ClientGrant> {
    Ok(ClientGrant {
        client_id: get(row, "client_id")?,
        audience: get(row, "audience")?,
        scopes: from_json(&get::<String>(row, "scopes")?)?,
    })
}

pub(crate) fn signing_key(row: &AnyRow) -> Result<SigningKeyRecord> {
    Ok(SigningKeyRecord {
        kid: get(row, "kid")?,
        alg: get(row, "alg")?,
        private_encrypted: get(row, "private_encrypted")?,
        created_at: get(row, "created_at")?,
        retired_at: get(row, "retired_at")?,
    })
}

pub(crate) fn session(row: &AnyRow, clients: Vec<String>) -> Result<Session> {
    Ok(Session {
        id: get(row, "id")?,
        user_id: get(row, "user_id")?,
        created_at: get(row, "created_at")?,
        auth_time: get(row, "auth_time")?,
        acr: get(row, "acr")?,
        amr: from_json(&get::<String>(row, "amr")?)?,
        expires_at: get(row, "expires_at")?,
        clients,
        proofs: from_json(&get::<String>(row, "proofs")?)?,
        user_agent: get(row, "user_agent")?,
        ip: get(row, "ip")?,
        last_seen_at: get(row, "last_seen_at")?,
    })
}

pub(crate) fn pending(row: &AnyRow) -> Result<PendingAuthorization> {
    Ok(PendingAuthorization {
        id: get(row, "id")?,
        request: from_json(&get::<String>(row, "request")?)?,
        expires_at: get(row, "expires_at")?,
    })
}

pub(crate) fn refresh_token(row: &AnyRow) -> Result<RefreshToken> {
    Ok(RefreshToken {
        digest: get(row, "digest")?,
        grant: from_json(&get::<String>(row, "body")?)?,
        created_at: get(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
    })
}

pub(crate) fn audit(row: &AnyRow) -> Result<AuditEvent> {
    Ok(AuditEvent {
        at: get(row, "at")?,
        kind: get(row, "kind")?,
        user_id: get(row, "user_id")?,
        client_id: get(row, "client_id")?,
        ip: get(row, "ip")?,
        user_agent: get(row, "user_agent")?,
        detail: from_json(&get::<String>(row, "detail")?)?,
    })
}

pub(crate) fn audit_link(row: &AnyRow) -> Result<Option<AuditLink>> {
    let seq: Option<i64> = get(row, "seq")?;
    Ok(match seq {
        Some(seq) => Some(AuditLink {
            seq,
            prev_hash: get::<Option<String>>(row, "prev_hash")?.unwrap_or_default(),
            hash: get::<Option<String>>(row, "hash")?.unwrap_or_default(),
        }),
        None => None,
    })
}

pub(crate) fn audit_checkpoint(row: &AnyRow) -> Result<AuditCheckpoint> {
    Ok(AuditCheckpoint {
        seq: get(row, "seq")?,
        hash: get(row, "hash")?,
        at: get(row, "at")?,
        seal: get(row, "seal")?,
    })
}

pub(crate) fn opt_i64(row: &AnyRow, col: &str) -> Result<Option<i64>> {
    get(row, col)
}

pub(crate) fn string(row: &AnyRow, col: &str) -> Result<String> {
    get(row, col)
}

pub(crate) fn client_keys(row: &AnyRow) -> Result<(String, ClientKeys)> {
    let jwks: Option<String> = get(row, "jwks")?;
    Ok((
        get(row, "client_id")?,
        ClientKeys {
            jwks: jwks.as_deref().map(from_json).transpose()?,
            jwks_uri: get(row, "jwks_uri")?,
        },
    ))
}

pub(crate) fn factor(row: &AnyRow) -> Result<Factor> {
    let kind: String = get(row, "kind")?;
    Ok(Factor {
        id: get(row, "id")?,
        user_id: get(row, "user_id")?,
        kind: portcullis_core::factor::FactorKind::parse(&kind)
            .ok_or_else(|| Error::Store(format!("unknown factor kind {kind}")))?,
        name: get(row, "name")?,
        secret_enc: get(row, "secret_enc")?,
        target: get(row, "target")?,
        credential_id: get(row, "credential_id")?,
        detail: from_json(&get::<String>(row, "detail")?)?,
        sign_count: get(row, "sign_count")?,
        last_step: get(row, "last_step")?,
        active: get::<i64>(row, "active")? != 0,
        created_at: get(row, "created_at")?,
        last_used_at: get(row, "last_used_at")?,
    })
}

pub(crate) fn otp(row: &AnyRow) -> Result<OneTimeCode> {
    Ok(OneTimeCode {
        id: get(row, "id")?,
        user_id: get(row, "user_id")?,
        purpose: get(row, "purpose")?,
        channel: get(row, "channel")?,
        destination: get(row, "destination")?,
        digest: get(row, "digest")?,
        attempts: get(row, "attempts")?,
        data: from_json(&get::<String>(row, "data")?)?,
        created_at: get(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
    })
}

pub(crate) fn flow(row: &AnyRow) -> Result<Flow> {
    Ok(Flow {
        id: get(row, "id")?,
        kind: get(row, "kind")?,
        user_id: get(row, "user_id")?,
        data: from_json(&get::<String>(row, "data")?)?,
        expires_at: get(row, "expires_at")?,
    })
}

pub(crate) fn device(row: &AnyRow) -> Result<Device> {
    Ok(Device {
        id: get(row, "id")?,
        user_id: get(row, "user_id")?,
        token_digest: get(row, "token_digest")?,
        label: get(row, "label")?,
        created_at: get(row, "created_at")?,
        last_used_at: get(row, "last_used_at")?,
        expires_at: get(row, "expires_at")?,
    })
}

pub(crate) fn failures(row: &AnyRow) -> Result<Failures> {
    Ok(Failures {
        count: get(row, "failed")?,
        last_at: get(row, "last_at")?,
    })
}

pub(crate) fn count(row: &AnyRow) -> Result<i64> {
    get(row, "n")
}

pub(crate) fn upstream_identity(row: &AnyRow) -> Result<UpstreamIdentity> {
    Ok(UpstreamIdentity {
        provider: get(row, "provider")?,
        subject: get(row, "subject")?,
        user_id: get(row, "user_id")?,
        email: get(row, "email")?,
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn consent(row: &AnyRow) -> Result<Consent> {
    let audience: String = get(row, "audience")?;
    let scope: String = get(row, "scope")?;
    Ok(Consent {
        id: get(row, "id")?,
        user_id: get(row, "user_id")?,
        client_id: get(row, "client_id")?,
        audience: (!audience.is_empty()).then_some(audience),
        scope: scope.split_whitespace().map(str::to_string).collect(),
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}
