//! `zegel-gaccounts serve | migrate`.

use std::process::ExitCode;

use zegel_gaccounts::config::Settings;
use zegel_gaccounts::startup::{self, Application};

#[tokio::main]
async fn main() -> ExitCode {
    platform::cli::main(
        "zegel-gaccounts",
        Settings::from_env,
        |s| &s.common,
        async |common| Ok(startup::migrate(&common).await?),
        async |settings| Application::build(settings).await?.run_until_stopped().await,
    )
    .await
}
