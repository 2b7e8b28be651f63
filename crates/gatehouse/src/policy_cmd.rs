//! `gatehouse policy …`: validate documents, run case files, evaluate one case.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use gatehouse_policy::{Outcome, Policy, PolicyCase, PolicyKind};
use serde_json::json;

/// The policy subcommands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check a policy document as AWS would when it is saved; exit 1 if AWS would refuse it.
    Validate {
        /// The kind of document: identity, managed, boundary, session, trust, bucket, scp, rcp,
        /// resource.
        #[arg(long)]
        kind: PolicyKind,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// The policy file (`-` for standard input).
        file: PathBuf,
    },
    /// Run a file of cases (the vectors schema) and report each; exit 1 if any fails.
    Test {
        /// Print every case's decision, not only failures.
        #[arg(long, short)]
        verbose: bool,
        /// The cases file: a JSON array of cases or one case.
        file: PathBuf,
    },
    /// Evaluate one case and explain the decision.
    Eval {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// The case file (`-` or absent for standard input).
        file: Option<PathBuf>,
    },
}

fn read_input(path: Option<&Path>) -> Result<String, String> {
    match path {
        None => read_stdin(),
        Some(p) if p.as_os_str() == "-" => read_stdin(),
        Some(p) => {
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
        }
    }
}

fn read_stdin() -> Result<String, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(text)
}

/// Runs a policy subcommand.
pub fn run(cmd: PolicyCommand) -> ExitCode {
    let result = match cmd {
        PolicyCommand::Validate { kind, json, file } => validate(kind, json, &file),
        PolicyCommand::Test { verbose, file } => test(verbose, &file),
        PolicyCommand::Eval { json, file } => eval(json, file.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("gatehouse: {message}");
            ExitCode::from(2)
        }
    }
}

fn validate(kind: PolicyKind, as_json: bool, file: &Path) -> Result<ExitCode, String> {
    let text = read_input(Some(file))?;
    match Policy::parse(&text, kind) {
        Ok(policy) => {
            if as_json {
                println!(
                    "{}",
                    json!({"valid": true, "kind": kind.name(), "statements": policy.statements.len()})
                );
            } else {
                println!(
                    "valid {kind} policy ({} statements)",
                    policy.statements.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            if as_json {
                println!(
                    "{}",
                    json!({
                        "valid": false,
                        "kind": kind.name(),
                        "code": e.code.as_str(),
                        "http_status": e.code.http_status(),
                        "message": e.message,
                        "location": e.location,
                    })
                );
            } else {
                println!("{}: {}", e.code, e.message);
                if let Some(location) = &e.location {
                    println!("  at {location}");
                }
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

fn test(verbose: bool, file: &Path) -> Result<ExitCode, String> {
    let text = read_input(Some(file))?;
    let cases = PolicyCase::parse_many(&text)
        .map_err(|e| format!("{}: not a cases file: {e}", file.display()))?;
    let (mut passed, mut failed) = (0usize, 0usize);
    for (i, case) in cases.iter().enumerate() {
        match case.run() {
            Ok(report) if report.passed => {
                passed += 1;
                if verbose {
                    println!("pass  #{i} {}: {}", case.name, report.decision);
                }
            }
            Ok(report) => {
                failed += 1;
                println!(
                    "FAIL  #{i} {}: expected {}, got {}",
                    case.name, case.expected, report.outcome
                );
                println!("      decision: {}", report.decision);
                if let Some(m) = &report.message {
                    println!("      message:  {m}");
                }
                for line in &report.trace {
                    println!("      {line}");
                }
            }
            Err(e) => {
                failed += 1;
                println!("FAIL  #{i} {}: {e}", case.name);
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn eval(as_json: bool, file: Option<&Path>) -> Result<ExitCode, String> {
    let text = read_input(file)?;
    let mut cases = PolicyCase::parse_many(&text).map_err(|e| format!("not a case: {e}"))?;
    if cases.len() != 1 {
        return Err(format!(
            "eval takes exactly one case, found {}",
            cases.len()
        ));
    }
    let case = cases.remove(0);
    let report = case.run().map_err(|e| e.to_string())?;
    if as_json {
        let trace: Vec<String> = report.trace.iter().map(ToString::to_string).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "decision": report.outcome.to_string(),
                "reason": report.decision,
                "message": report.message,
                "trace": trace,
            }))
            .unwrap_or_default()
        );
    } else {
        println!("decision: {}", report.outcome);
        println!("reason:   {}", report.decision);
        if let Some(m) = &report.message {
            println!("message:  {m}");
        }
        println!("trace:");
        for line in &report.trace {
            println!("  {line}");
        }
    }
    Ok(if report.outcome == Outcome::Allow {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
