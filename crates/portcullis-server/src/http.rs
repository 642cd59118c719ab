//! Request helpers: strict form/query parsing, cookies, client metadata.

use std::collections::HashMap;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

/// Form or query parameters, with repeated parameters refused (RFC 6749 §3.1, §3.2).
#[derive(Debug, Default, Clone)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// Parses `application/x-www-form-urlencoded` text; `Err` names a repeated parameter.
    pub fn parse(raw: &[u8]) -> Result<Params, String> {
        let mut map = HashMap::new();
        for (k, v) in form_urlencoded::parse(raw) {
            if map.insert(k.to_string(), v.to_string()).is_some() {
                return Err(format!("parameter `{k}` is repeated"));
            }
        }
        Ok(Params(map))
    }

    /// Parses like [`Params::parse`] but keeps the first value of a repeated parameter and
    /// names the repeated ones, for endpoints that must answer the error somewhere else once
    /// they know where (the authorization endpoint, RFC 6749 §4.1.2.1).
    pub fn parse_noting_repeats(raw: &[u8]) -> (Params, Vec<String>) {
        let mut map = HashMap::new();
        let mut repeated = Vec::new();
        for (k, v) in form_urlencoded::parse(raw) {
            if map.contains_key(k.as_ref()) {
                if !repeated.iter().any(|r| r == &k) {
                    repeated.push(k.to_string());
                }
            } else {
                map.insert(k.to_string(), v.to_string());
            }
        }
        (Params(map), repeated)
    }

    /// A parameter; an empty value counts as absent (RFC 6749 §3.1).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A parameter as an owned string.
    pub fn owned(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_string)
    }

    /// Sets a parameter, replacing any value it had.
    pub fn insert(&mut self, key: &str, value: &str) {
        self.0.insert(key.to_string(), value.to_string());
    }

    /// The parameters as `application/x-www-form-urlencoded` text, in name order.
    pub fn encode(&self) -> String {
        let mut keys: Vec<&String> = self.0.keys().collect();
        keys.sort();
        let mut out = form_urlencoded::Serializer::new(String::new());
        for k in keys {
            out.append_pair(k, &self.0[k]);
        }
        out.finish()
    }

    /// Drops a parameter (a secret a page must not echo back).
    pub fn remove(&mut self, key: &str) {
        self.0.remove(key);
    }
}

/// A cookie from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The token of an `Authorization: Bearer …` header (RFC 6750 §2.1).
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string())
}

/// Who is asking: recorded in the audit trail.
#[derive(Debug, Clone, Default)]
pub struct ClientMeta {
    /// Peer IP address.
    pub ip: Option<String>,
    /// User agent.
    pub user_agent: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientMeta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientMeta {
            ip: parts
                .extensions
                .get::<ConnectInfo<crate::tls::Peer>>()
                .map(|c| c.0.addr.ip().to_string()),
            user_agent: parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(256).collect()),
        })
    }
}
