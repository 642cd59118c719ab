//! The console's audit trail: events filtered by user, type (or a family such as `factor.`)
//! and time, newest first; the same selection exported as NDJSON (one event per line, in the
//! management API's log shape); and the hash chain verified on demand.

use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::audit::Verdict;
use portcullis_core::model::AuditQuery;
use serde::Deserialize;

use super::{Frame, enter_to_read, page};
use crate::error::{AppError, AppResult};
use crate::http::ClientMeta;
use crate::mgmt::logs::{audit_filter, log_json};
use crate::state::AppState;
use crate::time::{iso8601, when};
use crate::ui::{self, PageCtx};

/// Events per page of the list.
const PAGE: i64 = 50;
/// Events per database read while exporting.
const EXPORT_BATCH: i64 = 1000;
/// The type families the filter offers; any exact type can be typed in the URL too.
const FAMILIES: [&str; 14] = [
    "login.",
    "stepup.",
    "factor.",
    "password.",
    "user.",
    "session.",
    "logout.",
    "token.",
    "consent.",
    "signup.",
    "ticket.",
    "client.",
    "api.",
    "console.",
];

#[derive(Deserialize, Default)]
pub(crate) struct LogQuery {
    #[serde(default)]
    user_id: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: i64,
}

impl LogQuery {
    /// The store's filter (empty fields mean no filter), or the page's error message.
    fn filter(&self) -> Result<AuditQuery, AppError> {
        let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        audit_filter(
            some(&self.user_id),
            some(&self.kind),
            some(&self.from).as_deref(),
            some(&self.to).as_deref(),
        )
        .map_err(|m| AppError::page(StatusCode::BAD_REQUEST, m))
    }

    /// This selection as a query string, at `page`.
    fn query_string(&self, page: i64) -> String {
        serde_urlencoded::to_string([
            ("user_id", self.user_id.as_str()),
            ("type", self.kind.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("page", &page.to_string()),
        ])
        .unwrap_or_default()
    }
}

struct EventRow {
    id: i64,
    at: String,
    kind: String,
    user_id: String,
    client_id: String,
    ip: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin_logs.html")]
struct LogsPage {
    csrf: String,
    nonce: String,
    frame: Frame,
    user_id: String,
    kind: String,
    from: String,
    to: String,
    families: &'static [&'static str],
    rows: Vec<EventRow>,
    total: i64,
    page: i64,
    prev: Option<String>,
    next: Option<String>,
    export: String,
    verdict: Option<String>,
    broken: bool,
}

/// `GET /admin/logs`: the filter form and a page of events, newest first.
pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<LogQuery>,
) -> Response {
    page(async {
        let console = inside!(enter_to_read(&state, &headers, "/admin/logs"));
        render(&state, &headers, &console, &query, None).await
    })
    .await
}

/// Renders the list for `query`, with a chain verdict when one was asked for.
async fn render(
    state: &AppState,
    headers: &HeaderMap,
    console: &super::Console,
    query: &LogQuery,
    verdict: Option<(String, bool)>,
) -> AppResult<Response> {
    let page = query.page.max(0);
    let filter = AuditQuery {
        offset: page * PAGE,
        limit: PAGE,
        ..query.filter()?
    };
    let (events, total) = state.store().search_audit(&filter).await?;
    let rows = events
        .into_iter()
        .map(|e| EventRow {
            id: e.id,
            at: when(Some(e.event.at)),
            kind: e.event.kind,
            user_id: e.event.user_id.unwrap_or_default(),
            client_id: e.event.client_id.unwrap_or_default(),
            ip: e.event.ip.unwrap_or_default(),
            detail: e.event.detail.to_string(),
        })
        .collect();
    let ctx = PageCtx::new(state, headers);
    let (verdict, broken) = match verdict {
        Some((v, b)) => (Some(v), b),
        None => (None, false),
    };
    let body = LogsPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        frame: Frame::new(console, "logs"),
        user_id: query.user_id.clone(),
        kind: query.kind.clone(),
        from: query.from.clone(),
        to: query.to.clone(),
        families: &FAMILIES,
        rows,
        total,
        page,
        prev: (page > 0).then(|| query.query_string(page - 1)),
        next: ((page + 1) * PAGE < total).then(|| query.query_string(page + 1)),
        export: query.query_string(0),
        verdict,
        broken,
    };
    ctx.respond(StatusCode::OK, &body, vec![])
}

/// `GET /admin/logs/export?…`: every event of the selection as NDJSON, newest first, read in
/// batches by row id while it streams, so events written meanwhile neither shift the batches
/// nor join the file (it holds what existed when the export began, its own record included).
pub(crate) async fn export(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    Query(query): Query<LogQuery>,
) -> Response {
    page(async {
        let console = inside!(enter_to_read(&state, &headers, "/admin/logs"));
        let mut filter = query.filter()?;
        state
            .audit(
                "console.logs_exported",
                &meta,
                None,
                None,
                console.audit_detail(serde_json::json!({
                    "user_id": filter.user_id,
                    "type": filter.kind,
                    "from": filter.from,
                    "to": filter.to,
                })),
            )
            .await;
        let (newest, _) = state
            .store()
            .search_audit(&AuditQuery {
                limit: 1,
                ..AuditQuery::default()
            })
            .await?;
        // Everything up to the newest event now, this export's own record included.
        filter.before_id = Some(newest.first().map_or(0, |e| e.id) + 1);
        filter.limit = EXPORT_BATCH;
        let store = state.clone();
        let lines = futures_util::stream::unfold(Some(filter), move |next| {
            let state = store.clone();
            async move {
                let mut filter = next?;
                let batch = match state.store().search_audit(&filter).await {
                    Ok((events, _)) => events,
                    Err(e) => return Some((Err(std::io::Error::other(e.to_string())), None)),
                };
                let last = batch.last()?.id;
                let more = batch.len() as i64 == filter.limit;
                let mut text = String::new();
                for e in &batch {
                    text.push_str(&log_json(e).to_string());
                    text.push('\n');
                }
                filter.before_id = Some(last);
                Some((Ok(Bytes::from(text)), more.then_some(filter)))
            }
        });
        let now = state.now();
        let mut resp = Body::from_stream(lines).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-ndjson"),
        );
        let name = format!(
            "attachment; filename=\"audit-{}.ndjson\"",
            &iso8601(now)[..10]
        );
        if let Ok(v) = HeaderValue::from_str(&name) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        Ok(resp)
    })
    .await
}

/// `POST /admin/logs/verify`: checks the whole hash chain now and shows the verdict above the
/// list (the same check as `portcullis audit verify`).
pub(crate) async fn verify(
    State(state): State<AppState>,
    meta: crate::http::ClientMeta,
    headers: HeaderMap,
    Query(query): Query<LogQuery>,
    body: Bytes,
) -> Response {
    page(async {
        ui::posted(&state, &headers, &body)?;
        let console = inside!(enter_to_read(&state, &headers, "/admin/logs"));
        let verdict = portcullis_core::audit::verify(state.store(), state.master()).await?;
        // Recorded, so the overview shows the chain's last verification without a walk.
        let detail = match &verdict {
            Verdict::Intact { events, .. } => {
                serde_json::json!({ "intact": true, "events": events })
            }
            Verdict::Broken { seq, .. } => serde_json::json!({ "intact": false, "broken_at": seq }),
        };
        state
            .audit(
                super::dashboard::VERIFIED,
                &meta,
                None,
                None,
                console.audit_detail(detail),
            )
            .await;
        let verdict = match verdict {
            Verdict::Intact {
                events,
                unchained,
                checkpoint,
                sealed,
            } => {
                let mut text = format!(
                    "Intact: {events} chained events verified at {}",
                    iso8601(state.now())
                );
                if let Some(seq) = checkpoint {
                    text.push_str(&format!(", from the sealed checkpoint at event {seq}"));
                }
                if unchained > 0 {
                    text.push_str(&format!(
                        "; {unchained} older events predate the chain and are not covered"
                    ));
                }
                if !sealed {
                    text.push_str("; the head is not sealed yet (written by an older version)");
                }
                (format!("{text}."), false)
            }
            Verdict::Broken { seq, reason } => (
                format!("Broken at event {seq}: {reason}. Restore from a backup and investigate."),
                true,
            ),
        };
        render(&state, &headers, &console, &query, Some(verdict)).await
    })
    .await
}
