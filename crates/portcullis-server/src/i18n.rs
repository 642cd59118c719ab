//! The hosted pages, their errors, emails and SMS in the user's language.
//!
//! Messages are Fluent (`locales/<tag>/*.ftl`, compiled in), overridden or extended by an
//! operator's directory (`[i18n] dir`). Each request gets a locale ([`negotiate`]): the
//! `ui_locales` of the request (OpenID Connect Core §3.1.2.1, remembered in the `portcullis_locale`
//! cookie so the whole sign-in keeps it), then that cookie (also set by the pages' language
//! picker), then `Accept-Language`, then the tenant default. Code and templates ask for texts with
//! [`t`] and [`tr!`](crate::tr) without threading the locale through: it lives in a task-local for
//! the request. Emails use the addressee's stored locale ([`Current::run`]).

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::Deserialize;

use crate::branding::Brand;
use crate::state::AppState;

/// The cookie remembering the chosen language (the picker's, or an app's `ui_locales`).
pub const COOKIE: &str = "portcullis_locale";

/// How long the language choice is remembered: a year, as a preference should be.
const COOKIE_MAX_AGE: i64 = 365 * 86400;

/// The message files every shipped locale has, by name (without `.ftl`).
pub const AREAS: [&str; 5] = ["common", "signin", "factors", "account", "email"];

macro_rules! shipped {
    ($($tag:literal),+ $(,)?) => {
        [$(($tag, [
            include_str!(concat!("../locales/", $tag, "/common.ftl")),
            include_str!(concat!("../locales/", $tag, "/signin.ftl")),
            include_str!(concat!("../locales/", $tag, "/factors.ftl")),
            include_str!(concat!("../locales/", $tag, "/account.ftl")),
            include_str!(concat!("../locales/", $tag, "/email.ftl")),
        ])),+]
    };
}

/// The locales that ship with the server, English first (the fallback of every message).
pub const SHIPPED: [(&str, [&str; 5]); 7] = shipped!("en", "de", "fr", "es", "pt-BR", "ja", "ar");

/// Languages written right to left, by primary subtag.
const RTL: [&str; 6] = ["ar", "fa", "he", "ur", "ps", "yi"];

/// The `[i18n]` section.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct I18nSettings {
    /// The language of a visitor who states none the server has (a BCP 47 tag it ships or the
    /// operator's directory adds).
    pub default_locale: String,
    /// A directory of `<tag>.ftl` or `<tag>/*.ftl` files: messages for a shipped locale override
    /// ours, other tags add a language (falling back to the default, then English, per message).
    pub dir: Option<PathBuf>,
}

impl Default for I18nSettings {
    fn default() -> Self {
        I18nSettings {
            default_locale: "en".into(),
            dir: None,
        }
    }
}

/// One language: its tag, its name in itself (for the picker), its direction and messages.
struct Locale {
    tag: String,
    name: String,
    rtl: bool,
    bundle: FluentBundle<FluentResource>,
}

/// Every language the server speaks; immutable once built, shared by all requests.
pub struct Catalog {
    locales: Vec<Locale>,
    default: usize,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tags: Vec<&str> = self.locales.iter().map(|l| l.tag.as_str()).collect();
        write!(f, "Catalog({tags:?}, default {})", tags[self.default])
    }
}

/// Parses one Fluent file, naming it in the error.
fn parse(origin: &str, text: String) -> Result<FluentResource, String> {
    FluentResource::try_new(text).map_err(|(_, errors)| {
        let first = errors
            .first()
            .map(|e| format!("{:?} at bytes {:?}", e.kind, e.pos))
            .unwrap_or_default();
        format!("{origin}: {} syntax error(s), first: {first}", errors.len())
    })
}

fn id_language(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

/// Groups the digits of a whole number: `sep` every three digits once it has more than
/// `3 + min` digits (CLDR's minimum grouping digits: Spanish writes 1234 but 12.345).
fn grouped(value: &FluentValue, sep: &str, min: usize) -> Option<String> {
    let FluentValue::Number(n) = value else {
        return None;
    };
    if !n.options.use_grouping || n.value.fract() != 0.0 || n.value.abs() >= 1e15 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)]
    let whole = n.value as i64;
    let digits = whole.unsigned_abs().to_string();
    if digits.len() < 3 + min {
        return None;
    }
    let mut out = String::with_capacity(digits.len() * 2);
    if whole < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(d);
    }
    Some(out)
}

type Memo = intl_memoizer::concurrent::IntlLangMemoizer;
type Formatter = fn(&FluentValue, &Memo) -> Option<String>;

/// The digit grouping of a language (CLDR, Western digits), for numbers in messages; languages
/// not listed show numbers ungrouped.
fn grouping(language: &str) -> Option<Formatter> {
    // Function pointers, not closures: the bundle keeps a plain `fn`.
    macro_rules! by {
        ($name:ident, $sep:expr, $min:expr) => {
            fn $name(v: &FluentValue, _: &Memo) -> Option<String> {
                grouped(v, $sep, $min)
            }
        };
    }
    by!(comma, ",", 1);
    by!(dot, ".", 1);
    by!(dot_min2, ".", 2);
    by!(narrow_space, "\u{202f}", 1);
    by!(space, "\u{a0}", 1);
    by!(space_min2, "\u{a0}", 2);
    Some(match language {
        "en" | "ja" | "zh" | "ko" | "ar" | "he" | "th" | "hi" => comma,
        "de" | "pt" | "it" | "nl" | "da" | "id" | "tr" | "el" | "ro" | "hr" | "sl" => dot,
        "es" => dot_min2,
        "fr" => narrow_space,
        "ru" | "uk" | "cs" | "sk" | "sv" | "nb" | "no" | "fi" | "hu" | "bg" | "lt" | "lv"
        | "et" => space,
        "pl" => space_min2,
        _ => return None,
    })
}

fn new_locale(tag: &str) -> Result<Locale, String> {
    let id: unic_langid::LanguageIdentifier = tag
        .parse()
        .map_err(|_| format!("`{tag}` is not a BCP 47 language tag"))?;
    let rtl = RTL.contains(&id.language.as_str());
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: in a text email they would stick to a link
    // (`https://…/t=abc\u{2069}`), which mail clients then open broken. Pages set `dir`, and links
    // and codes stand at the ends of sentences or on lines of their own.
    bundle.set_use_isolating(false);
    bundle.set_formatter(grouping(id_language(tag)));
    Ok(Locale {
        tag: tag.to_string(),
        name: String::new(),
        rtl,
        bundle,
    })
}

impl Catalog {
    /// The shipped locales only, English by default.
    pub fn shipped() -> Catalog {
        // The shipped files are checked by this module's tests, so they always parse.
        Self::build(&I18nSettings::default()).unwrap_or_else(|_| Catalog {
            locales: Vec::new(),
            default: 0,
        })
    }

    /// The shipped locales with the operator's additions; refuses a file that does not parse
    /// and a default the catalog lacks.
    pub fn build(settings: &I18nSettings) -> Result<Catalog, String> {
        let mut locales = Vec::new();
        for (tag, files) in SHIPPED {
            let mut locale = new_locale(tag)?;
            for (area, text) in AREAS.iter().zip(files) {
                let res = parse(&format!("{tag}/{area}.ftl"), text.to_string())?;
                locale
                    .bundle
                    .add_resource(res)
                    .map_err(|e| format!("{tag}/{area}.ftl: {e:?}"))?;
            }
            locales.push(locale);
        }
        if let Some(dir) = &settings.dir {
            for (tag, origin, text) in operator_files(dir)? {
                let canonical = tag
                    .parse::<unic_langid::LanguageIdentifier>()
                    .map_err(|_| format!("{origin}: `{tag}` is not a BCP 47 language tag"))?
                    .to_string();
                let at = match locales.iter().position(|l| l.tag == canonical) {
                    Some(i) => i,
                    None => {
                        locales.push(new_locale(&canonical)?);
                        locales.len() - 1
                    }
                };
                let res = parse(&origin, text)?;
                locales[at].bundle.add_resource_overriding(res);
            }
        }
        for locale in &mut locales {
            let name = locale
                .bundle
                .get_message("language-name")
                .and_then(|m| m.value())
                .map(|p| {
                    let mut errors = Vec::new();
                    locale
                        .bundle
                        .format_pattern(p, None, &mut errors)
                        .into_owned()
                });
            locale.name = name.unwrap_or_else(|| locale.tag.clone());
        }
        let mut catalog = Catalog {
            locales,
            default: 0,
        };
        catalog.default = catalog
            .pick([settings.default_locale.as_str()])
            .ok_or_else(|| {
                format!(
                    "`i18n.default_locale`: `{}` is not one of {}",
                    settings.default_locale,
                    catalog.tags().join(", ")
                )
            })?;
        Ok(catalog)
    }

    /// The tags of every language, shipped first.
    pub fn tags(&self) -> Vec<&str> {
        self.locales.iter().map(|l| l.tag.as_str()).collect()
    }

    /// The first of `wanted` (BCP 47 tags, most wanted first) the catalog has: the exact tag, or
    /// failing that one of the same language (`de-AT` gets `de`, `pt` gets `pt-BR`).
    pub fn pick<'a>(&self, wanted: impl IntoIterator<Item = &'a str>) -> Option<usize> {
        for want in wanted {
            let want = want.trim();
            if want.is_empty() || want == "*" {
                continue;
            }
            if let Some(i) = self
                .locales
                .iter()
                .position(|l| l.tag.eq_ignore_ascii_case(want))
            {
                return Some(i);
            }
            let lang = want.split(['-', '_']).next().unwrap_or(want);
            if let Some(i) = self.locales.iter().position(|l| {
                l.tag
                    .split('-')
                    .next()
                    .is_some_and(|p| p.eq_ignore_ascii_case(lang))
            }) {
                return Some(i);
            }
        }
        None
    }

    /// The locale for the given hints, in the order OpenID Connect and the issue of a cookie
    /// give them; the second value says whether `ui_locales` chose it.
    pub fn negotiate(
        &self,
        ui_locales: Option<&str>,
        cookie: Option<&str>,
        accept_language: Option<&str>,
    ) -> (usize, bool) {
        if let Some(i) = ui_locales.and_then(|v| self.pick(v.split(' '))) {
            return (i, true);
        }
        let idx = cookie
            .and_then(|c| self.pick([c]))
            .or_else(|| accept_language.and_then(|a| self.pick(accept_order(a))))
            .unwrap_or(self.default);
        (idx, false)
    }

    /// Formats message `id` in locale `idx`, falling back to the default locale and then to
    /// English when that locale lacks it; an unknown id gives the id itself (and a log line).
    fn format(&self, idx: usize, id: &str, args: Option<&FluentArgs>) -> String {
        for at in [idx, self.default, 0] {
            let Some(locale) = self.locales.get(at) else {
                continue;
            };
            let Some(pattern) = locale.bundle.get_message(id).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = locale.bundle.format_pattern(pattern, args, &mut errors);
            if !errors.is_empty() {
                tracing::warn!(id, locale = %locale.tag, errors = ?errors, "message formatted with errors");
            }
            return text.into_owned();
        }
        tracing::warn!(id, "no such message");
        id.to_string()
    }
}

/// Operator message files: `<dir>/<tag>.ftl` and `<dir>/<tag>/*.ftl`, in name order so a later
/// file overrides an earlier one predictably.
fn operator_files(dir: &std::path::Path) -> Result<Vec<(String, String, String)>, String> {
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("`i18n.dir` {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    let mut out = Vec::new();
    for path in entries {
        let Some(stem) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
                .collect();
            files.sort();
            for file in files {
                out.push((stem.clone(), file.display().to_string(), read(&file)?));
            }
        } else if path.extension().is_some_and(|x| x == "ftl") {
            out.push((stem, path.display().to_string(), read(&path)?));
        }
    }
    Ok(out)
}

/// `Accept-Language` (RFC 9110 §12.5.4) as tags, most wanted first; `q=0` ranges dropped.
fn accept_order(header: &str) -> Vec<&str> {
    let mut ranges: Vec<(f32, usize, &str)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut bits = part.split(';');
            let tag = bits.next()?.trim();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .map_or(Some(1.0), |v| v.trim().parse::<f32>().ok())?;
            (q > 0.0 && !tag.is_empty()).then_some((q, i, tag))
        })
        .take(32)
        .collect();
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranges.into_iter().map(|(_, _, t)| t).collect()
}

/// The language of the running request (or of an email being written).
#[derive(Clone)]
pub struct Current {
    catalog: Arc<Catalog>,
    idx: usize,
    /// Where the language picker sends the browser back to: this page, for a `GET`.
    return_to: Option<String>,
    /// The tenant's brand (the product's name, colours, logo).
    brand: Arc<Brand>,
}

impl std::fmt::Debug for Current {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Current({})", self.tag())
    }
}

tokio::task_local! {
    static CURRENT: Current;
}

/// English from the shipped files: what code outside a request (a background task, a test)
/// writes in.
static FALLBACK: LazyLock<Current> = LazyLock::new(|| Current {
    catalog: Arc::new(Catalog::shipped()),
    idx: 0,
    return_to: None,
    brand: Arc::new(Brand::default()),
});

/// The name pages and emails carry unless `[branding] product_name` says otherwise.
pub const DEFAULT_PRODUCT: &str = "Portcullis";

impl Current {
    /// Locale `tag` of `catalog` (or its nearest, or the default).
    pub fn of(catalog: &Arc<Catalog>, tag: Option<&str>) -> Current {
        Self::with_brand(catalog, tag, Arc::new(Brand::default()))
    }

    /// Locale `tag` of `catalog`, under `brand`.
    pub fn with_brand(catalog: &Arc<Catalog>, tag: Option<&str>, brand: Arc<Brand>) -> Current {
        Current {
            catalog: catalog.clone(),
            idx: tag
                .and_then(|t| catalog.pick([t]))
                .unwrap_or(catalog.default),
            return_to: None,
            brand,
        }
    }

    /// The locale's BCP 47 tag.
    pub fn tag(&self) -> &str {
        self.catalog
            .locales
            .get(self.idx)
            .map_or("en", |l| l.tag.as_str())
    }

    /// Runs future `f` (which writes texts) in this locale: for a task spawned from a request.
    pub fn scope<F: std::future::Future>(
        self,
        f: F,
    ) -> impl std::future::Future<Output = F::Output> {
        CURRENT.scope(self, f)
    }

    /// Runs `f` (which writes texts) in this locale.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        CURRENT.sync_scope(self.clone(), f)
    }
}

/// The language to write to a user in: the one they chose (at sign-up or on their profile), else
/// the running request's, else the tenant default.
pub async fn for_user(state: &AppState, user_id: &str) -> Current {
    let stored = state
        .store()
        .user_locale(user_id)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "user's language not read");
            None
        });
    let mut current = CURRENT
        .try_with(Current::clone)
        .unwrap_or_else(|_| Current::with_brand(state.i18n(), None, state.brand().clone()));
    if let Some(i) = stored.as_deref().and_then(|t| current.catalog.pick([t])) {
        current.idx = i;
    }
    current
}

fn with<R>(f: impl FnOnce(&Current) -> R) -> R {
    // `try_with` consumes nothing when outside a scope, but its closure owns `f`: take the
    // current value out instead, which is one `Arc` clone.
    match CURRENT.try_with(Current::clone) {
        Ok(c) => f(&c),
        Err(_) => f(&FALLBACK),
    }
}

/// The language of the running request.
pub fn current() -> Current {
    with(Current::clone)
}

/// A value for a message's argument.
#[derive(Debug, Clone)]
pub enum Arg {
    /// Text, shown as given.
    Text(String),
    /// A number, which selects plural forms.
    Number(i64),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_string())
    }
}
impl From<&&str> for Arg {
    fn from(v: &&str) -> Self {
        Arg::Text((*v).to_string())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(v.clone())
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Number(v)
    }
}
impl From<&i64> for Arg {
    fn from(v: &i64) -> Self {
        Arg::Number(*v)
    }
}
impl From<usize> for Arg {
    fn from(v: usize) -> Self {
        Arg::Number(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<&usize> for Arg {
    fn from(v: &usize) -> Self {
        Arg::from(*v)
    }
}
impl From<u32> for Arg {
    fn from(v: u32) -> Self {
        Arg::Number(i64::from(v))
    }
}

/// Message `id` in the current language.
pub fn t(id: &str) -> String {
    with(|c| c.catalog.format(c.idx, id, None))
}

/// Whether English (which every message is in) has message `id`: for ids built from data, such
/// as audit event kinds, that may have no words.
pub fn has(id: &str) -> bool {
    with(|c| {
        c.catalog
            .locales
            .first()
            .is_some_and(|l| l.bundle.has_message(id))
    })
}

/// Message `id` with named arguments, in the current language (see [`tr!`](crate::tr)).
pub fn t_args(id: &str, args: &[(&str, Arg)]) -> String {
    let mut fluent = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        match value {
            Arg::Text(s) => fluent.set(*name, FluentValue::String(Cow::Owned(s.clone()))),
            #[allow(clippy::cast_precision_loss)]
            Arg::Number(n) => fluent.set(*name, FluentValue::from(*n as f64)),
        }
    }
    with(|c| c.catalog.format(c.idx, id, Some(&fluent)))
}

/// Message `id` with one argument (for templates).
pub fn t1(id: &str, name: &str, value: impl Into<Arg>) -> String {
    t_args(id, &[(name, value.into())])
}

/// Message `id` with two arguments (for templates).
pub fn t2(id: &str, n1: &str, v1: impl Into<Arg>, n2: &str, v2: impl Into<Arg>) -> String {
    t_args(id, &[(n1, v1.into()), (n2, v2.into())])
}

/// A message in the current language: `tr!("id")` or `tr!("id", name = value, …)`.
#[macro_export]
macro_rules! tr {
    ($id:expr) => {
        $crate::i18n::t($id)
    };
    ($id:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::t_args($id, &[$((stringify!($name), $crate::i18n::Arg::from($value))),+])
    };
}

/// The current language's tag, for `<html lang>`.
pub fn lang() -> String {
    with(|c| c.tag().to_string())
}

/// `rtl` or `ltr`, for `<html dir>`.
pub fn dir() -> &'static str {
    with(|c| {
        if c.catalog.locales.get(c.idx).is_some_and(|l| l.rtl) {
            "rtl"
        } else {
            "ltr"
        }
    })
}

/// One entry of the language picker.
pub struct Choice {
    /// The tag the picker sends.
    pub tag: String,
    /// The language's name in itself.
    pub name: String,
    /// Whether it is the page's language.
    pub selected: bool,
}

/// The picker's entries, in catalog order.
pub fn choices() -> Vec<Choice> {
    with(|c| {
        c.catalog
            .locales
            .iter()
            .enumerate()
            .map(|(i, l)| Choice {
                tag: l.tag.clone(),
                name: l.name.clone(),
                selected: i == c.idx,
            })
            .collect()
    })
}

/// The product's name (the tenant's branding), for titles and texts.
pub fn product() -> String {
    with(|c| c.brand.product.clone())
}

/// The tenant's brand, for the pages' frame.
pub fn brand() -> Arc<Brand> {
    with(|c| c.brand.clone())
}

/// Where the picker returns to: this page, if a `GET` rendered it.
pub fn return_to() -> Option<String> {
    with(|c| c.return_to.clone())
}

/// A wait or lifetime in words: "45 seconds", "2 minutes", "1 hour", "3 days", rounded up.
pub fn duration(seconds: i64) -> String {
    // i18n: duration-*
    let (n, unit) = match seconds.max(1) {
        s if s < 120 => (s, "duration-seconds"),
        s if s < 7200 => ((s + 59) / 60, "duration-minutes"),
        s if s < 3 * 86400 => ((s + 3599) / 3600, "duration-hours"),
        s => ((s + 86399) / 86400, "duration-days"),
    };
    crate::tr!(unit, n = n)
}

/// A date (UTC) in the current language's order and month names, e.g. "4 December 2026".
pub fn date(unix: i64) -> String {
    let Some(at) = chrono::DateTime::from_timestamp(unix, 0) else {
        return String::new();
    };
    use chrono::Datelike;
    // i18n: month-*
    let month = format!("month-{}", at.month());
    crate::tr!(
        "date",
        day = i64::from(at.day()),
        month = t(&month),
        // Text, not a number: a year is never grouped ("2026", not "2,026").
        year = at.year().to_string()
    )
}

/// A date and time (UTC, 24-hour clock) in the current language.
pub fn date_time(unix: i64) -> String {
    let Some(at) = chrono::DateTime::from_timestamp(unix, 0) else {
        return String::new();
    };
    crate::tr!(
        "date-time",
        date = date(unix),
        time = at.format("%H:%M").to_string()
    )
}

/// Middleware: picks the request's language and runs the handler with it; when `ui_locales`
/// chose it, remembers it in the cookie so the pages of the sign-in that follow keep it.
pub async fn negotiate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let catalog = state.i18n().clone();
    let headers = req.headers();
    let ui_locales = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "ui_locales")
            .map(|(_, v)| v.into_owned())
    });
    let cookie = crate::http::cookie(headers, COOKIE);
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    // The console and the development outbox are for operators, and in English.
    let path = req.uri().path();
    let operator = path == "/admin" || path.starts_with("/admin/") || path.starts_with("/dev/");
    let (idx, chosen) = if operator {
        (catalog.pick(["en"]).unwrap_or(0), false)
    } else {
        catalog.negotiate(ui_locales.as_deref(), cookie, accept)
    };
    let remember = chosen && cookie.is_none_or(|c| catalog.pick([c]) != Some(idx));
    // A callback carries a one-time code (and is spent by its first visit): the picker neither
    // repeats it in the page nor sends the browser back to it.
    let returnable = !operator && path != "/u/upstream/callback";
    let return_to =
        (returnable && req.method() == axum::http::Method::GET).then(|| here(req.uri()));
    let current = Current {
        catalog,
        idx,
        return_to,
        brand: state.brand().clone(),
    };
    let tag = current.tag().to_string();
    let mut resp = CURRENT.scope(current, next.run(req)).await;
    if remember && let Ok(v) = HeaderValue::from_str(&locale_cookie(&state, &tag)) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// This request's path and query, without `ui_locales` (which would outvote the picker).
fn here(uri: &axum::http::Uri) -> String {
    let path = uri.path();
    let kept: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k != "ui_locales")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    if kept.is_empty() {
        path.to_string()
    } else {
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(kept)
            .finish();
        format!("{path}?{query}")
    }
}

/// `Set-Cookie` remembering language `tag` for a year.
pub fn locale_cookie(state: &AppState, tag: &str) -> String {
    let secure = if state.settings().insecure_cookies() {
        ""
    } else {
        "; Secure"
    };
    format!("{COOKIE}={tag}; Path=/; HttpOnly; SameSite=Lax; Max-Age={COOKIE_MAX_AGE}{secure}")
}

/// The language picker's query.
#[derive(Debug, Deserialize)]
pub struct PickQuery {
    locale: Option<String>,
    return_to: Option<String>,
}

/// `GET /u/locale?locale=de&return_to=/u/login?…`: remembers the language and goes back to
/// the page (a local path only, so the picker is no open redirect).
/// A signed-in user's choice is also stored as their language, for the emails they get.
pub async fn pick(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<PickQuery>,
) -> Response {
    let back = q
        .return_to
        .filter(|r| local_path(r))
        .unwrap_or_else(|| "/u/account/security".to_string());
    let catalog = state.i18n();
    let Some(idx) = q.locale.as_deref().and_then(|l| catalog.pick([l])) else {
        return crate::ui::error_page(axum::http::StatusCode::BAD_REQUEST, &t("locale-unknown"));
    };
    let tag = catalog.locales[idx].tag.clone();
    if let Ok(Some(session)) = crate::ui::current_session(&state, &headers).await
        && let Err(e) = state
            .store()
            .set_user_locale(&session.user_id, Some(&tag))
            .await
    {
        tracing::warn!(error = %e, "user's language not stored");
    }
    crate::ui::see_other(&back, &[locale_cookie(&state, &tag)])
}

/// A path on this server: one leading `/`, not `//` or `/\` (which browsers read as another
/// host), no control characters.
fn local_path(r: &str) -> bool {
    r.starts_with('/')
        && !r.starts_with("//")
        && !r.starts_with("/\\")
        && !r.chars().any(|c| c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast;

    #[test]
    fn accept_language_orders_by_quality_then_position() {
        assert_eq!(
            accept_order("fr;q=0.5, de-AT, en;q=0.8, ja;q=0, *;q=0.1"),
            ["de-AT", "en", "fr", "*"]
        );
        assert_eq!(accept_order("de;q=abc, fr"), ["fr"]);
        assert!(accept_order("").is_empty());
    }

    #[test]
    fn negotiation_follows_ui_locales_then_cookie_then_header_then_default() {
        let c = Catalog::shipped();
        let tag = |i: usize| c.tags()[i].to_string();
        let (i, chosen) = c.negotiate(Some("xx en"), Some("en"), Some("en"));
        assert_eq!((tag(i).as_str(), chosen), ("en", true));
        let (i, chosen) = c.negotiate(Some("xx"), Some("zz"), None);
        assert_eq!((tag(i).as_str(), chosen), ("en", false));
        assert_eq!(c.pick(["EN-gb"]).map(tag).as_deref(), Some("en"));
        assert_eq!(c.pick(["zz", "*"]), None);
    }

    #[test]
    fn wait_and_dates_read_as_words() {
        assert_eq!(duration(1), "1 second");
        assert_eq!(duration(61), "61 seconds");
        assert_eq!(duration(121), "3 minutes");
        assert_eq!(duration(3600), "60 minutes");
        assert_eq!(duration(7200), "2 hours");
        assert_eq!(duration(7 * 86400), "7 days");
        assert_eq!(date(1_796_400_000), "4 December 2026");
        assert_eq!(
            date_time(1_796_400_000 + 3661),
            "4 December 2026, 17:01 UTC"
        );
    }

    #[test]
    fn numbers_are_grouped_as_each_language_writes_them() {
        let c = Arc::new(Catalog::shipped());
        let wait = |tag: &str, days: i64| Current::of(&c, Some(tag)).run(|| duration(days * 86400));
        assert_eq!(wait("en", 12_345), "12,345 days");
        assert_eq!(wait("en", 999), "999 days");
        assert_eq!(wait("de", 1_234), "1.234 Tage");
        assert_eq!(wait("es", 1_234), "1234 días");
        assert_eq!(wait("es", 12_345), "12.345 días");
        assert_eq!(wait("fr", 1_234_567), "1\u{202f}234\u{202f}567 jours");
        assert_eq!(wait("ja", 12_345), "12,345日");
        // Years are text, never grouped.
        assert_eq!(
            Current::of(&c, Some("de")).run(|| date(1_796_400_000)),
            "4. Dezember 2026"
        );
    }

    /// What one Fluent file defines: each message's variables, and the terms it defines.
    fn definitions(text: &str) -> BTreeMap<String, BTreeSet<String>> {
        fn walk(pattern: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
            for el in &pattern.elements {
                if let ast::PatternElement::Placeable { expression } = el {
                    expr(expression, vars);
                }
            }
        }
        fn inline(e: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
            match e {
                ast::InlineExpression::VariableReference { id } => {
                    vars.insert(id.name.to_string());
                }
                ast::InlineExpression::Placeable { expression } => expr(expression, vars),
                ast::InlineExpression::FunctionReference { arguments, .. } => {
                    for a in &arguments.positional {
                        inline(a, vars);
                    }
                }
                _ => {}
            }
        }
        fn expr(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
            match e {
                ast::Expression::Inline(i) => inline(i, vars),
                ast::Expression::Select { selector, variants } => {
                    inline(selector, vars);
                    for v in variants {
                        walk(&v.value, vars);
                    }
                }
            }
        }
        let resource = match fluent_syntax::parser::parse(text) {
            Ok(r) => r,
            Err((_, errors)) => panic!("does not parse: {errors:?}"),
        };
        let mut out = BTreeMap::new();
        for entry in resource.body {
            if let ast::Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(v) = &m.value {
                    walk(v, &mut vars);
                }
                for a in &m.attributes {
                    walk(&a.value, &mut vars);
                }
                out.insert(m.id.name.to_string(), vars);
            }
        }
        out
    }

    /// The locale completeness check CI runs: every shipped locale defines exactly English's
    /// messages, file by file, and each uses exactly the arguments the English one does (so no
    /// argument the code passes is dropped by a translation, and none is invented).
    #[test]
    fn every_shipped_locale_has_every_message_and_argument() {
        let (_, english) = SHIPPED[0];
        let mut problems = Vec::new();
        for (tag, files) in SHIPPED {
            for ((area, en), text) in AREAS.iter().zip(english).zip(files) {
                let want = definitions(en);
                let have = definitions(text);
                for (id, vars) in &want {
                    match have.get(id) {
                        None => problems.push(format!("{tag}/{area}.ftl lacks `{id}`")),
                        Some(v) if v != vars => problems.push(format!(
                            "{tag}/{area}.ftl `{id}` uses {v:?}, English {vars:?}"
                        )),
                        Some(_) => {}
                    }
                }
                for id in have.keys().filter(|id| !want.contains_key(*id)) {
                    problems.push(format!("{tag}/{area}.ftl has `{id}`, which English lacks"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Every message id the code and templates ask for exists in English, and every English
    /// message is asked for somewhere (a dead message is a translation nobody sees).
    #[test]
    fn code_and_messages_agree() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = BTreeSet::new();
        let mut dynamic = BTreeSet::new();
        let mut stack = vec![root.join("src"), root.join("templates")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for call in ["t(", "tr!(", "t1(", "t2(", "t_args("] {
                    for (at, _) in text.match_indices(call) {
                        // Only a whole name counts (not the end of `set(`), outside comments.
                        let before = text[..at].chars().next_back();
                        let line = text[..at].rsplit('\n').next().unwrap_or_default();
                        if before.is_some_and(|c| c.is_alphanumeric() || "_.\"".contains(c))
                            || line.trim_start().starts_with("//")
                        {
                            continue;
                        }
                        let rest = text[at + call.len()..].trim_start();
                        if let Some(rest) = rest.strip_prefix('"')
                            && let Some(end) = rest.find('"')
                        {
                            used.insert(rest[..end].to_string());
                        }
                    }
                }
                // Ids built at run time name their stem in a `// i18n: stem-*` comment.
                for (at, _) in text.match_indices("i18n: ") {
                    let rest = &text[at + 6..];
                    if let Some(end) = rest.find('*') {
                        dynamic.insert(rest[..end].to_string());
                    }
                }
            }
        }
        let english: BTreeSet<String> = SHIPPED[0]
            .1
            .iter()
            .flat_map(|f| definitions(f).into_keys())
            .collect();
        let missing: Vec<_> = used.difference(&english).collect();
        assert!(
            missing.is_empty(),
            "asked for but not in English: {missing:?}"
        );
        let unused: Vec<_> = english
            .iter()
            .filter(|id| !used.contains(*id) && !dynamic.iter().any(|d| id.starts_with(d)))
            .collect();
        assert!(
            unused.is_empty(),
            "in English but never asked for: {unused:?}"
        );
    }

    #[test]
    fn operator_files_override_and_add_languages() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("en.ftl"),
            "language-name = English (ours)\n",
        )
        .expect("write");
        std::fs::create_dir(dir.path().join("nl")).expect("mkdir");
        std::fs::write(
            dir.path().join("nl").join("a.ftl"),
            "language-name = Nederlands\n",
        )
        .expect("write");
        let catalog = Arc::new(
            Catalog::build(&I18nSettings {
                default_locale: "nl".into(),
                dir: Some(dir.path().to_path_buf()),
            })
            .expect("builds"),
        );
        let nl = Current::of(&catalog, Some("nl-BE"));
        assert_eq!(nl.tag(), "nl");
        assert_eq!(nl.run(|| t("language-name")), "Nederlands");
        // A message the added language lacks falls back to English.
        assert_eq!(nl.run(|| duration(2)), "2 seconds");
        let en = Current::of(&catalog, Some("en"));
        assert_eq!(en.run(|| t("language-name")), "English (ours)");
        std::fs::write(dir.path().join("en.ftl"), "broken = {\n").expect("write");
        let err = Catalog::build(&I18nSettings {
            default_locale: "en".into(),
            dir: Some(dir.path().to_path_buf()),
        })
        .expect_err("refused");
        assert!(err.contains("en.ftl"), "{err}");
        let err = Catalog::build(&I18nSettings {
            default_locale: "tlh".into(),
            dir: None,
        })
        .expect_err("refused");
        assert!(err.contains("tlh"), "{err}");
    }
}
