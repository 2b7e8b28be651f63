//! Versioning as the API shows it: `Get`/`PutBucketVersioning`, `ListObjectVersions`, and reading a
//! named version (with S3's answers for delete markers and missing versions). A bucket whose
//! versioning was never enabled shows every object as its key's `null` version, so clean-up
//! tools (`ListObjectVersions`, then `DeleteObjects` with version ids) work on every bucket.

use std::sync::Arc;

use gatehouse_policy::ContextValue;
use http::{HeaderMap, HeaderValue};
use s3s::dto::{
    BucketVersioningStatus, CommonPrefix, DeleteMarkerEntry, ETag, GetBucketVersioningInput,
    GetBucketVersioningOutput, ListObjectVersionsInput, ListObjectVersionsOutput, MFADelete,
    MFADeleteStatus, ObjectVersion, ObjectVersionStorageClass, PutBucketVersioningInput,
    PutBucketVersioningOutput,
};
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result, s3_error};

use crate::error::{
    add_headers, invalid_version_id, malformed_xml, method_not_allowed_on_delete_marker,
    no_such_version,
};
use crate::gateway::{CachedBucket, Gateway, RequestInfo};
use crate::model::meta::DeleteMarker;
use crate::model::meta::StoredVersion;
use crate::model::meta::{ObjectMeta, Resume};
use crate::model::versioning::{VersionId, Versioning};
use crate::ops::wire::as_refs;
use crate::ops::wire::encoder;
use crate::ops::wire::existing_tag_context;
use crate::ops::wire::max_keys;
use crate::ops::wire::owner_of;
use crate::ops::wire::resume_from_marker;
use crate::ops::wire::timestamp;
use crate::records::version_listing::{VersionResume, VersionStart, list_versions};
use crate::records::version_writes::Found;

/// The headers S3 sends about a delete marker that answered a request.
fn marker_headers(marker: &DeleteMarker) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("x-amz-delete-marker", HeaderValue::from_static("true"));
    if let Ok(v) = HeaderValue::from_str(marker.version.as_str()) {
        h.insert("x-amz-version-id", v);
    }
    h
}

impl Gateway {
    /// The object version `id` of `key` for `action` (`s3:GetObjectVersion` and the like),
    /// authorized with `s3:VersionId` and the version's tags in the context: a delete marker
    /// answers 405 `MethodNotAllowed`, a missing version `NoSuchVersion` (or `AccessDenied`
    /// without `s3:ListBucket`).
    pub(crate) async fn readable_version(
        &self,
        info: &RequestInfo,
        bucket: &CachedBucket,
        key: &str,
        id: &VersionId,
        (action, extra): (&str, &[(String, ContextValue)]),
    ) -> S3Result<Arc<ObjectMeta>> {
        let found = self.find_version(&bucket.bucket.name, key, id).await?;
        let (object, marker) = match found {
            Some(Found::Current(m)) => (Some(m), None),
            Some(Found::Noncurrent(v)) => match *v {
                StoredVersion::Object(o) => (Some(Arc::new(o)), None),
                StoredVersion::Marker(m) => (None, Some(m)),
            },
            None => (None, None),
        };
        let mut ctx = existing_tag_context(object.as_deref());
        ctx.push(("s3:VersionId".into(), id.as_str().into()));
        ctx.extend(extra.iter().cloned());
        self.authorize(info, action, bucket, Some(key), &as_refs(&ctx))?;
        match (object, marker) {
            (Some(o), _) => Ok(o),
            (None, Some(m)) => Err(method_not_allowed_on_delete_marker(
                info.method.as_str(),
                marker_headers(&m),
            )),
            _ => match self.authorize(info, "s3:ListBucket", bucket, None, &[]) {
                Ok(()) => Err(no_such_version(key, id.as_str())),
                Err(denied) => Err(denied),
            },
        }
    }

    /// The error for a key with no current object: `NoSuchKey` (with the delete marker's
    /// headers when one is on top of the key's history) or `AccessDenied`, as S3 answers.
    pub(crate) async fn absent_object(
        &self,
        info: &RequestInfo,
        bucket: &CachedBucket,
        key: &str,
    ) -> S3Error {
        let mut e = self.missing_key(info, bucket, key);
        if bucket.bucket.versioning.keeps_versions() && *e.code() == S3ErrorCode::NoSuchKey {
            let (name, k) = (bucket.bucket.name.clone(), key.to_owned());
            if let Ok(Some(m)) = self
                .blocking(move |s| crate::records::version_writes::latest_marker(s, &name, &k))
                .await
            {
                add_headers(&mut e, marker_headers(&m));
            }
        }
        e
    }

    pub(crate) async fn op_get_bucket_versioning(
        &self,
        req: S3Request<GetBucketVersioningInput>,
    ) -> S3Result<S3Response<GetBucketVersioningOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let b = &bucket.bucket;
        // A bucket whose versioning was never set reports no status at all.
        Ok(S3Response::new(GetBucketVersioningOutput {
            status: match b.versioning {
                Versioning::Unversioned => None,
                Versioning::Enabled => Some(BucketVersioningStatus::from_static(
                    BucketVersioningStatus::ENABLED,
                )),
                Versioning::Suspended => Some(BucketVersioningStatus::from_static(
                    BucketVersioningStatus::SUSPENDED,
                )),
            },
            mfa_delete: b
                .mfa_delete
                .map(|_| MFADeleteStatus::from_static(MFADeleteStatus::DISABLED)),
        }))
    }

    pub(crate) async fn op_put_bucket_versioning(
        &self,
        req: S3Request<PutBucketVersioningInput>,
    ) -> S3Result<S3Response<PutBucketVersioningOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let config = &req.input.versioning_configuration;
        let malformed = || malformed_xml();
        let versioning = match config.status.as_ref().map(BucketVersioningStatus::as_str) {
            Some(BucketVersioningStatus::ENABLED) => Versioning::Enabled,
            Some(BucketVersioningStatus::SUSPENDED) => Versioning::Suspended,
            None => bucket.bucket.versioning,
            Some(_) => return Err(malformed()),
        };
        let mfa_delete = match config.mfa_delete.as_ref().map(MFADelete::as_str) {
            None => bucket.bucket.mfa_delete,
            Some(MFADelete::DISABLED) => Some(false),
            // Gatehouse has no MFA devices to check `x-amz-mfa` against, so MFA Delete can
            // never be switched on; S3 refuses the request without a valid MFA the same way.
            Some(MFADelete::ENABLED) => {
                return Err(s3_error!(
                    InvalidRequest,
                    "MFA Authentication must be used for this request"
                ));
            }
            Some(_) => return Err(malformed()),
        };
        let mut record = bucket.bucket.clone();
        record.versioning = versioning;
        record.mfa_delete = mfa_delete;
        self.save_bucket(record).await?;
        Ok(S3Response::new(PutBucketVersioningOutput::default()))
    }

    /// Where a versions listing starts from its markers.
    async fn version_start(
        &self,
        bucket: &CachedBucket,
        key_marker: Option<&str>,
        version_marker: Option<&str>,
        (prefix, delimiter): (&str, Option<&str>),
    ) -> S3Result<VersionStart> {
        let version_marker = version_marker.filter(|v| !v.is_empty());
        let Some(key) = key_marker.filter(|k| !k.is_empty()) else {
            if version_marker.is_some() {
                return Err(S3Error::with_message(
                    S3ErrorCode::InvalidArgument,
                    "A version-id marker cannot be specified without a key marker.",
                ));
            }
            return Ok(VersionStart::Beginning);
        };
        let Some(text) = version_marker else {
            return Ok(match resume_from_marker(Some(key), prefix, delimiter) {
                Some(Resume::Past(p)) => VersionStart::Past(p),
                _ => VersionStart::AfterKey(key.to_owned()),
            });
        };
        let id = VersionId::parse(text).ok_or_else(|| invalid_version_id(text))?;
        let seq = match id.seq() {
            Some(seq) => Some(seq),
            // The `null` version's place is in its record.
            None => self
                .find_version(&bucket.bucket.name, key, &id)
                .await?
                .map(|f| match f {
                    Found::Current(m) => m.seq,
                    Found::Noncurrent(v) => v.seq(),
                }),
        };
        Ok(match seq {
            Some(seq) => VersionStart::AfterVersion(key.to_owned(), seq),
            None => VersionStart::AfterKey(key.to_owned()),
        })
    }

    pub(crate) async fn op_list_object_versions(
        &self,
        req: S3Request<ListObjectVersionsInput>,
    ) -> S3Result<S3Response<ListObjectVersionsOutput>> {
        let info = self.info(&req);
        let i = &req.input;
        let bucket = self.bucket(&i.bucket).await?;
        let prefix = i.prefix.clone().unwrap_or_default();
        let delimiter = i.delimiter.as_deref();
        self.authorize_listing(
            &info,
            info.action()?,
            &bucket,
            (&prefix, delimiter, i.max_keys),
        )?;
        let enc = encoder(i.encoding_type.as_ref())?;
        let max = max_keys(i.max_keys)?;
        let start = self
            .version_start(
                &bucket,
                i.key_marker.as_deref(),
                i.version_id_marker.as_deref(),
                (&prefix, delimiter),
            )
            .await?;
        let (name, under, rolled_at) = (
            bucket.bucket.name.clone(),
            prefix.clone(),
            delimiter.map(str::to_owned),
        );
        let listing = self
            .blocking(move |s| list_versions(s, &name, &under, rolled_at.as_deref(), &start, max))
            .await?;
        let owner = owner_of(&bucket);
        let mut versions = Vec::new();
        let mut markers = Vec::new();
        for listed in listing.versions {
            match listed.version {
                StoredVersion::Object(m) => versions.push(ObjectVersion {
                    key: Some(enc(&m.key)),
                    version_id: Some(m.version.as_str().to_owned()),
                    is_latest: Some(listed.is_latest),
                    size: Some(i64::try_from(m.size).unwrap_or(i64::MAX)),
                    e_tag: Some(ETag::Strong(m.etag.trim_matches('"').to_owned())),
                    last_modified: Some(timestamp(m.last_modified)),
                    storage_class: Some(ObjectVersionStorageClass::from_static(
                        ObjectVersionStorageClass::STANDARD,
                    )),
                    owner: Some(owner.clone()),
                    ..Default::default()
                }),
                StoredVersion::Marker(m) => markers.push(DeleteMarkerEntry {
                    key: Some(enc(&m.key)),
                    version_id: Some(m.version.as_str().to_owned()),
                    is_latest: Some(listed.is_latest),
                    last_modified: Some(timestamp(m.last_modified)),
                    owner: Some(owner.clone()),
                }),
            }
        }
        let prefixes = listing
            .common_prefixes
            .iter()
            .map(|c| CommonPrefix {
                prefix: Some(enc(c)),
            })
            .collect();
        let (next_key_marker, next_version_id_marker) = match (&listing.resume, listing.truncated) {
            (Some(VersionResume::After(k, v)), true) => (Some(enc(k)), Some(v.as_str().to_owned())),
            (Some(VersionResume::Past(p)), true) => (Some(enc(p)), None),
            _ => (None, None),
        };
        Ok(S3Response::new(ListObjectVersionsOutput {
            name: Some(bucket.bucket.name.clone()),
            prefix: Some(enc(&prefix)),
            key_marker: Some(i.key_marker.as_deref().map(&enc).unwrap_or_default()),
            version_id_marker: Some(i.version_id_marker.clone().unwrap_or_default()),
            delimiter: delimiter.map(&enc),
            max_keys: Some(i32::try_from(max).unwrap_or(1000)),
            is_truncated: Some(listing.truncated),
            next_key_marker,
            next_version_id_marker,
            encoding_type: i.encoding_type.clone(),
            versions: Some(versions),
            delete_markers: Some(markers),
            common_prefixes: Some(prefixes),
            ..Default::default()
        }))
    }
}
