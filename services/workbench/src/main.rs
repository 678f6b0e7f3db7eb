//! `zegel-workbench serve | migrate`: the shared service shell around the workbench.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    platform::shell::main::<zegel_workbench::Workbench>().await
}
