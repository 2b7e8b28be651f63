//! What each document kind accepts and rejects, with AWS's code and message.

use gatehouse_policy::{Policy, PolicyErrorCode as C, PolicyKind as K};

fn rejects(kind: K, text: &str, code: C, message: &str) {
    match Policy::parse(text, kind) {
        Ok(_) => panic!("{kind} accepted {text}"),
        Err(e) => {
            assert_eq!(
                (e.code, e.message.as_str()),
                (code, message),
                "{kind}: {text} (at {:?})",
                e.location
            );
        }
    }
}

fn accepts(kind: K, text: &str) {
    if let Err(e) = Policy::parse(text, kind) {
        panic!("{kind} rejected {text}: {e} at {:?}", e.location);
    }
}

const SYNTAX: &str = "Syntax errors in policy.";

#[test]
fn accepts_every_shape_aws_accepts() {
    accepts(
        K::Inline,
        r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
    );
    accepts(
        K::Inline,
        r#"{"Version":"2008-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b"}]}"#,
    );
    accepts(
        K::Managed,
        r#"{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A1","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/${aws:username}/*"],"Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":10}}}]}"#,
    );
    accepts(
        K::Trust,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}"#,
    );
    accepts(
        K::Trust,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]},"Action":["sts:AssumeRole","sts:TagSession"]}]}"#,
    );
    accepts(
        K::Bucket,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Allow Dev Role","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:role/DevLogAccessRole","222222222222"]},"Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::log-bucket","arn:aws:s3:::log-bucket/*"]}]}"#,
    );
    accepts(
        K::Bucket,
        r#"{"Version":"2008-10-17","Statement":[{"Sid":"","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:user/a"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    accepts(
        K::Scp,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}"#,
    );
    accepts(
        K::Rcp,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}"#,
    );
    accepts(
        K::Session,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
}

#[test]
fn iam_grammar_errors() {
    rejects(
        K::Trust,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Resource":"*"}]}"#,
        C::MalformedPolicyDocument,
        "Has prohibited field Resource",
    );
    rejects(
        K::Inline,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
        C::MalformedPolicyDocument,
        "Policy document should not specify a principal.",
    );
    rejects(
        K::Managed,
        r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        C::MalformedPolicyDocument,
        "Policy document must be version 2012-10-17 or greater.",
    );
    rejects(
        K::Managed,
        r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        C::MalformedPolicyDocument,
        "Policy document must be version 2012-10-17 or greater.",
    );
    rejects(
        K::Inline,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
        C::MalformedPolicyDocument,
        "Policy statement must contain actions.",
    );
    rejects(
        K::Inline,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}"#,
        C::MalformedPolicyDocument,
        "Policy statement must contain resources.",
    );
    rejects(
        K::Inline,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"a b","Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        C::MalformedPolicyDocument,
        "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
    );
    rejects(
        K::Inline,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
        C::MalformedPolicyDocument,
        "Statement IDs (SID) in a single policy must be unique.",
    );
    rejects(
        K::Inline,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}"#,
        C::MalformedPolicyDocument,
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
    );
    rejects(
        K::Inline,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}]}"#,
        C::MalformedPolicyDocument,
        "Actions/Condition can contain only one colon.",
    );
    rejects(
        K::Inline,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}]}"#,
        C::MalformedPolicyDocument,
        "Resource bucket must be in ARN format or \"*\".",
    );
    rejects(
        K::Trust,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111111111111:assumed-role/R/*"},"Action":"sts:AssumeRole"}]}"#,
        C::MalformedPolicyDocument,
        "Invalid principal in policy: \"AWS\":\"arn:aws:sts::111111111111:assumed-role/R/*\"",
    );
    rejects(
        K::Trust,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"*"},"Action":"sts:AssumeRole"}]}"#,
        C::MalformedPolicyDocument,
        "Invalid principal in policy: \"Service\":\"*\"",
    );
    for bad in [
        "not json",
        "{",
        r#"{"Version":"2012-10-17","Statement":[]}"#,
        r#"{"Version":"2012-10-17"}"#,
        r#"{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Extra":1}}"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"},"Extra":1}"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Effect":"Deny"}}"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"s3:x","Resource":"*"}}"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:x":"y"}}}}"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"300.1.1.1"}}}}"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"soon"}}}}"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"nocolon":"y"}}}}"#,
        "\u{feff}{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:\u{4e2d}\",\"Resource\":\"*\"}}",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":1,"Resource":"*"}}"#,
    ] {
        rejects(K::Inline, bad, C::MalformedPolicyDocument, SYNTAX);
    }
}

#[test]
fn errors_say_where_the_problem_is() {
    let e = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bogus":{}}}]}"#, K::Inline).unwrap_err();
    assert_eq!(e.location.as_deref(), Some("Statement[1].Condition.Bogus"));
    let e = Policy::parse(
        "{\"Version\":\n\"2012-10-17\",\n\"Statement\": [",
        K::Inline,
    )
    .unwrap_err();
    assert!(
        e.location.as_deref().unwrap().starts_with("line 3"),
        "{:?}",
        e.location
    );
}

#[test]
fn quotas_are_counted_as_aws_counts_them() {
    let statement = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/0123456789012345678901234567890123456789"}"#;
    let doc = |n: usize, pad: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            vec![statement; n].join(&format!(",{pad}"))
        )
    };
    // Whitespace does not count against IAM quotas.
    let padded = doc(40, &" ".repeat(200));
    assert!(padded.len() > 6144 && gatehouse_policy::size_without_whitespace(&padded) < 6144);
    accepts(K::Managed, &padded);
    rejects(
        K::Managed,
        &doc(60, ""),
        C::LimitExceeded,
        "Cannot exceed quota for PolicySize: 6144",
    );
    rejects(K::Trust, &format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, vec![r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},"Action":"sts:AssumeRole"}"#; 20].join(",")), C::LimitExceeded, "Cannot exceed quota for ACLSizePerRole: 2048");
    // Session policies count every character, whitespace included.
    let e = Policy::parse(&doc(10, &" ".repeat(100)), K::Session)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.code, C::ValidationError);
    assert!(
        e.message
            .ends_with("Member must have length less than or equal to 2048")
    );
    // SCPs count every character.
    let e = Policy::parse(&doc(42, &" ".repeat(50)), K::Scp)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            C::ConstraintViolationException,
            "You have exceeded the maximum policy size."
        )
    );
    rejects(
        K::Bucket,
        &doc(400, ""),
        C::PolicyTooLarge,
        "Policy exceeds the maximum allowed document size.",
    );
}

#[test]
fn s3_and_organizations_word_errors_their_own_way() {
    rejects(
        K::Bucket,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
        C::MalformedPolicy,
        "Missing required field Principal",
    );
    rejects(
        K::Bucket,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
        C::MalformedPolicy,
        "Policy has invalid resource",
    );
    rejects(
        K::Bucket,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"iam:GetUser","Resource":"arn:aws:s3:::b"}]}"#,
        C::MalformedPolicy,
        "Policy has invalid action",
    );
    rejects(
        K::Bucket,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/x"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
        C::MalformedPolicy,
        "Invalid principal in policy",
    );
    rejects(
        K::Bucket,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"Foo":{"aws:x":"y"}}}]}"#,
        C::MalformedPolicy,
        "Invalid Condition type : Foo",
    );
    rejects(
        K::Bucket,
        "[]",
        C::MalformedPolicy,
        "Policies must be valid JSON and the first byte must be '{'",
    );
    rejects(
        K::Bucket,
        "{nope",
        C::MalformedPolicy,
        "This policy contains invalid Json",
    );
    rejects(
        K::Bucket,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
        C::MalformedPolicy,
        "Invalid effect: Permit",
    );
    let orgs =
        "The provided policy document does not meet the requirements of the specified policy type.";
    rejects(
        K::Scp,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#,
        C::MalformedPolicyDocumentException,
        orgs,
    );
    rejects(
        K::Rcp,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"111111111111"},"Action":"s3:*","Resource":"*"}]}"#,
        C::MalformedPolicyDocumentException,
        orgs,
    );
    rejects(
        K::Rcp,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","NotAction":"s3:*","Resource":"*"}]}"#,
        C::MalformedPolicyDocumentException,
        orgs,
    );
}
