//! The admin console (`/admin`): who gets in (a session, a console role, aal2 within
//! `admin_max_age`), what each role may do, a fresh factor for every change, CSRF and CSP on
//! every page, the search, and each change reached out of order, twice and 80 times at once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::clock::Clock;
use portcullis_core::ports::Store;
use portcullis_core::roles::Role;
use portcullis_testkit::{TestApp, browser, form_value, spawn_app};

/// Grants `role` to the user with `email`, as `portcullis user role` does.
async fn grant(app: &TestApp, email: &str, role: Option<Role>) {
    let user = app.store.user_by_email(email).await.unwrap().unwrap();
    portcullis_core::admin::set_role(app.store.as_ref(), &app.clock, &user.id, role)
        .await
        .unwrap();
}

/// Follows the console's sign-in from `path` in `b` (the password, then the TOTP step-up the
/// console asks for) until `path` answers; how many factor pages it passed.
async fn into_console(
    b: &reqwest::Client,
    app: &TestApp,
    path: &str,
    totp: &portcullis_core::factor::totp::TotpSecret,
) -> (Page, usize) {
    let mut factor_pages = 0;
    let mut page = get(b, app, path).await;
    for _ in 0..6 {
        let Some(next) = page.location.clone() else {
            return (page, factor_pages);
        };
        page = if next.starts_with("/u/login") {
            let form = get(b, app, &next).await;
            let csrf = form_value(&form.body, "csrf").unwrap();
            let return_to = form_value(&form.body, "return_to").unwrap();
            post(
                b,
                app,
                "/u/login",
                &[
                    ("csrf", &csrf),
                    ("return_to", &return_to),
                    ("email", EMAIL),
                    ("password", PASSWORD),
                ],
            )
            .await
        } else if next == "/u/mfa" {
            factor_pages += 1;
            // A new time step for every code: a TOTP code is good once.
            app.clock.advance(30);
            prove_totp(b, app, totp).await
        } else {
            get(b, app, &next).await
        };
    }
    panic!("no way into {path}: {:?} {}", page.location, page.status);
}

/// An admin (EMAIL, with TOTP) inside the console, and bob, a user with a session and a TOTP
/// factor of his own.
struct World {
    app: TestApp,
    admin: reqwest::Client,
    totp: portcullis_core::factor::totp::TotpSecret,
    bob: String,
    bob_factor: String,
    admin_id: String,
    /// The test client (confidential, authorization_code).
    client: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let admin = browser();
    let (totp, _) = enrol_totp(&admin, &app, &cid).await;
    grant(&app, EMAIL, Some(Role::Admin)).await;
    let client = cid.clone();
    let (page, _) = into_console(&admin, &app, "/admin", &totp).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let bob = app.create_user("bob@example.com", PASSWORD).await;
    let factor = portcullis_core::model::Factor {
        id: "f_bob".into(),
        user_id: bob.id.clone(),
        kind: portcullis_core::factor::FactorKind::Totp,
        name: "Bob's phone".into(),
        secret_enc: Some(vec![1, 2, 3]),
        target: None,
        credential_id: None,
        detail: serde_json::json!({}),
        sign_count: 0,
        last_step: None,
        active: true,
        created_at: app.clock.now(),
        last_used_at: None,
    };
    app.store.create_factor(&factor).await.unwrap();
    let now = app.clock.now();
    let session = portcullis_core::model::Session::start(&bob.id, now, now + 3600, vec![]);
    app.store
        .create_session(&session, "bob-token")
        .await
        .unwrap();
    let admin_id = user_id(&app).await;
    World {
        app,
        admin,
        totp,
        bob: bob.id,
        bob_factor: factor.id,
        admin_id,
        client,
    }
}

impl World {
    async fn bob_sessions(&self) -> usize {
        self.app
            .store
            .user_sessions(&self.bob, self.app.clock.now())
            .await
            .unwrap()
            .len()
    }

    async fn bob_blocked(&self) -> bool {
        self.app
            .store
            .user_by_id(&self.bob)
            .await
            .unwrap()
            .unwrap()
            .blocked
    }

    fn user_path(&self) -> String {
        format!("/admin/users/{}", self.bob)
    }

    /// Posts on bob's page and expects the redirect back to it with `?done=done`.
    async fn act_done(&self, fields: &[(&str, &str)], done: &str) -> Page {
        let page = self.act(fields).await;
        assert_eq!(
            page.location,
            Some(format!("{}?done={done}", self.user_path())),
            "{fields:?}: {}",
            page.body
        );
        page
    }

    /// Posts `action` on bob's page with the browser's CSRF token (taken from the security
    /// page, which always has a form: a read-only role's console page has none).
    async fn act(&self, fields: &[(&str, &str)]) -> Page {
        submit(
            &self.admin,
            &self.app,
            "/u/account/security",
            &self.user_path(),
            fields,
        )
        .await
    }
}

#[tokio::test]
async fn console_needs_a_session_a_role_and_aal2_within_max_age() {
    let app = spawn_app().await;
    let (cid, _) = setup(&app).await;
    let b = browser();
    let first = get(&b, &app, "/admin").await;
    assert_eq!(first.status, 303);
    assert_eq!(first.location.as_deref(), Some("/u/login?return_to=/admin"));

    let (totp, _) = enrol_totp(&b, &app, &cid).await;
    let refused = get(&b, &app, "/admin").await;
    assert_eq!(refused.status, 403, "no role, no console");
    assert!(refused.body.contains("no console role"), "{}", refused.body);

    grant(&app, EMAIL, Some(Role::Auditor)).await;
    // A fresh browser: the password alone is not enough, the console asks for the TOTP.
    let fresh = browser();
    let (page, factor_pages) = into_console(&fresh, &app, "/admin", &totp).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(factor_pages >= 1, "aal2 was asked for");
    assert!(page.body.contains("auditor"));
    let session = app
        .store
        .user_sessions(&user_id(&app).await, app.clock.now())
        .await
        .unwrap();
    assert!(session.iter().any(|s| s.acr == "aal2"));

    // Past admin_max_age (12 hours), the console asks again; the session itself lives on.
    app.clock.advance(12 * 3600 + 1);
    let stale = get(&fresh, &app, "/admin/users").await;
    assert_eq!(stale.status, 303, "{}", stale.body);
    let (again, _) = into_console(&fresh, &app, "/admin/users", &totp).await;
    assert_eq!(again.status, 200, "{}", again.body);

    // A role taken away ends access at the next request.
    grant(&app, EMAIL, None).await;
    assert_eq!(get(&fresh, &app, "/admin").await.status, 403);
}

#[tokio::test]
async fn console_pages_carry_csp_and_no_store_and_forms_need_csrf() {
    let w = world().await;
    for path in [
        "/admin",
        "/admin/users",
        &w.user_path(),
        "/admin/logs",
        "/admin/policy",
        "/admin/settings",
        "/admin/apps",
        &format!("/admin/apps/{}", w.client),
        "/admin/apis",
        "/admin/actions",
    ] {
        let resp = w.admin.get(w.app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            csp.contains("default-src 'none'") || csp.contains("default-src 'self'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let cache = resp.headers()["cache-control"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(cache.contains("no-store"), "{path}: {cache}");
        let body = resp.text().await.unwrap();
        assert!(!body.contains("<script"), "{path} works without script");
    }
    // Without the token, or with another browser's, nothing changes.
    let bare = post(&w.admin, &w.app, &w.user_path(), &[("action", "block")]).await;
    assert_eq!(bare.status, 403);
    let other = browser();
    let foreign_csrf = form_value(
        &get(&other, &w.app, "/u/login?return_to=/admin").await.body,
        "csrf",
    )
    .unwrap();
    let forged = post(
        &w.admin,
        &w.app,
        &w.user_path(),
        &[("action", "block"), ("csrf", &foreign_csrf)],
    )
    .await;
    assert_eq!(forged.status, 403);
    assert!(!w.bob_blocked().await);
}

#[tokio::test]
async fn block_needs_a_fresh_factor_ends_sessions_and_is_audited_with_the_admin() {
    let w = world().await;
    // Older than five minutes: the change waits for a factor, then goes through.
    w.app.clock.advance(301);
    let asked = w.act(&[("action", "block")]).await;
    assert_eq!(asked.location.as_deref(), Some("/u/mfa"), "{}", asked.body);
    assert!(!w.bob_blocked().await);
    w.app.clock.advance(30);
    let back = prove_totp(&w.admin, &w.app, &w.totp).await;
    assert_eq!(back.location.as_deref(), Some(w.user_path().as_str()));
    let done = w.act_done(&[("action", "block")], "blocked").await;
    assert!(w.bob_blocked().await);
    assert!(w.bob_sessions().await == 0, "bob's sessions ended");
    let shown = get(&w.admin, &w.app, &done.location.unwrap()).await;
    assert!(shown.body.contains("The user is blocked"), "{}", shown.body);
    let events = w.app.store.user_audit(&w.bob, 20).await.unwrap();
    let blocked = events
        .iter()
        .find(|e| e.kind == "user.blocked")
        .expect("audited");
    assert_eq!(blocked.detail["admin_id"], user_id(&w.app).await);
    assert_eq!(blocked.detail["via"], "console");
    // Twice: the second block changes nothing and ends nothing.
    let again = w.act(&[("action", "block")]).await;
    assert_eq!(again.status, 303);
    let unblock = w.act(&[("action", "unblock")]).await;
    assert_eq!(unblock.status, 303);
    assert!(!w.bob_blocked().await);
    // An admin cannot block themselves.
    let me = format!("/admin/users/{}", user_id(&w.app).await);
    let own = submit(&w.admin, &w.app, &me, &me, &[("action", "block")]).await;
    assert_eq!(own.status, 409);
}

#[tokio::test]
async fn support_removes_a_factor_but_may_not_block_or_grant_roles() {
    let w = world().await;
    grant(&w.app, EMAIL, Some(Role::Support)).await;
    let page = get(&w.admin, &w.app, &w.user_path()).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("value=\"block\""),
        "support sees no block button"
    );
    for fields in [
        &[("action", "block")][..],
        &[("action", "end_sessions")][..],
        &[("action", "set_role"), ("role", "admin")][..],
    ] {
        let refused = w.act(fields).await;
        assert_eq!(refused.status, 403, "{fields:?}: {}", refused.body);
    }
    assert!(!w.bob_blocked().await);
    assert_eq!(w.app.store.admin_role(&w.bob).await.unwrap(), None);
    w.act_done(
        &[("action", "remove_factor"), ("factor_id", &w.bob_factor)],
        "factor_removed",
    )
    .await;
    assert!(w.app.store.factors(&w.bob).await.unwrap().is_empty());
    // Twice: the factor is gone.
    let twice = w
        .act(&[("action", "remove_factor"), ("factor_id", &w.bob_factor)])
        .await;
    assert_eq!(twice.status, 404);
    // An auditor only reads.
    grant(&w.app, EMAIL, Some(Role::Auditor)).await;
    let refused = w
        .act(&[("action", "remove_factor"), ("factor_id", "x")])
        .await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn a_factor_removed_eighty_times_at_once_is_removed_and_audited_once() {
    let w = world().await;
    let path = w.user_path();
    let page = get(&w.admin, &w.app, &path).await;
    let csrf = form_value(&page.body, "csrf").unwrap();
    let mut tasks = Vec::new();
    for _ in 0..80 {
        let (b, url, csrf, factor) = (
            w.admin.clone(),
            w.app.url(&path),
            csrf.clone(),
            w.bob_factor.clone(),
        );
        tasks.push(tokio::spawn(async move {
            b.post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("action", "remove_factor"),
                    ("factor_id", factor.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 404).count(),
        79,
        "{statuses:?}"
    );
    let events = w.app.store.user_audit(&w.bob, 200).await.unwrap();
    assert_eq!(
        events.iter().filter(|e| e.kind == "factor.removed").count(),
        1
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == "console.factor_removed")
            .count(),
        1
    );
}

#[tokio::test]
async fn roles_are_granted_from_the_console_but_never_taken_from_oneself() {
    let w = world().await;
    let done = w.act(&[("action", "set_role"), ("role", "support")]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        w.app.store.admin_role(&w.bob).await.unwrap().as_deref(),
        Some("support")
    );
    let bad = w.act(&[("action", "set_role"), ("role", "root")]).await;
    assert_eq!(bad.status, 400);
    let none = w.act(&[("action", "set_role"), ("role", "none")]).await;
    assert_eq!(none.status, 303);
    assert_eq!(w.app.store.admin_role(&w.bob).await.unwrap(), None);
    let me = format!("/admin/users/{}", user_id(&w.app).await);
    let own = submit(
        &w.admin,
        &w.app,
        &me,
        &me,
        &[("action", "set_role"), ("role", "auditor")],
    )
    .await;
    assert_eq!(own.status, 409);
    assert_eq!(
        w.app
            .store
            .admin_role(&user_id(&w.app).await)
            .await
            .unwrap()
            .as_deref(),
        Some("admin")
    );
}

#[tokio::test]
async fn users_are_found_by_the_start_of_their_email_or_their_id() {
    let w = world().await;
    w.app.create_user("carol@example.com", PASSWORD).await;
    let found = get(&w.admin, &w.app, "/admin/users?q=BO").await;
    assert_eq!(found.status, 200);
    assert!(found.body.contains("bob@example.com"));
    assert!(!found.body.contains("carol@example.com"));
    let by_id = get(&w.admin, &w.app, &format!("/admin/users?q={}", w.bob)).await;
    assert!(by_id.body.contains("bob@example.com"));
    let none = get(&w.admin, &w.app, "/admin/users?q=zed").await;
    assert!(none.body.contains("No user matches"));
    // Fifty-five people named Zoe: by the start of the name, fifty a page, then the rest.
    for i in 0..55 {
        let mut u = w.app.store.user_by_id(&w.bob).await.unwrap().unwrap();
        u.id = format!("usr_zoe{i:02}");
        u.email = format!("z{i:02}@example.com");
        u.name = Some(format!("Zoe {i:02}"));
        w.app.store.create_user(&u).await.unwrap();
    }
    let first = get(&w.admin, &w.app, "/admin/users?q=zoe&by=name").await;
    assert_eq!(
        first.body.matches("href=\"/admin/users/usr_zoe").count(),
        50
    );
    assert!(first.body.contains("Zoe 49") && !first.body.contains("Zoe 50"));
    let next = first
        .body
        .split("href=\"/admin/users?")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a next page")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    assert!(
        next.contains("by=name") && next.contains("after=usr_zoe49"),
        "{next}"
    );
    let second = get(&w.admin, &w.app, &format!("/admin/users?{next}")).await;
    assert!(
        second.body.contains("Zoe 50") && second.body.contains("Zoe 54"),
        "{next}: {}",
        second.body
    );
    assert!(!second.body.contains("Zoe 49"));
    assert!(!second.body.contains("Next page"));
    let all = get(&w.admin, &w.app, "/admin/users").await;
    for email in [EMAIL, "bob@example.com", "carol@example.com"] {
        assert!(all.body.contains(email), "{email}");
    }
    // Out of order: a user page that does not exist, and the console without a session.
    assert_eq!(
        get(&w.admin, &w.app, "/admin/users/nobody").await.status,
        404
    );
    let stranger = browser();
    // A user id no console link makes: the sign-in returns to the console's start instead.
    let odd = get(&stranger, &w.app, "/admin/users/a%0D%0AX-Evil:%201").await;
    assert_eq!(odd.location.as_deref(), Some("/u/login?return_to=/admin"));
    let away = post(&stranger, &w.app, &w.user_path(), &[("action", "block")]).await;
    assert_eq!(away.status, 403, "no CSRF cookie, no change");
    assert!(!w.bob_blocked().await);
}

#[tokio::test]
async fn audit_trail_filters_exports_every_event_as_ndjson_and_verifies_the_chain() {
    let w = world().await;
    // More events than one export batch, so the export reads several.
    let meta = portcullis_server::http::ClientMeta::default();
    for n in 0..2_100 {
        w.app
            .state
            .audit(
                "user.noted",
                &meta,
                Some(&w.bob),
                None,
                serde_json::json!({ "n": n }),
            )
            .await;
    }
    assert_eq!(w.act(&[("action", "block")]).await.status, 303);
    let users = get(&w.admin, &w.app, "/admin/logs?type=user.").await;
    assert_eq!(users.status, 200, "{}", users.body);
    assert!(users.body.contains("user.blocked"));
    assert!(
        !users.body.contains("login.success"),
        "only the user. family"
    );
    let bobs = get(
        &w.admin,
        &w.app,
        &format!("/admin/logs?user_id={}&type=user.blocked", w.bob),
    )
    .await;
    assert!(
        bobs.body.contains(">1 event<") || bobs.body.contains("1 event."),
        "{}",
        bobs.body
    );
    assert_eq!(
        get(&w.admin, &w.app, "/admin/logs?from=yesterday")
            .await
            .status,
        400
    );
    assert_eq!(
        get(&w.admin, &w.app, "/admin/logs?type=DROP%20TABLE")
            .await
            .status,
        400
    );

    let resp = w
        .admin
        .get(w.app.url(&format!("/admin/logs/export?user_id={}", w.bob)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/x-ndjson");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let text = resp.text().await.unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (_, total) = w
        .app
        .store
        .search_audit(&portcullis_core::model::AuditQuery {
            user_id: Some(w.bob.clone()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        lines.len() as i64,
        total,
        "every event of the selection, once"
    );
    assert!(total > 2_100);
    let ids: std::collections::BTreeSet<&str> = lines
        .iter()
        .map(|l| l["log_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), lines.len(), "no event twice");
    let numbers: Vec<i64> = lines
        .iter()
        .map(|l| l["log_id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(numbers.windows(2).all(|p| p[0] > p[1]), "newest first");
    assert!(lines.iter().all(|l| l["user_id"] == w.bob.as_str()));
    let exported = w.app.store.recent_audit(5).await.unwrap();
    assert!(
        exported
            .iter()
            .any(|e| e.kind == "console.logs_exported"
                && e.detail["admin_id"] == w.admin_id.as_str())
    );

    // The chain, verified on demand; then tampered with from outside and found broken.
    let ok = submit(&w.admin, &w.app, "/admin/logs", "/admin/logs/verify", &[]).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("Intact:"), "{}", ok.body);
    assert_eq!(
        post(&w.admin, &w.app, "/admin/logs/verify", &[])
            .await
            .status,
        403,
        "CSRF"
    );
    w.app
        .store
        .execute_raw("UPDATE audit_events SET kind = 'user.forged' WHERE kind = 'user.blocked'")
        .await
        .unwrap();
    let broken = submit(&w.admin, &w.app, "/admin/logs", "/admin/logs/verify", &[]).await;
    assert!(broken.body.contains("Broken at event"), "{}", broken.body);

    // An auditor reads and exports; a user without a role does neither.
    grant(&w.app, EMAIL, Some(Role::Auditor)).await;
    assert_eq!(get(&w.admin, &w.app, "/admin/logs").await.status, 200);
    grant(&w.app, EMAIL, None).await;
    assert_eq!(get(&w.admin, &w.app, "/admin/logs").await.status, 403);
    assert_eq!(
        get(&w.admin, &w.app, "/admin/logs/export").await.status,
        403
    );
}

/// Messages the dev outbox holds for `to` with `subject`.
fn mails(app: &TestApp, to: &str, subject: &str) -> usize {
    app.state
        .outbox()
        .unwrap()
        .messages()
        .iter()
        .filter(|m| m.to == to && m.subject == subject)
        .count()
}

#[tokio::test]
async fn a_forced_reset_and_an_enrolment_link_are_emailed_and_audited_by_role() {
    let w = world().await;
    w.act_done(&[("action", "reset_password")], "password_reset")
        .await;
    let bob = w.app.store.user_by_id(&w.bob).await.unwrap().unwrap();
    assert!(bob.password_hash.is_none(), "the password stops working");
    assert!(w.bob_sessions().await == 0);
    assert_eq!(mails(&w.app, "bob@example.com", "Choose your password"), 1);
    let events = w.app.store.user_audit(&w.bob, 20).await.unwrap();
    let forced = events
        .iter()
        .find(|e| e.kind == "password.reset_forced")
        .expect("audited");
    assert_eq!(forced.detail["admin_id"], w.admin_id.as_str());
    let me = format!("/admin/users/{}", w.admin_id);
    let own = submit(&w.admin, &w.app, &me, &me, &[("action", "reset_password")]).await;
    assert_eq!(own.status, 409, "not one's own password from here");

    // Support sends enrolment links but does not force resets; an auditor does neither.
    grant(&w.app, EMAIL, Some(Role::Support)).await;
    w.act_done(&[("action", "send_ticket")], "ticket_sent")
        .await;
    assert_eq!(
        mails(&w.app, "bob@example.com", "Set up two-step sign-in"),
        1
    );
    let ticket = w.app.store.user_audit(&w.bob, 20).await.unwrap();
    assert!(
        ticket
            .iter()
            .any(|e| e.kind == "ticket.created" && e.detail["via"] == "console")
    );
    assert_eq!(w.act(&[("action", "reset_password")]).await.status, 403);
    grant(&w.app, EMAIL, Some(Role::Auditor)).await;
    assert_eq!(w.act(&[("action", "send_ticket")]).await.status, 403);
    assert_eq!(
        mails(&w.app, "bob@example.com", "Set up two-step sign-in"),
        1
    );
}

/// Saves the tenant policy form with `fields` (every other key follows the file).
async fn save_policy(w: &World, fields: &[(&str, &str)]) -> Page {
    submit(&w.admin, &w.app, "/admin/policy", "/admin/policy", fields).await
}

#[tokio::test]
async fn tenant_policy_edited_in_the_console_rules_sign_ins_and_the_preview_follows() {
    let w = world().await;
    let case = "/admin/policy?f_totp=1&recovery=1&browser=new";
    let before = get(&w.admin, &w.app, case).await;
    assert_eq!(before.status, 200);
    assert!(
        before.body.contains(
            "their password, then a second factor (aal2): authenticator app, or a recovery code."
        ),
        "adaptive asks a TOTP user in a new browser: {}",
        before.body
    );
    // A fresh browser signs in as the admin (who has TOTP): the file's adaptive asks for it.
    let asked = password_step(&browser(), &w.app, &w.client, "").await;
    assert_eq!(asked.location.as_deref(), Some("/u/mfa"));

    let saved = save_policy(&w, &[("mfa", "never"), ("max_age", "3600")]).await;
    assert_eq!(
        saved.location.as_deref(),
        Some("/admin/policy?done=saved"),
        "{}",
        saved.body
    );
    let policy = w.app.state.tenant_policy();
    assert_eq!(policy.mfa, portcullis_core::policy::MfaMode::Never);
    assert_eq!(policy.max_age, Some(3600));
    let after = get(&w.admin, &w.app, case).await;
    assert!(
        after
            .body
            .contains("nothing more than their password: the sign-in ends at aal1. A session older than 3600 seconds proves a factor again."),
        "{}",
        after.body
    );
    let notice = get(&w.admin, &w.app, "/admin/policy?done=saved").await;
    assert!(notice.body.contains("The tenant policy is saved"));
    // The same sign-in now ends after the password: the console's change is in force.
    let straight = password_step(&browser(), &w.app, &w.client, "").await;
    assert!(
        straight
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with(REDIRECT) && l.contains("code=")),
        "{:?}",
        straight.location
    );
    let events = w.app.events("policy.tenant_changed").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.detail["admin_id"], w.admin_id);
    assert_eq!(events[0].event.detail["overrides"]["mfa"], "never");

    // A bad value is shown with what was typed, and changes nothing.
    let bad = save_policy(&w, &[("mfa", "always"), ("max_age", "-5")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("max_age"), "{}", bad.body);
    assert!(bad.body.contains("value=\"-5\""), "the input is kept");
    assert_eq!(
        w.app.state.tenant_policy().mfa,
        portcullis_core::policy::MfaMode::Never
    );
    let unknown = save_policy(&w, &[("mfa", "sometimes")]).await;
    assert_eq!(unknown.status, 422);

    // Every field empty: the file rules again.
    let cleared = save_policy(&w, &[]).await;
    assert_eq!(cleared.status, 303);
    assert_eq!(
        w.app.state.tenant_policy(),
        w.app.state.settings().policy.clone()
    );
    assert_eq!(w.app.store.tenant_setting("policy").await.unwrap(), None);
}

#[tokio::test]
async fn policy_preview_names_enrolment_refusal_and_remembered_browsers() {
    let w = world().await;
    save_policy(&w, &[("mfa", "always")]).await;
    let page = |q: &'static str| {
        let w = &w;
        async move {
            get(&w.admin, &w.app, &format!("/admin/policy?{q}"))
                .await
                .body
        }
    };
    assert!(page("browser=familiar").await.contains(
        "to set up a second factor before continuing (aal2): security key or passkey, authenticator app, text message (sms), email code."
    ));
    assert!(
        page("f_totp=1&browser=remembered")
            .await
            .contains("the remembered browser stands in for the second factor")
    );
    assert!(
        page("f_totp=1&browser=remembered&acr=aal3")
            .await
            .contains("unmet_authentication_requirements: nothing they have reaches aal3")
    );
    assert!(
        page("f_webauthn=1&browser=remembered&acr=aal3")
            .await
            .contains("a second factor (aal3): security key or passkey.")
    );
    // The app's own overrides are part of the preview: this client turns MFA off.
    w.app
        .store
        .set_client_policy(&w.client, &{
            let mut o = portcullis_core::policy::PolicyOverrides::default();
            o.set("mfa=never").unwrap();
            o
        })
        .await
        .unwrap();
    w.app.state.refresh().await.unwrap();
    let with_app = get(
        &w.admin,
        &w.app,
        &format!("/admin/policy?f_totp=1&browser=new&client={}", w.client),
    )
    .await;
    assert!(
        with_app
            .body
            .contains("nothing more than their password: the sign-in ends at aal1."),
        "{}",
        with_app.body
    );
    // An unknown app or API previews the tenant's policy, and odd values are ignored.
    let odd = get(
        &w.admin,
        &w.app,
        "/admin/policy?f_totp=1&client=nope&api=%3Cx%3E&acr=aal9&max_age=-1&browser=%00",
    )
    .await;
    assert_eq!(odd.status, 200);
    assert!(odd.body.contains("a second factor (aal2)"));
    assert!(!odd.body.contains("<x>"));
}

#[tokio::test]
async fn only_admins_change_the_policy_with_a_fresh_factor_and_csrf() {
    let w = world().await;
    for role in [Role::Support, Role::Auditor] {
        grant(&w.app, EMAIL, Some(role)).await;
        let page = get(&w.admin, &w.app, "/admin/policy").await;
        assert_eq!(page.status, 200, "{role:?} reads the policy");
        assert!(!page.body.contains("Save the tenant policy"));
        let refused = save_policy(&w, &[("mfa", "never")]).await;
        assert_eq!(refused.status, 403, "{role:?}");
    }
    grant(&w.app, EMAIL, Some(Role::Admin)).await;
    let bare = post(&w.admin, &w.app, "/admin/policy", &[("mfa", "never")]).await;
    assert_eq!(bare.status, 403, "no CSRF token");
    let stranger = browser();
    let outsider = submit(
        &stranger,
        &w.app,
        "/u/login?return_to=/admin",
        "/admin/policy",
        &[("mfa", "never")],
    )
    .await;
    assert_eq!(outsider.status, 303, "no session: the sign-in page");
    assert!(outsider.location.unwrap().starts_with("/u/login"));
    // A factor older than five minutes: the save waits for one.
    w.app.clock.advance(301);
    let stale = save_policy(&w, &[("mfa", "never")]).await;
    assert_eq!(stale.location.as_deref(), Some("/u/mfa"));
    assert_eq!(w.app.store.tenant_setting("policy").await.unwrap(), None);
    w.app.clock.advance(30);
    prove_totp(&w.admin, &w.app, &w.totp).await;

    // Eighty saves at once: each answers, the stored layer is one of them, whole.
    let csrf = form_value(&get(&w.admin, &w.app, "/admin/policy").await.body, "csrf").unwrap();
    let saves = (0..80).map(|i| {
        let (w, csrf) = (&w, csrf.clone());
        async move {
            let days = (i % 30).to_string();
            post(
                &w.admin,
                &w.app,
                "/admin/policy",
                &[
                    ("csrf", csrf.as_str()),
                    ("mfa", "always"),
                    ("remember_device_days", days.as_str()),
                ],
            )
            .await
            .status
        }
    });
    let statuses = futures_util::future::join_all(saves).await;
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    let stored: serde_json::Value =
        serde_json::from_str(&w.app.store.tenant_setting("policy").await.unwrap().unwrap())
            .unwrap();
    assert_eq!(stored["mfa"], "always");
    assert!(stored["remember_device_days"].as_i64().unwrap() < 30);
    w.app.state.refresh().await.unwrap();
    assert_eq!(
        w.app.state.tenant_policy().remember_device_days,
        stored["remember_device_days"].as_i64().unwrap()
    );
}

#[tokio::test]
async fn a_users_page_lists_where_they_are_signed_in_what_they_granted_and_edits_metadata() {
    let w = world().await;
    let now = w.app.clock.now();
    let store = &w.app.store;
    store
        .create_device(&portcullis_core::model::Device {
            id: "dev_bob".into(),
            user_id: w.bob.clone(),
            token_digest: "bob-device".into(),
            label: "Firefox on Linux".into(),
            created_at: now,
            last_used_at: None,
            expires_at: now + 86_400,
        })
        .await
        .unwrap();
    store
        .put_consent(&portcullis_core::model::Consent {
            id: "cns_bob".into(),
            user_id: w.bob.clone(),
            client_id: w.client.clone(),
            audience: None,
            scope: vec!["openid".into(), "email".into()],
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
    store
        .link_upstream(&portcullis_core::model::UpstreamIdentity {
            provider: "google".into(),
            subject: "g-123456".into(),
            user_id: w.bob.clone(),
            email: Some("bob@gmail.example".into()),
            created_at: now,
        })
        .await
        .unwrap();
    let page = get(&w.admin, &w.app, &w.user_path()).await;
    for shown in [
        "Firefox on Linux",
        "g-123456",
        "bob@gmail.example",
        "openid email",
        "not recorded",
    ] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    // A session made through the hosted pages records where it was made.
    let me = format!("/admin/users/{}", w.admin_id);
    let own = get(&w.admin, &w.app, &me).await;
    assert!(own.body.contains("127.0.0.1"), "{}", own.body);
    let security = get(&w.admin, &w.app, "/u/account/security").await;
    assert!(
        security.body.contains("<td>127.0.0.1</td>"),
        "the user sees it too"
    );

    // Metadata: a JSON object per field, checked as the management API checks it.
    let saved = w
        .act_done(
            &[
                ("action", "set_metadata"),
                ("user_metadata", r#"{"theme": "dark"}"#),
                ("app_metadata", r#"{"plan": "pro"}"#),
            ],
            "metadata_saved",
        )
        .await;
    assert_eq!(saved.status, 303);
    let bob = store.user_by_id(&w.bob).await.unwrap().unwrap();
    assert_eq!(bob.user_metadata["theme"], "dark");
    assert_eq!(bob.app_metadata["plan"], "pro");
    let audited = w.app.events("user.updated").await;
    assert_eq!(audited[0].event.detail["admin_id"], w.admin_id);
    for (field, bad) in [
        ("user_metadata", "{\"theme\": "),
        ("app_metadata", "[1, 2]"),
    ] {
        let mut fields = vec![("action", "set_metadata")];
        let other = if field == "user_metadata" {
            "app_metadata"
        } else {
            "user_metadata"
        };
        fields.push((field, bad));
        fields.push((other, "{}"));
        let refused = w.act(&fields).await;
        assert_eq!(refused.status, 422, "{bad}");
        assert!(refused.body.contains(field), "{}", refused.body);
        assert!(
            refused.body.contains("aria-invalid"),
            "the error is announced"
        );
        let bob = store.user_by_id(&w.bob).await.unwrap().unwrap();
        assert_eq!(bob.app_metadata["plan"], "pro", "nothing changed");
    }

    // A remembered browser forgotten, a consent withdrawn, one session ended: each once.
    w.act_done(
        &[("action", "forget_device"), ("device_id", "dev_bob")],
        "device_forgotten",
    )
    .await;
    assert!(store.devices(&w.bob, now).await.unwrap().is_empty());
    let again = w
        .act(&[("action", "forget_device"), ("device_id", "dev_bob")])
        .await;
    assert_eq!(again.status, 404);
    w.act_done(
        &[("action", "revoke_consent"), ("consent_id", "cns_bob")],
        "consent_revoked",
    )
    .await;
    assert!(store.consents(Some(&w.bob), None).await.unwrap().is_empty());
    let again = w
        .act(&[("action", "revoke_consent"), ("consent_id", "cns_bob")])
        .await;
    assert_eq!(again.status, 404);
    let sid = store.user_sessions(&w.bob, now).await.unwrap()[0]
        .id
        .clone();
    w.act_done(
        &[("action", "end_session"), ("session_id", &sid)],
        "session_ended",
    )
    .await;
    assert_eq!(w.bob_sessions().await, 0);
    let again = w
        .act(&[("action", "end_session"), ("session_id", &sid)])
        .await;
    assert_eq!(again.status, 404);

    // Support may read all of it but change none of it.
    grant(&w.app, EMAIL, Some(Role::Support)).await;
    let read = get(&w.admin, &w.app, &w.user_path()).await;
    assert!(read.body.contains("readonly"));
    let refused = w
        .act(&[
            ("action", "set_metadata"),
            ("user_metadata", "{}"),
            ("app_metadata", "{}"),
        ])
        .await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn an_admin_deletes_a_user_after_the_grace_period_and_may_restore_them_before() {
    let w = world().await;
    let mismatch = w
        .act(&[("action", "delete"), ("confirm", "someone@else")])
        .await;
    assert_eq!(mismatch.status, 422);
    assert!(!w.bob_blocked().await);
    // Eighty at once: all answered, one schedule, bob blocked and signed out.
    let csrf = form_value(
        &get(&w.admin, &w.app, "/u/account/security").await.body,
        "csrf",
    )
    .unwrap();
    let path = w.user_path();
    let deletes = (0..80).map(|_| {
        let (w, csrf, path) = (&w, csrf.clone(), path.clone());
        async move {
            post(
                &w.admin,
                &w.app,
                &path,
                &[
                    ("csrf", csrf.as_str()),
                    ("action", "delete"),
                    ("confirm", "bob@example.com"),
                ],
            )
            .await
            .status
        }
    });
    let statuses = futures_util::future::join_all(deletes).await;
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    assert!(w.bob_blocked().await);
    assert_eq!(w.bob_sessions().await, 0);
    let due = w
        .app
        .store
        .user_deletion_due(&w.bob)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(due, w.app.clock.now() + 7 * 86_400);
    let page = get(&w.admin, &w.app, &w.user_path()).await;
    assert!(page.body.contains("to be deleted after"), "{}", page.body);
    let scheduled = w.app.events("user.deletion_scheduled").await;
    assert!(!scheduled.is_empty());
    assert_eq!(scheduled[0].event.detail["admin_id"], w.admin_id);

    // Before the end of the grace period, an admin restores them.
    w.act_done(&[("action", "restore")], "restored").await;
    assert!(!w.bob_blocked().await);
    assert_eq!(w.app.store.user_deletion_due(&w.bob).await.unwrap(), None);
    // An admin cannot delete themselves here, and support cannot delete at all.
    let me = format!("/admin/users/{}", w.admin_id);
    let own = submit(
        &w.admin,
        &w.app,
        &me,
        &me,
        &[("action", "delete"), ("confirm", EMAIL)],
    )
    .await;
    assert_eq!(own.status, 409);
    grant(&w.app, EMAIL, Some(Role::Support)).await;
    let refused = w
        .act(&[("action", "delete"), ("confirm", "bob@example.com")])
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(w.app.store.user_deletion_due(&w.bob).await.unwrap(), None);

    // Deleted again and left: gone when the grace period ends, not a moment before.
    grant(&w.app, EMAIL, Some(Role::Admin)).await;
    w.act_done(
        &[("action", "delete"), ("confirm", "bob@example.com")],
        "deletion_scheduled",
    )
    .await;
    let sweep = portcullis_server::ui::profile::sweep_deletions;
    w.app.clock.advance(7 * 86_400 - 10);
    assert_eq!(sweep(&w.app.state).await.unwrap(), 0);
    w.app.clock.advance(10);
    assert_eq!(sweep(&w.app.state).await.unwrap(), 1);
    assert!(w.app.store.user_by_id(&w.bob).await.unwrap().is_none());
}

#[tokio::test]
async fn an_admin_creates_a_user_who_chooses_their_own_password_by_link() {
    let w = world().await;
    let made = submit(
        &w.admin,
        &w.app,
        "/admin/users",
        "/admin/users",
        &[("email", " Carol@Example.com "), ("name", "Carol")],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let carol = w
        .app
        .store
        .user_by_email("carol@example.com")
        .await
        .unwrap()
        .expect("created");
    assert_eq!(
        made.location.as_deref(),
        Some(format!("/admin/users/{}?done=created", carol.id).as_str())
    );
    assert!(carol.password_hash.is_none(), "no admin knows the password");
    assert_eq!(
        mails(&w.app, "carol@example.com", "Choose your password"),
        1
    );
    let created = w.app.events("user.created").await;
    assert_eq!(created[0].event.detail["admin_id"], w.admin_id);

    // Taken, look-alike or malformed: refused with the typed values kept; nothing made.
    for (email, status) in [
        ("carol@example.com", 409),
        ("caro1@example.com", 409),
        ("not an address", 422),
    ] {
        let refused = submit(
            &w.admin,
            &w.app,
            "/admin/users",
            "/admin/users",
            &[("email", email), ("name", "Eve")],
        )
        .await;
        assert_eq!(refused.status, status, "{email}: {}", refused.body);
        assert!(refused.body.contains("aria-invalid"), "{email}");
        assert!(refused.body.contains("value=\"Eve\""), "{email}");
    }
    assert!(
        w.app
            .store
            .user_by_email("caro1@example.com")
            .await
            .unwrap()
            .is_none()
    );
    // Support may not create users.
    grant(&w.app, EMAIL, Some(Role::Support)).await;
    let refused = submit(
        &w.admin,
        &w.app,
        "/u/account/security",
        "/admin/users",
        &[("email", "dave@example.com")],
    )
    .await;
    assert_eq!(refused.status, 403);
    assert!(
        w.app
            .store
            .user_by_email("dave@example.com")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_users_profile_is_edited_under_the_management_apis_rules() {
    let w = world().await;
    w.app
        .store
        .update_user(&{
            let mut b = w.app.store.user_by_id(&w.bob).await.unwrap().unwrap();
            b.email_verified = true;
            b
        })
        .await
        .unwrap();
    // A new address is unverified unless the admin ticks the box.
    w.act_done(
        &[
            ("action", "set_profile"),
            ("email", "Robert@Example.com"),
            ("name", " Robert "),
        ],
        "profile_saved",
    )
    .await;
    let bob = w.app.store.user_by_id(&w.bob).await.unwrap().unwrap();
    assert_eq!(bob.email, "robert@example.com");
    assert_eq!(bob.name.as_deref(), Some("Robert"));
    assert!(!bob.email_verified);
    let updated = w.app.events("user.updated").await;
    assert_eq!(
        updated[0].event.detail["fields"],
        serde_json::json!(["email", "name", "email_verified"])
    );
    assert_eq!(updated[0].event.detail["admin_id"], w.admin_id);
    // Taken, look-alike, malformed, or a name with a direction override: nothing changes.
    for (email, name, status) in [
        (EMAIL, "Robert", 409),
        ("not-an-address", "Robert", 422),
        ("robert@example.com", "Rob\u{202e}ert", 422),
    ] {
        let refused = w
            .act(&[("action", "set_profile"), ("email", email), ("name", name)])
            .await;
        assert_eq!(refused.status, status, "{email} {name}");
    }
    assert_eq!(
        w.app.store.user_by_id(&w.bob).await.unwrap().unwrap(),
        bob,
        "nothing changed"
    );
    w.act_done(
        &[
            ("action", "set_profile"),
            ("email", "robert@example.com"),
            ("name", "Robert"),
            ("email_verified", "1"),
        ],
        "profile_saved",
    )
    .await;
    assert!(
        w.app
            .store
            .user_by_id(&w.bob)
            .await
            .unwrap()
            .unwrap()
            .email_verified
    );
}

/// The number in `<strong>` after `label` on a page.
fn figure_after(body: &str, label: &str) -> i64 {
    let rest = &body[body
        .find(label)
        .unwrap_or_else(|| panic!("{label}: {body}"))
        + label.len()..];
    let start = rest.find(|c: char| c.is_ascii_digit()).unwrap();
    rest[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_overview_counts_the_audit_trail_adoption_sessions_and_the_chain() {
    let w = world().await;
    let now = w.app.clock.now();
    // Events a day and three days ago (in the 14-day window, not in the last 24 hours), and
    // one older than the window.
    for (ago, kind) in [
        (86_400, "login.success"),
        (86_400, "login.failure"),
        (3 * 86_400, "factor.failure"),
        (3 * 86_400, "lockout"),
        (86_400, "stepup.requested"),
        (86_400, "logout.backchannel_failed"),
        (20 * 86_400, "login.success"),
    ] {
        let event = portcullis_core::model::AuditEvent {
            at: now - ago,
            kind: kind.into(),
            user_id: Some(w.bob.clone()),
            client_id: None,
            ip: None,
            user_agent: None,
            detail: serde_json::json!({}),
        };
        portcullis_core::audit::append(w.app.store.as_ref(), w.app.state.master(), &event)
            .await
            .unwrap();
    }
    // A sign-in from a new browser: adaptive asks the admin for their TOTP.
    let asked = password_step(&browser(), &w.app, &w.client, "").await;
    assert_eq!(asked.location.as_deref(), Some("/u/mfa"));
    let recent_sign_ins = w.app.events("login.success").await.len() as i64 - 2;
    let page = get(&w.admin, &w.app, "/admin").await;
    assert_eq!(page.status, 200);
    let b = &page.body;
    assert_eq!(figure_after(b, "Sign-ins: "), recent_sign_ins + 1, "{b}");
    assert_eq!(figure_after(b, "Failed passwords and factors: "), 2);
    assert_eq!(figure_after(b, "Lockouts: "), 1);
    assert_eq!(figure_after(b, "Back-channel logouts failed: "), 1);
    assert_eq!(figure_after(b, "Step-up asked by an app or API: "), 1);
    assert_eq!(
        figure_after(b, "Second factor asked at sign-in: "),
        1,
        "the new browser's sign-in asked for the TOTP"
    );
    // The admin and bob are active, and both have a TOTP factor.
    assert!(
        b.contains("<dt>With a second factor</dt><dd>2 (100.0%)</dd>"),
        "{b}"
    );
    assert!(figure_after(b, "Live sessions</dt><dd>") >= 2);
    assert!(b.contains("Not verified from the console yet."));
    // Every chart is well-formed SVG with a title for screen readers.
    let svgs: Vec<&str> = b
        .split("<svg")
        .skip(1)
        .map(|rest| &rest[..rest.find("</svg>").unwrap()])
        .collect();
    assert_eq!(svgs.len(), 9, "eight series and adoption");
    for svg in svgs {
        let doc = format!("<svg{svg}</svg>");
        let parsed = roxmltree::Document::parse(&doc).unwrap_or_else(|e| panic!("{e}: {doc}"));
        assert_eq!(parsed.root_element().attribute("role"), Some("img"));
        assert!(parsed.descendants().any(|n| n.has_tag_name("title")));
    }
    // The last 24 hours hold none of the back-dated events.
    let day = get(&w.admin, &w.app, "/admin?window=24h").await;
    assert_eq!(figure_after(&day.body, "Lockouts: "), 0);
    assert_eq!(figure_after(&day.body, "Sign-ins: "), recent_sign_ins);

    // Verified from the audit page: the overview shows when, and that it held.
    let verified = submit(&w.admin, &w.app, "/admin/logs", "/admin/logs/verify", &[]).await;
    assert_eq!(verified.status, 200);
    let after = get(&w.admin, &w.app, "/admin").await;
    assert!(after.body.contains("Intact: "), "{}", after.body);
    // Auditors read it; strangers are sent to sign in.
    grant(&w.app, EMAIL, Some(Role::Auditor)).await;
    assert_eq!(get(&w.admin, &w.app, "/admin").await.status, 200);
    assert_eq!(get(&browser(), &w.app, "/admin").await.status, 303);
}

#[tokio::test]
async fn the_settings_page_shows_the_configuration_but_no_secret() {
    let w = world().await;
    let page = get(&w.admin, &w.app, "/admin/settings").await;
    assert_eq!(page.status, 200);
    let settings = w.app.state.settings();
    assert!(page.body.contains(&settings.issuer));
    assert!(
        page.body
            .contains("<code>master_keys</code></th><td>1 set (hidden)</td>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<code>database_url</code></th><td>set (hidden)</td>")
    );
    for key in &settings.master_keys {
        assert!(!page.body.contains(key.expose()), "a master key leaked");
    }
    assert!(!page.body.contains(settings.database_url.expose()));
    // The policy in force includes the console's changes.
    submit(
        &w.admin,
        &w.app,
        "/admin/policy",
        "/admin/policy",
        &[("mfa", "always")],
    )
    .await;
    let after = get(&w.admin, &w.app, "/admin/settings").await;
    assert!(
        after.body.contains("<code>mfa</code></th><td>always</td>"),
        "{}",
        after.body
    );
    grant(&w.app, EMAIL, Some(Role::Auditor)).await;
    assert_eq!(get(&w.admin, &w.app, "/admin/settings").await.status, 200);
}

/// The text of the element with `id` on a page.
fn element_text(body: &str, id: &str) -> Option<String> {
    let start = body.find(&format!("id=\"{id}\""))?;
    let rest = &body[start..];
    let open = rest.find('>')? + 1;
    let close = rest.find('<')?;
    Some(rest[open..close].to_string())
}

/// A `client_credentials` request for `audience`: its status.
async fn m2m(app: &TestApp, id: &str, secret: &str, audience: &str) -> u16 {
    reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials"), ("audience", audience)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn an_app_created_in_the_console_shows_its_secret_once_and_is_managed_there() {
    let w = world().await;
    let api = "https://payouts.example";
    let made_api = submit(
        &w.admin,
        &w.app,
        "/admin/apis",
        "/admin/apis",
        &[
            ("identifier", api),
            ("name", "Payouts"),
            ("scopes", "read:payouts send:payouts"),
            ("token_lifetime", "600"),
            ("signing_alg", "ES256"),
        ],
    )
    .await;
    assert_eq!(made_api.status, 303, "{}", made_api.body);
    let stored_api = w
        .app
        .store
        .list_apis()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.identifier == api)
        .unwrap();
    assert_eq!(stored_api.token_ttl, 600);
    assert_eq!(stored_api.signing_alg.as_deref(), Some("ES256"));

    let created = submit(
        &w.admin,
        &w.app,
        "/admin/apps",
        "/admin/apps",
        &[("name", "Payout robot"), ("kind", "m2m")],
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(created.body.contains("shown only on this page"));
    let id = element_text(&created.body, "client-id").unwrap();
    let secret = element_text(&created.body, "client-secret").unwrap();
    assert!(secret.len() >= 32, "{secret}");
    let app_page = get(&w.admin, &w.app, &format!("/admin/apps/{id}")).await;
    assert!(!app_page.body.contains(&secret), "never shown again");
    assert_eq!(
        w.app.events("client.created").await[0].event.detail["admin_id"],
        w.admin_id
    );

    // No grant yet: no token. With one: a token.
    assert_ne!(m2m(&w.app, &id, &secret, api).await, 200);
    let path = format!("/admin/apps/{id}");
    let granted = w_submit(
        &w,
        &path,
        &[
            ("action", "add_grant"),
            ("audience", api),
            ("scopes", "read:payouts"),
        ],
    )
    .await;
    assert_eq!(granted.status, 303, "{}", granted.body);
    assert_eq!(m2m(&w.app, &id, &secret, api).await, 200);
    let twice = w_submit(
        &w,
        &path,
        &[
            ("action", "add_grant"),
            ("audience", api),
            ("scopes", "read:payouts"),
        ],
    )
    .await;
    assert_eq!(twice.status, 422, "one grant per API");

    // Rotated: the old secret stops at once, the new one (shown once) works.
    let rotated = w_submit(&w, &path, &[("action", "rotate")]).await;
    assert_eq!(rotated.status, 200);
    let new_secret = element_text(&rotated.body, "client-secret").unwrap();
    assert_ne!(new_secret, secret);
    assert_ne!(m2m(&w.app, &id, &secret, api).await, 200);
    assert_eq!(m2m(&w.app, &id, &new_secret, api).await, 200);

    w_submit(&w, &path, &[("action", "remove_grant"), ("audience", api)]).await;
    assert_ne!(m2m(&w.app, &id, &new_secret, api).await, 200);

    // The API's page: its policy overrides beside the tenant's, saved and in force.
    let api_path = format!("/admin/apis/{}", stored_api.id);
    let saved = w_submit(
        &w,
        &api_path,
        &[
            ("action", "save"),
            ("name", "Payouts"),
            ("scopes", "read:payouts"),
            ("token_lifetime", "600"),
            ("required_acr", "aal2"),
            ("max_age", "300"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let effective = w.app.state.policy(None, Some(api)).await;
    assert_eq!(effective.max_age, Some(300));
    let bad = w_submit(
        &w,
        &api_path,
        &[
            ("action", "save"),
            ("scopes", "read:payouts"),
            ("token_lifetime", "5"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("token_lifetime must be from 60 to 86400"),
        "{}",
        bad.body
    );
    assert_eq!(
        w.app.state.policy(None, Some(api)).await.max_age,
        Some(300),
        "nothing changed"
    );
    // The built-in management API cannot be changed.
    let builtin = w
        .app
        .store
        .list_apis()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.identifier.ends_with("/api/v2/"))
        .unwrap();
    let refused = w_submit(
        &w,
        &format!("/admin/apis/{}", builtin.id),
        &[("action", "delete"), ("confirm", &builtin.identifier)],
    )
    .await;
    assert_eq!(refused.status, 403);
    let deleted = w_submit(&w, &api_path, &[("action", "delete"), ("confirm", api)]).await;
    assert_eq!(deleted.status, 303);
    assert!(
        !w.app
            .store
            .list_apis()
            .await
            .unwrap()
            .iter()
            .any(|a| a.identifier == api)
    );

    // Deleted only when its id is typed.
    let kept = w_submit(&w, &path, &[("action", "delete"), ("confirm", "nope")]).await;
    assert_eq!(kept.status, 422);
    let gone = w_submit(&w, &path, &[("action", "delete"), ("confirm", &id)]).await;
    assert_eq!(gone.status, 303);
    assert!(w.app.state.client(&id).await.is_none());
    assert_eq!(get(&w.admin, &w.app, &path).await.status, 404);
}

/// Submits a form to `path` with the CSRF token of `path`'s own page.
async fn w_submit(w: &World, path: &str, fields: &[(&str, &str)]) -> Page {
    submit(&w.admin, &w.app, "/u/account/security", path, fields).await
}

#[tokio::test]
async fn an_apps_redirect_uris_and_policy_are_edited_under_the_apis_rules() {
    let w = world().await;
    let path = format!("/admin/apps/{}", w.client);
    let before = w.app.state.client(&w.client).await.unwrap();
    // A redirect URI that is not https (nor localhost) is refused, what was typed is kept.
    let bad = w_submit(
        &w,
        &path,
        &[
            ("action", "save"),
            ("name", "Test"),
            ("redirect_uris", "http://evil.example/cb"),
            ("grant_authorization_code", "1"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("http://evil.example/cb"));
    assert!(bad.body.contains("must be absolute https"));
    assert_eq!(w.app.state.client(&w.client).await.unwrap(), before);

    let saved = w_submit(
        &w,
        &path,
        &[
            ("action", "save"),
            ("name", "Renamed"),
            ("redirect_uris", "https://new.example/cb"),
            ("grant_authorization_code", "1"),
            ("grant_refresh_token", "1"),
            ("signing_alg", "ES256"),
            ("mfa", "always"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let after = w.app.state.client(&w.client).await.unwrap();
    assert_eq!(after.redirect_uris, ["https://new.example/cb"]);
    assert_eq!(after.signing_alg, "ES256");
    assert_eq!(
        w.app.state.policy(Some(&w.client), None).await.mfa,
        portcullis_core::policy::MfaMode::Always
    );
    let page = get(&w.admin, &w.app, &path).await;
    assert!(
        page.body.contains("<td class=\"in-force\">always</td>"),
        "{}",
        page.body
    );
    // The old redirect URI no longer works at /authorize.
    let old = get(&browser(), &w.app, &authorize_url(&w.app, &w.client, "")).await;
    assert_eq!(old.status, 400, "{:?}", old.location);
    assert_eq!(
        w.app.events("client.updated").await[0].event.detail["admin_id"],
        w.admin_id
    );
}

#[tokio::test]
async fn only_admins_manage_apps_and_eighty_rotations_leave_one_secret() {
    let w = world().await;
    let created = submit(
        &w.admin,
        &w.app,
        "/admin/apps",
        "/admin/apps",
        &[("name", "Robot"), ("kind", "m2m")],
    )
    .await;
    let id = element_text(&created.body, "client-id").unwrap();
    let path = format!("/admin/apps/{id}");
    for role in [Role::Support, Role::Auditor] {
        grant(&w.app, EMAIL, Some(role)).await;
        assert_eq!(get(&w.admin, &w.app, "/admin/apps").await.status, 200);
        assert_eq!(get(&w.admin, &w.app, &path).await.status, 200);
        assert_eq!(get(&w.admin, &w.app, "/admin/apis").await.status, 200);
        for fields in [
            &[("action", "rotate")][..],
            &[("action", "delete"), ("confirm", id.as_str())][..],
        ] {
            assert_eq!(
                w_submit(&w, &path, fields).await.status,
                403,
                "{role:?} {fields:?}"
            );
        }
        let refused = submit(
            &w.admin,
            &w.app,
            "/u/account/security",
            "/admin/apps",
            &[("name", "X"), ("kind", "m2m")],
        )
        .await;
        assert_eq!(refused.status, 403);
    }
    grant(&w.app, EMAIL, Some(Role::Admin)).await;
    let csrf = form_value(&get(&w.admin, &w.app, &path).await.body, "csrf").unwrap();
    let rotations = (0..80).map(|_| {
        let (w, csrf, path) = (&w, csrf.clone(), path.clone());
        async move {
            let page = post(
                &w.admin,
                &w.app,
                &path,
                &[("csrf", csrf.as_str()), ("action", "rotate")],
            )
            .await;
            assert_eq!(page.status, 200);
            element_text(&page.body, "client-secret").unwrap()
        }
    });
    let secrets = futures_util::future::join_all(rotations).await;
    let client = w.app.state.client(&id).await.unwrap();
    let working = secrets
        .iter()
        .filter(|s| {
            client.secret_digest.as_deref()
                == Some(portcullis_core::crypto::token_digest(s).as_str())
        })
        .count();
    assert_eq!(
        working, 1,
        "exactly one of the eighty secrets is the stored one"
    );
}

#[tokio::test]
async fn actions_are_checked_deployed_ordered_and_deleted_in_the_console() {
    let w = world().await;
    let code = "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('tier', event.secrets.TIER); };";
    // Source that does not load is refused: the error is shown, the source kept, the secret not.
    let bad = w_submit(
        &w,
        "/admin/actions",
        &[
            ("op", "deploy"),
            ("name", "tier"),
            ("code", "exports.onExecutePostLogin = ("),
            ("secrets", "TIER=s3cret-value"),
            ("bind", "yes"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("aria-invalid=\"true\""));
    assert!(bad.body.contains("exports.onExecutePostLogin = ("));
    assert!(
        !bad.body.contains("s3cret-value"),
        "secrets are never echoed"
    );
    assert!(w.app.state.snapshot().post_login.is_empty());
    let ok = w_submit(
        &w,
        "/admin/actions",
        &[
            ("op", "deploy"),
            ("name", "tier"),
            ("code", code),
            ("secrets", "TIER=s3cret-value"),
            ("bind", "yes"),
        ],
    )
    .await;
    assert_eq!(
        ok.location.as_deref(),
        Some("/admin/actions?done=deployed"),
        "{}",
        ok.body
    );
    let running = w.app.state.snapshot().post_login.clone();
    assert_eq!(running.scripts().len(), 1);
    assert_eq!(running.scripts()[0].secrets["TIER"], "s3cret-value");
    let listed = get(&w.admin, &w.app, "/admin/actions?done=deployed").await;
    assert!(listed.body.contains("version 1"), "{}", listed.body);
    assert!(!listed.body.contains("s3cret-value"));
    let event = w.app.events("action.deployed").await;
    assert_eq!(event[0].event.detail["admin_id"], w.admin_id);
    // A second Action runs after the first; "Run earlier" puts it first.
    let second = w_submit(
        &w,
        "/admin/actions",
        &[
            ("op", "deploy"),
            ("name", "second"),
            ("code", "exports.onExecutePostLogin = async () => {};"),
            ("bind", "yes"),
        ],
    )
    .await;
    assert_eq!(
        second.location.as_deref(),
        Some("/admin/actions?done=deployed")
    );
    let names = |w: &World| -> Vec<String> {
        w.app
            .state
            .snapshot()
            .post_login
            .scripts()
            .iter()
            .map(|s| s.name.clone())
            .collect()
    };
    assert_eq!(names(&w), ["tier", "second"]);
    let second_id = w
        .app
        .store
        .list_actions()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == "second")
        .unwrap()
        .id;
    let moved = w_submit(
        &w,
        "/admin/actions",
        &[("op", "earlier"), ("id", &second_id)],
    )
    .await;
    assert_eq!(moved.location.as_deref(), Some("/admin/actions?done=moved"));
    assert_eq!(names(&w), ["second", "tier"]);
    let unbound = w_submit(
        &w,
        "/admin/actions",
        &[("op", "unbind"), ("id", &second_id)],
    )
    .await;
    assert_eq!(
        unbound.location.as_deref(),
        Some("/admin/actions?done=moved")
    );
    assert_eq!(names(&w), ["tier"]);
    // Deleting a bound Action unbinds it; twice is a 404.
    let tier_id = w
        .app
        .store
        .list_actions()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == "tier")
        .unwrap()
        .id;
    let deleted = w_submit(&w, "/admin/actions", &[("op", "delete"), ("id", &tier_id)]).await;
    assert_eq!(
        deleted.location.as_deref(),
        Some("/admin/actions?done=deleted")
    );
    assert!(w.app.state.snapshot().post_login.is_empty());
    let again = w_submit(&w, "/admin/actions", &[("op", "delete"), ("id", &tier_id)]).await;
    assert_eq!(again.status, 404);
    // A support role reads the page but changes nothing.
    grant(&w.app, EMAIL, Some(Role::Support)).await;
    let refused = w_submit(&w, "/admin/actions", &[("op", "bind"), ("id", &second_id)]).await;
    assert_eq!(refused.status, 403);
    assert!(w.app.state.snapshot().post_login.is_empty());
}
