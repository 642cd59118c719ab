//! What the hosted pages' languages cost per request: picking the language from the headers,
//! and formatting messages (plain, with arguments and plurals, dates) in a shipped language.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis_server::i18n::{Catalog, Current, date_time, duration, t};

/// The sign-in area's messages that take no argument: about what one sign-in page shows.
fn sign_in_ids() -> Vec<String> {
    include_str!("../locales/en/signin.ftl")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.contains('$') && !l.starts_with(' '))
        .filter_map(|l| l.split_once(" = ").map(|(id, _)| id.to_string()))
        .collect()
}

fn bench(c: &mut Criterion) {
    let catalog = Arc::new(Catalog::shipped());
    c.bench_function("negotiate: Accept-Language de-CH,de;q=0.9,en;q=0.8", |b| {
        b.iter(|| catalog.negotiate(None, None, black_box(Some("de-CH,de;q=0.9,en;q=0.8"))))
    });
    c.bench_function("negotiate: the portcullis_locale cookie", |b| {
        b.iter(|| catalog.negotiate(None, black_box(Some("ar")), Some("en-US,en;q=0.9")))
    });
    let de = Current::of(&catalog, Some("de"));
    c.bench_function("one message, German", |b| {
        b.iter(|| de.run(|| t(black_box("login-title"))))
    });
    let ar = Current::of(&catalog, Some("ar"));
    c.bench_function(
        "a message with a plural argument, Arabic (\"3 دقائق\")",
        |b| b.iter(|| ar.run(|| duration(black_box(180)))),
    );
    let ja = Current::of(&catalog, Some("ja"));
    c.bench_function("a date and time, Japanese", |b| {
        b.iter(|| ja.run(|| date_time(black_box(1_796_400_000))))
    });
    let ids = sign_in_ids();
    assert!(ids.len() > 50, "{}", ids.len());
    c.bench_function(&format!("{} sign-in messages, German", ids.len()), |b| {
        b.iter(|| {
            de.run(|| {
                for id in &ids {
                    black_box(t(id));
                }
            })
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
