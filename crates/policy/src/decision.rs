//! The outcome of an evaluation, the reason carried with it, and AWS's `AccessDenied` text.

use std::fmt;

use crate::policy::{Policy, Statement};
use crate::request::{Request, Resource};

/// The three outcomes of IAM evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The request is allowed.
    Allow,
    /// A `Deny` statement applies.
    ExplicitDeny,
    /// Nothing allows the request.
    ImplicitDeny,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Allow => "Allow",
            Outcome::ExplicitDeny => "ExplicitDeny",
            Outcome::ImplicitDeny => "ImplicitDeny",
        })
    }
}

/// The layer of the policy stack a policy belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyType {
    /// An Organizations service control policy on the caller's account.
    ServiceControl,
    /// An Organizations resource control policy on the resource's account.
    ResourceControl,
    /// A resource-based policy such as a bucket policy.
    ResourceBased,
    /// The trust policy of the role being assumed.
    RoleTrust,
    /// A policy attached to the caller's user, group or role.
    IdentityBased,
    /// The permissions boundary of the caller's user or role.
    PermissionsBoundary,
    /// A session policy passed when the caller's session was created.
    Session,
}

impl PolicyType {
    /// The noun AWS uses: "no `<noun>` allows the X action".
    pub fn noun(self) -> &'static str {
        match self {
            PolicyType::ServiceControl => "service control policy",
            PolicyType::ResourceControl => "resource control policy",
            PolicyType::ResourceBased => "resource-based policy",
            PolicyType::RoleTrust => "role trust policy",
            PolicyType::IdentityBased => "identity-based policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::Session => "session policy",
        }
    }

    /// The noun with its article: "with an explicit deny in `<phrase>`".
    pub fn with_article(self) -> &'static str {
        match self {
            PolicyType::ServiceControl => "a service control policy",
            PolicyType::ResourceControl => "a resource control policy",
            PolicyType::ResourceBased => "a resource-based policy",
            PolicyType::RoleTrust => "the role trust policy",
            PolicyType::IdentityBased => "an identity-based policy",
            PolicyType::PermissionsBoundary => "a permissions boundary",
            PolicyType::Session => "a session policy",
        }
    }

    /// Whether AWS appends the policy ARN to an explicit-deny message of this type.
    fn names_policy_arn(self) -> bool {
        !matches!(self, PolicyType::ResourceBased | PolicyType::RoleTrust)
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

/// A statement that decided, with the policy it is in.
#[derive(Debug, Clone, Copy)]
pub struct StatementRef<'a> {
    /// The layer the policy belongs to.
    pub policy_type: PolicyType,
    /// The policy.
    pub policy: &'a Policy,
    /// The statement.
    pub statement: &'a Statement,
}

impl fmt::Display for StatementRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self
            .policy
            .id
            .arn
            .as_deref()
            .or(self.policy.id.name.as_deref())
            .unwrap_or("(unnamed)");
        write!(
            f,
            "{} {} statement {}",
            self.policy_type,
            name,
            self.statement.label()
        )
    }
}

/// Why a request was allowed without any statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entitlement {
    /// `sts:GetCallerIdentity` needs no permission.
    CallerIdentity,
    /// The root user has full access in its own account.
    RootUser,
    /// The bucket owner's root user can always manage the bucket policy.
    BucketOwnerRoot,
}

/// Why the decision came out as it did.
#[derive(Debug, Clone, Copy)]
pub enum Reason<'a> {
    /// Allow statements granted: the one on the grant path and, cross-account, the
    /// resource-side one too.
    Allowed {
        /// The statement that granted.
        by: StatementRef<'a>,
        /// The second grant a cross-account request needs.
        also: Option<StatementRef<'a>>,
    },
    /// Allowed by a rule of AWS rather than a statement.
    Entitled(Entitlement),
    /// This Deny statement applies.
    Denied(StatementRef<'a>),
    /// No statement of this layer allows the request.
    NotAllowed(PolicyType),
}

/// The answer to a request, with its reason.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    /// Allow, explicit deny or implicit deny.
    pub outcome: Outcome,
    /// Why.
    pub reason: Reason<'a>,
}

/// How a service words `AccessDenied` messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStyle {
    /// IAM, STS and most services: the resource ARN unquoted.
    Standard,
    /// S3: the resource ARN in double quotes.
    S3,
}

impl Decision<'_> {
    /// True when the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allow
    }

    /// The layer that decided a denial, if any.
    pub fn denying_policy_type(&self) -> Option<PolicyType> {
        match self.reason {
            Reason::Denied(s) => Some(s.policy_type),
            Reason::NotAllowed(t) => Some(t),
            _ => None,
        }
    }

    /// AWS's `AccessDenied` message for a denied request; `None` when allowed.
    pub fn denial_message(&self, request: &Request<'_>, style: MessageStyle) -> Option<String> {
        let action = request.action.as_str();
        let caller = request.principal.arn_string();
        let resource = match (request.resource, style) {
            (Resource::Any, _) => String::new(),
            (Resource::Arn(arn), MessageStyle::S3) => format!(" on resource: \"{arn}\""),
            (Resource::Arn(arn), MessageStyle::Standard) => format!(" on resource: {arn}"),
        };
        let reason = match self.reason {
            Reason::Allowed { .. } | Reason::Entitled(_) => return None,
            Reason::NotAllowed(t) => format!("because no {} allows the {action} action", t.noun()),
            Reason::Denied(s) => match (&s.policy.id.arn, s.policy_type.names_policy_arn()) {
                (Some(arn), true) => format!(
                    "with an explicit deny in {}: {arn}",
                    s.policy_type.with_article()
                ),
                _ => format!("with an explicit deny in {}", s.policy_type.with_article()),
            },
        };
        Some(format!(
            "User: {caller} is not authorized to perform: {action}{resource} {reason}"
        ))
    }
}

impl fmt::Display for Decision<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Reason::Allowed { by, also: None } => write!(f, "{} by {by}", self.outcome),
            Reason::Allowed {
                by,
                also: Some(also),
            } => write!(f, "{} by {by} and {also}", self.outcome),
            Reason::Entitled(Entitlement::CallerIdentity) => {
                write!(
                    f,
                    "{}: sts:GetCallerIdentity needs no permission",
                    self.outcome
                )
            }
            Reason::Entitled(Entitlement::RootUser) => {
                write!(
                    f,
                    "{}: the root user has full access in its own account",
                    self.outcome
                )
            }
            Reason::Entitled(Entitlement::BucketOwnerRoot) => {
                write!(
                    f,
                    "{}: the bucket owner's root user can always manage the bucket policy",
                    self.outcome
                )
            }
            Reason::Denied(s) => write!(f, "{} by {s}", self.outcome),
            Reason::NotAllowed(t) => write!(f, "{}: no {t} allows the request", self.outcome),
        }
    }
}
