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
