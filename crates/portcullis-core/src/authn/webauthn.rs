//! Enrolling and proving WebAuthn credentials against the store.

use serde_json::Value;

use crate::Result;
use crate::authn::assurance::{Method, Proof};
use crate::authn::factors::{Factors, Outcome};
use crate::crypto::random;
use crate::factor::FactorKind;
use crate::factor::webauthn::{NewCredential, Relying};
use crate::model::Factor;

/// A passwordless sign-in that checked out: who, and the proof.
#[derive(Debug, Clone)]
pub struct Passwordless {
    /// The credential's owner.
    pub user_id: String,
    /// What was proved.
    pub proof: Proof,
}

impl Factors<'_> {
    /// Stores a registered credential as a factor; `Conflict` if the credential id is taken.
    pub async fn enroll_webauthn(
        &self,
        user_id: &str,
        new: NewCredential,
        name: &str,
    ) -> Result<Factor> {
        let id = random::id("fac");
        let sealed = self.seal(
            &id,
            &serde_json::to_vec(&new.credential).unwrap_or_default(),
        )?;
        let factor = Factor {
            id,
            user_id: user_id.into(),
            kind: FactorKind::Webauthn,
            name: name.into(),
            secret_enc: Some(sealed),
            target: None,
            credential_id: Some(new.credential_id),
            detail: new.detail,
            sign_count: new.sign_count,
            last_step: None,
            active: true,
            created_at: self.now,
            last_used_at: Some(self.now),
        };
        self.store.create_factor(&factor).await?;
        Ok(factor)
    }

    fn stored_credential(&self, factor: &Factor) -> Result<Value> {
        serde_json::from_slice(&self.open(factor)?)
            .map_err(|e| crate::Error::Crypto(format!("stored credential: {e}")))
    }

    /// The stored credentials of a user's WebAuthn factors, for a second-factor challenge.
    pub async fn webauthn_credentials(&self, user_id: &str) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        for f in self.store.factors(user_id).await? {
            if f.kind == FactorKind::Webauthn && f.active {
                out.push(self.stored_credential(&f)?);
            }
        }
        Ok(out)
    }

    /// Checks an assertion answering `state` and moves the counter forward; `user_id` is the
    /// user it must belong to (a second factor). The caller has already taken `state` from the
    /// store, so a challenge is answered at most once.
    pub async fn verify_webauthn(
        &self,
        rp: &Relying,
        user_id: &str,
        response: &Value,
        state: &Value,
    ) -> Result<Outcome> {
        let attempt = match self.factor_attempt(user_id).await? {
            Ok(a) => a,
            Err(throttled) => return Ok(throttled),
        };
        let credential_id = response["id"].as_str().unwrap_or_default();
        let factor = self
            .store
            .factor_by_credential(credential_id)
            .await?
            .filter(|f| f.user_id == user_id && f.active && f.kind == FactorKind::Webauthn);
        let proof = match factor {
            Some(f) => self.assert(rp, &f, response, state).await?,
            None => None,
        };
        self.settle(attempt, proof).await
    }

    /// Checks a passwordless (discoverable) assertion: the credential names its user, whose
    /// handle must match the one we gave it.
    pub async fn verify_passwordless(
        &self,
        rp: &Relying,
        response: &Value,
        state: &Value,
    ) -> Result<Option<Passwordless>> {
        let Ok((credential_id, handle)) = rp.identify(response) else {
            return Ok(None);
        };
        let Some(factor) = self
            .store
            .factor_by_credential(&credential_id)
            .await?
            .filter(|f| f.active && f.kind == FactorKind::Webauthn)
        else {
            return Ok(None);
        };
        if rp.user_handle(&factor.user_id) != handle {
            return Ok(None);
        }
        let Ok(attempt) = self.factor_attempt(&factor.user_id).await? else {
            return Ok(None);
        };
        let proof = self.assert(rp, &factor, response, state).await?;
        match self.settle(attempt, proof).await? {
            Outcome::Proved(proof) => Ok(Some(Passwordless {
                user_id: factor.user_id,
                proof,
            })),
            _ => Ok(None),
        }
    }

    async fn assert(
        &self,
        rp: &Relying,
        factor: &Factor,
        response: &Value,
        state: &Value,
    ) -> Result<Option<Proof>> {
        let stored = self.stored_credential(factor)?;
        let assertion = match rp.finish_assertion(response, state, &stored, factor.sign_count) {
            Ok(a) => a,
            Err(e) => {
                tracing::info!(factor_id = %factor.id, error = %e, "webauthn assertion refused");
                return Ok(None);
            }
        };
        let mut detail = factor.detail.clone();
        detail["backup_eligible"] = Value::Bool(assertion.backup_eligible);
        let sealed = self.seal(
            &factor.id,
            &serde_json::to_vec(&assertion.credential).unwrap_or_default(),
        )?;
        // Compare-and-set on the counter: of two racing assertions only one moves it.
        if !self
            .store
            .update_webauthn_factor(
                &factor.id,
                factor.sign_count,
                assertion.sign_count,
                &sealed,
                &detail,
                self.now,
            )
            .await?
        {
            return Ok(None);
        }
        let mut proof = Proof::new(Method::Webauthn, self.now, Some(factor.id.clone()));
        proof.user_verified = assertion.user_verified;
        proof.device_bound = !assertion.backup_eligible;
        Ok(Some(proof))
    }
}
