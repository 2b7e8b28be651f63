//! Reading a policy document: JSON → grammar checks per kind → compiled [`Policy`].
//!
//! Problems are first described as a [`Problem`]; [`Dialect::error`] is the one place that
//! turns a problem into the code and message of the service that owns the document kind.

use crate::condition::{Condition, Operator};
use crate::error::{PolicyError, PolicyErrorCode};
use crate::json::Json;
use crate::policy::{
    ActionClause, Effect, Policy, PolicyId, PolicyKind, PrincipalClause, ResourceClause, Statement,
    Version, size_without_whitespace,
};
use crate::principal::{InvalidPrincipal, PrincipalEntry, PrincipalSet};
use crate::resource::{ActionPattern, BadAction, ResourcePattern};

/// What is wrong with a document, before it is worded for a service.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    InvalidJson,
    NotAnObject,
    UnknownField(String),
    WrongType,
    BadVersion,
    VersionTooOld,
    MissingStatement,
    EmptyStatement,
    MissingEffect,
    BadEffect(String),
    BadSid,
    DuplicateSid,
    PrincipalNotAllowed,
    NotPrincipalNotAllowed,
    MissingPrincipal,
    InvalidPrincipal(InvalidPrincipal),
    ProhibitedField(&'static str),
    BothFields,
    MissingAction,
    ActionNoVendor,
    ActionTwoColons,
    ActionNotForService,
    MissingResource,
    BadResource(String),
    BadOperator(String),
    BadConditionKey,
    BadConditionValue,
    BadCharacters,
    RcpRule,
}

/// The service whose wording a document kind gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Iam,
    S3,
    Organizations,
}

impl Dialect {
    fn of(kind: PolicyKind) -> Self {
        match kind {
            PolicyKind::Bucket => Dialect::S3,
            PolicyKind::Scp | PolicyKind::Rcp => Dialect::Organizations,
            _ => Dialect::Iam,
        }
    }

    fn error(self, problem: Problem) -> PolicyError {
        use PolicyErrorCode as C;
        use Problem as P;
        const SYNTAX: &str = "Syntax errors in policy.";
        match self {
            Dialect::Organizations => PolicyError::new(
                C::MalformedPolicyDocumentException,
                "The provided policy document does not meet the requirements of the specified policy type.",
            ),
            Dialect::Iam => {
                let msg = match problem {
                    P::VersionTooOld => "Policy document must be version 2012-10-17 or greater.".to_owned(),
                    P::BadSid => "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*".to_owned(),
                    P::DuplicateSid => "Statement IDs (SID) in a single policy must be unique.".to_owned(),
                    P::PrincipalNotAllowed => "Policy document should not specify a principal.".to_owned(),
                    P::MissingPrincipal => "Missing required field Principal".to_owned(),
                    P::InvalidPrincipal(ip) => format!("Invalid principal in policy: \"{}\":\"{}\"", ip.key, ip.value),
                    P::ProhibitedField(f) => format!("Has prohibited field {f}"),
                    P::MissingAction => "Policy statement must contain actions.".to_owned(),
                    P::ActionNoVendor => "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.".to_owned(),
                    P::ActionTwoColons => "Actions/Condition can contain only one colon.".to_owned(),
                    P::MissingResource => "Policy statement must contain resources.".to_owned(),
                    P::BadResource(r) => format!("Resource {r} must be in ARN format or \"*\"."),
                    _ => SYNTAX.to_owned(),
                };
                PolicyError::new(C::MalformedPolicyDocument, msg)
            }
            Dialect::S3 => {
                let msg = match problem {
                    P::InvalidJson | P::WrongType | P::BadCharacters => {
                        "This policy contains invalid Json".to_owned()
                    }
                    P::NotAnObject => {
                        "Policies must be valid JSON and the first byte must be '{'".to_owned()
                    }
                    P::UnknownField(f) => format!("Unknown field {f}"),
                    P::BadVersion | P::VersionTooOld => {
                        "The policy must contain a valid version string".to_owned()
                    }
                    P::MissingStatement => "Missing required field Statement".to_owned(),
                    P::EmptyStatement => {
                        "Could not parse the policy: Statement is empty!".to_owned()
                    }
                    P::MissingEffect => "Missing required field Effect".to_owned(),
                    P::BadEffect(e) => format!("Invalid effect: {e}"),
                    P::MissingPrincipal => "Missing required field Principal".to_owned(),
                    P::InvalidPrincipal(_) | P::NotPrincipalNotAllowed | P::PrincipalNotAllowed => {
                        "Invalid principal in policy".to_owned()
                    }
                    P::MissingAction => "Missing required field Action".to_owned(),
                    P::MissingResource => "Statement is missing required element".to_owned(),
                    P::ActionNoVendor | P::ActionTwoColons | P::ActionNotForService => {
                        "Policy has invalid action".to_owned()
                    }
                    P::BadResource(_) => "Policy has invalid resource".to_owned(),
                    P::BadOperator(op) => format!("Invalid Condition type : {op}"),
                    P::BadConditionKey => "Policy has an invalid condition key".to_owned(),
                    _ => "This policy contains invalid Json".to_owned(),
                };
                PolicyError::new(C::MalformedPolicy, msg)
            }
        }
    }
}

/// A problem and the JSON path where it was found.
struct Located(Problem, String);

type Parsed<T> = Result<T, Located>;

fn at<T>(problem: Problem, path: impl Into<String>) -> Parsed<T> {
    Err(Located(problem, path.into()))
}

impl Policy {
    /// Parses and validates `text` as a `kind` document, with AWS's errors.
    pub fn parse(text: &str, kind: PolicyKind) -> Result<Self, PolicyError> {
        parse_policy(text, kind)
    }
}

/// Parses and validates `text` as a document of `kind`.
pub(crate) fn parse_policy(text: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
    check_size(text, kind)?;
    let dialect = Dialect::of(kind);
    parse_located(text, kind).map_err(|Located(problem, path)| {
        let err = dialect.error(problem);
        if path.is_empty() { err } else { err.at(path) }
    })
}

fn check_size(text: &str, kind: PolicyKind) -> Result<(), PolicyError> {
    use PolicyErrorCode as C;
    let err = match kind {
        PolicyKind::Managed | PolicyKind::Boundary if size_without_whitespace(text) > 6144 => {
            PolicyError::new(C::LimitExceeded, "Cannot exceed quota for PolicySize: 6144")
        }
        PolicyKind::Trust if size_without_whitespace(text) > 2048 => PolicyError::new(
            C::LimitExceeded,
            "Cannot exceed quota for ACLSizePerRole: 2048",
        ),
        PolicyKind::Inline if size_without_whitespace(text) > 10240 => PolicyError::new(
            C::LimitExceeded,
            "Maximum policy size of 10240 bytes exceeded",
        ),
        PolicyKind::Session if text.chars().count() > 2048 => PolicyError::new(
            C::ValidationError,
            format!(
                "1 validation error detected: Value '{text}' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048"
            ),
        ),
        PolicyKind::Scp | PolicyKind::Rcp if text.chars().count() > 5120 => PolicyError::new(
            C::ConstraintViolationException,
            "You have exceeded the maximum policy size.",
        ),
        PolicyKind::Bucket if size_without_whitespace(text) > 20480 => PolicyError::new(
            C::PolicyTooLarge,
            "Policy exceeds the maximum allowed document size.",
        ),
        _ => return Ok(()),
    };
    Err(err)
}

fn parse_located(text: &str, kind: PolicyKind) -> Parsed<Policy> {
    if let Some(bad) = text
        .chars()
        .position(|c| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
    {
        return at(
            Problem::BadCharacters,
            format!("character {bad}: only TAB, LF, CR and U+0020-U+00FF are allowed"),
        );
    }
    if !text.trim_start().starts_with('{') {
        return at(Problem::NotAnObject, "the document must be a JSON object");
    }
    let json = Json::parse(text).map_err(|e| {
        Located(
            Problem::InvalidJson,
            format!("line {} column {}: {e}", e.line(), e.column()),
        )
    })?;
    let Json::Object(members) = json else {
        return at(Problem::NotAnObject, "");
    };

    let mut version = Version::Absent;
    let mut id_element = None;
    let mut statement_json = None;
    for (name, value) in &members {
        match name.as_str() {
            "Version" => {
                version = match value {
                    Json::String(v) if v == "2012-10-17" => Version::V2012_10_17,
                    Json::String(v) if v == "2008-10-17" => Version::V2008_10_17,
                    _ => return at(Problem::BadVersion, "Version"),
                }
            }
            "Id" => match value {
                Json::String(v) => id_element = Some(v.as_str().into()),
                _ => return at(Problem::WrongType, "Id"),
            },
            "Statement" => statement_json = Some(value),
            other => return at(Problem::UnknownField(other.to_owned()), other),
        }
    }
    if version != Version::V2012_10_17
        && matches!(
            kind,
            PolicyKind::Managed | PolicyKind::Boundary | PolicyKind::Rcp | PolicyKind::AwsManaged
        )
    {
        return at(Problem::VersionTooOld, "Version");
    }
    let statement_items: Vec<(&Json, String)> = match statement_json {
        None => return at(Problem::MissingStatement, "Statement"),
        Some(Json::Array(items)) if items.is_empty() => {
            return at(Problem::EmptyStatement, "Statement");
        }
        Some(Json::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, s)| (s, format!("Statement[{i}]")))
            .collect(),
        Some(obj @ Json::Object(_)) => vec![(obj, "Statement".to_owned())],
        Some(_) => return at(Problem::WrongType, "Statement"),
    };
    let variables = version == Version::V2012_10_17;
    let mut statements = Vec::with_capacity(statement_items.len());
    for (index, (json, path)) in statement_items.into_iter().enumerate() {
        let statement = parse_statement(json, index, &path, kind, variables)?;
        if let Some(sid) = &statement.sid
            && !matches!(kind, PolicyKind::Bucket | PolicyKind::Resource)
            && statements
                .iter()
                .any(|s: &Statement| s.sid.as_ref() == Some(sid))
        {
            return at(Problem::DuplicateSid, format!("{path}.Sid"));
        }
        statements.push(statement);
    }
    Ok(Policy {
        kind,
        version,
        id_element,
        statements,
        id: PolicyId::default(),
    })
}

#[derive(Default)]
struct StatementFields<'a> {
    sid: Option<&'a Json>,
    effect: Option<&'a Json>,
    principal: Option<&'a Json>,
    not_principal: Option<&'a Json>,
    action: Option<&'a Json>,
    not_action: Option<&'a Json>,
    resource: Option<&'a Json>,
    not_resource: Option<&'a Json>,
    condition: Option<&'a Json>,
}

fn parse_statement(
    json: &Json,
    index: usize,
    path: &str,
    kind: PolicyKind,
    variables: bool,
) -> Parsed<Statement> {
    let Json::Object(members) = json else {
        return at(Problem::WrongType, path);
    };
    let mut f = StatementFields::default();
    for (name, value) in members {
        let slot = match name.as_str() {
            "Sid" => &mut f.sid,
            "Effect" => &mut f.effect,
            "Principal" => &mut f.principal,
            "NotPrincipal" => &mut f.not_principal,
            "Action" => &mut f.action,
            "NotAction" => &mut f.not_action,
            "Resource" => &mut f.resource,
            "NotResource" => &mut f.not_resource,
            "Condition" => &mut f.condition,
            other => {
                return at(
                    Problem::UnknownField(other.to_owned()),
                    format!("{path}.{other}"),
                );
            }
        };
        *slot = Some(value);
    }

    let sid = match f.sid {
        None => None,
        Some(Json::String(s)) => {
            let lenient = matches!(kind, PolicyKind::Bucket | PolicyKind::Resource);
            if !lenient && !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return at(Problem::BadSid, format!("{path}.Sid"));
            }
            Some(s.as_str().into())
        }
        Some(_) => return at(Problem::WrongType, format!("{path}.Sid")),
    };

    let effect = match f.effect {
        None => return at(Problem::MissingEffect, format!("{path}.Effect")),
        Some(Json::String(e)) if e == "Allow" => Effect::Allow,
        Some(Json::String(e)) if e == "Deny" => Effect::Deny,
        Some(Json::String(e)) => {
            return at(Problem::BadEffect(e.clone()), format!("{path}.Effect"));
        }
        Some(_) => return at(Problem::WrongType, format!("{path}.Effect")),
    };

    let principal = parse_principal_clause(&f, path, kind, effect)?;
    let action = parse_action_clause(&f, path, kind)?;
    let resource = parse_resource_clause(&f, path, kind, variables)?;
    let conditions = match f.condition {
        None => Vec::new(),
        Some(c) => parse_conditions(c, &format!("{path}.Condition"), variables)?,
    };
    Ok(Statement {
        sid,
        index,
        effect,
        principal,
        action,
        resource,
        conditions,
    })
}

fn parse_principal_clause(
    f: &StatementFields<'_>,
    path: &str,
    kind: PolicyKind,
    effect: Effect,
) -> Parsed<Option<PrincipalClause>> {
    let principal_path = format!("{path}.Principal");
    match (f.principal, f.not_principal) {
        (Some(_), Some(_)) => at(Problem::BothFields, principal_path),
        (None, None) if kind.is_resource_based() => at(Problem::MissingPrincipal, principal_path),
        (None, None) => Ok(None),
        (Some(_), None) | (None, Some(_)) if !kind.is_resource_based() => {
            at(Problem::PrincipalNotAllowed, principal_path)
        }
        (Some(p), None) => {
            let set = parse_principal_set(p, &principal_path, kind)?;
            if kind == PolicyKind::Rcp && set != PrincipalSet::Everyone {
                return at(Problem::RcpRule, principal_path);
            }
            Ok(Some(PrincipalClause::Principal(set)))
        }
        (None, Some(np)) => {
            let np_path = format!("{path}.NotPrincipal");
            if !matches!(kind, PolicyKind::Bucket | PolicyKind::Resource) || effect != Effect::Deny
            {
                return at(Problem::NotPrincipalNotAllowed, np_path);
            }
            Ok(Some(PrincipalClause::NotPrincipal(parse_principal_set(
                np, &np_path, kind,
            )?)))
        }
    }
}

fn parse_principal_set(json: &Json, path: &str, kind: PolicyKind) -> Parsed<PrincipalSet> {
    let members = match json {
        Json::String(s) if s == "*" => return Ok(PrincipalSet::Everyone),
        Json::Object(members) if !members.is_empty() => members,
        Json::String(s) => {
            return at(
                Problem::InvalidPrincipal(InvalidPrincipal {
                    key: "AWS".into(),
                    value: s.clone(),
                }),
                path,
            );
        }
        _ => return at(Problem::WrongType, path),
    };
    let mut entries = Vec::new();
    for (key, value) in members {
        let entry_path = format!("{path}.{key}");
        for v in string_list(value, &entry_path)? {
            let entry = match key.as_str() {
                "AWS" => PrincipalEntry::parse_aws(v),
                "Service" => PrincipalEntry::parse_service(v),
                "Federated" if !v.is_empty() && kind == PolicyKind::Trust => {
                    Ok(PrincipalEntry::Federated(v.into()))
                }
                "CanonicalUser"
                    if kind == PolicyKind::Bucket
                        && v.len() == 64
                        && v.bytes().all(|b| b.is_ascii_hexdigit()) =>
                {
                    Ok(PrincipalEntry::CanonicalUser(v.into()))
                }
                _ => Err(InvalidPrincipal {
                    key: key.clone(),
                    value: v.to_owned(),
                }),
            };
            match entry {
                Ok(e) => entries.push(e),
                Err(ip) => return at(Problem::InvalidPrincipal(ip), entry_path),
            }
        }
    }
    Ok(PrincipalSet::Entries(entries))
}

fn parse_action_clause(
    f: &StatementFields<'_>,
    path: &str,
    kind: PolicyKind,
) -> Parsed<ActionClause> {
    let (json, not, name) = match (f.action, f.not_action) {
        (Some(_), Some(_)) => return at(Problem::BothFields, format!("{path}.Action")),
        (None, None) => return at(Problem::MissingAction, format!("{path}.Action")),
        (Some(a), None) => (a, false, "Action"),
        (None, Some(a)) => (a, true, "NotAction"),
    };
    let field_path = format!("{path}.{name}");
    if not && kind == PolicyKind::Rcp {
        return at(Problem::RcpRule, field_path);
    }
    let values = string_list(json, &field_path)?;
    if values.is_empty() {
        return at(Problem::MissingAction, field_path);
    }
    let mut patterns = Vec::with_capacity(values.len());
    for v in values {
        let p = match ActionPattern::parse(v) {
            Ok(p) => p,
            Err(BadAction::NoVendor) => {
                return at(Problem::ActionNoVendor, format!("{field_path}: {v}"));
            }
            Err(BadAction::TwoColons) => {
                return at(Problem::ActionTwoColons, format!("{field_path}: {v}"));
            }
        };
        if kind == PolicyKind::Bucket && p.service().is_some_and(|s| s != "s3") {
            return at(Problem::ActionNotForService, format!("{field_path}: {v}"));
        }
        patterns.push(p);
    }
    Ok(if not {
        ActionClause::NotAction(patterns)
    } else {
        ActionClause::Action(patterns)
    })
}

fn parse_resource_clause(
    f: &StatementFields<'_>,
    path: &str,
    kind: PolicyKind,
    variables: bool,
) -> Parsed<Option<ResourceClause>> {
    if kind == PolicyKind::Trust {
        if f.resource.is_some() {
            return at(
                Problem::ProhibitedField("Resource"),
                format!("{path}.Resource"),
            );
        }
        if f.not_resource.is_some() {
            return at(
                Problem::ProhibitedField("NotResource"),
                format!("{path}.NotResource"),
            );
        }
        return Ok(None);
    }
    let (json, not, name) = match (f.resource, f.not_resource) {
        (Some(_), Some(_)) => return at(Problem::BothFields, format!("{path}.Resource")),
        (None, None) => return at(Problem::MissingResource, format!("{path}.Resource")),
        (Some(r), None) => (r, false, "Resource"),
        (None, Some(r)) => (r, true, "NotResource"),
    };
    let field_path = format!("{path}.{name}");
    let values = string_list(json, &field_path)?;
    if values.is_empty() {
        return at(Problem::MissingResource, field_path);
    }
    let mut patterns = Vec::with_capacity(values.len());
    for v in values {
        let bad = || {
            Located(
                Problem::BadResource(v.to_owned()),
                format!("{field_path}: {v}"),
            )
        };
        let p = ResourcePattern::parse(v, variables).map_err(|_| bad())?;
        if kind == PolicyKind::Bucket
            && !(v.starts_with("arn:") && v.split(':').nth(2) == Some("s3"))
        {
            return Err(bad());
        }
        patterns.push(p);
    }
    Ok(Some(if not {
        ResourceClause::NotResource(patterns)
    } else {
        ResourceClause::Resource(patterns)
    }))
}

fn parse_conditions(json: &Json, path: &str, variables: bool) -> Parsed<Vec<Condition>> {
    let Json::Object(operators) = json else {
        return at(Problem::WrongType, path);
    };
    let mut out = Vec::new();
    for (op_name, block) in operators {
        let op_path = format!("{path}.{op_name}");
        let Some(operator) = Operator::parse(op_name) else {
            return at(Problem::BadOperator(op_name.clone()), op_path);
        };
        let Json::Object(keys) = block else {
            return at(Problem::WrongType, op_path);
        };
        for (key, values) in keys {
            let key_path = format!("{op_path}.{key}");
            if !valid_condition_key(key) {
                return at(Problem::BadConditionKey, key_path);
            }
            let raw = scalar_list(values, &key_path)?;
            let cond =
                Condition::compile(op_name, operator, key, &raw, variables).map_err(|bad| {
                    Located(Problem::BadConditionValue, format!("{key_path}: {}", bad.0))
                })?;
            out.push(cond);
        }
    }
    Ok(out)
}

fn valid_condition_key(key: &str) -> bool {
    match key.split_once(':') {
        Some((vendor, name)) => {
            !vendor.is_empty()
                && !name.is_empty()
                && vendor
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }
        None => false,
    }
}

/// A string or an array of strings.
fn string_list<'a>(json: &'a Json, path: &str) -> Parsed<Vec<&'a str>> {
    match json {
        Json::String(s) => Ok(vec![s.as_str()]),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Json::String(s) => Ok(s.as_str()),
                other => at(
                    Problem::WrongType,
                    format!("{path}[{i}] is a {}", other.type_name()),
                ),
            })
            .collect(),
        other => at(
            Problem::WrongType,
            format!("{path} is a {}", other.type_name()),
        ),
    }
}

/// A scalar or an array of scalars, as text (conditions admit strings, numbers and booleans).
fn scalar_list(json: &Json, path: &str) -> Parsed<Vec<String>> {
    let one = |j: &Json, p: String| match j {
        Json::String(s) => Ok(s.clone()),
        Json::Number(n) => Ok(n.to_string()),
        Json::Bool(b) => Ok(b.to_string()),
        other => at(
            Problem::WrongType,
            format!("{p} is a {}", other.type_name()),
        ),
    };
    match json {
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, j)| one(j, format!("{path}[{i}]")))
            .collect(),
        other => Ok(vec![one(other, path.to_owned())?]),
    }
}
