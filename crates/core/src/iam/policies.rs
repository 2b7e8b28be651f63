//! Managed policies: customer-managed policies with versions, the AWS-managed catalog, and
//! attaching them to users, groups and roles.

use gatehouse_policy::{AccountId, PolicyKind};

use super::Iam;
use crate::aws_managed;
use crate::entities::{EntityCommon, ManagedPolicy, PolicyDocument, PolicyVersion, Tag, now};
use crate::error::{Error, Result};
use crate::ids::{IdKind, new_unique_id};
use crate::state::{Change, IamState};
use crate::validate;

/// A managed policy as callers see it: customer-managed, or from the AWS catalog.
#[allow(
    clippy::large_enum_variant,
    reason = "short-lived lookup results; boxing would only add an allocation"
)]
#[derive(Debug, Clone)]
pub enum ManagedPolicyRef {
    /// A customer-managed policy of an account.
    Customer(ManagedPolicy),
    /// An AWS-managed policy.
    Aws(&'static aws_managed::AwsManagedPolicy),
}

impl ManagedPolicyRef {
    /// The policy ARN.
    pub fn arn(&self) -> String {
        match self {
            ManagedPolicyRef::Customer(p) => p.arn(),
            ManagedPolicyRef::Aws(p) => p.arn(),
        }
    }

    /// The default version's document.
    pub fn default_document(&self) -> Option<PolicyDocument> {
        match self {
            ManagedPolicyRef::Customer(p) => p.default().map(|v| v.document.clone()),
            ManagedPolicyRef::Aws(p) => Some(p.document()),
        }
    }
}

fn not_attachable(arn: &str) -> Error {
    Error::NoSuchEntity(format!("Policy {arn} does not exist or is not attachable."))
}

/// Finds the managed policy an ARN names, for `account`'s use.
pub fn resolve_policy_arn(
    state: &IamState,
    account: AccountId,
    arn: &str,
) -> Result<ManagedPolicyRef> {
    if let Some(p) = aws_managed::by_arn(arn) {
        return Ok(ManagedPolicyRef::Aws(p));
    }
    let parsed = gatehouse_policy::Arn::parse(arn)
        .map_err(|_| Error::InvalidInput(format!("ARN {arn} is not valid.")))?;
    if parsed.service() != "iam" || !parsed.resource().starts_with("policy/") {
        return Err(Error::InvalidInput(format!("ARN {arn} is not valid.")));
    }
    let owner = parsed.account_id().ok_or_else(|| not_attachable(arn))?;
    if owner != account {
        return Err(not_attachable(arn));
    }
    let name = parsed
        .resource()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let policy = state
        .accounts
        .get(&owner)
        .and_then(|a| a.policies.get(&name))
        .filter(|p| p.arn() == arn)
        .ok_or_else(|| not_attachable(arn))?;
    Ok(ManagedPolicyRef::Customer(policy.clone()))
}

/// Checks that `arn` names a managed policy usable as a permissions boundary.
pub(crate) fn check_boundary(state: &IamState, account: AccountId, arn: &str) -> Result<String> {
    resolve_policy_arn(state, account, arn)
        .map(|p| p.arn())
        .map_err(|_| Error::InvalidInput(format!("ARN {arn} is not valid.")))
}

/// Where a managed policy is attached: (kind, name) pairs.
pub(crate) fn attachments(
    state: &IamState,
    account: AccountId,
    arn: &str,
) -> Vec<(&'static str, String, String)> {
    let Some(acct) = state.accounts.get(&account) else {
        return vec![];
    };
    let mut out = Vec::new();
    out.extend(
        acct.users
            .values()
            .filter(|u| u.attached.contains(arn))
            .map(|u| ("user", u.common.name.clone(), u.common.id.clone())),
    );
    out.extend(
        acct.groups
            .values()
            .filter(|g| g.attached.contains(arn))
            .map(|g| ("group", g.common.name.clone(), g.common.id.clone())),
    );
    out.extend(
        acct.roles
            .values()
            .filter(|r| r.attached.contains(arn))
            .map(|r| ("role", r.common.name.clone(), r.common.id.clone())),
    );
    out
}

/// How many users, groups and roles each managed policy of `account` is attached to, in one pass
/// (for listings, which would otherwise scan every entity once per policy).
fn attachment_counts(
    state: &IamState,
    account: AccountId,
) -> std::collections::HashMap<&str, usize> {
    let mut counts = std::collections::HashMap::new();
    if let Some(acct) = state.accounts.get(&account) {
        let attached = acct
            .users
            .values()
            .flat_map(|u| &u.attached)
            .chain(acct.groups.values().flat_map(|g| &g.attached))
            .chain(acct.roles.values().flat_map(|r| &r.attached));
        for arn in attached {
            *counts.entry(arn.as_str()).or_insert(0) += 1;
        }
    }
    counts
}

/// How many users and roles use `arn` as their permissions boundary.
fn boundary_uses(state: &IamState, account: AccountId, arn: &str) -> usize {
    state.accounts.get(&account).map_or(0, |a| {
        a.users
            .values()
            .filter(|u| u.boundary.as_deref() == Some(arn))
            .count()
            + a.roles
                .values()
                .filter(|r| r.boundary.as_deref() == Some(arn))
                .count()
    })
}

/// Whether some user or role uses `arn` as its permissions boundary.
fn used_as_boundary(state: &IamState, account: AccountId, arn: &str) -> bool {
    state.accounts.get(&account).is_some_and(|a| {
        a.users.values().any(|u| u.boundary.as_deref() == Some(arn))
            || a.roles.values().any(|r| r.boundary.as_deref() == Some(arn))
    })
}

pub(crate) fn find_customer(
    state: &IamState,
    account: AccountId,
    arn: &str,
) -> Result<ManagedPolicy> {
    match resolve_policy_arn(state, account, arn) {
        Ok(ManagedPolicyRef::Customer(p)) => Ok(p),
        Ok(ManagedPolicyRef::Aws(_)) => Err(Error::access_denied(format!(
            "Cannot modify AWS managed policy {arn}."
        ))),
        Err(_) => Err(Error::NoSuchEntity(format!("Policy {arn} was not found."))),
    }
}

/// The entity an attach/detach call names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachTarget<'a> {
    /// A user by name.
    User(&'a str),
    /// A group by name.
    Group(&'a str),
    /// A role by name.
    Role(&'a str),
}

impl Iam {
    /// `CreatePolicy`.
    pub fn create_policy(
        &self,
        account: AccountId,
        name: &str,
        path: Option<&str>,
        document: &str,
        description: Option<&str>,
        tags: Vec<Tag>,
    ) -> Result<ManagedPolicy> {
        validate::name("policyName", name, 128)?;
        let path = path.unwrap_or("/");
        validate::path("path", path)?;
        if let Some(d) = description {
            validate::length("description", d, 0, 1000)?;
        }
        super::check_tags(&tags)?;
        let document = PolicyDocument::parse(document, PolicyKind::Managed)?;
        self.mutate(|state| {
            let acct = state.account(account)?;
            if acct.policies.contains_key(&name.to_lowercase()) {
                return Err(Error::EntityAlreadyExists(format!(
                    "A policy called {name} already exists. Duplicate names are not allowed."
                )));
            }
            let common = EntityCommon {
                account,
                name: name.to_owned(),
                path: path.to_owned(),
                id: new_unique_id(IdKind::Policy),
                created: now(),
            };
            let arn = common.arn("policy");
            let policy = ManagedPolicy {
                versions: vec![PolicyVersion {
                    id: "v1".into(),
                    document: document.labelled(name, Some(&arn)),
                    created: common.created,
                }],
                updated: common.created,
                common,
                description: description.map(str::to_owned),
                default_version: "v1".into(),
                next_version: 2,
                tags,
            };
            Ok((vec![Change::PutPolicy(policy.clone())], policy))
        })
    }

    /// `GetPolicy`: a customer or AWS-managed policy, with its attachment count.
    pub fn get_policy(&self, account: AccountId, arn: &str) -> Result<(ManagedPolicyRef, usize)> {
        let state = self.state();
        let policy = resolve_policy_arn(&state, account, arn)
            .map_err(|_| Error::NoSuchEntity(format!("Policy {arn} was not found.")))?;
        let count = attachments(&state, account, &policy.arn()).len();
        Ok((policy, count))
    }

    /// `ListPolicies`: scope `All`, `AWS` or `Local`; `only_attached` filters unused ones.
    pub fn list_policies(
        &self,
        account: AccountId,
        scope: &str,
        only_attached: bool,
        path_prefix: Option<&str>,
    ) -> Result<Vec<(ManagedPolicyRef, usize)>> {
        let state = self.state();
        let mut out = Vec::new();
        if scope == "All" || scope == "AWS" {
            out.extend(aws_managed::all().iter().map(ManagedPolicyRef::Aws));
        }
        if scope == "All" || scope == "Local" {
            out.extend(
                state
                    .account(account)?
                    .policies
                    .values()
                    .cloned()
                    .map(ManagedPolicyRef::Customer),
            );
        }
        let counts = attachment_counts(&state, account);
        let with_counts = out
            .into_iter()
            .filter(|p| path_prefix.is_none_or(|prefix| policy_path(p).starts_with(prefix)))
            .map(|p| {
                let n = counts.get(p.arn().as_str()).copied().unwrap_or(0);
                (p, n)
            })
            .filter(|(_, n)| !only_attached || *n > 0)
            .collect();
        Ok(with_counts)
    }

    /// `DeletePolicy`: refused while attached, used as a boundary, or with non-default versions.
    pub fn delete_policy(&self, account: AccountId, arn: &str) -> Result<()> {
        self.mutate(|state| {
            let policy = find_customer(state, account, arn)?;
            if !attachments(state, account, arn).is_empty() || used_as_boundary(state, account, arn) {
                return Err(Error::DeleteConflict("Cannot delete a policy attached to entities.".into()));
            }
            if policy.versions.len() > 1 {
                return Err(Error::DeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.".into()));
            }
            Ok((vec![Change::DeletePolicy(account, policy.common.name.to_lowercase())], ()))
        })
    }

    /// `CreatePolicyVersion` (at most five versions).
    pub fn create_policy_version(
        &self,
        account: AccountId,
        arn: &str,
        document: &str,
        set_as_default: bool,
    ) -> Result<PolicyVersion> {
        let document = PolicyDocument::parse(document, PolicyKind::Managed)?;
        self.mutate(|state| {
            let mut policy = find_customer(state, account, arn)?;
            if policy.versions.len() >= 5 {
                return Err(Error::LimitExceeded("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.".to_string()));
            }
            let id = format!("v{}", policy.next_version);
            let version = PolicyVersion { id: id.clone(), document: document.labelled(&policy.common.name, Some(arn)), created: now() };
            policy.next_version += 1;
            policy.versions.push(version.clone());
            if set_as_default {
                policy.default_version = id;
            }
            policy.updated = now();
            Ok((vec![Change::PutPolicy(policy)], version))
        })
    }

    /// `GetPolicyVersion`: the version and whether it is the default.
    pub fn get_policy_version(
        &self,
        account: AccountId,
        arn: &str,
        version_id: &str,
    ) -> Result<(PolicyVersion, bool)> {
        let state = self.state();
        match resolve_policy_arn(&state, account, arn)
            .map_err(|_| Error::NoSuchEntity(format!("Policy {arn} was not found.")))?
        {
            ManagedPolicyRef::Aws(p) if version_id == p.version => Ok((
                PolicyVersion {
                    id: p.version.into(),
                    document: p.document(),
                    created: p.updated(),
                },
                true,
            )),
            ManagedPolicyRef::Aws(_) => Err(no_such_version(arn, version_id)),
            ManagedPolicyRef::Customer(p) => {
                let v = p
                    .versions
                    .iter()
                    .find(|v| v.id == version_id)
                    .ok_or_else(|| no_such_version(arn, version_id))?;
                Ok((v.clone(), v.id == p.default_version))
            }
        }
    }

    /// `ListPolicyVersions`, newest first, with the default flag.
    pub fn list_policy_versions(
        &self,
        account: AccountId,
        arn: &str,
    ) -> Result<Vec<(PolicyVersion, bool)>> {
        let state = self.state();
        match resolve_policy_arn(&state, account, arn)
            .map_err(|_| Error::NoSuchEntity(format!("Policy {arn} was not found.")))?
        {
            ManagedPolicyRef::Aws(p) => Ok(vec![(
                PolicyVersion {
                    id: p.version.into(),
                    document: p.document(),
                    created: p.updated(),
                },
                true,
            )]),
            ManagedPolicyRef::Customer(p) => Ok(p
                .versions
                .iter()
                .rev()
                .map(|v| (v.clone(), v.id == p.default_version))
                .collect()),
        }
    }

    /// `SetDefaultPolicyVersion`.
    pub fn set_default_policy_version(
        &self,
        account: AccountId,
        arn: &str,
        version_id: &str,
    ) -> Result<()> {
        self.mutate(|state| {
            let mut policy = find_customer(state, account, arn)?;
            if !policy.versions.iter().any(|v| v.id == version_id) {
                return Err(no_such_version(arn, version_id));
            }
            version_id.clone_into(&mut policy.default_version);
            policy.updated = now();
            Ok((vec![Change::PutPolicy(policy)], ()))
        })
    }

    /// `DeletePolicyVersion`: the default version cannot be deleted.
    pub fn delete_policy_version(
        &self,
        account: AccountId,
        arn: &str,
        version_id: &str,
    ) -> Result<()> {
        self.mutate(|state| {
            let mut policy = find_customer(state, account, arn)?;
            if !policy.versions.iter().any(|v| v.id == version_id) {
                return Err(no_such_version(arn, version_id));
            }
            if policy.default_version == version_id {
                return Err(Error::DeleteConflict(
                    "Cannot delete the default version of a policy.".into(),
                ));
            }
            policy.versions.retain(|v| v.id != version_id);
            Ok((vec![Change::PutPolicy(policy)], ()))
        })
    }

    /// `Attach{User,Group,Role}Policy`.
    pub fn attach_policy(
        &self,
        account: AccountId,
        target: AttachTarget<'_>,
        arn: &str,
    ) -> Result<()> {
        self.mutate(|state| {
            let policy_arn = resolve_policy_arn(state, account, arn)?.arn();
            let acct = state.account(account)?;
            let change = match target {
                AttachTarget::User(n) => {
                    let mut u = super::lookup::user(acct, n)?.clone();
                    check_attach_limit(u.attached.len())?;
                    u.attached.insert(policy_arn);
                    Change::PutUser(u)
                }
                AttachTarget::Group(n) => {
                    let mut g = super::lookup::group(acct, n)?.clone();
                    check_attach_limit(g.attached.len())?;
                    g.attached.insert(policy_arn);
                    Change::PutGroup(g)
                }
                AttachTarget::Role(n) => {
                    let mut r = super::lookup::role(acct, n)?.clone();
                    check_attach_limit(r.attached.len())?;
                    r.attached.insert(policy_arn);
                    Change::PutRole(r)
                }
            };
            Ok((vec![change], ()))
        })
    }

    /// `Detach{User,Group,Role}Policy`.
    pub fn detach_policy(
        &self,
        account: AccountId,
        target: AttachTarget<'_>,
        arn: &str,
    ) -> Result<()> {
        self.mutate(|state| {
            let acct = state.account(account)?;
            let not_attached = || Error::NoSuchEntity(format!("Policy {arn} was not found."));
            let change = match target {
                AttachTarget::User(n) => {
                    let mut u = super::lookup::user(acct, n)?.clone();
                    if !u.attached.remove(arn) {
                        return Err(not_attached());
                    }
                    Change::PutUser(u)
                }
                AttachTarget::Group(n) => {
                    let mut g = super::lookup::group(acct, n)?.clone();
                    if !g.attached.remove(arn) {
                        return Err(not_attached());
                    }
                    Change::PutGroup(g)
                }
                AttachTarget::Role(n) => {
                    let mut r = super::lookup::role(acct, n)?.clone();
                    if !r.attached.remove(arn) {
                        return Err(not_attached());
                    }
                    Change::PutRole(r)
                }
            };
            Ok((vec![change], ()))
        })
    }

    /// `ListAttached{User,Group,Role}Policies`: (name, arn) pairs.
    pub fn list_attached(
        &self,
        account: AccountId,
        target: AttachTarget<'_>,
        path_prefix: Option<&str>,
    ) -> Result<Vec<(String, String)>> {
        let state = self.state();
        let acct = state.account(account)?;
        let arns = match target {
            AttachTarget::User(n) => super::lookup::user(acct, n)?.attached.clone(),
            AttachTarget::Group(n) => super::lookup::group(acct, n)?.attached.clone(),
            AttachTarget::Role(n) => super::lookup::role(acct, n)?.attached.clone(),
        };
        Ok(arns
            .into_iter()
            .filter_map(|arn| resolve_policy_arn(&state, account, &arn).ok())
            .filter(|p| path_prefix.is_none_or(|prefix| policy_path(p).starts_with(prefix)))
            .map(|p| (policy_name(&p), p.arn()))
            .collect())
    }

    /// `PermissionsBoundaryUsageCount`: how many users and roles of `account` use the managed
    /// policy `arn` as their permissions boundary.
    pub fn boundary_usage_count(&self, account: AccountId, arn: &str) -> usize {
        boundary_uses(&self.state(), account, arn)
    }

    /// `ListEntitiesForPolicy`: (kind, name, unique id) triples.
    pub fn entities_for_policy(
        &self,
        account: AccountId,
        arn: &str,
    ) -> Result<Vec<(&'static str, String, String)>> {
        let state = self.state();
        resolve_policy_arn(&state, account, arn)
            .map_err(|_| Error::NoSuchEntity(format!("Policy {arn} was not found.")))?;
        Ok(attachments(&state, account, arn))
    }
}

fn check_attach_limit(current: usize) -> Result<()> {
    if current >= super::ATTACHED_POLICIES_QUOTA {
        return Err(Error::LimitExceeded(format!(
            "Cannot exceed quota for PoliciesPerUser: {}",
            super::ATTACHED_POLICIES_QUOTA
        )));
    }
    Ok(())
}

fn no_such_version(arn: &str, version_id: &str) -> Error {
    Error::NoSuchEntity(format!(
        "Policy {arn} version {version_id} does not exist or is not attachable."
    ))
}

/// The policy's name.
pub fn policy_name(p: &ManagedPolicyRef) -> String {
    match p {
        ManagedPolicyRef::Customer(c) => c.common.name.clone(),
        ManagedPolicyRef::Aws(a) => a.name.to_owned(),
    }
}

/// The policy's path.
pub fn policy_path(p: &ManagedPolicyRef) -> String {
    match p {
        ManagedPolicyRef::Customer(c) => c.common.path.clone(),
        ManagedPolicyRef::Aws(a) => a.path.to_owned(),
    }
}
