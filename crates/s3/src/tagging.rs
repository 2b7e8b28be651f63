//! Object tags: the tag rules, the `x-amz-tagging` header, and the tagging operations.

use std::sync::Arc;

use gatehouse_policy::ContextValue;
use gatehouse_store::{Batch, Table};
use s3s::dto::{
    DeleteObjectTaggingInput, DeleteObjectTaggingOutput, GetObjectTaggingInput,
    GetObjectTaggingOutput, PutObjectTaggingInput, PutObjectTaggingOutput, Tag, TagSet,
};
use s3s::{S3Request, S3Response, S3Result, s3_error};

use crate::gateway::Gateway;
use crate::meta::{self, ObjectMeta, object_key};
use crate::object_ops::{as_refs, put_context};

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
    /// Rewrites an object's record with changed tags; the body stays where it is.
    async fn write_record(&self, bucket: &str, meta: &ObjectMeta) -> S3Result<()> {
        let k = object_key(bucket, &meta.key);
        self.commit_objects(Batch::new().put(Table::Objects, k, meta::encode_object(meta)))
            .await?;
        Ok(())
    }

    pub(crate) async fn op_put_object_tagging(
        &self,
        req: S3Request<PutObjectTaggingInput>,
    ) -> S3Result<S3Response<PutObjectTaggingOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let key = req.input.key.clone();
        let meta = self.object(&bucket.bucket.name, &key).await?;
        let tags = tag_pairs(&req.input.tagging.tag_set)?;
        let mut ctx = existing_tag_context(meta.as_deref());
        ctx.extend(put_context(&http::HeaderMap::new(), &tags));
        self.authorize(
            &info,
            "s3:PutObjectTagging",
            &bucket,
            Some(&key),
            &as_refs(&ctx),
        )?;
        let Some(mut meta) = meta else {
            return Err(self.missing_key(&info, &bucket, &key));
        };
        Arc::make_mut(&mut meta).tags = tags;
        self.write_record(&bucket.bucket.name, &meta).await?;
        Ok(S3Response::new(PutObjectTaggingOutput::default()))
    }

    pub(crate) async fn op_get_object_tagging(
        &self,
        req: S3Request<GetObjectTaggingInput>,
    ) -> S3Result<S3Response<GetObjectTaggingOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let key = req.input.key.clone();
        let meta = self.object(&bucket.bucket.name, &key).await?;
        let ctx = existing_tag_context(meta.as_deref());
        self.authorize(
            &info,
            "s3:GetObjectTagging",
            &bucket,
            Some(&key),
            &as_refs(&ctx),
        )?;
        let Some(meta) = meta else {
            return Err(self.missing_key(&info, &bucket, &key));
        };
        Ok(S3Response::new(GetObjectTaggingOutput {
            tag_set: tag_set(&meta.tags),
            version_id: None,
        }))
    }

    pub(crate) async fn op_delete_object_tagging(
        &self,
        req: S3Request<DeleteObjectTaggingInput>,
    ) -> S3Result<S3Response<DeleteObjectTaggingOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let key = req.input.key.clone();
        let meta = self.object(&bucket.bucket.name, &key).await?;
        let ctx = existing_tag_context(meta.as_deref());
        self.authorize(
            &info,
            "s3:DeleteObjectTagging",
            &bucket,
            Some(&key),
            &as_refs(&ctx),
        )?;
        let Some(mut meta) = meta else {
            return Err(self.missing_key(&info, &bucket, &key));
        };
        Arc::make_mut(&mut meta).tags.clear();
        self.write_record(&bucket.bucket.name, &meta).await?;
        Ok(S3Response::new(DeleteObjectTaggingOutput::default()))
    }
}
