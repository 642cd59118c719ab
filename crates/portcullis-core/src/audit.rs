//! The audit trail's hash chain (DESIGN.md §8): each event carries a MAC over the previous
//! event's hash, its number and its content, under a key derived from the master key. Changing,
//! removing or slipping in a row breaks the chain at that row, and without the key nobody can
//! re-link what follows. Pruning leaves a sealed checkpoint so the rest still verifies.

use serde_json::json;

use crate::Result;
use crate::crypto::aead::MasterKeys;
use crate::crypto::{b64url, hmac_sha256};
use crate::error::Error;
use crate::model::{AuditCheckpoint, AuditEvent, AuditLink, AuditSeal};
use crate::ports::Store;

/// The `prev_hash` of the first event.
pub const GENESIS: &str = "genesis";

fn key(master: &MasterKeys) -> [u8; 32] {
    master.derive("portcullis audit chain v1")
}

/// The hash of `event` at `seq` after `prev`.
pub fn link_hash(master: &MasterKeys, prev: &str, seq: i64, event: &AuditEvent) -> String {
    // A JSON array is an unambiguous encoding of the fields; `detail`'s keys come out sorted.
    let canonical = json!([
        prev,
        seq,
        event.at,
        event.kind,
        event.user_id,
        event.client_id,
        event.ip,
        event.user_agent,
        event.detail,
    ]);
    b64url(&hmac_sha256(&key(master), canonical.to_string().as_bytes()))
}

fn seal(master: &MasterKeys, seq: i64, hash: &str, at: i64) -> String {
    let text = json!(["checkpoint", seq, hash, at]).to_string();
    b64url(&hmac_sha256(&key(master), text.as_bytes()))
}

fn head_seal(master: &MasterKeys, seq: i64, hash: &str) -> String {
    let text = json!(["head", seq, hash]).to_string();
    b64url(&hmac_sha256(&key(master), text.as_bytes()))
}

/// Appends `event` at the head of the chain; concurrent writers retry on the next number.
pub async fn append(store: &dyn Store, master: &MasterKeys, event: &AuditEvent) -> Result<()> {
    for _ in 0..64 {
        let (seq, prev) = match store.audit_head().await? {
            Some(head) => (head.seq + 1, head.hash),
            None => (1, GENESIS.to_string()),
        };
        let link = AuditLink {
            seq,
            hash: link_hash(master, &prev, seq, event),
            prev_hash: prev,
        };
        let head = AuditSeal {
            seq,
            seal: head_seal(master, seq, &link.hash),
            hash: link.hash.clone(),
        };
        match store.append_audit(event, &link, &head).await {
            Err(Error::Conflict(_)) => {
                // Another node took the number: let it finish before reading the head again.
                let pause = 1 + u64::from(crate::crypto::random::bytes::<1>()[0] % 8);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                continue;
            }
            other => return other,
        }
    }
    Err(Error::Conflict("audit chain head kept moving".into()))
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every link holds.
    Intact {
        /// Chained events checked.
        events: u64,
        /// Events written before the chain existed (not covered).
        unchained: u64,
        /// The checkpoint the chain starts from, if events were pruned.
        checkpoint: Option<i64>,
        /// Whether the chain ends at the sealed head (`false` only for a trail last written
        /// before the seal existed).
        sealed: bool,
    },
    /// The first broken link.
    Broken {
        /// The event number where it breaks (or would be expected).
        seq: i64,
        /// Why.
        reason: String,
    },
}

/// Walks the whole trail and reports the first broken link.
pub async fn verify(store: &dyn Store, master: &MasterKeys) -> Result<Verdict> {
    let checkpoint = store.audit_checkpoint().await?;
    let (mut expected_seq, mut prev) = match &checkpoint {
        Some(cp) => {
            if seal(master, cp.seq, &cp.hash, cp.at) != cp.seal {
                return Ok(Verdict::Broken {
                    seq: cp.seq,
                    reason: "the checkpoint's seal does not match".into(),
                });
            }
            (cp.seq + 1, cp.hash.clone())
        }
        None => (1, GENESIS.to_string()),
    };
    let (mut events, mut unchained, mut after) = (0u64, 0u64, 0i64);
    let mut chain_started = false;
    loop {
        let rows = store.audit_rows(after, 500).await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            after = row.id;
            let Some(link) = row.link else {
                if chain_started {
                    return Ok(Verdict::Broken {
                        seq: expected_seq,
                        reason: format!("row {} has no link but follows chained events", row.id),
                    });
                }
                unchained += 1;
                continue;
            };
            chain_started = true;
            if link.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    reason: format!(
                        "expected event {expected_seq}, found {} (an event is missing or was inserted)",
                        link.seq
                    ),
                });
            }
            if link.prev_hash != prev {
                return Ok(Verdict::Broken {
                    seq: link.seq,
                    reason: "prev_hash does not match the event before".into(),
                });
            }
            if link_hash(master, &prev, link.seq, &row.event) != link.hash {
                return Ok(Verdict::Broken {
                    seq: link.seq,
                    reason: "the event's content does not match its hash".into(),
                });
            }
            prev = link.hash;
            expected_seq += 1;
            events += 1;
        }
    }
    // The chain must end where the sealed head says: removing the newest events leaves no gap
    // for the walk above to find.
    let last = expected_seq - 1;
    let sealed = match store.audit_seal().await? {
        None => false,
        Some(head) => {
            if head_seal(master, head.seq, &head.hash) != head.seal {
                return Ok(Verdict::Broken {
                    seq: head.seq,
                    reason: "the head's seal does not match".into(),
                });
            }
            if head.seq > last {
                return Ok(Verdict::Broken {
                    seq: last + 1,
                    reason: format!(
                        "the trail ends at event {last} but was sealed at {} (the newest events were removed)",
                        head.seq
                    ),
                });
            }
            if head.seq == last && head.hash != prev {
                return Ok(Verdict::Broken {
                    seq: last,
                    reason: "the newest event is not the one sealed".into(),
                });
            }
            true
        }
    };
    Ok(Verdict::Intact {
        events,
        unchained,
        checkpoint: checkpoint.map(|c| c.seq),
        sealed,
    })
}

/// Prunes events older than `before` (seconds since the epoch) behind a sealed checkpoint;
/// how many went. The chain must verify first: pruning never hides a broken link.
pub async fn prune(store: &dyn Store, master: &MasterKeys, before: i64, now: i64) -> Result<u64> {
    if let Verdict::Broken { seq, reason } = verify(store, master).await? {
        return Err(Error::Invalid(format!(
            "the audit chain is broken at {seq} ({reason}); not pruning"
        )));
    }
    let mut last: Option<AuditLink> = None;
    let mut after = 0;
    'scan: loop {
        let rows = store.audit_rows(after, 500).await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            after = row.id;
            if row.event.at >= before {
                break 'scan;
            }
            if let Some(link) = row.link {
                last = Some(link);
            }
        }
    }
    let Some(last) = last else {
        return Ok(0);
    };
    let checkpoint = AuditCheckpoint {
        seal: seal(master, last.seq, &last.hash, now),
        seq: last.seq,
        hash: last.hash,
        at: now,
    };
    store.prune_audit(&checkpoint).await
}
