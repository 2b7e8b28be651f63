//! A parsed and compiled policy document.

use std::fmt;
use std::str::FromStr;

use crate::condition::Condition;
use crate::principal::PrincipalSet;
use crate::resource::{ActionPattern, ResourcePattern};

/// The kind of document, which decides what the grammar admits and which quota applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// An inline identity policy of a user, group or role (aggregate quota checked by the
    /// caller per entity).
    Inline,
    /// A customer-managed identity policy (Version 2012-10-17, 6,144 characters).
    Managed,
    /// A permissions boundary (a managed policy).
    Boundary,
    /// An STS session policy (`Policy` parameter, 2,048 characters raw).
    Session,
    /// A role trust policy.
    Trust,
    /// An S3 bucket policy.
    Bucket,
    /// An Organizations service control policy.
    Scp,
    /// An Organizations resource control policy.
    Rcp,
    /// A resource-based policy of another service (SQS queue, SNS topic, KMS key…), checked
    /// with IAM's generic grammar.
    Resource,
    /// An AWS-managed policy: the managed-policy grammar, exempt from customer quotas (AWS's
    /// own policies, such as `ReadOnlyAccess`, are far larger than 6,144 characters).
    AwsManaged,
}

impl PolicyKind {
    /// Every kind, in a stable order.
    pub const ALL: [PolicyKind; 10] = [
        PolicyKind::Inline,
        PolicyKind::Managed,
        PolicyKind::Boundary,
        PolicyKind::Session,
        PolicyKind::Trust,
        PolicyKind::Bucket,
        PolicyKind::Scp,
        PolicyKind::Rcp,
        PolicyKind::Resource,
        PolicyKind::AwsManaged,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::Inline => "identity",
            PolicyKind::Managed => "managed",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Session => "session",
            PolicyKind::Trust => "trust",
            PolicyKind::Bucket => "bucket",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
            PolicyKind::Resource => "resource",
            PolicyKind::AwsManaged => "aws-managed",
        }
    }

    /// True for the resource-based kinds, whose statements name a principal.
    pub fn is_resource_based(self) -> bool {
        matches!(
            self,
            PolicyKind::Trust | PolicyKind::Bucket | PolicyKind::Rcp | PolicyKind::Resource
        )
    }
}

impl FromStr for PolicyKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "identity" | "inline" => Ok(PolicyKind::Inline),
            "managed" => Ok(PolicyKind::Managed),
            "boundary" => Ok(PolicyKind::Boundary),
            "session" => Ok(PolicyKind::Session),
            "trust" => Ok(PolicyKind::Trust),
            "bucket" => Ok(PolicyKind::Bucket),
            "scp" => Ok(PolicyKind::Scp),
            "rcp" => Ok(PolicyKind::Rcp),
            "resource" => Ok(PolicyKind::Resource),
            "aws-managed" => Ok(PolicyKind::AwsManaged),
            other => Err(format!(
                "unknown policy kind {other:?} (expected identity, managed, boundary, session, trust, bucket, scp, rcp or resource)"
            )),
        }
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: policy variables are active.
    V2012_10_17,
    /// `2008-10-17`: `${…}` is literal text.
    V2008_10_17,
    /// No `Version` element: as 2008-10-17.
    Absent,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The statement grants.
    Allow,
    /// The statement denies, overriding any grant.
    Deny,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalClause {
    /// The statement applies to these principals.
    Principal(PrincipalSet),
    /// The statement applies to every principal except these.
    NotPrincipal(PrincipalSet),
}

/// `Action` or `NotAction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionClause {
    /// The statement applies to these actions.
    Action(Vec<ActionPattern>),
    /// The statement applies to every action except these.
    NotAction(Vec<ActionPattern>),
}

/// `Resource` or `NotResource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceClause {
    /// The statement applies to these resources.
    Resource(Vec<ResourcePattern>),
    /// The statement applies to every resource except these.
    NotResource(Vec<ResourcePattern>),
}

/// One compiled statement.
#[derive(Debug, Clone)]
pub struct Statement {
    /// The `Sid`, if any.
    pub sid: Option<Box<str>>,
    /// The position in the `Statement` array (0 for a lone statement object).
    pub index: usize,
    /// Allow or Deny.
    pub effect: Effect,
    /// The principal clause (resource-based policies only).
    pub principal: Option<PrincipalClause>,
    /// The action clause.
    pub action: ActionClause,
    /// The resource clause; absent in trust policies, where the role is the resource.
    pub resource: Option<ResourceClause>,
    /// Every test of the `Condition` block; all must hold.
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// `Sid` when present, otherwise `#<index>`; how explanations name the statement.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) if !sid.is_empty() => sid.to_string(),
            _ => format!("#{}", self.index),
        }
    }
}

/// How a policy is named in explanations and `AccessDenied` messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyId {
    /// A readable name (inline policy name, file name, …).
    pub name: Option<Box<str>>,
    /// The policy ARN for managed policies, SCPs and RCPs; AWS prints it in explicit-deny
    /// messages.
    pub arn: Option<Box<str>>,
}

/// A validated, compiled policy document, ready for evaluation.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The document kind it was validated as.
    pub kind: PolicyKind,
    /// The version.
    pub version: Version,
    /// The `Id` element.
    pub id_element: Option<Box<str>>,
    /// The statements in document order.
    pub statements: Vec<Statement>,
    /// How explanations name it.
    pub id: PolicyId,
}

impl Policy {
    /// The same policy with a name for explanations.
    #[must_use]
    pub fn named(mut self, name: impl Into<Box<str>>) -> Self {
        self.id.name = Some(name.into());
        self
    }

    /// The same policy with an ARN for explanations and messages.
    #[must_use]
    pub fn with_arn(mut self, arn: impl Into<Box<str>>) -> Self {
        self.id.arn = Some(arn.into());
        self
    }
}

/// The number of characters IAM counts for a quota: every character but whitespace.
pub fn size_without_whitespace(text: &str) -> usize {
    text.chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\n' | '\r'))
        .count()
}
