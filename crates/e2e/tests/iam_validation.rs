//! IAM parameter validation over HTTP with the AWS SDK: AWS's exact errors for bad documents and
//! names, and documents and texts that round-trip verbatim.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use common::iam::tag;
use common::{PROD, Server, assert_error, ok, trust};

#[tokio::test]
async fn documents_and_names_are_validated() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    ok(iam.create_user().user_name("val").send().await);

    // A trust policy may not name resources.
    let with_resource = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Resource":"*"}]}"#;
    let e = assert_error(
        iam.create_role()
            .role_name("Bad")
            .assume_role_policy_document(with_resource)
            .send()
            .await,
        "MalformedPolicyDocument",
        "Has prohibited field Resource",
    );
    assert_eq!(e.status, 400);

    // An identity policy may not name a principal.
    let with_principal = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
    assert_error(
        iam.put_user_policy()
            .user_name("val")
            .policy_name("p")
            .policy_document(with_principal)
            .send()
            .await,
        "MalformedPolicyDocument",
        "Policy document should not specify a principal.",
    );
    assert_error(
        iam.create_policy()
            .policy_name("p")
            .policy_document(with_principal)
            .send()
            .await,
        "MalformedPolicyDocument",
        "Policy document should not specify a principal.",
    );

    // A trust policy may only name users and roles that exist.
    let ghost = trust("arn:aws:iam::111111111111:user/ghost");
    assert_error(
        iam.create_role()
            .role_name("Haunted")
            .assume_role_policy_document(&ghost)
            .send()
            .await,
        "MalformedPolicyDocument",
        r#"Invalid principal in policy: "AWS":"arn:aws:iam::111111111111:user/ghost""#,
    );
    ok(iam
        .create_role()
        .role_name("Fine")
        .assume_role_policy_document(trust("arn:aws:iam::111111111111:user/val"))
        .send()
        .await);
    assert_error(
        iam.update_assume_role_policy()
            .role_name("Fine")
            .policy_document(&ghost)
            .send()
            .await,
        "MalformedPolicyDocument",
        r#"Invalid principal in policy: "AWS":"arn:aws:iam::111111111111:user/ghost""#,
    );

    // Inline role policies are limited to 10,240 characters together (whitespace aside).
    let big = |n: usize| {
        let actions: Vec<String> = (0..n)
            .map(|i| format!("s3:GetObjectVersion{i:04}"))
            .collect();
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
        })
        .to_string()
    };
    let first = big(200);
    assert!(first.len() > 5000 && first.len() < 6000, "{}", first.len());
    ok(iam
        .put_role_policy()
        .role_name("Fine")
        .policy_name("one")
        .policy_document(&first)
        .send()
        .await);
    let e = assert_error(
        iam.put_role_policy()
            .role_name("Fine")
            .policy_name("two")
            .policy_document(&first)
            .send()
            .await,
        "LimitExceeded",
        "Maximum policy size of 10240 bytes exceeded for role Fine",
    );
    assert_eq!(e.status, 409);
    // Replacing the same policy does not count it twice.
    ok(iam
        .put_role_policy()
        .role_name("Fine")
        .policy_name("one")
        .policy_document(&first)
        .send()
        .await);
    // Users are limited to 2,048.
    assert_error(
        iam.put_user_policy()
            .user_name("val")
            .policy_name("big")
            .policy_document(&first)
            .send()
            .await,
        "LimitExceeded",
        "Maximum policy size of 2048 bytes exceeded for user val",
    );

    // Names follow IAM's pattern and length limits.
    assert_error(
        iam.create_user().user_name("bad name").send().await,
        "ValidationError",
        r"1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+",
    );
    let long = "u".repeat(65);
    assert_error(
        iam.create_user().user_name(&long).send().await,
        "ValidationError",
        &format!(
            "1 validation error detected: Value '{long}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"
        ),
    );
    assert_error(
        iam.create_group().group_name("a/b").send().await,
        "ValidationError",
        r"1 validation error detected: Value 'a/b' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+",
    );
    assert_error(
        iam.create_user()
            .user_name("pathy")
            .path("no-slash")
            .send()
            .await,
        "ValidationError",
        r"1 validation error detected: Value 'no-slash' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)",
    );
    assert_error(
        iam.create_role()
            .role_name("Short")
            .assume_role_policy_document(trust(PROD))
            .max_session_duration(60)
            .send()
            .await,
        "ValidationError",
        "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    );
    assert_error(
        iam.tag_user()
            .user_name("val")
            .tags(tag("a", "1"))
            .tags(tag("A", "2"))
            .send()
            .await,
        "InvalidInput",
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    );
}

#[tokio::test]
async fn documents_and_texts_round_trip_verbatim() {
    let server = Server::start();
    let iam = server.root_iam(PROD);
    ok(iam.create_user().user_name("vera").send().await);
    // IAM keeps a document as it was written: layout, order and non-ASCII text.
    let document = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"Caf\u{e9}\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"arn:aws:s3:::b/caf\u{e9} & <co>/*\",\n      \"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/team\": \"\u{00fc}ber+%20\"}}\n    }\n  ]\n}";
    let e = common::api_error(
        iam.put_user_policy()
            .user_name("vera")
            .policy_name("verbatim")
            .policy_document(document)
            .send()
            .await,
    );
    // IAM Sids are alphanumeric only.
    assert_eq!(e.code, "MalformedPolicyDocument");
    let document = document.replace("Caf\u{e9}", "Cafe1");
    ok(iam
        .put_user_policy()
        .user_name("vera")
        .policy_name("verbatim")
        .policy_document(&document)
        .send()
        .await);
    let got = ok(iam
        .get_user_policy()
        .user_name("vera")
        .policy_name("verbatim")
        .send()
        .await);
    let text = percent_encoding::percent_decode_str(got.policy_document())
        .decode_utf8()
        .unwrap();
    assert_eq!(text, document);

    // XML-special characters in free text.
    let description = "a < b & c > \"d\" 'e'";
    ok(iam
        .create_role()
        .role_name("Texty")
        .description(description)
        .assume_role_policy_document(trust(PROD))
        .send()
        .await);
    let role = ok(iam.get_role().role_name("Texty").send().await);
    assert_eq!(role.role().unwrap().description(), Some(description));
}
