#![recursion_limit = "256"]
use clap::Parser;

// Imports hold a whole source as many small records; mimalloc keeps their per-allocation
// overhead and fragmentation well below glibc's (see the import benchmark in the README).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
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
