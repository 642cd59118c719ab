//! Group commit of refresh-token rotations on SQLite.
//!
//! SQLite has one writer, and a rotation is a transaction of its own: spend the old token,
//! store its successor and the access token's record. Under load the rotations queue for the
//! writer, each paying for its own `BEGIN` and `COMMIT` and three statements. Here one task owns
//! the queue: it takes every rotation waiting, spends each old token in one transaction, stores
//! all the successors and access records with one multi-row statement each, commits once, and
//! only then answers each caller. Each rotation still succeeds or fails on its own token (two
//! rotations of one token in a batch: the first spends it, the second finds it spent).

use sqlx::any::AnyRow;
use sqlx::{AnyPool, QueryBuilder};
use tokio::sync::{mpsc, oneshot};

use portcullis_core::model::RefreshToken;
use portcullis_core::{Error, Result};

use crate::rows::{db_err, to_json};

/// Rotations one transaction takes at most: a bounded commit, and statements well under
/// SQLite's limit of bound variables (8 per successor).
const MAX_BATCH: usize = 128;

/// One rotation waiting for the writer.
pub(crate) struct Rotation {
    pub old_digest: String,
    pub now: i64,
    pub next: RefreshToken,
    pub access_jti: String,
    pub access_expires_at: i64,
    /// The spent row when the old token was live, `None` when it was not; after the commit.
    pub reply: oneshot::Sender<Result<Option<AnyRow>>>,
}

/// Starts the committer on `writer`; rotations are sent to the returned queue.
pub(crate) fn start(writer: AnyPool) -> mpsc::Sender<Rotation> {
    let (tx, mut rx) = mpsc::channel::<Rotation>(4 * MAX_BATCH);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            match commit(&writer, &batch).await {
                Ok(spent) => {
                    for (job, row) in batch.into_iter().zip(spent) {
                        let _ = job.reply.send(Ok(row));
                    }
                }
                Err(e) => {
                    let message = e.to_string();
                    for job in batch {
                        let _ = job.reply.send(Err(Error::Store(message.clone())));
                    }
                }
            }
        }
    });
    tx
}

/// Spends each old token and stores the successors of those spent, in one transaction.
async fn commit(writer: &AnyPool, batch: &[Rotation]) -> Result<Vec<Option<AnyRow>>> {
    let mut tx = writer.begin().await.map_err(db_err)?;
    let mut spent = Vec::with_capacity(batch.len());
    for job in batch {
        let row = crate::sql::spend_refresh(&job.old_digest, job.now)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        spent.push(row);
    }
    let winners: Vec<&Rotation> = batch
        .iter()
        .zip(&spent)
        .filter(|(_, row)| row.is_some())
        .map(|(job, _)| job)
        .collect();
    if !winners.is_empty() {
        let mut bodies = Vec::with_capacity(winners.len());
        for job in &winners {
            bodies.push(to_json(&job.next.grant)?);
        }
        let mut refresh = QueryBuilder::<sqlx::Any>::new(
            "INSERT INTO refresh_tokens (digest, family_id, session_id, client_id, user_id, body, created_at, expires_at) ",
        );
        refresh.push_values(winners.iter().zip(bodies), |mut row, (job, body)| {
            let t = &job.next;
            row.push_bind(t.digest.clone())
                .push_bind(t.grant.family_id.clone())
                .push_bind(t.grant.session_id.clone())
                .push_bind(t.grant.client_id.clone())
                .push_bind(t.grant.user_id.clone())
                .push_bind(body)
                .push_bind(t.created_at)
                .push_bind(t.expires_at);
        });
        refresh.build().execute(&mut *tx).await.map_err(db_err)?;
        let mut access = QueryBuilder::<sqlx::Any>::new(
            "INSERT INTO access_tokens (jti, family_id, expires_at) ",
        );
        access.push_values(&winners, |mut row, job| {
            row.push_bind(job.access_jti.clone())
                .push_bind(job.next.grant.family_id.clone())
                .push_bind(job.access_expires_at);
        });
        access.build().execute(&mut *tx).await.map_err(db_err)?;
    }
    tx.commit().await.map_err(db_err)?;
    Ok(spent)
}
