//! `zegel-suite`: the all-in-one dev runner behind `just up`. Creates the database if
//! needed, runs every service's migrations, starts every service in this process on its
//! default port, and prints where they are.

use anyhow::Context;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let certificates = zegel_certificates::config::Settings::from_env().context("certificates settings")?;
    let lookup = zegel_lookup::config::Settings::from_env().context("lookup settings")?;
    let gaccounts = zegel_gaccounts::config::Settings::from_env().context("gaccounts settings")?;
    let bans = zegel_bans::config::Settings::from_env().context("bans settings")?;
    let deposits = zegel_deposits::config::Settings::from_env().context("deposits settings")?;
    let housing = zegel_housing::config::Settings::from_env().context("housing settings")?;
    let notifier = zegel_notifier::config::Settings::from_env().context("notifier settings")?;
    let workbench = zegel_workbench::config::Settings::from_env().context("workbench settings")?;
    // One process, one exporter: the spans say which service they are of (`zegel.service`).
    let traces = platform::telemetry::install(
        certificates.common.log_format,
        certificates.common.trace_export("suite").as_ref(),
    )?;
    let common = certificates.common.clone();
    platform::db::ensure_database(&common.database()?).await.context("creating the database")?;
    migrate_all(&common).await?;

    let lookup = zegel_lookup::Application::build(lookup).await.context("starting lookup")?;
    let certificates = zegel_certificates::Application::build(certificates).await.context("starting certificates")?;
    let gaccounts = zegel_gaccounts::Application::build(gaccounts).await.context("starting gaccounts")?;
    let bans = zegel_bans::Application::build(bans).await.context("starting bans")?;
    let deposits = zegel_deposits::Application::build(deposits).await.context("starting deposits")?;
    let housing = zegel_housing::Application::build(housing).await.context("starting housing")?;
    let notifier = zegel_notifier::Application::build(notifier).await.context("starting notifier")?;
    let workbench = zegel_workbench::Application::build(workbench).await.context("starting workbench")?;
    let ports = [
        ("certificates", certificates.port()),
        ("bans", bans.port()),
        ("deposits", deposits.port()),
        ("gaccounts", gaccounts.port()),
        ("housing", housing.port()),
        ("notifier", notifier.port()),
        ("workbench", workbench.port()),
    ];
    print_where(&common.host, lookup.port(), &ports);
    let stopped = tokio::try_join!(
        certificates.run_until_stopped(),
        lookup.run_until_stopped(),
        gaccounts.run_until_stopped(),
        bans.run_until_stopped(),
        deposits.run_until_stopped(),
        housing.run_until_stopped(),
        notifier.run_until_stopped(),
        workbench.run_until_stopped()
    );
    let _ = tokio::task::spawn_blocking(move || traces.shutdown()).await;
    stopped?;
    Ok(())
}

/// Every service's migrations, in the order they are started.
async fn migrate_all(common: &platform::config::CommonSettings) -> anyhow::Result<()> {
    platform::shell::migrate::<zegel_certificates::Certificates>(common).await.context("certificates migrations")?;
    platform::shell::migrate::<zegel_lookup::Lookup>(common).await.context("lookup migrations")?;
    platform::shell::migrate::<zegel_gaccounts::Gaccounts>(common).await.context("gaccounts migrations")?;
    platform::shell::migrate::<zegel_bans::Bans>(common).await.context("bans migrations")?;
    platform::shell::migrate::<zegel_deposits::Deposits>(common).await.context("deposits migrations")?;
    platform::shell::migrate::<zegel_housing::Housing>(common).await.context("housing migrations")?;
    platform::shell::migrate::<zegel_notifier::Notifier>(common).await.context("notifier migrations")?;
    platform::shell::migrate::<zegel_workbench::Workbench>(common).await.context("workbench migrations")?;
    Ok(())
}

fn print_where(host: &std::net::IpAddr, lookup: u16, registers: &[(&str, u16)]) {
    println!();
    println!("Zegel is up:");
    println!(
        "  lookup        http://{host}:{lookup}  (public: /v/<seal>, /check, /api/v1/agencies/<kvk>/check; KvK API)"
    );
    for (name, port) in registers {
        println!("  {name:<13} http://{host}:{port}  (openapi/{name}.yaml)");
    }
    println!();
    println!("Next:");
    println!("  ./just demo      (another terminal) fills the registers with agencies in every state,");
    println!("                   buildings in three municipalities, seals and a poster, and prints their links");
    println!("  hirer check      http://{host}:{lookup}/check?kvk=30000001  (a certified agency, after ./just demo)");
    println!(
        "  tokens           ./just token ROLE [ORG], ROLE one of certification_body, agency, admission_authority,"
    );
    println!(
        "                   inspectorate, tax, kvk, municipality, housing_inspector, housing_provider, admin, hirer"
    );
    println!("                   e.g. ./just token certification_body cb-dev");
    println!("  workbench        log in as one of the test people of dev/oidc/README.md (started beside the suite)");
    println!("  walkthrough      docs/TOUR.md, \"A walk through with curl\"");
    println!();
    println!("Stop with Ctrl-C.");
}
