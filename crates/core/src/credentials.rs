//! Resolving the credentials of a request to a caller and the secret its signature must use.
//! Long-term keys are looked up by id (O(1)); session tokens are opened with the server key,
//! with no lookup at all.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::caller::{Caller, Identity, Session};
use crate::entities::{KeyOwner, KeyStatus};
use crate::error::{Error, Result};
use crate::iam::Iam;
use crate::ids::{AccessKeyId, SecretAccessKey};

/// A caller and the secret that signs its requests.
#[derive(Debug, Clone)]
pub struct Credential {
    /// Who.
    pub caller: Caller,
    /// The secret access key.
    pub secret: SecretAccessKey,
}

/// Temporary credentials just issued.
#[derive(Debug, Clone)]
pub struct IssuedCredentials {
    /// The `ASIA…` id.
    pub access_key_id: AccessKeyId,
    /// The secret.
    pub secret: SecretAccessKey,
    /// The session token.
    pub session_token: String,
    /// When they expire.
    pub expiration: Timestamp,
}

/// What a session token seals. The secret is not in it: it is derived from the server key
/// and the access key id, so services that see only the key id (S3's signer) can verify
/// signatures too.
#[derive(Serialize, Deserialize)]
struct SessionToken {
    identity: Identity,
    session: Session,
}

const TOKEN_PURPOSE: &str = "gatehouse-session-token-v1";

impl Iam {
    /// Resolves an access key id (and session token, for temporary keys) to a caller.
    pub fn resolve_credential(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
        now: Timestamp,
    ) -> Result<Credential> {
        let id = AccessKeyId::parse(access_key_id).ok_or(Error::InvalidClientTokenId)?;
        if id.is_temporary() {
            let token = session_token.ok_or(Error::InvalidClientTokenId)?;
            if let Some(cred) = self.cached_session(token, &id) {
                if now >= cred.caller.session.as_ref().map_or(now, |s| s.expires) {
                    return Err(Error::ExpiredToken);
                }
                return Ok(cred);
            }
            let plain = self
                .sealer()
                .open(TOKEN_PURPOSE, token)
                .map_err(|_| Error::InvalidClientTokenId)?;
            let sealed: SessionToken =
                serde_json::from_slice(&plain).map_err(|_| Error::InvalidClientTokenId)?;
            if sealed.session.access_key_id != id {
                return Err(Error::InvalidClientTokenId);
            }
            if now >= sealed.session.expires {
                return Err(Error::ExpiredToken);
            }
            let secret = self.temporary_secret(&id);
            let cred = Credential {
                caller: Caller {
                    identity: sealed.identity,
                    session: Some(sealed.session),
                    access_key_id: id,
                },
                secret,
            };
            self.cache_session(token, &cred);
            return Ok(cred);
        }
        let state = self.state();
        let key = state.keys.get(&id).ok_or(Error::InvalidClientTokenId)?;
        if key.status != KeyStatus::Active {
            return Err(Error::InvalidClientTokenId);
        }
        let identity = match &key.owner {
            KeyOwner::Root(account) => Identity::Root { account: *account },
            KeyOwner::User {
                account,
                name_lower,
                user_id,
            } => {
                let user = state
                    .accounts
                    .get(account)
                    .and_then(|a| a.users.get(name_lower))
                    .filter(|u| u.common.id == *user_id)
                    .ok_or(Error::InvalidClientTokenId)?;
                Identity::User {
                    account: *account,
                    name: user.common.name.clone(),
                    path: user.common.path.clone(),
                    user_id: user_id.clone(),
                }
            }
        };
        let secret = self.long_term_secret(&id, &key.sealed_secret)?;
        Ok(Credential {
            caller: Caller {
                identity,
                session: None,
                access_key_id: id,
            },
            secret,
        })
    }

    /// The secret of a temporary (`ASIA…`) access key, derived from the server key.
    pub fn temporary_secret(&self, id: &AccessKeyId) -> SecretAccessKey {
        use base64::Engine as _;
        let bytes = self
            .sealer()
            .derive("session-secret", id.as_str().as_bytes());
        SecretAccessKey::new(base64::engine::general_purpose::STANDARD.encode(&bytes[..30]))
    }

    /// Issues temporary credentials for `identity`, sealing `session` into the token.
    pub fn issue_session(
        &self,
        identity: Identity,
        mut session: Session,
    ) -> Result<IssuedCredentials> {
        let account = match &identity {
            Identity::Root { account }
            | Identity::User { account, .. }
            | Identity::Role { account, .. } => *account,
        };
        let access_key_id = AccessKeyId::generate_for(account, true);
        let secret = self.temporary_secret(&access_key_id);
        session.access_key_id = access_key_id.clone();
        let expiration = session.expires;
        let token = SessionToken { identity, session };
        let plain = serde_json::to_vec(&token).map_err(|e| Error::Internal(e.to_string()))?;
        let session_token = self.sealer().seal(TOKEN_PURPOSE, &plain);
        Ok(IssuedCredentials {
            access_key_id,
            secret,
            session_token,
            expiration,
        })
    }
}
