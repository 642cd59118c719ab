//! Users moved from Auth0: one user of Auth0's bulk-import file (a JSON array) or of its export
//! (NDJSON) at a time, as an idempotent upsert by email. The password hash is kept as it is
//! ([`crate::crypto::legacy`]; the first sign-in replaces it), Auth0's `user_id` becomes an
//! alias the management API finds, and `mfa_factors` become factors that work at once: a TOTP
//! secret (encrypted at rest like any other), a phone for SMS codes, an address for email codes.

use serde_json::Value;

use crate::authn::factors::Factors;
use crate::crypto::{legacy, random};
use crate::factor::FactorKind;
use crate::factor::totp::TotpSecret;
use crate::model::{Factor, NewAccount, User};
use crate::{Error, Result};

/// What importing one user did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The user's id here.
    pub user_id: String,
    /// Whether the user is new (else an existing one was brought up to date).
    pub created: bool,
    /// Factors added (a second import adds none).
    pub factors: usize,
}

/// The hash to store from a user's `password_hash` (bcrypt) or `custom_password_hash`.
fn password_hash(u: &Value) -> Result<Option<String>> {
    // Auth0's password-hash export (the file its support sends) names it `passwordHash`.
    let plain = u.get("password_hash").or_else(|| u.get("passwordHash"));
    if u.get("password_hash").is_some() && u.get("passwordHash").is_some() {
        return Err(Error::Invalid(
            "password_hash and passwordHash exclude each other".into(),
        ));
    }
    match (plain, u.get("custom_password_hash")) {
        (Some(_), Some(_)) => Err(Error::Invalid(
            "password_hash and custom_password_hash exclude each other".into(),
        )),
        (Some(Value::String(h)), None)
            if ["$2a$", "$2b$", "$2y$"].iter().any(|p| h.starts_with(p)) =>
        {
            Ok(Some(h.clone()))
        }
        (Some(_), None) => Err(Error::Invalid(
            "password_hash must be a bcrypt hash ($2a$, $2b$ or $2y$)".into(),
        )),
        (None, Some(custom)) => legacy::from_auth0(custom).map(Some),
        (None, None) => Ok(None),
    }
}

/// The id the user had at Auth0: `user_id`, or the password-hash export's `_id.$oid` (a
/// database user's id is `auth0|` and it).
fn alias(u: &Value) -> Option<String> {
    u["user_id"]
        .as_str()
        .map(str::to_string)
        .or_else(|| u["_id"]["$oid"].as_str().map(|oid| format!("auth0|{oid}")))
}

/// A line's address as lanes and duplicates compare it.
fn address(u: &Value) -> String {
    u["email"]
        .as_str()
        .map(|e| e.trim().to_lowercase())
        .unwrap_or_default()
}

/// A factor from `mfa_factors`: its kind, a TOTP secret, or a phone or address.
type NewFactor = (FactorKind, Option<TotpSecret>, Option<String>);

/// The factors a user's `mfa_factors` describe, before they get ids.
fn factors(u: &Value) -> Result<Vec<NewFactor>> {
    let Some(list) = u.get("mfa_factors") else {
        return Ok(vec![]);
    };
    let list = list
        .as_array()
        .ok_or_else(|| Error::Invalid("mfa_factors must be an array".into()))?;
    list.iter()
        .map(|f| {
            if let Some(secret) = f["totp"]["secret"].as_str() {
                let secret = TotpSecret::from_base32(secret).ok_or_else(|| {
                    Error::Invalid("mfa_factors: totp.secret is not base32".into())
                })?;
                Ok((FactorKind::Totp, Some(secret), None))
            } else if let Some(phone) = f["phone"]["value"].as_str() {
                Ok((FactorKind::Sms, None, Some(phone.to_string())))
            } else if let Some(email) = f["email"]["value"].as_str() {
                Ok((
                    FactorKind::Email,
                    None,
                    Some(crate::admin::parse_email(email)?),
                ))
            } else {
                Err(Error::Invalid(
                    "mfa_factors: only totp, phone and email factors can be imported".into(),
                ))
            }
        })
        .collect()
}

/// Imports (or brings up to date) one Auth0 user. Everything is checked before anything is
/// written, so a refused line changes nothing. A password the user changed here since an
/// earlier import is kept: only a user without a hash, or with an imported one, gets the file's.
/// Without `upsert`, an address that already has a user is refused (Auth0's `DUPLICATED_USER`).
pub async fn auth0_user(f: &Factors<'_>, u: &Value, upsert: bool) -> Result<Imported> {
    match prepare(f, u, upsert).await? {
        Step::Done(imported) => Ok(imported),
        Step::New(account) => write_one(f, &account).await,
    }
}

/// What one line comes to: an existing user brought up to date (written), or a new account
/// checked and ready to write (left to the caller, which may write many in one transaction).
enum Step {
    Done(Imported),
    New(NewAccount),
}

/// Writes one new account on its own, all or nothing.
async fn write_one(f: &Factors<'_>, a: &NewAccount) -> Result<Imported> {
    f.store.create_accounts(std::slice::from_ref(a)).await?;
    Ok(Imported {
        user_id: a.user.id.clone(),
        created: true,
        factors: a.factors.len(),
    })
}

/// Checks one line and, for an existing user, applies it.
async fn prepare(f: &Factors<'_>, u: &Value, upsert: bool) -> Result<Step> {
    if !u.is_object() {
        return Err(Error::Invalid("a user must be a JSON object".into()));
    }
    let email = crate::admin::parse_email(
        u["email"]
            .as_str()
            .ok_or_else(|| Error::Invalid("email is required".into()))?,
    )?;
    let hash = password_hash(u)?;
    let new_factors = factors(u)?;
    let name = u["name"].as_str().map(str::to_string).or_else(|| {
        let parts: Vec<&str> = [&u["given_name"], &u["family_name"]]
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    if let Some(n) = &name {
        crate::identity::check_name(n)?;
    }
    let metadata = |field: &str| -> Result<Option<Value>> {
        match u.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => {
                crate::admin::check_metadata(field, v)?;
                Ok(Some(v.clone()))
            }
        }
    };
    let (user_metadata, app_metadata) = (metadata("user_metadata")?, metadata("app_metadata")?);
    let alias = alias(u);
    if let Some(a) = &alias
        && let Some(owner) = f.store.user_by_alias(a).await?
        && owner.email != email
    {
        return Err(Error::Conflict(format!(
            "user_id {a} was imported for another address"
        )));
    }

    let existing = f.store.user_by_email(&email).await?;
    if existing.is_some() && !upsert {
        return Err(Error::Conflict(format!(
            "a user with the address {email} already exists (import with upsert to update it)"
        )));
    }
    let created = existing.is_none();
    let mut user = existing.unwrap_or_else(|| User {
        id: random::id("usr"),
        email: email.clone(),
        email_verified: false,
        name: None,
        password_hash: None,
        blocked: false,
        created_at: f.now,
        last_login: None,
        user_metadata: crate::model::empty_object(),
        app_metadata: crate::model::empty_object(),
    });
    if let Some(v) = u["email_verified"].as_bool() {
        user.email_verified = v;
    }
    if let Some(b) = u["blocked"].as_bool() {
        user.blocked = b;
    }
    if name.is_some() {
        user.name = name;
    }
    if let Some(m) = user_metadata {
        user.user_metadata = m;
    }
    if let Some(m) = app_metadata {
        user.app_metadata = m;
    }
    if hash.is_some() && user.password_hash.as_deref().is_none_or(legacy::is_legacy) {
        user.password_hash = hash;
    }
    if created {
        crate::identity::check_look_alike(f.store, &email, None).await?;
    } else {
        f.store.update_user(&user).await?;
        if let Some(a) = &alias {
            f.store.set_user_alias(a, &user.id).await?;
        }
    }
    // A factor of a kind the user already has from an import is not added twice.
    let have = if created {
        Vec::new()
    } else {
        f.store.factors(&user.id).await?
    };
    let mut fresh = Vec::new();
    for (kind, secret, target) in new_factors {
        let imported_before = have.iter().any(|h| {
            h.active && h.kind == kind && h.detail["imported_from"] == "auth0" && h.target == target
        });
        if imported_before {
            continue;
        }
        let id = random::id("fac");
        let factor = Factor {
            secret_enc: secret
                .as_ref()
                .map(|s| f.seal(&id, s.as_bytes()))
                .transpose()?,
            id,
            user_id: user.id.clone(),
            kind,
            name: match kind {
                FactorKind::Totp => "Authenticator app (from Auth0)".into(),
                FactorKind::Sms => "Phone (from Auth0)".into(),
                _ => "Email (from Auth0)".into(),
            },
            target,
            credential_id: None,
            detail: serde_json::json!({ "imported_from": "auth0" }),
            sign_count: 0,
            last_step: None,
            active: true,
            created_at: f.now,
            last_used_at: None,
        };
        fresh.push(factor);
    }
    if created {
        return Ok(Step::New(NewAccount {
            user,
            alias,
            factors: fresh,
        }));
    }
    for factor in &fresh {
        f.store.create_factor(factor).await?;
    }
    Ok(Step::Done(Imported {
        user_id: user.id,
        created,
        factors: fresh.len(),
    }))
}

/// The users of an Auth0 file: a JSON array (the bulk-import format), or one JSON object per
/// line (the export). Each is `(line or position, the user or why it does not parse)`.
pub fn auth0_file(text: &str) -> Vec<(usize, std::result::Result<Value, String>)> {
    // A byte-order mark, as some editors on Windows save, is not part of the first line.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('[') {
        return match serde_json::from_str::<Vec<Value>>(text) {
            Ok(users) => users
                .into_iter()
                .enumerate()
                .map(|(i, u)| (i + 1, Ok(u)))
                .collect(),
            Err(e) => vec![(e.line(), Err(format!("not a JSON array of users: {e}")))],
        };
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, serde_json::from_str(l).map_err(|e| e.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_password_hash_export_and_a_byte_order_mark_are_read() {
        let lines = auth0_file(
            "\u{feff}{\"_id\":{\"$oid\":\"5dea\"},\"email\":\"a@x.test\",\"passwordHash\":\"$2b$10$abc\"}\n",
        );
        let u = lines[0].1.as_ref().unwrap();
        assert_eq!(password_hash(u).unwrap().as_deref(), Some("$2b$10$abc"));
        assert_eq!(u["_id"]["$oid"], "5dea");
        assert!(
            password_hash(&json!({ "passwordHash": "$2b$x", "password_hash": "$2b$y" })).is_err()
        );
        assert!(password_hash(&json!({ "passwordHash": "plain" })).is_err());
    }

    #[test]
    fn files_are_arrays_or_one_user_per_line() {
        let array = auth0_file(r#"[{"email":"a@x.test"},{"email":"b@x.test"}]"#);
        assert_eq!(array.len(), 2);
        assert_eq!(array[1].0, 2);
        let lines = auth0_file("{\"email\":\"a@x.test\"}\n\nnot json\n{\"email\":\"c@x.test\"}\n");
        assert_eq!(lines.len(), 3);
        assert!(lines[1].1.is_err());
        assert_eq!(lines[1].0, 3, "the line number as in the file");
        assert!(
            auth0_file("[{\"email\": ]")
                .first()
                .is_some_and(|l| l.1.is_err())
        );
    }

    #[test]
    fn password_fields_and_factors_are_checked_before_anything_is_written() {
        assert!(password_hash(&json!({ "password_hash": "plain" })).is_err());
        assert!(
            password_hash(&json!({ "password_hash": "$2b$10$x", "custom_password_hash": {} }))
                .is_err()
        );
        assert_eq!(password_hash(&json!({})).unwrap(), None);
        assert!(
            factors(&json!({ "mfa_factors": [{ "totp": { "secret": "not base32!" } }] })).is_err()
        );
        assert!(factors(&json!({ "mfa_factors": [{ "push": {} }] })).is_err());
        let ok = factors(&json!({ "mfa_factors": [
            { "totp": { "secret": "JBSWY3DPEHPK3PXP" } },
            { "phone": { "value": "+15555550100" } },
            { "email": { "value": "Ada@Example.com" } },
        ] }))
        .unwrap();
        assert_eq!(ok.len(), 3);
        assert_eq!(ok[2].2.as_deref(), Some("ada@example.com"));
    }
}

/// What an import of many users did: counts, and each refused line with the reason (never the
/// line's content, which holds hashes).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// Users created.
    pub created: u64,
    /// Existing users brought up to date.
    pub updated: u64,
    /// Factors added.
    pub factors: usize,
    /// Refused lines: (line number, reason), in line order.
    pub failed: Vec<(usize, String)>,
}

/// New accounts written in one transaction (one commit for many users, not three per user).
const BATCH: usize = 200;

/// Writes the waiting new accounts in one transaction; if that fails (an address or alias taken
/// meanwhile), each on its own, so only the lines at fault are refused.
async fn flush(
    f: &Factors<'_>,
    batch: &mut Vec<(usize, NewAccount)>,
    record: &(dyn Fn(usize, std::result::Result<Imported, String>) + Sync),
) {
    if batch.is_empty() {
        return;
    }
    let accounts: Vec<NewAccount> = batch.iter().map(|(_, a)| a.clone()).collect();
    let together = f.store.create_accounts(&accounts).await.is_ok();
    for (line, account) in batch.drain(..) {
        let outcome = if together {
            Ok(Imported {
                user_id: account.user.id.clone(),
                created: true,
                factors: account.factors.len(),
            })
        } else {
            write_one(f, &account).await.map_err(|e| e.to_string())
        };
        record(line, outcome);
    }
}

/// How many lines an import works on at once. Lines of one address always go through the same
/// lane, in file order, so a file that names a user twice applies both in order.
pub const LANES: usize = 8;

/// Imports parsed lines (from [`auth0_file`]) `LANES` at a time, calling `progress` with the
/// number of lines done after each one. The reads, the checks and the factor encryption of one
/// lane overlap the writes of the others.
pub async fn auth0_lines(
    f: &Factors<'_>,
    lines: &[(usize, std::result::Result<Value, String>)],
    upsert: bool,
    progress: &(dyn Fn(usize) + Sync),
) -> Report {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // An Auth0 id given for two addresses: the first line keeps it, so the outcome does not
    // depend on which lane writes first.
    let mut owners: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut refused: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    for (line, user) in lines {
        let Some((a, u)) = user.as_ref().ok().and_then(|u| Some((alias(u)?, u))) else {
            continue;
        };
        match owners.get(&a) {
            Some(first) if *first != address(u) => {
                refused.insert(
                    *line,
                    format!("user_id {a} is given for another address earlier in the file"),
                );
            }
            Some(_) => {}
            None => {
                owners.insert(a, address(u));
            }
        }
    }
    let mut lanes: Vec<Vec<&(usize, std::result::Result<Value, String>)>> =
        (0..LANES).map(|_| Vec::new()).collect();
    for line in lines {
        let email = line.1.as_ref().map(address).unwrap_or_default();
        let lane = email.bytes().fold(0usize, |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        }) % LANES;
        lanes[lane].push(line);
    }
    let report = Mutex::new(Report::default());
    let done = AtomicUsize::new(0);
    let record = |line: usize, outcome: std::result::Result<Imported, String>| {
        let mut r = report
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match outcome {
            Ok(i) => {
                if i.created {
                    r.created += 1;
                } else {
                    r.updated += 1;
                }
                r.factors += i.factors;
            }
            Err(why) => r.failed.push((line, why)),
        }
    };
    let runs = lanes.into_iter().map(|lane| {
        let (record, done, refused) = (&record, &done, &refused);
        async move {
            let mut batch: Vec<(usize, NewAccount)> = Vec::new();
            for (line, user) in lane {
                // A second line for an address waiting in the batch sees it written first.
                let email = user.as_ref().ok().and_then(|u| u["email"].as_str());
                if email.is_some_and(|e| {
                    batch
                        .iter()
                        .any(|(_, a)| a.user.email.eq_ignore_ascii_case(e.trim()))
                }) {
                    flush(f, &mut batch, record).await;
                }
                match user {
                    _ if refused.contains_key(line) => {
                        record(*line, Err(refused[line].clone()));
                    }
                    Ok(u) => match prepare(f, u, upsert).await {
                        Ok(Step::Done(i)) => record(*line, Ok(i)),
                        Ok(Step::New(account)) => batch.push((*line, account)),
                        Err(e) => record(*line, Err(e.to_string())),
                    },
                    Err(e) => record(*line, Err(e.clone())),
                }
                if batch.len() >= BATCH {
                    flush(f, &mut batch, record).await;
                }
                progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            }
            flush(f, &mut batch, record).await;
        }
    });
    futures_util::future::join_all(runs).await;
    let mut report = report
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    report.failed.sort_by_key(|(line, _)| *line);
    report
}
