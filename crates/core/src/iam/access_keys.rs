//! Long-term access keys of users and root users.

use gatehouse_policy::AccountId;

use super::Iam;
use crate::entities::{AccessKey, KeyOwner, KeyStatus, now};
use crate::error::{Error, Result};
use crate::ids::{AccessKeyId, SecretAccessKey};
use crate::state::Change;

/// A key just created: the only time its secret is shown.
#[derive(Debug, Clone)]
pub struct CreatedAccessKey {
    /// The key record.
    pub key: AccessKey,
    /// The user name (`None` for the root user).
    pub user_name: Option<String>,
    /// The secret.
    pub secret: SecretAccessKey,
}

/// The owner a call names: a user, or the caller's own root user when no user is named.
fn owner(
    state: &crate::state::IamState,
    account: AccountId,
    user: Option<&str>,
) -> Result<(KeyOwner, Option<String>)> {
    match user {
        None => Ok((KeyOwner::Root(account), None)),
        Some(name) => {
            let u = super::lookup::user(state.account(account)?, name)?;
            Ok((
                KeyOwner::User {
                    account,
                    name_lower: name.to_lowercase(),
                    user_id: u.common.id.clone(),
                },
                Some(u.common.name.clone()),
            ))
        }
    }
}

fn key_not_found(id: &str) -> Error {
    Error::NoSuchEntity(format!("The Access Key with id {id} cannot be found."))
}

impl Iam {
    /// `CreateAccessKey` (at most two per owner).
    pub fn create_access_key(
        &self,
        account: AccountId,
        user: Option<&str>,
    ) -> Result<CreatedAccessKey> {
        self.mutate(|state| {
            let (owner, user_name) = owner(state, account, user)?;
            if state.keys.values().filter(|k| k.owner == owner).count() >= 2 {
                return Err(Error::LimitExceeded(
                    "Cannot exceed quota for AccessKeysPerUser: 2".into(),
                ));
            }
            let secret = SecretAccessKey::generate();
            let key = AccessKey {
                id: AccessKeyId::generate(false),
                owner,
                sealed_secret: self.seal_secret(&secret),
                status: KeyStatus::Active,
                created: now(),
                last_used: None,
            };
            Ok((
                vec![Change::PutKey(key.clone())],
                CreatedAccessKey {
                    key,
                    user_name,
                    secret,
                },
            ))
        })
    }

    /// `ListAccessKeys`: the owner's keys, oldest first, with the user name.
    pub fn list_access_keys(
        &self,
        account: AccountId,
        user: Option<&str>,
    ) -> Result<(Option<String>, Vec<AccessKey>)> {
        let state = self.state();
        let (owner, user_name) = owner(&state, account, user)?;
        let mut keys: Vec<AccessKey> = state
            .keys
            .values()
            .filter(|k| k.owner == owner)
            .cloned()
            .collect();
        keys.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
        Ok((user_name, keys))
    }

    /// `UpdateAccessKey`: activate or deactivate.
    pub fn update_access_key(
        &self,
        account: AccountId,
        user: Option<&str>,
        id: &str,
        status: KeyStatus,
    ) -> Result<()> {
        self.mutate(|state| {
            let (owner, _) = owner(state, account, user)?;
            let key = AccessKeyId::parse(id)
                .and_then(|id| state.keys.get(&id))
                .filter(|k| k.owner == owner)
                .ok_or_else(|| key_not_found(id))?;
            let mut key = key.clone();
            key.status = status;
            Ok((vec![Change::PutKey(key)], ()))
        })
    }

    /// `DeleteAccessKey`.
    pub fn delete_access_key(
        &self,
        account: AccountId,
        user: Option<&str>,
        id: &str,
    ) -> Result<()> {
        self.mutate(|state| {
            let (owner, _) = owner(state, account, user)?;
            let key = AccessKeyId::parse(id)
                .and_then(|id| state.keys.get(&id))
                .filter(|k| k.owner == owner)
                .ok_or_else(|| key_not_found(id))?;
            Ok((vec![Change::DeleteKey(key.id.clone())], ()))
        })
    }

    /// `GetAccessKeyLastUsed`: the key's owner name (`None` for root) and last use.
    pub fn access_key_last_used(
        &self,
        account: AccountId,
        id: &str,
    ) -> Result<(Option<String>, AccessKey)> {
        let state = self.state();
        let key = AccessKeyId::parse(id)
            .and_then(|id| state.keys.get(&id))
            .filter(|k| k.owner.account() == account);
        let key = key.ok_or_else(|| {
            Error::access_denied(format!("The Access Key with id {id} cannot be found."))
        })?;
        let user = match &key.owner {
            KeyOwner::Root(_) => None,
            KeyOwner::User { name_lower, .. } => state
                .accounts
                .get(&account)
                .and_then(|a| a.users.get(name_lower))
                .map(|u| u.common.name.clone()),
        };
        Ok((user, key.clone()))
    }
}
