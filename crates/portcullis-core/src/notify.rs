//! Outgoing messages (one-time codes, magic links, security notices) and the port that sends them.
//!
//! The server provides the implementations (SMTP, an SMS gateway, a dev outbox); core logic only
//! builds [`Message`]s and hands them to a [`Notifier`].

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Delivery channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Email, to an address such as `ada@example.com` or `Ada <ada@example.com>`.
    Email,
    /// SMS, to a phone number in E.164 form such as `+15551234567`.
    Sms,
}

/// One message. `text` is always present; `html` is optional (emails get multipart/alternative).
///
/// `subject` may appear in logs, so it must never carry a code or link; `to`, `text` and `html`
/// are kept out of `Debug` and logs.
#[derive(Clone, Serialize, Deserialize)]
pub struct Message {
    /// How to deliver it.
    pub channel: Channel,
    /// Recipient address or phone number.
    pub to: String,
    /// Email subject; for SMS only a label for logs (not sent).
    pub subject: String,
    /// Plain-text body; the whole message for SMS.
    pub text: String,
    /// HTML alternative for email; ignored for SMS.
    pub html: Option<String>,
}

impl Message {
    /// A plain-text message.
    pub fn new(
        channel: Channel,
        to: impl Into<String>,
        subject: impl Into<String>,
        text: impl Into<String>,
    ) -> Message {
        Message {
            channel,
            to: to.into(),
            subject: subject.into(),
            text: text.into(),
            html: None,
        }
    }

    /// The same message with an HTML alternative.
    pub fn with_html(mut self, html: impl Into<String>) -> Message {
        self.html = Some(html.into());
        self
    }
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Recipient and bodies carry addresses and codes, so they stay out of logs and panics.
        f.debug_struct("Message")
            .field("channel", &self.channel)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// Sends messages; implementations decide how per [`Channel`].
#[async_trait]
pub trait Notifier: Send + Sync + std::fmt::Debug {
    /// Delivers one message, or fails with [`crate::Error::Delivery`].
    async fn send(&self, message: &Message) -> crate::Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_debug_omits_recipient_and_bodies() {
        let m = Message::new(
            Channel::Email,
            "ada@example.com",
            "Your sign-in code",
            "code 493817",
        )
        .with_html("<b>493817</b>");
        let debug = format!("{m:?}");
        assert!(debug.contains("Your sign-in code"), "{debug}");
        assert!(debug.contains("Email"), "{debug}");
        assert!(!debug.contains("493817"), "{debug}");
        assert!(!debug.contains("ada@example.com"), "{debug}");
    }

    #[test]
    fn channel_serde_is_lowercase() {
        assert_eq!(
            serde_json::to_string(&Channel::Sms).ok().as_deref(),
            Some("\"sms\"")
        );
        let m: Message = serde_json::from_str(
            r#"{"channel":"email","to":"a@b","subject":"s","text":"t","html":null}"#,
        )
        .unwrap();
        assert_eq!(m.channel, Channel::Email);
    }
}
