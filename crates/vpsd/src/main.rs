use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = vpsd::cli::Cli::parse();
    match vpsd::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vpsd: {e:#}");
            ExitCode::FAILURE
        }
    }
}
