//! `zegel-certificates serve | migrate`.

use std::process::ExitCode;

use zegel_certificates::config::Settings;
use zegel_certificates::startup::{self, Application};

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("zegel-certificates: {e}");
            return ExitCode::from(2);
        }
    };
    platform::telemetry::init(settings.common.log_format);
    let result = match command.as_str() {
        "migrate" => {
            async {
                platform::db::ensure_database(&settings.common.database_url).await?;
                startup::migrate(&settings.common).await?;
                tracing::info!("migrations applied");
                anyhow::Ok(())
            }
            .await
        }
        "serve" => {
            async {
                Application::build(settings)
                    .await?
                    .run_until_stopped()
                    .await
            }
            .await
        }
        other => {
            eprintln!("usage: zegel-certificates [serve|migrate] (got {other:?})");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "stopped");
            eprintln!("zegel-certificates: {e:#}");
            ExitCode::FAILURE
        }
    }
}
