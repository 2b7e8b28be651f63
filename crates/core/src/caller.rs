//! Who is calling: the identity behind a set of credentials, and the session, if any.

use gatehouse_policy::{AccountId, Arn, Principal};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::entities::Tag;
use crate::ids::AccessKeyId;

/// The IAM identity behind credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Identity {
    /// An account's root user.
    Root {
        /// The account.
        account: AccountId,
    },
    /// An IAM user.
    User {
        /// The account.
        account: AccountId,
        /// The user's name.
        name: String,
        /// The user's path.
        path: String,
        /// The user's unique id (`AIDA…`).
        user_id: String,
    },
    /// A role session.
    Role {
        /// The role's account.
        account: AccountId,
        /// The role's name.
        name: String,
        /// The role's path.
        path: String,
        /// The role's unique id (`AROA…`).
        role_id: String,
        /// The session name.
        session_name: String,
    },
}

/// What a temporary session carries (sealed into its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The `ASIA…` access key id.
    pub access_key_id: AccessKeyId,
    /// When it was issued.
    pub issued: Timestamp,
    /// When it expires.
    pub expires: Timestamp,
    /// The inline session policy, if passed.
    #[serde(default)]
    pub policy: Option<String>,
    /// Managed session policy ARNs, if passed.
    #[serde(default)]
    pub policy_arns: Vec<String>,
    /// Session tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Keys of the session tags that pass on to chained sessions.
    #[serde(default)]
    pub transitive_tag_keys: Vec<String>,
    /// The source identity, once set.
    #[serde(default)]
    pub source_identity: Option<String>,
    /// Whether MFA was used to get the session.
    #[serde(default)]
    pub mfa: bool,
    /// True for `GetSessionToken` sessions, which act as the user or root.
    #[serde(default)]
    pub user_session: bool,
}

impl Session {
    /// True when the session carries session policies (which then limit it).
    pub fn has_session_policies(&self) -> bool {
        self.policy.is_some() || !self.policy_arns.is_empty()
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Who.
    pub identity: Identity,
    /// The session, for temporary credentials.
    pub session: Option<Session>,
    /// The access key id the request was signed with.
    pub access_key_id: AccessKeyId,
}

impl Caller {
    /// The caller's account.
    pub fn account(&self) -> AccountId {
        match &self.identity {
            Identity::Root { account }
            | Identity::User { account, .. }
            | Identity::Role { account, .. } => *account,
        }
    }

    /// The ARN AWS reports for the caller (`GetCallerIdentity`, `AccessDenied` messages).
    pub fn arn(&self) -> String {
        match &self.identity {
            Identity::Root { account } => account.root_arn(),
            Identity::User {
                account,
                name,
                path,
                ..
            } => format!("arn:aws:iam::{account}:user{path}{name}"),
            Identity::Role {
                account,
                name,
                session_name,
                ..
            } => {
                format!("arn:aws:sts::{account}:assumed-role/{name}/{session_name}")
            }
        }
    }

    /// The `UserId` of `GetCallerIdentity` and `aws:userid`.
    pub fn user_id(&self) -> String {
        match &self.identity {
            Identity::Root { account } => account.to_string(),
            Identity::User { user_id, .. } => user_id.clone(),
            Identity::Role {
                role_id,
                session_name,
                ..
            } => format!("{role_id}:{session_name}"),
        }
    }

    /// The ARN of the principal's own entity (`aws:PrincipalArn`): the role ARN (with path) for
    /// role sessions.
    pub fn principal_arn(&self) -> String {
        match &self.identity {
            Identity::Role {
                account,
                name,
                path,
                ..
            } => format!("arn:aws:iam::{account}:role{path}{name}"),
            _ => self.arn(),
        }
    }

    /// The principal as the policy engine sees it.
    pub fn principal(&self) -> Principal {
        // Account ids are 12 digits and names `[\w+=,.@-]+`, so these ARNs always parse.
        let arn = |s: String| Arn::parse(&s).expect("validated names form a valid ARN");
        match &self.identity {
            Identity::Root { account } => Principal::Root { account: *account },
            Identity::User { user_id, .. } => Principal::User {
                arn: arn(self.arn()),
                unique_id: Some(user_id.as_str().into()),
            },
            Identity::Role { role_id, .. } => Principal::RoleSession {
                session_arn: arn(self.arn()),
                role_arn: arn(self.principal_arn()),
                role_unique_id: Some(role_id.as_str().into()),
            },
        }
    }

    /// `aws:PrincipalType`.
    pub fn principal_type(&self) -> &'static str {
        match &self.identity {
            Identity::Root { .. } => "Account",
            Identity::User { .. } => "User",
            Identity::Role { .. } => "AssumedRole",
        }
    }

    /// True for role sessions (the caller of a role-chaining `AssumeRole`).
    pub fn is_role_session(&self) -> bool {
        matches!(self.identity, Identity::Role { .. })
    }
}
