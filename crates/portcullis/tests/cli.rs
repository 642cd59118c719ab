//! The `portcullis` binary: CLI contracts of DESIGN.md §2, changes visible to a running server at
//! once, `serve --dev` seeding, startup errors, and logs free of secrets.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use portcullis_core::crypto::secret::SecretString;
use portcullis_core::ports::Store;
use portcullis_testkit::{TestApp, browser, login, spawn_app};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_portcullis");

fn cli(app: &TestApp) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PORTCULLIS_ISSUER", &app.issuer)
        .env("PORTCULLIS_DATABASE_URL", &app.database_url)
        .env("PORTCULLIS_MASTER_KEY", &app.master_key)
        .env("PORTCULLIS_LOG__LEVEL", "warn");
    cmd
}

async fn run_json(mut cmd: Command, stdin: Option<&str>) -> Value {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .await
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().await.unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim().lines().count(),
        1,
        "one JSON object: {stdout}"
    );
    serde_json::from_str(stdout.trim()).unwrap()
}

fn args(mut cmd: Command, a: &[&str]) -> Command {
    cmd.args(a);
    cmd
}

async fn client_credentials(app: &TestApp, id: &str, secret: &str, audience: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials"), ("audience", audience)])
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn cli_creations_print_json_and_apply_to_running_server_at_once() {
    let app = spawn_app().await;
    let api = run_json(
        args(
            cli(&app),
            &[
                "api",
                "create",
                "--identifier",
                "https://cli.api",
                "--scope",
                "read",
            ],
        ),
        None,
    )
    .await;
    assert_eq!(api["identifier"], "https://cli.api");
    assert!(api["id"].as_str().unwrap().starts_with("api_"));

    let m2m = run_json(
        args(
            cli(&app),
            &[
                "client",
                "create",
                "--name",
                "m2m",
                "--grant",
                "client_credentials",
                "--api",
                "https://cli.api",
                "--scope",
                "read",
            ],
        ),
        None,
    )
    .await;
    let (id, secret) = (
        m2m["client_id"].as_str().unwrap(),
        m2m["client_secret"].as_str().unwrap(),
    );
    assert!(secret.len() >= 43, "≥ 256-bit secret");
    let (status, body) = client_credentials(&app, id, secret, "https://cli.api").await;
    assert_eq!(status, 200, "usable on its first request: {body}");

    let user = run_json(
        args(
            cli(&app),
            &[
                "user",
                "create",
                "--email",
                "Cli@Example.com",
                "--password-stdin",
            ],
        ),
        Some("a long enough password\n"),
    )
    .await;
    assert_eq!(user["email"], "cli@example.com");
    assert!(user["user_id"].as_str().unwrap().starts_with("usr_"));
    let web = run_json(
        args(
            cli(&app),
            &[
                "client",
                "create",
                "--name",
                "web",
                "--redirect-uri",
                "http://localhost:3000/cb",
            ],
        ),
        None,
    )
    .await;
    let url = format!(
        "{}/authorize?response_type=code&client_id={}&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&scope=openid",
        app.issuer,
        web["client_id"].as_str().unwrap()
    );
    let out = login(
        &browser(),
        &app,
        &url,
        "cli@example.com",
        "a long enough password",
    )
    .await;
    assert!(out.param("code").is_some(), "{:?}", out);

    let spa = run_json(
        args(
            cli(&app),
            &[
                "client",
                "create",
                "--name",
                "spa",
                "--public",
                "--redirect-uri",
                "http://localhost:3000/cb",
            ],
        ),
        None,
    )
    .await;
    assert!(
        spa.get("client_secret").is_none(),
        "public clients have no secret"
    );

    let users = run_json(args(cli(&app), &["user", "list"]), None).await;
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert!(
        !users.to_string().contains("argon2"),
        "no password hash in output"
    );

    run_json(args(cli(&app), &["client", "delete", id]), None).await;
    let mut refused = false;
    for _ in 0..100 {
        if client_credentials(&app, id, secret, "https://cli.api")
            .await
            .0
            == 401
        {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        refused,
        "deleted client refused within the cache poll interval"
    );
}

#[tokio::test]
async fn cli_keys_rotate_publishes_new_keys_immediately() {
    let app = spawn_app().await;
    let before = app.jwks_field("kid").await;
    let rotated = run_json(args(cli(&app), &["keys", "rotate", "--alg", "EdDSA"]), None).await;
    let kid = rotated["rotated"][0]["kid"].as_str().unwrap().to_string();
    let kids = app.jwks_field("kid").await;
    assert!(kids.contains(&kid));
    assert_eq!(kids.len(), before.len() + 1, "retired key stays published");
    let listed = run_json(args(cli(&app), &["keys", "list"]), None).await;
    let retired = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| !k["retired_at"].is_null())
        .count();
    assert_eq!(retired, 1);
}

#[tokio::test]
async fn migrate_prepares_schema_and_signing_keys() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let base = || {
        let mut c = Command::new(BIN);
        c.env_clear()
            .env("PORTCULLIS_ISSUER", "https://id.example.com")
            .env("PORTCULLIS_DATABASE_URL", &url)
            .env("PORTCULLIS_MASTER_KEY", key);
        c
    };
    let out = args(base(), &["migrate"]).output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys = run_json(args(base(), &["keys", "list"]), None).await;
    let algs: Vec<&str> = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["alg"].as_str().unwrap())
        .collect();
    assert_eq!(algs.len(), 3, "{keys}");
    for alg in ["EdDSA", "ES256", "RS256"] {
        assert!(algs.contains(&alg));
    }
    let again = args(base(), &["migrate"]).output().await.unwrap();
    assert!(again.status.success());
    assert_eq!(
        run_json(args(base(), &["keys", "list"]), None)
            .await
            .as_array()
            .unwrap()
            .len(),
        3,
        "idempotent"
    );
}

#[tokio::test]
async fn cli_rejects_bad_input_without_changes() {
    let app = spawn_app().await;
    let out = refused(args(
        cli(&app),
        &[
            "client",
            "create",
            "--name",
            "bad",
            "--redirect-uri",
            "http://evil.example.com/cb",
        ],
    ))
    .await;
    assert!(out.contains("https"));
    let out = args(
        cli(&app),
        &[
            "user",
            "create",
            "--email",
            "not-an-email",
            "--password",
            "long enough pw",
        ],
    )
    .output()
    .await
    .unwrap();
    assert!(!out.status.success());
    let clients = run_json(args(cli(&app), &["client", "list"]), None).await;
    assert_eq!(clients.as_array().unwrap().len(), 0);
    // An access-token algorithm Portcullis does not sign with is refused, one it does is kept.
    let out = refused(args(
        cli(&app),
        &[
            "api",
            "create",
            "--identifier",
            "https://hs.example",
            "--signing-alg",
            "HS256",
        ],
    ))
    .await;
    assert!(out.contains("RS256, ES256 or EdDSA"));
    run_json(
        args(
            cli(&app),
            &[
                "api",
                "create",
                "--identifier",
                "https://ed.example",
                "--signing-alg",
                "EdDSA",
            ],
        ),
        None,
    )
    .await;
    let apis = run_json(args(cli(&app), &["api", "list"]), None).await;
    let ed = apis
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["identifier"] == "https://ed.example")
        .unwrap();
    assert_eq!(ed["signing_alg"], "EdDSA", "{apis}");
    assert!(!apis.to_string().contains("hs.example"));
}

#[tokio::test]
async fn policies_set_by_the_cli_layer_tenant_client_then_api() {
    let app = spawn_app().await;
    let created = run_json(
        args(
            cli(&app),
            &[
                "client",
                "create",
                "--name",
                "bank",
                "--redirect-uri",
                "http://localhost:3000/cb",
                "--policy",
                "mfa=always",
                "--policy",
                "remember_device_days=7",
            ],
        ),
        None,
    )
    .await;
    let id = created["client_id"].as_str().unwrap().to_string();
    assert!(
        id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "ids never start with '-': {id}"
    );
    run_json(
        args(
            cli(&app),
            &[
                "api",
                "create",
                "--identifier",
                "https://payouts.example.com",
                "--policy",
                "required_acr=aal2",
                "--policy",
                "max_age=300",
            ],
        ),
        None,
    )
    .await;
    let updated = run_json(
        args(
            cli(&app),
            &[
                "client",
                "update",
                &id,
                "--policy",
                "remember_device_days=default",
                "--policy",
                "max_age=600",
            ],
        ),
        None,
    )
    .await;
    assert_eq!(
        updated["policy"],
        serde_json::json!({ "mfa": "always", "max_age": 600 })
    );

    let client_only = run_json(args(cli(&app), &["policy", "show", "--client", &id]), None).await;
    let e = &client_only["effective"];
    assert_eq!(e["mfa"], "always");
    assert_eq!(e["max_age"], 600);
    assert_eq!(e["remember_device_days"], 30, "cleared: the tenant's again");
    assert_eq!(e["required_acr"], Value::Null);

    let with_api = run_json(
        args(
            cli(&app),
            &[
                "policy",
                "show",
                "--client",
                &id,
                "--api",
                "https://payouts.example.com",
            ],
        ),
        None,
    )
    .await;
    let e = &with_api["effective"];
    assert_eq!(e["mfa"], "always");
    assert_eq!(e["max_age"], 300, "the API is the most specific layer");
    assert_eq!(e["required_acr"], "aal2");
    assert_eq!(with_api["tenant"]["mfa"], "adaptive");

    // A bad key or value changes nothing and says which.
    for bad in ["mfa=sometimes", "colour=blue"] {
        let out = args(cli(&app), &["client", "update", &id, "--policy", bad])
            .output()
            .await
            .unwrap();
        assert!(!out.status.success());
        let key = bad.split('=').next().unwrap();
        assert!(String::from_utf8_lossy(&out.stderr).contains(key));
    }
    let listed = run_json(args(cli(&app), &["client", "list"]), None).await;
    assert_eq!(
        listed[0]["policy"],
        serde_json::json!({ "mfa": "always", "max_age": 600 })
    );
}

#[tokio::test]
async fn policy_set_overrides_the_file_for_the_tenant_until_default() {
    let app = spawn_app().await;
    let set = run_json(
        args(cli(&app), &["policy", "set", "mfa=always", "max_age=900"]),
        None,
    )
    .await;
    assert_eq!(
        set["tenant_overrides"],
        serde_json::json!({ "mfa": "always", "max_age": 900 })
    );
    let shown = run_json(args(cli(&app), &["policy", "show"]), None).await;
    assert_eq!(shown["file"]["mfa"], "adaptive");
    assert_eq!(shown["tenant"]["mfa"], "always");
    assert_eq!(shown["effective"]["max_age"], 900);
    // The running server reads the same layer: its management API reports it.
    app.state.refresh().await.unwrap();
    assert_eq!(app.state.tenant_policy().max_age, Some(900));

    // A bad value changes nothing and names the key.
    let out = args(cli(&app), &["policy", "set", "max_age=-1"])
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_age"));
    let back = run_json(
        args(
            cli(&app),
            &["policy", "set", "mfa=default", "max_age=default"],
        ),
        None,
    )
    .await;
    assert_eq!(back["tenant_overrides"], serde_json::json!({}));
    let shown = run_json(args(cli(&app), &["policy", "show"]), None).await;
    assert_eq!(shown["tenant"]["mfa"], "adaptive", "the file rules again");
    let changes = app.events("policy.tenant_changed").await.len();
    assert_eq!(changes, 2, "each change is in the audit trail");
}

#[tokio::test]
async fn actions_deploy_from_stdin_bind_list_and_remove() {
    let app = spawn_app().await;
    let v1 = "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('k', event.secrets.KEY); };";
    let deployed = run_json(
        args(
            cli(&app),
            &[
                "action",
                "deploy",
                "--name",
                "claims",
                "--file",
                "-",
                "--secret",
                "KEY=s3cret",
                "--bind",
            ],
        ),
        Some(v1),
    )
    .await;
    assert_eq!(
        (deployed["version"].as_i64(), deployed["bound"].as_bool()),
        (Some(1), Some(true))
    );
    app.state.refresh().await.unwrap();
    let running = app.state.snapshot().post_login.clone();
    assert_eq!(running.scripts()[0].code, v1);
    assert_eq!(running.scripts()[0].secrets["KEY"], "s3cret");
    // Redeployed without --secret: the secret is kept.
    let v2 = v1.replace("'k'", "'k2'");
    let again = run_json(
        args(
            cli(&app),
            &["action", "deploy", "--name", "claims", "--file", "-"],
        ),
        Some(&v2),
    )
    .await;
    assert_eq!(again["version"], 2);
    app.state.refresh().await.unwrap();
    let running = app.state.snapshot().post_login.clone();
    assert_eq!(
        (
            running.scripts()[0].code.as_str(),
            running.scripts()[0].secrets["KEY"].as_str()
        ),
        (v2.as_str(), "s3cret")
    );
    // A draft that does not compile is refused and what runs stays.
    let mut broken = args(
        cli(&app),
        &["action", "deploy", "--name", "claims", "--file", "-"],
    );
    broken
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = broken.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"exports.onExecutePostLogin = (")
        .await
        .unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("claims"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = run_json(args(cli(&app), &["action", "list"]), None).await;
    assert_eq!(list[0]["version"], 2);
    assert_eq!(list[0]["post_login_position"], 0);
    assert_eq!(list[0]["all_changes_deployed"], false);
    assert!(!list.to_string().contains("s3cret"));
    // Bound: removal needs --force.
    let out = args(cli(&app), &["action", "remove", "claims"])
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let none = run_json(args(cli(&app), &["action", "bind"]), None).await;
    assert_eq!(none["post-login"], serde_json::json!([]));
    run_json(args(cli(&app), &["action", "remove", "claims"]), None).await;
    assert!(
        run_json(args(cli(&app), &["action", "list"]), None)
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(app.events("action.deployed").await.len(), 2);
}

#[tokio::test]
async fn import_auth0_users_with_bcrypt_and_totp_twice_and_report_bad_lines() {
    let app = spawn_app().await;
    let password = "violet anchor 3981 meadow";
    let bcrypt = bcrypt::hash_with_result(password, 4)
        .unwrap()
        .format_for_version(bcrypt::Version::TwoB);
    let file = serde_json::json!([
        {
            "email": "Ada@Example.com",
            "email_verified": true,
            "user_id": "auth0|5f1a",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "password_hash": bcrypt,
            "user_metadata": { "theme": "dark" },
            "mfa_factors": [{ "totp": { "secret": "JBSWY3DPEHPK3PXP" } }, { "phone": { "value": "+15555550100" } }]
        },
        { "email": "eve@example.com", "password_hash": "plain-text" },
        { "email": "not an address" },
        { "email": "bob@example.com", "custom_password_hash": { "algorithm": "md5", "hash": { "value": "x" } } }
    ])
    .to_string();
    let run = |input: String| {
        let mut cmd = args(cli(&app), &["import", "auth0", "-"]);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        async move {
            let mut child = cmd.spawn().unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .await
                .unwrap();
            child.wait_with_output().await.unwrap()
        }
    };
    let first = run(file.clone()).await;
    assert!(
        !first.status.success(),
        "refused lines make the exit status 1"
    );
    let totals: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(
        totals,
        serde_json::json!({ "created": 1, "updated": 0, "failed": 3, "factors": 2 })
    );
    let errors = String::from_utf8_lossy(&first.stderr);
    for (line, why) in [(2, "bcrypt"), (3, "email"), (4, "md5")] {
        assert!(
            errors.contains(&format!("\"line\":{line}")) && errors.contains(why),
            "{line} {why}: {errors}"
        );
    }
    assert!(
        !errors.contains("plain-text"),
        "a line's content is never echoed"
    );

    let ada = app
        .store
        .user_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ada.name.as_deref(), Some("Ada Lovelace"));
    assert!(ada.email_verified);
    assert_eq!(ada.user_metadata["theme"], "dark");
    assert_eq!(
        app.store
            .user_by_alias("auth0|5f1a")
            .await
            .unwrap()
            .unwrap()
            .id,
        ada.id,
        "Auth0's user_id finds the user"
    );
    assert!(
        app.state
            .hasher()
            .verify(SecretString::new(password), ada.password_hash.clone())
            .await
            .unwrap(),
        "the old password works as imported"
    );
    let factors = app.store.factors(&ada.id).await.unwrap();
    assert_eq!(factors.len(), 2);
    let totp = factors
        .iter()
        .find(|f| f.kind == portcullis_core::factor::FactorKind::Totp)
        .unwrap();
    assert_ne!(
        totp.secret_enc.as_deref(),
        Some(b"JBSWY3DPEHPK3PXP".as_slice()),
        "encrypted at rest"
    );
    let opened = app.state.factors().open(totp).unwrap();
    assert_eq!(
        opened,
        portcullis_core::factor::totp::TotpSecret::from_base32("JBSWY3DPEHPK3PXP")
            .unwrap()
            .as_bytes()
    );

    // Twice: nothing new, nothing doubled; a password changed here since is kept.
    let changed = app
        .state
        .hasher()
        .hash(SecretString::new("a new one chosen here"))
        .await
        .unwrap();
    app.store
        .update_user(&portcullis_core::model::User {
            password_hash: Some(changed.clone()),
            ..ada.clone()
        })
        .await
        .unwrap();
    let second = run(file).await;
    let totals: Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(
        totals,
        serde_json::json!({ "created": 0, "updated": 1, "failed": 3, "factors": 0 })
    );
    let again = app
        .store
        .user_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.password_hash.as_deref(), Some(changed.as_str()));
    assert_eq!(app.store.factors(&ada.id).await.unwrap().len(), 2);
    assert_eq!(app.events("users.imported").await.len(), 2);
}

#[tokio::test]
async fn serve_without_dev_names_the_missing_setting() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .env_clear()
        .current_dir(dir.path())
        .args(["serve"])
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`issuer`") && err.contains("PORTCULLIS_ISSUER"),
        "{err}"
    );
    let out = Command::new(BIN)
        .env_clear()
        .current_dir(dir.path())
        .env("PORTCULLIS_ISSUER", "https://id.example.com")
        .env("PORTCULLIS_DATABASE_URL", "sqlite://x.db")
        .args(["serve"])
        .output()
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("`master_key`"));
    let out = Command::new(BIN)
        .env_clear()
        .current_dir(dir.path())
        .env("PORTCULLIS_TOKENS__NOPE", "1")
        .args(["serve", "--dev"])
        .output()
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nope"),
        "unknown keys are errors"
    );
}

struct DevServer {
    child: tokio::process::Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    issuer: String,
}

async fn start_dev(dir: &std::path::Path) -> DevServer {
    start_dev_with(dir, "127.0.0.1:0", &[]).await
}

async fn start_dev_with(dir: &std::path::Path, listen: &str, env: &[(&str, &str)]) -> DevServer {
    let mut child = Command::new(BIN)
        .env_clear()
        .env("RUST_LOG", "debug")
        .envs(env.iter().copied())
        .current_dir(dir)
        .args(["serve", "--dev", "--listen", listen])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = Arc::new(Mutex::new(String::new()));
    let stderr = Arc::new(Mutex::new(String::new()));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    for (pipe, buf) in [
        (
            Box::new(child.stdout.take().unwrap()) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
            stdout.clone(),
        ),
        (Box::new(child.stderr.take().unwrap()), stderr.clone()),
    ] {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                buf.lock().unwrap().push_str(&line);
                buf.lock().unwrap().push('\n');
                let _ = tx.send(line);
            }
        });
    }
    let issuer = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = rx.recv().await {
            if let Some(rest) = line.strip_prefix("Portcullis is ready at ") {
                return rest.trim().to_string();
            }
        }
        panic!("server exited before it was ready");
    })
    .await
    .expect("ready within 30 s");
    DevServer {
        child,
        stdout,
        stderr,
        issuer,
    }
}

/// Runs a command that must fail; what it said on stderr.
async fn refused(mut cmd: Command) -> String {
    let out = cmd.output().await.unwrap();
    assert!(!out.status.success(), "{cmd:?} succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A loopback port nobody listens on now (for a server that must know its port in advance).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn field(text: &str, label: &str) -> String {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn serve_dev_seeds_once_and_logs_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start_dev(dir.path()).await;
    assert!(server.issuer.starts_with("http://localhost:"));
    let seeded = server.stdout.lock().unwrap().clone();
    let password = field(&seeded, "password:");
    let email = field(&seeded, "email:");
    let client_id = field(&seeded, "client_id:");
    let secret = field(&seeded, "client_secret:");
    assert_eq!(client_id, "portcullis-demo");
    assert!(!password.is_empty() && !secret.is_empty(), "{seeded}");
    assert!(dir.path().join("portcullis-dev.db").exists());

    // A whole sign-in, token exchange and refresh with the printed credentials.
    let b = browser();
    let redirect = "http://localhost:3000/api/auth/callback/portcullis";
    let authorize = format!(
        "{}/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=openid%20offline_access&state=s",
        server.issuer,
        form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>()
    );
    let first = b.get(&authorize).send().await.unwrap();
    let login_path = first.headers()["location"].to_str().unwrap().to_string();
    let page = b
        .get(format!("{}{login_path}", server.issuer))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let state = portcullis_testkit::form_value(&page, "state").unwrap();
    let csrf = portcullis_testkit::form_value(&page, "csrf").unwrap();
    let done = b
        .post(format!("{}/u/login", server.issuer))
        .form(&[
            ("state", state.as_str()),
            ("csrf", csrf.as_str()),
            ("email", email.as_str()),
            ("password", password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(done.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let http = reqwest::Client::new();
    let tokens: Value = http
        .post(format!("{}/oauth/token", server.issuer))
        .basic_auth(&client_id, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    let refreshed: Value = http
        .post(format!("{}/oauth/token", server.issuer))
        .basic_auth(&client_id, Some(&secret))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(refreshed["access_token"].is_string());
    // The printed admin holds the console's admin role: /admin asks this one-factor session
    // for a second factor (the step-up page), where a user without a role is refused.
    let console = b
        .get(format!("{}/admin", server.issuer))
        .send()
        .await
        .unwrap();
    assert_eq!(console.status(), 303);
    assert_eq!(console.headers()["location"], "/u/mfa");
    let _ = http
        .post(format!("{}/oauth/token", server.issuer))
        .basic_auth(&client_id, Some("wrong-secret-value"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "guess")])
        .send()
        .await
        .unwrap();
    server.child.kill().await.unwrap();

    let logs = server.stderr.lock().unwrap().clone();
    assert!(
        logs.contains("signed in"),
        "debug logs were captured: {logs}"
    );
    let secrets = [
        password.as_str(),
        secret.as_str(),
        code.as_str(),
        csrf.as_str(),
        tokens["access_token"].as_str().unwrap(),
        tokens["id_token"].as_str().unwrap(),
        refresh.as_str(),
        refreshed["refresh_token"].as_str().unwrap(),
        "wrong-secret-value",
    ];
    for s in secrets {
        assert!(!logs.contains(s), "a secret reached the log");
    }

    // A second start reuses the database and creates nothing.
    let mut again = start_dev(dir.path()).await;
    again.child.kill().await.unwrap();
    let out = again.stdout.lock().unwrap().clone();
    assert!(!out.contains("created"), "seeded once: {out}");
}

/// Runs the CLI and returns its exit status and its one line of JSON.
async fn run_status(mut cmd: Command) -> (bool, Value) {
    let out = cmd.stderr(Stdio::piped()).output().await.unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (
        out.status.success(),
        serde_json::from_str(stdout.trim()).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn audit_verify_finds_tampering_and_prune_keeps_the_chain_checkable() {
    let app = spawn_app().await;
    let event = |i: i64| portcullis_core::model::AuditEvent {
        at: 1_000 + i,
        kind: "login.success".into(),
        user_id: Some(format!("usr_{i}")),
        client_id: None,
        ip: Some("127.0.0.1".into()),
        user_agent: None,
        detail: serde_json::json!({ "i": i }),
    };
    for i in 0..5 {
        portcullis_core::audit::append(app.store.as_ref(), app.state.master(), &event(i))
            .await
            .unwrap();
    }
    let verify = || args(cli(&app), &["audit", "verify"]);
    let (ok, body) = run_status(verify()).await;
    assert!(ok, "{body}");
    assert_eq!(
        (
            body["intact"].as_bool(),
            body["events"].as_u64(),
            body["sealed"].as_bool()
        ),
        (Some(true), Some(5), Some(true))
    );

    // Everything older than today goes behind a sealed checkpoint; the chain still verifies.
    let pruned = run_json(
        args(cli(&app), &["audit", "prune", "--older-than-days", "0"]),
        None,
    )
    .await;
    assert_eq!(pruned["pruned"], 5);
    portcullis_core::audit::append(app.store.as_ref(), app.state.master(), &event(5))
        .await
        .unwrap();
    let (ok, body) = run_status(verify()).await;
    assert!(ok, "{body}");
    assert_eq!(
        (body["events"].as_u64(), body["checkpoint"].as_i64()),
        (Some(1), Some(5))
    );

    // Someone edits a row behind the application's back.
    let db = portcullis_store::SqlStore::connect(&portcullis_store::StoreOptions::new(
        app.database_url.clone(),
    ))
    .await
    .unwrap();
    db.execute_raw("UPDATE audit_events SET user_id = 'usr_other' WHERE seq = 6")
        .await
        .unwrap();
    let (ok, body) = run_status(verify()).await;
    assert!(!ok, "exit status 1 on a broken chain");
    assert_eq!(
        (body["intact"].as_bool(), body["seq"].as_i64()),
        (Some(false), Some(6))
    );
    // Pruning refuses to hide it.
    let (ok, _) = run_status(args(
        cli(&app),
        &["audit", "prune", "--older-than-days", "0"],
    ))
    .await;
    assert!(!ok);
}

/// Sets a password through a password link (no second factor): the page's final answer.
async fn set_password_by_link(app: &TestApp, url: &str, password: &str) -> u16 {
    let b = browser();
    let page = b.get(url).send().await.unwrap().text().await.unwrap();
    let form = |html: &str, name: &str| portcullis_testkit::form_value(html, name).unwrap();
    let go = b
        .post(app.url("/u/reset/continue"))
        .form(&[("csrf", form(&page, "csrf")), ("t", form(&page, "t"))])
        .send()
        .await
        .unwrap();
    assert_eq!(go.headers()["location"], "/u/reset/new");
    let page = b
        .get(app.url("/u/reset/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    b.post(app.url("/u/reset/new"))
        .form(&[
            ("csrf", form(&page, "csrf").as_str()),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn cli_password_links_block_and_forced_reset_apply_at_once() {
    let app = spawn_app().await;
    let (client, _) = app.web_client("http://localhost:3000/cb").await;
    let authorize = format!(
        "{}/authorize?response_type=code&client_id={}&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&scope=openid&state=s",
        app.issuer, client.id
    );
    let outbox = app.state.outbox().unwrap();
    // --dev so the CLI writes to the same outbox as the server under test.
    let mail_cli = || {
        let mut cmd = cli(&app);
        cmd.arg("--dev").env("PORTCULLIS_OUTBOX_DIR", outbox.dir());
        cmd
    };
    let email = "lin@example.com";

    // A user created with a link instead of a password chooses it there.
    let made = run_json(
        args(
            mail_cli(),
            &["user", "create", "--email", email, "--password-link"],
        ),
        None,
    )
    .await;
    let id = made["user_id"].as_str().unwrap().to_string();
    let url = made["ticket_url"].as_str().unwrap().to_string();
    assert_eq!(made["email_sent"], true);
    let mail = outbox.latest_to(email).unwrap();
    assert_eq!(mail.subject, "Choose your password");
    assert!(mail.text.contains(&url));
    let first = "amber kettles over glass roofs";
    assert_eq!(
        login(&browser(), &app, &authorize, email, first)
            .await
            .param("code"),
        None
    );
    assert_eq!(set_password_by_link(&app, &url, first).await, 200);
    let signed_in = browser();
    assert!(
        login(&signed_in, &app, &authorize, email, first)
            .await
            .param("code")
            .is_some()
    );

    // Blocked: the live session ends and sign-in is refused; unblocked, it works again.
    let blocked = run_json(args(cli(&app), &["user", "block", &id]), None).await;
    assert_eq!(blocked["blocked"], true);
    assert_eq!(blocked["ended_sessions"], 1);
    let again = signed_in.get(&authorize).send().await.unwrap();
    assert!(
        again.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/u/login")
    );
    assert_eq!(
        login(&browser(), &app, &authorize, email, first)
            .await
            .param("code"),
        None
    );
    run_json(args(cli(&app), &["user", "unblock", &id]), None).await;
    assert!(
        login(&browser(), &app, &authorize, email, first)
            .await
            .param("code")
            .is_some()
    );

    // A forced reset: the password stops working at once, the emailed link sets a new one.
    let reset = run_json(args(mail_cli(), &["user", "reset-password", &id]), None).await;
    assert_eq!(reset["email_sent"], true);
    assert_eq!(reset["ended_sessions"], 1);
    let url = reset["ticket_url"].as_str().unwrap();
    assert_eq!(
        outbox.latest_to(email).unwrap().subject,
        "Choose a new password"
    );
    assert_eq!(
        login(&browser(), &app, &authorize, email, first)
            .await
            .param("code"),
        None
    );
    let second = "copper lanterns beside slow water";
    assert_eq!(set_password_by_link(&app, url, second).await, 200);
    assert!(
        login(&browser(), &app, &authorize, email, second)
            .await
            .param("code")
            .is_some()
    );

    let kinds: Vec<String> = app
        .store
        .recent_audit(100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for kind in [
        "user.created",
        "user.blocked",
        "user.unblocked",
        "password.reset_forced",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    // Unknown users are an error that changes nothing.
    let out = refused(args(cli(&app), &["user", "block", "usr_nope"])).await;
    assert!(out.contains("usr_nope"));
    app.stop().await;
}

#[tokio::test]
async fn cli_grants_and_takes_console_roles() {
    let app = spawn_app().await;
    let id = app
        .create_user("ops@example.com", "correct horse battery staple")
        .await
        .id;
    let granted = run_json(
        args(cli(&app), &["user", "role", &id, "--role", "support"]),
        None,
    )
    .await;
    assert_eq!(
        granted,
        serde_json::json!({ "user_id": id, "role": "support" })
    );
    assert_eq!(
        app.store.admin_role(&id).await.unwrap().as_deref(),
        Some("support")
    );
    let replaced = run_json(
        args(cli(&app), &["user", "role", &id, "--role", "admin"]),
        None,
    )
    .await;
    assert_eq!(replaced["role"], "admin");
    let taken = run_json(
        args(cli(&app), &["user", "role", &id, "--role", "none"]),
        None,
    )
    .await;
    assert_eq!(taken["role"], Value::Null);
    assert_eq!(app.store.admin_role(&id).await.unwrap(), None);
    let kinds: Vec<String> = app
        .store
        .user_audit(&id, 20)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "user.role_changed").count(),
        3
    );
    // Bad input is refused and changes nothing.
    let out = refused(args(cli(&app), &["user", "role", &id, "--role", "root"])).await;
    assert!(out.contains("--role"), "{out}");
    let out = refused(args(
        cli(&app),
        &["user", "role", "usr_nope", "--role", "admin"],
    ))
    .await;
    assert!(out.contains("usr_nope"), "{out}");
    assert_eq!(app.store.admin_role(&id).await.unwrap(), None);
    app.stop().await;
}

#[tokio::test]
async fn serve_an_ip_address_issuer_starts_with_passkeys_off_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let listen = format!("127.0.0.1:{port}");
    let mut server = start_dev_with(
        dir.path(),
        &listen,
        &[("PORTCULLIS_ISSUER", issuer.as_str())],
    )
    .await;
    assert_eq!(server.issuer, issuer);
    let logs = server.stderr.lock().unwrap().clone();
    assert!(
        logs.contains("passkeys and security keys are off"),
        "{logs}"
    );
    // The sign-in page works, without the passkey button.
    let http = reqwest::Client::new();
    let page = http
        .get(format!("{issuer}/u/login?return_to=/u/account/security"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"password\""), "{page}");
    assert!(!page.contains("Sign in with a passkey"));
    server.child.kill().await.unwrap();
}

#[tokio::test]
async fn backup_while_serving_then_restore_elsewhere_and_refusals() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    // Writers keep going while the copy is taken: it is one consistent snapshot.
    let store = app.store.clone();
    let writer = tokio::spawn(async move {
        for n in 0..150 {
            let user = portcullis_core::model::User {
                id: format!("u{n}"),
                email: format!("w{n}@example.com"),
                email_verified: false,
                name: None,
                password_hash: None,
                blocked: false,
                created_at: 0,
                last_login: None,
                user_metadata: portcullis_core::model::empty_object(),
                app_metadata: portcullis_core::model::empty_object(),
            };
            store.create_user(&user).await.unwrap();
        }
    });
    tokio::time::sleep(Duration::from_millis(30)).await;
    let out = run_json(args(cli(&app), &["backup", copy.to_str().unwrap()]), None).await;
    assert_eq!(out["backup"], copy.display().to_string());
    writer.await.unwrap();
    let (ok, _) = run_status(args(cli(&app), &["backup", copy.to_str().unwrap()])).await;
    assert!(!ok, "an existing file is never overwritten");

    // The live database is open: restore refuses and changes nothing.
    let before = app.store.list_users().await.unwrap().len();
    let (ok, _) = run_status(args(cli(&app), &["restore", copy.to_str().unwrap()])).await;
    assert!(!ok);
    assert_eq!(app.store.list_users().await.unwrap().len(), before);

    // Into another place: the copy opens, with the same master key, and is a prefix of the
    // writes (users 0..k, none missing in between).
    let restored = format!("sqlite://{}", dir.path().join("restored.db").display());
    let at = |url: &str, a: &[&str]| {
        let mut c = cli(&app);
        c.env("PORTCULLIS_DATABASE_URL", url).args(a);
        c
    };
    let out = run_json(at(&restored, &["restore", copy.to_str().unwrap()]), None).await;
    assert_eq!(out["restored"], copy.display().to_string());
    let users = run_json(at(&restored, &["user", "list"]), None).await;
    let emails: Vec<String> = users
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["email"].as_str().map(String::from))
        .filter(|e| e.starts_with('w'))
        .collect();
    let mut numbers: Vec<usize> = emails
        .iter()
        .map(|e| e[1..e.find('@').unwrap()].parse().unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (0..numbers.len()).collect::<Vec<_>>(),
        "a snapshot"
    );
    let keys = run_json(at(&restored, &["keys", "list"]), None).await;
    assert!(!keys.as_array().unwrap().is_empty());

    // Not a database, and PostgreSQL: refused with a reason.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let other = format!("sqlite://{}", dir.path().join("other.db").display());
    refused(at(&other, &["restore", junk.to_str().unwrap()])).await;
    assert!(!dir.path().join("other.db").exists());
    let pg = refused(at(
        &portcullis_testkit::postgres_url(),
        &["backup", dir.path().join("pg.db").to_str().unwrap()],
    ))
    .await;
    assert!(pg.contains("pg_dump"));
    app.stop().await;
}

#[tokio::test]
async fn serve_drains_requests_in_flight_on_sigterm_and_health_follows() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = start_dev_with(dir.path(), &listen, &[]).await;
    let health = || {
        let mut c = Command::new(BIN);
        c.env_clear()
            .current_dir(dir.path())
            .env("PORTCULLIS_LISTEN", &listen)
            .args(["--dev", "health"]);
        c
    };
    assert!(health().status().await.unwrap().success());
    let client = run_json(
        {
            let mut c = Command::new(BIN);
            c.env_clear().current_dir(dir.path()).args([
                "--dev",
                "client",
                "create",
                "--name",
                "drain",
                "--redirect-uri",
                "http://localhost:3000/cb",
                "--grant",
                "password",
            ]);
            c
        },
        None,
    )
    .await;
    let (id, secret) = (
        client["client_id"].as_str().unwrap().to_string(),
        client["client_secret"].as_str().unwrap().to_string(),
    );
    // Twenty password checks queue behind the Argon2id semaphore: most are still in flight when
    // the signal comes, and each must still get its answer.
    let url = format!("{}/oauth/token", server.issuer);
    let tasks: Vec<_> = (0..20)
        .map(|n| {
            let (url, id, secret) = (url.clone(), id.clone(), secret.clone());
            tokio::spawn(async move {
                reqwest::Client::new()
                    .post(url)
                    .basic_auth(id, Some(secret))
                    .form(&[
                        ("grant_type", "password"),
                        ("username", format!("nobody{n}@example.com").as_str()),
                        ("password", "not the password 1234"),
                    ])
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(40)).await;
    let pid = server.child.id().unwrap().to_string();
    let term = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(term.success());
    for t in tasks {
        let answer = t.await.unwrap();
        assert_eq!(answer.ok(), Some(400), "answered, not cut off");
    }
    let status = tokio::time::timeout(Duration::from_secs(30), server.child.wait())
        .await
        .expect("exits once drained")
        .unwrap();
    assert!(status.success(), "{}", server.stderr.lock().unwrap());
    // Closed to new requests.
    assert!(
        reqwest::get(format!("{}/readyz", server.issuer))
            .await
            .is_err()
    );
    assert!(!health().status().await.unwrap().success());
}

#[tokio::test]
async fn a_client_created_with_keys_has_no_secret_and_bad_keys_change_nothing() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    // An Ed25519 public key (RFC 8037's example).
    let jwk = serde_json::json!({ "kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" });
    let good = dir.path().join("jwks.json");
    std::fs::write(&good, serde_json::json!({ "keys": [jwk] }).to_string()).unwrap();
    let created = run_json(
        args(
            cli(&app),
            &[
                "client",
                "create",
                "--name",
                "signer",
                "--grant",
                "client_credentials",
                "--jwks-file",
                good.to_str().unwrap(),
            ],
        ),
        None,
    )
    .await;
    assert_eq!(created["token_endpoint_auth_method"], "private_key_jwt");
    assert!(created.get("client_secret").is_none(), "{created}");
    let id = created["client_id"].as_str().unwrap();
    let stored = app.store.client_keys().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0, id);
    assert_eq!(stored[0].1.jwks.as_ref().unwrap()["keys"][0], jwk);

    // A private key, not JSON, an http address: refused, nothing created.
    let private = dir.path().join("private.json");
    let mut with_d = jwk.clone();
    with_d["d"] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A".into();
    std::fs::write(
        &private,
        serde_json::json!({ "keys": [with_d] }).to_string(),
    )
    .unwrap();
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "not json").unwrap();
    let before = app.store.list_clients().await.unwrap().len();
    for bad in [
        vec!["--jwks-file", private.to_str().unwrap()],
        vec!["--jwks-file", garbage.to_str().unwrap()],
        vec!["--jwks-uri", "http://keys.example/jwks.json"],
    ] {
        let mut a = vec!["client", "create", "--name", "bad"];
        a.extend(bad);
        refused(args(cli(&app), &a)).await;
    }
    assert_eq!(app.store.list_clients().await.unwrap().len(), before);
}
