//! `zegel-notifier serve | migrate`.

use std::process::ExitCode;

use zegel_notifier::config::Settings;
use zegel_notifier::startup::{self, Application};

#[tokio::main]
async fn main() -> ExitCode {
    platform::cli::main(
        "zegel-notifier",
        Settings::from_env,
        |s| &s.common,
        async |common| Ok(startup::migrate(&common).await?),
        async |settings| Application::build(settings).await?.run_until_stopped().await,
    )
    .await
}
