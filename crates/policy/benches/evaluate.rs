//! Criterion benchmarks of the IAM evaluator, each beside the equivalent Cedar problem.
//!
//! Every group holds a Gatehouse variant (`gatehouse/…`) and a Cedar variant (`cedar/…`) of
//! the same authorization question, so both are measured in the same run:
//!
//! * `seed` — a role session reads `arn:aws:s3:::log-bucket/example.log`, granted by the
//!   role's inline policy and by the bucket policy; same-account and cross-account.
//! * `identity_200` — 200 identity statements with wildcards and conditions (split over 20
//!   managed policies of 10 statements, as a role would carry them under the 6,144-byte
//!   managed-policy quota); only statement 190 matches.
//! * `bucket_1000` — a 1,000-statement resource policy naming different principals and
//!   prefixes; only statement 990 matches. (AWS caps bucket policies at 20 KB, so the document
//!   is parsed as [`PolicyKind::Resource`], which has no size quota; evaluation is the same.)
//! * `parse` — for information, parsing the seed inline policy in both engines.
//!
//! Everything is compiled once outside the timed closures, which call only
//! [`gatehouse_policy::evaluate`] or [`cedar_policy::Authorizer::is_authorized`].
//!
//! How IAM is expressed in Cedar:
//!
//! * principals are entities whose ancestors are their role (`Role::"<role ARN>"`) and
//!   account (`Account::"<id>"`), so `Principal` elements become `principal in …` scopes;
//! * wildcard actions (`s3:Get*`) become action groups: the request's action entity lists
//!   every group it belongs to as a parent (the wildcard match is precomputed in the entity
//!   store rather than done at evaluation time);
//! * resource ARN patterns become `resource.arn like "…"` tests;
//! * condition keys are context attributes, guarded with `has` as IAM treats a missing key
//!   as a non-match;
//! * cross-account access (identity policy **and** resource policy both required) is encoded
//!   as two `forbid … when { principal.account != resource.account } unless { … }` guards
//!   beside the two permits, since a lone Cedar `permit` always suffices.

use std::fmt::Write as _;
use std::hint::black_box;
use std::str::FromStr;
use std::sync::Arc;

use cedar_policy::{Authorizer, Context, Entities, EntityUid};
use criterion::{BenchmarkId, Criterion};
use gatehouse_policy::{
    AccountId, Action, Policy, PolicyKind, PolicySet, Principal, Reason, Request, RequestContext,
    Resource, evaluate,
};
use serde_json::{Value, json};

/// The account that owns every bucket.
const OWNER: &str = "111111111111";
/// The caller's account in the cross-account seed variant.
const OTHER: &str = "222222222222";

// ---------------------------------------------------------------------------------------------
// Gatehouse side
// ---------------------------------------------------------------------------------------------

/// A Gatehouse problem: compiled policies and an owned request.
struct IamCase {
    identity: Vec<Arc<Policy>>,
    resource: Option<Policy>,
    principal: Principal,
    action: Action,
    resource_arn: Resource,
    resource_account: Option<AccountId>,
    context: RequestContext,
}

impl IamCase {
    /// Builds a role-session request for `action` on `resource` (owned by `resource_account`).
    fn role_session(
        session_arn: &str,
        role_arn: &str,
        action: &str,
        resource: &str,
        resource_account: Option<&str>,
    ) -> Self {
        Self {
            identity: Vec::new(),
            resource: None,
            principal: Principal::parse(session_arn, Some(role_arn), None)
                .expect("valid session ARN"),
            action: Action::parse(action).expect("valid action"),
            resource_arn: Resource::parse(resource).expect("valid resource ARN"),
            resource_account: resource_account
                .map(|a| AccountId::parse(a).expect("valid account id")),
            context: RequestContext::new(),
        }
    }

    /// The policies, borrowed for evaluation.
    fn policy_set(&self) -> PolicySet<'_> {
        PolicySet {
            identity: &self.identity,
            resource: self.resource.as_ref(),
            ..PolicySet::default()
        }
    }

    /// The request, borrowed for evaluation.
    fn request(&self) -> Request<'_> {
        Request {
            principal: &self.principal,
            action: &self.action,
            resource: &self.resource_arn,
            resource_account: self.resource_account.as_ref(),
            context: &self.context,
        }
    }
}

/// Parses a policy document of `kind`, panicking with the validation error.
fn parse(document: &Value, kind: PolicyKind) -> Policy {
    let text = document.to_string();
    Policy::parse(&text, kind).unwrap_or_else(|e| panic!("{kind:?} policy rejected: {e:?}"))
}

/// Wraps statements in a `2012-10-17` document.
fn document(statements: &[Value]) -> Value {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

// ---------------------------------------------------------------------------------------------
// Cedar side
// ---------------------------------------------------------------------------------------------

/// A Cedar problem: policy set, entity store and request, all built up front.
struct CedarCase {
    authorizer: Authorizer,
    policies: cedar_policy::PolicySet,
    entities: Entities,
    request: cedar_policy::Request,
}

impl CedarCase {
    /// Builds the case from Cedar source text, entities in Cedar's JSON format, and a request.
    fn new(
        policies: &str,
        entities: &Value,
        (principal, action, resource): (&str, &str, &str),
        context: Value,
    ) -> Self {
        let uid = |s: &str| EntityUid::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        Self {
            authorizer: Authorizer::new(),
            policies: cedar_policy::PolicySet::from_str(policies)
                .unwrap_or_else(|e| panic!("Cedar policies rejected: {e:?}")),
            entities: Entities::from_json_value(entities.clone(), None)
                .unwrap_or_else(|e| panic!("Cedar entities rejected: {e:?}")),
            request: cedar_policy::Request::new(
                uid(principal),
                uid(action),
                uid(resource),
                Context::from_json_value(context, None).expect("valid Cedar context"),
                None,
            )
            .expect("valid Cedar request"),
        }
    }

    /// Decides the request.
    fn decide(&self) -> cedar_policy::Response {
        self.authorizer
            .is_authorized(&self.request, &self.policies, &self.entities)
    }
}

/// A Cedar entity UID literal, e.g. `Role::"arn:…"`.
fn cuid(ty: &str, id: &str) -> String {
    format!("{ty}::\"{id}\"")
}

/// An entity in Cedar's JSON format.
fn entity(ty: &str, id: &str, attrs: &Value, parents: &[(&str, &str)]) -> Value {
    let parents: Vec<Value> = parents
        .iter()
        .map(|(t, i)| json!({ "type": t, "id": i }))
        .collect();
    json!({ "uid": { "type": ty, "id": id }, "attrs": attrs, "parents": parents })
}

/// The action entity for `action` with the wildcard groups it belongs to as parents.
fn action_entity(action: &str, groups: &[&str]) -> Value {
    let parents: Vec<(&str, &str)> = groups.iter().map(|g| ("Action", *g)).collect();
    entity("Action", action, &json!({}), &parents)
}

/// A role session, its role and the role's account.
fn session_entities(session_arn: &str, role_arn: &str, account: &str) -> Vec<Value> {
    vec![
        entity(
            "RoleSession",
            session_arn,
            &json!({ "account": account }),
            &[("Role", role_arn)],
        ),
        entity(
            "Role",
            role_arn,
            &json!({ "account": account }),
            &[("Account", account)],
        ),
        entity("Account", account, &json!({}), &[]),
    ]
}

/// An S3 object with its ARN and owning account as attributes.
fn object_entity(arn: &str, account: &str) -> Value {
    entity(
        "S3Object",
        arn,
        &json!({ "arn": arn, "account": account }),
        &[],
    )
}

/// A Cedar `ip("…")` value in the JSON context format.
fn cedar_ip(addr: &str) -> Value {
    json!({ "__extn": { "fn": "ip", "arg": addr } })
}

/// One benchmarked problem in both engines, with the statements expected to grant it.
struct Pair {
    /// The benchmark's name within its group.
    name: &'static str,
    /// The Gatehouse problem.
    iam: IamCase,
    /// The equivalent Cedar problem.
    cedar: CedarCase,
    /// The `Sid`s Gatehouse must name as granting (the grant, then the cross-account one).
    gatehouse_grants: Vec<String>,
    /// The `@id` annotations of the Cedar policies that must determine the Allow, sorted.
    cedar_grants: Vec<String>,
}

impl Pair {
    /// Asserts once, outside any timed loop, that both engines allow the request for the
    /// expected statements and that Cedar hit no evaluation error.
    fn assert_both_allow(&self, group: &str) {
        let name = format!("{group}/{}", self.name);
        let decision = evaluate(&self.iam.policy_set(), &self.iam.request());
        assert!(decision.is_allowed(), "{name}: Gatehouse says {decision}");
        let granted: Vec<String> = match decision.reason {
            Reason::Allowed { by, also } => std::iter::once(by)
                .chain(also)
                .map(|s| s.statement.label())
                .collect(),
            other => panic!("{name}: Gatehouse allowed for {other:?}"),
        };
        assert_eq!(granted, self.gatehouse_grants, "{name}: Gatehouse grants");

        let response = self.cedar.decide();
        let errors: Vec<String> = response
            .diagnostics()
            .errors()
            .map(ToString::to_string)
            .collect();
        assert!(errors.is_empty(), "{name}: Cedar errors {errors:?}");
        assert_eq!(
            response.decision(),
            cedar_policy::Decision::Allow,
            "{name}: Cedar denies"
        );
        let mut reasons: Vec<String> = response
            .diagnostics()
            .reason()
            .map(|id| {
                self.cedar
                    .policies
                    .annotation(id, "id")
                    .map_or_else(|| id.to_string(), str::to_owned)
            })
            .collect();
        reasons.sort();
        assert_eq!(reasons, self.cedar_grants, "{name}: Cedar grants");
    }
}

/// Owned strings from string literals.
fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

// ---------------------------------------------------------------------------------------------
// 1. The seed decision
// ---------------------------------------------------------------------------------------------

/// The seed bucket and its objects.
const LOG_BUCKET: &str = "arn:aws:s3:::log-bucket";
/// The object the seed request reads.
const LOG_OBJECT: &str = "arn:aws:s3:::log-bucket/example.log";
/// The actions the seed policies grant.
const LOG_ACTIONS: [&str; 2] = ["s3:ListBucket", "s3:GetObject"];

/// The role's inline policy of the seed.
fn seed_inline_policy() -> Value {
    document(&[json!({
        "Sid": "ReadLogs",
        "Effect": "Allow",
        "Action": LOG_ACTIONS,
        "Resource": [LOG_BUCKET, format!("{LOG_BUCKET}/*")],
    })])
}

/// The seed's ARNs for a caller in `caller_account`: (session ARN, role ARN).
fn seed_arns(caller_account: &str) -> (String, String) {
    (
        format!("arn:aws:sts::{caller_account}:assumed-role/DevLogAccessRole/LogAnalysisSession"),
        format!("arn:aws:iam::{caller_account}:role/DevLogAccessRole"),
    )
}

/// The seed in Gatehouse, for a caller in `caller_account` (the bucket is in [`OWNER`]).
fn seed_iam(caller_account: &str) -> IamCase {
    let (session_arn, role_arn) = seed_arns(caller_account);
    let bucket_policy = document(&[json!({
        "Sid": "AllowDevLogAccessRole",
        "Effect": "Allow",
        "Principal": { "AWS": role_arn },
        "Action": LOG_ACTIONS,
        "Resource": [LOG_BUCKET, format!("{LOG_BUCKET}/*")],
    })]);
    let mut case = IamCase::role_session(
        &session_arn,
        &role_arn,
        "s3:GetObject",
        LOG_OBJECT,
        Some(OWNER),
    );
    case.identity = vec![Arc::new(parse(&seed_inline_policy(), PolicyKind::Inline))];
    case.resource = Some(parse(&bucket_policy, PolicyKind::Bucket));
    case
}

/// The body shared by the seed's Cedar policies: the role, the two actions, the bucket.
fn seed_cedar_grant(role_arn: &str) -> (String, String) {
    let scope = format!(
        "principal in {}, action in [{}, {}], resource",
        cuid("Role", role_arn),
        cuid("Action", LOG_ACTIONS[0]),
        cuid("Action", LOG_ACTIONS[1]),
    );
    let when = format!(r#"resource.arn == "{LOG_BUCKET}" || resource.arn like "{LOG_BUCKET}/*""#);
    (scope, when)
}

/// The seed's Cedar policies: the inline and bucket policies as permits, plus, when the
/// caller is in another account, the guards that make both required.
fn seed_cedar_policies(role_arn: &str, cross_account: bool) -> String {
    let (scope, when) = seed_cedar_grant(role_arn);
    let mut text = format!(
        "@id(\"identity\")\npermit({scope}) when {{ {when} }};\n\
         @id(\"bucket\")\npermit({scope}) when {{ {when} }};\n"
    );
    if cross_account {
        let grant = format!(
            "principal in {} && action in [{}, {}] && ({when})",
            cuid("Role", role_arn),
            cuid("Action", LOG_ACTIONS[0]),
            cuid("Action", LOG_ACTIONS[1]),
        );
        for guard in ["identity", "bucket"] {
            write!(
                text,
                "@id(\"cross-account-needs-{guard}\")\n\
                 forbid(principal, action, resource)\n\
                 when {{ principal.account != resource.account }}\n\
                 unless {{ {grant} }};\n"
            )
            .expect("write to String");
        }
    }
    text
}

/// The seed in Cedar, for a caller in `caller_account`.
fn seed_cedar(caller_account: &str) -> CedarCase {
    let (session_arn, role_arn) = seed_arns(caller_account);
    let mut entities = session_entities(&session_arn, &role_arn, caller_account);
    entities.push(action_entity("s3:GetObject", &[]));
    entities.push(object_entity(LOG_OBJECT, OWNER));
    CedarCase::new(
        &seed_cedar_policies(&role_arn, caller_account != OWNER),
        &Value::Array(entities),
        (
            &cuid("RoleSession", &session_arn),
            &cuid("Action", "s3:GetObject"),
            &cuid("S3Object", LOG_OBJECT),
        ),
        json!({}),
    )
}

// ---------------------------------------------------------------------------------------------
// 2. 200 identity statements
// ---------------------------------------------------------------------------------------------

/// Number of identity statements.
const IDENTITY_STATEMENTS: usize = 200;
/// Statements per managed policy.
const PER_MANAGED_POLICY: usize = 10;
/// The one statement that matches the request.
const IDENTITY_MATCH: usize = 190;
/// The role carrying the identity policies.
const ANALYTICS_ROLE: &str = "arn:aws:iam::111111111111:role/AnalyticsRole";
/// Its session.
const ANALYTICS_SESSION: &str = "arn:aws:sts::111111111111:assumed-role/AnalyticsRole/etl-run";
/// The object the request reads (only statement 190's bucket).
const IDENTITY_OBJECT: &str = "arn:aws:s3:::bucket-190/reports/2024/q1.csv";
/// The team tag that statement 190 requires.
const IDENTITY_TEAM: &str = "team-190";
/// The caller's address (inside statement 190's `10.190.0.0/16`).
const IDENTITY_IP: &str = "10.190.3.4";

/// Statement `i` of the identity set, in one of five shapes (`i % 5`):
///
/// 0. `s3:Get*`/`s3:List*` on `bucket-i` and `bucket-i/*`, if `aws:PrincipalTag/team` is
///    `team-i` and `aws:SourceIp` is in `10.i.0.0/16` (statement 190 is the match);
/// 1. `ec2:Describe*` on `*` from `192.168.i.0/24` (action mismatch);
/// 2. `s3:*` on `arn:aws:s3:::*` if the team tag is `team-i` (fails only on its condition);
/// 3. `DynamoDB` reads of `table-i` if `aws:PrincipalTag/project` is like `proj-i-*`;
/// 4. `s3:Put*`/`s3:DeleteObject` on `bucket-i/uploads/*` over TLS.
fn identity_statement(i: usize) -> Value {
    let octet = i % 256;
    match i % 5 {
        0 => json!({
            "Sid": format!("ReadBucket{i}"),
            "Effect": "Allow",
            "Action": ["s3:Get*", "s3:List*"],
            "Resource": [format!("arn:aws:s3:::bucket-{i}"), format!("arn:aws:s3:::bucket-{i}/*")],
            "Condition": {
                "StringEquals": { "aws:PrincipalTag/team": format!("team-{i}") },
                "IpAddress": { "aws:SourceIp": format!("10.{octet}.0.0/16") },
            },
        }),
        1 => json!({
            "Sid": format!("Describe{i}"),
            "Effect": "Allow",
            "Action": "ec2:Describe*",
            "Resource": "*",
            "Condition": { "IpAddress": { "aws:SourceIp": format!("192.168.{octet}.0/24") } },
        }),
        2 => json!({
            "Sid": format!("TeamS3{i}"),
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::*",
            "Condition": { "StringEquals": { "aws:PrincipalTag/team": format!("team-{i}") } },
        }),
        3 => json!({
            "Sid": format!("Table{i}"),
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:Query"],
            "Resource": format!("arn:aws:dynamodb:us-east-1:{OWNER}:table/table-{i}"),
            "Condition": { "StringLike": { "aws:PrincipalTag/project": format!("proj-{i}-*") } },
        }),
        _ => json!({
            "Sid": format!("Upload{i}"),
            "Effect": "Allow",
            "Action": ["s3:Put*", "s3:DeleteObject"],
            "Resource": format!("arn:aws:s3:::bucket-{i}/uploads/*"),
            "Condition": { "Bool": { "aws:SecureTransport": "true" } },
        }),
    }
}

/// The same statement as a Cedar policy.
fn identity_statement_cedar(i: usize) -> String {
    let octet = i % 256;
    let principal = format!("principal in {}", cuid("Role", ANALYTICS_ROLE));
    let actions = |names: &[&str]| {
        let list: Vec<String> = names.iter().map(|n| cuid("Action", n)).collect();
        format!("action in [{}]", list.join(", "))
    };
    let (action, when) = match i % 5 {
        0 => (
            actions(&["s3:Get*", "s3:List*"]),
            format!(
                "(resource.arn == \"arn:aws:s3:::bucket-{i}\" \
                 || resource.arn like \"arn:aws:s3:::bucket-{i}/*\") \
                 && context has team && context.team == \"team-{i}\" \
                 && context has source_ip && context.source_ip.isInRange(ip(\"10.{octet}.0.0/16\"))"
            ),
        ),
        1 => (
            actions(&["ec2:Describe*"]),
            format!(
                "context has source_ip && context.source_ip.isInRange(ip(\"192.168.{octet}.0/24\"))"
            ),
        ),
        2 => (
            actions(&["s3:*"]),
            format!(
                "resource.arn like \"arn:aws:s3:::*\" \
                 && context has team && context.team == \"team-{i}\""
            ),
        ),
        3 => (
            actions(&["dynamodb:GetItem", "dynamodb:Query"]),
            format!(
                "resource.arn == \"arn:aws:dynamodb:us-east-1:{OWNER}:table/table-{i}\" \
                 && context has project && context.project like \"proj-{i}-*\""
            ),
        ),
        _ => (
            actions(&["s3:Put*", "s3:DeleteObject"]),
            format!(
                "resource.arn like \"arn:aws:s3:::bucket-{i}/uploads/*\" \
                 && context has secure_transport && context.secure_transport == true"
            ),
        ),
    };
    format!("@id(\"stmt-{i}\")\npermit({principal}, {action}, resource) when {{ {when} }};\n")
}

/// The identity problem in Gatehouse: 20 managed policies of 10 statements.
fn identity_iam() -> IamCase {
    let mut case = IamCase::role_session(
        ANALYTICS_SESSION,
        ANALYTICS_ROLE,
        "s3:GetObject",
        IDENTITY_OBJECT,
        None,
    );
    case.identity = (0..IDENTITY_STATEMENTS)
        .step_by(PER_MANAGED_POLICY)
        .map(|first| {
            let statements: Vec<Value> = (first..first + PER_MANAGED_POLICY)
                .map(identity_statement)
                .collect();
            Arc::new(parse(&document(&statements), PolicyKind::Managed))
        })
        .collect();
    case.context.insert("aws:PrincipalTag/team", IDENTITY_TEAM);
    case.context.insert("aws:PrincipalTag/project", "proj-x-1");
    case.context.insert("aws:SourceIp", IDENTITY_IP);
    case.context.insert("aws:SecureTransport", "true");
    case
}

/// The identity problem in Cedar: 200 permits.
fn identity_cedar() -> CedarCase {
    let policies: String = (0..IDENTITY_STATEMENTS)
        .map(identity_statement_cedar)
        .collect();
    let mut entities = session_entities(ANALYTICS_SESSION, ANALYTICS_ROLE, OWNER);
    // Every wildcard group of the policies that covers s3:GetObject.
    entities.push(action_entity(
        "s3:GetObject",
        &["s3:Get*", "s3:*", "s3:GetObject*"],
    ));
    entities.push(object_entity(IDENTITY_OBJECT, OWNER));
    CedarCase::new(
        &policies,
        &Value::Array(entities),
        (
            &cuid("RoleSession", ANALYTICS_SESSION),
            &cuid("Action", "s3:GetObject"),
            &cuid("S3Object", IDENTITY_OBJECT),
        ),
        json!({
            "team": IDENTITY_TEAM,
            "project": "proj-x-1",
            "source_ip": cedar_ip(IDENTITY_IP),
            "secure_transport": true,
        }),
    )
}

// ---------------------------------------------------------------------------------------------
// 3. A 1,000-statement bucket policy
// ---------------------------------------------------------------------------------------------

/// Number of bucket-policy statements.
const BUCKET_STATEMENTS: usize = 1000;
/// The one statement that matches the request.
const BUCKET_MATCH: usize = 990;
/// The shared bucket.
const SHARED_BUCKET: &str = "arn:aws:s3:::shared-bucket";
/// The caller's address.
const BUCKET_IP: &str = "203.0.113.7";

/// A partner account id for statement `i`.
fn partner_account(i: usize) -> String {
    format!("3000000{i:05}")
}

/// Statement `i` of the bucket policy, in one of three shapes (`i % 3`):
///
/// 0. role `Role-i` may get and put under `prefix-i/` (statement 990 is the match);
/// 1. user `user-i` may get under `users/user-i/`;
/// 2. partner account `3000000iiiii` may get and list under `partners/partner-i/` from
///    `198.51.100.0/24`.
fn bucket_statement(i: usize) -> Value {
    match i % 3 {
        0 => json!({
            "Sid": format!("Role{i}"),
            "Effect": "Allow",
            "Principal": { "AWS": format!("arn:aws:iam::{OWNER}:role/Role-{i}") },
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": format!("{SHARED_BUCKET}/prefix-{i}/*"),
        }),
        1 => json!({
            "Sid": format!("User{i}"),
            "Effect": "Allow",
            "Principal": { "AWS": format!("arn:aws:iam::{OWNER}:user/user-{i}") },
            "Action": "s3:GetObject",
            "Resource": format!("{SHARED_BUCKET}/users/user-{i}/*"),
        }),
        _ => json!({
            "Sid": format!("Partner{i}"),
            "Effect": "Allow",
            "Principal": { "AWS": format!("arn:aws:iam::{}:root", partner_account(i)) },
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": format!("{SHARED_BUCKET}/partners/partner-{i}/*"),
            "Condition": { "IpAddress": { "aws:SourceIp": "198.51.100.0/24" } },
        }),
    }
}

/// The same statement as a Cedar policy.
fn bucket_statement_cedar(i: usize) -> String {
    let (principal, action, when) = match i % 3 {
        0 => (
            format!(
                "principal in {}",
                cuid("Role", &format!("arn:aws:iam::{OWNER}:role/Role-{i}"))
            ),
            format!(
                "action in [{}, {}]",
                cuid("Action", "s3:GetObject"),
                cuid("Action", "s3:PutObject")
            ),
            format!("resource.arn like \"{SHARED_BUCKET}/prefix-{i}/*\""),
        ),
        1 => (
            format!(
                "principal == {}",
                cuid("User", &format!("arn:aws:iam::{OWNER}:user/user-{i}"))
            ),
            format!("action == {}", cuid("Action", "s3:GetObject")),
            format!("resource.arn like \"{SHARED_BUCKET}/users/user-{i}/*\""),
        ),
        _ => (
            format!("principal in {}", cuid("Account", &partner_account(i))),
            format!(
                "action in [{}, {}]",
                cuid("Action", "s3:GetObject"),
                cuid("Action", "s3:ListBucket")
            ),
            format!(
                "resource.arn like \"{SHARED_BUCKET}/partners/partner-{i}/*\" \
                 && context has source_ip \
                 && context.source_ip.isInRange(ip(\"198.51.100.0/24\"))"
            ),
        ),
    };
    format!("@id(\"stmt-{i}\")\npermit({principal}, {action}, resource) when {{ {when} }};\n")
}

/// The caller of the bucket problem: (session ARN, role ARN, object ARN).
fn bucket_request_arns() -> (String, String, String) {
    (
        format!("arn:aws:sts::{OWNER}:assumed-role/Role-{BUCKET_MATCH}/batch"),
        format!("arn:aws:iam::{OWNER}:role/Role-{BUCKET_MATCH}"),
        format!("{SHARED_BUCKET}/prefix-{BUCKET_MATCH}/data/part-0001.parquet"),
    )
}

/// The bucket problem in Gatehouse: same account, no identity policy, so the bucket
/// policy's grant to the role suffices.
fn bucket_iam() -> IamCase {
    let (session_arn, role_arn, object) = bucket_request_arns();
    let mut case = IamCase::role_session(
        &session_arn,
        &role_arn,
        "s3:GetObject",
        &object,
        Some(OWNER),
    );
    let statements: Vec<Value> = (0..BUCKET_STATEMENTS).map(bucket_statement).collect();
    case.resource = Some(parse(&document(&statements), PolicyKind::Resource));
    case.context.insert("aws:SourceIp", BUCKET_IP);
    case
}

/// The bucket problem in Cedar: 1,000 permits.
fn bucket_cedar() -> CedarCase {
    let (session_arn, role_arn, object) = bucket_request_arns();
    let policies: String = (0..BUCKET_STATEMENTS).map(bucket_statement_cedar).collect();
    let mut entities = session_entities(&session_arn, &role_arn, OWNER);
    entities.push(action_entity("s3:GetObject", &[]));
    entities.push(object_entity(&object, OWNER));
    CedarCase::new(
        &policies,
        &Value::Array(entities),
        (
            &cuid("RoleSession", &session_arn),
            &cuid("Action", "s3:GetObject"),
            &cuid("S3Object", &object),
        ),
        json!({ "source_ip": cedar_ip(BUCKET_IP) }),
    )
}

// ---------------------------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------------------------

/// Benchmarks each pair of equivalent problems in one group.
fn bench_pairs(c: &mut Criterion, group: &str, pairs: &[Pair]) {
    let mut g = c.benchmark_group(group);
    for pair in pairs {
        pair.assert_both_allow(group);
        let set = pair.iam.policy_set();
        let request = pair.iam.request();
        g.bench_function(BenchmarkId::new("gatehouse", pair.name), |b| {
            b.iter(|| black_box(evaluate(black_box(&set), black_box(&request))));
        });
        let cedar = &pair.cedar;
        g.bench_function(BenchmarkId::new("cedar", pair.name), |b| {
            b.iter(|| {
                black_box(cedar.authorizer.is_authorized(
                    black_box(&cedar.request),
                    black_box(&cedar.policies),
                    black_box(&cedar.entities),
                ))
            });
        });
    }
    g.finish();
}

/// Group `seed`: the seed decision, same-account and cross-account.
///
/// Same-account, the bucket policy's grant to the role suffices (AWS checks it first);
/// cross-account, the inline policy grants and the bucket policy must grant too.
fn seed(c: &mut Criterion) {
    let both = strings(&["bucket", "identity"]);
    bench_pairs(
        c,
        "seed",
        &[
            Pair {
                name: "same_account",
                iam: seed_iam(OWNER),
                cedar: seed_cedar(OWNER),
                gatehouse_grants: strings(&["AllowDevLogAccessRole"]),
                cedar_grants: both.clone(),
            },
            Pair {
                name: "cross_account",
                iam: seed_iam(OTHER),
                cedar: seed_cedar(OTHER),
                gatehouse_grants: strings(&["ReadLogs", "AllowDevLogAccessRole"]),
                cedar_grants: both,
            },
        ],
    );
}

/// Group `identity_200`: 200 identity statements, statement 190 matches.
fn identity_200(c: &mut Criterion) {
    assert_eq!(IDENTITY_MATCH % 5, 0, "the match must be a read statement");
    bench_pairs(
        c,
        "identity_200",
        &[Pair {
            name: "match_190",
            iam: identity_iam(),
            cedar: identity_cedar(),
            gatehouse_grants: vec![format!("ReadBucket{IDENTITY_MATCH}")],
            cedar_grants: vec![format!("stmt-{IDENTITY_MATCH}")],
        }],
    );
}

/// Group `bucket_1000`: a 1,000-statement bucket policy, statement 990 matches.
fn bucket_1000(c: &mut Criterion) {
    assert_eq!(BUCKET_MATCH % 3, 0, "the match must be a role statement");
    bench_pairs(
        c,
        "bucket_1000",
        &[Pair {
            name: "match_990",
            iam: bucket_iam(),
            cedar: bucket_cedar(),
            gatehouse_grants: vec![format!("Role{BUCKET_MATCH}")],
            cedar_grants: vec![format!("stmt-{BUCKET_MATCH}")],
        }],
    );
}

/// Group `parse`: parsing the seed inline policy (JSON to compiled policy), for information.
fn parse_seed(c: &mut Criterion) {
    let json = seed_inline_policy().to_string();
    let (_, role_arn) = seed_arns(OWNER);
    let (scope, when) = seed_cedar_grant(&role_arn);
    let cedar = format!("permit({scope}) when {{ {when} }};");
    let mut g = c.benchmark_group("parse");
    g.bench_function("gatehouse/seed_inline", |b| {
        b.iter(|| black_box(Policy::parse(black_box(&json), PolicyKind::Inline)));
    });
    g.bench_function("cedar/seed_inline", |b| {
        b.iter(|| black_box(cedar_policy::PolicySet::from_str(black_box(&cedar)).ok()));
    });
    g.finish();
}

/// Runs every group with Criterion's command-line configuration (what `criterion_main!`
/// does, written out so the entry point carries documentation).
fn main() {
    let mut c = Criterion::default().configure_from_args();
    seed(&mut c);
    identity_200(&mut c);
    bucket_1000(&mut c);
    parse_seed(&mut c);
    c.final_summary();
}
