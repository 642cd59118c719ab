//! Email over SMTP.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use portcullis_core::Error;
use portcullis_core::notify::{Channel, Message, Notifier};

use super::{SmtpSettings, SmtpTls};

/// How long one SMTP command may take before the send fails.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Sends email through one SMTP server, reusing pooled connections.
pub struct SmtpNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
    port: u16,
}

impl std::fmt::Debug for SmtpNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpNotifier")
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl SmtpNotifier {
    /// Checks the settings and prepares the transport; call inside a Tokio runtime.
    pub fn new(settings: &SmtpSettings) -> Result<SmtpNotifier, String> {
        if settings.host.is_empty() {
            return Err("`smtp.host` is required".into());
        }
        let from: Mailbox = settings.from.parse().map_err(|e| {
            format!("`smtp.from` must be a mailbox like `Portcullis <no-reply@example.com>`: {e}")
        })?;
        // The connection pool spawns its reaper task on build, which panics outside a runtime.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err("the SMTP notifier must be built inside a Tokio runtime".into());
        }
        let builder = match settings.tls {
            SmtpTls::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                    .map_err(|e| format!("`smtp.host`: {}", super::error_chain(&e)))?
            }
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)
                .map_err(|e| format!("`smtp.host`: {}", super::error_chain(&e)))?,
            SmtpTls::None => {
                if settings.username.is_some() {
                    tracing::warn!("smtp.tls = \"none\" sends the SMTP password unencrypted");
                }
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
        };
        let mut builder = builder.port(settings.port).timeout(Some(TIMEOUT));
        match (&settings.username, &settings.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(
                    user.clone(),
                    password.expose().to_string(),
                ));
            }
            (None, None) => {}
            (Some(_), None) => {
                return Err("`smtp.username` is set but `smtp.password` is not".into());
            }
            (None, Some(_)) => {
                return Err("`smtp.password` is set but `smtp.username` is not".into());
            }
        }
        Ok(SmtpNotifier {
            transport: builder.build(),
            from,
            host: settings.host.clone(),
            port: settings.port,
        })
    }

    fn email(&self, message: &Message) -> portcullis_core::Result<lettre::Message> {
        // The address itself stays out of the error: errors end up in logs.
        let to: Mailbox = message
            .to
            .parse()
            .map_err(|_| Error::Invalid("recipient is not a valid email address".into()))?;
        let builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone());
        let built = match &message.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                message.text.clone(),
                html.clone(),
            )),
            None => builder.singlepart(SinglePart::plain(message.text.clone())),
        };
        built.map_err(|e| Error::Invalid(format!("cannot build email: {e}")))
    }
}

#[async_trait]
impl Notifier for SmtpNotifier {
    async fn send(&self, message: &Message) -> portcullis_core::Result<()> {
        if message.channel != Channel::Email {
            return Err(Error::Delivery("the SMTP notifier only sends email".into()));
        }
        let email = self.email(message)?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| Error::Delivery(describe(&e)))
    }
}

/// An SMTP failure without the server's reply text, which often quotes the recipient address.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    if let Some(code) = e.status() {
        let kind = if e.is_permanent() {
            "permanently"
        } else {
            "temporarily"
        };
        format!("mail server {kind} refused the message ({code})")
    } else if e.is_response() {
        "mail server sent an unreadable reply".into()
    } else {
        format!("smtp: {}", super::error_chain(e))
    }
}
