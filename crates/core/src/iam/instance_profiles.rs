//! Instance profiles: containers for one role, which EC2 instances assume.

use gatehouse_policy::AccountId;

use super::{Iam, check_tags};
use crate::entities::{EntityCommon, InstanceProfile, Role, Tag, now};
use crate::error::{Error, Result};
use crate::ids::{IdKind, new_unique_id};
use crate::state::{AccountIam, Change};
use crate::validate;

/// How many roles one instance profile holds.
const ROLES_PER_INSTANCE_PROFILE: usize = 1;

/// The instance profile `name` of `acct`.
pub(crate) fn find<'a>(acct: &'a AccountIam, name: &str) -> Result<&'a InstanceProfile> {
    validate::name("instanceProfileName", name, 128)?;
    acct.instance_profiles
        .get(&name.to_lowercase())
        .ok_or_else(|| Error::NoSuchEntity(format!("Instance Profile {name} cannot be found.")))
}

impl Iam {
    /// `CreateInstanceProfile`.
    pub fn create_instance_profile(
        &self,
        account: AccountId,
        name: &str,
        path: Option<&str>,
        tags: Vec<Tag>,
    ) -> Result<InstanceProfile> {
        validate::name("instanceProfileName", name, 128)?;
        let path = path.unwrap_or("/");
        validate::path("path", path)?;
        check_tags(&tags)?;
        self.mutate(|state| {
            let acct = state.account(account)?;
            if acct.instance_profiles.contains_key(&name.to_lowercase()) {
                return Err(Error::EntityAlreadyExists(format!(
                    "Instance Profile {name} already exists."
                )));
            }
            if acct.instance_profiles.len() >= 1000 {
                return Err(Error::LimitExceeded(
                    "Cannot exceed quota for InstanceProfilesPerAccount: 1000".into(),
                ));
            }
            let profile = InstanceProfile {
                common: EntityCommon {
                    account,
                    name: name.to_owned(),
                    path: path.to_owned(),
                    id: new_unique_id(IdKind::InstanceProfile),
                    created: now(),
                },
                roles: Vec::new(),
                tags,
            };
            Ok((vec![Change::PutInstanceProfile(profile.clone())], profile))
        })
    }

    /// `GetInstanceProfile`: the profile and its roles.
    pub fn get_instance_profile(
        &self,
        account: AccountId,
        name: &str,
    ) -> Result<(InstanceProfile, Vec<Role>)> {
        let state = self.state();
        let acct = state.account(account)?;
        let profile = find(acct, name)?.clone();
        let roles = roles_of(acct, &profile);
        Ok((profile, roles))
    }

    /// `ListInstanceProfiles`, with each profile's roles.
    pub fn list_instance_profiles(
        &self,
        account: AccountId,
        path_prefix: Option<&str>,
    ) -> Result<Vec<(InstanceProfile, Vec<Role>)>> {
        if let Some(p) = path_prefix {
            validate::path_prefix("pathPrefix", p)?;
        }
        let state = self.state();
        let acct = state.account(account)?;
        Ok(acct
            .instance_profiles
            .values()
            .filter(|i| path_prefix.is_none_or(|p| i.common.path.starts_with(p)))
            .map(|i| (i.clone(), roles_of(acct, i)))
            .collect())
    }

    /// `ListInstanceProfilesForRole`.
    pub fn instance_profiles_for_role(
        &self,
        account: AccountId,
        role: &str,
    ) -> Result<Vec<(InstanceProfile, Vec<Role>)>> {
        let state = self.state();
        let acct = state.account(account)?;
        let key = super::lookup::role(acct, role)?.common.name.to_lowercase();
        Ok(acct
            .instance_profiles
            .values()
            .filter(|i| i.roles.contains(&key))
            .map(|i| (i.clone(), roles_of(acct, i)))
            .collect())
    }

    /// `DeleteInstanceProfile`: refused while it holds a role.
    pub fn delete_instance_profile(&self, account: AccountId, name: &str) -> Result<()> {
        self.mutate(|state| {
            let profile = find(state.account(account)?, name)?;
            if !profile.roles.is_empty() {
                return Err(Error::DeleteConflict(
                    "Cannot delete entity, must remove roles from instance profile first.".into(),
                ));
            }
            Ok((
                vec![Change::DeleteInstanceProfile(
                    account,
                    profile.common.name.to_lowercase(),
                )],
                (),
            ))
        })
    }

    /// `AddRoleToInstanceProfile`: a profile holds one role.
    pub fn add_role_to_instance_profile(
        &self,
        account: AccountId,
        name: &str,
        role: &str,
    ) -> Result<()> {
        self.mutate(|state| {
            let acct = state.account(account)?;
            let mut profile = find(acct, name)?.clone();
            let key = super::lookup::role(acct, role)?.common.name.to_lowercase();
            if profile.roles.len() >= ROLES_PER_INSTANCE_PROFILE {
                return Err(Error::LimitExceeded(format!(
                    "Cannot exceed quota for InstanceSessionsPerInstanceProfile: {ROLES_PER_INSTANCE_PROFILE}"
                )));
            }
            profile.roles.push(key);
            Ok((vec![Change::PutInstanceProfile(profile)], ()))
        })
    }

    /// `RemoveRoleFromInstanceProfile`.
    pub fn remove_role_from_instance_profile(
        &self,
        account: AccountId,
        name: &str,
        role: &str,
    ) -> Result<()> {
        self.mutate(|state| {
            let acct = state.account(account)?;
            let mut profile = find(acct, name)?.clone();
            let key = super::lookup::role(acct, role)?.common.name.to_lowercase();
            let before = profile.roles.len();
            profile.roles.retain(|r| *r != key);
            if profile.roles.len() == before {
                return Err(Error::NoSuchEntity(format!(
                    "The role with name {role} cannot be found."
                )));
            }
            Ok((vec![Change::PutInstanceProfile(profile)], ()))
        })
    }
}

/// The roles a profile holds, as they are now.
fn roles_of(acct: &AccountIam, profile: &InstanceProfile) -> Vec<Role> {
    profile
        .roles
        .iter()
        .filter_map(|r| acct.roles.get(r))
        .cloned()
        .collect()
}
