//! MFA policies (DESIGN.md §5): the tenant's, then a client's, then an API's overrides; the most
//! specific layer that sets a key wins.

use portcullis_proto::acr::Acr;
use serde::{Deserialize, Serialize};

use crate::factor::FactorKind;
use crate::{Error, Result};

/// When a second factor is asked for at sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MfaMode {
    /// Only when the application asks for more (`acr_values`, `required_acr`).
    Never,
    /// When the user has a factor and the browser is not a remembered device.
    Adaptive,
    /// Always; users without a factor enrol one during sign-in.
    Always,
}

/// Whether a refresh needs a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefreshMfa {
    /// Never: background refresh keeps working under `mfa = always` (seed 001's pitfall).
    Never,
    /// When the user has a factor and the grant proved none.
    WhenEnrolled,
}

/// An effective policy: what a sign-in or token request for one client and API must meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// When to ask for a second factor at sign-in.
    pub mfa: MfaMode,
    /// The lowest level tokens may carry, as if every request asked `acr_values` for it.
    pub required_acr: Option<Acr>,
    /// The oldest sign-in accepted, in seconds, as if every request sent `max_age`.
    pub max_age: Option<i64>,
    /// Whether refreshing tokens needs a second factor.
    pub mfa_on_refresh: RefreshMfa,
    /// The factor kinds users may prove and enrol.
    pub allowed_factors: Vec<FactorKind>,
    /// A user asked for a level no factor of theirs reaches may enrol one on the spot; if not,
    /// the application gets `unmet_authentication_requirements`.
    pub enroll_with_any: bool,
    /// How long "remember this device" lasts, in days (0 hides the option).
    pub remember_device_days: i64,
    /// Whether people may create an account on the hosted pages (off unless a tenant or
    /// client turns it on, as in Keycloak: an open registration is a decision, not a default).
    pub signup: bool,
    /// Users whose email is not verified prove it with a code before they finish signing in.
    pub require_verified_email: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            mfa: MfaMode::Adaptive,
            required_acr: None,
            max_age: None,
            mfa_on_refresh: RefreshMfa::Never,
            allowed_factors: vec![
                FactorKind::Webauthn,
                FactorKind::Totp,
                FactorKind::Email,
                FactorKind::Sms,
            ],
            enroll_with_any: true,
            remember_device_days: 30,
            signup: false,
            require_verified_email: false,
        }
    }
}

/// One layer of overrides (a client's or an API's): each key set replaces the layer below.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyOverrides {
    /// See [`Policy::mfa`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<MfaMode>,
    /// See [`Policy::required_acr`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_acr: Option<Acr>,
    /// See [`Policy::max_age`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i64>,
    /// See [`Policy::mfa_on_refresh`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_on_refresh: Option<RefreshMfa>,
    /// See [`Policy::allowed_factors`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_factors: Option<Vec<FactorKind>>,
    /// See [`Policy::enroll_with_any`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enroll_with_any: Option<bool>,
    /// See [`Policy::remember_device_days`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_device_days: Option<i64>,
    /// See [`Policy::signup`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signup: Option<bool>,
    /// See [`Policy::require_verified_email`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_verified_email: Option<bool>,
}

fn flag(key: &str, value: &str, clear: bool) -> Result<Option<bool>> {
    (!clear)
        .then(|| {
            value
                .parse::<bool>()
                .map_err(|_| invalid(key, value, "true or false"))
        })
        .transpose()
}

fn invalid(key: &str, value: &str, expected: &str) -> Error {
    Error::Invalid(format!("policy {key}={value}: expected {expected}"))
}

impl PolicyOverrides {
    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        *self == PolicyOverrides::default()
    }

    /// Sets one key from `KEY=VALUE` text (the CLI's `--policy`); `VALUE` `default` clears it.
    pub fn set(&mut self, pair: &str) -> Result<()> {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| Error::Invalid(format!("policy {pair}: expected KEY=VALUE")))?;
        let (key, value) = (key.trim(), value.trim());
        let clear = value == "default";
        match key {
            "mfa" => {
                self.mfa = (!clear)
                    .then(|| serde_json::from_value(serde_json::json!(value)))
                    .transpose()
                    .map_err(|_| invalid(key, value, "never, adaptive or always"))?;
            }
            "required_acr" => {
                self.required_acr = (!clear)
                    .then(|| {
                        Acr::parse(value).ok_or_else(|| invalid(key, value, "aal1, aal2 or aal3"))
                    })
                    .transpose()?;
            }
            "max_age" => {
                self.max_age = (!clear)
                    .then(|| {
                        value
                            .parse::<i64>()
                            .ok()
                            .filter(|s| *s >= 0)
                            .ok_or_else(|| invalid(key, value, "seconds (0 or more)"))
                    })
                    .transpose()?;
            }
            "mfa_on_refresh" => {
                self.mfa_on_refresh = (!clear)
                    .then(|| serde_json::from_value(serde_json::json!(value)))
                    .transpose()
                    .map_err(|_| invalid(key, value, "never or when_enrolled"))?;
            }
            "allowed_factors" => {
                self.allowed_factors = (!clear)
                    .then(|| {
                        value
                            .split(',')
                            .map(|k| {
                                FactorKind::parse(k.trim()).ok_or_else(|| {
                                    invalid(
                                        key,
                                        value,
                                        "a comma list of webauthn, totp, email, sms",
                                    )
                                })
                            })
                            .collect::<Result<Vec<_>>>()
                    })
                    .transpose()?;
            }
            "enroll_with_any" => self.enroll_with_any = flag(key, value, clear)?,
            "signup" => self.signup = flag(key, value, clear)?,
            "require_verified_email" => self.require_verified_email = flag(key, value, clear)?,
            "remember_device_days" => {
                self.remember_device_days = (!clear)
                    .then(|| {
                        value
                            .parse::<i64>()
                            .ok()
                            .filter(|d| (0..=365).contains(d))
                            .ok_or_else(|| invalid(key, value, "days from 0 to 365"))
                    })
                    .transpose()?;
            }
            _ => {
                return Err(Error::Invalid(format!(
                    "policy {key}: unknown key (mfa, required_acr, max_age, mfa_on_refresh, allowed_factors, enroll_with_any, remember_device_days, signup, require_verified_email)"
                )));
            }
        }
        Ok(())
    }
}

impl Policy {
    /// This policy with `layer`'s keys laid over it.
    pub fn with(mut self, layer: &PolicyOverrides) -> Policy {
        if let Some(v) = layer.mfa {
            self.mfa = v;
        }
        if let Some(v) = layer.required_acr {
            self.required_acr = Some(v);
        }
        if let Some(v) = layer.max_age {
            self.max_age = Some(v);
        }
        if let Some(v) = layer.mfa_on_refresh {
            self.mfa_on_refresh = v;
        }
        if let Some(v) = &layer.allowed_factors {
            self.allowed_factors = v.clone();
        }
        if let Some(v) = layer.enroll_with_any {
            self.enroll_with_any = v;
        }
        if let Some(v) = layer.remember_device_days {
            self.remember_device_days = v;
        }
        if let Some(v) = layer.signup {
            self.signup = v;
        }
        if let Some(v) = layer.require_verified_email {
            self.require_verified_email = v;
        }
        self
    }

    /// The effective policy for a client and, when the request names one, an API: tenant, then
    /// client, then API.
    pub fn resolve(
        &self,
        client: Option<&PolicyOverrides>,
        api: Option<&PolicyOverrides>,
    ) -> Policy {
        let mut out = self.clone();
        for layer in [client, api].into_iter().flatten() {
            out = out.with(layer);
        }
        out
    }

    /// Whether users may prove or enrol factors of `kind`.
    pub fn allows(&self, kind: FactorKind) -> bool {
        self.allowed_factors.contains(&kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(pairs: &[&str]) -> PolicyOverrides {
        let mut o = PolicyOverrides::default();
        for p in pairs {
            o.set(p).unwrap();
        }
        o
    }

    #[test]
    fn the_most_specific_layer_that_sets_a_key_wins() {
        let tenant = Policy::default();
        type Case<'a> = (&'a [&'a str], &'a [&'a str], fn(&Policy) -> bool);
        let cases: &[Case] = &[
            (&[], &[], |p| *p == Policy::default()),
            (&["mfa=always"], &[], |p| p.mfa == MfaMode::Always),
            (&["mfa=always"], &["mfa=never"], |p| p.mfa == MfaMode::Never),
            (&[], &["mfa=never"], |p| p.mfa == MfaMode::Never),
            (&["mfa=always"], &["max_age=300"], |p| {
                p.mfa == MfaMode::Always && p.max_age == Some(300)
            }),
            (&["required_acr=aal2"], &["required_acr=aal3"], |p| {
                p.required_acr == Some(Acr::Aal3)
            }),
            (&["required_acr=aal3"], &["required_acr=aal1"], |p| {
                p.required_acr == Some(Acr::Aal1)
            }),
            (
                &["required_acr=http://schemas.openid.net/pape/policies/2007/06/multi-factor"],
                &[],
                |p| p.required_acr == Some(Acr::Aal2),
            ),
            (&["mfa_on_refresh=when_enrolled"], &[], |p| {
                p.mfa_on_refresh == RefreshMfa::WhenEnrolled
            }),
            (
                &["allowed_factors=totp,webauthn"],
                &["allowed_factors=webauthn"],
                |p| p.allows(FactorKind::Webauthn) && !p.allows(FactorKind::Totp),
            ),
            (&["allowed_factors=totp"], &[], |p| {
                p.allows(FactorKind::Totp) && !p.allows(FactorKind::Sms)
            }),
            (&["enroll_with_any=false"], &[], |p| !p.enroll_with_any),
            (&["enroll_with_any=false"], &["enroll_with_any=true"], |p| {
                p.enroll_with_any
            }),
            (&["remember_device_days=0"], &[], |p| {
                p.remember_device_days == 0
            }),
            (&["remember_device_days=7"], &["mfa=always"], |p| {
                p.remember_device_days == 7 && p.mfa == MfaMode::Always
            }),
            (&[], &[], |p| !p.signup && !p.require_verified_email),
            (&["signup=true"], &[], |p| p.signup),
            (&["signup=true"], &["signup=false"], |p| !p.signup),
            (&["require_verified_email=true"], &[], |p| {
                p.require_verified_email
            }),
        ];
        for (client, api, check) in cases {
            let effective = tenant.resolve(Some(&layer(client)), Some(&layer(api)));
            assert!(check(&effective), "{client:?} then {api:?}: {effective:?}");
        }
        // No API in the request: the client's layer alone.
        let c = layer(&["mfa=always"]);
        assert_eq!(tenant.resolve(Some(&c), None).mfa, MfaMode::Always);
        assert_eq!(tenant.resolve(None, None), tenant);
    }

    #[test]
    fn bad_pairs_are_refused_with_the_key_named() {
        for bad in [
            "mfa",
            "mfa=sometimes",
            "required_acr=aal4",
            "max_age=-1",
            "max_age=soon",
            "mfa_on_refresh=always",
            "allowed_factors=totp,carrier_pigeon",
            "enroll_with_any=yes",
            "remember_device_days=400",
            "signup=on",
            "require_verified_email=1",
            "colour=blue",
        ] {
            let err = PolicyOverrides::default().set(bad).unwrap_err().to_string();
            let key = bad.split('=').next().unwrap();
            assert!(err.contains(key), "{bad}: {err}");
        }
    }

    #[test]
    fn default_clears_a_key_and_layers_round_trip_as_json() {
        let mut o = layer(&["mfa=always", "max_age=60"]);
        o.set("mfa=default").unwrap();
        assert_eq!(o.mfa, None);
        assert_eq!(o.max_age, Some(60));
        let json = serde_json::to_string(&o).unwrap();
        assert_eq!(json, r#"{"max_age":60}"#);
        assert_eq!(serde_json::from_str::<PolicyOverrides>(&json).unwrap(), o);
        assert!(PolicyOverrides::default().is_empty());
    }
}
