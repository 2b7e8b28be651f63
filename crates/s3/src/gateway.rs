//! The S3 service: shared state, the bucket cache, and how every operation is authorized —
//! the caller's policies and the bucket policy together, with S3's request context keys.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use crate::error::{internal, no_such_bucket, store_error};
use gatehouse_core::authorizer::AuthzRequest;
use gatehouse_core::{Caller, Iam};
use gatehouse_policy::{AccountId, ContextValue, MessageStyle, Policy, PolicyKind, RequestContext};
use gatehouse_store::{Store, StoreError, Table};
use parking_lot::RwLock;
use s3s::{S3Error, S3ErrorCode, S3Request, S3Result};

use crate::access::{S3Caller, SignedBy};
use crate::authz_log::AuthzNotes;
use crate::model::blob::BlobStore;
use crate::model::meta::{self, Bucket};
use crate::model::object_cache::ObjectCache;
use gatehouse_core::operation::Operation;

/// The client's address, put in the request's extensions by the HTTP server.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub SocketAddr);

/// A bucket with its compiled policy, as kept in memory.
#[derive(Debug)]
pub struct CachedBucket {
    /// The stored record.
    pub bucket: Bucket,
    /// The compiled bucket policy.
    pub policy: Option<Policy>,
}

/// The S3 data plane.
pub struct Gateway {
    pub(crate) iam: Arc<Iam>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) blobs: BlobStore,
    pub(crate) region: String,
    buckets: RwLock<HashMap<String, Arc<CachedBucket>>>,
    /// Recently read object records; every object write goes through
    /// [`Gateway::commit_objects`], which keeps it true.
    pub(crate) objects: Arc<ObjectCache>,
    /// Serialize versioned writes to one key (the `records` module takes them).
    pub(crate) key_locks: Arc<crate::model::key_locks::KeyLocks>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// What every handler needs to know about its request.
#[derive(Debug, Clone)]
pub struct RequestInfo {
    /// The caller (`None`: anonymous).
    pub caller: Option<Caller>,
    /// Network and S3 keys common to every S3 action.
    pub context: RequestContext,
    /// Where authorizations are noted for the request's log line.
    pub notes: Option<AuthzNotes>,
    /// The HTTP method (errors about delete markers name it).
    pub method: http::Method,
    /// The request's operation, from the table, as the access hook recorded it.
    pub operation: Option<&'static Operation>,
}

impl RequestInfo {
    /// The IAM action the request's operation is authorized as, from the operation table.
    pub(crate) fn action(&self) -> S3Result<&'static str> {
        self.operation
            .map(|o| o.action)
            .ok_or_else(|| internal("the request's operation was not recorded"))
    }
}

impl Gateway {
    /// A gateway over `store` and the blob directory `blobs`.
    pub fn new(iam: Arc<Iam>, store: Arc<dyn Store>, blobs: BlobStore, region: String) -> Self {
        Self {
            iam,
            store,
            blobs,
            region,
            buckets: RwLock::new(HashMap::new()),
            objects: Arc::new(ObjectCache::new(crate::model::object_cache::DEFAULT_BUDGET)),
            key_locks: Arc::new(crate::model::key_locks::KeyLocks::new()),
        }
    }

    /// Runs blocking store work off the async workers.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    ) -> S3Result<T> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(store.as_ref()))
            .await
            .map_err(internal)?
            .map_err(store_error)
    }

    /// The bucket `name`, from the cache or the store.
    pub(crate) async fn bucket(&self, name: &str) -> S3Result<Arc<CachedBucket>> {
        if let Some(b) = self.buckets.read().get(name) {
            return Ok(b.clone());
        }
        let key = name.as_bytes().to_vec();
        let found: Option<Bucket> = self
            .blocking(move |s| meta::get(s, Table::Buckets, &key))
            .await?;
        let bucket = found.ok_or_else(|| no_such_bucket(name))?;
        let cached = Arc::new(Self::compile(bucket));
        self.buckets.write().insert(name.to_owned(), cached.clone());
        Ok(cached)
    }

    fn compile(bucket: Bucket) -> CachedBucket {
        let policy = bucket
            .policy
            .as_deref()
            .and_then(|p| Policy::parse(p, PolicyKind::Bucket).ok())
            .map(|p| p.named("bucket policy"));
        CachedBucket { bucket, policy }
    }

    /// Replaces (or removes) a bucket in the cache after a committed change.
    pub(crate) fn cache_bucket(&self, name: &str, bucket: Option<Bucket>) {
        let mut cache = self.buckets.write();
        match bucket {
            Some(b) => {
                cache.insert(name.to_owned(), Arc::new(Self::compile(b)));
            }
            None => {
                cache.remove(name);
            }
        }
    }

    /// The caller and common context keys of a request.
    pub(crate) fn info<T>(&self, req: &S3Request<T>) -> RequestInfo {
        let notes = req.extensions.get::<AuthzNotes>();
        let caller = req.extensions.get::<S3Caller>().and_then(|c| c.0.clone());
        let mut ctx = RequestContext::new();
        if let Some(ClientAddr(addr)) = req.extensions.get::<ClientAddr>() {
            ctx.insert("aws:SourceIp", addr.ip().to_canonical().to_string());
        }
        let secure = req
            .headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"));
        ctx.insert("aws:SecureTransport", if secure { "true" } else { "false" });
        ctx.insert("aws:RequestedRegion", self.region.as_str());
        ctx.insert("aws:ViaAWSService", "false");
        if let Some(ua) = req
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
        {
            ctx.insert("aws:UserAgent", ua);
        }
        if let Some(r) = req
            .headers
            .get(http::header::REFERER)
            .and_then(|v| v.to_str().ok())
        {
            ctx.insert("aws:referer", r);
        }
        match req.extensions.get::<SignedBy>() {
            Some(SignedBy::Header) => {
                ctx.insert("s3:authType", "REST-HEADER");
                ctx.insert("s3:signatureversion", "AWS4-HMAC-SHA256");
            }
            Some(SignedBy::QueryString) => {
                ctx.insert("s3:authType", "REST-QUERY-STRING");
                ctx.insert("s3:signatureversion", "AWS4-HMAC-SHA256");
            }
            _ => {}
        }
        if let Some(sha) = req
            .headers
            .get("x-amz-content-sha256")
            .and_then(|v| v.to_str().ok())
        {
            ctx.insert("s3:x-amz-content-sha256", sha);
        }
        RequestInfo {
            caller,
            context: ctx,
            operation: notes.and_then(AuthzNotes::operation),
            notes: notes.cloned(),
            method: req.method.clone(),
        }
    }

    /// Requires `action` on the bucket (and key), against the caller's policies and the bucket
    /// policy; `extra` adds the action's own context keys.
    pub(crate) fn authorize(
        &self,
        info: &RequestInfo,
        action: &str,
        bucket: &CachedBucket,
        key: Option<&str>,
        extra: &[(&str, ContextValue)],
    ) -> S3Result<()> {
        let resource = match key {
            Some(k) => format!("arn:aws:s3:::{}/{k}", bucket.bucket.name),
            None => format!("arn:aws:s3:::{}", bucket.bucket.name),
        };
        let mut context = info.context.clone();
        context.insert("s3:ResourceAccount", bucket.bucket.owner.to_string());
        for (k, v) in extra {
            context.insert(k, v.clone());
        }
        for (k, v) in &bucket.bucket.tags {
            context.insert(&format!("s3:BucketTag/{k}"), v.as_str());
        }
        let policy = Self::effective_policy(info, bucket);
        let (decision, _) = self.iam.require(AuthzRequest {
            caller: info.caller.as_ref(),
            action,
            resource: &resource,
            resource_account: Some(bucket.bucket.owner),
            resource_policy: policy,
            context,
            style: MessageStyle::S3,
        });
        if let Some(notes) = &info.notes {
            notes.push(action, &resource, &decision);
        }
        if decision.is_allowed() {
            return Ok(());
        }
        Err(access_denied(
            info,
            bucket.bucket.owner,
            decision.message.as_deref(),
        ))
    }

    /// Requires an action with no bucket (`s3:ListAllMyBuckets`, `s3:CreateBucket` before the
    /// bucket exists), against the caller's own policies.
    pub(crate) fn authorize_account(
        &self,
        info: &RequestInfo,
        action: &str,
        resource: &str,
        extra: &[(&str, ContextValue)],
    ) -> S3Result<()> {
        let Some(caller) = &info.caller else {
            return Err(crate::error::access_denied());
        };
        let mut context = info.context.clone();
        for (k, v) in extra {
            context.insert(k, v.clone());
        }
        let (decision, _) = self.iam.require(AuthzRequest {
            caller: Some(caller),
            action,
            resource,
            resource_account: Some(caller.account()),
            resource_policy: None,
            context,
            style: MessageStyle::S3,
        });
        if let Some(notes) = &info.notes {
            notes.push(action, resource, &decision);
        }
        if decision.is_allowed() {
            return Ok(());
        }
        Err(access_denied(
            info,
            caller.account(),
            decision.message.as_deref(),
        ))
    }

    /// The bucket policy as it applies to this caller: with `RestrictPublicBuckets` on, a public
    /// policy grants nothing to callers outside the owner's account.
    fn effective_policy<'a>(info: &RequestInfo, bucket: &'a CachedBucket) -> Option<&'a Policy> {
        let policy = bucket.policy.as_ref()?;
        let restrict = bucket
            .bucket
            .public_access_block
            .is_some_and(|b| b.restrict_public_buckets);
        let outsider = info
            .caller
            .as_ref()
            .is_none_or(|c| c.account() != bucket.bucket.owner);
        if restrict && outsider && crate::public::is_public(policy) {
            return None;
        }
        Some(policy)
    }
}

/// `AccessDenied` as S3 words it: the full reason for callers in the bucket owner's account,
/// plain `Access Denied` for everyone else.
fn access_denied(info: &RequestInfo, owner: AccountId, message: Option<&str>) -> S3Error {
    let same_account = info.caller.as_ref().is_some_and(|c| c.account() == owner);
    match message {
        Some(m) if same_account => S3Error::with_message(S3ErrorCode::AccessDenied, m.to_owned()),
        _ => S3Error::with_message(S3ErrorCode::AccessDenied, "Access Denied"),
    }
}
