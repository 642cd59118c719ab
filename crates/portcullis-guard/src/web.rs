//! axum and tower integration: a layer that guards a router with one [`Rule`], and extractors
//! that guard one handler.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::{FromRef, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::claims::Claims;
use crate::guard::Guard;
use crate::rules::Rule;

/// The TLS client certificate (DER) of the connection a request came over. The service's TLS
/// layer (or a proxy it trusts) puts it in the request extensions; the layer and extractors then
/// accept tokens bound to it (RFC 8705 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCertificate(pub Vec<u8>);

/// A tower layer: requests without a token meeting the rule are answered by the guard; the
/// others reach the service with their [`Claims`] in the request extensions.
#[derive(Clone, Debug)]
pub struct GuardLayer {
    guard: Guard,
    rule: Rule,
}

impl GuardLayer {
    /// Guards with `rule`.
    pub fn new(guard: Guard, rule: Rule) -> GuardLayer {
        GuardLayer { guard, rule }
    }
}

impl<S> tower::Layer<S> for GuardLayer {
    type Service = GuardService<S>;

    fn layer(&self, inner: S) -> GuardService<S> {
        GuardService {
            inner,
            guard: self.guard.clone(),
            rule: self.rule.clone(),
        }
    }
}

/// The service [`GuardLayer`] wraps around another.
#[derive(Clone, Debug)]
pub struct GuardService<S> {
    inner: S,
    guard: Guard,
    rule: Rule,
}

impl<S> tower::Service<Request> for GuardService<S>
where
    S: tower::Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        // The clone that was made ready is the one that serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let (guard, rule) = (self.guard.clone(), self.rule.clone());
        Box::pin(async move {
            let certificate = req.extensions().get::<ClientCertificate>().cloned();
            match guard
                .authorize_with_certificate(
                    req.method(),
                    req.uri(),
                    req.headers(),
                    certificate.as_ref().map(|c| c.0.as_slice()),
                    &rule,
                )
                .await
            {
                Ok(claims) => {
                    req.extensions_mut().insert(claims);
                    inner.call(req).await
                }
                Err(rejection) => Ok(rejection.into_response_with_realm(guard.realm())),
            }
        })
    }
}

/// A handler's requirement, named by a type so it can sit in an extractor's signature.
pub trait Requirement: Send + Sync + 'static {
    /// The rule.
    fn rule() -> Rule;
}

/// No requirement beyond a valid token.
#[derive(Debug)]
pub struct AnyToken;

impl Requirement for AnyToken {
    fn rule() -> Rule {
        Rule::any()
    }
}

/// Extracts the claims of a token that meets `R` (the [`Guard`] comes from the router state),
/// or answers with the guard's rejection.
#[derive(Debug, Clone)]
pub struct Protected<R: Requirement = AnyToken>(pub Claims, PhantomData<R>);

impl<R: Requirement> Protected<R> {
    /// The claims.
    pub fn claims(&self) -> &Claims {
        &self.0
    }
}

impl<S, R> FromRequestParts<S> for Protected<R>
where
    Guard: FromRef<S>,
    S: Send + Sync,
    R: Requirement,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let guard = Guard::from_ref(state);
        let certificate = parts.extensions.get::<ClientCertificate>();
        guard
            .authorize_with_certificate(
                &parts.method,
                &parts.uri,
                &parts.headers,
                certificate.map(|c| c.0.as_slice()),
                &R::rule(),
            )
            .await
            .map(|claims| Protected(claims, PhantomData))
            .map_err(|r| r.into_response_with_realm(guard.realm()))
    }
}

/// The claims a [`GuardLayer`] put on the request.
#[derive(Debug, Clone)]
pub struct Verified(pub Claims);

impl<S: Send + Sync> FromRequestParts<S> for Verified {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        parts
            .extensions
            .get::<Claims>()
            .cloned()
            .map(Verified)
            // Only a route outside the layer gets here: a wiring mistake, not the caller's.
            .ok_or_else(|| {
                tracing::error!("Verified used on a route without GuardLayer");
                axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
            })
    }
}
