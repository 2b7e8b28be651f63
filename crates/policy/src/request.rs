//! What is being asked: the principal, the action, the resource and the context.

use std::fmt;

use crate::arn::{AccountId, Arn, InvalidArn};
use crate::context::RequestContext;

/// An action such as `s3:GetObject`. Matching is case-insensitive; the original spelling is
/// kept for messages.
#[derive(Clone, PartialEq, Eq)]
pub struct Action {
    text: Box<str>,
    lower: Box<str>,
    colon: usize,
}

impl Action {
    /// Parses `service:Name`.
    pub fn parse(text: &str) -> Option<Self> {
        let colon = text.find(':')?;
        if colon == 0 || colon + 1 == text.len() {
            return None;
        }
        Some(Self {
            text: text.into(),
            lower: text.to_ascii_lowercase().into(),
            colon,
        })
    }

    /// The action as written, e.g. `s3:GetObject`.
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// The lower-cased service prefix, e.g. `s3`.
    pub fn service_lower(&self) -> &str {
        &self.lower[..self.colon]
    }
    /// The lower-cased action name, e.g. `getobject`.
    pub fn name_lower(&self) -> &str {
        &self.lower[self.colon + 1..]
    }
    /// The whole action lower-cased.
    pub fn lower(&self) -> &str {
        &self.lower
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Action({})", self.text)
    }
}

/// The resource a request acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// Actions with no resource type (`s3:ListAllMyBuckets`, `iam:ListRoles`): they act on
    /// all of their service's resources, so a `Resource` entry covers them when it is `*` or
    /// when it matches the service-wide ARN ([`Request::service_wide_arn`]).
    Any,
    /// A specific resource.
    Arn(Arn),
}

impl Resource {
    /// Parses `*` or an ARN.
    pub fn parse(text: &str) -> Result<Self, InvalidArn> {
        if text == "*" {
            Ok(Resource::Any)
        } else {
            Arn::parse(text).map(Resource::Arn)
        }
    }

    /// The resource as text.
    pub fn as_str(&self) -> &str {
        match self {
            Resource::Any => "*",
            Resource::Arn(a) => a.as_str(),
        }
    }
}

/// Who makes a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An account's root user.
    Root {
        /// The account.
        account: AccountId,
    },
    /// An IAM user.
    User {
        /// `arn:aws:iam::A:user/<path><name>`.
        arn: Arn,
        /// The user's unique id (`AIDA…`), when known.
        unique_id: Option<Box<str>>,
    },
    /// A role session from `AssumeRole*`.
    RoleSession {
        /// `arn:aws:sts::A:assumed-role/<role>/<session>`.
        session_arn: Arn,
        /// The role's own ARN (with its path), `arn:aws:iam::A:role/<path><role>`.
        role_arn: Arn,
        /// The role's unique id (`AROA…`), when known.
        role_unique_id: Option<Box<str>>,
    },
    /// A `GetFederationToken` session.
    FederatedUser {
        /// `arn:aws:sts::A:federated-user/<name>`.
        arn: Arn,
        /// The IAM user who federated, when known.
        user_arn: Option<Arn>,
    },
    /// An AWS service principal such as `sns.amazonaws.com`.
    Service {
        /// The service principal name.
        name: Box<str>,
    },
    /// An unauthenticated caller.
    Anonymous,
}

impl Principal {
    /// Reads the principal notation of the test vectors: an ARN, `anonymous`, or a service
    /// principal name. A role session's role ARN is `role_arn` when given (it carries the
    /// role's path), otherwise derived from the session ARN.
    pub fn parse(
        text: &str,
        role_arn: Option<&str>,
        federating_user: Option<&str>,
    ) -> Result<Self, InvalidArn> {
        let err = || InvalidArn(text.to_owned());
        if text == "anonymous" {
            return Ok(Principal::Anonymous);
        }
        if !text.starts_with("arn:") {
            return Ok(Principal::Service { name: text.into() });
        }
        let arn = Arn::parse(text)?;
        let account = arn.account_id().ok_or_else(err)?;
        let resource = arn.resource();
        match (arn.service(), resource) {
            ("iam", "root") => Ok(Principal::Root { account }),
            ("iam", r) if r.starts_with("user/") => Ok(Principal::User {
                arn,
                unique_id: None,
            }),
            ("sts", r) if r.starts_with("assumed-role/") => {
                let role_name = r["assumed-role/".len()..]
                    .split('/')
                    .next()
                    .ok_or_else(err)?;
                let role_arn = match role_arn {
                    Some(given) => Arn::parse(given)?,
                    None => Arn::parse(&format!(
                        "arn:{}:iam::{}:role/{}",
                        arn.partition(),
                        account,
                        role_name
                    ))?,
                };
                Ok(Principal::RoleSession {
                    session_arn: arn,
                    role_arn,
                    role_unique_id: None,
                })
            }
            ("sts", r) if r.starts_with("federated-user/") => {
                let user_arn = federating_user.map(Arn::parse).transpose()?;
                Ok(Principal::FederatedUser { arn, user_arn })
            }
            _ => Err(err()),
        }
    }

    /// The account the principal belongs to (`None` for anonymous and service principals).
    pub fn account(&self) -> Option<AccountId> {
        match self {
            Principal::Root { account } => Some(*account),
            Principal::User { arn, .. } | Principal::FederatedUser { arn, .. } => arn.account_id(),
            Principal::RoleSession { session_arn, .. } => session_arn.account_id(),
            Principal::Service { .. } | Principal::Anonymous => None,
        }
    }

    /// The ARN AWS names in messages and `GetCallerIdentity` (the session ARN for sessions).
    pub fn arn_string(&self) -> String {
        match self {
            Principal::Root { account } => account.root_arn(),
            Principal::User { arn, .. } | Principal::FederatedUser { arn, .. } => arn.to_string(),
            Principal::RoleSession { session_arn, .. } => session_arn.to_string(),
            Principal::Service { name } => name.to_string(),
            Principal::Anonymous => "anonymous".to_owned(),
        }
    }

    /// True for principals that act through temporary session credentials.
    pub fn is_session(&self) -> bool {
        matches!(
            self,
            Principal::RoleSession { .. } | Principal::FederatedUser { .. }
        )
    }
}

/// One authorization question.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Who asks.
    pub principal: &'a Principal,
    /// What they ask to do.
    pub action: &'a Action,
    /// What they ask to do it to.
    pub resource: &'a Resource,
    /// The account that owns the resource; `None` means the principal's own account.
    pub resource_account: Option<&'a AccountId>,
    /// The condition keys of the request.
    pub context: &'a RequestContext,
}

/// Services whose ARNs carry no region.
const GLOBAL_SERVICES: [&str; 6] = ["s3", "iam", "sts", "organizations", "cloudfront", "route53"];

impl Request<'_> {
    /// The ARN that stands for all of the action's service's resources, against which
    /// `Resource` entries are matched for actions with no resource type: `arn:aws:s3:::*` for
    /// S3 (whose ARNs name no region or account), `arn:aws:iam::111122223333:*` for IAM and
    /// the other global services, and the requested region (`aws:RequestedRegion`) for
    /// regional ones. So the documented `"Resource": "arn:aws:s3:::*"` grants (or denies)
    /// `s3:ListAllMyBuckets`, while `arn:aws:s3:::some-bucket` does not.
    pub fn service_wide_arn(&self) -> String {
        let service = self.action.service_lower();
        if service == "s3" {
            return "arn:aws:s3:::*".to_owned();
        }
        let account = self
            .resource_account
            .copied()
            .or_else(|| self.principal.account())
            .map(|a| a.to_string())
            .unwrap_or_default();
        let region = if GLOBAL_SERVICES.contains(&service) {
            String::new()
        } else {
            self.context
                .get("aws:RequestedRegion")
                .and_then(|v| v.values().next())
                .map(str::to_owned)
                .unwrap_or_default()
        };
        format!("arn:aws:{service}:{region}:{account}:*")
    }
}
