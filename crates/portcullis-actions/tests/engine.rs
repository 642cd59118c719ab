//! The sandbox from outside: Auth0's API as scripts call it, the limits, and the pool under load.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use portcullis_actions::{ActionError, Deployment, Engine, Limits, Script};
use serde_json::json;

/// Seed 001's Action, pasted verbatim from the document the product was conceived from.
const SEED_001: &str = include_str!("seed_001.js");

fn script(name: &str, code: &str) -> Script {
    Script {
        id: format!("act_{name}"),
        name: name.into(),
        code: code.into(),
        secrets: BTreeMap::new(),
    }
}

fn deploy(scripts: Vec<Script>) -> Arc<Deployment> {
    Arc::new(Deployment::new(scripts))
}

fn engine() -> Engine {
    Engine::start(Limits {
        timeout: Duration::from_millis(200),
        memory: 16 << 20,
        workers: 2,
        queue: 256,
    })
}

fn refresh_event(multifactor: serde_json::Value) -> serde_json::Value {
    json!({
        "user": { "user_id": "usr_1", "email": "ada@example.com", "multifactor": multifactor },
        "request": { "ip": "127.0.0.1", "body": { "grant_type": "refresh_token" } },
        "transaction": { "requested_scopes": ["openid"] },
    })
}

#[tokio::test]
async fn seed_001_challenges_the_enrolled_and_enrols_the_rest() {
    let engine = engine();
    let d = deploy(vec![script("mfa-on-refresh", SEED_001)]);
    let enrolled = engine
        .post_login(d.clone(), &refresh_event(json!(["otp"])))
        .await
        .unwrap();
    let challenge = enrolled.challenge.expect("a challenge");
    assert_eq!(
        challenge.factors,
        [
            "otp",
            "phone",
            "email",
            "push-notification",
            "recovery-code"
        ]
    );
    assert!(enrolled.enroll.is_none());
    let none = engine
        .post_login(d.clone(), &refresh_event(json!([])))
        .await
        .unwrap();
    assert!(none.challenge.is_none());
    assert_eq!(
        none.enroll.expect("an enrolment").factors,
        ["otp", "phone", "email", "push-notification"]
    );
    // A sign-in in the browser is not a refresh: the Action asks nothing.
    let mut browser = refresh_event(json!(["otp"]));
    browser["request"]["body"] = json!({});
    let quiet = engine.post_login(d, &browser).await.unwrap();
    assert!(quiet.is_empty(), "{quiet:?}");
}

#[tokio::test]
async fn claims_metadata_deny_logs_and_secrets() {
    let engine = engine();
    let first = script(
        "claims",
        r#"exports.onExecutePostLogin = async (event, api) => {
             console.log('hello', event.user.email, { n: 1 });
             api.idToken.setCustomClaim('https://example.com/roles', ['admin']);
             api.accessToken.setCustomClaim('https://example.com/tier', event.secrets.TIER);
             api.user.setAppMetadata('plan', 'gold');
             api.user.setUserMetadata('theme', undefined);
           };"#,
    );
    let mut first = first;
    first.secrets.insert("TIER".into(), "gold".into());
    let second = script(
        "deny",
        "exports.onExecutePostLogin = async (event, api) => { if (!event.secrets.TIER) api.access.deny('Not on the list'); };",
    );
    let third = script(
        "never",
        "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('late', true); };",
    );
    let outcome = engine
        .post_login(
            deploy(vec![first, second, third]),
            &json!({ "user": { "email": "ada@example.com" } }),
        )
        .await
        .unwrap();
    assert_eq!(
        outcome.id_claims["https://example.com/roles"],
        json!(["admin"])
    );
    assert_eq!(
        outcome.access_claims["https://example.com/tier"],
        json!("gold")
    );
    assert_eq!(outcome.app_metadata["plan"], json!("gold"));
    assert_eq!(outcome.user_metadata["theme"], json!(null));
    let deny = outcome.deny.expect("denied");
    assert_eq!((deny.action, deny.reason.as_str()), (1, "Not on the list"));
    assert!(
        !outcome.id_claims.contains_key("late"),
        "a denial stops the Actions after it"
    );
    assert_eq!(outcome.logs[0].message, r#"hello ada@example.com {"n":1}"#);
}

#[tokio::test]
async fn an_endless_action_is_stopped_and_the_pool_keeps_serving() {
    let engine = engine();
    let endless = deploy(vec![script(
        "spin",
        "exports.onExecutePostLogin = async () => { while (true) {} };",
    )]);
    let err = engine
        .post_login(endless.clone(), &json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ActionError::Timeout {
            action: "spin".into(),
            millis: 200
        }
    );
    // Twice: the stopped sandbox was replaced, not reused half-way.
    assert!(matches!(
        engine.post_login(endless, &json!({})).await,
        Err(ActionError::Timeout { .. })
    ));
    let fine = deploy(vec![script(
        "ok",
        "exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim('ok', 1); };",
    )]);
    for _ in 0..4 {
        let outcome = engine.post_login(fine.clone(), &json!({})).await.unwrap();
        assert_eq!(outcome.id_claims["ok"], json!(1));
    }
}

#[tokio::test]
async fn memory_failures_and_missing_features_are_named() {
    let engine = engine();
    let hog = deploy(vec![script(
        "hog",
        "exports.onExecutePostLogin = async () => { const a = []; for (;;) a.push('x'.repeat(1 << 16) + a.length); };",
    )]);
    assert_eq!(
        engine.post_login(hog, &json!({})).await.unwrap_err(),
        ActionError::Memory {
            action: "hog".into()
        }
    );
    let cases = [
        (
            "throws",
            "exports.onExecutePostLogin = async () => { console.log('before'); throw new Error('boom'); };",
            "boom",
        ),
        (
            "requires",
            "const axios = require('axios'); exports.onExecutePostLogin = async () => {};",
            "npm",
        ),
        (
            "waits",
            "exports.onExecutePostLogin = () => new Promise(() => {});",
            "never settled",
        ),
        (
            "fetches",
            "exports.onExecutePostLogin = async () => { await fetch('https://example.com'); };",
            "fetch",
        ),
        (
            "redirects",
            "exports.onExecutePostLogin = async (e, api) => { api.redirect.sendUserTo('https://x'); };",
            "not supported",
        ),
        (
            "push",
            "exports.onExecutePostLogin = async (e, api) => { api.authentication.challengeWithAny('otp'); };",
            "array",
        ),
    ];
    for (name, code, expected) in cases {
        let err = engine
            .post_login(deploy(vec![script(name, code)]), &json!({}))
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(name) && text.contains(expected),
            "{name}: {text}"
        );
        if name == "throws" {
            let ActionError::Failed { logs, .. } = err else {
                panic!("{err:?}")
            };
            assert_eq!(logs[0].message, "before");
        }
    }
}

#[test]
fn check_refuses_what_does_not_load() {
    let limits = Limits::default();
    assert!(portcullis_actions::check("ok", SEED_001, limits).is_ok());
    let syntax = portcullis_actions::check(
        "bad",
        "exports.onExecutePostLogin = async (event, api) => {",
        limits,
    )
    .unwrap_err();
    assert!(
        matches!(syntax, ActionError::Invalid { ref action, .. } if action == "bad"),
        "{syntax:?}"
    );
    let missing = portcullis_actions::check(
        "none",
        "exports.onExecuteCredentialsExchange = async () => {};",
        limits,
    )
    .unwrap_err();
    assert!(
        missing.to_string().contains("onExecutePostLogin"),
        "{missing}"
    );
}

#[tokio::test]
async fn eighty_at_once_each_get_their_own_answer() {
    let engine = engine();
    let d = deploy(vec![script(
        "echo",
        "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('who', event.user.user_id); };",
    )]);
    let runs = (0..80).map(|n| {
        let (engine, d) = (engine.clone(), d.clone());
        tokio::spawn(async move {
            let outcome = engine
                .post_login(d, &json!({ "user": { "user_id": format!("usr_{n}") } }))
                .await
                .unwrap();
            assert_eq!(outcome.id_claims["who"], json!(format!("usr_{n}")));
        })
    });
    for r in runs {
        r.await.unwrap();
    }
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    let mut s = script("s", "exports.onExecutePostLogin = async () => {};");
    s.secrets
        .insert("API_KEY".into(), "sk_live_very_secret".into());
    let d = Deployment::new(vec![s]);
    assert!(!format!("{d:?}").contains("sk_live_very_secret"));
}
