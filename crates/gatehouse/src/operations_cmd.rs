//! `gatehouse operations`: which operations of AWS's API models this build serves, from the
//! operation table, and (with `--missing`) which it does not serve yet.

use std::io::Write;

use clap::Args;
use gatehouse_core::operation::{AwsService, Coverage};

/// Options of `gatehouse operations`.
#[derive(Debug, Args)]
pub struct OperationsArgs {
    /// Also list the operations not served yet.
    #[arg(long)]
    missing: bool,
    /// Print every served operation with its IAM action, resource and read-only flag.
    #[arg(long)]
    table: bool,
}

/// Prints the coverage of every service (stops quietly when stdout closes, as `| head` does).
pub fn run(args: &OperationsArgs) {
    let _ = print(args, &mut std::io::stdout().lock());
}

fn print(args: &OperationsArgs, out: &mut impl Write) -> std::io::Result<()> {
    if args.table {
        for op in gatehouse_server::operations() {
            let resource = match op.resource {
                gatehouse_core::operation::Resource::None => "*".to_owned(),
                gatehouse_core::operation::Resource::Typed { resource_type, .. } => {
                    resource_type.to_owned()
                }
            };
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}",
                op.service.signing_name(),
                op.name,
                op.action,
                resource,
                if op.read_only { "read" } else { "write" }
            )?;
        }
        return Ok(());
    }
    for service in AwsService::ALL {
        let coverage = Coverage::of(service, gatehouse_server::operations());
        if args.missing {
            writeln!(out, "{coverage}")?;
        } else {
            writeln!(
                out,
                "{}: {} of {} operations served",
                service.signing_name(),
                coverage.served.len(),
                coverage.served.len() + coverage.missing.len()
            )?;
        }
    }
    Ok(())
}
