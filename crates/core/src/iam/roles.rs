//! IAM roles: trust policies (bound to principals' unique ids), inline policies, tags,
//! boundaries, and updates.

use std::collections::BTreeMap;

use gatehouse_policy::{AccountId, Arn, PolicyKind};

use super::{Iam, check_tags};
use crate::entities::{EntityCommon, PolicyDocument, Role, Tag, now};
use crate::error::{Error, Result};
use crate::ids::{IdKind, new_unique_id};
use crate::state::{Change, IamState};
use crate::validate;

/// The parameters of `CreateRole`.
#[derive(Debug, Clone, Default)]
pub struct CreateRole {
    /// `RoleName`.
    pub name: String,
    /// `Path`.
    pub path: Option<String>,
    /// `AssumeRolePolicyDocument`.
    pub trust_policy: String,
    /// `Description`.
    pub description: Option<String>,
    /// `MaxSessionDuration`.
    pub max_session_duration: Option<u32>,
    /// `PermissionsBoundary`.
    pub boundary: Option<String>,
    /// `Tags`.
    pub tags: Vec<Tag>,
}

/// The parameters of `UpdateRole`.
#[derive(Debug, Clone, Default)]
pub struct RoleUpdate {
    /// New description.
    pub description: Option<String>,
    /// New maximum session duration.
    pub max_session_duration: Option<u32>,
}

fn check_max_session(value: u32) -> Result<()> {
    if !(3600..=43200).contains(&value) {
        return Err(validate::constraint(
            "maxSessionDuration",
            &value.to_string(),
            if value < 3600 {
                "Member must have value greater than or equal to 3600"
            } else {
                "Member must have value less than or equal to 43200"
            },
        ));
    }
    Ok(())
}

/// The unique id of the user or role an ARN names, if it exists.
fn principal_id(state: &IamState, arn: &Arn) -> Option<String> {
    let acct = state.accounts.get(&arn.account_id()?)?;
    let resource = arn.resource();
    let (kind, rest) = resource.split_once('/')?;
    let name = rest.rsplit('/').next()?;
    match kind {
        "user" => acct
            .users
            .get(&name.to_lowercase())
            .filter(|u| u.arn() == arn.as_str())
            .map(|u| u.common.id.clone()),
        "role" => acct
            .roles
            .get(&name.to_lowercase())
            .filter(|r| r.arn() == arn.as_str())
            .map(|r| r.common.id.clone()),
        _ => None,
    }
}

/// The `AWS` principal strings of a trust policy document.
fn aws_principals(document: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(document) else {
        return vec![];
    };
    let statements = match &value["Statement"] {
        serde_json::Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    let mut out = Vec::new();
    for st in statements {
        match &st["Principal"]["AWS"] {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(items) => {
                out.extend(items.iter().filter_map(|i| i.as_str().map(str::to_owned)));
            }
            _ => {}
        }
    }
    out
}

/// Validates a trust policy and binds the users and roles it names to their unique ids.
/// A named user or role that does not exist is refused, as IAM does.
pub(crate) fn bind_trust(
    state: &IamState,
    document: &str,
) -> Result<(PolicyDocument, BTreeMap<String, String>)> {
    validate::length("assumeRolePolicyDocument", document, 1, 131_072)?;
    let doc = PolicyDocument::parse(document, PolicyKind::Trust)?.labelled("trust policy", None);
    let mut ids = BTreeMap::new();
    for principal in aws_principals(document) {
        let Ok(arn) = Arn::parse(&principal) else {
            continue;
        };
        let is_entity = arn.service() == "iam"
            && (arn.resource().starts_with("user/") || arn.resource().starts_with("role/"));
        if !is_entity {
            continue;
        }
        match principal_id(state, &arn) {
            Some(id) => {
                ids.insert(principal.clone(), id);
            }
            None => {
                return Err(Error::MalformedPolicyDocument(format!(
                    "Invalid principal in policy: \"AWS\":\"{principal}\""
                )));
            }
        }
    }
    Ok((doc, ids))
}

/// The trust policy as IAM shows and enforces it now: a named user or role that was deleted
/// (or deleted and re-created) appears as its old unique id, which matches nobody.
pub fn effective_trust(state: &IamState, role: &Role) -> PolicyDocument {
    let replaced: Vec<(&String, &String)> = role
        .trust_ids
        .iter()
        .filter(|(arn, id)| {
            Arn::parse(arn)
                .ok()
                .and_then(|a| principal_id(state, &a))
                .as_ref()
                != Some(*id)
        })
        .collect();
    if replaced.is_empty() {
        return role.trust.clone();
    }
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(role.trust.text()) else {
        return role.trust.clone();
    };
    let replace = |v: &mut serde_json::Value| {
        if let Some(s) = v.as_str()
            && let Some((_, id)) = replaced.iter().find(|(arn, _)| *arn == s)
        {
            *v = serde_json::Value::String((*id).clone());
        }
    };
    let fix_statement = |st: &mut serde_json::Value| match &mut st["Principal"]["AWS"] {
        serde_json::Value::Array(items) => items.iter_mut().for_each(replace),
        v @ serde_json::Value::String(_) => replace(v),
        _ => {}
    };
    match &mut value["Statement"] {
        serde_json::Value::Array(items) => items.iter_mut().for_each(fix_statement),
        st => fix_statement(st),
    }
    let text = value.to_string();
    PolicyDocument::parse(&text, PolicyKind::Trust)
        .map_or_else(|_| role.trust.clone(), |d| d.labelled("trust policy", None))
}

impl Iam {
    /// `CreateRole`.
    pub fn create_role(&self, account: AccountId, params: &CreateRole) -> Result<Role> {
        validate::name("roleName", &params.name, 64)?;
        let path = params.path.clone().unwrap_or_else(|| "/".to_owned());
        validate::path("path", &path)?;
        if let Some(d) = &params.description {
            validate::length("description", d, 0, 1000)?;
        }
        let max_session_duration = params.max_session_duration.unwrap_or(3600);
        check_max_session(max_session_duration)?;
        check_tags(&params.tags)?;
        self.mutate(|state| {
            let acct = state.account(account)?;
            if acct.roles.contains_key(&params.name.to_lowercase()) {
                return Err(Error::EntityAlreadyExists(format!(
                    "Role with name {} already exists.",
                    params.name
                )));
            }
            let (trust, trust_ids) = bind_trust(state, &params.trust_policy)?;
            let boundary = params
                .boundary
                .as_deref()
                .map(|arn| super::policies::check_boundary(state, account, arn))
                .transpose()?;
            let role = Role {
                common: EntityCommon {
                    account,
                    name: params.name.clone(),
                    path,
                    id: new_unique_id(IdKind::Role),
                    created: now(),
                },
                trust,
                trust_ids,
                description: params.description.clone(),
                max_session_duration,
                tags: params.tags.clone(),
                boundary,
                inline: BTreeMap::new(),
                attached: Default::default(),
                last_used: None,
            };
            Ok((vec![Change::PutRole(role.clone())], role))
        })
    }

    /// `GetRole`: the role with its trust policy as IAM shows it now.
    pub fn get_role(&self, account: AccountId, name: &str) -> Result<Role> {
        let state = self.state();
        let mut role = super::lookup::role(state.account(account)?, name)?.clone();
        role.trust = effective_trust(&state, &role);
        Ok(role)
    }

    /// `ListRoles`, filtered by path prefix, in name order.
    pub fn list_roles(&self, account: AccountId, path_prefix: Option<&str>) -> Result<Vec<Role>> {
        if let Some(p) = path_prefix {
            validate::path_prefix("pathPrefix", p)?;
        }
        let state = self.state();
        Ok(state
            .account(account)?
            .roles
            .values()
            .filter(|r| path_prefix.is_none_or(|p| r.common.path.starts_with(p)))
            .map(|r| {
                let mut r = r.clone();
                r.trust = effective_trust(&state, &r);
                r
            })
            .collect())
    }

    /// `DeleteRole`: refused while policies are attached or inline.
    pub fn delete_role(&self, account: AccountId, name: &str) -> Result<()> {
        self.mutate(|state| {
            let role = super::lookup::role(state.account(account)?, name)?;
            if !role.inline.is_empty() {
                return Err(Error::DeleteConflict(
                    "Cannot delete entity, must delete policies first.".into(),
                ));
            }
            if !role.attached.is_empty() {
                return Err(Error::DeleteConflict(
                    "Cannot delete entity, must detach all policies first.".into(),
                ));
            }
            let key = name.to_lowercase();
            if state
                .account(account)?
                .instance_profiles
                .values()
                .any(|i| i.roles.contains(&key))
            {
                return Err(Error::DeleteConflict(
                    "Cannot delete entity, must remove roles from instance profile first.".into(),
                ));
            }
            Ok((vec![Change::DeleteRole(account, key)], ()))
        })
    }

    fn modify_role(
        &self,
        account: AccountId,
        name: &str,
        f: impl FnOnce(&IamState, &mut Role) -> Result<()>,
    ) -> Result<()> {
        self.mutate(|state| {
            let mut role = super::lookup::role(state.account(account)?, name)?.clone();
            f(state, &mut role)?;
            Ok((vec![Change::PutRole(role)], ()))
        })
    }

    /// `UpdateAssumeRolePolicy`.
    pub fn update_trust(&self, account: AccountId, name: &str, document: &str) -> Result<()> {
        self.modify_role(account, name, |state, role| {
            let (trust, ids) = bind_trust(state, document)?;
            role.trust = trust;
            role.trust_ids = ids;
            Ok(())
        })
    }

    /// `UpdateRole` / `UpdateRoleDescription`.
    pub fn update_role(&self, account: AccountId, name: &str, update: RoleUpdate) -> Result<()> {
        if let Some(d) = &update.description {
            validate::length("description", d, 0, 1000)?;
        }
        if let Some(m) = update.max_session_duration {
            check_max_session(m)?;
        }
        self.modify_role(account, name, |_, role| {
            if let Some(d) = update.description {
                role.description = Some(d);
            }
            if let Some(m) = update.max_session_duration {
                role.max_session_duration = m;
            }
            Ok(())
        })
    }

    /// Records a new session of the role (`RoleLastUsed`).
    pub fn note_role_used(&self, account: AccountId, role: &str, region: &str) {
        if let Err(e) = self.modify_role(account, role, |_, r| {
            r.last_used = Some((now(), region.to_owned()));
            Ok(())
        }) {
            tracing::warn!(error = %e, "could not record role use");
        }
    }
}
