//! `zegel-housing serve | migrate`.

use std::process::ExitCode;

use zegel_housing::config::Settings;
use zegel_housing::startup::{self, Application};

#[tokio::main]
async fn main() -> ExitCode {
    platform::cli::main(
        "zegel-housing",
        Settings::from_env,
        |s| &s.common,
        async |common| Ok(startup::migrate(&common).await?),
        async |settings| Application::build(settings).await?.run_until_stopped().await,
    )
    .await
}
