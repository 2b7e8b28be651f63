//! The IAM directory: every account's entities in memory, written through to the store.
//!
//! Writers are serialized by one gate; a write computes its [`Change`]s against the current
//! state, commits them to the store (durably), then applies them to memory. Readers — every
//! authorization — never wait for the disk.

mod access_keys;
mod account_settings;
mod groups;
mod inline;
mod instance_profiles;
mod login_profiles;
mod lookup;
pub mod oidc_providers;
mod policies;
mod policy_tags;
mod principals;
mod roles;
pub mod saml_providers;
mod summary;
mod users;

use std::sync::Arc;

use gatehouse_policy::AccountId;
use gatehouse_store::Store;
use parking_lot::{Mutex, RwLock, RwLockReadGuard};

pub use access_keys::CreatedAccessKey;
pub use policies::{AttachTarget, ManagedPolicyRef, policy_name, policy_path, resolve_policy_arn};
pub use principals::PrincipalKind;
pub use roles::{CreateRole, RoleUpdate, effective_trust};

use crate::entities::{AccessKey, Account, KeyOwner, KeyStatus, Tag, now};
use crate::error::{Error, Result};
use crate::ids::{AccessKeyId, SecretAccessKey};
use crate::seal::Sealer;
use crate::state::{Change, IamState, encode};

/// An account to create (or keep) at start-up.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct AccountSpec {
    /// A readable name (`prod`).
    pub name: String,
    /// The 12-digit id.
    pub id: AccountId,
    /// A fixed root access key id (for CI); generated when absent.
    #[serde(default)]
    pub root_access_key_id: Option<String>,
    /// The fixed root secret that goes with `root_access_key_id`.
    #[serde(default)]
    pub root_secret_access_key: Option<String>,
}

/// What `ensure_account` did.
#[derive(Debug, Clone)]
pub struct AccountSetup {
    /// The account.
    pub account: Account,
    /// True when the account was created now.
    pub created: bool,
    /// A root key created now (its secret is shown once).
    pub new_root_key: Option<(AccessKeyId, SecretAccessKey)>,
}

/// The IAM directory.
pub struct Iam {
    /// Session tokens already opened: opening one costs an AEAD decryption and a JSON parse
    /// per request otherwise. Tokens are immutable, so entries never go stale; the map is
    /// cleared when it reaches its bound. Read-locked by lookups, so requests share it.
    sessions: RwLock<std::collections::HashMap<String, crate::credentials::Credential>>,
    /// Long-term secrets already opened, by key id; dropped whenever the key is written.
    secrets: Mutex<std::collections::HashMap<AccessKeyId, SecretAccessKey>>,
    state: RwLock<IamState>,
    writer: Mutex<()>,
    store: Arc<dyn Store>,
    sealer: Sealer,
}

impl std::fmt::Debug for Iam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Iam")
            .field("backend", &self.store.backend())
            .finish_non_exhaustive()
    }
}

/// How many managed policies one user, group or role may have attached.
pub(crate) const ATTACHED_POLICIES_QUOTA: usize = 20;

/// Inline-policy quotas per entity, as AWS counts them (whitespace excluded).
pub(crate) fn inline_quota(kind: &str) -> usize {
    match kind {
        "user" => 2048,
        "group" => 5120,
        _ => 10240,
    }
}

impl Iam {
    /// Loads the directory from `store`.
    pub fn open(store: Arc<dyn Store>, sealer: Sealer) -> Result<Self> {
        let state = IamState::load(store.as_ref())?;
        Ok(Self {
            sessions: RwLock::new(std::collections::HashMap::new()),
            secrets: Mutex::new(std::collections::HashMap::new()),
            state: RwLock::new(state),
            writer: Mutex::new(()),
            store,
            sealer,
        })
    }

    /// A read view of the whole state.
    pub fn state(&self) -> RwLockReadGuard<'_, IamState> {
        self.state.read()
    }

    /// The sealer (server key).
    pub fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    /// Runs a write: `plan` reads the state and returns the changes and a result; the changes
    /// are committed to the store, then applied to memory.
    pub(crate) fn mutate<T>(
        &self,
        plan: impl FnOnce(&IamState) -> Result<(Vec<Change>, T)>,
    ) -> Result<T> {
        let _gate = self.writer.lock();
        let (changes, out) = plan(&self.state.read())?;
        if !changes.is_empty() {
            self.store.commit(encode(&changes)?)?;
            // Lock order is state, then secrets, as readers take them.
            let mut state = self.state.write();
            let mut secrets = self.secrets.lock();
            for change in changes {
                if let Change::PutKey(AccessKey { id, .. }) | Change::DeleteKey(id) = &change {
                    secrets.remove(id);
                }
                state.apply(change);
            }
        }
        Ok(out)
    }

    /// Creates the account if it does not exist, and its root key: the fixed one of the spec,
    /// or a generated one when the account has no root key yet.
    pub fn ensure_account(&self, spec: &AccountSpec) -> Result<AccountSetup> {
        self.mutate(|state| {
            let mut changes = Vec::new();
            let existing = state.accounts.get(&spec.id).map(|a| a.account.clone());
            let created = existing.is_none();
            let account = existing.unwrap_or_else(|| Account {
                id: spec.id,
                name: spec.name.clone(),
                created: now(),
                alias: None,
                password_policy: None,
            });
            if created {
                changes.push(Change::PutAccount(account.clone()));
            }
            let has_root_key = state
                .keys
                .values()
                .any(|k| k.owner == KeyOwner::Root(spec.id));
            let mut new_root_key = None;
            match (&spec.root_access_key_id, &spec.root_secret_access_key) {
                (Some(id), Some(secret)) => {
                    let id = AccessKeyId::parse(id).ok_or_else(|| {
                        Error::InvalidInput(format!(
                            "account {}: invalid root_access_key_id {id:?}",
                            spec.name
                        ))
                    })?;
                    let existing = state.keys.get(&id);
                    if let Some(k) = existing
                        && k.owner != KeyOwner::Root(spec.id)
                    {
                        return Err(Error::InvalidInput(format!(
                            "access key {id} belongs to another principal"
                        )));
                    }
                    let sealed = self.seal_secret(&SecretAccessKey::new(secret.clone()));
                    let unchanged = existing.is_some_and(|k| {
                        self.open_secret(&k.sealed_secret)
                            .ok()
                            .as_ref()
                            .map(SecretAccessKey::expose)
                            == Some(secret.as_str())
                    });
                    if !unchanged {
                        changes.push(Change::PutKey(AccessKey {
                            id,
                            owner: KeyOwner::Root(spec.id),
                            sealed_secret: sealed,
                            status: KeyStatus::Active,
                            created: now(),
                            last_used: None,
                        }));
                    }
                }
                (None, None) if !has_root_key => {
                    let id = AccessKeyId::generate(false);
                    let secret = SecretAccessKey::generate();
                    changes.push(Change::PutKey(AccessKey {
                        id: id.clone(),
                        owner: KeyOwner::Root(spec.id),
                        sealed_secret: self.seal_secret(&secret),
                        status: KeyStatus::Active,
                        created: now(),
                        last_used: None,
                    }));
                    new_root_key = Some((id, secret));
                }
                (None, None) => {}
                _ => {
                    return Err(Error::InvalidInput(format!(
                        "account {}: root_access_key_id and root_secret_access_key go together",
                        spec.name
                    )));
                }
            }
            Ok((
                changes,
                AccountSetup {
                    account,
                    created,
                    new_root_key,
                },
            ))
        })
    }

    /// Seals a secret for storage.
    pub(crate) fn seal_secret(&self, secret: &SecretAccessKey) -> String {
        self.sealer
            .seal("access-key-secret", secret.expose().as_bytes())
    }

    /// Opens a stored secret.
    pub(crate) fn open_secret(&self, sealed: &str) -> Result<SecretAccessKey> {
        let plain = self.sealer.open("access-key-secret", sealed).map_err(|_| {
            Error::Internal("a stored secret does not open with this server key".into())
        })?;
        String::from_utf8(plain)
            .map(SecretAccessKey::new)
            .map_err(|e| Error::Internal(e.to_string()))
    }

    /// The plain secret of a long-term key, opened once and then kept in memory.
    pub(crate) fn long_term_secret(
        &self,
        id: &AccessKeyId,
        sealed: &str,
    ) -> Result<SecretAccessKey> {
        if let Some(secret) = self.secrets.lock().get(id) {
            return Ok(secret.clone());
        }
        let secret = self.open_secret(sealed)?;
        self.secrets.lock().insert(id.clone(), secret.clone());
        Ok(secret)
    }

    /// A session token opened before.
    pub(crate) fn cached_session(
        &self,
        token: &str,
        id: &AccessKeyId,
    ) -> Option<crate::credentials::Credential> {
        self.sessions
            .read()
            .get(token)
            .filter(|c| c.caller.access_key_id == *id)
            .cloned()
    }

    /// Remembers an opened session token.
    pub(crate) fn cache_session(&self, token: &str, cred: &crate::credentials::Credential) {
        const BOUND: usize = 16_384;
        let mut sessions = self.sessions.write();
        if sessions.len() >= BOUND {
            sessions.clear();
        }
        sessions.insert(token.to_owned(), cred.clone());
    }

    /// True when a long-term key's use for `service` was recorded in the last minute (then
    /// [`Iam::note_key_used`] has nothing to do).
    pub fn key_use_is_recent(&self, id: &AccessKeyId, service: &str) -> bool {
        self.state
            .read()
            .keys
            .get(id)
            .and_then(|k| k.last_used.as_ref())
            .is_some_and(|u| now().duration_since(u.at).as_secs() < 60 && u.service == service)
    }

    /// Records that a long-term key was used (best effort, at most once a minute per key).
    pub fn note_key_used(&self, id: &AccessKeyId, service: &str, region: &str) {
        if self.key_use_is_recent(id, service) {
            return;
        }
        let result = self.mutate(|state| {
            let Some(key) = state.keys.get(id) else {
                return Ok((vec![], ()));
            };
            let mut key = key.clone();
            key.last_used = Some(crate::entities::KeyLastUsed {
                at: now(),
                service: service.to_owned(),
                region: region.to_owned(),
            });
            Ok((vec![Change::PutKey(key)], ()))
        });
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record access key use");
        }
    }
}

/// Validates a list of tags: at most 50, unique keys, AWS's character rules.
pub(crate) fn check_tags(tags: &[Tag]) -> Result<()> {
    if tags.len() > 50 {
        return Err(Error::LimitExceeded(
            "The number of tags has reached the maximum limit.".into(),
        ));
    }
    for (i, t) in tags.iter().enumerate() {
        crate::validate::tag(&t.key, &t.value)?;
        if tags[..i].iter().any(|o| o.key.eq_ignore_ascii_case(&t.key)) {
            return Err(Error::InvalidInput(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.".into(),
            ));
        }
    }
    Ok(())
}

/// Merges `new` tags into `existing` (same key, any case, replaces).
pub(crate) fn merge_tags(existing: &mut Vec<Tag>, new: &[Tag]) {
    for t in new {
        match existing
            .iter_mut()
            .find(|e| e.key.eq_ignore_ascii_case(&t.key))
        {
            Some(e) => *e = t.clone(),
            None => existing.push(t.clone()),
        }
    }
}
