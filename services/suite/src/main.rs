//! `zegel-suite`: the all-in-one dev runner behind `just up`. Creates the database if
//! needed, runs every service's migrations, starts every service in this process on its
//! default port, and prints where they are.

use anyhow::Context;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let certificates =
        zegel_certificates::config::Settings::from_env().context("certificates settings")?;
    platform::telemetry::init(certificates.common.log_format);
    let common = &certificates.common;
    platform::db::ensure_database(&common.database_url)
        .await
        .context("creating the database")?;
    zegel_certificates::startup::migrate(common)
        .await
        .context("certificates migrations")?;

    let app = zegel_certificates::startup::Application::build(certificates.clone())
        .await
        .context("starting certificates")?;
    println!();
    println!("Zegel is up:");
    println!(
        "  certificates  http://{}:{}  (openapi/certificates.yaml)",
        common.host,
        app.port()
    );
    println!();
    println!("Tokens: just token ROLE [ORG]   e.g. just token certification_body cb-one");
    println!("Stop with Ctrl-C.");
    // Services not built yet (lookup 8080, bans 8082, deposits 8083, gaccounts 8084,
    // housing 8085, notifier 8086) join here as they land.
    app.run_until_stopped().await
}
