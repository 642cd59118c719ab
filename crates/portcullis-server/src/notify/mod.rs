//! Delivery of one-time codes, magic links and security notices by email and SMS.
//!
//! [`build`] turns [`NotifySettings`] into one [`Notifier`] that routes each message by channel:
//! email to SMTP ([`SmtpNotifier`]), SMS to a Twilio-compatible HTTP API ([`SmsNotifier`]), or, in
//! development, everything to an on-disk [`Outbox`] that [`dev_routes`] shows in the browser.
//!
//! Logs name the channel and subject only: recipients and bodies carry addresses and codes.

mod outbox;
mod sms;
mod smtp;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use portcullis_core::crypto::secret::SecretString;
use portcullis_core::notify::{Channel, Message, Notifier};
use serde::Deserialize;

pub use outbox::{Outbox, dev_routes, outbox_json, outbox_page};
pub use sms::SmsNotifier;
pub use smtp::SmtpNotifier;

/// Email and SMS delivery settings (`[smtp]` and `[sms]`); a channel without a section is off.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifySettings {
    /// Outgoing mail server.
    pub smtp: Option<SmtpSettings>,
    /// SMS gateway.
    pub sms: Option<SmsSettings>,
}

/// How the SMTP connection is encrypted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which is required (usually port 587).
    #[default]
    Starttls,
    /// TLS from the first byte, "SMTPS" (usually port 465).
    Tls,
    /// No encryption; only for a relay on the same host or a trusted private network.
    None,
}

/// The `[smtp]` section.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpSettings {
    /// Mail server host name; empty leaves email unconfigured.
    pub host: String,
    /// Mail server port (587 unless set; SMTPS usually wants 465).
    pub port: u16,
    /// Login name, if the server wants authentication.
    pub username: Option<String>,
    /// Login password.
    pub password: Option<SecretString>,
    /// Sender mailbox, e.g. `Portcullis <no-reply@example.com>`.
    pub from: String,
    /// `starttls`, `tls` or `none`.
    pub tls: SmtpTls,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        SmtpSettings {
            host: String::new(),
            port: 587,
            username: None,
            password: None,
            from: String::new(),
            tls: SmtpTls::default(),
        }
    }
}

/// The `[sms]` section: a Twilio-compatible "create message" endpoint.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsSettings {
    /// Messages endpoint, e.g. `https://api.twilio.com/2010-04-01/Accounts/AC…/Messages.json`;
    /// empty leaves SMS unconfigured.
    pub url: String,
    /// Basic-auth user (the account SID).
    pub username: String,
    /// Basic-auth password (the auth token).
    pub password: SecretString,
    /// Sender number, e.g. `+15551234567`.
    pub from: String,
}

/// Builds the notifier the server sends through.
///
/// With `outbox` (development) every message is written there instead of being delivered.
/// Otherwise emails go to SMTP and SMS to the gateway; a channel left unconfigured fails at send
/// time with an error naming the missing setting, so a server without SMS still starts.
pub fn build(
    settings: &NotifySettings,
    outbox: Option<PathBuf>,
) -> Result<Arc<dyn Notifier>, String> {
    if let Some(dir) = outbox {
        return Ok(Arc::new(Outbox::new(dir)));
    }
    let email = match &settings.smtp {
        Some(smtp) if !smtp.host.is_empty() => {
            Some(Arc::new(SmtpNotifier::new(smtp)?) as Arc<dyn Notifier>)
        }
        _ => None,
    };
    let sms = match &settings.sms {
        Some(sms) if !sms.url.is_empty() => {
            Some(Arc::new(SmsNotifier::new(sms)?) as Arc<dyn Notifier>)
        }
        _ => None,
    };
    Ok(Arc::new(Router { email, sms }))
}

/// Sends each message through the notifier for its channel.
#[derive(Debug)]
struct Router {
    email: Option<Arc<dyn Notifier>>,
    sms: Option<Arc<dyn Notifier>>,
}

#[async_trait]
impl Notifier for Router {
    async fn send(&self, message: &Message) -> portcullis_core::Result<()> {
        let (notifier, setting) = match message.channel {
            Channel::Email => (&self.email, "smtp.host"),
            Channel::Sms => (&self.sms, "sms.url"),
        };
        let Some(notifier) = notifier else {
            tracing::warn!(channel = ?message.channel, subject = %message.subject, "channel not configured");
            return Err(portcullis_core::Error::Delivery(format!(
                "{} delivery is not configured: set `{setting}`",
                channel_name(message.channel)
            )));
        };
        match notifier.send(message).await {
            Ok(()) => {
                tracing::info!(channel = ?message.channel, subject = %message.subject, "message sent");
                Ok(())
            }
            Err(e) => {
                tracing::warn!(channel = ?message.channel, subject = %message.subject, error = %e, "message not sent");
                Err(e)
            }
        }
    }
}

fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Sms => "SMS",
    }
}

/// An error and its causes on one line; transport errors often hide the useful part in `source`.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}
