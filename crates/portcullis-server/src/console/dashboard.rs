//! The console's overview (`/admin`): sign-ins, failures, lockouts, step-ups and back-channel
//! deliveries over time, MFA adoption, live sessions and the audit chain's last verification.
//! Every figure is an aggregate query over an index (the audit trail's `(kind, at)`, the
//! factors of users who are not blocked, live sessions); the charts are SVG drawn here from those
//! numbers, each with its figures in a table, so the page needs no script.

use std::fmt::Write as _;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::model::AuditQuery;
use serde::Deserialize;

use super::{Frame, enter_to_read, page};
use crate::error::AppResult;
use crate::state::AppState;
use crate::time::when;
use crate::ui::PageCtx;

/// The windows the overview offers: key, label, bucket seconds, buckets.
const WINDOWS: [(&str, &str, i64, i64); 2] = [
    ("14d", "the last 14 days, by day", 86_400, 14),
    ("24h", "the last 24 hours, by hour", 3_600, 24),
];

/// The series drawn: a title and the audit event kinds it counts.
const SERIES: [(&str, &[&str]); 8] = [
    ("Sign-ins", &["login.success"]),
    (
        "Failed passwords and factors",
        &["login.failure", "factor.failure", "stepup.failed"],
    ),
    ("Lockouts", &["lockout"]),
    ("Second factor asked at sign-in", &["mfa.challenged"]),
    ("Step-up asked by an app or API", &["stepup.requested"]),
    ("Step-ups met", &["stepup.met"]),
    (
        "Back-channel logouts delivered",
        &["logout.backchannel_delivered"],
    ),
    (
        "Back-channel logouts failed",
        &["logout.backchannel_failed"],
    ),
];

/// The kind the console's chain verification records, read back as the chain's status.
pub(crate) const VERIFIED: &str = "audit.verified";

#[derive(Deserialize, Default)]
pub(crate) struct HomeQuery {
    #[serde(default)]
    window: String,
}

/// One series over the window.
struct Chart {
    title: &'static str,
    total: i64,
    /// The drawing (numbers and fixed words only).
    svg: String,
}

struct WindowChoice {
    key: &'static str,
    label: &'static str,
    selected: bool,
}

/// A factor kind's share of active users.
struct KindRow {
    label: &'static str,
    users: i64,
    percent: String,
}

#[derive(Template)]
#[template(path = "admin_home.html")]
struct HomePage {
    nonce: String,
    frame: Frame,
    windows: Vec<WindowChoice>,
    window_label: &'static str,
    charts: Vec<Chart>,
    /// The table beside the charts: one row per bucket, one column per series.
    bucket_labels: Vec<String>,
    table: Vec<Vec<i64>>,
    series_titles: Vec<&'static str>,
    active_users: i64,
    with_factor: i64,
    adoption_percent: String,
    kinds: Vec<KindRow>,
    adoption_svg: String,
    live_sessions: i64,
    chain: String,
    chain_ok: Option<bool>,
    admin_required_acr: &'static str,
    admin_max_age_hours: i64,
}

/// `GET /admin?window=14d|24h`: the overview.
pub(crate) async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HomeQuery>,
) -> Response {
    page(async {
        let console = inside!(enter_to_read(&state, &headers, "/admin"));
        let (key, label, bucket, buckets) = WINDOWS
            .iter()
            .copied()
            .find(|w| w.0 == query.window)
            .unwrap_or(WINDOWS[0]);
        // Whole buckets, the last one holding now.
        let from = (state.now() / bucket + 1 - buckets) * bucket;
        let store = state.store();
        let kinds: Vec<&str> = SERIES.iter().flat_map(|(_, k)| k.iter().copied()).collect();
        let counts = store.audit_histogram(&kinds, from, bucket).await?;
        let mut table = vec![vec![0i64; SERIES.len()]; buckets as usize];
        for (kind, b, n) in counts {
            let Some(series) = SERIES.iter().position(|(_, k)| k.contains(&kind.as_str())) else {
                continue;
            };
            if let Some(row) = usize::try_from(b).ok().and_then(|b| table.get_mut(b)) {
                row[series] += n;
            }
        }
        let bucket_labels: Vec<String> = (0..buckets)
            .map(|i| bucket_label(from + i * bucket, bucket))
            .collect();
        let charts = SERIES
            .iter()
            .enumerate()
            .map(|(i, (title, _))| {
                let values: Vec<i64> = table.iter().map(|row| row[i]).collect();
                Chart {
                    title,
                    total: values.iter().sum(),
                    svg: bars(title, &values, &bucket_labels),
                }
            })
            .collect();
        let adoption = store.adoption().await?;
        let share = |n: i64| percent(n, adoption.active_users);
        let kinds: Vec<KindRow> = adoption
            .by_kind
            .iter()
            .map(|(kind, users)| KindRow {
                label: portcullis_core::factor::FactorKind::parse(kind)
                    .map(|k| k.label())
                    .unwrap_or("Other"),
                users: *users,
                percent: share(*users),
            })
            .collect();
        let adoption_svg = shares(
            &kinds.iter().map(|k| (k.label, k.users)).collect::<Vec<_>>(),
            adoption.active_users,
        );
        let (chain, chain_ok) = chain_status(&state).await?;
        let ctx = PageCtx::new(&state, &headers);
        let settings = state.settings();
        let body = HomePage {
            nonce: ctx.nonce.clone(),
            frame: Frame::new(&console, "home"),
            windows: WINDOWS
                .iter()
                .map(|w| WindowChoice {
                    key: w.0,
                    label: w.1,
                    selected: w.0 == key,
                })
                .collect(),
            window_label: label,
            charts,
            bucket_labels,
            table,
            series_titles: SERIES.iter().map(|(t, _)| *t).collect(),
            active_users: adoption.active_users,
            with_factor: adoption.with_factor,
            adoption_percent: share(adoption.with_factor),
            kinds,
            adoption_svg,
            live_sessions: store.live_sessions(state.now()).await?,
            chain,
            chain_ok,
            admin_required_acr: settings.admin_required_acr.as_str(),
            admin_max_age_hours: settings.admin_max_age / 3600,
        };
        ctx.respond(StatusCode::OK, &body, vec![])
    })
    .await
}

/// The audit chain's last verification from the console, as a sentence, and whether it held
/// (`None`: never verified). A full walk is the `POST /admin/logs/verify` button's work, not
/// every page view's: it reads every event.
async fn chain_status(state: &AppState) -> AppResult<(String, Option<bool>)> {
    let (last, _) = state
        .store()
        .search_audit(&AuditQuery {
            kind: Some(VERIFIED.into()),
            limit: 1,
            ..AuditQuery::default()
        })
        .await?;
    Ok(match last.first() {
        None => ("Not verified from the console yet.".into(), None),
        Some(e) => {
            let d = &e.event.detail;
            let intact = d["intact"].as_bool().unwrap_or(false);
            let text = if intact {
                format!(
                    "Intact: {} events, verified at {}.",
                    d["events"].as_u64().unwrap_or(0),
                    when(Some(e.event.at))
                )
            } else {
                format!(
                    "Broken at event {}, found at {}.",
                    d["broken_at"].as_i64().unwrap_or(0),
                    when(Some(e.event.at))
                )
            };
            (text, Some(intact))
        }
    })
}

/// A bucket's label: its day, or its hour.
fn bucket_label(start: i64, bucket: i64) -> String {
    crate::time::bucket(start, bucket >= 86_400)
}

/// `n` of `of` as a percentage with one decimal.
fn percent(n: i64, of: i64) -> String {
    if of == 0 {
        "0.0".into()
    } else {
        format!("{:.1}", n as f64 * 100.0 / of as f64)
    }
}

const W: f64 = 360.0;
const H: f64 = 140.0;
const LEFT: f64 = 36.0;
const BOTTOM: f64 = 20.0;
const TOP: f64 = 8.0;

/// A bar chart of `values` (one bar per bucket) with its largest value on the axis and the
/// first, middle and last bucket named under it.
fn bars(title: &str, values: &[i64], labels: &[String]) -> String {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let n = values.len().max(1) as f64;
    let plot_w = W - LEFT - 4.0;
    let plot_h = H - TOP - BOTTOM;
    let step = plot_w / n;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{title}: {total} in the window"><title>{title}</title>"#,
        total = values.iter().sum::<i64>()
    );
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{LEFT}" y1="{base}" x2="{right}" y2="{base}"/><text class="tick" x="{x}" y="{y}" text-anchor="end">{max}</text><text class="tick" x="{x}" y="{base}" text-anchor="end">0</text>"#,
        base = TOP + plot_h,
        right = W - 4.0,
        x = LEFT - 4.0,
        y = TOP + 8.0,
    );
    for (i, v) in values.iter().enumerate() {
        let h = (*v as f64 / max as f64) * plot_h;
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}"><title>{label}: {v}</title></rect>"#,
            x = LEFT + i as f64 * step + 1.0,
            y = TOP + plot_h - h,
            w = (step - 2.0).max(1.0),
            label = labels.get(i).map(String::as_str).unwrap_or(""),
        );
    }
    let last = labels.len().saturating_sub(1);
    for (i, anchor) in [(0, "start"), (last / 2, "middle"), (last, "end")] {
        if let Some(label) = labels.get(i) {
            let x = match anchor {
                "start" => LEFT + i as f64 * step,
                "end" => LEFT + (i as f64 + 1.0) * step,
                _ => LEFT + (i as f64 + 0.5) * step,
            };
            let _ = write!(
                svg,
                r#"<text class="tick" x="{x:.1}" y="{y}" text-anchor="{anchor}">{label}</text>"#,
                y = H - 4.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars: each kind's users as a share of `of` (active users).
fn shares(rows: &[(&str, i64)], of: i64) -> String {
    let row_h = 26.0;
    let label_w = 170.0;
    let height = row_h * rows.len().max(1) as f64 + 4.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {W} {height}" width="100%" role="img" aria-label="Users with each kind of factor, of {of} active users"><title>Users with each kind of factor</title>"#
    );
    for (i, (label, users)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let w = if of == 0 {
            0.0
        } else {
            (*users as f64 / of as f64) * (W - label_w - 60.0)
        };
        let _ = write!(
            svg,
            r#"<text class="tick" x="0" y="{ty:.1}">{label}</text><rect class="bar" x="{label_w}" y="{y:.1}" width="{w:.1}" height="18"/><text class="tick" x="{tx:.1}" y="{ty:.1}">{pct}%</text>"#,
            ty = y + 13.0,
            tx = label_w + w + 6.0,
            pct = percent(*users, of),
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_name_the_ends() {
        let labels: Vec<String> = ["12-01", "12-02", "12-03"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let svg = bars("Sign-ins", &[0, 5, 10], &labels);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 3);
        assert!(
            svg.contains(r#"height="112.0""#),
            "the largest bar fills the plot"
        );
        assert!(svg.contains(r#"height="0.0""#));
        assert!(svg.contains(">12-01</text>") && svg.contains(">12-03</text>"));
        assert!(svg.contains("aria-label=\"Sign-ins: 15 in the window\""));
        assert!(bars("Empty", &[0, 0], &labels[..2]).contains(">0</text>"));
    }

    #[test]
    fn shares_and_percentages_handle_no_users() {
        assert_eq!(percent(1, 3), "33.3");
        assert_eq!(percent(0, 0), "0.0");
        let svg = shares(&[("Authenticator app", 2)], 4);
        assert!(svg.contains(">50.0%</text>"));
        assert!(shares(&[], 0).ends_with("</svg>"));
    }
}
