//! `serve --dev` seeding: an admin user and a demo client, created once, credentials printed.

use portcullis_core::admin::{self, NewClient};
use portcullis_core::crypto::random;
use portcullis_core::crypto::secret::SecretString;
use portcullis_server::state::AppState;

/// The dev admin's email.
pub const ADMIN_EMAIL: &str = "admin@portcullis.localhost";
/// The demo client's id.
pub const DEMO_CLIENT_ID: &str = "portcullis-demo";
/// The dev management client's id: `client_credentials` with every management API scope.
pub const ADMIN_CLIENT_ID: &str = "portcullis-admin";

/// Creates the dev admin and demo client if they do not exist yet, printing their credentials.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let store = state.store();
    if store.user_by_email(ADMIN_EMAIL).await?.is_none() {
        let password = random::token()[..20].to_string();
        let user = admin::create_user(
            store,
            state.hasher(),
            state.clock(),
            ADMIN_EMAIL,
            SecretString::new(password.clone()),
        )
        .await?;
        admin::set_role(
            store,
            state.clock(),
            &user.id,
            Some(portcullis_core::roles::Role::Admin),
        )
        .await?;
        println!(
            "\nDev admin user created (shown once; the console at {}/admin asks for a second factor too):\n  email:    {}\n  password: {password}\n  user_id:  {}",
            state.issuer(),
            user.email,
            user.id
        );
    }
    if state.client(DEMO_CLIENT_ID).await.is_none() {
        let (client, secret) = admin::create_client(
            store,
            state.clock(),
            NewClient {
                name: "Demo app".into(),
                redirect_uris: vec!["http://localhost:3000/api/auth/callback/portcullis".into()],
                post_logout_redirect_uris: vec!["http://localhost:3000".into()],
                id: Some(DEMO_CLIENT_ID.into()),
                ..NewClient::default()
            },
        )
        .await?;
        let secret = secret.map(|s| s.expose().to_string()).unwrap_or_default();
        println!(
            "\nDemo client created (secret shown once):\n  client_id:     {}\n  client_secret: {secret}\n  redirect_uri:  {}\n  issuer:        {}\n",
            client.id,
            client.redirect_uris[0],
            state.issuer()
        );
    }
    let audience = portcullis_server::mgmt::audience(state.issuer());
    if state.client(ADMIN_CLIENT_ID).await.is_none() {
        let (client, secret) = admin::create_client(
            store,
            state.clock(),
            NewClient {
                name: "Dev management client".into(),
                grant_types: vec!["client_credentials".into()],
                id: Some(ADMIN_CLIENT_ID.into()),
                ..NewClient::default()
            },
        )
        .await?;
        let secret = secret.map(|s| s.expose().to_string()).unwrap_or_default();
        println!(
            "Management API client created (secret shown once):\n  client_id:     {}\n  client_secret: {secret}\n  audience:      {audience}\n",
            client.id
        );
    }
    // The dev issuer follows the port, so the grant follows the management API's audience.
    let scopes = portcullis_server::mgmt::SCOPES
        .iter()
        .map(|s| s.to_string())
        .collect();
    admin::grant_client(store, ADMIN_CLIENT_ID, &audience, scopes).await?;
    state.refresh().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}
