//! Authentication hooks for s3s: the signing secret of an access key, and the checks s3s
//! leaves to us — the session token of temporary keys, presigned-URL lifetime, `SigV2` — after
//! which the resolved caller rides along in the request's extensions.

use std::cell::RefCell;
use std::sync::Arc;

use gatehouse_core::{Caller, Credential, Error as CoreError, Iam};
use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::{S3Auth, SecretKey};
use s3s::{S3Result, s3_error};

tokio::task_local! {
    /// The long-term credential the signature check of this request resolved, for the access
    /// check to take instead of resolving it again.
    static RESOLVED: RefCell<Option<Credential>>;
}

/// Runs `request` (one S3 request through s3s) with room for the credential its signature
/// check resolves, so that the credential is resolved once per request.
pub async fn resolving_once<F: std::future::Future>(request: F) -> F::Output {
    RESOLVED.scope(RefCell::new(None), request).await
}

/// Who is calling, resolved once per request; `None` for anonymous requests.
#[derive(Debug, Clone)]
pub struct S3Caller(pub Option<Caller>);

/// How the request was signed, for `s3:authType` and `s3:signatureversion`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedBy {
    /// The `Authorization` header.
    Header,
    /// Presigned query parameters.
    QueryString,
    /// Not signed.
    Anonymous,
}

/// Gives s3s the secret of an access key: long-term keys from IAM, temporary keys derived
/// from the server key (their session token is checked in [`GatehouseAccess`]).
#[derive(Debug, Clone)]
pub struct GatehouseAuth {
    /// The IAM directory.
    pub iam: Arc<Iam>,
}

#[async_trait::async_trait]
impl S3Auth for GatehouseAuth {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        let unknown = || {
            s3_error!(
                InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records."
            )
        };
        let id = gatehouse_core::AccessKeyId::parse(access_key).ok_or_else(unknown)?;
        if id.is_temporary() {
            return Ok(SecretKey::from(self.iam.temporary_secret(&id).expose()));
        }
        // Long-term key: resolving also checks it is active and its user still exists.
        match self
            .iam
            .resolve_credential(access_key, None, jiff::Timestamp::now())
        {
            Ok(cred) => {
                let secret = SecretKey::from(cred.secret.expose());
                // Outside `resolving_once` there is no slot, and the access check resolves.
                let _ = RESOLVED.try_with(|slot| *slot.borrow_mut() = Some(cred));
                Ok(secret)
            }
            Err(_) => Err(unknown()),
        }
    }
}

/// Checks what s3s does not, and resolves the caller.
#[derive(Debug, Clone)]
pub struct GatehouseAccess {
    /// The IAM directory.
    pub iam: Arc<Iam>,
    /// The server's region, recorded as where long-term keys were last used.
    pub region: String,
}

/// A query parameter of a URI, percent-decoded.
pub fn query_param(uri: &http::Uri, name: &str) -> Option<String> {
    uri.query()?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

#[async_trait::async_trait]
impl S3Access for GatehouseAccess {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let operation = crate::operations::operation(cx.s3_op().name());
        if let Some(notes) = cx.extensions_mut().get::<crate::authz_log::AuthzNotes>() {
            notes.set_operation(operation);
        }
        let headers = cx.headers();
        let uri = cx.uri();
        let sigv2 = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("AWS "))
            || query_param(uri, "AWSAccessKeyId").is_some();
        if sigv2 {
            return Err(s3_error!(
                InvalidRequest,
                "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
            ));
        }
        let presigned = query_param(uri, "X-Amz-Signature").is_some();
        if let Some(expires) = query_param(uri, "X-Amz-Expires") {
            let ok = expires.parse::<u64>().is_ok_and(|s| s <= 604_800);
            if !ok {
                return Err(s3_error!(
                    AuthorizationQueryParametersError,
                    "X-Amz-Expires must be less than a week (in seconds) that is 604800"
                ));
            }
        }
        let token = headers
            .get("x-amz-security-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| query_param(uri, "X-Amz-Security-Token"));
        let signed_by = match (cx.credentials().is_some(), presigned) {
            (false, _) => SignedBy::Anonymous,
            (true, true) => SignedBy::QueryString,
            (true, false) => SignedBy::Header,
        };
        let resolved = RESOLVED
            .try_with(|slot| slot.borrow_mut().take())
            .ok()
            .flatten();
        let caller = match cx.credentials() {
            None => None,
            // The signature check resolved this long-term key a moment ago.
            Some(creds)
                if token.is_none()
                    && resolved
                        .as_ref()
                        .is_some_and(|r| r.caller.access_key_id.as_str() == creds.access_key) =>
            {
                resolved.map(|r| r.caller)
            }
            Some(creds) => match self.iam.resolve_credential(
                &creds.access_key,
                token.as_deref(),
                jiff::Timestamp::now(),
            ) {
                Ok(cred) => Some(cred.caller),
                Err(CoreError::ExpiredToken) => {
                    return Err(s3_error!(ExpiredToken, "The provided token has expired."));
                }
                Err(_) if token.is_some() => {
                    return Err(s3_error!(
                        InvalidToken,
                        "The provided token is malformed or otherwise invalid."
                    ));
                }
                Err(_) => {
                    return Err(s3_error!(
                        InvalidAccessKeyId,
                        "The AWS Access Key Id you provided does not exist in our records."
                    ));
                }
            },
        };
        if let Some(c) = &caller
            && !c.access_key_id.is_temporary()
            && !self.iam.key_use_is_recent(&c.access_key_id, "s3")
        {
            let iam = self.iam.clone();
            let id = c.access_key_id.clone();
            let region = self.region.clone();
            tokio::task::spawn_blocking(move || iam.note_key_used(&id, "s3", &region));
        }
        if let Some(notes) = cx.extensions_mut().get::<crate::authz_log::AuthzNotes>() {
            notes.set_principal(
                caller
                    .as_ref()
                    .map_or_else(|| "anonymous".to_owned(), Caller::arn),
            );
        }
        cx.extensions_mut().insert(S3Caller(caller));
        cx.extensions_mut().insert(signed_by);
        Ok(())
    }
}
