//! Post-login Actions where sign-ins and token grants end: the `event` Auth0's scripts read,
//! what their `api` calls mean here, and the deployment every node runs.
//!
//! Actions run when a browser sign-in or step-up is about to clear the gate, on a refresh and
//! on the `password` grant; never on `client_credentials` (no user) nor on the MFA grants that
//! finish what an Action asked for.

use std::collections::BTreeMap;

use portcullis_actions::{ActionError, Deployment, Outcome, Script};
use portcullis_core::actions::{Action, BINDINGS_KEY, SealedSecret};
use portcullis_core::authn::assurance::{Method, Proof};
use portcullis_core::crypto::aead::MasterKeys;
use portcullis_core::factor::FactorKind;
use portcullis_core::model::{Client, ExtraClaims, User};
use portcullis_core::ports::Store;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::{AppError, AppResult};
use crate::http::ClientMeta;
use crate::state::AppState;

/// Claims an Action may not set: the protocol's own, which the server alone decides.
const RESERVED: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "azp",
    "nonce",
    "auth_time",
    "acr",
    "amr",
    "sid",
    "at_hash",
    "c_hash",
    "s_hash",
    "client_id",
    "scope",
    "cnf",
    "act",
    "may_act",
    "typ",
    "events",
];

/// What an Action's challenge or enrolment asks the sign-in for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    /// The factor kinds that satisfy it.
    pub kinds: Vec<FactorKind>,
    /// A recovery code satisfies it too (`recovery-code` was listed).
    pub recovery: bool,
    /// A factor of these kinds must be enrolled (`enrollWith*`), not just proved.
    pub enroll: bool,
    /// The Action that asked.
    pub action: String,
}

/// What the Actions decided for one sign-in or token request.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// `api.access.deny`: the reason given.
    pub deny: Option<String>,
    /// A factor to prove or enrol now.
    pub ask: Option<Ask>,
    /// Custom claims for the tokens.
    pub claims: ExtraClaims,
}

/// The request the Actions run for.
pub struct Trigger<'a> {
    /// The user signing in.
    pub user: &'a User,
    /// The application.
    pub client: &'a Client,
    /// The API asked for, if any.
    pub audience: Option<&'a str>,
    /// The scope requested.
    pub scope: &'a str,
    /// `Some(grant_type)` at the token endpoint; `None` for a browser sign-in.
    pub grant_type: Option<&'a str>,
    /// What the sign-in proved, for `authentication.methods`.
    pub proved: Proved<'a>,
    /// The authorization request (browser sign-ins), for `request.query` and `acr_values`.
    pub request: Option<&'a crate::oidc::authorize::AuthorizeRequest>,
}

/// What a sign-in proved, turned into Auth0's `authentication.methods` only when Actions run.
pub enum Proved<'a> {
    /// The proofs of a sign-in being made.
    Proofs(&'a [Proof]),
    /// A grant's `amr` and `auth_time` (a refresh).
    Grant(&'a [String], i64),
}

impl<'a> Trigger<'a> {
    /// A token request: no authorization request behind it.
    pub fn grant(
        user: &'a User,
        client: &'a Client,
        audience: Option<&'a str>,
        scope: &'a str,
        grant_type: &'a str,
        proved: Proved<'a>,
    ) -> Trigger<'a> {
        Trigger {
            user,
            client,
            audience,
            scope,
            grant_type: Some(grant_type),
            proved,
            request: None,
        }
    }
}

/// The deployment to run: the deployed versions of the Actions bound to post-login, in order.
pub async fn deployment(
    store: &dyn Store,
    master: &MasterKeys,
) -> Result<Deployment, crate::state::BuildError> {
    let mut scripts = Vec::new();
    for id in bindings(store).await? {
        let Some(action) = store.action(&id).await? else {
            continue;
        };
        let Some(deployed) = action.deployed else {
            continue;
        };
        let mut secrets = BTreeMap::new();
        for s in &deployed.secrets {
            secrets.insert(s.name.clone(), open_secret(master, &action.id, s)?);
        }
        scripts.push(Script {
            id: action.id,
            name: action.name,
            code: deployed.code,
            secrets,
        });
    }
    Ok(Deployment::new(scripts))
}

/// One post-login binding: the Action and the name lists show for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// The Action's id.
    pub action_id: String,
    /// Auth0's `display_name` (the Action's name unless one was given).
    pub display_name: String,
}

/// The post-login bindings, in order.
pub async fn named_bindings(store: &dyn Store) -> portcullis_core::Result<Vec<Binding>> {
    Ok(match store.tenant_setting(BINDINGS_KEY).await? {
        Some(text) => serde_json::from_str(&text).unwrap_or_default(),
        None => Vec::new(),
    })
}

/// The ids of the Actions bound to post-login, in order.
pub async fn bindings(store: &dyn Store) -> portcullis_core::Result<Vec<String>> {
    Ok(named_bindings(store)
        .await?
        .into_iter()
        .map(|b| b.action_id)
        .collect())
}

/// Replaces the post-login bindings (every node reloads).
async fn set_bindings(
    store: &dyn Store,
    bindings: &[Binding],
    now: i64,
) -> portcullis_core::Result<()> {
    let text = serde_json::to_string(bindings)
        .map_err(|e| portcullis_core::Error::Invalid(e.to_string()))?;
    store
        .set_tenant_setting(BINDINGS_KEY, Some(&text), now)
        .await
}

fn context(action_id: &str, name: &str) -> String {
    format!("portcullis action secret {action_id} {name}")
}

/// Seals a secret's value for storage, bound to its Action and name.
pub fn seal_secret(
    master: &MasterKeys,
    action_id: &str,
    name: &str,
    value: &str,
    now: i64,
) -> portcullis_core::Result<SealedSecret> {
    let sealed = master.encrypt(value.as_bytes(), &context(action_id, name))?;
    Ok(SealedSecret {
        name: name.to_string(),
        sealed: portcullis_core::crypto::b64url(&sealed),
        updated_at: now,
    })
}

fn open_secret(
    master: &MasterKeys,
    action_id: &str,
    secret: &SealedSecret,
) -> portcullis_core::Result<String> {
    let bytes = portcullis_core::crypto::b64url_decode(&secret.sealed)?;
    let plain = master.decrypt(&bytes, &context(action_id, &secret.name))?;
    String::from_utf8(plain).map_err(|e| portcullis_core::Error::Crypto(e.to_string()))
}

/// Runs the post-login Actions for `trigger`. With none bound this reads nothing. Metadata the
/// Actions set is written before the answer; a failure is audited and refuses the request.
pub async fn post_login(
    state: &AppState,
    meta: &ClientMeta,
    trigger: Trigger<'_>,
) -> AppResult<Decision> {
    let deployment = state.snapshot().post_login.clone();
    if deployment.is_empty() {
        return Ok(Decision::default());
    }
    let event = event(state, meta, &trigger).await?;
    let user_id = trigger.user.id.as_str();
    let client_id = trigger.client.id.as_str();
    let outcome = match state.actions().post_login(deployment.clone(), &event).await {
        Ok(outcome) => outcome,
        Err(e) => return Err(failed(state, meta, user_id, client_id, &trigger, e).await),
    };
    let name = |i: usize| {
        deployment
            .scripts()
            .get(i)
            .map_or_else(String::new, |s| s.name.clone())
    };
    for line in &outcome.logs {
        tracing::info!(target: "portcullis::actions", user_id, client_id, level = %line.level, "{}", line.message);
    }
    let decision = match decide(&outcome, &name) {
        Ok(d) => d,
        Err(e) => return Err(failed(state, meta, user_id, client_id, &trigger, e).await),
    };
    apply_metadata(state, meta, trigger.user, &outcome).await?;
    if let Some(reason) = &decision.deny {
        state
            .audit(
                "action.denied",
                meta,
                Some(user_id),
                Some(client_id),
                json!({
                    "action": outcome.deny.as_ref().map(|d| name(d.action)),
                    "reason": reason,
                    "grant": trigger.grant_type,
                }),
            )
            .await;
    }
    Ok(decision)
}

/// Audits a failed run and makes the refusal: a page for a browser, `server_error` JSON for a
/// token request. The reason names the Action, never what it was given.
async fn failed(
    state: &AppState,
    meta: &ClientMeta,
    user_id: &str,
    client_id: &str,
    trigger: &Trigger<'_>,
    error: ActionError,
) -> AppError {
    let (kind, action) = match &error {
        ActionError::Timeout { action, .. } => ("timeout", action.clone()),
        ActionError::Memory { action } => ("memory", action.clone()),
        ActionError::Failed { action, .. } => ("error", action.clone()),
        ActionError::Invalid { action, .. } => ("invalid", action.clone()),
        ActionError::Unavailable(_) => ("unavailable", String::new()),
    };
    if let ActionError::Failed { logs, .. } = &error {
        for line in logs {
            tracing::info!(target: "portcullis::actions", user_id, client_id, level = %line.level, "{}", line.message);
        }
    }
    tracing::warn!(user_id, client_id, error = %error, "a post-login Action failed");
    state
        .audit(
            "action.failed",
            meta,
            Some(user_id),
            Some(client_id),
            json!({ "action": action, "reason": kind, "error": error.to_string(), "grant": trigger.grant_type }),
        )
        .await;
    let message = crate::tr!("action-failed", error = error.to_string());
    match trigger.grant_type {
        None => AppError::page(axum::http::StatusCode::INTERNAL_SERVER_ERROR, message),
        Some(_) => AppError::OAuth {
            status: axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            code: portcullis_proto::oauth::ErrorCode::ServerError,
            description: format!("A post-login Action failed: {error}."),
            challenge: None,
        },
    }
}

/// Maps the recorded `api` calls onto Portcullis: factor types onto kinds, claims checked.
fn decide(outcome: &Outcome, name: &dyn Fn(usize) -> String) -> Result<Decision, ActionError> {
    let mut decision = Decision {
        deny: outcome.deny.as_ref().map(|d| d.reason.clone()),
        ..Decision::default()
    };
    let asked = outcome
        .challenge
        .as_ref()
        .map(|d| (d, false))
        .or_else(|| outcome.enroll.as_ref().map(|d| (d, true)));
    if let Some((demand, enroll)) = asked {
        let action = name(demand.action);
        let (mut kinds, mut recovery) = (Vec::new(), false);
        for t in &demand.factors {
            let kind = match t.as_str() {
                "otp" => FactorKind::Totp,
                "phone" => FactorKind::Sms,
                "email" => FactorKind::Email,
                "webauthn-roaming" | "webauthn-platform" => FactorKind::Webauthn,
                "recovery-code" => {
                    recovery = true;
                    continue;
                }
                "any" => {
                    kinds.extend([
                        FactorKind::Totp,
                        FactorKind::Webauthn,
                        FactorKind::Email,
                        FactorKind::Sms,
                    ]);
                    recovery = true;
                    continue;
                }
                "push-notification" => {
                    tracing::warn!(action = %action, "push-notification is not supported here; the other factors listed are offered");
                    continue;
                }
                other => {
                    return Err(ActionError::Failed {
                        action,
                        message: format!("unknown factor type {other:?}"),
                        logs: Vec::new(),
                    });
                }
            };
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        // A challenge may be answered by a recovery code alone; an enrolment needs a kind.
        if kinds.is_empty() && (enroll || !recovery) {
            return Err(ActionError::Failed {
                action,
                message: "none of the factor types asked for is supported here (push-notification is not)".into(),
                logs: Vec::new(),
            });
        }
        decision.ask = Some(Ask {
            kinds,
            recovery: recovery && !enroll,
            enroll,
            action,
        });
    }
    decision.claims = ExtraClaims {
        id: custom(&outcome.id_claims),
        access: custom(&outcome.access_claims),
    };
    Ok(decision)
}

/// The custom claims an Action may set: all but the protocol's own, which are dropped.
fn custom(claims: &Map<String, Value>) -> Map<String, Value> {
    claims
        .iter()
        .filter(|(k, _)| {
            let reserved = RESERVED.contains(&k.as_str());
            if reserved {
                tracing::warn!(claim = %k, "an Action may not set this claim; it was left out");
            }
            !reserved
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Writes `api.user.setAppMetadata`/`setUserMetadata` (a `null` removes the key).
async fn apply_metadata(
    state: &AppState,
    meta: &ClientMeta,
    user: &User,
    outcome: &Outcome,
) -> AppResult<()> {
    if outcome.app_metadata.is_empty() && outcome.user_metadata.is_empty() {
        return Ok(());
    }
    let Some(mut fresh) = state.store().user_by_id(&user.id).await? else {
        return Ok(());
    };
    let merge = |target: &mut Value, changes: &Map<String, Value>| {
        if !target.is_object() {
            *target = json!({});
        }
        if let Some(obj) = target.as_object_mut() {
            for (k, v) in changes {
                if v.is_null() {
                    obj.remove(k);
                } else {
                    obj.insert(k.clone(), v.clone());
                }
            }
        }
    };
    merge(&mut fresh.app_metadata, &outcome.app_metadata);
    merge(&mut fresh.user_metadata, &outcome.user_metadata);
    state.store().update_user(&fresh).await?;
    state
        .audit(
            "user.metadata_set_by_action",
            meta,
            Some(&user.id),
            None,
            json!({
                "app_metadata": outcome.app_metadata.keys().collect::<Vec<_>>(),
                "user_metadata": outcome.user_metadata.keys().collect::<Vec<_>>(),
            }),
        )
        .await;
    Ok(())
}

/// Auth0's factor type for a kind, as `event.user.enrolledFactors` and `multifactor` show it.
fn auth0_type(kind: FactorKind) -> &'static str {
    match kind {
        FactorKind::Totp => "otp",
        FactorKind::Sms => "phone",
        FactorKind::Email => "email",
        FactorKind::Webauthn => "webauthn-roaming",
    }
}

/// Auth0's `authentication.methods[].name` for a proof.
fn method_name(method: Method) -> &'static str {
    match method {
        Method::Password => "pwd",
        Method::MagicLink => "email",
        Method::EmailOtp | Method::SmsOtp | Method::Totp | Method::RecoveryCode => "mfa",
        Method::Webauthn => "passkey",
        Method::RememberedDevice => "mfa",
        Method::Federated | Method::FederatedMfa => "federated",
    }
}

/// `authentication.methods` of a sign-in from what it proved.
fn methods(proofs: &[Proof]) -> Vec<Value> {
    proofs
        .iter()
        .map(|p| json!({ "name": method_name(p.method), "timestamp": iso(p.at) }))
        .collect()
}

/// `authentication.methods` of a grant (a refresh), from its `amr` and `auth_time`.
fn methods_of_grant(amr: &[String], auth_time: i64) -> Vec<Value> {
    let mut names: Vec<&str> = amr
        .iter()
        .map(|m| match m.as_str() {
            "pwd" => "pwd",
            "fed" => "federated",
            _ => "mfa",
        })
        .collect();
    names.dedup();
    names
        .into_iter()
        .map(|n| json!({ "name": n, "timestamp": iso(auth_time) }))
        .collect()
}

fn iso(t: i64) -> Value {
    Value::String(crate::time::iso8601(t))
}

/// Auth0's post-login `event`, without `secrets` (each Action gets its own).
async fn event(state: &AppState, meta: &ClientMeta, t: &Trigger<'_>) -> AppResult<Value> {
    let user = t.user;
    let factors = crate::ui::active_factors(state, &user.id).await?;
    let mut types: Vec<&str> = factors.iter().map(|f| auth0_type(f.kind)).collect();
    types.dedup();
    let enrolled: Vec<Value> = types.iter().map(|t| json!({ "type": t })).collect();
    // Auth0 counts the sign-in being made; a refresh is not one.
    let logins = state.store().logins_count(&user.id).await?
        + i64::from(t.grant_type != Some("refresh_token"));
    let split = |s: &str| -> Vec<String> { s.split_whitespace().map(str::to_string).collect() };
    let host = url::Url::parse(state.issuer())
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    let body = match t.grant_type {
        Some(g) => {
            let mut b = json!({ "grant_type": g, "scope": t.scope });
            if let Some(a) = t.audience {
                b["audience"] = json!(a);
            }
            b
        }
        None => json!({}),
    };
    let protocol = match t.grant_type {
        Some("refresh_token") => "oauth2-refresh-token",
        Some("password") => "oauth2-password",
        _ => "oidc-basic-profile",
    };
    let mut event = json!({
        "user": {
            "user_id": user.id,
            "email": user.email,
            "email_verified": user.email_verified,
            "name": user.name,
            "created_at": iso(user.created_at),
            "last_login": user.last_login.map_or(Value::Null, iso),
            "app_metadata": user.app_metadata,
            "user_metadata": user.user_metadata,
            "multifactor": types,
            "enrolledFactors": enrolled,
            "identities": [{ "provider": "portcullis", "user_id": user.id, "connection": "Username-Password-Authentication", "isSocial": false }],
        },
        "request": {
            "ip": meta.ip,
            "user_agent": meta.user_agent,
            "hostname": host,
            "method": if t.grant_type.is_some() { "POST" } else { "GET" },
            "query": t.request.map_or_else(|| json!({}), |r| r.query()),
            "body": body,
        },
        "client": { "client_id": t.client.id, "name": t.client.name, "metadata": {} },
        "authentication": {
            "methods": match t.proved {
                Proved::Proofs(p) => methods(p),
                Proved::Grant(amr, at) => methods_of_grant(amr, at),
            },
        },
        "transaction": {
            "requested_scopes": split(t.scope),
            "acr_values": t.request.and_then(|r| r.acr_values.as_deref()).map(split).unwrap_or_default(),
            "protocol": protocol,
            "locale": "en",
        },
        "stats": { "logins_count": logins },
        "connection": { "id": "con_portcullis", "name": "Username-Password-Authentication", "strategy": "auth0" },
        "tenant": { "id": host },
    });
    if let Some(aud) = t.audience {
        event["resource_server"] = json!({ "identifier": aud });
    }
    Ok(event)
}

/// The longest source an Action may have.
const MAX_CODE: usize = 100 * 1024;
/// The most secrets one Action may have, and the longest value.
const MAX_SECRETS: usize = 50;
const MAX_SECRET_VALUE: usize = 4096;

/// A secret as given to create or update: a value to set, or `None` to keep the stored one.
#[derive(Debug, Clone, Deserialize)]
pub struct SecretInput {
    /// `event.secrets.<name>`.
    pub name: String,
    /// The value; absent keeps the stored value.
    #[serde(default)]
    pub value: Option<String>,
}

/// What a create or update changes; `None` keeps what is stored.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// A new name.
    pub name: Option<String>,
    /// New source.
    pub code: Option<String>,
    /// The whole set of secrets (those left out are removed).
    pub secrets: Option<Vec<SecretInput>>,
    /// Auth0's runtime label.
    pub runtime: Option<String>,
}

fn invalid(message: impl Into<String>) -> portcullis_core::Error {
    portcullis_core::Error::Invalid(message.into())
}

fn check_name(name: &str) -> portcullis_core::Result<()> {
    if name.trim().is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(invalid("name must be 1 to 100 printable characters"));
    }
    Ok(())
}

/// Applies `draft` to `action` (a new one or a stored one), checking every field.
fn apply(
    master: &MasterKeys,
    action: &mut Action,
    draft: Draft,
    now: i64,
) -> portcullis_core::Result<()> {
    if let Some(name) = draft.name {
        check_name(&name)?;
        action.name = name;
    }
    if let Some(code) = draft.code {
        if code.len() > MAX_CODE {
            return Err(invalid("code is longer than 100 KiB"));
        }
        action.code = code;
    }
    if let Some(runtime) = draft.runtime {
        if !runtime.starts_with("node") {
            return Err(invalid(
                "runtime must be a node runtime label such as node18",
            ));
        }
        action.runtime = runtime;
    }
    if let Some(inputs) = draft.secrets {
        if inputs.len() > MAX_SECRETS {
            return Err(invalid("an Action has at most 50 secrets"));
        }
        let mut secrets = Vec::with_capacity(inputs.len());
        for input in inputs {
            let valid = input
                .name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && input.name.len() <= 64
                && input
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(invalid(format!(
                    "secret names are letters, digits and _ (not starting with a digit): {:?}",
                    input.name
                )));
            }
            if secrets.iter().any(|s: &SealedSecret| s.name == input.name) {
                return Err(invalid(format!("secret {:?} is given twice", input.name)));
            }
            let sealed = match input.value {
                Some(value) if value.len() > MAX_SECRET_VALUE => {
                    return Err(invalid("a secret's value is at most 4 KiB"));
                }
                Some(value) => seal_secret(master, &action.id, &input.name, &value, now)?,
                None => action
                    .secrets
                    .iter()
                    .find(|s| s.name == input.name)
                    .cloned()
                    .ok_or_else(|| invalid(format!("secret {:?} needs a value", input.name)))?,
            };
            secrets.push(sealed);
        }
        action.secrets = secrets;
    }
    action.updated_at = now;
    Ok(())
}

/// Creates an Action (not deployed, not bound); `Conflict` if the name is taken.
pub async fn create(
    store: &dyn Store,
    master: &MasterKeys,
    draft: Draft,
    now: i64,
) -> portcullis_core::Result<Action> {
    let (Some(_), Some(_)) = (&draft.name, &draft.code) else {
        return Err(invalid("name and code are required"));
    };
    let mut action = Action {
        id: portcullis_core::crypto::random::id("act"),
        name: String::new(),
        code: String::new(),
        secrets: Vec::new(),
        runtime: portcullis_core::actions::RUNTIME.into(),
        deployed: None,
        created_at: now,
        updated_at: now,
    };
    apply(master, &mut action, draft, now)?;
    store.create_action(&action).await?;
    Ok(action)
}

/// Changes an Action's draft (what runs changes only at the next deploy).
pub async fn update(
    store: &dyn Store,
    master: &MasterKeys,
    id: &str,
    draft: Draft,
    now: i64,
) -> portcullis_core::Result<Option<Action>> {
    let Some(mut action) = store.action(id).await? else {
        return Ok(None);
    };
    apply(master, &mut action, draft, now)?;
    Ok(store.save_action(&action).await?.then_some(action))
}

/// Deploys the draft: it must compile and export `onExecutePostLogin` (checked in a throwaway
/// sandbox, off the async threads), then it is what sign-ins run, on every node.
pub async fn deploy(
    store: &dyn Store,
    limits: portcullis_actions::Limits,
    id: &str,
    now: i64,
) -> portcullis_core::Result<Option<Action>> {
    let Some(mut action) = store.action(id).await? else {
        return Ok(None);
    };
    let (name, code) = (action.name.clone(), action.code.clone());
    tokio::task::spawn_blocking(move || portcullis_actions::check(&name, &code, limits))
        .await
        .map_err(|e| portcullis_core::Error::Store(e.to_string()))?
        .map_err(|e| invalid(e.to_string()))?;
    let number = action.deployed.as_ref().map_or(1, |d| d.number + 1);
    action.deployed = Some(portcullis_core::actions::Deployed {
        number,
        id: portcullis_core::crypto::random::id("actv"),
        code: action.code.clone(),
        secrets: action.secrets.clone(),
        deployed_at: now,
    });
    Ok(store.save_action(&action).await?.then_some(action))
}

/// Deletes an Action. One bound to post-login is refused (`Conflict`) unless `force`, which
/// unbinds it first.
pub async fn delete(
    store: &dyn Store,
    id: &str,
    force: bool,
    now: i64,
) -> portcullis_core::Result<bool> {
    let bound = named_bindings(store).await?;
    if bound.iter().any(|b| b.action_id == id) {
        if !force {
            return Err(portcullis_core::Error::Conflict(
                "the Action is bound to post-login; unbind it or delete with force".into(),
            ));
        }
        let rest: Vec<Binding> = bound.into_iter().filter(|b| b.action_id != id).collect();
        set_bindings(store, &rest, now).await?;
    }
    store.delete_action(id).await
}

/// Binds Actions to post-login in this order (each named by id or by name, with an optional
/// display name); each must be deployed and appear once. An empty list unbinds everything.
pub async fn bind(
    store: &dyn Store,
    refs: &[(ActionRef, Option<String>)],
    now: i64,
) -> portcullis_core::Result<Vec<(Action, Binding)>> {
    let all = store.list_actions().await?;
    let mut chosen: Vec<(Action, Binding)> = Vec::with_capacity(refs.len());
    for (r, display_name) in refs {
        let found = all
            .iter()
            .find(|a| match r {
                ActionRef::Id(id) => a.id == *id,
                ActionRef::Name(name) => a.name == *name,
            })
            .ok_or_else(|| portcullis_core::Error::NotFound(format!("The Action {r}")))?;
        if found.deployed.is_none() {
            return Err(invalid(format!(
                "the Action {:?} has no deployed version; deploy it first",
                found.name
            )));
        }
        if chosen.iter().any(|(c, _)| c.id == found.id) {
            return Err(invalid(format!(
                "the Action {:?} is bound twice",
                found.name
            )));
        }
        let binding = Binding {
            action_id: found.id.clone(),
            display_name: display_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| found.name.clone()),
        };
        chosen.push((found.clone(), binding));
    }
    let list: Vec<Binding> = chosen.iter().map(|(_, b)| b.clone()).collect();
    set_bindings(store, &list, now).await?;
    Ok(chosen)
}

/// An Action named in a binding: Auth0's `ref` of type `action_id` or `action_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionRef {
    /// By id.
    Id(String),
    /// By name.
    Name(String),
}

impl std::fmt::Display for ActionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ActionRef::Id(id) => write!(f, "with id {id:?}"),
            ActionRef::Name(name) => write!(f, "named {name:?}"),
        }
    }
}

/// Creates the Action `name` or gives it new source, sets the secrets given (keeping the others),
/// deploys it (refused, with nothing deployed, if it does not load) and, with `bind`, runs it
/// last at post-login if it is not bound yet. The CLI's `action deploy` and the console's form.
#[allow(clippy::too_many_arguments)]
pub async fn save_and_deploy(
    store: &dyn Store,
    master: &MasterKeys,
    limits: portcullis_actions::Limits,
    name: &str,
    code: String,
    secrets: Vec<(String, String)>,
    bind_it: bool,
    now: i64,
) -> portcullis_core::Result<Action> {
    let existing = store
        .list_actions()
        .await?
        .into_iter()
        .find(|a| a.name == name);
    let mut given: Vec<SecretInput> = secrets
        .into_iter()
        .map(|(name, value)| SecretInput {
            name,
            value: Some(value),
        })
        .collect();
    if let Some(a) = &existing {
        for s in &a.secrets {
            if !given.iter().any(|g| g.name == s.name) {
                given.push(SecretInput {
                    name: s.name.clone(),
                    value: None,
                });
            }
        }
    }
    let draft = Draft {
        name: Some(name.to_string()),
        code: Some(code),
        secrets: Some(given),
        runtime: None,
    };
    let id = match existing {
        Some(a) => {
            update(store, master, &a.id, draft, now).await?;
            a.id
        }
        None => create(store, master, draft, now).await?.id,
    };
    let deployed = deploy(store, limits, &id, now)
        .await?
        .ok_or_else(|| portcullis_core::Error::NotFound(format!("The Action {name:?}")))?;
    if bind_it {
        move_binding(store, &id, Move::Append, now).await?;
    }
    Ok(deployed)
}

/// A change to where one Action stands at post-login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Bound last, if it is not bound.
    Append,
    /// No longer bound.
    Remove,
    /// One place earlier.
    Earlier,
}

/// Moves one Action in the post-login order, keeping the others' places and names.
pub async fn move_binding(
    store: &dyn Store,
    id: &str,
    how: Move,
    now: i64,
) -> portcullis_core::Result<()> {
    let mut list = named_bindings(store).await?;
    let at = list.iter().position(|b| b.action_id == id);
    match (how, at) {
        (Move::Append, None) => {
            let action = store
                .action(id)
                .await?
                .ok_or_else(|| portcullis_core::Error::NotFound(format!("The Action {id:?}")))?;
            if action.deployed.is_none() {
                return Err(invalid(format!(
                    "the Action {:?} has no deployed version; deploy it first",
                    action.name
                )));
            }
            list.push(Binding {
                action_id: action.id,
                display_name: action.name,
            });
        }
        (Move::Remove, Some(i)) => {
            list.remove(i);
        }
        (Move::Earlier, Some(i)) if i > 0 => list.swap(i - 1, i),
        _ => return Ok(()),
    }
    set_bindings(store, &list, now).await
}
