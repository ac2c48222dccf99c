use std::process::ExitCode;

use clap::Parser;

/// mimalloc: measurably cheaper than the system allocator for the many
/// small, short-lived allocations of a request (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = vpsd::cli::Cli::parse();
    match vpsd::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of standard output has gone (`vpsd ... | head -1`).
        Err(e) if e.is::<vpsd::cli::StdoutClosed>() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vpsd: {e:#}");
            ExitCode::FAILURE
        }
    }
}
