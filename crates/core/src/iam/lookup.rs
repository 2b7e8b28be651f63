//! Finding users, groups and roles by name, with AWS's parameter checks and `NoSuchEntity`
//! messages: the lookups every IAM module shares.

use crate::entities::{Group, Role, User};
use crate::error::{Error, Result};
use crate::state::AccountIam;

/// `NoSuchEntity` for a user name.
pub(crate) fn no_such_user(name: &str) -> Error {
    Error::NoSuchEntity(format!("The user with name {name} cannot be found."))
}

/// The user `name` of `account`.
pub(crate) fn user<'a>(acct: &'a AccountIam, name: &str) -> Result<&'a User> {
    // Parameter constraints are checked before the lookup, as AWS does (existing user names may
    // be up to 128 characters in the model, new ones 64).
    crate::validate::name("userName", name, 128)?;
    acct.users
        .get(&name.to_lowercase())
        .ok_or_else(|| no_such_user(name))
}

/// `NoSuchEntity` for a role name.
pub(crate) fn no_such_role(name: &str) -> Error {
    Error::NoSuchEntity(format!("The role with name {name} cannot be found."))
}

/// The role `name` of `acct`.
pub(crate) fn role<'a>(acct: &'a AccountIam, name: &str) -> Result<&'a Role> {
    // Parameter constraints are checked before the lookup, as AWS does.
    crate::validate::name("roleName", name, 64)?;
    acct.roles
        .get(&name.to_lowercase())
        .ok_or_else(|| no_such_role(name))
}

/// The group `name` of `acct`.
pub(crate) fn group<'a>(acct: &'a AccountIam, name: &str) -> Result<&'a Group> {
    // Parameter constraints are checked before the lookup, as AWS does.
    crate::validate::name("groupName", name, 128)?;
    acct.groups
        .get(&name.to_lowercase())
        .ok_or_else(|| Error::NoSuchEntity(format!("The group with name {name} cannot be found.")))
}
