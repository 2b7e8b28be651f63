//! The benchmark problems, built once: each as a Gatehouse case and as the equivalent Cedar case.

use std::fmt::Write as _;
use std::str::FromStr;
use std::sync::Arc;

use cedar_policy::{Authorizer, Context, Entities, EntityUid};
use gatehouse_policy::{
    AccountId, Action, Policy, PolicyKind, PolicySet, Principal, Reason, Request, RequestContext,
    Resource, evaluate,
};
use serde_json::{Value, json};

/// The account that owns every bucket.
pub(crate) const OWNER: &str = "111111111111";
/// The caller's account in the cross-account seed variant.
pub(crate) const OTHER: &str = "222222222222";

// ---------------------------------------------------------------------------------------------
// Gatehouse side
// ---------------------------------------------------------------------------------------------

/// A Gatehouse problem: compiled policies and an owned request.
pub(crate) struct IamCase {
    pub(crate) identity: Vec<Arc<Policy>>,
    pub(crate) resource: Option<Policy>,
    pub(crate) principal: Principal,
    pub(crate) action: Action,
    pub(crate) resource_arn: Resource,
    pub(crate) resource_account: Option<AccountId>,
    pub(crate) context: RequestContext,
}

impl IamCase {
    /// Builds a role-session request for `action` on `resource` (owned by `resource_account`).
    pub(crate) fn role_session(
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
    pub(crate) fn policy_set(&self) -> PolicySet<'_> {
        PolicySet {
            identity: &self.identity,
            resource: self.resource.as_ref(),
            ..PolicySet::default()
        }
    }

    /// The request, borrowed for evaluation.
    pub(crate) fn request(&self) -> Request<'_> {
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
pub(crate) fn parse(document: &Value, kind: PolicyKind) -> Policy {
    let text = document.to_string();
    Policy::parse(&text, kind).unwrap_or_else(|e| panic!("{kind:?} policy rejected: {e:?}"))
}

/// Wraps statements in a `2012-10-17` document.
pub(crate) fn document(statements: &[Value]) -> Value {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

// ---------------------------------------------------------------------------------------------
// Cedar side
// ---------------------------------------------------------------------------------------------

/// A Cedar problem: policy set, entity store and request, all built up front.
pub(crate) struct CedarCase {
    pub(crate) authorizer: Authorizer,
    pub(crate) policies: cedar_policy::PolicySet,
    pub(crate) entities: Entities,
    pub(crate) request: cedar_policy::Request,
}

impl CedarCase {
    /// Builds the case from Cedar source text, entities in Cedar's JSON format, and a request.
    pub(crate) fn new(
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
    pub(crate) fn decide(&self) -> cedar_policy::Response {
        self.authorizer
            .is_authorized(&self.request, &self.policies, &self.entities)
    }
}

/// A Cedar entity UID literal, e.g. `Role::"arn:…"`.
pub(crate) fn cuid(ty: &str, id: &str) -> String {
    format!("{ty}::\"{id}\"")
}

/// An entity in Cedar's JSON format.
pub(crate) fn entity(ty: &str, id: &str, attrs: &Value, parents: &[(&str, &str)]) -> Value {
    let parents: Vec<Value> = parents
        .iter()
        .map(|(t, i)| json!({ "type": t, "id": i }))
        .collect();
    json!({ "uid": { "type": ty, "id": id }, "attrs": attrs, "parents": parents })
}

/// The action entity for `action` with the wildcard groups it belongs to as parents.
pub(crate) fn action_entity(action: &str, groups: &[&str]) -> Value {
    let parents: Vec<(&str, &str)> = groups.iter().map(|g| ("Action", *g)).collect();
    entity("Action", action, &json!({}), &parents)
}

/// A role session, its role and the role's account.
pub(crate) fn session_entities(session_arn: &str, role_arn: &str, account: &str) -> Vec<Value> {
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
pub(crate) fn object_entity(arn: &str, account: &str) -> Value {
    entity(
        "S3Object",
        arn,
        &json!({ "arn": arn, "account": account }),
        &[],
    )
}

/// A Cedar `ip("…")` value in the JSON context format.
pub(crate) fn cedar_ip(addr: &str) -> Value {
    json!({ "__extn": { "fn": "ip", "arg": addr } })
}

/// One benchmarked problem in both engines, with the statements expected to grant it.
pub(crate) struct Pair {
    /// The benchmark's name within its group.
    pub(crate) name: &'static str,
    /// The Gatehouse problem.
    pub(crate) iam: IamCase,
    /// The equivalent Cedar problem.
    pub(crate) cedar: CedarCase,
    /// The `Sid`s Gatehouse must name as granting (the grant, then the cross-account one).
    pub(crate) gatehouse_grants: Vec<String>,
    /// The `@id` annotations of the Cedar policies that must determine the Allow, sorted.
    pub(crate) cedar_grants: Vec<String>,
}

impl Pair {
    /// Asserts once, outside any timed loop, that both engines allow the request for the
    /// expected statements and that Cedar hit no evaluation error.
    pub(crate) fn assert_both_allow(&self, group: &str) {
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
pub(crate) fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

// ---------------------------------------------------------------------------------------------
// 1. The seed decision
// ---------------------------------------------------------------------------------------------

/// The seed bucket and its objects.
pub(crate) const LOG_BUCKET: &str = "arn:aws:s3:::log-bucket";
/// The object the seed request reads.
pub(crate) const LOG_OBJECT: &str = "arn:aws:s3:::log-bucket/example.log";
/// The actions the seed policies grant.
pub(crate) const LOG_ACTIONS: [&str; 2] = ["s3:ListBucket", "s3:GetObject"];

/// The role's inline policy of the seed.
pub(crate) fn seed_inline_policy() -> Value {
    document(&[json!({
        "Sid": "ReadLogs",
        "Effect": "Allow",
        "Action": LOG_ACTIONS,
        "Resource": [LOG_BUCKET, format!("{LOG_BUCKET}/*")],
    })])
}

/// The seed's ARNs for a caller in `caller_account`: (session ARN, role ARN).
pub(crate) fn seed_arns(caller_account: &str) -> (String, String) {
    (
        format!("arn:aws:sts::{caller_account}:assumed-role/DevLogAccessRole/LogAnalysisSession"),
        format!("arn:aws:iam::{caller_account}:role/DevLogAccessRole"),
    )
}

/// The seed in Gatehouse, for a caller in `caller_account` (the bucket is in [`OWNER`]).
pub(crate) fn seed_iam(caller_account: &str) -> IamCase {
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
pub(crate) fn seed_cedar_grant(role_arn: &str) -> (String, String) {
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
pub(crate) fn seed_cedar_policies(role_arn: &str, cross_account: bool) -> String {
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
pub(crate) fn seed_cedar(caller_account: &str) -> CedarCase {
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
pub(crate) const IDENTITY_STATEMENTS: usize = 200;
/// Statements per managed policy.
pub(crate) const PER_MANAGED_POLICY: usize = 10;
/// The one statement that matches the request.
pub(crate) const IDENTITY_MATCH: usize = 190;
/// The role carrying the identity policies.
pub(crate) const ANALYTICS_ROLE: &str = "arn:aws:iam::111111111111:role/AnalyticsRole";
/// Its session.
pub(crate) const ANALYTICS_SESSION: &str =
    "arn:aws:sts::111111111111:assumed-role/AnalyticsRole/etl-run";
/// The object the request reads (only statement 190's bucket).
pub(crate) const IDENTITY_OBJECT: &str = "arn:aws:s3:::bucket-190/reports/2024/q1.csv";
/// The team tag that statement 190 requires.
pub(crate) const IDENTITY_TEAM: &str = "team-190";
/// The caller's address (inside statement 190's `10.190.0.0/16`).
pub(crate) const IDENTITY_IP: &str = "10.190.3.4";

/// Statement `i` of the identity set, in one of five shapes (`i % 5`):
///
/// 0. `s3:Get*`/`s3:List*` on `bucket-i` and `bucket-i/*`, if `aws:PrincipalTag/team` is
///    `team-i` and `aws:SourceIp` is in `10.i.0.0/16` (statement 190 is the match);
/// 1. `ec2:Describe*` on `*` from `192.168.i.0/24` (action mismatch);
/// 2. `s3:*` on `arn:aws:s3:::*` if the team tag is `team-i` (fails only on its condition);
/// 3. `DynamoDB` reads of `table-i` if `aws:PrincipalTag/project` is like `proj-i-*`;
/// 4. `s3:Put*`/`s3:DeleteObject` on `bucket-i/uploads/*` over TLS.
pub(crate) fn identity_statement(i: usize) -> Value {
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
pub(crate) fn identity_statement_cedar(i: usize) -> String {
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
pub(crate) fn identity_iam() -> IamCase {
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
pub(crate) fn identity_cedar() -> CedarCase {
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
pub(crate) const BUCKET_STATEMENTS: usize = 1000;
/// The one statement that matches the request.
pub(crate) const BUCKET_MATCH: usize = 990;
/// The shared bucket.
pub(crate) const SHARED_BUCKET: &str = "arn:aws:s3:::shared-bucket";
/// The caller's address.
pub(crate) const BUCKET_IP: &str = "203.0.113.7";

/// A partner account id for statement `i`.
pub(crate) fn partner_account(i: usize) -> String {
    format!("3000000{i:05}")
}

/// Statement `i` of the bucket policy, in one of three shapes (`i % 3`):
///
/// 0. role `Role-i` may get and put under `prefix-i/` (statement 990 is the match);
/// 1. user `user-i` may get under `users/user-i/`;
/// 2. partner account `3000000iiiii` may get and list under `partners/partner-i/` from
///    `198.51.100.0/24`.
pub(crate) fn bucket_statement(i: usize) -> Value {
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
pub(crate) fn bucket_statement_cedar(i: usize) -> String {
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
pub(crate) fn bucket_request_arns() -> (String, String, String) {
    (
        format!("arn:aws:sts::{OWNER}:assumed-role/Role-{BUCKET_MATCH}/batch"),
        format!("arn:aws:iam::{OWNER}:role/Role-{BUCKET_MATCH}"),
        format!("{SHARED_BUCKET}/prefix-{BUCKET_MATCH}/data/part-0001.parquet"),
    )
}

/// The bucket problem in Gatehouse: same account, no identity policy, so the bucket
/// policy's grant to the role suffices.
pub(crate) fn bucket_iam() -> IamCase {
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
pub(crate) fn bucket_cedar() -> CedarCase {
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
