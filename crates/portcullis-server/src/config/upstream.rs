//! Upstream identity providers (federation): one `[upstream.<name>]` table each.
//!
//! ```toml
//! [upstream.google]
//! preset = "google"
//! client_id = "1234.apps.googleusercontent.com"
//! client_secret_file = "/run/secrets/google"
//!
//! [upstream.corp]
//! kind = "oidc"
//! issuer = "https://sso.example.com"   # endpoints come from its discovery document
//! client_id = "portcullis"
//! client_secret = "…"
//! display_name = "Example Corp"
//! trust_upstream_acr = true
//! ```
//!
//! A preset fills endpoints, scopes and claim names; keys set in the table win. Unknown keys are
//! errors, as everywhere in the configuration.

use std::collections::BTreeMap;

use portcullis_core::crypto::secret::SecretString;
use serde::Deserialize;

use super::ConfigError;

/// The protocol an upstream speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UpstreamKind {
    /// OpenID Connect: an ID token, checked against the provider's keys.
    Oidc,
    /// Plain OAuth 2.0: who the user is comes from a userinfo endpoint.
    Oauth2,
}

/// Built-in settings for well-known providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// GitHub (OAuth 2.0; the verified primary email from `/user/emails`).
    Github,
    /// Google (OpenID Connect).
    Google,
}

/// Scopes as a TOML list or a space-separated string (handy in environment variables).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(untagged)]
pub enum Scopes {
    /// `["openid", "email"]`.
    List(Vec<String>),
    /// `"openid email"`.
    Text(String),
}

/// A `[upstream.<name>]` table as written.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpstream {
    kind: Option<UpstreamKind>,
    preset: Option<Preset>,
    issuer: Option<String>,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    userinfo_endpoint: Option<String>,
    emails_endpoint: Option<String>,
    jwks_uri: Option<String>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    client_secret_file: Option<String>,
    scopes: Option<Scopes>,
    display_name: Option<String>,
    subject_claim: Option<String>,
    email_claim: Option<String>,
    email_verified_claim: Option<String>,
    name_claim: Option<String>,
    #[serde(default)]
    trust_upstream_acr: bool,
}

/// Which upstream claims carry what we need.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClaimMapping {
    /// The stable subject identifier (`sub`; GitHub: `id`).
    pub subject: String,
    /// The email address.
    pub email: String,
    /// Whether the upstream verified the address; absent means not verified.
    pub email_verified: String,
    /// The display name.
    pub name: String,
}

/// One resolved upstream provider.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UpstreamSettings {
    /// Its name: the `<name>` of the table and the path segment of its sign-in URL.
    pub name: String,
    /// OpenID Connect or plain OAuth 2.0.
    pub kind: UpstreamKind,
    /// Shown on the button ("Continue with …").
    pub display_name: String,
    /// The issuer: required for OpenID Connect (the `iss` every ID token must carry).
    pub issuer: Option<String>,
    /// Authorization endpoint; for OpenID Connect, discovered from the issuer when absent.
    pub authorization_endpoint: Option<String>,
    /// Token endpoint; discovered when absent.
    pub token_endpoint: Option<String>,
    /// Userinfo endpoint; discovered when absent (optional for OpenID Connect).
    pub userinfo_endpoint: Option<String>,
    /// A GitHub-style list of `{email, primary, verified}`, used when userinfo has no
    /// verified email.
    pub emails_endpoint: Option<String>,
    /// The provider's signing keys; discovered when absent.
    pub jwks_uri: Option<String>,
    /// Our client id at the provider.
    pub client_id: String,
    /// Our client secret at the provider (none for a public client using PKCE only).
    pub client_secret: Option<SecretString>,
    /// Scopes to ask for.
    pub scopes: Vec<String>,
    /// Claim names.
    pub claims: ClaimMapping,
    /// Whether the provider's `acr`/`amr` may count as multi-factor here (default: no, the
    /// user still proves a local factor when policy asks for one).
    pub trust_upstream_acr: bool,
}

impl UpstreamSettings {
    /// Whether endpoints must be fetched from the issuer's discovery document.
    pub fn needs_discovery(&self) -> bool {
        self.authorization_endpoint.is_none()
            || self.token_endpoint.is_none()
            || (self.kind == UpstreamKind::Oidc && self.jwks_uri.is_none())
    }
}

fn invalid(name: &str, what: &str) -> ConfigError {
    ConfigError::Invalid(format!("`upstream.{name}`: {what}"))
}

/// https, or http on a loopback host (local development and tests).
fn check_url(name: &str, key: &str, value: &Option<String>) -> Result<(), ConfigError> {
    let Some(v) = value else { return Ok(()) };
    let url = url::Url::parse(v).map_err(|_| invalid(name, &format!("`{key}` is not a URL")))?;
    let loopback = matches!(
        url.host_str(),
        Some("localhost") | Some("127.0.0.1") | Some("[::1]")
    );
    if url.scheme() == "https" || (url.scheme() == "http" && loopback) {
        Ok(())
    } else {
        Err(invalid(
            name,
            &format!("`{key}` must use https (http only on localhost)"),
        ))
    }
}

fn apply_preset(raw: &mut RawUpstream) {
    fn fill(slot: &mut Option<String>, value: &str) {
        if slot.is_none() {
            *slot = Some(value.to_string());
        }
    }
    match raw.preset {
        Some(Preset::Github) => {
            raw.kind.get_or_insert(UpstreamKind::Oauth2);
            fill(&mut raw.display_name, "GitHub");
            fill(
                &mut raw.authorization_endpoint,
                "https://github.com/login/oauth/authorize",
            );
            fill(
                &mut raw.token_endpoint,
                "https://github.com/login/oauth/access_token",
            );
            fill(&mut raw.userinfo_endpoint, "https://api.github.com/user");
            fill(
                &mut raw.emails_endpoint,
                "https://api.github.com/user/emails",
            );
            fill(&mut raw.subject_claim, "id");
            if raw.scopes.is_none() {
                raw.scopes = Some(Scopes::List(vec!["read:user".into(), "user:email".into()]));
            }
        }
        Some(Preset::Google) => {
            raw.kind.get_or_insert(UpstreamKind::Oidc);
            fill(&mut raw.display_name, "Google");
            fill(&mut raw.issuer, "https://accounts.google.com");
            fill(
                &mut raw.authorization_endpoint,
                "https://accounts.google.com/o/oauth2/v2/auth",
            );
            fill(
                &mut raw.token_endpoint,
                "https://oauth2.googleapis.com/token",
            );
            fill(
                &mut raw.userinfo_endpoint,
                "https://openidconnect.googleapis.com/v1/userinfo",
            );
            fill(
                &mut raw.jwks_uri,
                "https://www.googleapis.com/oauth2/v3/certs",
            );
        }
        None => {}
    }
}

fn resolve(name: String, mut raw: RawUpstream) -> Result<UpstreamSettings, ConfigError> {
    // The name is a path segment of the sign-in URL and a key in the database.
    let name_ok = !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !name_ok {
        return Err(invalid(
            &name,
            "the name must be 1-40 of a-z, 0-9, `-` and `_`",
        ));
    }
    let preset_kind = raw.preset.map(|p| match p {
        Preset::Github => UpstreamKind::Oauth2,
        Preset::Google => UpstreamKind::Oidc,
    });
    if let (Some(k), Some(p)) = (raw.kind, preset_kind)
        && k != p
    {
        return Err(invalid(&name, "`kind` contradicts `preset`"));
    }
    apply_preset(&mut raw);
    let kind = raw
        .kind
        .ok_or_else(|| invalid(&name, "set `kind` (\"oidc\" or \"oauth2\") or `preset`"))?;
    for (key, value) in [
        ("issuer", &raw.issuer),
        ("authorization_endpoint", &raw.authorization_endpoint),
        ("token_endpoint", &raw.token_endpoint),
        ("userinfo_endpoint", &raw.userinfo_endpoint),
        ("emails_endpoint", &raw.emails_endpoint),
        ("jwks_uri", &raw.jwks_uri),
    ] {
        check_url(&name, key, value)?;
    }
    match kind {
        UpstreamKind::Oidc if raw.issuer.is_none() => {
            return Err(invalid(&name, "an OpenID Connect provider needs `issuer`"));
        }
        UpstreamKind::Oauth2
            if raw.authorization_endpoint.is_none()
                || raw.token_endpoint.is_none()
                || raw.userinfo_endpoint.is_none() =>
        {
            return Err(invalid(
                &name,
                "an OAuth 2 provider needs `authorization_endpoint`, `token_endpoint` and `userinfo_endpoint`",
            ));
        }
        _ => {}
    }
    let client_id = raw
        .client_id
        .filter(|c| !c.is_empty())
        .ok_or_else(|| invalid(&name, "`client_id` is missing"))?;
    let client_secret = match (raw.client_secret, raw.client_secret_file) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                &name,
                "set `client_secret` or `client_secret_file`, not both",
            ));
        }
        (Some(s), None) => Some(s),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|source| ConfigError::Read { path, source })?;
            Some(SecretString::new(text.trim()))
        }
        (None, None) => None,
    }
    .filter(|s| !s.is_empty());
    let mut scopes: Vec<String> = match raw.scopes {
        Some(Scopes::List(l)) => l,
        Some(Scopes::Text(t)) => t.split_whitespace().map(str::to_string).collect(),
        None if kind == UpstreamKind::Oidc => {
            vec!["openid".into(), "email".into(), "profile".into()]
        }
        None => Vec::new(),
    };
    if kind == UpstreamKind::Oidc && !scopes.iter().any(|s| s == "openid") {
        scopes.insert(0, "openid".into());
    }
    let display_name = raw.display_name.unwrap_or_else(|| name.clone());
    Ok(UpstreamSettings {
        kind,
        display_name,
        issuer: raw.issuer.map(|i| i.trim_end_matches('/').to_string()),
        authorization_endpoint: raw.authorization_endpoint,
        token_endpoint: raw.token_endpoint,
        userinfo_endpoint: raw.userinfo_endpoint,
        emails_endpoint: raw.emails_endpoint,
        jwks_uri: raw.jwks_uri,
        client_id,
        client_secret,
        scopes,
        claims: ClaimMapping {
            subject: raw.subject_claim.unwrap_or_else(|| "sub".into()),
            email: raw.email_claim.unwrap_or_else(|| "email".into()),
            email_verified: raw
                .email_verified_claim
                .unwrap_or_else(|| "email_verified".into()),
            name: raw.name_claim.unwrap_or_else(|| "name".into()),
        },
        trust_upstream_acr: raw.trust_upstream_acr,
        name,
    })
}

/// Resolves every `[upstream.*]` table, in name order.
pub fn resolve_all(
    raw: BTreeMap<String, RawUpstream>,
) -> Result<Vec<UpstreamSettings>, ConfigError> {
    raw.into_iter().map(|(n, r)| resolve(n, r)).collect()
}

#[cfg(test)]
mod tests {
    use super::super::{Settings, Sources};
    use super::*;

    const KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    fn load(toml: &str, env: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            format!("issuer = \"https://id.example.com\"\ndatabase_url = \"sqlite://x.db\"\nmaster_key = \"{KEY}\"\n{toml}"),
        )
        .unwrap();
        Settings::load(&Sources {
            file: Some(file.display().to_string()),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        })
    }

    #[test]
    fn upstream_github_preset_fills_oauth2_endpoints() {
        let s = load(
            "[upstream.github]\npreset = \"github\"\nclient_id = \"Iv1.abc\"\nclient_secret = \"s3cret\"\n",
            &[],
        )
        .unwrap();
        let g = &s.upstream[0];
        assert_eq!(g.name, "github");
        assert_eq!(g.kind, UpstreamKind::Oauth2);
        assert_eq!(g.display_name, "GitHub");
        assert_eq!(
            g.authorization_endpoint.as_deref(),
            Some("https://github.com/login/oauth/authorize")
        );
        assert_eq!(
            g.token_endpoint.as_deref(),
            Some("https://github.com/login/oauth/access_token")
        );
        assert_eq!(
            g.userinfo_endpoint.as_deref(),
            Some("https://api.github.com/user")
        );
        assert_eq!(
            g.emails_endpoint.as_deref(),
            Some("https://api.github.com/user/emails")
        );
        assert_eq!(g.claims.subject, "id");
        assert_eq!(g.scopes, vec!["read:user", "user:email"]);
        assert!(!g.trust_upstream_acr);
        assert!(!g.needs_discovery());
        assert_eq!(format!("{:?}", g.client_secret), "Some([redacted])");
    }

    #[test]
    fn upstream_google_preset_fills_oidc_endpoints_and_env_overrides() {
        let s = load(
            "[upstream.google]\npreset = \"google\"\nclient_id = \"1.apps.googleusercontent.com\"\n",
            &[
                ("PORTCULLIS_UPSTREAM__GOOGLE__CLIENT_SECRET", "0042"),
                ("PORTCULLIS_UPSTREAM__GOOGLE__TRUST_UPSTREAM_ACR", "true"),
                ("PORTCULLIS_UPSTREAM__GOOGLE__SCOPES", "openid email"),
            ],
        )
        .unwrap();
        let g = &s.upstream[0];
        assert_eq!(g.kind, UpstreamKind::Oidc);
        assert_eq!(g.issuer.as_deref(), Some("https://accounts.google.com"));
        assert_eq!(
            g.jwks_uri.as_deref(),
            Some("https://www.googleapis.com/oauth2/v3/certs")
        );
        assert_eq!(
            g.token_endpoint.as_deref(),
            Some("https://oauth2.googleapis.com/token")
        );
        assert_eq!(g.claims.subject, "sub");
        assert_eq!(g.scopes, vec!["openid", "email"]);
        assert!(g.trust_upstream_acr);
        assert_eq!(g.client_secret.as_ref().unwrap().expose(), "0042");
        assert!(!g.needs_discovery());
    }

    #[test]
    fn upstream_generic_oidc_discovers_and_defaults_scopes() {
        let s = load(
            "[upstream.corp]\nkind = \"oidc\"\nissuer = \"https://sso.example.com/\"\nclient_id = \"p\"\n",
            &[],
        )
        .unwrap();
        let c = &s.upstream[0];
        assert_eq!(c.issuer.as_deref(), Some("https://sso.example.com"));
        assert!(c.needs_discovery());
        assert_eq!(c.scopes, vec!["openid", "email", "profile"]);
        assert_eq!(c.display_name, "corp");
        assert!(c.client_secret.is_none());
    }

    #[test]
    fn upstream_unknown_key_is_error() {
        let err = load(
            "[upstream.github]\npreset = \"github\"\nclient_id = \"x\"\nclient_secrte = \"y\"\n",
            &[],
        )
        .unwrap_err();
        assert!(err.to_string().contains("client_secrte"), "{err}");
        let err = load(
            "[upstream.x]\npreset = \"gitlab\"\nclient_id = \"x\"\n",
            &[],
        )
        .unwrap_err();
        assert!(err.to_string().contains("gitlab"), "{err}");
    }

    #[test]
    fn upstream_incomplete_or_unsafe_refused() {
        for (toml, needle) in [
            ("[upstream.a]\nclient_id = \"x\"\n", "kind"),
            (
                "[upstream.a]\nkind = \"oidc\"\nclient_id = \"x\"\n",
                "issuer",
            ),
            (
                "[upstream.a]\nkind = \"oauth2\"\nclient_id = \"x\"\nauthorization_endpoint = \"https://a/x\"\n",
                "token_endpoint",
            ),
            (
                "[upstream.a]\nkind = \"oidc\"\nissuer = \"http://sso.example.com\"\nclient_id = \"x\"\n",
                "https",
            ),
            ("[upstream.a]\npreset = \"google\"\n", "client_id"),
            (
                "[upstream.a]\npreset = \"google\"\nkind = \"oauth2\"\nclient_id = \"x\"\n",
                "contradicts",
            ),
            (
                "[upstream.\"A B\"]\npreset = \"google\"\nclient_id = \"x\"\n",
                "name",
            ),
        ] {
            let err = load(toml, &[]).unwrap_err().to_string();
            assert!(err.contains(needle), "{toml}: {err}");
        }
    }

    #[test]
    fn upstream_client_secret_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "from-a-file\n").unwrap();
        let s = load(
            &format!(
                "[upstream.g]\npreset = \"google\"\nclient_id = \"x\"\nclient_secret_file = \"{}\"\n",
                secret.display()
            ),
            &[],
        )
        .unwrap();
        assert_eq!(
            s.upstream[0].client_secret.as_ref().unwrap().expose(),
            "from-a-file"
        );
    }

    #[test]
    fn upstream_readme_example_parses() {
        let readme = include_str!("../../../../README.md");
        let section = readme.find("### Upstream sign-in").unwrap();
        let start = readme[section..].find("```toml\n").unwrap() + section + 8;
        let end = readme[start..].find("```").unwrap() + start;
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("github");
        std::fs::write(&secret, "s").unwrap();
        let text = readme[start..end].replace("/run/secrets/github", &secret.display().to_string());
        let s = load(&text, &[]).unwrap();
        let names: Vec<&str> = s.upstream.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["corp", "github", "google"]);
        assert_eq!(s.upstream[0].display_name, "Example Corp");
        assert!(s.upstream[0].needs_discovery());
    }
}
