//! Notifier tests against real servers on loopback: a minimal SMTP server, an HTTP stand-in for
//! the SMS gateway, and the on-disk dev outbox.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::post;
use portcullis_core::notify::{Channel, Message, Notifier};
use portcullis_server::notify::{
    NotifySettings, Outbox, SmsSettings, SmtpSettings, SmtpTls, build, dev_routes, outbox_page,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// One mail transaction as the SMTP server saw it.
#[derive(Debug, Default, Clone)]
struct Mail {
    from: String,
    rcpt: Vec<String>,
    data: String,
}

/// A minimal plaintext SMTP server; `reject_rcpt` answers RCPT with a 550 quoting the address,
/// as real servers do.
async fn smtp_server(reject_rcpt: bool) -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let store = mails.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let mut mail = Mail::default();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: String = if upper.starts_with("EHLO") {
                        "250-test\r\n250 8BITMIME\r\n".into()
                    } else if upper.starts_with("HELO") {
                        "250 test\r\n".into()
                    } else if upper.starts_with("MAIL FROM:") {
                        mail = Mail {
                            from: line[10..].trim().to_string(),
                            ..Mail::default()
                        };
                        "250 OK\r\n".into()
                    } else if upper.starts_with("RCPT TO:") {
                        let addr = line[8..].trim().to_string();
                        if reject_rcpt {
                            format!("550 5.1.1 {addr}: no such user\r\n")
                        } else {
                            mail.rcpt.push(addr);
                            "250 OK\r\n".into()
                        }
                    } else if upper == "DATA" {
                        write.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            // Undo dot-stuffing (RFC 5321 §4.5.2).
                            let l = l
                                .strip_prefix('.')
                                .filter(|_| l.starts_with(".."))
                                .unwrap_or(&l);
                            data.push_str(l);
                            data.push_str("\r\n");
                        }
                        mail.data = data;
                        store.lock().unwrap().push(std::mem::take(&mut mail));
                        "250 queued\r\n".into()
                    } else if upper == "QUIT" {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else if upper == "RSET" || upper == "NOOP" {
                        "250 OK\r\n".into()
                    } else {
                        "502 not implemented\r\n".into()
                    };
                    if write.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, mails)
}

fn smtp_settings(port: u16) -> NotifySettings {
    NotifySettings {
        smtp: Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            from: "Portcullis <no-reply@example.com>".into(),
            tls: SmtpTls::None,
            ..SmtpSettings::default()
        }),
        sms: None,
    }
}

#[tokio::test]
async fn smtp_text_and_html_arrive_as_multipart_alternative() {
    let (port, mails) = smtp_server(false).await;
    let notifier = build(&smtp_settings(port), None).unwrap();
    let message = Message::new(
        Channel::Email,
        "Ada Lovelace <ada@example.com>",
        "Your sign-in code",
        "Your code is 493817",
    )
    .with_html("<p>Your code is <b>493817</b></p>");
    notifier.send(&message).await.unwrap();

    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.from, "<no-reply@example.com>");
    assert_eq!(mail.rcpt, vec!["<ada@example.com>".to_string()]);
    let data = &mail.data;
    assert!(
        data.contains("From: Portcullis <no-reply@example.com>\r\n"),
        "{data}"
    );
    assert!(
        data.contains("To: \"Ada Lovelace\" <ada@example.com>\r\n")
            || data.contains("To: Ada Lovelace <ada@example.com>\r\n"),
        "{data}"
    );
    assert!(data.contains("Subject: Your sign-in code\r\n"), "{data}");
    assert!(
        data.contains("Content-Type: multipart/alternative"),
        "{data}"
    );
    let plain = data.find("Content-Type: text/plain").expect("text part");
    let html = data.find("Content-Type: text/html").expect("html part");
    assert!(
        plain < html,
        "plain part comes first so clients prefer HTML"
    );
    assert!(data[plain..html].contains("Your code is 493817"), "{data}");
    assert!(
        data[html..].contains("<p>Your code is <b>493817</b></p>"),
        "{data}"
    );
}

#[tokio::test]
async fn smtp_text_only_is_single_plain_part() {
    let (port, mails) = smtp_server(false).await;
    let notifier = build(&smtp_settings(port), None).unwrap();
    let message = Message::new(
        Channel::Email,
        "ada@example.com",
        "New sign-in",
        "Someone signed in.",
    );
    notifier.send(&message).await.unwrap();
    let data = mails.lock().unwrap()[0].data.clone();
    assert!(data.contains("Content-Type: text/plain"), "{data}");
    assert!(!data.contains("multipart"), "{data}");
    assert!(data.contains("Someone signed in."), "{data}");
}

#[tokio::test]
async fn smtp_rejected_recipient_error_omits_address() {
    let (port, _mails) = smtp_server(true).await;
    let notifier = build(&smtp_settings(port), None).unwrap();
    let message = Message::new(Channel::Email, "ada@example.com", "Code", "493817");
    let err = notifier.send(&message).await.unwrap_err().to_string();
    assert!(err.contains("550"), "{err}");
    assert!(!err.contains("ada@example.com"), "{err}");
}

#[tokio::test]
async fn smtp_invalid_from_is_build_error() {
    let mut settings = smtp_settings(25);
    settings.smtp.as_mut().unwrap().from = "not a mailbox".into();
    let err = build(&settings, None).unwrap_err();
    assert!(err.contains("smtp.from"), "{err}");
}

/// What the SMS stand-in received.
#[derive(Debug, Clone)]
struct SmsRequest {
    authorization: Option<String>,
    form: HashMap<String, String>,
}

type Received = Arc<Mutex<Vec<SmsRequest>>>;

async fn record(
    State((received, status)): State<(Received, StatusCode)>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> (StatusCode, &'static str) {
    received.lock().unwrap().push(SmsRequest {
        authorization: headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string()),
        form,
    });
    (status, r#"{"sid":"SM1"}"#)
}

/// An HTTP stand-in for the gateway that answers every message with `status`.
async fn sms_gateway(status: StatusCode) -> (String, Received) {
    let received: Received = Arc::new(Mutex::new(Vec::new()));
    let app = axum::Router::new()
        .route("/2010-04-01/Accounts/AC123/Messages.json", post(record))
        .with_state((received.clone(), status));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (
        format!("http://{addr}/2010-04-01/Accounts/AC123/Messages.json"),
        received,
    )
}

fn sms_settings(url: String) -> NotifySettings {
    NotifySettings {
        smtp: None,
        sms: Some(SmsSettings {
            url,
            username: "AC123".into(),
            password: "tok3n".to_string().into(),
            from: "+15550001111".into(),
        }),
    }
}

#[tokio::test]
async fn sms_send_posts_form_with_basic_auth() {
    let (url, received) = sms_gateway(StatusCode::CREATED).await;
    let notifier = build(&sms_settings(url), None).unwrap();
    let message = Message::new(
        Channel::Sms,
        "+15552223333",
        "Sign-in code",
        "Your Portcullis code is 493817 & expires soon",
    );
    notifier.send(&message).await.unwrap();

    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.form.get("To").map(String::as_str), Some("+15552223333"));
    assert_eq!(r.form.get("From").map(String::as_str), Some("+15550001111"));
    assert_eq!(
        r.form.get("Body").map(String::as_str),
        Some("Your Portcullis code is 493817 & expires soon")
    );
    // base64("AC123:tok3n")
    assert_eq!(r.authorization.as_deref(), Some("Basic QUMxMjM6dG9rM24="));
}

#[tokio::test]
async fn sms_provider_500_is_error_without_message() {
    let (url, received) = sms_gateway(StatusCode::INTERNAL_SERVER_ERROR).await;
    let notifier = build(&sms_settings(url), None).unwrap();
    let message = Message::new(Channel::Sms, "+15552223333", "Sign-in code", "code 493817");
    let err = notifier.send(&message).await.unwrap_err().to_string();
    assert!(err.contains("500"), "{err}");
    assert!(!err.contains("493817"), "{err}");
    assert!(!err.contains("+15552223333"), "{err}");
    assert_eq!(received.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn sms_plain_http_remote_url_is_build_error() {
    let err = build(
        &sms_settings("http://api.example.com/Messages.json".into()),
        None,
    )
    .unwrap_err();
    assert!(err.contains("sms.url"), "{err}");
}

#[tokio::test]
async fn sms_missing_password_is_build_error() {
    let mut settings = sms_settings("https://api.example.com/Messages.json".into());
    settings.sms.as_mut().unwrap().password = String::new().into();
    let err = build(&settings, None).unwrap_err();
    assert!(err.contains("sms.password"), "{err}");
}

#[tokio::test]
async fn router_unconfigured_channel_error_names_setting() {
    let notifier = build(&NotifySettings::default(), None).unwrap();
    let email = Message::new(Channel::Email, "ada@example.com", "Code", "493817");
    let err = notifier.send(&email).await.unwrap_err().to_string();
    assert!(err.contains("smtp.host"), "{err}");
    let sms = Message::new(Channel::Sms, "+15552223333", "Code", "493817");
    let err = notifier.send(&sms).await.unwrap_err().to_string();
    assert!(err.contains("sms.url"), "{err}");
}

#[tokio::test]
async fn router_with_outbox_sends_every_channel_there() {
    let dir = tempfile::tempdir().unwrap();
    let notifier = build(&NotifySettings::default(), Some(dir.path().join("outbox"))).unwrap();
    let sms = Message::new(Channel::Sms, "+15552223333", "Code", "493817");
    let email = Message::new(Channel::Email, "ada@example.com", "Code", "271828");
    notifier.send(&sms).await.unwrap();
    notifier.send(&email).await.unwrap();
    let outbox = Outbox::new(dir.path().join("outbox"));
    assert_eq!(outbox.messages().len(), 2);
    assert_eq!(outbox.latest_to("+15552223333").unwrap().text, "493817");
}

#[test]
fn settings_minimal_sections_use_defaults() {
    let s: NotifySettings = toml::from_str(
        r#"
        [smtp]
        host = "smtp.example.com"
        from = "Portcullis <no-reply@example.com>"
        password = "p"
        username = "u"

        [sms]
        url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
        username = "AC1"
        password = "secret-token"
        from = "+15550001111"
        "#,
    )
    .unwrap();
    let smtp = s.smtp.unwrap();
    assert_eq!(smtp.port, 587);
    assert_eq!(smtp.tls, SmtpTls::Starttls);
    assert_eq!(smtp.password.unwrap().expose(), "p");
    let sms = s.sms.unwrap();
    assert_eq!(sms.password.expose(), "secret-token");
    assert!(!format!("{sms:?}").contains("secret-token"));

    let empty: NotifySettings = toml::from_str("").unwrap();
    assert!(empty.smtp.is_none() && empty.sms.is_none());
}

#[test]
fn settings_tls_modes_and_unknown_keys() {
    for (text, mode) in [
        ("starttls", SmtpTls::Starttls),
        ("tls", SmtpTls::Tls),
        ("none", SmtpTls::None),
    ] {
        let s: NotifySettings = toml::from_str(&format!(
            "[smtp]\nhost = \"h\"\ntls = \"{text}\"\nport = 465\n"
        ))
        .unwrap();
        let smtp = s.smtp.unwrap();
        assert_eq!(smtp.tls, mode);
        assert_eq!(smtp.port, 465);
    }
    assert!(toml::from_str::<NotifySettings>("[smtp]\ntls = \"ssl\"\n").is_err());
    assert!(toml::from_str::<NotifySettings>("[smtp]\nhostname = \"h\"\n").is_err());
    assert!(toml::from_str::<NotifySettings>("[sms]\nsid = \"x\"\n").is_err());
}

#[tokio::test]
async fn outbox_two_messages_newest_first_as_complete_json() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path().join("nested").join("outbox"));
    let first = Message::new(Channel::Email, "ada@example.com", "First", "one");
    let second =
        Message::new(Channel::Email, "ada@example.com", "Second", "two").with_html("<p>two</p>");
    let other = Message::new(Channel::Sms, "+15552223333", "Third", "three");
    outbox.send(&first).await.unwrap();
    outbox.send(&second).await.unwrap();
    outbox.send(&other).await.unwrap();

    let subjects: Vec<String> = outbox.messages().into_iter().map(|m| m.subject).collect();
    assert_eq!(subjects, ["Third", "Second", "First"]);
    let latest = outbox.latest_to("ada@example.com").unwrap();
    assert_eq!(latest.subject, "Second");
    assert_eq!(latest.html.as_deref(), Some("<p>two</p>"));
    assert!(outbox.latest_to("nobody@example.com").is_none());

    let mut files = 0;
    for entry in std::fs::read_dir(outbox.dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        assert!(
            name.ends_with(".json") && !name.starts_with('.'),
            "leftover {name}"
        );
        let stem = name.trim_end_matches(".json");
        let (nanos, random) = stem.split_once('-').unwrap();
        assert!(nanos.parse::<u64>().is_ok(), "{name}");
        assert!(!random.is_empty(), "{name}");
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert!(
            json["channel"] == "email" || json["channel"] == "sms",
            "{json}"
        );
        files += 1;
    }
    assert_eq!(files, 3);
}

#[tokio::test]
async fn outbox_missing_dir_has_no_messages() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path().join("absent"));
    assert!(outbox.messages().is_empty());
}

async fn body_text(response: axum::response::Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn outbox_page_script_in_body_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Arc::new(Outbox::new(dir.path()));
    let message = Message::new(
        Channel::Email,
        "<img src=x>@example.com",
        "Hello <b>",
        "<script>alert(1)</script> sign in at https://id.example.com/u/magic?t=abc&x=1",
    )
    .with_html("<script>alert(2)</script>");
    outbox.send(&message).await.unwrap();

    let response = outbox_page(State(outbox)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = body_text(response).await;
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    assert!(
        html.contains("alert(1)") && html.contains("alert(2)"),
        "{html}"
    );
    // The magic link is clickable, with its `&` escaped.
    let link = html.replace("&#38;", "&amp;");
    assert!(
        link.contains("href=\"https://id.example.com/u/magic?t=abc&amp;x=1\""),
        "{html}"
    );
}

#[tokio::test]
async fn dev_routes_both_paths_return_ok() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Arc::new(Outbox::new(dir.path()));
    outbox
        .send(&Message::new(
            Channel::Sms,
            "+15552223333",
            "Code",
            "493817",
        ))
        .await
        .unwrap();
    let app: axum::Router = dev_routes(outbox);

    let page = app
        .clone()
        .oneshot(Request::get("/dev/outbox").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(body_text(page).await.contains("493817"));

    let json = app
        .oneshot(
            Request::get("/dev/outbox.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(json.status(), StatusCode::OK);
    let messages: Vec<Message> = serde_json::from_str(&body_text(json).await).unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to, "+15552223333");
    assert_eq!(messages[0].text, "493817");
}
