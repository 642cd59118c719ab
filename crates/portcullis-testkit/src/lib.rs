//! Test helpers for Portcullis: a real server on port 0 with a fresh SQLite file or PostgreSQL
//! schema, a fake clock, and an HTTP client that walks the hosted login form.
//!
//! ```no_run
//! # async fn demo() {
//! let app = portcullis_testkit::spawn_app().await;
//! let user = app.create_user("ada@example.com", "correct horse battery").await;
//! assert!(user.id.starts_with("usr_"));
//! # }
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support fails loudly

pub mod authenticator;
pub mod hosted;
pub mod second_provider;

use std::sync::Arc;

use portcullis_core::admin::{self, NewClient};
use portcullis_core::clock::{Clock, FakeClock, SystemClock};
use portcullis_core::crypto::random;
use portcullis_core::crypto::secret::SecretString;
use portcullis_core::model::{Client, User};
use portcullis_server::config::{Settings, Sources};
use portcullis_server::startup::Application;
use portcullis_server::state::AppState;
use portcullis_store::{SqlStore, StoreOptions};

/// Which database engine a test server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// A temporary SQLite file.
    Sqlite,
    /// A fresh schema in the PostgreSQL of `PORTCULLIS_TEST_DATABASE_URL`.
    Postgres,
}

/// The PostgreSQL URL tests use.
pub fn postgres_url() -> String {
    std::env::var("PORTCULLIS_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A running test server.
pub struct TestApp {
    /// Issuer, e.g. `http://localhost:PORT`.
    pub issuer: String,
    /// Bound port.
    pub port: u16,
    /// Shared state (store, settings).
    pub state: AppState,
    /// The server's clock; move it to expire things.
    pub clock: FakeClock,
    /// The store, for direct inspection.
    pub store: Arc<SqlStore>,
    /// The `database_url` the server uses, for running the CLI against the same database.
    pub database_url: String,
    /// The master key (base64), for running the CLI against the same database.
    pub master_key: String,
    schema: Option<String>,
    /// Whether stopping drops the PostgreSQL schema (the first node of a test does).
    owns_schema: bool,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

/// Spawns a server on SQLite (or PostgreSQL when `PORTCULLIS_TEST_ENGINE=postgres`).
pub async fn spawn_app() -> TestApp {
    let engine = match std::env::var("PORTCULLIS_TEST_ENGINE").as_deref() {
        Ok("postgres") => Engine::Postgres,
        _ => Engine::Sqlite,
    };
    spawn_app_with(engine).await
}

/// Spawns a server on the given engine.
pub async fn spawn_app_with(engine: Engine) -> TestApp {
    spawn_app_with_env(engine, &[]).await
}

/// Spawns a server with extra `PORTCULLIS_*` settings (e.g. an `https://` issuer).
pub async fn spawn_app_with_env(engine: Engine, extra_env: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let (url, schema) = match engine {
        Engine::Sqlite => (
            format!("sqlite://{}", dir.path().join("portcullis.db").display()),
            None,
        ),
        Engine::Postgres => {
            let schema = format!("t_{}", hex_id());
            (postgres_url(), Some(schema))
        }
    };
    use base64::Engine as _;
    let master_key = base64::engine::general_purpose::STANDARD.encode(random::bytes::<32>());
    let clock = FakeClock::new(SystemClock.now());
    let node = Node {
        url,
        schema,
        master_key,
        clock,
    };
    let mut app = node.spawn(dir, extra_env).await;
    app.owns_schema = true;
    app
}

/// Another server on the same database, master key and clock as `app` (a second node of a
/// cluster); stopping it leaves the database to `app`.
pub async fn spawn_node(app: &TestApp, extra_env: &[(&str, &str)]) -> TestApp {
    let node = Node {
        url: app.database_url.clone(),
        schema: app.schema.clone(),
        master_key: app.master_key.clone(),
        clock: app.clock.clone(),
    };
    node.spawn(tempfile::tempdir().unwrap(), extra_env).await
}

/// What the nodes of one test share.
struct Node {
    url: String,
    schema: Option<String>,
    master_key: String,
    clock: FakeClock,
}

impl Node {
    async fn spawn(self, dir: tempfile::TempDir, extra_env: &[(&str, &str)]) -> TestApp {
        let Node {
            url,
            schema,
            master_key,
            clock,
        } = self;
        let mut options = StoreOptions::new(url.clone());
        options.schema = schema.clone();
        let store = SqlStore::connect(&options).await.unwrap();
        store.migrate().await.unwrap();
        let store = Arc::new(store);
        let settings = Settings::load(&Sources {
            env: [
                ("PORTCULLIS_MASTER_KEY".to_string(), master_key.clone()),
                ("PORTCULLIS_DATABASE_URL".to_string(), url.clone()),
                (
                    "PORTCULLIS_OUTBOX_DIR".to_string(),
                    dir.path().join("outbox").display().to_string(),
                ),
            ]
            .into_iter()
            .chain(
                extra_env
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string())),
            )
            .collect(),
            dev: true,
            listen: Some("127.0.0.1:0".into()),
            ..Default::default()
        })
        .unwrap();
        let app = Application::build_with_store(settings, store.clone(), Arc::new(clock.clone()))
            .await
            .unwrap();
        let port = app.port();
        let state = app.state().clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            app.run_until(async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestApp {
            issuer: state.issuer().to_string(),
            port,
            state,
            clock,
            store,
            database_url: url,
            master_key,
            schema,
            owns_schema: false,
            _dir: dir,
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }
}

fn hex_id() -> String {
    random::bytes::<8>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl TestApp {
    /// An absolute URL on the server (on its real address, whatever the issuer says).
    pub fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    /// `GET`s a JSON document from the server.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        reqwest::get(self.url(path))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// One field (`kid`, `alg`) of every key in the published JWKS.
    pub async fn jwks_field(&self, field: &str) -> Vec<String> {
        let jwks = self.get_json("/.well-known/jwks.json").await;
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k[field].as_str().unwrap().to_string())
            .collect()
    }

    /// The audit events of type `kind`, newest first (at most 100).
    pub async fn events(&self, kind: &str) -> Vec<portcullis_core::model::LoggedEvent> {
        portcullis_core::ports::Store::search_audit(
            self.store.as_ref(),
            &portcullis_core::model::AuditQuery {
                kind: Some(kind.into()),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .expect("audit search")
        .0
    }

    /// Creates a user with a password.
    pub async fn create_user(&self, email: &str, password: &str) -> User {
        admin::create_user(
            self.store.as_ref(),
            self.state.hasher(),
            &self.clock,
            email,
            SecretString::new(password),
        )
        .await
        .unwrap()
    }

    /// Creates a client; returns it with its secret.
    pub async fn create_client(&self, new: NewClient) -> (Client, Option<String>) {
        let (c, s) = admin::create_client(self.store.as_ref(), &self.clock, new)
            .await
            .unwrap();
        (c, s.map(|s| s.expose().to_string()))
    }

    /// A confidential web client with one redirect URI.
    pub async fn web_client(&self, redirect_uri: &str) -> (Client, String) {
        let (c, s) = self
            .create_client(NewClient {
                name: "Test app".into(),
                redirect_uris: vec![redirect_uri.into()],
                post_logout_redirect_uris: vec!["http://localhost:3000/bye".into()],
                ..NewClient::default()
            })
            .await;
        (c, s.unwrap())
    }

    /// Stops the server and drops its database.
    pub async fn stop(mut self) {
        self.shutdown_now().await;
    }

    async fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
        if let Some(s) = self.schema.take().filter(|_| self.owns_schema) {
            let _ = self.store.drop_schema(&s).await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A browser-like HTTP client: keeps cookies, does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Extracts `name="NAME" value="…"` from a hosted page.
pub fn form_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

/// Extracts the HTML-escaped attribute `attr="…"` (first occurrence) and unescapes it, e.g.
/// the WebAuthn options a page hands its script.
pub fn attr_value(html: &str, attr: &str) -> Option<String> {
    let marker = format!("{attr}=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(
        html[start..end]
            .replace("&#34;", "\"")
            .replace("&#39;", "'")
            .replace("&#60;", "<")
            .replace("&#62;", ">")
            .replace("&#38;", "&"),
    )
}

/// What the hosted login returned.
#[derive(Debug)]
pub struct LoginOutcome {
    /// HTTP status of the final answer.
    pub status: u16,
    /// `Location` of the final redirect, if any.
    pub location: Option<String>,
    /// The page body, if no redirect.
    pub body: String,
}

impl LoginOutcome {
    /// A query parameter of the redirect location.
    pub fn param(&self, name: &str) -> Option<String> {
        let loc = self.location.as_ref()?;
        let url = url::Url::parse(loc).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// Follows an authorization URL through the hosted login form with `email`/`password`.
/// If the browser already has a session, the first redirect is returned as is.
pub async fn login(
    browser: &reqwest::Client,
    app: &TestApp,
    authorize_url: &str,
    email: &str,
    password: &str,
) -> LoginOutcome {
    let resp = browser.get(authorize_url).send().await.unwrap();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    let status = resp.status().as_u16();
    let Some(loc) = location.clone().filter(|l| l.starts_with("/u/login")) else {
        return LoginOutcome {
            status,
            location,
            body: resp.text().await.unwrap(),
        };
    };
    let page = browser
        .get(app.url(&loc))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let state = form_value(&page, "state").expect("state field");
    let csrf = form_value(&page, "csrf").expect("csrf field");
    let resp = browser
        .post(app.url("/u/login"))
        .form(&[
            ("state", state.as_str()),
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    LoginOutcome {
        status,
        location,
        body: resp.text().await.unwrap(),
    }
}

/// Sends `req` and reads the answer as JSON (`Null` when it is not JSON).
///
/// # Panics
/// When the request cannot be sent.
#[allow(clippy::unwrap_used)]
pub async fn json(req: reqwest::RequestBuilder) -> serde_json::Value {
    req.send().await.unwrap().json().await.unwrap_or_default()
}
