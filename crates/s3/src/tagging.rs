//! Object tags: the tag rules, the `x-amz-tagging` header, and the tagging operations.

use std::sync::Arc;

use gatehouse_policy::ContextValue;
use s3s::dto::{
    DeleteObjectTaggingInput, DeleteObjectTaggingOutput, GetObjectTaggingInput,
    GetObjectTaggingOutput, PutObjectTaggingInput, PutObjectTaggingOutput, Tag, TagSet,
};
use s3s::{S3Request, S3Response, S3Result, s3_error};

use crate::gateway::{CachedBucket, Gateway, RequestInfo};
use crate::meta::ObjectMeta;
use crate::object_ops::{as_refs, put_context};
use crate::versioning::VersionId;
use crate::versions::{reported_version, requested_version};

/// Tags of a `Tagging` body as pairs, checking S3's limits.
pub(crate) fn tag_pairs(set: &[Tag]) -> S3Result<Vec<(String, String)>> {
    if set.len() > 50 {
        return Err(s3_error!(
            InvalidTag,
            "Object tags cannot be greater than 10"
        ));
    }
    let pairs: Vec<(String, String)> = set
        .iter()
        .map(|t| {
            (
                t.key.clone().unwrap_or_default(),
                t.value.clone().unwrap_or_default(),
            )
        })
        .collect();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
            return Err(s3_error!(
                InvalidTag,
                "The TagKey you have provided is invalid"
            ));
        }
        if pairs[..i].iter().any(|(o, _)| o == k) {
            return Err(s3_error!(
                InvalidTag,
                "Cannot provide multiple Tags with the same key"
            ));
        }
    }
    Ok(pairs)
}

/// Pairs as a `TagSet`.
pub(crate) fn tag_set(pairs: &[(String, String)]) -> TagSet {
    pairs
        .iter()
        .map(|(k, v)| Tag {
            key: Some(k.clone()),
            value: Some(v.clone()),
        })
        .collect()
}

/// Tags from the `x-amz-tagging` header (`k=v&k2=v2`).
pub(crate) fn header_tags(header: Option<&str>) -> S3Result<Vec<(String, String)>> {
    let Some(h) = header else { return Ok(vec![]) };
    let set: Vec<Tag> = h
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            Tag {
                key: Some(dec(k)),
                value: Some(dec(v)),
            }
        })
        .collect();
    tag_pairs(&set)
}

pub(crate) fn existing_tag_context(meta: Option<&ObjectMeta>) -> Vec<(String, ContextValue)> {
    meta.map(|m| {
        m.tags
            .iter()
            .map(|(k, v)| {
                (
                    format!("s3:ExistingObjectTag/{k}"),
                    ContextValue::Single(v.as_str().into()),
                )
            })
            .collect()
    })
    .unwrap_or_default()
}

impl Gateway {
    /// The object (or its version `version_id`) whose tags a tagging request reads or writes,
    /// authorized for `action` — or its `Version` form (`s3:GetObjectVersionTagging`, …) with
    /// `s3:VersionId` when a version is named — with the existing tags and `extra` keys in the
    /// context.
    async fn tagged_object(
        &self,
        info: &RequestInfo,
        bucket: &CachedBucket,
        (key, version_id): (&str, Option<&str>),
        action: &str,
        extra: Vec<(String, ContextValue)>,
    ) -> S3Result<(Arc<ObjectMeta>, Option<VersionId>)> {
        let version = requested_version(version_id)?;
        if let Some(id) = &version {
            let versioned = action.replacen("ObjectTagging", "ObjectVersionTagging", 1);
            let meta = self
                .readable_version(info, bucket, key, id, (&versioned, &extra))
                .await?;
            return Ok((meta, version));
        }
        let meta = self.object(&bucket.bucket.name, key).await?;
        let mut ctx = existing_tag_context(meta.as_deref());
        ctx.extend(extra);
        self.authorize(info, action, bucket, Some(key), &as_refs(&ctx))?;
        match meta {
            Some(meta) => Ok((meta, None)),
            None => Err(self.absent_object(info, bucket, key).await),
        }
    }

    pub(crate) async fn op_put_object_tagging(
        &self,
        req: S3Request<PutObjectTaggingInput>,
    ) -> S3Result<S3Response<PutObjectTaggingOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let key = req.input.key.clone();
        let tags = tag_pairs(&req.input.tagging.tag_set)?;
        let (meta, version) = self
            .tagged_object(
                &info,
                &bucket,
                (&key, req.input.version_id.as_deref()),
                "s3:PutObjectTagging",
                put_context(&http::HeaderMap::new(), &tags),
            )
            .await?;
        self.retag(&bucket.bucket.name, &key, version.clone(), tags)
            .await?;
        Ok(S3Response::new(PutObjectTaggingOutput {
            version_id: reported_version(&bucket, &meta, version.is_some()),
        }))
    }

    pub(crate) async fn op_get_object_tagging(
        &self,
        req: S3Request<GetObjectTaggingInput>,
    ) -> S3Result<S3Response<GetObjectTaggingOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let (meta, version) = self
            .tagged_object(
                &info,
                &bucket,
                (&req.input.key, req.input.version_id.as_deref()),
                "s3:GetObjectTagging",
                Vec::new(),
            )
            .await?;
        Ok(S3Response::new(GetObjectTaggingOutput {
            tag_set: tag_set(&meta.tags),
            version_id: reported_version(&bucket, &meta, version.is_some()),
        }))
    }

    pub(crate) async fn op_delete_object_tagging(
        &self,
        req: S3Request<DeleteObjectTaggingInput>,
    ) -> S3Result<S3Response<DeleteObjectTaggingOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let key = req.input.key.clone();
        let (meta, version) = self
            .tagged_object(
                &info,
                &bucket,
                (&key, req.input.version_id.as_deref()),
                "s3:DeleteObjectTagging",
                Vec::new(),
            )
            .await?;
        self.retag(&bucket.bucket.name, &key, version.clone(), Vec::new())
            .await?;
        Ok(S3Response::new(DeleteObjectTaggingOutput {
            version_id: reported_version(&bucket, &meta, version.is_some()),
        }))
    }
}
