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
    /// Tokens are issued only against a DPoP proof (RFC 9449), so every access token is bound
    /// to the client's key; a token request without one gets `invalid_dpop_proof`.
    pub require_dpop: bool,
    /// Authorization requests must be pushed first (RFC 9126), so their parameters never
    /// travel through the browser; `/authorize` without a `request_uri` is refused.
    pub require_pushed_authorization_requests: bool,
    /// Access tokens may be exchanged (RFC 8693) by clients registered for token exchange: on
    /// an API, its tokens may be exchanged; on a client, it may exchange the tokens it holds.
    pub token_exchange: bool,
    /// The FAPI 2.0 Security Profile: pushed requests, PKCE, sender-constrained tokens (DPoP or
    /// a TLS client certificate) and `private_key_jwt` or mutual-TLS client authentication are
    /// required, codes live at most 60 seconds, tokens are never signed RS256, public clients
    /// are refused. Turning it on turns on `require_pushed_authorization_requests` whatever it
    /// says.
    pub fapi2: bool,
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
            require_dpop: false,
            require_pushed_authorization_requests: false,
            token_exchange: false,
            fapi2: false,
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
    /// See [`Policy::require_dpop`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_dpop: Option<bool>,
    /// See [`Policy::require_pushed_authorization_requests`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_pushed_authorization_requests: Option<bool>,
    /// See [`Policy::token_exchange`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_exchange: Option<bool>,
    /// See [`Policy::fapi2`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fapi2: Option<bool>,
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

    /// Checks the values a JSON body may carry past [`PolicyOverrides::set`]'s parsing: a
    /// `max_age` of 0 or more, `remember_device_days` from 0 to 365, at least one allowed factor.
    pub fn check(&self) -> Result<()> {
        if self.max_age.is_some_and(|m| m < 0) {
            return Err(Error::Invalid(
                "policy max_age: expected seconds (0 or more)".into(),
            ));
        }
        if self
            .remember_device_days
            .is_some_and(|d| !(0..=365).contains(&d))
        {
            return Err(Error::Invalid(
                "policy remember_device_days: expected days from 0 to 365".into(),
            ));
        }
        if self.allowed_factors.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::Invalid(
                "policy allowed_factors: expected at least one of webauthn, totp, email, sms"
                    .into(),
            ));
        }
        Ok(())
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
            "require_dpop" => self.require_dpop = flag(key, value, clear)?,
            "require_pushed_authorization_requests" => {
                self.require_pushed_authorization_requests = flag(key, value, clear)?
            }
            "token_exchange" => self.token_exchange = flag(key, value, clear)?,
            "fapi2" => self.fapi2 = flag(key, value, clear)?,
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
                    "policy {key}: unknown key (mfa, required_acr, max_age, mfa_on_refresh, allowed_factors, enroll_with_any, remember_device_days, signup, require_verified_email, require_dpop, require_pushed_authorization_requests, token_exchange, fapi2)"
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
        if let Some(v) = layer.require_dpop {
            self.require_dpop = v;
        }
        if let Some(v) = layer.require_pushed_authorization_requests {
            self.require_pushed_authorization_requests = v;
        }
        if let Some(v) = layer.token_exchange {
            self.token_exchange = v;
        }
        if let Some(v) = layer.fapi2 {
            self.fapi2 = v;
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
        out.profiled()
    }

    /// This policy with what its profile requires turned on: FAPI 2.0 needs every authorization
    /// request pushed (and every token sender-constrained, which the token endpoint checks,
    /// since a certificate does as well as DPoP).
    pub fn profiled(mut self) -> Policy {
        if self.fapi2 {
            self.require_pushed_authorization_requests = true;
        }
        self
    }

    /// Whether users may prove or enrol factors of `kind`.
    pub fn allows(&self, kind: FactorKind) -> bool {
        self.allowed_factors.contains(&kind)
    }
}

/// The browser a sign-in comes from, as the adaptive policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    /// Never used by this user (or after repeated failures): the sign-in looks new.
    New,
    /// One this user finished a multi-factor sign-in with recently.
    Familiar,
    /// One with a "remember this device" cookie: it stands in for a second factor at aal2.
    Remembered,
}

/// A sign-in described from outside, for the console's preview: who the user is in terms the
/// policy reads, where they come from, and what the application asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Situation {
    /// The kinds of the user's active factors.
    pub factors: Vec<FactorKind>,
    /// Whether they still have recovery codes.
    pub recovery_codes: bool,
    /// The browser.
    pub browser: Browser,
    /// What the application's request asks (`acr_values`), if anything.
    pub acr_values: Option<Acr>,
    /// The request's `max_age`, if any.
    pub max_age: Option<i64>,
}

/// What a sign-in will ask for after the first factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// Nothing more: the first factor meets the level.
    Nothing {
        /// The level the sign-in reaches.
        level: Acr,
    },
    /// A remembered browser stands in for the second factor.
    RememberedBrowser,
    /// One more factor, of one of these kinds (recovery codes accepted when `recovery`).
    Factor {
        /// The level to reach.
        level: Acr,
        /// The kinds offered.
        kinds: Vec<FactorKind>,
        /// Whether a recovery code is offered too.
        recovery: bool,
    },
    /// Setting up a factor of one of these kinds before continuing.
    Enrol {
        /// The level to reach.
        level: Acr,
        /// The kinds offered.
        kinds: Vec<FactorKind>,
    },
    /// Nothing the user has or may enrol reaches the level: the application hears
    /// `unmet_authentication_requirements`.
    Refused {
        /// The level asked.
        level: Acr,
    },
}

impl Policy {
    /// Whether the `mfa` setting asks for a second factor: always, never, or (adaptive) when
    /// the user has a factor this policy allows and the browser looks new.
    pub fn asks_mfa(&self, has_usable_factor: bool, unfamiliar: bool) -> bool {
        match self.mfa {
            MfaMode::Never => false,
            MfaMode::Always => true,
            MfaMode::Adaptive => has_usable_factor && unfamiliar,
        }
    }

    /// The level a sign-in must reach: what the request asks (already combined with
    /// `required_acr`), never below `floor`, and aal2 when the `mfa` setting asks.
    pub fn level(&self, requested: Option<Acr>, floor: Option<Acr>, mfa_asked: bool) -> Acr {
        let level = requested
            .unwrap_or(Acr::Aal1)
            .max(floor.unwrap_or(Acr::Aal1));
        if level < Acr::Aal2 && mfa_asked {
            Acr::Aal2
        } else {
            level
        }
    }

    /// Whether a remembered browser stands in for the second factor of a sign-in that must
    /// reach `level`: only up to aal2 (it is not phishing-resistant), never when the sign-in
    /// must be fresh (`max_age`, `prompt=login`: it is no interaction), and only for a user who
    /// has a factor the policy allows (it stands in for one; it is not one).
    pub fn remembered_browser_counts(level: Acr, fresh_required: bool, has_usable: bool) -> bool {
        level <= Acr::Aal2 && !fresh_required && has_usable
    }

    /// Whether a user with no factor yet may enrol one during a sign-in that asked for
    /// `requested` (trust on first use), rather than the application hearing
    /// `unmet_authentication_requirements`.
    pub fn may_enrol_first_factor(&self, requested: Option<Acr>) -> bool {
        self.enroll_with_any || requested.is_none()
    }

    /// The factor kinds that can answer a demand for `level`: allowed by this policy, and
    /// WebAuthn only for aal3.
    pub fn kinds_for(&self, level: Acr, kinds: &[FactorKind]) -> Vec<FactorKind> {
        let mut out: Vec<FactorKind> = kinds
            .iter()
            .copied()
            .filter(|k| self.allows(*k) && (level < Acr::Aal3 || *k == FactorKind::Webauthn))
            .collect();
        out.dedup();
        out
    }

    /// What a sign-in in `s` will be asked for after the password, decided by the same rules
    /// the gate applies ([`Policy::asks_mfa`], [`Policy::level`], the enrolment rule): the
    /// console's preview.
    pub fn preview(&self, s: &Situation) -> Ask {
        let (requested, max_age) = (
            s.acr_values.max(self.required_acr),
            match (s.max_age, self.max_age) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        );
        let usable = self.kinds_for(Acr::Aal2, &s.factors);
        let asked = self.asks_mfa(!usable.is_empty(), s.browser == Browser::New);
        let level = self.level(requested, None, asked);
        if level < Acr::Aal2 {
            return Ask::Nothing { level };
        }
        if s.browser == Browser::Remembered
            && Policy::remembered_browser_counts(level, max_age.is_some(), !usable.is_empty())
        {
            return Ask::RememberedBrowser;
        }
        let kinds = self.kinds_for(level, &s.factors);
        if !kinds.is_empty() {
            return Ask::Factor {
                level,
                kinds,
                recovery: s.recovery_codes && level < Acr::Aal3,
            };
        }
        if s.factors.is_empty() && self.may_enrol_first_factor(requested) {
            let all = [
                FactorKind::Webauthn,
                FactorKind::Totp,
                FactorKind::Sms,
                FactorKind::Email,
            ];
            return Ask::Enrol {
                level,
                kinds: self.kinds_for(level, &all),
            };
        }
        Ask::Refused { level }
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
            (&[], &[], |p| !p.require_dpop),
            (&[], &["require_dpop=true"], |p| p.require_dpop),
            (&["require_dpop=true"], &["require_dpop=false"], |p| {
                !p.require_dpop
            }),
            (&[], &["token_exchange=true"], |p| p.token_exchange),
            (&[], &["fapi2=true"], |p| {
                p.fapi2 && !p.require_dpop && p.require_pushed_authorization_requests
            }),
            (&["fapi2=true"], &["fapi2=false"], |p| {
                !p.fapi2 && !p.require_dpop
            }),
            (&["require_pushed_authorization_requests=true"], &[], |p| {
                p.require_pushed_authorization_requests
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
            "require_dpop=yes",
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

    fn situation(factors: &[FactorKind], browser: Browser) -> Situation {
        Situation {
            factors: factors.to_vec(),
            recovery_codes: !factors.is_empty(),
            browser,
            acr_values: None,
            max_age: None,
        }
    }

    #[test]
    fn preview_follows_the_mfa_setting_the_browser_and_the_request() {
        let adaptive = Policy::default();
        let totp = [FactorKind::Totp];
        assert_eq!(
            adaptive.preview(&situation(&totp, Browser::Familiar)),
            Ask::Nothing { level: Acr::Aal1 }
        );
        assert_eq!(
            adaptive.preview(&situation(&totp, Browser::New)),
            Ask::Factor {
                level: Acr::Aal2,
                kinds: vec![FactorKind::Totp],
                recovery: true
            }
        );
        assert_eq!(
            adaptive.preview(&situation(&[], Browser::New)),
            Ask::Nothing { level: Acr::Aal1 },
            "adaptive asks nothing of a user with no factor"
        );
        let always = Policy::default().with(&layer(&["mfa=always"]));
        assert_eq!(
            always.preview(&situation(&totp, Browser::Remembered)),
            Ask::RememberedBrowser
        );
        let mut fresh = situation(&totp, Browser::Remembered);
        fresh.max_age = Some(0);
        assert!(
            matches!(always.preview(&fresh), Ask::Factor { .. }),
            "a remembered browser is never a fresh proof"
        );
        assert!(matches!(
            always.preview(&situation(&[], Browser::Familiar)),
            Ask::Enrol {
                level: Acr::Aal2,
                ..
            }
        ));
        let mut aal3 = situation(&totp, Browser::Remembered);
        aal3.acr_values = Some(Acr::Aal3);
        assert_eq!(
            always.preview(&aal3),
            Ask::Refused { level: Acr::Aal3 },
            "TOTP cannot reach aal3 and the user has a factor, so no enrolment here"
        );
        let totp_only = always.clone().with(&layer(&["allowed_factors=totp"]));
        let passkey = [FactorKind::Webauthn];
        assert!(matches!(
            totp_only.preview(&situation(&passkey, Browser::New)),
            Ask::Refused { .. }
        ));
        let no_enrol =
            Policy::default().with(&layer(&["enroll_with_any=false", "required_acr=aal2"]));
        assert_eq!(
            no_enrol.preview(&situation(&[], Browser::New)),
            Ask::Refused { level: Acr::Aal2 }
        );
        let never = Policy::default().with(&layer(&["mfa=never"]));
        assert_eq!(
            never.preview(&situation(&totp, Browser::New)),
            Ask::Nothing { level: Acr::Aal1 }
        );
    }

    #[test]
    fn overrides_check_refuses_what_set_would() {
        assert!(
            layer(&["max_age=0", "remember_device_days=365"])
                .check()
                .is_ok()
        );
        for bad in [
            PolicyOverrides {
                max_age: Some(-1),
                ..Default::default()
            },
            PolicyOverrides {
                remember_device_days: Some(366),
                ..Default::default()
            },
            PolicyOverrides {
                allowed_factors: Some(vec![]),
                ..Default::default()
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }
}
