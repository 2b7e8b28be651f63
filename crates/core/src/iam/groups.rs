//! IAM groups: membership and inline policies.

use gatehouse_policy::AccountId;

use super::Iam;
use crate::entities::{EntityCommon, Group, User, now};
use crate::error::{Error, Result};
use crate::ids::{IdKind, new_unique_id};
use crate::state::Change;
use crate::validate;

impl Iam {
    /// `CreateGroup`.
    pub fn create_group(
        &self,
        account: AccountId,
        name: &str,
        path: Option<&str>,
    ) -> Result<Group> {
        validate::name("groupName", name, 128)?;
        let path = path.unwrap_or("/");
        validate::path("path", path)?;
        self.mutate(|state| {
            if state
                .account(account)?
                .groups
                .contains_key(&name.to_lowercase())
            {
                return Err(Error::EntityAlreadyExists(format!(
                    "Group with name {name} already exists."
                )));
            }
            let group = Group {
                common: EntityCommon {
                    account,
                    name: name.to_owned(),
                    path: path.to_owned(),
                    id: new_unique_id(IdKind::Group),
                    created: now(),
                },
                inline: Default::default(),
                attached: Default::default(),
            };
            Ok((vec![Change::PutGroup(group.clone())], group))
        })
    }

    /// `GetGroup`: the group and its members.
    pub fn get_group(&self, account: AccountId, name: &str) -> Result<(Group, Vec<User>)> {
        let state = self.state();
        let acct = state.account(account)?;
        let group = super::lookup::group(acct, name)?.clone();
        let key = name.to_lowercase();
        let members = acct
            .users
            .values()
            .filter(|u| u.groups.contains(&key))
            .cloned()
            .collect();
        Ok((group, members))
    }

    /// `ListGroups`.
    pub fn list_groups(&self, account: AccountId, path_prefix: Option<&str>) -> Result<Vec<Group>> {
        if let Some(p) = path_prefix {
            validate::path_prefix("pathPrefix", p)?;
        }
        let state = self.state();
        Ok(state
            .account(account)?
            .groups
            .values()
            .filter(|g| path_prefix.is_none_or(|p| g.common.path.starts_with(p)))
            .cloned()
            .collect())
    }

    /// `ListGroupsForUser`.
    pub fn list_groups_for_user(&self, account: AccountId, user: &str) -> Result<Vec<Group>> {
        let state = self.state();
        let acct = state.account(account)?;
        let u = super::lookup::user(acct, user)?;
        Ok(u.groups
            .iter()
            .filter_map(|g| acct.groups.get(g))
            .cloned()
            .collect())
    }

    /// `UpdateGroup`: a new name (members follow it) and/or a new path.
    pub fn update_group(
        &self,
        account: AccountId,
        name: &str,
        new_name: Option<&str>,
        new_path: Option<&str>,
    ) -> Result<()> {
        if let Some(n) = new_name {
            validate::name("newGroupName", n, 128)?;
        }
        if let Some(p) = new_path {
            validate::path("newPath", p)?;
        }
        self.mutate(|state| {
            let acct = state.account(account)?;
            let mut group = super::lookup::group(acct, name)?.clone();
            let old_key = name.to_lowercase();
            let mut changes = Vec::new();
            if let Some(n) = new_name {
                let new_key = n.to_lowercase();
                if new_key != old_key && acct.groups.contains_key(&new_key) {
                    return Err(Error::EntityAlreadyExists(format!(
                        "Group with name {n} already exists."
                    )));
                }
                changes.push(Change::DeleteGroup(account, old_key.clone()));
                // Membership is recorded on the users: it follows the group to its new name.
                for user in acct.users.values().filter(|u| u.groups.contains(&old_key)) {
                    let mut user = user.clone();
                    user.groups.remove(&old_key);
                    user.groups.insert(new_key.clone());
                    changes.push(Change::PutUser(user));
                }
                n.clone_into(&mut group.common.name);
            }
            if let Some(p) = new_path {
                p.clone_into(&mut group.common.path);
            }
            changes.push(Change::PutGroup(group));
            Ok((changes, ()))
        })
    }

    /// `DeleteGroup`: refused while it has members or policies.
    pub fn delete_group(&self, account: AccountId, name: &str) -> Result<()> {
        self.mutate(|state| {
            let acct = state.account(account)?;
            let group = super::lookup::group(acct, name)?;
            let key = name.to_lowercase();
            if acct.users.values().any(|u| u.groups.contains(&key)) {
                return Err(Error::DeleteConflict(
                    "Cannot delete entity, must remove users from group first.".into(),
                ));
            }
            if !group.inline.is_empty() {
                return Err(Error::DeleteConflict(
                    "Cannot delete entity, must delete policies first.".into(),
                ));
            }
            if !group.attached.is_empty() {
                return Err(Error::DeleteConflict(
                    "Cannot delete entity, must detach all policies first.".into(),
                ));
            }
            Ok((vec![Change::DeleteGroup(account, key)], ()))
        })
    }

    /// `AddUserToGroup`.
    pub fn add_user_to_group(&self, account: AccountId, group: &str, user: &str) -> Result<()> {
        self.mutate(|state| {
            let acct = state.account(account)?;
            let g = super::lookup::group(acct, group)?;
            let mut u = super::lookup::user(acct, user)?.clone();
            if u.groups.len() >= 10 && !u.groups.contains(&g.common.name.to_lowercase()) {
                return Err(Error::LimitExceeded(
                    "Cannot exceed quota for GroupsPerUser: 10".into(),
                ));
            }
            u.groups.insert(g.common.name.to_lowercase());
            Ok((vec![Change::PutUser(u)], ()))
        })
    }

    /// `RemoveUserFromGroup`.
    pub fn remove_user_from_group(
        &self,
        account: AccountId,
        group: &str,
        user: &str,
    ) -> Result<()> {
        self.mutate(|state| {
            let acct = state.account(account)?;
            super::lookup::group(acct, group)?;
            let mut u = super::lookup::user(acct, user)?.clone();
            if !u.groups.remove(&group.to_lowercase()) {
                return Err(Error::NoSuchEntity(format!(
                    "The user with name {user} cannot be found."
                )));
            }
            Ok((vec![Change::PutUser(u)], ()))
        })
    }
}
