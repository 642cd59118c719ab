//! The development outbox: messages land as JSON files instead of being delivered, and a page
//! shows them so codes and links can be used without a mail server or phone.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use askama::Template;
use async_trait::async_trait;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portcullis_core::Error;
use portcullis_core::crypto::b64url;
use portcullis_core::crypto::random;
use portcullis_core::notify::{Message, Notifier};

use crate::error::AppError;

/// A directory of sent messages, one `<unix-nanos>-<random>.json` file each.
#[derive(Debug)]
pub struct Outbox {
    dir: PathBuf,
    /// Last timestamp handed out, so names sort in sending order even within one clock tick.
    last: AtomicU64,
}

impl Outbox {
    /// An outbox in `dir`, which is created on the first send.
    pub fn new(dir: impl Into<PathBuf>) -> Outbox {
        Outbox {
            dir: dir.into(),
            last: AtomicU64::new(0),
        }
    }

    /// The directory messages are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A strictly increasing nanosecond timestamp.
    fn stamp(&self) -> u64 {
        #[allow(clippy::disallowed_methods)] // a file-name sort key, not a rule tests move time for
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let next = now.max(last.saturating_add(1));
            match self
                .last
                .compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return next,
                Err(seen) => last = seen,
            }
        }
    }

    /// All messages, newest first; unreadable files are skipped.
    pub fn messages(&self) -> Vec<Message> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
            .collect();
        // Zero-padded timestamps make name order the sending order.
        names.sort_unstable_by(|a, b| b.cmp(a));
        names
            .iter()
            .filter_map(|n| std::fs::read(self.dir.join(n)).ok())
            .filter_map(|bytes| serde_json::from_slice(&bytes).ok())
            .collect()
    }

    /// The newest message sent to `to`.
    pub fn latest_to(&self, to: &str) -> Option<Message> {
        self.messages().into_iter().find(|m| m.to == to)
    }
}

/// Writes one message under a temporary name, then renames it, so readers never see half a file.
fn write(dir: &Path, name: &str, message: &Message) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_vec_pretty(message)?;
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(&json)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, dir.join(name))
}

#[async_trait]
impl Notifier for Outbox {
    async fn send(&self, message: &Message) -> portcullis_core::Result<()> {
        let name = format!(
            "{:020}-{}.json",
            self.stamp(),
            b64url(&random::bytes::<6>())
        );
        let dir = self.dir.clone();
        let owned = message.clone();
        tokio::task::spawn_blocking(move || write(&dir, &name, &owned))
            .await
            .map_err(|e| Error::Delivery(format!("outbox writer stopped: {e}")))?
            .map_err(|e| Error::Delivery(format!("cannot write to the outbox: {e}")))?;
        tracing::info!(channel = ?message.channel, subject = %message.subject, "message written to the dev outbox");
        Ok(())
    }
}

/// One message as the page shows it.
struct View {
    channel: &'static str,
    to: String,
    subject: String,
    text: String,
    html: Option<String>,
    links: Vec<String>,
}

impl From<Message> for View {
    fn from(m: Message) -> View {
        let links = links(&m.text);
        View {
            channel: match m.channel {
                portcullis_core::notify::Channel::Email => "email",
                portcullis_core::notify::Channel::Sms => "sms",
            },
            to: m.to,
            subject: m.subject,
            text: m.text,
            html: m.html,
            links,
        }
    }
}

/// The http(s) URLs in a text, so magic links can be clicked; other schemes are never linked.
fn links(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| {
                matches!(c, '<' | '>' | '(' | ')' | '"' | '\'' | ',' | '.' | ';')
            })
        })
        .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
        .filter(|w| url::Url::parse(w).is_ok())
        .map(str::to_string)
        .collect()
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    messages: Vec<View>,
    nonce: String,
}

async fn load(outbox: Arc<Outbox>) -> Result<Vec<Message>, AppError> {
    tokio::task::spawn_blocking(move || outbox.messages())
        .await
        .map_err(|e| AppError::Internal(format!("outbox reader stopped: {e}")))
}

/// `GET /dev/outbox`: the messages, newest first, as a page.
pub async fn outbox_page(State(outbox): State<Arc<Outbox>>) -> Response {
    let messages = match load(outbox).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let nonce = crate::ui::nonce();
    let page = OutboxPage {
        messages: messages.into_iter().map(View::from).collect(),
        nonce: nonce.clone(),
    };
    match page.render() {
        Ok(html) => crate::ui::render(StatusCode::OK, html, &[], &nonce),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// `GET /dev/outbox.json`: the messages, newest first, as a JSON array.
pub async fn outbox_json(State(outbox): State<Arc<Outbox>>) -> Response {
    match load(outbox).await {
        Ok(messages) => {
            let mut resp = axum::Json(messages).into_response();
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(e) => e.into_response(),
    }
}

/// `/dev/outbox` and `/dev/outbox.json` over `outbox`, ready to merge into any router.
pub fn dev_routes<S>(outbox: Arc<Outbox>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/dev/outbox", get(outbox_page))
        .route("/dev/outbox.json", get(outbox_json))
        .with_state(outbox)
}
