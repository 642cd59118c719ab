//! The provider's signing keys: fetched from its JWKS, looked up by `kid`, refetched when an
//! unknown `kid` appears (a rotation) but at most once per interval, and kept when the provider
//! is down so verification goes on with what was known.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::Deserialize;

use crate::error::GuardError;
use crate::guard::Clock;
use crate::jwk::{Alg, Jwk, VerifyingKey};
use crate::jwt::{self, Header};

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<serde_json::Value>,
}

/// A cached key with what its JWK said about its algorithm.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub(crate) key: VerifyingKey,
    pub(crate) alg: Option<String>,
}

#[derive(Default)]
struct Cache {
    by_kid: HashMap<String, Arc<Key>>,
    /// Keys published without a `kid`, tried in turn for tokens without one.
    unnamed: Vec<Arc<Key>>,
    /// When the JWKS was last asked for (by the key set's clock).
    last_attempt: Option<i64>,
}

/// A provider's published keys, cached; verifies compact JWS signatures with them. The guard
/// uses one for access tokens; relying parties can use one for ID and logout tokens.
pub struct KeySet {
    http: reqwest::Client,
    jwks_uri: String,
    refetch_every: i64,
    clock: Clock,
    cache: RwLock<Cache>,
    refetching: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeySet({})", self.jwks_uri)
    }
}

impl KeySet {
    /// Keys from `jwks_uri`, refetched for unknown `kid`s at most once per `refetch_every` by
    /// `clock`.
    pub fn new(
        http: reqwest::Client,
        jwks_uri: String,
        refetch_every: Duration,
        clock: Clock,
    ) -> KeySet {
        KeySet {
            http,
            jwks_uri,
            refetch_every: i64::try_from(refetch_every.as_secs()).unwrap_or(i64::MAX),
            clock,
            cache: RwLock::new(Cache::default()),
            refetching: tokio::sync::Mutex::new(()),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Cache> {
        self.cache.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Fetches the JWKS now and replaces the cache (how many usable keys); on failure the cache
    /// stays as it was.
    pub async fn fetch(&self) -> Result<usize, GuardError> {
        {
            let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
            cache.last_attempt = Some((self.clock)());
        }
        let set: JwkSet = self
            .http
            .get(&self.jwks_uri)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| GuardError::Fetch(format!("{}: {e}", self.jwks_uri)))?
            .json()
            .await
            .map_err(|e| GuardError::Fetch(format!("{}: {e}", self.jwks_uri)))?;
        let fresh = Cache::of(set.keys, (self.clock)());
        let count = fresh.by_kid.len() + fresh.unnamed.len();
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        Ok(count)
    }

    /// Keys given by value (a JWKS document), never fetched: a client's registered keys.
    /// `None` when the document is not `{"keys": [...]}` or has no usable key.
    pub fn fixed(jwks: &serde_json::Value, clock: Clock) -> Option<KeySet> {
        let set: JwkSet = serde_json::from_value(jwks.clone()).ok()?;
        let cache = Cache::of(set.keys, clock());
        if cache.by_kid.is_empty() && cache.unnamed.is_empty() {
            return None;
        }
        Some(KeySet {
            http: reqwest::Client::new(),
            jwks_uri: String::new(),
            refetch_every: i64::MAX,
            clock,
            cache: RwLock::new(cache),
            refetching: tokio::sync::Mutex::new(()),
        })
    }
}

impl Cache {
    /// The usable keys of a JWKS's `keys`, fetched at `now`.
    fn of(keys: Vec<serde_json::Value>, now: i64) -> Cache {
        let mut fresh = Cache {
            last_attempt: Some(now),
            ..Cache::default()
        };
        // Keys of unknown types or with bad members are skipped, not fatal: a provider may
        // publish encryption keys or algorithms this guard does not take.
        for raw in keys {
            let Ok(jwk) = serde_json::from_value::<Jwk>(raw) else {
                continue;
            };
            let Some(key) = VerifyingKey::from_jwk(&jwk) else {
                continue;
            };
            let key = Arc::new(Key {
                key,
                alg: jwk.alg.clone(),
            });
            match jwk.kid {
                Some(kid) => {
                    fresh.by_kid.insert(kid, key);
                }
                None => fresh.unnamed.push(key),
            }
        }
        fresh
    }
}

impl KeySet {
    /// The keys that may have signed a token with this `kid` (one, or for no `kid`, the unnamed
    /// ones), refetching once per interval when the `kid` is unknown.
    pub(crate) async fn candidates(&self, kid: Option<&str>) -> Vec<Arc<Key>> {
        let lookup = |cache: &Cache| match kid {
            Some(kid) => cache
                .by_kid
                .get(kid)
                .cloned()
                .into_iter()
                .collect::<Vec<_>>(),
            None => cache.unnamed.clone(),
        };
        let found = lookup(&self.read());
        if !found.is_empty() {
            return found;
        }
        // One refetch at a time; whoever waited finds the result in the cache.
        let _one = self.refetching.lock().await;
        let (found, due) = {
            let cache = self.read();
            let due = cache
                .last_attempt
                .is_none_or(|at| (self.clock)() - at >= self.refetch_every);
            (lookup(&cache), due)
        };
        if !found.is_empty() || !due {
            return found;
        }
        if let Err(e) = self.fetch().await {
            tracing::warn!(error = %e, "JWKS refetch failed; keeping the cached keys");
        }
        lookup(&self.read())
    }

    /// Checks a compact JWS signed with one of `algs` by a published key of the matching type
    /// (and `alg`, when the key names one); its header and payload, or why not.
    pub async fn verify(&self, token: &str, algs: &[Alg]) -> Result<Signed, &'static str> {
        let parsed = jwt::parse(token).ok_or("not a signed JWT with an accepted algorithm")?;
        if !algs.contains(&parsed.alg) {
            return Err("algorithm not accepted");
        }
        let signed = self
            .candidates(parsed.header.kid.as_deref())
            .await
            .into_iter()
            .filter(|k| k.key.fits(parsed.alg))
            .filter(|k| k.alg.as_deref().is_none_or(|a| a == parsed.alg.as_str()))
            .any(|k| {
                k.key
                    .verify(parsed.alg, parsed.signing_input, &parsed.signature)
            });
        if !signed {
            return Err("signature not verified by any published key");
        }
        Ok(Signed {
            header: parsed.header,
            payload: parsed.payload,
        })
    }
}

/// A JWS whose signature checked out.
#[derive(Debug)]
pub struct Signed {
    /// Its header.
    pub header: Header,
    /// Its payload, still to be read.
    pub payload: Vec<u8>,
}
