//! `zegel-lookup serve | migrate`.

use std::process::ExitCode;

use zegel_lookup::config::Settings;
use zegel_lookup::startup::{self, Application};

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("zegel-lookup: {e}");
            return ExitCode::from(2);
        }
    };
    platform::telemetry::init(settings.common.log_format);
    let result = match command.as_str() {
        "migrate" => {
            async {
                platform::db::ensure_database(&settings.common.database_url).await?;
                startup::migrate(&settings.common).await?;
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
            eprintln!("usage: zegel-lookup [serve|migrate] (got {other:?})");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zegel-lookup: {e:#}");
            ExitCode::FAILURE
        }
    }
}
