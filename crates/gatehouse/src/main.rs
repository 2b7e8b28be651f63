//! The `gatehouse` command: the server and the policy tools.

mod bench_cmd;
mod demo;
mod durable_file;
mod operations_cmd;
mod policy_cmd;
mod serve_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: request handling allocates many small, short-lived
/// buffers across threads, where glibc's malloc spends a tenth of a GET's CPU time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Gatehouse: a self-hosted, AWS-compatible IAM + STS + S3 server.
#[derive(Debug, Parser)]
#[command(name = "gatehouse", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve IAM and STS (the AWS query protocol) on one port.
    Serve(serve_cmd::ServeArgs),
    /// Validate, test and evaluate IAM policies offline.
    #[command(subcommand)]
    Policy(policy_cmd::PolicyCommand),
    /// Load-test any S3 or STS endpoint with signed (or anonymous) requests.
    #[command(subcommand)]
    Bench(bench_cmd::BenchCommand),
    /// Which operations of AWS's API models this build serves.
    Operations(operations_cmd::OperationsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Policy(cmd) => policy_cmd::run(cmd),
        Command::Bench(cmd) => bench_cmd::run(cmd),
        Command::Operations(args) => {
            operations_cmd::run(&args);
            ExitCode::SUCCESS
        }
        Command::Serve(args) => match serve_cmd::run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("gatehouse: {e}");
                ExitCode::FAILURE
            }
        },
    }
}
