//! The policy commands, run as a user runs them: the real binary, real files, exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn gatehouse(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gatehouse runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn vectors_path() -> String {
    format!(
        "{}/../policy/tests/data/vectors.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gatehouse-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn policy_test_runs_every_vector() {
    let out = gatehouse(&["policy", "test", &vectors_path()], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(stdout.lines().last(), Some("161 passed, 0 failed"));
}

#[test]
fn policy_test_reports_failures_with_a_trace_and_exit_1() {
    let vectors: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(vectors_path()).unwrap()).unwrap();
    let mut case = vectors[4].clone();
    case["expected"] = "ImplicitDeny".into();
    let path = temp_file(
        "failing.json",
        &serde_json::to_string(&vec![vectors[0].clone(), case]).unwrap(),
    );
    let out = gatehouse(&["policy", "test", path.to_str().unwrap()], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL  #1"), "{stdout}");
    assert!(stdout.contains("identity-based policy identity[0] statement AllowS3ProductionObjectActions (Allow): applies"), "{stdout}");
    assert_eq!(stdout.lines().last(), Some("1 passed, 1 failed"));
}

#[test]
fn validate_rejects_a_trust_policy_with_resource() {
    let path = temp_file(
        "trust.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole","Resource":"*"}]}"#,
    );
    let out = gatehouse(
        &[
            "policy",
            "validate",
            "--kind",
            "trust",
            path.to_str().unwrap(),
        ],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.starts_with("MalformedPolicyDocument: Has prohibited field Resource"),
        "{stdout}"
    );

    let out = gatehouse(
        &[
            "policy",
            "validate",
            "--kind",
            "trust",
            "--json",
            path.to_str().unwrap(),
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["code"], "MalformedPolicyDocument");
    assert_eq!(v["message"], "Has prohibited field Resource");
    assert_eq!(v["location"], "Statement[0].Resource");
    assert_eq!(v["valid"], false);
}

#[test]
fn validate_accepts_the_seed_documents() {
    let trust = temp_file(
        "seed-trust.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole"}]}"#,
    );
    let out = gatehouse(
        &[
            "policy",
            "validate",
            "--kind",
            "trust",
            trust.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let bucket = temp_file(
        "seed-bucket.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"AllowDevRoleAccess","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/DevLogAccessRole"},"Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::log-bucket","arn:aws:s3:::log-bucket/*"]}]}"#,
    );
    let out = gatehouse(
        &[
            "policy",
            "validate",
            "--kind",
            "bucket",
            bucket.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn eval_explains_one_case_from_stdin() {
    let vectors: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(vectors_path()).unwrap()).unwrap();
    let out = gatehouse(&["policy", "eval"], Some(&vectors[5].to_string()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.starts_with("decision: ImplicitDeny"), "{stdout}");
    assert!(stdout.contains(r#"message:  User: arn:aws:sts::111111111111:assumed-role/Demo/carlos is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::amzn-s3-demo-bucket-production/app.txt" because no resource-based policy allows the s3:DeleteObject action"#), "{stdout}");

    let out = gatehouse(
        &["policy", "eval", "--json", "-"],
        Some(&vectors[1].to_string()),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(out.status.success());
    assert_eq!(v["decision"], "Allow");
}
