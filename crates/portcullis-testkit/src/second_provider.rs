//! A second, independent OpenID Provider for the SDK tests: `tests/oidc-provider/server.mjs`
//! (the npm `oidc-provider` package) run by Node, so the SDKs are shown not to depend on
//! Portcullis. `scripts/test.sh` installs its packages.

use std::path::PathBuf;
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// What the provider knows about the one client it serves.
pub struct ClientSetup {
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
    /// The redirect URI.
    pub redirect_uri: String,
    /// Where logout sends the user.
    pub post_logout_redirect_uri: String,
    /// Where logout tokens are posted.
    pub backchannel_logout_uri: String,
    /// The API audience (access tokens for it are JWTs).
    pub resource: String,
}

/// A running provider; stopped when dropped.
pub struct SecondProvider {
    /// Its issuer (`http://localhost:<port>`).
    pub issuer: String,
    _child: Child,
}

/// Starts the provider and waits until it listens.
///
/// # Panics
/// When Node or the package is missing, or the server does not start within 20 s.
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
pub async fn start(client: &ClientSetup) -> SecondProvider {
    start_with_env(client, &[]).await
}

/// Starts the provider with extra environment (e.g. `UPSTREAM_CLIENT_ID` and
/// `UPSTREAM_CLIENT_SECRET`, the client Portcullis signs in through) and waits until it listens.
///
/// # Panics
/// As [`start`].
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
pub async fn start_with_env(client: &ClientSetup, env: &[(&str, &str)]) -> SecondProvider {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc-provider");
    assert!(
        dir.join("node_modules/oidc-provider").exists(),
        "run `npm ci` in tests/oidc-provider (scripts/test.sh does)"
    );
    let mut child = Command::new("node")
        .arg("server.mjs")
        .current_dir(&dir)
        .env("CLIENT_ID", &client.client_id)
        .env("CLIENT_SECRET", &client.client_secret)
        .env("REDIRECT_URI", &client.redirect_uri)
        .env("POST_LOGOUT_REDIRECT_URI", &client.post_logout_redirect_uri)
        .env("BACKCHANNEL_LOGOUT_URI", &client.backchannel_logout_uri)
        .env("RESOURCE", &client.resource)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let issuer = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(issuer) = line.strip_prefix("oidc-provider ready at ") {
                return issuer.trim().to_string();
            }
        }
        panic!("oidc-provider exited before it was ready")
    })
    .await
    .expect("oidc-provider ready within 20 s");
    // Its log goes to the test's output (shown when a test fails), and the pipe never fills.
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("oidc-provider: {line}");
        }
    });
    SecondProvider {
        issuer,
        _child: child,
    }
}
