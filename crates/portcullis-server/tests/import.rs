//! Users moved from Auth0 (issue #20): password hashes made there (bcrypt, PBKDF2, salted SHA-256)
//! sign in as they are, and the first right password replaces them with Argon2id.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::ports::Store;
use portcullis_testkit::{TestApp, browser, form_value, spawn_app};

/// Gives the test user `hash` as if imported, and returns what is stored.
async fn imported(app: &TestApp, hash: &str) {
    let mut user = app.store.user_by_email(EMAIL).await.unwrap().unwrap();
    user.password_hash = Some(hash.to_string());
    app.store.update_user(&user).await.unwrap();
}

async fn stored_hash(app: &TestApp) -> String {
    app.store
        .user_by_email(EMAIL)
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .unwrap()
}

#[tokio::test]
async fn an_imported_bcrypt_hash_signs_in_once_then_argon2id_takes_over() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let bcrypt = bcrypt::hash_with_result(PASSWORD, 4)
        .unwrap()
        .format_for_version(bcrypt::Version::TwoB);
    imported(&app, &bcrypt).await;

    // A wrong password is wrong, and leaves the imported hash as it was.
    let wrong = {
        let b = browser();
        let first = get(&b, &app, &authorize_url(&app, &cid, "")).await;
        let page = get(&b, &app, &first.location.unwrap()).await;
        post(
            &b,
            &app,
            "/u/login",
            &[
                ("state", &form_value(&page.body, "state").unwrap()),
                ("csrf", &form_value(&page.body, "csrf").unwrap()),
                ("email", EMAIL),
                ("password", "not the password at all"),
            ],
        )
        .await
    };
    assert!(wrong.param("code").is_none());
    assert_eq!(stored_hash(&app).await, bcrypt);

    let done = password_step(&browser(), &app, &cid, "").await;
    assert!(done.param("code").is_some(), "{:?}", done.location);
    let now = stored_hash(&app).await;
    assert!(now.starts_with("$argon2id$v=19$"), "{now}");
    let events = app.events("password.rehashed").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.detail["from"], "2b");
    assert!(!format!("{:?}", events[0].event.detail).contains(PASSWORD));

    // The next sign-in checks Argon2id and changes nothing more.
    let again = password_step(&browser(), &app, &cid, "").await;
    assert!(again.param("code").is_some());
    assert_eq!(stored_hash(&app).await, now);
    assert_eq!(app.events("password.rehashed").await.len(), 1);
}

#[tokio::test]
async fn imported_pbkdf2_and_salted_sha256_hashes_sign_in_with_the_password_grant_too() {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD_NO_PAD.encode(b);
    let app = spawn_app().await;
    let (cid, secret) = password_client(&app, &[]).await;
    app.create_user(EMAIL, PASSWORD).await;
    let mut pbkdf2 = [0u8; 32];
    aws_lc_rs::pbkdf2::derive(
        aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256,
        std::num::NonZeroU32::new(1000).unwrap(),
        b"pepper-salt",
        PASSWORD.as_bytes(),
        &mut pbkdf2,
    );
    let salted = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        &[b"s4lt".as_slice(), PASSWORD.as_bytes()].concat(),
    );
    let custom = serde_json::json!({
        "algorithm": "sha256",
        "hash": { "value": b64(salted.as_ref()), "encoding": "base64" },
        "salt": { "value": "s4lt", "encoding": "utf8", "position": "prefix" },
    });
    for hash in [
        format!(
            "$pbkdf2-sha256$i=1000,l=32${}${}",
            b64(b"pepper-salt"),
            b64(&pbkdf2)
        ),
        portcullis_core::crypto::legacy::from_auth0(&custom).unwrap(),
    ] {
        imported(&app, &hash).await;
        let (status, body) = grant(
            &app,
            &(cid.clone(), secret.clone()),
            &[
                ("grant_type", "password"),
                ("username", EMAIL),
                ("password", PASSWORD),
                ("scope", "openid"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{hash}: {body}");
        assert!(stored_hash(&app).await.starts_with("$argon2id$"), "{hash}");
    }
    assert_eq!(app.events("password.rehashed").await.len(), 2);
}

/// A `multipart/form-data` body with text fields and the `users` file, and its content type.
fn form(fields: &[(&str, &str)], users: Option<&str>) -> (String, Vec<u8>) {
    let boundary = "portcullis-test-boundary-7f3a";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    if let Some(file) = users {
        body.push_str(&format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"users\"; filename=\"users.json\"\r\ncontent-type: application/json\r\n\r\n{file}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

async fn post_job(
    app: &TestApp,
    token: &str,
    fields: &[(&str, &str)],
    users: Option<&str>,
) -> (u16, serde_json::Value) {
    let (content_type, body) = form(fields, users);
    let resp = reqwest::Client::new()
        .post(app.url("/api/v2/jobs/users-imports"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or_default(),
    )
}

/// Polls the job until it completes.
async fn finished(app: &TestApp, token: &str, id: &str) -> serde_json::Value {
    let mut last = serde_json::Value::Null;
    for _ in 0..400 {
        let (status, job) = call(app, token, "GET", &format!("/api/v2/jobs/{id}"), None).await;
        assert_eq!(status, 200, "{job}");
        if job["status"] == "completed" {
            return job;
        }
        last = job;
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the job did not complete: {last}");
}

#[tokio::test]
async fn import_jobs_take_auth0s_form_and_report_totals_and_refused_lines() {
    let app = spawn_app().await;
    setup(&app).await;
    let admin = admin_token(&app, &["create:users", "read:users"]).await;
    let reader = admin_token(&app, &["read:users"]).await;
    let bcrypt = bcrypt::hash_with_result("old auth0 password", 4)
        .unwrap()
        .format_for_version(bcrypt::Version::TwoB);
    // Erin claims Dana's Auth0 id: whichever batch writes it, Erin is refused and not written.
    let file = format!(
        "{}\n{{not json\n{}\n{}\n{}\n",
        serde_json::json!({ "email": "dana@example.com", "email_verified": true, "user_id": "auth0|dana", "password_hash": bcrypt, "mfa_factors": [{ "totp": { "secret": "JBSWY3DPEHPK3PXP" } }] }),
        serde_json::json!({ "email": EMAIL, "name": "Ada L." }),
        serde_json::json!({ "email": "erin@example.com", "user_id": "auth0|dana" }),
        // A line of Auth0's password-hash export: `_id.$oid` and `passwordHash`.
        serde_json::json!({ "_id": { "$oid": "5dea0a1b2c3d4e5f6a7b8c9d" }, "email": "fay@example.com", "passwordHash": bcrypt, "connection": "Username-Password-Authentication" }),
    );
    // Out of order and bad input: no scope, no file, no connection.
    let (status, _) = post_job(&app, &reader, &[("connection_id", "con_1")], Some(&file)).await;
    assert_eq!(status, 403);
    let (status, err) = post_job(&app, &admin, &[("connection_id", "con_1")], None).await;
    assert_eq!(
        (status, err["errorCode"].as_str()),
        (400, Some("invalid_body")),
        "{err}"
    );
    let (status, _) = post_job(&app, &admin, &[], Some(&file)).await;
    assert_eq!(status, 400);
    let (status, _) = call(&app, &reader, "GET", "/api/v2/jobs/job_nope", None).await;
    assert_eq!(status, 404);

    // Without upsert, the address that has a user is refused; the new one is created.
    let (status, job) = post_job(
        &app,
        &admin,
        &[("connection_id", "con_1"), ("external_id", "batch-1")],
        Some(&file),
    )
    .await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(job["type"], "users_import");
    assert_eq!(job["external_id"], "batch-1");
    let id = job["id"].as_str().unwrap().to_string();
    let done = finished(&app, &reader, &id).await;
    assert_eq!(
        done["summary"],
        serde_json::json!({ "failed": 3, "updated": 0, "inserted": 2, "total": 5 })
    );
    assert!(
        app.store
            .user_by_email("erin@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(done["percentage_done"], 100);
    let (status, errors) = call(
        &app,
        &reader,
        "GET",
        &format!("/api/v2/jobs/{id}/errors"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(errors[0]["line"], 2);
    assert_eq!(errors[1]["line"], 3);
    assert_eq!(errors[1]["errors"][0]["code"], "DUPLICATED_USER");
    assert!(
        !errors.to_string().contains("not json"),
        "lines are never echoed"
    );
    let (status, fay) = call(
        &app,
        &reader,
        "GET",
        "/api/v2/users/auth0%7C5dea0a1b2c3d4e5f6a7b8c9d",
        None,
    )
    .await;
    assert_eq!(
        (status, fay["email"].as_str()),
        (200, Some("fay@example.com"))
    );
    let fay = app
        .store
        .user_by_email("fay@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(fay.password_hash.unwrap().starts_with("$2b$"));
    // The imported user is found by the Auth0 id.
    let (status, dana) = call(&app, &reader, "GET", "/api/v2/users/auth0%7Cdana", None).await;
    assert_eq!(
        (status, dana["email"].as_str()),
        (200, Some("dana@example.com"))
    );

    // With upsert, a second run updates Ada and adds nothing twice.
    let (status, job) = post_job(
        &app,
        &admin,
        &[("connection_id", "con_1"), ("upsert", "true")],
        Some(&file),
    )
    .await;
    assert_eq!(status, 202);
    let done = finished(&app, &reader, job["id"].as_str().unwrap()).await;
    assert_eq!(
        done["summary"],
        serde_json::json!({ "failed": 2, "updated": 3, "inserted": 0, "total": 5 })
    );
    let ada = app.store.user_by_email(EMAIL).await.unwrap().unwrap();
    assert_eq!(ada.name.as_deref(), Some("Ada L."));
    let dana = app
        .store
        .user_by_email("dana@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.store.factors(&dana.id).await.unwrap().len(), 1);
    assert_eq!(app.events("users.imported").await.len(), 2);
    app.stop().await;
}
