//! The console's settings page: the configuration in force, read-only, by section. It is the
//! settings value itself, serialized, so a new setting appears without a change here; every
//! secret serializes as a mark that it is set ([`SecretString`]'s `Serialize`), and a string under
//! a name that says secret or password is hidden too, in case one is ever typed as a plain string.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::crypto::secret::SecretString;
use serde_json::Value;

use super::{Frame, enter_to_read, page};
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::PageCtx;

struct Section {
    name: String,
    rows: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "admin_settings.html")]
struct SettingsPage {
    nonce: String,
    frame: Frame,
    sections: Vec<Section>,
}

/// `GET /admin/settings`.
pub(crate) async fn show(State(state): State<AppState>, headers: HeaderMap) -> Response {
    page(async {
        let console = inside!(enter_to_read(&state, &headers, "/admin/settings"));
        let json = |e: serde_json::Error| AppError::Internal(format!("settings: {e}"));
        let mut sections = sections(&serde_json::to_value(state.settings()).map_err(json)?);
        sections.push(Section {
            name: "policy in force (the file with the console's changes)".into(),
            rows: flatten(
                "",
                &serde_json::to_value(state.tenant_policy()).map_err(json)?,
            ),
        });
        let ctx = PageCtx::new(&state, &headers);
        let body = SettingsPage {
            nonce: ctx.nonce.clone(),
            frame: Frame::new(&console, "settings"),
            sections,
        };
        ctx.respond(StatusCode::OK, &body, vec![])
    })
    .await
}

/// The top-level scalars as "general", then one section per table.
fn sections(settings: &Value) -> Vec<Section> {
    let mut general = Vec::new();
    let mut out = Vec::new();
    if let Value::Object(map) = settings {
        for (key, value) in map {
            match value {
                Value::Object(_) | Value::Array(_) if !is_scalar_list(value) => out.push(Section {
                    name: key.clone(),
                    rows: flatten("", value),
                }),
                _ => general.extend(flatten(key, value)),
            }
        }
    }
    out.insert(
        0,
        Section {
            name: "general".into(),
            rows: general,
        },
    );
    out
}

fn is_scalar_list(v: &Value) -> bool {
    matches!(v, Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()))
}

/// `path = value` rows for every leaf under `value`.
fn flatten(path: &str, value: &Value) -> Vec<(String, String)> {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            map.iter().flat_map(|(k, v)| flatten(&join(k), v)).collect()
        }
        Value::Array(items) if !is_scalar_list(value) => items
            .iter()
            .enumerate()
            .flat_map(|(i, v)| {
                let name = v["name"].as_str().map_or(i.to_string(), str::to_string);
                flatten(&join(&name), v)
            })
            .collect(),
        leaf => vec![(path.to_string(), shown(path, leaf))],
    }
}

/// A leaf as the page shows it: secrets as set or not, never their value.
fn shown(path: &str, v: &Value) -> String {
    let name = path.rsplit('.').next().unwrap_or(path).to_ascii_lowercase();
    let secret_name = ["secret", "password", "master_key"]
        .iter()
        .any(|w| name.contains(w));
    match v {
        Value::Null => "not set".into(),
        Value::String(s) if s == SecretString::SET || secret_name => "set (hidden)".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().any(|i| i == SecretString::SET) || secret_name => {
            format!("{} set (hidden)", items.len())
        }
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or(i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(_) => "{}".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_by_type_or_by_name_are_shown_as_set() {
        let v = serde_json::json!({
            "issuer": "https://id.example",
            "database_url": SecretString::new("postgres://u:pw@db/x"),
            "master_keys": [SecretString::new("k1"), SecretString::new("k2")],
            "notify": { "smtp": { "host": "mail", "password": "plain-typed", "username": null } },
            "upstream": [{ "name": "google", "client_secret": SecretString::new("gs"), "scopes": ["openid", "email"] }],
        });
        let all: Vec<(String, String)> = sections(&v).into_iter().flat_map(|s| s.rows).collect();
        let get = |k: &str| all.iter().find(|(p, _)| p == k).map(|(_, v)| v.as_str());
        assert_eq!(get("issuer"), Some("https://id.example"));
        assert_eq!(get("database_url"), Some("set (hidden)"));
        assert_eq!(get("master_keys"), Some("2 set (hidden)"));
        assert_eq!(get("smtp.password"), Some("set (hidden)"));
        assert_eq!(get("smtp.username"), Some("not set"));
        assert_eq!(get("google.client_secret"), Some("set (hidden)"));
        assert_eq!(get("google.scopes"), Some("openid, email"));
        let text = format!("{all:?}");
        for secret in ["pw@db", "k1", "plain-typed", "\"gs\""] {
            assert!(!text.contains(secret), "{secret}");
        }
    }
}
