//! Object tags: the tag rules, the `x-amz-tagging` header, and the tagging operations.

use std::sync::Arc;

use gatehouse_policy::ContextValue;
use s3s::dto::{
    DeleteObjectTaggingInput, DeleteObjectTaggingOutput, GetObjectTaggingInput,
    GetObjectTaggingOutput, PutObjectTaggingInput, PutObjectTaggingOutput,
};
use s3s::{S3Request, S3Response, S3Result};

use crate::gateway::{CachedBucket, Gateway, RequestInfo};
use crate::model::meta::ObjectMeta;
use crate::model::versioning::VersionId;
use crate::ops::wire::as_refs;
use crate::ops::wire::put_context;
use crate::ops::wire::reported_version;
use crate::ops::wire::requested_version;
use crate::ops::wire::{existing_tag_context, tag_pairs, tag_set};

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
                info.action()?,
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
                info.action()?,
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
                info.action()?,
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
