//! Property tests: deny is monotone, nothing is granted without a matching statement, and no
//! input panics the parser.

use std::sync::Arc;

use gatehouse_policy::{
    AccountId, Action, Outcome, Policy, PolicyKind, PolicySet, Principal, Request, RequestContext,
    Resource, evaluate,
};
use proptest::prelude::*;

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "iam:GetUser",
    "sts:AssumeRole",
];
const ACTION_PATTERNS: &[&str] = &[
    "s3:GetObject",
    "s3:Get*",
    "s3:*",
    "*",
    "iam:Get?ser",
    "s3:*Object",
    "sts:AssumeRole",
    "ec2:*",
];
const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "arn:aws:s3:::b",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::*log*",
    "arn:aws:s3:::b/k?",
    "arn:aws:iam::111122223333:user/*",
];
const RESOURCES: &[&str] = &[
    "arn:aws:s3:::b",
    "arn:aws:s3:::b/k1",
    "arn:aws:s3:::logs/x",
    "arn:aws:iam::111122223333:user/u",
];
const PRINCIPALS: &[&str] = &[
    "arn:aws:iam::111122223333:user/u",
    "arn:aws:sts::111122223333:assumed-role/R/s",
    "arn:aws:iam::444455556666:user/x",
    "anonymous",
];
const PRINCIPAL_ENTRIES: &[&str] = &[
    "\"*\"",
    "{\"AWS\":\"111122223333\"}",
    "{\"AWS\":\"arn:aws:iam::111122223333:role/R\"}",
    "{\"AWS\":\"arn:aws:iam::444455556666:user/x\"}",
];
const CONDITIONS: &[&str] = &[
    "",
    r#","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}"#,
    r#","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalTag/team":"red"}}"#,
    r#","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
    r#","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}"#,
    r#","Condition":{"Null":{"aws:PrincipalTag/team":"true"}}"#,
];

#[derive(Debug, Clone)]
struct StatementSpec {
    allow: bool,
    action: usize,
    resource: usize,
    principal: usize,
    condition: usize,
}

fn statement_spec() -> impl Strategy<Value = StatementSpec> {
    (
        any::<bool>(),
        0..ACTION_PATTERNS.len(),
        0..RESOURCE_PATTERNS.len(),
        0..PRINCIPAL_ENTRIES.len(),
        0..CONDITIONS.len(),
    )
        .prop_map(
            |(allow, action, resource, principal, condition)| StatementSpec {
                allow,
                action,
                resource,
                principal,
                condition,
            },
        )
}

fn statement_json(s: &StatementSpec, with_principal: bool) -> String {
    let principal = if with_principal {
        format!(r#""Principal":{},"#, PRINCIPAL_ENTRIES[s.principal])
    } else {
        String::new()
    };
    format!(
        r#"{{"Effect":"{}",{principal}"Action":"{}","Resource":"{}"{}}}"#,
        if s.allow { "Allow" } else { "Deny" },
        ACTION_PATTERNS[s.action],
        RESOURCE_PATTERNS[s.resource],
        CONDITIONS[s.condition]
    )
}

fn policy(statements: &[StatementSpec], kind: PolicyKind) -> Policy {
    let with_principal = kind == PolicyKind::Resource;
    let body: Vec<String> = statements
        .iter()
        .map(|s| statement_json(s, with_principal))
        .collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        body.join(",")
    );
    Policy::parse(&text, kind).expect("generated policies are valid")
}

#[derive(Debug, Clone)]
struct World {
    identity: Vec<StatementSpec>,
    resource: Vec<StatementSpec>,
    principal: usize,
    action: usize,
    resource_arn: usize,
    cross_account: bool,
    team: Option<bool>,
    ip_inside: bool,
}

fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(statement_spec(), 0..6),
        prop::collection::vec(statement_spec(), 0..6),
        0..PRINCIPALS.len(),
        0..ACTIONS.len(),
        0..RESOURCES.len(),
        any::<bool>(),
        prop::option::of(any::<bool>()),
        any::<bool>(),
    )
        .prop_map(
            |(
                identity,
                resource,
                principal,
                action,
                resource_arn,
                cross_account,
                team,
                ip_inside,
            )| World {
                identity,
                resource,
                principal,
                action,
                resource_arn,
                cross_account,
                team,
                ip_inside,
            },
        )
}

fn decide(
    w: &World,
    extra_identity_deny: Option<&StatementSpec>,
    extra_resource_deny: Option<&StatementSpec>,
) -> Outcome {
    let mut identity_specs = w.identity.clone();
    identity_specs.extend(extra_identity_deny.cloned());
    let mut resource_specs = w.resource.clone();
    resource_specs.extend(extra_resource_deny.cloned());
    let identity: Vec<Arc<Policy>> = if identity_specs.is_empty() {
        vec![]
    } else {
        vec![Arc::new(policy(&identity_specs, PolicyKind::Inline))]
    };
    let resource =
        (!resource_specs.is_empty()).then(|| policy(&resource_specs, PolicyKind::Resource));
    let set = PolicySet {
        identity: &identity,
        resource: resource.as_ref(),
        ..PolicySet::default()
    };
    let principal = Principal::parse(PRINCIPALS[w.principal], None, None).unwrap();
    let action = Action::parse(ACTIONS[w.action]).unwrap();
    let resource_arn = Resource::parse(RESOURCES[w.resource_arn]).unwrap();
    let owner = AccountId::parse(if w.cross_account {
        "999999999999"
    } else {
        "111122223333"
    })
    .unwrap();
    let mut context = RequestContext::new();
    if let Some(blue) = w.team {
        context.insert("aws:PrincipalTag/team", if blue { "blue" } else { "red" });
    }
    context.insert(
        "aws:SourceIp",
        if w.ip_inside { "10.1.2.3" } else { "192.0.2.1" },
    );
    let req = Request {
        principal: &principal,
        action: &action,
        resource: &resource_arn,
        resource_account: Some(&owner),
        context: &context,
    };
    evaluate(&set, &req).outcome
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Adding a Deny statement anywhere never turns a denial into an Allow, and an explicit
    /// deny stays explicit.
    #[test]
    fn an_added_deny_never_allows(w in world(), mut extra in statement_spec(), in_resource in any::<bool>()) {
        extra.allow = false;
        let before = decide(&w, None, None);
        let after = if in_resource { decide(&w, None, Some(&extra)) } else { decide(&w, Some(&extra), None) };
        if before != Outcome::Allow {
            prop_assert_ne!(after, Outcome::Allow);
        }
        if before == Outcome::ExplicitDeny {
            prop_assert_eq!(after, Outcome::ExplicitDeny);
        }
    }

    /// A request that no statement's action covers is never allowed (roots aside, which need
    /// no statement in their own account and are not generated here).
    #[test]
    fn nothing_is_allowed_without_a_matching_statement(mut w in world()) {
        for s in w.identity.iter_mut().chain(w.resource.iter_mut()) {
            s.action = ACTION_PATTERNS.iter().position(|a| *a == "ec2:*").unwrap();
        }
        prop_assert_eq!(decide(&w, None, None), Outcome::ImplicitDeny);
    }

    /// Arbitrary text never panics the parser, whatever the kind.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        for kind in PolicyKind::ALL {
            let _ = Policy::parse(&text, kind);
        }
    }

    /// Policy-shaped JSON with arbitrary members and values never panics the parser.
    #[test]
    fn policy_shaped_json_never_panics(
        keys in prop::collection::vec(prop::sample::select(vec![
            "Version", "Statement", "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
            "Resource", "NotResource", "Condition", "Id", "AWS", "Service", "StringLike", "ForAllValues:ArnLike",
            "NumericLessThan", "DateEquals", "IpAddress", "Null", "Bool", "BinaryEquals", "aws:SourceIp",
        ]), 1..12),
        values in prop::collection::vec(prop::sample::select(vec![
            "\"*\"", "\"Allow\"", "\"Deny\"", "\"2012-10-17\"", "[]", "{}", "null", "1", "true", "\"${aws:username}\"",
            "\"${\"", "\"arn:aws:s3:::b/*\"", "\"s3:Get*\"", "\"10.0.0.0/33\"", "\"2020-13-45\"", "[\"a\",1,true]",
            "\"arn:aws:iam::123456789012:root\"", "\"AIDAXXXXXXXXXXXXXXXXX\"", "\"::\"",
        ]), 1..12),
        nest in any::<bool>(),
    ) {
        let members: Vec<String> = keys.iter().zip(values.iter().cycle()).map(|(k, v)| format!("\"{k}\":{v}")).collect();
        let inner = format!("{{{}}}", members.join(","));
        let text = if nest {
            format!(r#"{{"Version":"2012-10-17","Statement":[{inner},{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{inner}}}]}}"#)
        } else {
            inner
        };
        for kind in PolicyKind::ALL {
            let _ = Policy::parse(&text, kind);
        }
    }
}
