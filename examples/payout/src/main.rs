//! Runs the payout example: the API on `API_LISTEN` (default 127.0.0.1:4001) and the web app on
//! `WEB_LISTEN` (default 127.0.0.1:4000), against the provider at `ISSUER`.

use std::env;

use payout::{AUDIENCE, Web, api, web};
use portcullis_guard::Guard;
use portcullis_rp::{Rp, RpConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let need = |k: &str| env::var(k).map_err(|_| anyhow::anyhow!("set {k}"));
    let issuer = need("ISSUER")?;
    let api_listen = env::var("API_LISTEN").unwrap_or_else(|_| "127.0.0.1:4001".into());
    let web_listen = env::var("WEB_LISTEN").unwrap_or_else(|_| "127.0.0.1:4000".into());
    let guard = Guard::discover(issuer.clone(), AUDIENCE).await?;
    let mut config = RpConfig::new(
        issuer,
        need("CLIENT_ID")?,
        Some(need("CLIENT_SECRET")?),
        format!("http://{web_listen}/auth/callback"),
        need("APP_SECRET")?,
    );
    config.audience = Some(AUDIENCE.into());
    config.post_logout_redirect_uri = Some(format!("http://{web_listen}/"));
    let rp = Rp::discover(config).await?;
    let api_listener = tokio::net::TcpListener::bind(&api_listen).await?;
    let web_listener = tokio::net::TcpListener::bind(&web_listen).await?;
    tracing::info!(%api_listen, %web_listen, "payout example running");
    let app = web(Web {
        rp,
        api: format!("http://{api_listen}"),
        http: reqwest::Client::new(),
    });
    tokio::try_join!(
        axum::serve(api_listener, api(guard)),
        axum::serve(web_listener, app),
    )?;
    Ok(())
}
