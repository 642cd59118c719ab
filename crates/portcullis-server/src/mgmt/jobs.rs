//! User import jobs in Auth0's shape: `POST /api/v2/jobs/users-imports` takes Auth0's bulk
//! import file (a JSON array, or its export's NDJSON) as `multipart/form-data` and imports it in
//! the background; `GET /api/v2/jobs/{id}` reports progress and totals, and
//! `GET /api/v2/jobs/{id}/errors` the refused lines (numbers and reasons, never the lines).

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_core::model::Flow;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{Admin, ApiError, no_content, respond};
use crate::state::AppState;

/// The flow kind a job is stored under.
const KIND: &str = "users_import_job";
/// How long a job's record is kept after it was made.
const KEEP: i64 = 7 * 86_400;
/// The largest file accepted.
pub const MAX_FILE: usize = 64 << 20;

/// A job as stored and reported.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobDoc {
    /// `job_…`.
    id: String,
    /// `users_import`.
    #[serde(rename = "type")]
    kind: String,
    /// `pending`, `processing`, `completed` or `failed`.
    status: String,
    /// The connection named in the request (kept as given).
    connection_id: String,
    /// The caller's own id for the job, if it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    external_id: Option<String>,
    /// Whether existing users were updated (else refused as duplicates).
    upsert: bool,
    /// Creation time.
    created_at: String,
    /// Lines done, in percent.
    percentage_done: u8,
    /// Counts once completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    summary: Option<SummaryDoc>,
    /// Why the whole job failed (an unreadable file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// Auth0's job summary.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SummaryDoc {
    failed: u64,
    updated: u64,
    inserted: u64,
    total: u64,
}

/// A refused line.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobErrorDoc {
    /// The line (NDJSON) or the array index plus one.
    line: usize,
    /// Auth0's error list: one entry with the reason.
    #[schema(value_type = Vec<Object>)]
    errors: Vec<serde_json::Value>,
}

/// The form of `POST /api/v2/jobs/users-imports`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The file: Auth0's bulk-import JSON array or export NDJSON.
    #[schema(value_type = String, format = Binary)]
    users: Vec<u8>,
    /// The connection to import into (kept as given; Portcullis has one user store).
    connection_id: String,
    /// `true` updates users that exist (by email); else they are refused.
    upsert: Option<bool>,
    /// The caller's id for the job.
    external_id: Option<String>,
    /// Accepted for Auth0's clients; no mail is sent.
    send_completion_email: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    job: JobDoc,
    #[serde(default)]
    errors: Vec<JobErrorDoc>,
}

async fn save(state: &AppState, stored: &Stored) {
    let data = match serde_json::to_value(stored) {
        Ok(d) => d,
        Err(e) => return tracing::error!(error = %e, "import job unreadable"),
    };
    if let Err(e) = state
        .store()
        .update_flow(&stored.job.id, &data, state.now())
        .await
    {
        tracing::error!(error = %e, job = %stored.job.id, "could not record the import job");
    }
}

fn bool_field(name: &str, text: &str) -> Result<bool, ApiError> {
    match text {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ApiError::body(format!("{name} must be true or false"))),
    }
}

#[utoipa::path(
    post,
    path = "/api/v2/jobs/users-imports",
    tag = "users",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 202, description = "Accepted: the import runs in the background", body = JobDoc), super::openapi::ApiErrors),
    security(("management" = ["create:users"]))
)]
/// `POST /api/v2/jobs/users-imports`.
pub async fn create(State(state): State<AppState>, admin: Admin, form: Multipart) -> Response {
    respond(async {
        admin.require(&["create:users"])?;
        let mut form = form;
        let (mut users, mut connection, mut upsert, mut external) = (None, None, false, None);
        loop {
            let field = match form.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return Err(ApiError::body(format!("unreadable form: {e}"))),
            };
            let name = field.name().unwrap_or_default().to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::body(format!("unreadable field {name}: {e}")))?;
            let text = || {
                String::from_utf8(bytes.to_vec())
                    .map_err(|_| ApiError::body(format!("{name} must be UTF-8 text")))
            };
            match name.as_str() {
                "users" => users = Some(text()?),
                "connection_id" => connection = Some(text()?),
                "upsert" => upsert = bool_field("upsert", &text()?)?,
                "external_id" => external = Some(text()?),
                "send_completion_email" => {
                    bool_field("send_completion_email", &text()?)?;
                }
                other => {
                    return Err(ApiError::body(format!("unknown field {other}")));
                }
            }
        }
        let users = users.ok_or_else(|| ApiError::body("users (the file) is required"))?;
        let connection = connection
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| ApiError::body("connection_id is required"))?;
        if external.as_ref().is_some_and(|e| e.len() > 255) {
            return Err(ApiError::body("external_id is at most 255 characters"));
        }
        let now = state.now();
        let job = JobDoc {
            id: portcullis_core::crypto::random::id("job"),
            kind: "users_import".into(),
            status: "pending".into(),
            connection_id: connection,
            external_id: external,
            upsert,
            created_at: crate::time::iso8601(now),
            percentage_done: 0,
            summary: None,
            message: None,
        };
        let stored = Stored {
            job: job.clone(),
            errors: Vec::new(),
        };
        state
            .store()
            .put_flow(&Flow {
                id: job.id.clone(),
                kind: KIND.into(),
                user_id: None,
                data: serde_json::to_value(&stored).map_err(|e| ApiError::body(e.to_string()))?,
                expires_at: now + KEEP,
            })
            .await?;
        admin
            .audit(
                &state,
                "users.import_started",
                None,
                json!({ "job_id": job.id, "bytes": users.len(), "upsert": upsert }),
            )
            .await;
        let (state2, admin_id) = (state.clone(), admin.client_id.clone());
        tokio::spawn(async move { run(state2, stored, users, admin_id).await });
        Ok((StatusCode::ACCEPTED, axum::Json(job)).into_response())
    })
    .await
}

/// Imports the file, recording progress every thousand lines and the totals at the end.
async fn run(state: AppState, mut stored: Stored, text: String, admin_id: String) {
    let lines = portcullis_core::import::auth0_file(&text);
    drop(text);
    let total = lines.len();
    stored.job.status = "processing".into();
    save(&state, &stored).await;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    // Progress is written by a task of its own: a write awaited beside the import in one task
    // would wait for the writer connection an unpolled import transaction holds.
    let saver = {
        let (state, done, mut stored) = (state.clone(), done.clone(), stored.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {
                tick.tick().await;
                let n = done.load(std::sync::atomic::Ordering::Relaxed);
                stored.job.percentage_done = percent(n, total);
                save(&state, &stored).await;
            }
        })
    };
    let progress = |n: usize| done.store(n, std::sync::atomic::Ordering::Relaxed);
    let factors = state.factors();
    let report =
        portcullis_core::import::auth0_lines(&factors, &lines, stored.job.upsert, &progress).await;
    saver.abort();
    let _ = saver.await;
    stored.job.status = "completed".into();
    stored.job.percentage_done = 100;
    stored.job.summary = Some(SummaryDoc {
        failed: report.failed.len() as u64,
        updated: report.updated,
        inserted: report.created,
        total: total as u64,
    });
    stored.errors = report
        .failed
        .iter()
        .map(|(line, why)| JobErrorDoc {
            line: *line,
            errors: vec![json!({ "code": code(why), "message": why })],
        })
        .collect();
    save(&state, &stored).await;
    state
        .audit(
            "users.imported",
            &crate::http::ClientMeta::default(),
            None,
            Some(&admin_id),
            json!({ "from": "auth0", "job_id": stored.job.id, "totals": stored.job.summary }),
        )
        .await;
}

fn percent(done: usize, total: usize) -> u8 {
    if total == 0 {
        return 100;
    }
    u8::try_from(done * 100 / total).unwrap_or(100)
}

/// Auth0's error code for a reason.
fn code(why: &str) -> &'static str {
    if why.starts_with("conflict") {
        "DUPLICATED_USER"
    } else {
        "INVALID_FORMAT"
    }
}

async fn load(state: &AppState, id: &str) -> Result<Stored, ApiError> {
    let flow = state
        .store()
        .flow(id, state.now())
        .await?
        .filter(|f| f.kind == KIND)
        .ok_or_else(|| ApiError::not_found("inexistent_job", "job"))?;
    serde_json::from_value(flow.data).map_err(|e| ApiError::body(e.to_string()))
}

#[utoipa::path(
    get,
    path = "/api/v2/jobs/{id}",
    tag = "users",
    params(("id" = String, Path, description = "The job's id")),
    responses((status = 200, description = "The job: status, progress, and the totals once completed", body = JobDoc), super::openapi::ApiErrors),
    security(("management" = ["read:users"]))
)]
/// `GET /api/v2/jobs/{id}`.
pub async fn get_one(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["read:users"])?;
        Ok(axum::Json(load(&state, &id).await?.job).into_response())
    })
    .await
}

#[utoipa::path(
    get,
    path = "/api/v2/jobs/{id}/errors",
    tag = "users",
    params(("id" = String, Path, description = "The job's id")),
    responses((status = 200, description = "The refused lines, by number, with the reasons", body = Vec<JobErrorDoc>), (status = 204, description = "No line was refused"), super::openapi::ApiErrors),
    security(("management" = ["read:users"]))
)]
/// `GET /api/v2/jobs/{id}/errors`.
pub async fn errors(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["read:users"])?;
        let stored = load(&state, &id).await?;
        if stored.errors.is_empty() {
            return Ok(no_content());
        }
        Ok(axum::Json(stored.errors).into_response())
    })
    .await
}
