//! Object versions as an unversioned bucket has them: every object is its key's one version,
//! `null`, as S3 reports for buckets whose versioning was never enabled. This is what clean-up
//! tools call first (`ListObjectVersions`, then `DeleteObjects` with version ids), so they
//! work on every bucket. Enabling versioning is not supported yet.

use s3s::dto::{
    ETag, GetBucketVersioningInput, GetBucketVersioningOutput, ListObjectVersionsInput,
    ListObjectVersionsOutput, ObjectVersion, ObjectVersionStorageClass,
};
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result};

use crate::gateway::Gateway;
use crate::listing::{common_prefixes, encoder, max_keys, owner_of, resume_from_marker};
use crate::meta::Resume;
use crate::object_ops::timestamp;

/// The version id of every object in an unversioned bucket.
pub(crate) const NULL_VERSION: &str = "null";

/// A version id named by a request: `Ok(true)` for `null` (the object itself), `Ok(false)` when
/// none is named, and S3's `InvalidArgument` for any other, since no other id is ever issued.
pub(crate) fn names_null_version(version_id: Option<&str>) -> S3Result<bool> {
    match version_id {
        None => Ok(false),
        Some(NULL_VERSION) => Ok(true),
        Some(_) => Err(invalid_version_id()),
    }
}

fn invalid_version_id() -> S3Error {
    S3Error::with_message(S3ErrorCode::InvalidArgument, "Invalid version id specified")
}

impl Gateway {
    pub(crate) async fn op_get_bucket_versioning(
        &self,
        req: S3Request<GetBucketVersioningInput>,
    ) -> S3Result<S3Response<GetBucketVersioningOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, "s3:GetBucketVersioning", &bucket, None, &[])?;
        // A bucket whose versioning was never enabled reports no status at all.
        Ok(S3Response::new(GetBucketVersioningOutput::default()))
    }

    pub(crate) async fn op_list_object_versions(
        &self,
        req: S3Request<ListObjectVersionsInput>,
    ) -> S3Result<S3Response<ListObjectVersionsOutput>> {
        let info = self.info(&req);
        let i = &req.input;
        let bucket = self.bucket(&i.bucket).await?;
        let prefix = i.prefix.clone().unwrap_or_default();
        self.authorize_listing(
            &info,
            "s3:ListBucketVersions",
            &bucket,
            (&prefix, i.delimiter.as_deref(), i.max_keys),
        )?;
        let enc = encoder(i.encoding_type.as_ref())?;
        let max = max_keys(i.max_keys)?;
        let key_marker = i.key_marker.as_deref().filter(|k| !k.is_empty());
        if let Some(v) = i.version_id_marker.as_deref() {
            if key_marker.is_none() {
                return Err(S3Error::with_message(
                    S3ErrorCode::InvalidArgument,
                    "A version-id marker cannot be specified without a key marker.",
                ));
            }
            if v != NULL_VERSION {
                return Err(invalid_version_id());
            }
        }
        // The key's only version is `null`, so resuming after it is resuming after the key.
        let from = resume_from_marker(key_marker, &prefix, i.delimiter.as_deref());
        let listing = self
            .list_page(&bucket, &prefix, i.delimiter.as_deref(), from, max)
            .await?;
        let owner = owner_of(&bucket);
        let versions: Vec<ObjectVersion> = listing
            .objects
            .iter()
            .map(|m| ObjectVersion {
                key: Some(enc(&m.key)),
                version_id: Some(NULL_VERSION.to_owned()),
                is_latest: Some(true),
                size: Some(i64::try_from(m.size).unwrap_or(i64::MAX)),
                e_tag: Some(ETag::Strong(m.etag.trim_matches('"').to_owned())),
                last_modified: Some(timestamp(m.last_modified)),
                storage_class: Some(ObjectVersionStorageClass::from_static(
                    ObjectVersionStorageClass::STANDARD,
                )),
                owner: Some(owner.clone()),
                ..Default::default()
            })
            .collect();
        let prefixes = common_prefixes(&listing, &enc);
        let (next_key_marker, next_version_id_marker) = match (&listing.resume, listing.truncated) {
            (Some(Resume::After(k)), true) => (Some(enc(k)), Some(NULL_VERSION.to_owned())),
            (Some(Resume::Past(p)), true) => (Some(enc(p)), None),
            _ => (None, None),
        };
        Ok(S3Response::new(ListObjectVersionsOutput {
            name: Some(bucket.bucket.name.clone()),
            prefix: Some(enc(&prefix)),
            key_marker: Some(i.key_marker.as_deref().map(&enc).unwrap_or_default()),
            version_id_marker: Some(i.version_id_marker.clone().unwrap_or_default()),
            delimiter: i.delimiter.as_deref().map(&enc),
            max_keys: Some(i32::try_from(max).unwrap_or(1000)),
            is_truncated: Some(listing.truncated),
            next_key_marker,
            next_version_id_marker,
            encoding_type: i.encoding_type.clone(),
            versions: Some(versions),
            common_prefixes: Some(prefixes),
            ..Default::default()
        }))
    }
}
