//! `CopyObject`, and copying byte ranges of object bodies into new bodies (also used by
//! multipart uploads).

use std::collections::BTreeMap;

use s3s::crypto::{Checksum as _, Md5};
use s3s::dto::{CopyObjectInput, CopyObjectOutput, CopyObjectResult, CopySource, ETag};
use s3s::{S3Request, S3Response, S3Result, s3_error};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::model::blob::{INLINE_MAX, ObjectBody};
use crate::model::body;
use crate::ops::conditions::{check_copy_source_conditions, etag_value};
use std::sync::Arc;

use crate::error::internal;
use crate::gateway::{CachedBucket, Gateway, RequestInfo};
use crate::model::meta::ObjectMeta;
use crate::model::versioning::VersionId;
use crate::ops::object::{metadata_map, standard_headers};
use crate::ops::wire::as_refs;
use crate::ops::wire::existing_tag_context;
use crate::ops::wire::header_tags;
use crate::ops::wire::put_context;
use crate::ops::wire::reported_version;
use crate::ops::wire::requested_version;
use crate::ops::wire::timestamp;

impl Gateway {
    pub(crate) async fn op_copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        let info = self.info(&req);
        let (source_bucket, source, src_version) =
            self.copy_source(&info, &req.input.copy_source).await?;
        let (src_bucket, src_key) = (&source_bucket.bucket.name, &source.key);
        let bucket = self.bucket(&req.input.bucket).await?;
        let key = req.input.key.clone();
        let replace_tags = req
            .input
            .tagging_directive
            .as_ref()
            .is_some_and(|d| d.as_str() == "REPLACE");
        let tags = if replace_tags {
            header_tags(req.input.tagging.as_deref())?
        } else {
            source.tags.clone()
        };
        let extra = put_context(&req.headers, if replace_tags { &tags } else { &[] });
        self.authorize(&info, info.action()?, &bucket, Some(&key), &as_refs(&extra))?;
        self.check_write_options(&info, &bucket, &key, &req.headers, &extra)?;
        check_copy_source_conditions(
            req.input.copy_source_if_match.as_ref(),
            req.input.copy_source_if_none_match.as_ref(),
            req.input.copy_source_if_modified_since.as_ref(),
            req.input.copy_source_if_unmodified_since.as_ref(),
            &source,
        )?;
        let replace_meta = req
            .input
            .metadata_directive
            .as_ref()
            .is_some_and(|d| d.as_str() == "REPLACE");
        let i = &req.input;
        if !replace_meta
            && src_version.is_none()
            && *src_bucket == bucket.bucket.name
            && *src_key == key
        {
            return Err(s3_error!(
                InvalidRequest,
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
            ));
        }
        let mut md5 = Md5::new();
        let copied = self
            .copy_pieces(
                &[(&source.body, 0, source.size)],
                Some(&mut md5),
                INLINE_MAX,
            )
            .await?;
        let meta = ObjectMeta {
            key: key.clone(),
            size: source.size,
            etag: body::etag(&md5.finalize()),
            last_modified: gatehouse_core::entities::now(),
            body: copied,
            headers: if replace_meta {
                standard_headers(
                    i.content_type.as_ref(),
                    i.cache_control.as_ref(),
                    i.content_disposition.as_ref(),
                    i.content_encoding.as_ref(),
                    i.content_language.as_ref(),
                    i.expires.as_ref(),
                )
            } else {
                source.headers.clone()
            },
            metadata: if replace_meta {
                metadata_map(i.metadata.as_ref())
            } else {
                source.metadata.clone()
            },
            tags,
            // A copy is one object again: composite multipart checksums do not carry over.
            checksums: if source.parts.is_some() {
                BTreeMap::new()
            } else {
                source.checksums.clone()
            },
            parts: None,
            part_sizes: Vec::new(),
            owner: info
                .caller
                .as_ref()
                .map_or(bucket.bucket.owner, gatehouse_core::Caller::account),
            version: VersionId::Null,
            seq: 0,
        };
        let result = CopyObjectResult {
            e_tag: Some(ETag::Strong(etag_value(&meta.etag).to_owned())),
            last_modified: Some(timestamp(meta.last_modified)),
            ..Default::default()
        };
        let written = self
            .commit_object(&bucket.bucket, meta, gatehouse_store::Batch::new())
            .await?;
        Ok(S3Response::new(CopyObjectOutput {
            copy_object_result: Some(result),
            version_id: written.version.map(|v| v.as_str().to_owned()),
            copy_source_version_id: reported_version(
                &source_bucket,
                &source,
                src_version.is_some(),
            ),
            ..Default::default()
        }))
    }

    /// The source of a copy (`x-amz-copy-source`, with its `versionId`), authorized as a read:
    /// its bucket, the object version, and the version id named.
    pub(crate) async fn copy_source(
        &self,
        info: &RequestInfo,
        copy_source: &CopySource,
    ) -> S3Result<(Arc<CachedBucket>, Arc<ObjectMeta>, Option<VersionId>)> {
        let CopySource::Bucket {
            bucket: src_bucket,
            key: src_key,
            version_id,
        } = copy_source
        else {
            return Err(s3_error!(
                NotImplemented,
                "Access point copy sources are not supported"
            ));
        };
        let source_bucket = self.bucket(src_bucket).await?;
        let version = requested_version(version_id.as_deref())?;
        let source = if let Some(id) = &version {
            self.readable_version(
                info,
                &source_bucket,
                src_key,
                id,
                ("s3:GetObjectVersion", &[]),
            )
            .await?
        } else {
            let source = self.object(src_bucket, src_key).await?;
            let ctx = existing_tag_context(source.as_deref());
            self.authorize(
                info,
                "s3:GetObject",
                &source_bucket,
                Some(src_key),
                &as_refs(&ctx),
            )?;
            match source {
                Some(source) => source,
                None => return Err(self.absent_object(info, &source_bucket, src_key).await),
            }
        };
        Ok((source_bucket, source, version))
    }

    /// Copies byte ranges of bodies, in order, into one new durable body — inline when the
    /// result fits `inline_limit` bytes (0: always a blob) — and feeds what was copied to `md5`
    /// when the caller needs the digest (copies do, completed uploads do not).
    pub(crate) async fn copy_pieces(
        &self,
        pieces: &[(&ObjectBody, u64, u64)],
        mut md5: Option<&mut Md5>,
        inline_limit: usize,
    ) -> S3Result<ObjectBody> {
        let total = pieces.iter().map(|(_, _, len)| *len).sum();
        let mut sink = self.blobs.sink(inline_limit, Some(total));
        let result = async {
            let mut buf = vec![0u8; 256 * 1024];
            for (from, start, len) in pieces {
                let mut src = match from {
                    ObjectBody::Inline(data) => {
                        let piece =
                            crate::model::blob::slice(data, *start, *len).map_err(internal)?;
                        if let Some(md5) = md5.as_deref_mut() {
                            md5.update(&piece);
                        }
                        sink.write(&self.blobs, &piece).await.map_err(internal)?;
                        continue;
                    }
                    ObjectBody::Blob(id) => self.blobs.open_read(id).await.map_err(internal)?,
                };
                src.seek(std::io::SeekFrom::Start(*start))
                    .await
                    .map_err(internal)?;
                let mut src = src.take(*len);
                loop {
                    let n = src.read(&mut buf).await.map_err(internal)?;
                    if n == 0 {
                        break;
                    }
                    if let Some(md5) = md5.as_deref_mut() {
                        md5.update(&buf[..n]);
                    }
                    sink.write(&self.blobs, &buf[..n]).await.map_err(internal)?;
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = result {
            sink.abort(&self.blobs).await;
            return Err(e);
        }
        sink.finish(&self.blobs).await.map_err(internal)
    }
}
