//! SMS through a Twilio-compatible HTTP API.

use std::time::Duration;

use async_trait::async_trait;
use portcullis_core::Error;
use portcullis_core::crypto::secret::SecretString;
use portcullis_core::notify::{Channel, Message, Notifier};

use super::SmsSettings;

/// How long the gateway may take to accept a message.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Posts each SMS as a form (`To`, `From`, `Body`) with HTTP Basic auth to the messages endpoint.
pub struct SmsNotifier {
    client: reqwest::Client,
    url: url::Url,
    username: String,
    password: SecretString,
    from: String,
}

impl std::fmt::Debug for SmsNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsNotifier")
            .field("host", &self.url.host_str())
            .finish_non_exhaustive()
    }
}

impl SmsNotifier {
    /// Checks the settings and prepares the HTTP client.
    pub fn new(settings: &SmsSettings) -> Result<SmsNotifier, String> {
        let url = url::Url::parse(&settings.url)
            .map_err(|e| format!("`sms.url` must be an absolute URL: {e}"))?;
        // Basic auth carries the gateway's auth token, so it must not travel in clear over a network.
        let loopback = matches!(url.host(), Some(url::Host::Domain("localhost")))
            || matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
            || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err("`sms.url` must use https (http is allowed only for localhost)".into());
        }
        for (value, key) in [
            (settings.username.as_str(), "sms.username"),
            (settings.password.expose(), "sms.password"),
            (settings.from.as_str(), "sms.from"),
        ] {
            if value.is_empty() {
                return Err(format!("`{key}` is required when `sms.url` is set"));
            }
        }
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot create the SMS HTTP client: {e}"))?;
        Ok(SmsNotifier {
            client,
            url,
            username: settings.username.clone(),
            password: settings.password.clone(),
            from: settings.from.clone(),
        })
    }
}

#[async_trait]
impl Notifier for SmsNotifier {
    async fn send(&self, message: &Message) -> portcullis_core::Result<()> {
        if message.channel != Channel::Sms {
            return Err(Error::Delivery("the SMS notifier only sends SMS".into()));
        }
        let form = [
            ("To", message.to.as_str()),
            ("From", self.from.as_str()),
            ("Body", message.text.as_str()),
        ];
        let response = self
            .client
            .post(self.url.clone())
            .basic_auth(&self.username, Some(self.password.expose()))
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                Error::Delivery(format!(
                    "SMS gateway unreachable: {}",
                    super::error_chain(&e.without_url())
                ))
            })?;
        let status = response.status();
        // The gateway's reply body is left out: error replies often quote the number we sent to.
        if !status.is_success() {
            return Err(Error::Delivery(format!("SMS gateway answered {status}")));
        }
        Ok(())
    }
}
