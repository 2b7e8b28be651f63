//! The `Principal`/`NotPrincipal` element and how it matches the principal of a request.

use crate::arn::{AccountId, Arn};
use crate::request::Principal;

/// One entry of a `Principal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalEntry {
    /// `{"AWS": "*"}`: every AWS principal, anonymous callers included.
    AnyAws,
    /// A whole account: `"123456789012"` or `arn:aws:iam::123456789012:root`.
    Account(AccountId),
    /// An exact principal ARN: IAM user or role, assumed-role session, federated user.
    Arn(Box<str>),
    /// A principal unique id (`AIDA…`, `AROA…`), as IAM stores trust policies.
    UniqueId(Box<str>),
    /// A service principal such as `ec2.amazonaws.com`.
    Service(Box<str>),
    /// A SAML/OIDC provider or web identity provider.
    Federated(Box<str>),
    /// An S3 canonical user id.
    CanonicalUser(Box<str>),
}

/// The value of a `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalSet {
    /// `"*"`: everyone, anonymous callers included.
    Everyone,
    /// Specific entries, OR-ed.
    Entries(Vec<PrincipalEntry>),
}

/// How a resource-policy `Principal` matched the caller; the kind decides what else must
/// allow (see the same-account table of the semantics spec, §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// The account was named: this only delegates to the account's IAM policies.
    Account,
    /// The role behind a session, or the IAM user behind a federated session, was named:
    /// limited by the boundary and session policies.
    RoleOrUser,
    /// The caller itself (user, session or federated-user ARN) or everyone (`*`) was named.
    Direct,
}

/// Why a principal entry is invalid: the AWS element key and the offending value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPrincipal {
    /// `AWS`, `Service`, `Federated` or `CanonicalUser`.
    pub key: String,
    /// The value as written.
    pub value: String,
}

impl PrincipalEntry {
    /// Parses one value of the `AWS` key.
    pub fn parse_aws(value: &str) -> Result<Self, InvalidPrincipal> {
        let bad = || InvalidPrincipal {
            key: "AWS".into(),
            value: value.into(),
        };
        if value == "*" {
            return Ok(PrincipalEntry::AnyAws);
        }
        if value.contains(['*', '?']) {
            return Err(bad());
        }
        if let Some(account) = AccountId::parse(value) {
            return Ok(PrincipalEntry::Account(account));
        }
        if let Ok(arn) = Arn::parse(value) {
            let account = arn.account_id().ok_or_else(bad)?;
            let resource = arn.resource();
            return match arn.service() {
                "iam" if resource == "root" => Ok(PrincipalEntry::Account(account)),
                "iam" if is_named(resource, "user/") || is_named(resource, "role/") => {
                    Ok(PrincipalEntry::Arn(value.into()))
                }
                "sts" if is_session(resource) || is_named(resource, "federated-user/") => {
                    Ok(PrincipalEntry::Arn(value.into()))
                }
                _ => Err(bad()),
            };
        }
        let unique = value.len() >= 16
            && value.len() <= 128
            && value.starts_with('A')
            && value
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if unique {
            Ok(PrincipalEntry::UniqueId(value.into()))
        } else {
            Err(bad())
        }
    }

    /// Parses one value of the `Service` key.
    pub fn parse_service(value: &str) -> Result<Self, InvalidPrincipal> {
        if value.is_empty() || value.contains(['*', '?']) || !value.contains('.') {
            return Err(InvalidPrincipal {
                key: "Service".into(),
                value: value.into(),
            });
        }
        Ok(PrincipalEntry::Service(value.into()))
    }

    /// How this entry matches `p`, if at all.
    fn match_kind(&self, p: &Principal) -> Option<PrincipalMatch> {
        match (self, p) {
            (PrincipalEntry::AnyAws, Principal::Service { .. }) => None,
            (PrincipalEntry::AnyAws, _) => Some(PrincipalMatch::Direct),
            (PrincipalEntry::Account(a), p) => {
                (p.account() == Some(*a)).then_some(PrincipalMatch::Account)
            }
            (PrincipalEntry::Arn(e), Principal::User { arn, .. }) => {
                (**e == *arn.as_str()).then_some(PrincipalMatch::Direct)
            }
            (
                PrincipalEntry::Arn(e),
                Principal::RoleSession {
                    session_arn,
                    role_arn,
                    ..
                },
            ) => {
                if **e == *session_arn.as_str() {
                    Some(PrincipalMatch::Direct)
                } else if **e == *role_arn.as_str() {
                    Some(PrincipalMatch::RoleOrUser)
                } else {
                    None
                }
            }
            (PrincipalEntry::Arn(e), Principal::FederatedUser { arn, user_arn }) => {
                if **e == *arn.as_str() {
                    Some(PrincipalMatch::Direct)
                } else if user_arn.as_ref().is_some_and(|u| **e == *u.as_str()) {
                    Some(PrincipalMatch::RoleOrUser)
                } else {
                    None
                }
            }
            (
                PrincipalEntry::UniqueId(id),
                Principal::User {
                    unique_id: Some(u), ..
                },
            ) => (id == u).then_some(PrincipalMatch::Direct),
            (
                PrincipalEntry::UniqueId(id),
                Principal::RoleSession {
                    role_unique_id: Some(u),
                    ..
                },
            ) => (id == u).then_some(PrincipalMatch::RoleOrUser),
            (PrincipalEntry::Service(s), Principal::Service { name }) => {
                (s == name).then_some(PrincipalMatch::Direct)
            }
            _ => None,
        }
    }
}

fn is_named(resource: &str, prefix: &str) -> bool {
    resource
        .strip_prefix(prefix)
        .is_some_and(|rest| !rest.is_empty() && !rest.ends_with('/'))
}

fn is_session(resource: &str) -> bool {
    resource
        .strip_prefix("assumed-role/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(role, session)| !role.is_empty() && !session.is_empty())
}

impl PrincipalSet {
    /// The strongest way any entry matches `p`.
    pub fn match_kind(&self, p: &Principal) -> Option<PrincipalMatch> {
        match self {
            PrincipalSet::Everyone => Some(PrincipalMatch::Direct),
            PrincipalSet::Entries(entries) => entries.iter().filter_map(|e| e.match_kind(p)).max(),
        }
    }

    /// For `NotPrincipal`: true when `p` is exempt, which needs every identity AWS evaluates
    /// for it (the account, then the role, then the session or user) to be listed.
    pub fn exempts(&self, p: &Principal) -> bool {
        let entries = match self {
            PrincipalSet::Everyone => return true,
            PrincipalSet::Entries(entries) => entries,
        };
        let has = |want: PrincipalMatch| entries.iter().any(|e| e.match_kind(p) == Some(want));
        if entries.iter().any(|e| matches!(e, PrincipalEntry::AnyAws))
            && !matches!(p, Principal::Service { .. })
        {
            return true;
        }
        match p {
            Principal::Anonymous => false,
            Principal::Service { .. } => has(PrincipalMatch::Direct),
            Principal::Root { .. } => has(PrincipalMatch::Account),
            Principal::User { .. } => has(PrincipalMatch::Account) && has(PrincipalMatch::Direct),
            Principal::RoleSession { .. } | Principal::FederatedUser { .. } => {
                has(PrincipalMatch::Account)
                    && has(PrincipalMatch::RoleOrUser)
                    && has(PrincipalMatch::Direct)
            }
        }
    }
}
