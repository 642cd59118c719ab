//! Several nodes on one PostgreSQL database: configuration changes reach every node as they
//! commit (`LISTEN/NOTIFY`, the change counter polled only as the fallback), and per-address
//! limits are counted once for the cluster, not once per node. The full cluster behind a load
//! balancer is `tests/cluster`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use portcullis_core::crypto::jws::Alg;
use portcullis_core::ports::Store;
use portcullis_testkit::{Engine, TestApp, spawn_app_with_env, spawn_node};

/// Waits up to `limit` for `seen` to hold on a node's cache; how long it took.
async fn within(limit: Duration, mut seen: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if seen() {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    None
}

fn cached(node: &TestApp, client_id: &str) -> bool {
    node.state.snapshot().clients.contains_key(client_id)
}

#[tokio::test]
async fn cluster_configuration_changes_reach_the_other_node_as_they_commit() {
    let a = spawn_app_with_env(Engine::Postgres, &[]).await;
    let b = spawn_node(&a, &[]).await;
    // The first change may land before B listens; B then catches up when its listener starts.
    let (first, _) = a.web_client(REDIRECT).await;
    assert!(
        within(Duration::from_secs(10), || cached(&b, &first.id))
            .await
            .is_some()
    );

    // From now on only a notification can tell B within a second: its fallback poll is 5 s.
    let (second, _) = a.web_client(REDIRECT).await;
    let took = within(Duration::from_secs(1), || cached(&b, &second.id)).await;
    assert!(took.is_some(), "a client created on A reached B's cache");
    assert!(a.store.delete_client(&second.id).await.unwrap());
    let took = within(Duration::from_secs(1), || !cached(&b, &second.id)).await;
    assert!(took.is_some(), "a client deleted on A left B's cache");
    let before = b.state.snapshot().signer(None).unwrap().kid().to_string();
    let rotated = portcullis_core::admin::rotate_key(
        a.store.as_ref(),
        a.state.master(),
        &a.clock,
        Alg::Rs256,
    )
    .await
    .unwrap();
    assert_ne!(before, rotated.kid);
    let took = within(Duration::from_secs(1), || {
        b.state.snapshot().signer(None).unwrap().kid() == rotated.kid
    })
    .await;
    assert!(took.is_some(), "a key rotated on A signs on B");
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn cluster_per_address_limits_are_counted_once_for_all_nodes() {
    let env = [("PORTCULLIS_LIMITS__LOGIN_PER_MINUTE", "6")];
    let a = spawn_app_with_env(Engine::Postgres, &env).await;
    let b = spawn_node(&a, &env).await;
    let cli = password_client(&a, &["mfa=never"]).await;
    let guess = |node: &TestApp, n: usize| {
        let (url, cli) = (node.url("/oauth/token"), cli.clone());
        async move { spray(url, cli, n).await.status().as_u16() }
    };
    // Alternating nodes: six guesses in all, not six per node.
    let mut statuses = Vec::new();
    for n in 0..10 {
        let node = if n % 2 == 0 { &a } else { &b };
        statuses.push(guess(node, n).await);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        4,
        "{statuses:?}"
    );
    assert!(statuses[..6].iter().all(|s| *s != 429), "{statuses:?}");
    // Eighty at once across both nodes from a fresh window: still six.
    a.clock.advance(60);
    let tasks: Vec<_> = (0..80)
        .map(|n| {
            let node = if n % 2 == 0 { &a } else { &b };
            tokio::spawn(guess(node, n))
        })
        .collect();
    let mut passed = 0;
    for t in tasks {
        if t.await.unwrap() != 429 {
            passed += 1;
        }
    }
    assert_eq!(passed, 6);
    b.stop().await;
    a.stop().await;
}
