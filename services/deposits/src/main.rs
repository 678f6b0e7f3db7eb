//! `zegel-deposits serve | migrate`.

use std::process::ExitCode;

use zegel_deposits::config::Settings;
use zegel_deposits::startup::{self, Application};

#[tokio::main]
async fn main() -> ExitCode {
    platform::cli::main(
        "zegel-deposits",
        Settings::from_env,
        |s| &s.common,
        async |common| Ok(startup::migrate(&common).await?),
        async |settings| Application::build(settings).await?.run_until_stopped().await,
    )
    .await
}
