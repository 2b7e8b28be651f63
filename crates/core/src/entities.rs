//! IAM entities as Gatehouse keeps them: accounts, users, groups, roles, managed policies and
//! access keys. Every policy document is kept as its text and its compiled form.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use gatehouse_policy::{AccountId, Policy, PolicyKind};
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::AccessKeyId;

/// The current time, rounded to seconds as IAM reports times.
pub fn now() -> Timestamp {
    Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| Timestamp::now())
}

/// A policy document: the text as the user wrote it, and its compiled form.
#[derive(Debug, Clone)]
pub struct PolicyDocument {
    text: Arc<str>,
    compiled: Arc<Policy>,
}

impl PolicyDocument {
    /// Validates and compiles `text` as a `kind` document.
    pub fn parse(text: &str, kind: PolicyKind) -> Result<Self, gatehouse_policy::PolicyError> {
        let compiled = Policy::parse(text, kind)?;
        Ok(Self {
            text: text.into(),
            compiled: Arc::new(compiled),
        })
    }

    /// The same document, with an id for explanations.
    #[must_use]
    pub fn labelled(self, name: &str, arn: Option<&str>) -> Self {
        let mut policy = (*self.compiled).clone().named(name);
        if let Some(arn) = arn {
            policy = policy.with_arn(arn);
        }
        Self {
            text: self.text,
            compiled: Arc::new(policy),
        }
    }

    /// The document text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The compiled policy.
    pub fn compiled(&self) -> &Arc<Policy> {
        &self.compiled
    }

    /// The kind it was validated as.
    pub fn kind(&self) -> PolicyKind {
        self.compiled.kind
    }
}

#[derive(Serialize, Deserialize)]
struct StoredDocument {
    kind: String,
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arn: Option<String>,
}

impl Serialize for PolicyDocument {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        StoredDocument {
            kind: self.compiled.kind.name().to_owned(),
            text: self.text.to_string(),
            name: self.compiled.id.name.as_deref().map(str::to_owned),
            arn: self.compiled.id.arn.as_deref().map(str::to_owned),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for PolicyDocument {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let stored = StoredDocument::deserialize(d)?;
        let kind: PolicyKind = stored.kind.parse().map_err(D::Error::custom)?;
        // Quotas were checked when the document was saved; reload leniently but with the same
        // grammar, so a stored document always compiles again.
        let kind = match kind {
            PolicyKind::Managed | PolicyKind::Boundary => PolicyKind::Inline,
            other => other,
        };
        let doc = PolicyDocument::parse(&stored.text, kind).map_err(D::Error::custom)?;
        Ok(match stored.name {
            Some(name) => doc.labelled(&name, stored.arn.as_deref()),
            None => doc,
        })
    }
}

/// A tag on a user, role or policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The key (1–128 characters).
    pub key: String,
    /// The value (0–256 characters).
    pub value: String,
}

/// An account and its root user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    /// The 12-digit id.
    pub id: AccountId,
    /// A readable name (`prod`, `dev`).
    pub name: String,
    /// When it was created.
    pub created: Timestamp,
    /// The account alias (IAM allows one), unique on the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// The password policy of its IAM users, once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<PasswordPolicy>,
}

/// An account's password policy (`UpdateAccountPasswordPolicy`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "the policy is AWS's set of independent switches"
)]
pub struct PasswordPolicy {
    /// The least number of characters (6–128).
    pub minimum_length: u32,
    /// At least one of `!@#$%^&*()_+-=[]{}|'`.
    pub require_symbols: bool,
    /// At least one digit.
    pub require_numbers: bool,
    /// At least one uppercase letter.
    pub require_uppercase: bool,
    /// At least one lowercase letter.
    pub require_lowercase: bool,
    /// Users may change their own password.
    pub allow_users_to_change: bool,
    /// Days a password lasts (1–1095), if it expires.
    pub max_age_days: Option<u32>,
    /// How many earlier passwords may not be reused (1–24).
    pub reuse_prevention: Option<u32>,
    /// An expired password can only be reset by an administrator.
    pub hard_expiry: bool,
}

/// The parts every IAM entity has.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntityCommon {
    /// The owning account.
    pub account: AccountId,
    /// The name as created (unique per account, case-insensitively).
    pub name: String,
    /// The path, beginning and ending with `/`.
    pub path: String,
    /// The unique id (`AIDA…`, `AGPA…`, `AROA…`, `ANPA…`).
    pub id: String,
    /// When it was created.
    pub created: Timestamp,
}

impl EntityCommon {
    /// The entity's ARN for a resource type such as `user` or `role`.
    pub fn arn(&self, resource_type: &str) -> String {
        format!(
            "arn:aws:iam::{}:{resource_type}{}{}",
            self.account, self.path, self.name
        )
    }
}

/// An IAM user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    /// Name, path, id, account, creation time.
    #[serde(flatten)]
    pub common: EntityCommon,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// The permissions boundary's policy ARN.
    #[serde(default)]
    pub boundary: Option<String>,
    /// Inline policies by name.
    #[serde(default)]
    pub inline: BTreeMap<String, PolicyDocument>,
    /// Attached managed policy ARNs.
    #[serde(default)]
    pub attached: BTreeSet<String>,
    /// Lower-cased names of the groups the user is in.
    #[serde(default)]
    pub groups: BTreeSet<String>,
    /// The user's console password, once it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_profile: Option<LoginProfile>,
}

/// A user's console password: kept only as a salted hash.
#[derive(Clone, Serialize, Deserialize)]
pub struct LoginProfile {
    /// When the profile was created.
    pub created: Timestamp,
    /// The user must set a new password at the next sign-in.
    pub reset_required: bool,
    /// The salt of `hash`, hex.
    pub salt: String,
    /// SHA-256, iterated, of the salt and the password, hex.
    pub hash: String,
}

impl std::fmt::Debug for LoginProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginProfile")
            .field("created", &self.created)
            .field("reset_required", &self.reset_required)
            .finish_non_exhaustive()
    }
}

impl User {
    /// `arn:aws:iam::A:user/<path><name>`.
    pub fn arn(&self) -> String {
        self.common.arn("user")
    }
}

/// An IAM group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    /// Name, path, id, account, creation time.
    #[serde(flatten)]
    pub common: EntityCommon,
    /// Inline policies by name.
    #[serde(default)]
    pub inline: BTreeMap<String, PolicyDocument>,
    /// Attached managed policy ARNs.
    #[serde(default)]
    pub attached: BTreeSet<String>,
}

impl Group {
    /// `arn:aws:iam::A:group/<path><name>`.
    pub fn arn(&self) -> String {
        self.common.arn("group")
    }
}

/// An `OpenID` Connect identity provider: who may sign web-identity tokens for the account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcProvider {
    /// The owning account.
    pub account: AccountId,
    /// The issuer URL without its `https://` (the provider's identity, as IAM names it).
    pub url: String,
    /// The audiences (client ids) tokens may be issued for.
    #[serde(default)]
    pub client_ids: Vec<String>,
    /// The server certificate thumbprints, lower-cased.
    #[serde(default)]
    pub thumbprints: Vec<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// When it was created.
    pub created: Timestamp,
}

impl OidcProvider {
    /// `arn:aws:iam::A:oidc-provider/<url without https://>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::{}:oidc-provider/{}", self.account, self.url)
    }
}

/// A SAML 2.0 identity provider: whose assertions the account trusts, from its metadata.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SamlProvider {
    /// Name, path (always `/`), id, account, creation time.
    #[serde(flatten)]
    pub common: EntityCommon,
    /// The metadata document as uploaded.
    pub metadata: String,
    /// Until when the metadata is valid (its `validUntil`, else 100 years from upload).
    pub valid_until: Timestamp,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl SamlProvider {
    /// `arn:aws:iam::A:saml-provider/<name>`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:saml-provider/{}",
            self.common.account, self.common.name
        )
    }
}

/// An instance profile: a container for (at most) one role that EC2 instances assume.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstanceProfile {
    /// Name, path, id, account, creation time.
    #[serde(flatten)]
    pub common: EntityCommon,
    /// The role in it, by lower-cased name (IAM allows one).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl InstanceProfile {
    /// `arn:aws:iam::A:instance-profile/<path><name>`.
    pub fn arn(&self) -> String {
        self.common.arn("instance-profile")
    }
}

/// An IAM role.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Role {
    /// Name, path, id, account, creation time.
    #[serde(flatten)]
    pub common: EntityCommon,
    /// The trust policy as saved.
    pub trust: PolicyDocument,
    /// The unique ids of the users and roles the trust policy named when it was saved, by ARN:
    /// IAM binds trust to the principal, not its name.
    #[serde(default)]
    pub trust_ids: BTreeMap<String, String>,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// The maximum session duration in seconds (3600–43200).
    pub max_session_duration: u32,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// The permissions boundary's policy ARN.
    #[serde(default)]
    pub boundary: Option<String>,
    /// Inline policies by name.
    #[serde(default)]
    pub inline: BTreeMap<String, PolicyDocument>,
    /// Attached managed policy ARNs.
    #[serde(default)]
    pub attached: BTreeSet<String>,
    /// When a session of the role was last created, and in which region.
    #[serde(default)]
    pub last_used: Option<(Timestamp, String)>,
}

impl Role {
    /// `arn:aws:iam::A:role/<path><name>`.
    pub fn arn(&self) -> String {
        self.common.arn("role")
    }
}

/// One version of a managed policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyVersion {
    /// `v1`, `v2`, …
    pub id: String,
    /// The document.
    pub document: PolicyDocument,
    /// When the version was created.
    pub created: Timestamp,
}

/// A customer-managed policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManagedPolicy {
    /// Name, path, id, account, creation time.
    #[serde(flatten)]
    pub common: EntityCommon,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// The versions, oldest first (at most five).
    pub versions: Vec<PolicyVersion>,
    /// The id of the default version.
    pub default_version: String,
    /// The number the next version gets.
    pub next_version: u32,
    /// When the policy last changed.
    pub updated: Timestamp,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl ManagedPolicy {
    /// `arn:aws:iam::A:policy/<path><name>`.
    pub fn arn(&self) -> String {
        self.common.arn("policy")
    }

    /// The default version.
    pub fn default(&self) -> Option<&PolicyVersion> {
        self.versions.iter().find(|v| v.id == self.default_version)
    }
}

/// Who owns an access key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyOwner {
    /// The account's root user.
    Root(AccountId),
    /// An IAM user, by lower-cased name, with the user's unique id at creation.
    User {
        /// The account.
        account: AccountId,
        /// The user's lower-cased name.
        name_lower: String,
        /// The user's unique id, so a re-created user does not inherit keys.
        user_id: String,
    },
}

impl KeyOwner {
    /// The owning account.
    pub fn account(&self) -> AccountId {
        match self {
            KeyOwner::Root(a) | KeyOwner::User { account: a, .. } => *a,
        }
    }
}

/// Whether a key may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    /// Usable.
    Active,
    /// Refused.
    Inactive,
}

impl KeyStatus {
    /// `Active` or `Inactive`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "Active",
            KeyStatus::Inactive => "Inactive",
        }
    }
}

/// A long-term access key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessKey {
    /// The `AKIA…` id.
    pub id: AccessKeyId,
    /// Who it belongs to.
    pub owner: KeyOwner,
    /// The secret, sealed with the server key.
    pub sealed_secret: String,
    /// Active or inactive.
    pub status: KeyStatus,
    /// When it was created.
    pub created: Timestamp,
    /// When, where and with which service it was last used.
    #[serde(default)]
    pub last_used: Option<KeyLastUsed>,
}

/// What `GetAccessKeyLastUsed` reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyLastUsed {
    /// When.
    pub at: Timestamp,
    /// The service (`iam`, `sts`, `s3`).
    pub service: String,
    /// The region.
    pub region: String,
}
