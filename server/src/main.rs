#![recursion_limit = "256"]
use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    signpost::telemetry::init();
    let cli = signpost::cli::Cli::parse();
    match signpost::cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
