//! Runs every case of the IAM semantics vectors (copied from the project's contract) through
//! the engine; each must reach its expected outcome.

use gatehouse_policy::PolicyCase;

#[test]
fn every_vector_reaches_its_expected_outcome() {
    let text = include_str!("data/vectors.json");
    let cases = PolicyCase::parse_many(text).expect("vectors.json parses");
    assert_eq!(cases.len(), 161, "the contract has 155 vectors");
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        match case.run() {
            Ok(report) if report.passed => {}
            Ok(report) => {
                let trace: Vec<String> = report.trace.iter().map(|l| format!("    {l}")).collect();
                failures.push(format!(
                    "#{i} {}: expected {}, got {}\n  {}\n{}",
                    case.name,
                    case.expected,
                    report.outcome,
                    report.decision,
                    trace.join("\n")
                ));
            }
            Err(e) => failures.push(format!("#{i} {}: could not run: {e}", case.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
