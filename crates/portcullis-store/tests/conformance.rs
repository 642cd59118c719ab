//! One conformance suite, run against SQLite and PostgreSQL.
//!
//! PostgreSQL comes from `PORTCULLIS_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test gets its own schema.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use portcullis_core::audit::{self, Verdict};
use portcullis_core::crypto::aead::MasterKeys;
use portcullis_core::model::*;
use portcullis_core::ports::Store;
use portcullis_store::{SqlStore, StoreOptions};

struct Db {
    store: SqlStore,
    schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    async fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = SqlStore::connect(&StoreOptions::new(url)).await.unwrap();
        store.migrate().await.unwrap();
        Db {
            store,
            schema: None,
            _dir: Some(dir),
        }
    }

    async fn postgres() -> Db {
        let url = std::env::var("PORTCULLIS_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let schema = format!(
            "t_{}",
            portcullis_core::crypto::random::token()[..12]
                .to_lowercase()
                .replace('-', "_")
        );
        let mut options = StoreOptions::new(url);
        options.schema = Some(schema.clone());
        options.max_connections = 4;
        let store = SqlStore::connect(&options).await.unwrap();
        store.migrate().await.unwrap();
        Db {
            store,
            schema: Some(schema),
            _dir: None,
        }
    }

    async fn finish(self) {
        if let Some(s) = &self.schema {
            self.store.drop_schema(s).await.unwrap();
        }
        self.store.close().await;
    }
}

macro_rules! both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { let db = super::Db::sqlite().await; super::$name(&db.store).await; db.finish().await; })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { let db = super::Db::postgres().await; super::$name(&db.store).await; db.finish().await; })*
        }
    };
}

both_engines!(
    users_create_find_delete,
    users_duplicate_email_conflict,
    clients_apis_grants_bump_version,
    signing_keys_rotate_retires_previous,
    codes_spent_once_then_replayed,
    codes_concurrent_spend_exactly_one_fresh,
    refresh_rotation_and_family_revocation,
    refresh_rotate_in_one_transaction,
    sessions_live_revoke_and_clients,
    sessions_reauthenticate_swaps_token,
    pending_taken_once,
    audit_append_and_read,
    sweep_removes_expired,
    factors_crud_and_unique_credential,
    factors_totp_step_compare_and_set,
    factors_webauthn_counter_compare_and_set,
    recovery_codes_replace_and_spend_once,
    recovery_code_concurrent_spend_exactly_one,
    otp_attempts_capped_and_replaced,
    flows_taken_once,
    devices_rotate_and_revoke,
    failures_count_and_clear,
    sessions_proofs_round_trip,
    agents_noted_seen_and_swept,
    audit_chain_detects_alter_delete_insert_and_survives_pruning,
    users_page_update_metadata,
    clients_apis_update_and_delete,
    audit_search_filters_and_pages,
    users_deletion_schedule_cancel_and_claim_once,
    upstream_links_unique_and_cascade,
    rate_windows_count_restart_and_sweep,
    rate_windows_concurrent_hits_counted_once_each,
    sweep_in_batches_within_a_budget,
    sweep_forgets_idle_counters_and_unreferenced_revoked_families,
    leases_held_by_one_until_they_expire,
    upgrades_a_schema_a_later_version_migrated_is_served,
    refresh_rotations_at_once_each_spent_once,
    admin_roles_grant_replace_take_and_cascade,
    users_searched_by_email_or_name_prefix_in_pages,
    tenant_settings_stored_replaced_cleared_and_bump_the_version,
    sessions_keep_where_they_were_made_and_their_last_use,
    dashboard_counts_events_per_bucket_adoption_and_live_sessions,
    password_hash_replaced_only_over_the_one_checked,
    user_aliases_name_one_user_and_go_with_them,
    actions_stored_renamed_deleted_and_logins_counted,
    user_locales_set_replaced_cleared_and_go_with_the_user,
    client_logos_set_replaced_removed_and_go_with_the_client,
    client_settings_by_name_set_replaced_removed_and_go_with_the_client,
    client_keys_set_replaced_removed_and_go_with_the_client,
    client_grants_created_once_under_a_race,
    accounts_created_together_all_or_nothing,
);

/// A sweep budget that never stops a test's sweep.
const ALL: u64 = u64::MAX;

fn user(id: &str, email: &str) -> User {
    User {
        id: id.into(),
        email: email.into(),
        email_verified: false,
        name: Some("Ada".into()),
        password_hash: Some("$argon2id$x".into()),
        blocked: false,
        created_at: 100,
        last_login: None,
        user_metadata: serde_json::json!({}),
        app_metadata: serde_json::json!({}),
    }
}

fn sample_client() -> Client {
    Client {
        id: "c1".into(),
        name: "App".into(),
        secret_digest: Some("d".into()),
        redirect_uris: vec!["https://a/cb".into()],
        post_logout_redirect_uris: vec![],
        grant_types: vec!["authorization_code".into()],
        backchannel_logout_uri: None,
        first_party: true,
        signing_alg: "EdDSA".into(),
        policy: Default::default(),
        created_at: 1,
    }
}

fn grant(family: &str, session: &str) -> GrantContext {
    GrantContext {
        client_id: "c1".into(),
        user_id: "u1".into(),
        session_id: session.into(),
        scope: "openid offline_access".into(),
        audience: None,
        auth_time: 100,
        acr: "aal1".into(),
        amr: vec!["pwd".into()],
        family_id: family.into(),
        claims: Default::default(),
        jkt: None,
        x5t: None,
    }
}

/// A refresh token of family `family` in session `s1`, made at 100.
fn refresh_token(digest: &str, family: &str, expires_at: i64) -> RefreshToken {
    RefreshToken {
        digest: digest.into(),
        grant: grant(family, "s1"),
        created_at: 100,
        expires_at,
    }
}

fn session(id: &str) -> Session {
    Session {
        id: id.into(),
        user_id: "u1".into(),
        created_at: 100,
        auth_time: 100,
        acr: "aal1".into(),
        amr: vec!["pwd".into()],
        expires_at: 1000,
        clients: vec![],
        proofs: vec![],
        user_agent: None,
        ip: None,
        last_seen_at: None,
    }
}

async fn users_create_find_delete(s: &SqlStore) {
    s.create_user(&user("u1", "Ada@Example.com")).await.unwrap();
    let found = s.user_by_email("ada@example.COM").await.unwrap().unwrap();
    assert_eq!(found.id, "u1");
    assert_eq!(found.email, "ada@example.com");
    assert_eq!(found.name.as_deref(), Some("Ada"));
    assert!(!found.email_verified);
    s.set_last_login("u1", 150).await.unwrap();
    assert_eq!(
        s.user_by_id("u1").await.unwrap().unwrap().last_login,
        Some(150)
    );
    assert_eq!(s.list_users().await.unwrap().len(), 1);
    assert!(s.delete_user("u1").await.unwrap());
    assert!(!s.delete_user("u1").await.unwrap());
    assert!(s.user_by_id("u1").await.unwrap().is_none());
}

async fn users_duplicate_email_conflict(s: &SqlStore) {
    s.create_user(&user("u1", "a@example.com")).await.unwrap();
    let err = s
        .create_user(&user("u2", "A@example.com"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, portcullis_core::Error::Conflict(_)),
        "{err:?}"
    );
}

async fn clients_apis_grants_bump_version(s: &SqlStore) {
    let v0 = s.config_version().await.unwrap();
    let client = sample_client();
    s.create_client(&client).await.unwrap();
    assert_eq!(s.list_clients().await.unwrap(), vec![client.clone()]);
    let api = Api {
        id: "a1".into(),
        identifier: "https://api".into(),
        name: "API".into(),
        scopes: vec!["read".into()],
        token_ttl: 3600,
        signing_alg: Some("ES256".into()),
        policy: Default::default(),
        created_at: 1,
    };
    s.create_api(&api).await.unwrap();
    assert_eq!(
        s.list_apis().await.unwrap(),
        vec![api.clone()],
        "the algorithm too"
    );
    assert!(matches!(
        s.create_api(&api).await,
        Err(portcullis_core::Error::Conflict(_))
    ));
    let g = ClientGrant {
        client_id: "c1".into(),
        audience: "https://api".into(),
        scopes: vec!["read".into()],
    };
    s.put_client_grant(&g).await.unwrap();
    s.put_client_grant(&ClientGrant {
        scopes: vec![],
        ..g.clone()
    })
    .await
    .unwrap();
    assert_eq!(
        s.list_client_grants().await.unwrap()[0].scopes,
        Vec::<String>::new()
    );
    assert!(s.config_version().await.unwrap() >= v0 + 4);
    // Policy overrides are replaced whole, read back as set, and bump the version too.
    let mut policy = portcullis_core::policy::PolicyOverrides::default();
    policy.set("mfa=always").unwrap();
    policy.set("allowed_factors=webauthn,totp").unwrap();
    let v1 = s.config_version().await.unwrap();
    assert!(s.set_client_policy("c1", &policy).await.unwrap());
    assert!(!s.set_client_policy("nope", &policy).await.unwrap());
    assert!(s.set_api_policy("https://api", &policy).await.unwrap());
    assert!(!s.set_api_policy("https://nope", &policy).await.unwrap());
    assert_eq!(s.list_clients().await.unwrap()[0].policy, policy);
    assert_eq!(s.list_apis().await.unwrap()[0].policy, policy);
    assert!(s.config_version().await.unwrap() >= v1 + 2);
    assert!(s.delete_client("c1").await.unwrap());
    assert!(
        s.list_client_grants().await.unwrap().is_empty(),
        "grants cascade"
    );
}

async fn signing_keys_rotate_retires_previous(s: &SqlStore) {
    let key = |kid: &str, at| SigningKeyRecord {
        kid: kid.into(),
        alg: "EdDSA".into(),
        private_encrypted: vec![1, 2, 3, 0, 255],
        created_at: at,
        retired_at: None,
    };
    s.rotate_signing_key(&key("k1", 10), 10).await.unwrap();
    s.rotate_signing_key(&key("k2", 20), 20).await.unwrap();
    let keys = s.list_signing_keys().await.unwrap();
    assert_eq!(keys[0].kid, "k2");
    assert_eq!(keys[0].retired_at, None);
    assert_eq!(keys[1].retired_at, Some(20));
    assert_eq!(keys[1].private_encrypted, vec![1, 2, 3, 0, 255]);
    assert_eq!(s.purge_signing_keys(21).await.unwrap(), 1);
    assert_eq!(s.list_signing_keys().await.unwrap().len(), 1);
}

fn code(digest: &str) -> AuthCode {
    AuthCode {
        digest: digest.into(),
        redirect_uri: "https://a/cb".into(),
        nonce: Some("n".into()),
        code_challenge: None,
        grant: grant("f1", "s1"),
        expires_at: 500,
    }
}

async fn codes_spent_once_then_replayed(s: &SqlStore) {
    s.create_code(&code("d1")).await.unwrap();
    assert_eq!(
        s.spend_code("d1", 110).await.unwrap(),
        Spent::Fresh(code("d1"))
    );
    assert_eq!(
        s.spend_code("d1", 111).await.unwrap(),
        Spent::Replayed(code("d1"))
    );
    assert_eq!(s.spend_code("nope", 111).await.unwrap(), Spent::Missing);
}

async fn codes_concurrent_spend_exactly_one_fresh(s: &SqlStore) {
    s.create_code(&code("d2")).await.unwrap();
    let store = Arc::new(s.clone());
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let st = store.clone();
            tokio::spawn(async move { st.spend_code("d2", 120).await.unwrap() })
        })
        .collect();
    let mut fresh = 0;
    for t in tasks {
        if matches!(t.await.unwrap(), Spent::Fresh(_)) {
            fresh += 1;
        }
    }
    assert_eq!(fresh, 1);
}

async fn refresh_rotation_and_family_revocation(s: &SqlStore) {
    let rt = refresh_token("r1", "f1", 900);
    s.create_refresh_token(&rt).await.unwrap();
    assert!(s.refresh_token_grant("r1", 101).await.unwrap().is_some());
    assert_eq!(
        s.spend_refresh_token("r1", 101).await.unwrap(),
        Spent::Fresh(rt.clone())
    );
    assert_eq!(
        s.spend_refresh_token("r1", 102).await.unwrap(),
        Spent::Replayed(rt.clone())
    );
    let rt2 = RefreshToken {
        digest: "r2".into(),
        ..rt.clone()
    };
    s.create_refresh_token(&rt2).await.unwrap();
    s.record_access_token("j1", "f1", 900).await.unwrap();
    assert!(!s.access_token_revoked("j1").await.unwrap());
    s.revoke_family("f1", 103).await.unwrap();
    s.revoke_family("f1", 104).await.unwrap();
    assert!(s.family_revoked("f1").await.unwrap());
    assert_eq!(
        s.spend_refresh_token("r2", 105).await.unwrap(),
        Spent::Missing
    );
    assert!(s.access_token_revoked("j1").await.unwrap());
    s.record_access_token("j2", "f2", 900).await.unwrap();
    s.revoke_access_token("j2", 106).await.unwrap();
    assert!(s.access_token_revoked("j2").await.unwrap());
    let expired = RefreshToken {
        digest: "r3".into(),
        grant: grant("f3", "s1"),
        created_at: 100,
        expires_at: 200,
    };
    s.create_refresh_token(&expired).await.unwrap();
    assert_eq!(
        s.spend_refresh_token("r3", 200).await.unwrap(),
        Spent::Missing
    );
}

async fn sessions_live_revoke_and_clients(s: &SqlStore) {
    s.create_user(&user("u1", "a@example.com")).await.unwrap();
    s.create_session(&session("s1"), "tok1").await.unwrap();
    s.add_session_client("s1", "c1").await.unwrap();
    s.add_session_client("s1", "c1").await.unwrap();
    let live = s.session_by_token("tok1", 500).await.unwrap().unwrap();
    assert_eq!(live.clients, vec!["c1".to_string()]);
    assert_eq!(live.amr, vec!["pwd".to_string()]);
    assert!(
        s.session_by_token("tok1", 1000).await.unwrap().is_none(),
        "expired"
    );
    let rt = RefreshToken {
        digest: "r1".into(),
        grant: grant("f9", "s1"),
        created_at: 100,
        expires_at: 900,
    };
    s.create_refresh_token(&rt).await.unwrap();
    s.revoke_session("s1", 600).await.unwrap();
    assert!(s.session_by_id("s1", 601).await.unwrap().is_none());
    assert!(
        s.family_revoked("f9").await.unwrap(),
        "session revocation revokes its tokens"
    );
}

async fn pending_taken_once(s: &SqlStore) {
    let p = PendingAuthorization {
        id: "p1".into(),
        request: serde_json::json!({"a": 1}),
        expires_at: 300,
    };
    s.put_pending(&p).await.unwrap();
    assert_eq!(s.pending("p1", 100).await.unwrap(), Some(p.clone()));
    assert_eq!(s.take_pending("p1", 100).await.unwrap(), Some(p));
    assert_eq!(s.take_pending("p1", 100).await.unwrap(), None);
}

fn event(i: i64) -> AuditEvent {
    AuditEvent {
        at: i,
        kind: format!("k{i}"),
        user_id: Some("u1".into()),
        client_id: None,
        ip: Some("127.0.0.1".into()),
        user_agent: None,
        detail: serde_json::json!({"i": i, "b": [1, 2]}),
    }
}

fn audit_key() -> MasterKeys {
    MasterKeys::new(&[[7u8; 32]]).unwrap()
}

async fn audit_append_and_read(s: &SqlStore) {
    for i in 0..3 {
        audit::append(s, &audit_key(), &event(i)).await.unwrap();
    }
    let events = s.recent_audit(2).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].kind, "k2");
    assert_eq!(events[1].detail["i"], 1);
}

async fn audit_chain_detects_alter_delete_insert_and_survives_pruning(s: &SqlStore) {
    let key = audit_key();
    let verdict = || async { audit::verify(s, &audit_key()).await.unwrap() };
    let sql = |q: &'static str| async move { s.execute_raw(q).await.unwrap() };
    let intact = |events, checkpoint| Verdict::Intact {
        events,
        unchained: 0,
        checkpoint,
        sealed: true,
    };
    let broken_at = |v: Verdict| match v {
        Verdict::Broken { seq, .. } => seq,
        other => panic!("expected a broken chain, got {other:?}"),
    };
    for i in 0..6 {
        audit::append(s, &key, &event(i)).await.unwrap();
    }
    // Concurrent writers each get their own number.
    let store = Arc::new(s.clone());
    let writers: Vec<_> = (6..16)
        .map(|i| {
            let st = store.clone();
            tokio::spawn(async move { audit::append(st.as_ref(), &audit_key(), &event(i)).await })
        })
        .collect();
    for w in writers {
        w.await.unwrap().unwrap();
    }
    assert_eq!(verdict().await, intact(16, None));
    assert!(
        audit::verify(s, &MasterKeys::new(&[[8u8; 32]]).unwrap())
            .await
            .unwrap()
            != verdict().await,
        "another key"
    );

    // Altered content, then put back.
    sql("UPDATE audit_events SET kind = 'forged' WHERE seq = 3").await;
    assert_eq!(broken_at(verdict().await), 3);
    sql("UPDATE audit_events SET kind = 'k2' WHERE seq = 3").await;
    assert!(matches!(verdict().await, Verdict::Intact { .. }));
    // A row slipped in without a link, or with a made-up one.
    sql("INSERT INTO audit_events (at, kind, detail) VALUES (99, 'forged', '{}')").await;
    assert_eq!(broken_at(verdict().await), 17);
    sql("DELETE FROM audit_events WHERE kind = 'forged'").await;
    sql("INSERT INTO audit_events (at, kind, detail, seq, prev_hash, hash) VALUES (99, 'forged', '{}', 17, 'x', 'y')").await;
    assert_eq!(broken_at(verdict().await), 17);
    sql("DELETE FROM audit_events WHERE kind = 'forged'").await;
    assert!(matches!(verdict().await, Verdict::Intact { .. }));

    // Pruning the oldest events leaves a sealed checkpoint; the rest still verifies.
    assert_eq!(audit::prune(s, &key, 4, 1_000).await.unwrap(), 4);
    assert_eq!(verdict().await, intact(12, Some(4)));
    audit::append(s, &key, &event(16)).await.unwrap();
    assert_eq!(verdict().await, intact(13, Some(4)));
    // Moving the checkpoint breaks its seal.
    sql("UPDATE audit_checkpoint SET seq = 6").await;
    assert_eq!(broken_at(verdict().await), 6);
    sql("UPDATE audit_checkpoint SET seq = 4").await;
    // The newest events removed: no gap to find, but the sealed head tells.
    sql("DELETE FROM audit_events WHERE seq >= 16").await;
    assert_eq!(broken_at(verdict().await), 16);
    // A forged seal for the shortened trail does not help without the key.
    sql("UPDATE audit_seal SET seq = 15").await;
    assert_eq!(broken_at(verdict().await), 15);
    // A deleted row in the middle: the gap is found where it was.
    sql("DELETE FROM audit_events WHERE seq = 9").await;
    assert_eq!(broken_at(verdict().await), 9);
    // And a broken chain is never pruned away.
    assert!(audit::prune(s, &key, 100, 2_000).await.is_err());
}

async fn sweep_removes_expired(s: &SqlStore) {
    s.create_code(&code("d1")).await.unwrap();
    let p = PendingAuthorization {
        id: "p1".into(),
        request: serde_json::json!({}),
        expires_at: 300,
    };
    s.put_pending(&p).await.unwrap();
    assert_eq!(s.sweep_expired(400, 0, ALL).await.unwrap(), 1);
    assert_eq!(s.sweep_expired(600, 0, ALL).await.unwrap(), 1);
    assert_eq!(s.spend_code("d1", 601).await.unwrap(), Spent::Missing);
}

async fn sessions_reauthenticate_swaps_token(s: &SqlStore) {
    s.create_user(&user("u1", "a@example.com")).await.unwrap();
    s.create_session(&session("s1"), "tok1").await.unwrap();
    let mut again = session("s1");
    again.auth_time = 300;
    again.acr = "aal2".into();
    again.amr = vec!["pwd".into(), "otp".into(), "mfa".into()];
    s.reauthenticate_session(&again, "tok2").await.unwrap();
    assert!(
        s.session_by_token("tok1", 400).await.unwrap().is_none(),
        "old cookie token dead"
    );
    assert_eq!(
        s.session_by_token("tok2", 400).await.unwrap().unwrap(),
        again
    );
    s.revoke_session("s1", 500).await.unwrap();
    assert!(
        s.reauthenticate_session(&again, "tok3").await.is_err(),
        "revoked sessions stay ended"
    );
}

async fn refresh_rotate_in_one_transaction(s: &SqlStore) {
    let rt = refresh_token("r1", "f1", 900);
    s.create_refresh_token(&rt).await.unwrap();
    let next = RefreshToken {
        digest: "r2".into(),
        ..rt.clone()
    };
    assert_eq!(
        s.rotate_refresh_token("r1", 101, &next, "j1", 500)
            .await
            .unwrap(),
        Spent::Fresh(rt.clone())
    );
    assert!(
        s.refresh_token_grant("r2", 102).await.unwrap().is_some(),
        "successor stored"
    );
    let third = RefreshToken {
        digest: "r3".into(),
        ..rt.clone()
    };
    assert_eq!(
        s.rotate_refresh_token("r1", 103, &third, "j2", 500)
            .await
            .unwrap(),
        Spent::Replayed(rt.clone())
    );
    assert!(
        s.refresh_token_grant("r3", 104).await.unwrap().is_none(),
        "no successor for a replay"
    );
    s.revoke_family("f1", 105).await.unwrap();
    assert!(
        s.access_token_revoked("j1").await.unwrap(),
        "access token recorded in the family"
    );
    assert!(
        !s.access_token_revoked("j2").await.unwrap(),
        "nothing recorded for the replay"
    );
    assert_eq!(
        s.rotate_refresh_token("nope", 106, &third, "j3", 500)
            .await
            .unwrap(),
        Spent::Missing
    );
}

fn factor(id: &str, kind: portcullis_core::factor::FactorKind, cred: Option<&str>) -> Factor {
    Factor {
        id: id.into(),
        user_id: "u1".into(),
        kind,
        name: "Phone".into(),
        secret_enc: Some(vec![1, 2, 3]),
        target: None,
        credential_id: cred.map(Into::into),
        detail: serde_json::json!({"uv": true}),
        sign_count: 0,
        last_step: None,
        active: true,
        created_at: 100,
        last_used_at: None,
    }
}

async fn factors_crud_and_unique_credential(s: &SqlStore) {
    use portcullis_core::factor::FactorKind;
    s.create_user(&user("u1", "a@x.test")).await.unwrap();
    s.create_factor(&factor("f1", FactorKind::Totp, None))
        .await
        .unwrap();
    s.create_factor(&factor("f2", FactorKind::Webauthn, Some("cred1")))
        .await
        .unwrap();
    let dup = s
        .create_factor(&factor("f3", FactorKind::Webauthn, Some("cred1")))
        .await;
    assert!(matches!(dup, Err(portcullis_core::Error::Conflict(_))));
    let all = s.factors("u1").await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].secret_enc.as_deref(), Some(&[1u8, 2, 3][..]));
    assert_eq!(
        s.factor_by_credential("cred1").await.unwrap().unwrap().id,
        "f2"
    );
    assert!(s.rename_factor("u1", "f1", "Work phone").await.unwrap());
    assert!(!s.rename_factor("u2", "f1", "Stolen").await.unwrap());
    assert_eq!(s.factor("f1").await.unwrap().unwrap().name, "Work phone");
    assert!(!s.delete_factor("u2", "f1").await.unwrap());
    assert!(s.delete_factor("u1", "f1").await.unwrap());
    assert!(s.factor("f1").await.unwrap().is_none());
    s.touch_factor("f2", 500).await.unwrap();
    assert_eq!(
        s.factor("f2").await.unwrap().unwrap().last_used_at,
        Some(500)
    );
    // Deleting the user takes the factors with it.
    s.delete_user("u1").await.unwrap();
    assert!(s.factor("f2").await.unwrap().is_none());
}

async fn factors_totp_step_compare_and_set(s: &SqlStore) {
    use portcullis_core::factor::FactorKind;
    s.create_user(&user("u1", "a@x.test")).await.unwrap();
    s.create_factor(&factor("f1", FactorKind::Totp, None))
        .await
        .unwrap();
    assert!(s.use_totp_step("f1", 10, 300).await.unwrap());
    assert!(!s.use_totp_step("f1", 10, 301).await.unwrap());
    assert!(!s.use_totp_step("f1", 9, 301).await.unwrap());
    assert!(s.use_totp_step("f1", 11, 330).await.unwrap());
    let f = s.factor("f1").await.unwrap().unwrap();
    assert_eq!((f.last_step, f.last_used_at), (Some(11), Some(330)));
    // Racing submissions of one step: exactly one wins.
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.use_totp_step("f1", 12, 360).await.unwrap() })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.unwrap());
    }
    assert_eq!(wins, 1);
}

async fn factors_webauthn_counter_compare_and_set(s: &SqlStore) {
    use portcullis_core::factor::FactorKind;
    s.create_user(&user("u1", "a@x.test")).await.unwrap();
    s.create_factor(&factor("f1", FactorKind::Webauthn, Some("c")))
        .await
        .unwrap();
    let detail = serde_json::json!({"backed_up": true});
    assert!(
        s.update_webauthn_factor("f1", 0, 5, &[9], &detail, 200)
            .await
            .unwrap()
    );
    assert!(
        !s.update_webauthn_factor("f1", 0, 6, &[9], &detail, 201)
            .await
            .unwrap()
    );
    let f = s.factor("f1").await.unwrap().unwrap();
    assert_eq!(
        (f.sign_count, f.secret_enc, f.detail),
        (5, Some(vec![9]), detail)
    );
}

async fn recovery_codes_replace_and_spend_once(s: &SqlStore) {
    s.create_user(&user("u1", "a@x.test")).await.unwrap();
    let set1: Vec<String> = (0..10).map(|i| format!("a{i}")).collect();
    s.replace_recovery_codes("u1", &set1, 100).await.unwrap();
    assert_eq!(s.recovery_codes_left("u1").await.unwrap(), 10);
    assert!(s.use_recovery_code("u1", "a3", 101).await.unwrap());
    assert!(!s.use_recovery_code("u1", "a3", 102).await.unwrap());
    assert!(!s.use_recovery_code("u2", "a4", 102).await.unwrap());
    assert_eq!(s.recovery_codes_left("u1").await.unwrap(), 9);
    let set2: Vec<String> = (0..10).map(|i| format!("b{i}")).collect();
    s.replace_recovery_codes("u1", &set2, 200).await.unwrap();
    assert!(
        !s.use_recovery_code("u1", "a4", 201).await.unwrap(),
        "old set dies"
    );
    assert_eq!(s.recovery_codes_left("u1").await.unwrap(), 10);
}

async fn recovery_code_concurrent_spend_exactly_one(s: &SqlStore) {
    s.create_user(&user("u1", "a@x.test")).await.unwrap();
    s.replace_recovery_codes("u1", &["c1".to_string()], 100)
        .await
        .unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.use_recovery_code("u1", "c1", 101).await.unwrap() })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.unwrap());
    }
    assert_eq!(wins, 1);
}

fn otp(id: &str, dest: &str) -> OneTimeCode {
    OneTimeCode {
        id: id.into(),
        user_id: Some("u1".into()),
        purpose: "mfa".into(),
        channel: "email".into(),
        destination: dest.into(),
        digest: format!("d-{id}"),
        attempts: 0,
        data: serde_json::json!({}),
        created_at: 100,
        expires_at: 700,
    }
}

async fn otp_attempts_capped_and_replaced(s: &SqlStore) {
    s.put_otp(&otp("o1", "a@x.test")).await.unwrap();
    for n in 1..=5 {
        let c = s.otp_attempt("o1", 200, 5).await.unwrap().unwrap();
        assert_eq!(c.attempts, n);
    }
    assert!(
        s.otp_attempt("o1", 200, 5).await.unwrap().is_none(),
        "out of guesses"
    );
    // A new code for the same purpose and destination replaces the old one.
    s.put_otp(&otp("o2", "a@x.test")).await.unwrap();
    s.put_otp(&otp("o3", "b@x.test")).await.unwrap();
    assert!(s.otp_attempt("o1", 200, 50).await.unwrap().is_none());
    assert!(s.otp_attempt("o2", 200, 5).await.unwrap().is_some());
    assert!(
        s.otp_attempt("o2", 800, 5).await.unwrap().is_none(),
        "expired"
    );
    assert!(s.spend_otp("o2", 300).await.unwrap());
    assert!(!s.spend_otp("o2", 300).await.unwrap());
    assert!(
        s.otp_attempt("o2", 300, 5).await.unwrap().is_none(),
        "spent"
    );
    let link = s.spend_otp_by_digest("d-o3", 300).await.unwrap().unwrap();
    assert_eq!(link.destination, "b@x.test");
    assert!(s.spend_otp_by_digest("d-o3", 300).await.unwrap().is_none());
}

async fn flows_taken_once(s: &SqlStore) {
    let f = Flow {
        id: "fl1".into(),
        kind: "mfa_login".into(),
        user_id: Some("u1".into()),
        data: serde_json::json!({"step": 1}),
        expires_at: 500,
    };
    s.put_flow(&f).await.unwrap();
    assert_eq!(s.flow("fl1", 100).await.unwrap().unwrap(), f);
    assert!(s.flow("fl1", 600).await.unwrap().is_none());
    assert!(
        s.update_flow("fl1", &serde_json::json!({"step": 2}), 100)
            .await
            .unwrap()
    );
    let taken = s.take_flow("fl1", 100).await.unwrap().unwrap();
    assert_eq!(taken.data["step"], 2);
    assert!(s.take_flow("fl1", 100).await.unwrap().is_none());
    assert!(
        !s.update_flow("fl1", &serde_json::json!({}), 100)
            .await
            .unwrap()
    );
}

async fn devices_rotate_and_revoke(s: &SqlStore) {
    s.create_user(&user("u1", "a@x.test")).await.unwrap();
    for (id, at) in [("d1", 100), ("d2", 200)] {
        s.create_device(&Device {
            id: id.into(),
            user_id: "u1".into(),
            token_digest: format!("t-{id}"),
            label: "Firefox on Linux".into(),
            created_at: at,
            last_used_at: None,
            expires_at: 10_000,
        })
        .await
        .unwrap();
    }
    assert!(
        s.rotate_device("d1", "wrong", "t2", 300)
            .await
            .unwrap()
            .is_none()
    );
    let d = s
        .rotate_device("d1", "t-d1", "t-d1b", 300)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.last_used_at, Some(300));
    assert!(
        s.rotate_device("d1", "t-d1", "t-x", 301)
            .await
            .unwrap()
            .is_none(),
        "old token dead"
    );
    assert!(
        s.rotate_device("d1", "t-d1b", "t-d1c", 20_000)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    let list = s.devices("u1", 400).await.unwrap();
    assert_eq!(
        list.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        ["d2", "d1"]
    );
    assert!(s.revoke_device("u1", "d2", 500).await.unwrap());
    assert!(!s.revoke_device("u1", "d2", 500).await.unwrap());
    assert_eq!(s.revoke_devices("u1", 600).await.unwrap(), 1);
    assert!(s.devices("u1", 700).await.unwrap().is_empty());
    assert!(
        s.rotate_device("d1", "t-d1b", "t-d1c", 700)
            .await
            .unwrap()
            .is_none()
    );
}

async fn failures_count_and_clear(s: &SqlStore) {
    assert_eq!(s.failures("k").await.unwrap(), Failures::default());
    for n in 1..=3 {
        let f = s.record_failure("k", 100 + n).await.unwrap();
        assert_eq!((f.count, f.last_at), (n, 100 + n));
    }
    assert_eq!(s.failures("k").await.unwrap().count, 3);
    assert_eq!(s.failures("other").await.unwrap().count, 0);
    s.clear_failures("k").await.unwrap();
    assert_eq!(s.failures("k").await.unwrap().count, 0);
}

async fn sessions_proofs_round_trip(s: &SqlStore) {
    use portcullis_core::authn::assurance::{Method, Proof};
    s.create_user(&user("u1", "a@x.test")).await.unwrap();
    let mut sess = session("s1");
    sess.prove([Proof::new(Method::Password, 100, None)]);
    s.create_session(&sess, "tok1").await.unwrap();
    sess.prove([Proof::new(Method::Totp, 160, Some("f1".into()))]);
    s.reauthenticate_session(&sess, "tok2").await.unwrap();
    let back = s.session_by_id("s1", 200).await.unwrap().unwrap();
    assert_eq!(back.proofs.len(), 2);
    assert_eq!((back.acr.as_str(), back.auth_time), ("aal2", 160));
    assert_eq!(back.amr, ["pwd", "otp", "mfa"]);
    let mine = s.user_sessions("u1", 200).await.unwrap();
    assert_eq!(mine.len(), 1);
}

async fn agents_noted_seen_and_swept(s: &SqlStore) {
    s.create_user(&user("u1", "a@example.com")).await.unwrap();
    assert!(!s.agent_seen("u1", "ua-1", 0).await.unwrap());
    s.note_agent("u1", "ua-1", 1_000).await.unwrap();
    s.note_agent("u1", "ua-1", 2_000).await.unwrap();
    assert!(
        s.agent_seen("u1", "ua-1", 1_500).await.unwrap(),
        "last seen moved"
    );
    assert!(!s.agent_seen("u1", "ua-1", 2_001).await.unwrap());
    assert!(!s.agent_seen("u1", "ua-2", 0).await.unwrap());
    assert!(!s.agent_seen("u2", "ua-1", 0).await.unwrap(), "per user");
    s.sweep_expired(2_000 + 366 * 86_400, 0, ALL).await.unwrap();
    assert!(
        !s.agent_seen("u1", "ua-1", 0).await.unwrap(),
        "forgotten after a year"
    );
    s.note_agent("u1", "ua-3", 5).await.unwrap();
    assert!(s.delete_user("u1").await.unwrap());
    assert!(
        !s.agent_seen("u1", "ua-3", 0).await.unwrap(),
        "gone with the user"
    );
}

async fn users_page_update_metadata(s: &SqlStore) {
    for i in 0..5 {
        let mut u = user(&format!("u{i}"), &format!("p{i}@example.com"));
        u.created_at = 100 + i;
        s.create_user(&u).await.unwrap();
    }
    let (page, total) = s.users_page(None, 1, 2).await.unwrap();
    assert_eq!(total, 5);
    assert_eq!(
        page.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        ["u1", "u2"]
    );
    let (one, total) = s.users_page(Some(" P3@Example.com"), 0, 10).await.unwrap();
    assert_eq!((one.len(), total, one[0].id.as_str()), (1, 1, "u3"));
    let mut u = one[0].clone();
    u.user_metadata = serde_json::json!({"theme": "dark", "n": [1, 2]});
    u.app_metadata = serde_json::json!({"plan": "pro"});
    u.blocked = true;
    u.email = "New@Example.com".into();
    assert!(s.update_user(&u).await.unwrap());
    let back = s.user_by_id("u3").await.unwrap().unwrap();
    assert_eq!(back.email, "new@example.com");
    assert_eq!(back.user_metadata, u.user_metadata);
    assert_eq!(back.app_metadata, u.app_metadata);
    assert!(back.blocked);
    // Another user's email is refused and changes nothing.
    let mut clash = back.clone();
    clash.email = "p0@example.com".into();
    assert!(matches!(
        s.update_user(&clash).await,
        Err(portcullis_core::Error::Conflict(_))
    ));
    assert_eq!(s.user_by_id("u3").await.unwrap().unwrap(), back);
    assert!(
        !s.update_user(&user("nobody", "x@example.com"))
            .await
            .unwrap()
    );
}

async fn clients_apis_update_and_delete(s: &SqlStore) {
    let client = sample_client();
    s.create_client(&client).await.unwrap();
    let v0 = s.config_version().await.unwrap();
    let changed = Client {
        name: "Renamed".into(),
        secret_digest: Some("d2".into()),
        backchannel_logout_uri: Some("https://a/bcl".into()),
        grant_types: vec!["client_credentials".into()],
        ..client.clone()
    };
    assert!(s.update_client(&changed).await.unwrap());
    assert!(
        !s.update_client(&Client {
            id: "nope".into(),
            ..client.clone()
        })
        .await
        .unwrap()
    );
    let listed = s.list_clients().await.unwrap();
    assert_eq!(listed[0].name, "Renamed");
    assert_eq!(listed[0].secret_digest.as_deref(), Some("d2"));
    assert_eq!(
        listed[0].backchannel_logout_uri.as_deref(),
        Some("https://a/bcl")
    );
    let api = Api {
        id: "a1".into(),
        identifier: "https://api".into(),
        name: "API".into(),
        scopes: vec!["read".into()],
        token_ttl: 3600,
        signing_alg: None,
        policy: Default::default(),
        created_at: 1,
    };
    s.create_api(&api).await.unwrap();
    let api2 = Api {
        name: "Payments".into(),
        scopes: vec!["read".into(), "write".into()],
        token_ttl: 300,
        ..api.clone()
    };
    assert!(s.update_api(&api2).await.unwrap());
    assert_eq!(s.list_apis().await.unwrap(), vec![api2.clone()]);
    s.put_client_grant(&ClientGrant {
        client_id: "c1".into(),
        audience: "https://api".into(),
        scopes: vec!["read".into()],
    })
    .await
    .unwrap();
    assert!(s.delete_client_grant("c1", "https://api").await.unwrap());
    assert!(!s.delete_client_grant("c1", "https://api").await.unwrap());
    s.put_client_grant(&ClientGrant {
        client_id: "c1".into(),
        audience: "https://api".into(),
        scopes: vec![],
    })
    .await
    .unwrap();
    assert!(s.delete_api("a1").await.unwrap());
    assert!(!s.delete_api("a1").await.unwrap());
    assert!(s.list_apis().await.unwrap().is_empty());
    assert!(
        s.list_client_grants().await.unwrap().is_empty(),
        "grants on a deleted API go with it"
    );
    assert!(s.config_version().await.unwrap() >= v0 + 5);
}

async fn audit_search_filters_and_pages(s: &SqlStore) {
    let kinds = [
        "factor.enrolled",
        "factor.removed",
        "login.success",
        "factor_x",
    ];
    for (i, kind) in kinds.iter().enumerate() {
        let mut e = event(10 * i as i64);
        e.kind = (*kind).into();
        e.user_id = Some(if i == 2 { "u2" } else { "u1" }.into());
        audit::append(s, &audit_key(), &e).await.unwrap();
    }
    let all = |q: AuditQuery| AuditQuery { limit: 10, ..q };
    let (rows, total) = s.search_audit(&all(AuditQuery::default())).await.unwrap();
    assert_eq!(total, 4);
    assert_eq!(rows[0].event.kind, "factor_x", "newest first");
    assert!(rows[0].id > rows[1].id);
    let (rows, total) = s
        .search_audit(&all(AuditQuery {
            kind: Some("factor.".into()),
            ..Default::default()
        }))
        .await
        .unwrap();
    assert_eq!(total, 2, "a prefix ending in a dot matches its family only");
    assert!(rows.iter().all(|r| r.event.kind.starts_with("factor.")));
    let (rows, _) = s
        .search_audit(&all(AuditQuery {
            kind: Some("login.success".into()),
            user_id: Some("u2".into()),
            ..Default::default()
        }))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let (rows, total) = s
        .search_audit(&all(AuditQuery {
            from: Some(10),
            to: Some(30),
            user_id: Some("u1".into()),
            ..Default::default()
        }))
        .await
        .unwrap();
    assert_eq!((rows.len(), total), (1, 1));
    assert_eq!(rows[0].event.kind, "factor.removed");
    let (one, _) = s
        .search_audit(&all(AuditQuery {
            id: Some(rows[0].id),
            ..Default::default()
        }))
        .await
        .unwrap();
    assert_eq!(one, rows);
    let (rows, total) = s
        .search_audit(&AuditQuery {
            offset: 1,
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 4);
    assert_eq!(
        rows.iter()
            .map(|r| r.event.kind.as_str())
            .collect::<Vec<_>>(),
        ["login.success", "factor.removed"]
    );
    // Keyset paging: only rows older than a row id.
    let (all_rows, _) = s
        .search_audit(&AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let (older, older_total) = s
        .search_audit(&AuditQuery {
            before_id: Some(all_rows[1].id),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(older_total, 2);
    assert_eq!(older, all_rows[2..].to_vec());
}

async fn users_deletion_schedule_cancel_and_claim_once(s: &SqlStore) {
    s.create_user(&user("u1", "a@example.com")).await.unwrap();
    s.create_user(&user("u2", "b@example.com")).await.unwrap();
    assert!(!s.schedule_user_deletion("nobody", 10).await.unwrap());
    assert!(
        !s.cancel_user_deletion("u1").await.unwrap(),
        "nothing pending"
    );
    assert!(s.schedule_user_deletion("u1", 200).await.unwrap());
    assert!(s.schedule_user_deletion("u2", 100).await.unwrap());
    assert!(s.users_due_for_deletion(99, 10).await.unwrap().is_empty());
    assert_eq!(
        s.users_due_for_deletion(200, 10).await.unwrap(),
        ["u2", "u1"]
    );
    assert_eq!(s.users_due_for_deletion(200, 1).await.unwrap(), ["u2"]);
    // Not due yet: nobody claims it; a cancel takes it off the list.
    assert!(!s.claim_user_deletion("u1", 150).await.unwrap());
    assert!(s.cancel_user_deletion("u1").await.unwrap());
    assert!(!s.claim_user_deletion("u1", 300).await.unwrap());
    // Due: exactly one of racing claims wins, and a late cancel finds nothing.
    let (a, b) = tokio::join!(
        s.claim_user_deletion("u2", 100),
        s.claim_user_deletion("u2", 100)
    );
    assert!(a.unwrap() ^ b.unwrap());
    assert!(!s.cancel_user_deletion("u2").await.unwrap());
    assert!(s.users_due_for_deletion(1000, 10).await.unwrap().is_empty());
    assert!(
        s.user_by_id("u2").await.unwrap().is_some(),
        "claiming deletes nothing"
    );
}

async fn upstream_links_unique_and_cascade(s: &SqlStore) {
    s.create_user(&user("u1", "ada@example.com")).await.unwrap();
    let link = UpstreamIdentity {
        provider: "google".into(),
        subject: "1234".into(),
        user_id: "u1".into(),
        email: Some("ada@example.com".into()),
        created_at: 100,
    };
    assert!(
        s.upstream_identity("google", "1234")
            .await
            .unwrap()
            .is_none()
    );
    s.link_upstream(&link).await.unwrap();
    assert_eq!(
        s.upstream_identity("google", "1234").await.unwrap(),
        Some(link.clone())
    );
    assert!(
        s.upstream_identity("github", "1234")
            .await
            .unwrap()
            .is_none()
    );
    let again = s.link_upstream(&link).await;
    assert!(
        matches!(again, Err(portcullis_core::Error::Conflict(_))),
        "{again:?}"
    );
    let github = UpstreamIdentity {
        provider: "github".into(),
        email: None,
        created_at: 101,
        ..link.clone()
    };
    s.link_upstream(&github).await.unwrap();
    assert_eq!(s.upstream_identities("u1").await.unwrap().len(), 2);
    // Unlinking takes one link of that user only, once.
    assert!(!s.unlink_upstream("u2", "github", "1234").await.unwrap());
    assert!(s.unlink_upstream("u1", "github", "1234").await.unwrap());
    assert!(!s.unlink_upstream("u1", "github", "1234").await.unwrap());
    assert_eq!(s.upstream_identities("u1").await.unwrap().len(), 1);
    s.link_upstream(&github).await.unwrap();
    assert!(s.delete_user("u1").await.unwrap());
    assert!(
        s.upstream_identity("google", "1234")
            .await
            .unwrap()
            .is_none()
    );
    assert!(s.upstream_identities("u1").await.unwrap().is_empty());
}

async fn rate_windows_count_restart_and_sweep(s: &SqlStore) {
    for n in 1..=3 {
        assert_eq!(s.count_hit("login:10.0.0.1", 120, 180).await.unwrap(), n);
    }
    assert_eq!(s.count_hit("factor:10.0.0.1", 120, 180).await.unwrap(), 1);
    // The next window starts again at one.
    assert_eq!(s.count_hit("login:10.0.0.1", 180, 240).await.unwrap(), 1);
    assert_eq!(
        s.sweep_expired(200, 0, ALL).await.unwrap(),
        1,
        "the factor window"
    );
    assert_eq!(
        s.sweep_expired(240, 0, ALL).await.unwrap(),
        1,
        "the login window"
    );
}

async fn rate_windows_concurrent_hits_counted_once_each(s: &SqlStore) {
    let s = Arc::new(s.clone());
    let tasks: Vec<_> = (0..80)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.count_hit("login:10.0.0.9", 60, 120).await.unwrap() })
        })
        .collect();
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(t.await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (1..=80).collect::<Vec<i64>>(),
        "each hit its own count"
    );
}

async fn sweep_in_batches_within_a_budget(s: &SqlStore) {
    for n in 0..1_200 {
        s.record_access_token(&format!("j{n}"), "f1", 100)
            .await
            .unwrap();
    }
    s.record_access_token("live", "f1", 900).await.unwrap();
    // Batches of 500: a budget of 700 stops after the second batch.
    assert_eq!(s.sweep_expired(200, 0, 700).await.unwrap(), 1_000);
    assert_eq!(s.sweep_expired(200, 0, ALL).await.unwrap(), 200);
    assert_eq!(s.sweep_expired(200, 0, ALL).await.unwrap(), 0);
    assert!(!s.access_token_revoked("live").await.unwrap());
}

async fn sweep_forgets_idle_counters_and_unreferenced_revoked_families(s: &SqlStore) {
    s.record_failure("old", 100).await.unwrap();
    s.record_failure("recent", 500).await.unwrap();
    let rt = refresh_token("r1", "f1", 900);
    s.create_refresh_token(&rt).await.unwrap();
    s.record_access_token("j1", "f1", 400).await.unwrap();
    s.revoke_family("f1", 200).await.unwrap();
    s.revoke_family("f2", 200).await.unwrap();
    // f2 has no token left: it goes; f1 stays while its tokens could still be presented.
    assert_eq!(s.sweep_expired(300, 300, ALL).await.unwrap(), 2);
    assert_eq!(s.failures("old").await.unwrap().count, 0);
    assert_eq!(s.failures("recent").await.unwrap().count, 1);
    assert!(s.family_revoked("f1").await.unwrap());
    assert!(!s.family_revoked("f2").await.unwrap());
    // Its access token expires, then its refresh token: then f1 goes too.
    assert_eq!(s.sweep_expired(500, 0, ALL).await.unwrap(), 1);
    assert!(s.family_revoked("f1").await.unwrap());
    assert_eq!(s.sweep_expired(900, 0, ALL).await.unwrap(), 2);
    assert!(!s.family_revoked("f1").await.unwrap());
}

async fn leases_held_by_one_until_they_expire(s: &SqlStore) {
    assert!(s.take_lease("sweep", "a", 100, 160).await.unwrap());
    assert!(!s.take_lease("sweep", "b", 110, 170).await.unwrap());
    assert!(
        s.take_lease("sweep", "a", 150, 210).await.unwrap(),
        "renewed"
    );
    assert!(!s.take_lease("sweep", "b", 200, 260).await.unwrap());
    assert!(
        s.take_lease("other", "b", 200, 260).await.unwrap(),
        "per name"
    );
    assert!(
        s.take_lease("sweep", "b", 210, 270).await.unwrap(),
        "expired"
    );
    assert!(!s.take_lease("sweep", "a", 220, 280).await.unwrap());
    // Eighty nodes at once: one holder.
    let s = Arc::new(s.clone());
    let tasks: Vec<_> = (0..80)
        .map(|n| {
            let s = s.clone();
            tokio::spawn(async move {
                s.take_lease("race", &format!("n{n}"), 300, 360)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut holders = 0;
    for t in tasks {
        holders += usize::from(t.await.unwrap());
    }
    assert_eq!(holders, 1);
}

async fn upgrades_a_schema_a_later_version_migrated_is_served(s: &SqlStore) {
    // What a later version's expand migration leaves behind: a new column, a new table, and its
    // row in the migration history. This version starts on it (a rolling upgrade's old node).
    let checksum = match s.engine() {
        portcullis_store::Engine::Sqlite => "X'00'",
        portcullis_store::Engine::Postgres => "decode('00', 'hex')",
    };
    for sql in [
        "ALTER TABLE users ADD COLUMN later_column TEXT".to_string(),
        "CREATE TABLE later_table (id TEXT PRIMARY KEY)".to_string(),
        format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (99990101000000, 'later', TRUE, {checksum}, 0)"
        ),
    ] {
        s.execute_raw(&sql).await.unwrap();
    }
    s.migrate().await.unwrap();
    users_create_find_delete(s).await;
    refresh_rotation_and_family_revocation(s).await;
}

async fn refresh_rotations_at_once_each_spent_once(s: &SqlStore) {
    // Eighty families rotating at once (SQLite commits them in groups), and eighty rotations of
    // one more token among them: every family once, the shared token once.
    for n in 0..80 {
        s.create_refresh_token(&refresh_token(&format!("old{n}"), &format!("f{n}"), 900))
            .await
            .unwrap();
    }
    s.create_refresh_token(&refresh_token("shared", "fs", 900))
        .await
        .unwrap();
    let s = Arc::new(s.clone());
    let mut tasks = Vec::new();
    for n in 0..160 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let (old, family) = match n % 2 {
                0 => (format!("old{}", n / 2), format!("f{}", n / 2)),
                _ => ("shared".to_string(), "fs".to_string()),
            };
            let next = refresh_token(&format!("new{n}"), &family, 900);
            let spent = s
                .rotate_refresh_token(&old, 101, &next, &format!("j{n}"), 500)
                .await
                .unwrap();
            (n, spent)
        }));
    }
    let mut shared_fresh = 0;
    for t in tasks {
        let (n, spent) = t.await.unwrap();
        let fresh = matches!(spent, Spent::Fresh(_));
        if n % 2 == 0 {
            assert!(fresh, "family {} rotated", n / 2);
        } else if fresh {
            shared_fresh += 1;
        } else {
            assert!(matches!(spent, Spent::Replayed(_)), "{spent:?}");
        }
        // A successor exists exactly when the rotation won.
        let stored = s
            .refresh_token_grant(&format!("new{n}"), 102)
            .await
            .unwrap()
            .is_some();
        assert_eq!(stored, fresh, "successor of {n}");
    }
    assert_eq!(shared_fresh, 1);
}

async fn admin_roles_grant_replace_take_and_cascade(s: &SqlStore) {
    s.create_user(&user("u1", "ada@example.com")).await.unwrap();
    assert_eq!(s.admin_role("u1").await.unwrap(), None);
    assert!(s.set_admin_role("u1", Some("support"), 10).await.unwrap());
    assert_eq!(
        s.admin_role("u1").await.unwrap().as_deref(),
        Some("support")
    );
    assert!(s.set_admin_role("u1", Some("admin"), 11).await.unwrap());
    assert_eq!(s.admin_role("u1").await.unwrap().as_deref(), Some("admin"));
    assert!(
        !s.set_admin_role("nobody", Some("admin"), 12).await.unwrap(),
        "no role for a user who does not exist"
    );
    assert_eq!(s.admin_role("nobody").await.unwrap(), None);
    assert!(s.set_admin_role("u1", None, 13).await.unwrap());
    assert_eq!(s.admin_role("u1").await.unwrap(), None);
    assert!(s.set_admin_role("u1", Some("auditor"), 14).await.unwrap());
    s.delete_user("u1").await.unwrap();
    s.create_user(&user("u1", "ada@example.com")).await.unwrap();
    assert_eq!(
        s.admin_role("u1").await.unwrap(),
        None,
        "a deleted user's role goes with them"
    );
}

async fn users_searched_by_email_or_name_prefix_in_pages(s: &SqlStore) {
    for (id, email, name) in [
        ("u1", "ada@example.com", Some("Ada Lovelace")),
        ("u2", "adam@example.com", Some("adam smith")),
        ("u3", "ad_min@example.com", Some("Ada Byron")),
        ("u4", "bob@example.com", None),
        ("u5", "adx%y@example.com", Some("Ada Byron")),
    ] {
        let mut u = user(id, email);
        u.name = name.map(str::to_string);
        s.create_user(&u).await.unwrap();
    }
    let by_email = |prefix: &'static str, after: Option<&'static str>, limit| async move {
        s.search_users(UserSearch::Email, prefix, after, limit)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.email)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        by_email("AD", None, 10).await,
        [
            "ad_min@example.com",
            "ada@example.com",
            "adam@example.com",
            "adx%y@example.com"
        ],
        "case-insensitive prefix, ordered by email"
    );
    assert_eq!(
        by_email("ad", None, 2).await,
        ["ad_min@example.com", "ada@example.com"]
    );
    assert_eq!(
        by_email("ad", Some("u1"), 2).await,
        ["adam@example.com", "adx%y@example.com"],
        "the next page starts after the last user shown"
    );
    assert_eq!(by_email("ad_", None, 10).await, ["ad_min@example.com"]);
    assert_eq!(
        by_email("adx%", None, 10).await,
        ["adx%y@example.com"],
        "no wildcard is a wildcard"
    );
    assert!(by_email("zed", None, 10).await.is_empty());
    assert_eq!(by_email("", None, 10).await.len(), 5, "everyone, in order");
    assert_eq!(
        by_email("", Some("u2"), 10).await,
        ["adx%y@example.com", "bob@example.com"]
    );

    let by_name = |prefix: &'static str, after: Option<&'static str>, limit| async move {
        s.search_users(UserSearch::Name, prefix, after, limit)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        by_name("ada", None, 10).await,
        ["u3", "u5", "u1", "u2"],
        "by folded name, equal names by id"
    );
    assert_eq!(by_name("ADA B", None, 1).await, ["u3"]);
    assert_eq!(
        by_name("ada b", Some("u3"), 10).await,
        ["u5"],
        "paging between two equal names"
    );
    assert_eq!(by_name("Ada L", None, 10).await, ["u1"]);
    assert!(
        by_name("bob", None, 10).await.is_empty(),
        "no name, no match"
    );
}

async fn tenant_settings_stored_replaced_cleared_and_bump_the_version(s: &SqlStore) {
    assert_eq!(s.tenant_setting("policy").await.unwrap(), None);
    let v0 = s.config_version().await.unwrap();
    s.set_tenant_setting("policy", Some(r#"{"mfa":"always"}"#), 10)
        .await
        .unwrap();
    assert_eq!(
        s.tenant_setting("policy").await.unwrap().as_deref(),
        Some(r#"{"mfa":"always"}"#)
    );
    s.set_tenant_setting("policy", Some(r#"{"mfa":"never"}"#), 11)
        .await
        .unwrap();
    assert_eq!(
        s.tenant_setting("policy").await.unwrap().as_deref(),
        Some(r#"{"mfa":"never"}"#)
    );
    assert!(s.config_version().await.unwrap() >= v0 + 2, "nodes reload");
    s.set_tenant_setting("policy", None, 12).await.unwrap();
    assert_eq!(s.tenant_setting("policy").await.unwrap(), None);
    s.set_tenant_setting("policy", None, 13).await.unwrap();
}

async fn sessions_keep_where_they_were_made_and_their_last_use(s: &SqlStore) {
    s.create_user(&user("u1", "ada@example.com")).await.unwrap();
    let made = Session {
        user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0".into()),
        ip: Some("203.0.113.9".into()),
        last_seen_at: Some(100),
        ..session("s1")
    };
    s.create_session(&made, "d1").await.unwrap();
    assert_eq!(s.session_by_id("s1", 100).await.unwrap().unwrap(), made);
    assert_eq!(s.user_deletion_due("u1").await.unwrap(), None);
    s.schedule_user_deletion("u1", 9_000).await.unwrap();
    assert_eq!(s.user_deletion_due("u1").await.unwrap(), Some(9_000));
    assert_eq!(s.user_deletion_due("nobody").await.unwrap(), None);
    s.touch_session("s1", 200).await.unwrap();
    assert_eq!(
        s.session_by_id("s1", 200)
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        Some(100),
        "used again within five minutes: not written"
    );
    s.touch_session("s1", 400).await.unwrap();
    let seen = s.session_by_token("d1", 400).await.unwrap().unwrap();
    assert_eq!(seen.last_seen_at, Some(400));
    assert_eq!(seen.ip.as_deref(), Some("203.0.113.9"));
    s.create_session(&session("s2"), "d2").await.unwrap();
    s.touch_session("s2", 500).await.unwrap();
    assert_eq!(
        s.session_by_id("s2", 500)
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        Some(500),
        "never noted: written at the first use"
    );
}

async fn dashboard_counts_events_per_bucket_adoption_and_live_sessions(s: &SqlStore) {
    use portcullis_core::factor::FactorKind;
    let key = audit_key();
    for (at, kind) in [
        (90, "login.success"),
        (100, "login.success"),
        (150, "login.success"),
        (199, "login.failure"),
        (200, "login.success"),
        (260, "lockout"),
        (300, "other.kind"),
    ] {
        let mut e = event(at);
        e.kind = kind.into();
        audit::append(s, &key, &e).await.unwrap();
    }
    let mut counts = s
        .audit_histogram(&["login.success", "login.failure", "lockout"], 100, 100)
        .await
        .unwrap();
    counts.sort();
    assert_eq!(
        counts,
        [
            ("lockout".to_string(), 1, 1),
            ("login.failure".to_string(), 0, 1),
            ("login.success".to_string(), 0, 2),
            ("login.success".to_string(), 1, 1),
        ],
        "from 100 in buckets of 100: the event at 90 is before the window"
    );
    assert!(s.audit_histogram(&[], 0, 100).await.unwrap().is_empty());

    for (id, email) in [("u1", "a@x.test"), ("u2", "b@x.test"), ("u3", "c@x.test")] {
        s.create_user(&user(id, email)).await.unwrap();
    }
    let mut blocked = user("u4", "d@x.test");
    blocked.blocked = true;
    s.create_user(&blocked).await.unwrap();
    s.create_factor(&factor("f1", FactorKind::Totp, None))
        .await
        .unwrap();
    s.create_factor(&factor("f2", FactorKind::Webauthn, Some("cred-1")))
        .await
        .unwrap();
    let mut other = factor("f3", FactorKind::Totp, None);
    other.user_id = "u2".into();
    s.create_factor(&other).await.unwrap();
    let mut inactive = factor("f4", FactorKind::Sms, None);
    inactive.user_id = "u3".into();
    inactive.active = false;
    s.create_factor(&inactive).await.unwrap();
    let mut of_blocked = factor("f5", FactorKind::Email, None);
    of_blocked.user_id = "u4".into();
    s.create_factor(&of_blocked).await.unwrap();
    assert_eq!(
        s.adoption().await.unwrap(),
        Adoption {
            active_users: 3,
            with_factor: 2,
            by_kind: vec![("totp".into(), 2), ("webauthn".into(), 1)],
        }
    );

    s.create_session(&session("s1"), "d1").await.unwrap();
    s.create_session(&session("s2"), "d2").await.unwrap();
    assert_eq!(s.live_sessions(500).await.unwrap(), 2);
    s.revoke_session("s1", 600).await.unwrap();
    assert_eq!(s.live_sessions(600).await.unwrap(), 1);
    assert_eq!(s.live_sessions(1000).await.unwrap(), 0, "expired at 1000");
}

async fn password_hash_replaced_only_over_the_one_checked(s: &SqlStore) {
    s.create_user(&user("u1", "ada@example.com")).await.unwrap();
    let old = s
        .user_by_id("u1")
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .unwrap();
    assert!(
        !s.replace_password_hash("u1", "$2b$other", "$argon2id$new")
            .await
            .unwrap()
    );
    assert!(
        s.replace_password_hash("u1", &old, "$argon2id$new")
            .await
            .unwrap()
    );
    assert!(
        !s.replace_password_hash("u1", &old, "$argon2id$newer")
            .await
            .unwrap(),
        "once"
    );
    assert_eq!(
        s.user_by_id("u1")
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$argon2id$new")
    );
    assert!(!s.replace_password_hash("nobody", &old, "x").await.unwrap());
}

async fn user_aliases_name_one_user_and_go_with_them(s: &SqlStore) {
    s.create_user(&user("u1", "ada@example.com")).await.unwrap();
    s.create_user(&user("u2", "bob@example.com")).await.unwrap();
    s.set_user_alias("auth0|1", "u1").await.unwrap();
    s.set_user_alias("auth0|1", "u1").await.unwrap();
    assert!(matches!(
        s.set_user_alias("auth0|1", "u2").await,
        Err(portcullis_core::Error::Conflict(_))
    ));
    assert_eq!(s.user_by_alias("auth0|1").await.unwrap().unwrap().id, "u1");
    assert!(s.user_by_alias("auth0|2").await.unwrap().is_none());
    s.delete_user("u1").await.unwrap();
    assert!(
        s.user_by_alias("auth0|1").await.unwrap().is_none(),
        "the alias goes with the user"
    );
}

async fn actions_stored_renamed_deleted_and_logins_counted(s: &SqlStore) {
    use portcullis_core::actions::{Action, Deployed};
    let action = |id: &str, name: &str| Action {
        id: id.into(),
        name: name.into(),
        code: "exports.onExecutePostLogin = async () => {};".into(),
        secrets: vec![],
        runtime: "node18".into(),
        deployed: None,
        created_at: 10,
        updated_at: 10,
    };
    let v0 = s.config_version().await.unwrap();
    s.create_action(&action("act_1", "first")).await.unwrap();
    s.create_action(&action("act_2", "second")).await.unwrap();
    assert!(matches!(
        s.create_action(&action("act_3", "first")).await,
        Err(portcullis_core::Error::Conflict(_))
    ));
    let mut a = s.action("act_1").await.unwrap().unwrap();
    a.deployed = Some(Deployed {
        number: 1,
        id: "actv_1".into(),
        code: a.code.clone(),
        secrets: vec![],
        deployed_at: 11,
    });
    a.updated_at = 11;
    assert!(s.save_action(&a).await.unwrap());
    assert_eq!(s.action("act_1").await.unwrap().unwrap(), a);
    // A rename onto another Action's name is refused and changes nothing.
    let mut clash = a.clone();
    clash.name = "second".into();
    assert!(matches!(
        s.save_action(&clash).await,
        Err(portcullis_core::Error::Conflict(_))
    ));
    assert_eq!(s.action("act_1").await.unwrap().unwrap().name, "first");
    let names: Vec<String> = s
        .list_actions()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["first", "second"]);
    assert!(
        s.config_version().await.unwrap() >= v0 + 3,
        "every node reloads what it runs"
    );
    assert!(s.delete_action("act_2").await.unwrap());
    assert!(!s.delete_action("act_2").await.unwrap());
    assert!(!s.save_action(&action("act_2", "gone")).await.unwrap());
    assert_eq!(s.action("act_2").await.unwrap(), None);
    s.create_user(&user("u1", "ada@example.com")).await.unwrap();
    assert_eq!(s.logins_count("u1").await.unwrap(), 0);
    s.set_last_login("u1", 100).await.unwrap();
    s.set_last_login("u1", 200).await.unwrap();
    assert_eq!(s.logins_count("u1").await.unwrap(), 2);
    assert_eq!(s.logins_count("nobody").await.unwrap(), 0);
}

async fn user_locales_set_replaced_cleared_and_go_with_the_user(s: &SqlStore) {
    s.create_user(&user("u1", "ada@example.com")).await.unwrap();
    assert_eq!(s.user_locale("u1").await.unwrap(), None);
    assert!(s.set_user_locale("u1", Some("de")).await.unwrap());
    assert!(s.set_user_locale("u1", Some("pt-BR")).await.unwrap());
    assert_eq!(s.user_locale("u1").await.unwrap().as_deref(), Some("pt-BR"));
    assert!(!s.set_user_locale("nobody", Some("de")).await.unwrap());
    assert!(!s.set_user_locale("nobody", None).await.unwrap());
    assert_eq!(s.user_locale("nobody").await.unwrap(), None);
    assert!(s.set_user_locale("u1", None).await.unwrap());
    assert_eq!(s.user_locale("u1").await.unwrap(), None);
    assert!(s.set_user_locale("u1", Some("ar")).await.unwrap());
    s.delete_user("u1").await.unwrap();
    assert_eq!(
        s.user_locale("u1").await.unwrap(),
        None,
        "the language goes with the user"
    );
}

async fn client_logos_set_replaced_removed_and_go_with_the_client(s: &SqlStore) {
    s.create_client(&sample_client()).await.unwrap();
    let id = sample_client().id;
    let v0 = s.config_version().await.unwrap();
    assert!(s.client_logos().await.unwrap().is_empty());
    assert!(
        s.set_client_logo(&id, Some("https://cdn.example/a.svg"))
            .await
            .unwrap()
    );
    assert!(
        s.set_client_logo(&id, Some("https://cdn.example/b.svg"))
            .await
            .unwrap()
    );
    assert_eq!(
        s.client_logos().await.unwrap(),
        [(id.clone(), "https://cdn.example/b.svg".to_string())]
    );
    assert!(
        s.config_version().await.unwrap() > v0,
        "every node shows it"
    );
    assert!(
        !s.set_client_logo("nobody", Some("https://x"))
            .await
            .unwrap()
    );
    assert!(!s.set_client_logo("nobody", None).await.unwrap());
    assert!(s.set_client_logo(&id, None).await.unwrap());
    assert!(s.client_logos().await.unwrap().is_empty());
    assert!(
        s.set_client_logo(&id, Some("https://cdn.example/c.svg"))
            .await
            .unwrap()
    );
    s.delete_client(&id).await.unwrap();
    assert!(
        s.client_logos().await.unwrap().is_empty(),
        "the logo goes with the client"
    );
}

async fn client_settings_by_name_set_replaced_removed_and_go_with_the_client(s: &SqlStore) {
    s.create_client(&sample_client()).await.unwrap();
    let id = sample_client().id;
    let (ping, other) = ("ping", "other");
    let v0 = s.config_version().await.unwrap();
    assert!(s.client_settings(ping).await.unwrap().is_empty());
    assert!(
        s.set_client_setting(&id, ping, Some("https://a"))
            .await
            .unwrap()
    );
    assert!(
        s.set_client_setting(&id, ping, Some("https://b"))
            .await
            .unwrap()
    );
    assert!(s.set_client_setting(&id, other, Some("x")).await.unwrap());
    assert_eq!(
        s.client_settings(ping).await.unwrap(),
        [(id.clone(), "https://b".to_string())],
        "replaced, and each name apart"
    );
    assert!(s.config_version().await.unwrap() > v0, "every node sees it");
    assert!(
        !s.set_client_setting("nobody", ping, Some("https://x"))
            .await
            .unwrap()
    );
    assert!(!s.set_client_setting("nobody", ping, None).await.unwrap());
    assert!(s.set_client_setting(&id, ping, None).await.unwrap());
    assert!(s.client_settings(ping).await.unwrap().is_empty());
    assert_eq!(s.client_settings(other).await.unwrap().len(), 1);
    s.delete_client(&id).await.unwrap();
    assert!(
        s.client_settings(other).await.unwrap().is_empty(),
        "settings go with the client"
    );
}

async fn client_grants_created_once_under_a_race(s: &SqlStore) {
    s.create_client(&sample_client()).await.unwrap();
    s.create_api(&Api {
        id: "a1".into(),
        identifier: "https://api".into(),
        name: "API".into(),
        scopes: vec!["read".into(), "write".into()],
        token_ttl: 3600,
        signing_alg: None,
        policy: Default::default(),
        created_at: 1,
    })
    .await
    .unwrap();
    let grant = |scopes: Vec<&str>| ClientGrant {
        client_id: "c1".into(),
        audience: "https://api".into(),
        scopes: scopes.into_iter().map(str::to_string).collect(),
    };
    let store = Arc::new(s.clone());
    let tasks: Vec<_> = (0..80)
        .map(|n| {
            let st = store.clone();
            let g = grant(if n % 2 == 0 {
                vec!["read"]
            } else {
                vec!["write"]
            });
            tokio::spawn(async move { st.create_client_grant(&g).await })
        })
        .collect();
    let (mut created, mut conflicts) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => created += 1,
            Err(portcullis_core::Error::Conflict(_)) => conflicts += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((created, conflicts), (1, 79));
    assert_eq!(s.list_client_grants().await.unwrap().len(), 1);
    // Replacing stays the upsert's job.
    s.put_client_grant(&grant(vec![])).await.unwrap();
    assert!(s.list_client_grants().await.unwrap()[0].scopes.is_empty());
}

async fn accounts_created_together_all_or_nothing(s: &SqlStore) {
    let account = |id: &str, email: &str, alias: &str| NewAccount {
        user: user(id, email),
        alias: Some(alias.into()),
        factors: vec![],
    };
    s.create_accounts(&[
        account("u1", "a@example.com", "auth0|a"),
        account("u2", "b@example.com", "auth0|b"),
    ])
    .await
    .unwrap();
    assert_eq!(s.user_by_alias("auth0|b").await.unwrap().unwrap().id, "u2");
    // One alias taken: none of the batch is written, and the store goes on.
    let err = s
        .create_accounts(&[
            account("u3", "c@example.com", "auth0|c"),
            account("u4", "d@example.com", "auth0|a"),
        ])
        .await
        .unwrap_err();
    assert!(
        matches!(err, portcullis_core::Error::Conflict(_)),
        "{err:?}"
    );
    assert!(s.user_by_email("c@example.com").await.unwrap().is_none());
    s.create_accounts(&[account("u3", "c@example.com", "auth0|c")])
        .await
        .unwrap();
    assert_eq!(s.user_by_alias("auth0|c").await.unwrap().unwrap().id, "u3");
}

async fn client_keys_set_replaced_removed_and_go_with_the_client(s: &SqlStore) {
    s.create_client(&sample_client()).await.unwrap();
    let id = sample_client().id;
    let v0 = s.config_version().await.unwrap();
    assert!(s.client_keys().await.unwrap().is_empty());
    let by_value = ClientKeys {
        jwks: Some(
            serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" }] }),
        ),
        jwks_uri: None,
    };
    assert!(s.set_client_keys(&id, Some(&by_value)).await.unwrap());
    assert_eq!(s.client_keys().await.unwrap(), [(id.clone(), by_value)]);
    let by_uri = ClientKeys {
        jwks: None,
        jwks_uri: Some("https://app.example/jwks.json".into()),
    };
    assert!(s.set_client_keys(&id, Some(&by_uri)).await.unwrap());
    assert_eq!(
        s.client_keys().await.unwrap(),
        [(id.clone(), by_uri.clone())]
    );
    assert!(s.config_version().await.unwrap() > v0, "every node reloads");
    assert!(!s.set_client_keys("nobody", Some(&by_uri)).await.unwrap());
    assert!(!s.set_client_keys("nobody", None).await.unwrap());
    assert!(s.set_client_keys(&id, None).await.unwrap());
    assert!(s.client_keys().await.unwrap().is_empty());
    assert!(s.set_client_keys(&id, Some(&by_uri)).await.unwrap());
    s.delete_client(&id).await.unwrap();
    assert!(
        s.client_keys().await.unwrap().is_empty(),
        "the keys go with the client"
    );
}
