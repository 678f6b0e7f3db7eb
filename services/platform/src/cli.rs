//! The thin `main` every service shares: `<binary> serve | migrate`.

use std::future::Future;
use std::process::ExitCode;

use crate::config::{CommonSettings, ConfigError};

/// Loads the settings, sets up logging, and runs `migrate` or `serve` (the default).
/// Invalid settings stop the start with exit code 2 and a message naming the variable.
pub async fn main<S, M, MF, R, RF>(
    binary: &str,
    load: fn() -> Result<S, ConfigError>,
    common: fn(&S) -> &CommonSettings,
    migrate: M,
    serve: R,
) -> ExitCode
where
    M: FnOnce(CommonSettings) -> MF,
    MF: Future<Output = anyhow::Result<()>>,
    R: FnOnce(S) -> RF,
    RF: Future<Output = anyhow::Result<()>>,
{
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    let settings = match load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{binary}: {e}");
            return ExitCode::from(2);
        }
    };
    crate::telemetry::init(common(&settings).log_format);
    let result = match command.as_str() {
        "migrate" => {
            let common = common(&settings).clone();
            async {
                crate::db::ensure_database(&common.database_url).await?;
                migrate(common).await?;
                tracing::info!("migrations applied");
                Ok(())
            }
            .await
        }
        "serve" => serve(settings).await,
        other => {
            eprintln!("usage: {binary} [serve|migrate] (got {other:?})");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "stopped");
            eprintln!("{binary}: {e:#}");
            ExitCode::FAILURE
        }
    }
}
