//! The in-memory model of every account's IAM entities, the changes that modify it, and how
//! changes and entities are stored. Reads (every authorization) are served from memory;
//! writes are committed to the store first and applied to memory after.

use std::collections::{BTreeMap, HashMap};

use gatehouse_policy::AccountId;
use gatehouse_store::{Batch, KeyRange, Store, Table};

use crate::entities::{
    AccessKey, Account, Group, InstanceProfile, ManagedPolicy, OidcProvider, Role, SamlProvider,
    User,
};
use crate::error::{Error, Result};
use crate::ids::AccessKeyId;

/// One account's IAM entities, keyed by lower-cased name (names are unique case-insensitively).
#[derive(Debug, Clone)]
pub struct AccountIam {
    /// The account.
    pub account: Account,
    /// Users.
    pub users: BTreeMap<String, User>,
    /// Groups.
    pub groups: BTreeMap<String, Group>,
    /// Roles.
    pub roles: BTreeMap<String, Role>,
    /// Customer-managed policies.
    pub policies: BTreeMap<String, ManagedPolicy>,
    /// Instance profiles.
    pub instance_profiles: BTreeMap<String, InstanceProfile>,
    /// `OpenID` Connect providers, by URL (without `https://`).
    pub oidc_providers: BTreeMap<String, OidcProvider>,
    /// SAML providers, by name (names are case-sensitive).
    pub saml_providers: BTreeMap<String, SamlProvider>,
}

impl AccountIam {
    fn new(account: Account) -> Self {
        Self {
            account,
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            roles: BTreeMap::new(),
            policies: BTreeMap::new(),
            instance_profiles: BTreeMap::new(),
            oidc_providers: BTreeMap::new(),
            saml_providers: BTreeMap::new(),
        }
    }
}

/// Everything IAM knows.
#[derive(Debug, Clone, Default)]
pub struct IamState {
    /// Accounts by id.
    pub accounts: BTreeMap<AccountId, AccountIam>,
    /// Long-term access keys by id.
    pub keys: HashMap<AccessKeyId, AccessKey>,
}

/// One modification of the state.
#[derive(Debug, Clone)]
pub enum Change {
    /// Create or replace an account record.
    PutAccount(Account),
    /// Create or replace a user.
    PutUser(User),
    /// Delete a user by lower-cased name.
    DeleteUser(AccountId, String),
    /// Create or replace a group.
    PutGroup(Group),
    /// Delete a group by lower-cased name.
    DeleteGroup(AccountId, String),
    /// Create or replace a role.
    PutRole(Role),
    /// Delete a role by lower-cased name.
    DeleteRole(AccountId, String),
    /// Create or replace a managed policy.
    PutPolicy(ManagedPolicy),
    /// Delete a managed policy by lower-cased name.
    DeletePolicy(AccountId, String),
    /// Create or replace an instance profile.
    PutInstanceProfile(InstanceProfile),
    /// Delete an instance profile by lower-cased name.
    DeleteInstanceProfile(AccountId, String),
    /// Create or replace an `OpenID` Connect provider.
    PutOidcProvider(OidcProvider),
    /// Delete an `OpenID` Connect provider by URL.
    DeleteOidcProvider(AccountId, String),
    /// Create or replace a SAML provider.
    PutSamlProvider(SamlProvider),
    /// Delete a SAML provider by name.
    DeleteSamlProvider(AccountId, String),
    /// Create or replace an access key.
    PutKey(AccessKey),
    /// Delete an access key.
    DeleteKey(AccessKeyId),
}

fn lower(name: &str) -> String {
    name.to_lowercase()
}

fn entity_key(account: AccountId, kind: char, name_lower: &str) -> Vec<u8> {
    format!("a/{account}/{kind}/{name_lower}").into_bytes()
}

fn account_key(account: AccountId) -> Vec<u8> {
    format!("a/{account}").into_bytes()
}

fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::Internal(e.to_string()))
}

impl Change {
    /// Adds this change's store writes to `batch`.
    fn encode(&self, batch: Batch) -> Result<Batch> {
        Ok(match self {
            Change::PutAccount(a) => batch.put(Table::Iam, account_key(a.id), json(a)?),
            Change::PutUser(u) => batch.put(
                Table::Iam,
                entity_key(u.common.account, 'u', &lower(&u.common.name)),
                json(u)?,
            ),
            Change::DeleteUser(a, n) => batch.delete(Table::Iam, entity_key(*a, 'u', n)),
            Change::PutGroup(g) => batch.put(
                Table::Iam,
                entity_key(g.common.account, 'g', &lower(&g.common.name)),
                json(g)?,
            ),
            Change::DeleteGroup(a, n) => batch.delete(Table::Iam, entity_key(*a, 'g', n)),
            Change::PutRole(r) => batch.put(
                Table::Iam,
                entity_key(r.common.account, 'r', &lower(&r.common.name)),
                json(r)?,
            ),
            Change::DeleteRole(a, n) => batch.delete(Table::Iam, entity_key(*a, 'r', n)),
            Change::PutPolicy(p) => batch.put(
                Table::Iam,
                entity_key(p.common.account, 'p', &lower(&p.common.name)),
                json(p)?,
            ),
            Change::DeletePolicy(a, n) => batch.delete(Table::Iam, entity_key(*a, 'p', n)),
            Change::PutInstanceProfile(i) => batch.put(
                Table::Iam,
                entity_key(i.common.account, 'i', &lower(&i.common.name)),
                json(i)?,
            ),
            Change::DeleteInstanceProfile(a, n) => batch.delete(Table::Iam, entity_key(*a, 'i', n)),
            Change::PutOidcProvider(o) => {
                batch.put(Table::Iam, entity_key(o.account, 'o', &o.url), json(o)?)
            }
            Change::DeleteOidcProvider(a, url) => {
                batch.delete(Table::Iam, entity_key(*a, 'o', url))
            }
            Change::PutSamlProvider(p) => batch.put(
                Table::Iam,
                entity_key(p.common.account, 's', &p.common.name),
                json(p)?,
            ),
            Change::DeleteSamlProvider(a, n) => batch.delete(Table::Iam, entity_key(*a, 's', n)),
            Change::PutKey(k) => batch.put(
                Table::AccessKeys,
                k.id.as_str().as_bytes().to_vec(),
                json(k)?,
            ),
            Change::DeleteKey(id) => {
                batch.delete(Table::AccessKeys, id.as_str().as_bytes().to_vec())
            }
        })
    }
}

impl IamState {
    /// The account's entities.
    pub fn account(&self, id: AccountId) -> Result<&AccountIam> {
        self.accounts
            .get(&id)
            .ok_or_else(|| Error::Internal(format!("account {id} is not known")))
    }

    /// Applies one change to memory.
    pub fn apply(&mut self, change: Change) {
        match change {
            Change::PutAccount(a) => {
                let id = a.id;
                self.accounts
                    .entry(id)
                    .and_modify(|e| e.account = a.clone())
                    .or_insert_with(|| AccountIam::new(a));
            }
            Change::PutUser(u) => {
                if let Some(acct) = self.accounts.get_mut(&u.common.account) {
                    acct.users.insert(lower(&u.common.name), u);
                }
            }
            Change::DeleteUser(a, n) => {
                if let Some(acct) = self.accounts.get_mut(&a) {
                    acct.users.remove(&n);
                }
            }
            Change::PutGroup(g) => {
                if let Some(acct) = self.accounts.get_mut(&g.common.account) {
                    acct.groups.insert(lower(&g.common.name), g);
                }
            }
            Change::DeleteGroup(a, n) => {
                if let Some(acct) = self.accounts.get_mut(&a) {
                    acct.groups.remove(&n);
                }
            }
            Change::PutRole(r) => {
                if let Some(acct) = self.accounts.get_mut(&r.common.account) {
                    acct.roles.insert(lower(&r.common.name), r);
                }
            }
            Change::DeleteRole(a, n) => {
                if let Some(acct) = self.accounts.get_mut(&a) {
                    acct.roles.remove(&n);
                }
            }
            Change::PutPolicy(p) => {
                if let Some(acct) = self.accounts.get_mut(&p.common.account) {
                    acct.policies.insert(lower(&p.common.name), p);
                }
            }
            Change::PutInstanceProfile(i) => {
                if let Some(acct) = self.accounts.get_mut(&i.common.account) {
                    acct.instance_profiles.insert(lower(&i.common.name), i);
                }
            }
            Change::DeleteInstanceProfile(a, n) => {
                if let Some(acct) = self.accounts.get_mut(&a) {
                    acct.instance_profiles.remove(&n);
                }
            }
            Change::PutOidcProvider(o) => {
                if let Some(acct) = self.accounts.get_mut(&o.account) {
                    acct.oidc_providers.insert(o.url.clone(), o);
                }
            }
            Change::DeleteOidcProvider(a, url) => {
                if let Some(acct) = self.accounts.get_mut(&a) {
                    acct.oidc_providers.remove(&url);
                }
            }
            Change::PutSamlProvider(p) => {
                if let Some(acct) = self.accounts.get_mut(&p.common.account) {
                    acct.saml_providers.insert(p.common.name.clone(), p);
                }
            }
            Change::DeleteSamlProvider(a, n) => {
                if let Some(acct) = self.accounts.get_mut(&a) {
                    acct.saml_providers.remove(&n);
                }
            }
            Change::DeletePolicy(a, n) => {
                if let Some(acct) = self.accounts.get_mut(&a) {
                    acct.policies.remove(&n);
                }
            }
            Change::PutKey(k) => {
                self.keys.insert(k.id.clone(), k);
            }
            Change::DeleteKey(id) => {
                self.keys.remove(&id);
            }
        }
    }

    /// Reads the whole state from the store.
    pub fn load(store: &dyn Store) -> Result<Self> {
        let mut state = IamState::default();
        let parse_err = |what: &str, e: serde_json::Error| {
            Error::Internal(format!("stored {what} does not read: {e}"))
        };
        let mut after: Option<Vec<u8>> = None;
        loop {
            let range = match &after {
                None => KeyRange::all(),
                Some(k) => KeyRange {
                    start: std::ops::Bound::Excluded(k.clone()),
                    end: std::ops::Bound::Unbounded,
                },
            };
            let page = store.scan(Table::Iam, &range, 1000)?;
            if page.is_empty() {
                break;
            }
            for (key, value) in &page {
                let key_text = String::from_utf8_lossy(key);
                let parts: Vec<&str> = key_text.splitn(4, '/').collect();
                let change = match parts.as_slice() {
                    ["a", _] => Change::PutAccount(
                        serde_json::from_slice(value).map_err(|e| parse_err("account", e))?,
                    ),
                    ["a", _, "u", _] => Change::PutUser(
                        serde_json::from_slice(value).map_err(|e| parse_err("user", e))?,
                    ),
                    ["a", _, "g", _] => Change::PutGroup(
                        serde_json::from_slice(value).map_err(|e| parse_err("group", e))?,
                    ),
                    ["a", _, "r", _] => Change::PutRole(
                        serde_json::from_slice(value).map_err(|e| parse_err("role", e))?,
                    ),
                    ["a", _, "p", _] => Change::PutPolicy(
                        serde_json::from_slice(value).map_err(|e| parse_err("policy", e))?,
                    ),
                    ["a", _, "s", _] => Change::PutSamlProvider(
                        serde_json::from_slice(value).map_err(|e| parse_err("SAML provider", e))?,
                    ),
                    ["a", _, "o", _] => Change::PutOidcProvider(
                        serde_json::from_slice(value).map_err(|e| parse_err("OIDC provider", e))?,
                    ),
                    ["a", _, "i", _] => Change::PutInstanceProfile(
                        serde_json::from_slice(value)
                            .map_err(|e| parse_err("instance profile", e))?,
                    ),
                    _ => {
                        return Err(Error::Internal(format!(
                            "unexpected key {key_text} in the iam table"
                        )));
                    }
                };
                state.apply(change);
            }
            after = page.last().map(|(k, _)| k.clone());
        }
        let mut after: Option<Vec<u8>> = None;
        loop {
            let range = match &after {
                None => KeyRange::all(),
                Some(k) => KeyRange {
                    start: std::ops::Bound::Excluded(k.clone()),
                    end: std::ops::Bound::Unbounded,
                },
            };
            let page = store.scan(Table::AccessKeys, &range, 1000)?;
            if page.is_empty() {
                break;
            }
            for (_, value) in &page {
                let key: AccessKey =
                    serde_json::from_slice(value).map_err(|e| parse_err("access key", e))?;
                state.apply(Change::PutKey(key));
            }
            after = page.last().map(|(k, _)| k.clone());
        }
        Ok(state)
    }
}

/// Encodes changes as one atomic batch.
pub fn encode(changes: &[Change]) -> Result<Batch> {
    changes
        .iter()
        .try_fold(Batch::new(), |batch, c| c.encode(batch))
}
