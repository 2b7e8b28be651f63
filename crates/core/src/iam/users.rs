//! IAM users: create, read, list, delete, inline policies, tags, permissions boundary.

use gatehouse_policy::AccountId;

use super::{Iam, check_tags};
use crate::entities::{EntityCommon, KeyOwner, Tag, User, now};
use crate::error::{Error, Result};
use crate::ids::{IdKind, new_unique_id};
use crate::state::{Change, IamState};
use crate::validate;

impl Iam {
    /// `CreateUser`.
    pub fn create_user(
        &self,
        account: AccountId,
        name: &str,
        path: Option<&str>,
        tags: Vec<Tag>,
        boundary: Option<&str>,
    ) -> Result<User> {
        validate::name("userName", name, 64)?;
        let path = path.unwrap_or("/");
        validate::path("path", path)?;
        check_tags(&tags)?;
        self.mutate(|state| {
            let acct = state.account(account)?;
            if acct.users.contains_key(&name.to_lowercase()) {
                return Err(Error::EntityAlreadyExists(format!(
                    "User with name {name} already exists."
                )));
            }
            let boundary = boundary
                .map(|arn| super::policies::check_boundary(state, account, arn))
                .transpose()?;
            let user = User {
                common: EntityCommon {
                    account,
                    name: name.to_owned(),
                    path: path.to_owned(),
                    id: new_unique_id(IdKind::User),
                    created: now(),
                },
                tags,
                boundary,
                inline: Default::default(),
                attached: Default::default(),
                groups: Default::default(),
                login_profile: None,
            };
            Ok((vec![Change::PutUser(user.clone())], user))
        })
    }

    /// `GetUser`.
    pub fn get_user(&self, account: AccountId, name: &str) -> Result<User> {
        super::lookup::user(self.state().account(account)?, name).cloned()
    }

    /// `ListUsers`, filtered by path prefix, in name order.
    pub fn list_users(&self, account: AccountId, path_prefix: Option<&str>) -> Result<Vec<User>> {
        if let Some(p) = path_prefix {
            validate::path_prefix("pathPrefix", p)?;
        }
        let state = self.state();
        Ok(state
            .account(account)?
            .users
            .values()
            .filter(|u| path_prefix.is_none_or(|p| u.common.path.starts_with(p)))
            .cloned()
            .collect())
    }

    /// `UpdateUser`: new name and/or path.
    pub fn update_user(
        &self,
        account: AccountId,
        name: &str,
        new_name: Option<&str>,
        new_path: Option<&str>,
    ) -> Result<()> {
        if let Some(n) = new_name {
            validate::name("newUserName", n, 64)?;
        }
        if let Some(p) = new_path {
            validate::path("newPath", p)?;
        }
        self.mutate(|state| {
            let acct = state.account(account)?;
            let mut user = super::lookup::user(acct, name)?.clone();
            let mut changes = Vec::new();
            if let Some(n) = new_name {
                if n.to_lowercase() != name.to_lowercase()
                    && acct.users.contains_key(&n.to_lowercase())
                {
                    return Err(Error::EntityAlreadyExists(format!(
                        "User with name {n} already exists."
                    )));
                }
                changes.push(Change::DeleteUser(account, name.to_lowercase()));
                // Access keys follow the user to its new name.
                for key in state.keys.values() {
                    if let KeyOwner::User {
                        account: a,
                        name_lower,
                        user_id,
                    } = &key.owner
                        && *a == account
                        && *name_lower == name.to_lowercase()
                    {
                        let mut key = key.clone();
                        key.owner = KeyOwner::User {
                            account,
                            name_lower: n.to_lowercase(),
                            user_id: user_id.clone(),
                        };
                        changes.push(Change::PutKey(key));
                    }
                }
                n.clone_into(&mut user.common.name);
            }
            if let Some(p) = new_path {
                p.clone_into(&mut user.common.path);
            }
            changes.push(Change::PutUser(user));
            Ok((changes, ()))
        })
    }

    /// `DeleteUser`: refused while the user has policies, keys or group memberships.
    pub fn delete_user(&self, account: AccountId, name: &str) -> Result<()> {
        self.mutate(|state| {
            let user = super::lookup::user(state.account(account)?, name)?;
            if !user.inline.is_empty() {
                return Err(Error::DeleteConflict(
                    "Cannot delete entity, must delete policies first.".into(),
                ));
            }
            if !user.attached.is_empty() {
                return Err(Error::DeleteConflict(
                    "Cannot delete entity, must detach all policies first.".into(),
                ));
            }
            if !user.groups.is_empty() {
                return Err(Error::DeleteConflict(
                    "Cannot delete entity, must remove users from group first.".into(),
                ));
            }
            if user_keys(state, account, user).next().is_some() {
                return Err(Error::DeleteConflict(
                    "Cannot delete entity, must delete access keys first.".into(),
                ));
            }
            if user.login_profile.is_some() {
                return Err(Error::DeleteConflict(
                    "Cannot delete entity, must delete login profile first.".into(),
                ));
            }
            Ok((vec![Change::DeleteUser(account, name.to_lowercase())], ()))
        })
    }
}

/// The access keys of `user`.
pub(crate) fn user_keys<'a>(
    state: &'a IamState,
    account: AccountId,
    user: &'a User,
) -> impl Iterator<Item = &'a crate::entities::AccessKey> {
    state.keys.values().filter(move |k| {
        matches!(&k.owner, KeyOwner::User { account: a, user_id, .. } if *a == account && *user_id == user.common.id)
    })
}
