//! `zegel-lookup serve | migrate`: the shared service shell around this service.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    platform::shell::main::<zegel_lookup::Lookup>().await
}
