//! Object operations: put, get (ranges), head, delete and delete-many; the headers and
//! context keys they share with copies and tagging.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::internal;
use crate::gateway::{CachedBucket, Gateway, RequestInfo};
use crate::model::blob::INLINE_MAX;
use crate::model::body::{self, Algorithm, Expectations};
use crate::model::meta::ObjectMeta;
use crate::model::versioning::VersionId;
use crate::ops::conditions::{
    check_read_conditions, check_write_conditions, etag_value, part_range,
};
use crate::ops::wire::existing_tag_context;
use crate::ops::wire::header_tags;
use crate::ops::wire::reported_version;
use crate::ops::wire::requested_version;
use crate::ops::wire::{as_refs, put_context, timestamp};
use crate::records::version_writes::Outcome;
use gatehouse_policy::ContextValue;
use gatehouse_store::Batch;
use s3s::dto::{
    DeleteObjectInput, DeleteObjectOutput, DeleteObjectsInput, DeleteObjectsOutput, DeletedObject,
    ETag, GetObjectInput, GetObjectOutput, HeadObjectInput, HeadObjectOutput, Metadata,
    PutObjectInput, PutObjectOutput, Timestamp, TimestampFormat,
};
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result};

/// Sets the fields GET and HEAD share from an object's metadata: length and range, `ETag`,
/// dates, user metadata, standard headers and the part count.
macro_rules! fill_object_fields {
    ($out:expr, $meta:expr, $range:expr) => {{
        let meta: &ObjectMeta = $meta;
        let range: Option<&std::ops::Range<u64>> = $range;
        let length = range.map_or(meta.size, |r| r.end - r.start);
        $out.content_length = Some(i64::try_from(length).unwrap_or(i64::MAX));
        $out.content_range = range.map(|r| {
            format!(
                "bytes {}-{}/{}",
                r.start,
                r.end.saturating_sub(1),
                meta.size
            )
        });
        $out.accept_ranges = Some("bytes".into());
        $out.e_tag = Some(ETag::Strong(etag_value(&meta.etag).to_owned()));
        $out.last_modified = Some(timestamp(meta.last_modified));
        $out.metadata = Some(meta.metadata.clone().into_iter().collect());
        $out.content_type = meta.headers.get("content-type").cloned();
        $out.cache_control = meta.headers.get("cache-control").cloned();
        $out.content_disposition = meta.headers.get("content-disposition").cloned();
        $out.content_encoding = meta.headers.get("content-encoding").cloned();
        $out.content_language = meta.headers.get("content-language").cloned();
        $out.parts_count = meta.parts.map(|p| i32::try_from(p).unwrap_or(i32::MAX));
    }};
}

/// The standard headers stored with an object.
pub(crate) fn standard_headers(
    content_type: Option<&String>,
    cache_control: Option<&String>,
    content_disposition: Option<&String>,
    content_encoding: Option<&String>,
    content_language: Option<&String>,
    expires: Option<&Timestamp>,
) -> BTreeMap<String, String> {
    let mut h = BTreeMap::new();
    let mut put = |k: &str, v: Option<&String>| {
        if let Some(v) = v {
            h.insert(k.to_owned(), v.clone());
        }
    };
    put("content-type", content_type);
    put("cache-control", cache_control);
    put("content-disposition", content_disposition);
    // aws-chunked is a transfer detail, not part of the object.
    let encoding = content_encoding.map(|e| {
        e.split(',')
            .map(str::trim)
            .filter(|p| !p.eq_ignore_ascii_case("aws-chunked"))
            .collect::<Vec<_>>()
            .join(",")
    });
    put(
        "content-encoding",
        encoding.as_ref().filter(|e| !e.is_empty()),
    );
    put("content-language", content_language);
    if let Some(e) = expires {
        let mut buf = Vec::new();
        if e.format(TimestampFormat::HttpDate, &mut buf).is_ok() {
            h.insert("expires".into(), String::from_utf8_lossy(&buf).into_owned());
        }
    }
    h
}

pub(crate) fn metadata_map(m: Option<&Metadata>) -> BTreeMap<String, String> {
    m.map(|m| {
        m.iter()
            .map(|(k, v)| (k.to_lowercase(), v.clone()))
            .collect()
    })
    .unwrap_or_default()
}

impl Gateway {
    /// `NoSuchKey` when the caller may list the bucket, `AccessDenied` otherwise, as S3 does.
    pub(crate) fn missing_key(
        &self,
        info: &RequestInfo,
        bucket: &CachedBucket,
        key: &str,
    ) -> S3Error {
        match self.authorize(info, "s3:ListBucket", bucket, None, &[]) {
            Ok(()) => crate::error::no_such_key(key, http::HeaderMap::new()),
            Err(denied) => denied,
        }
    }

    /// An object for a read (GET or HEAD): `s3:GetObject` with the object's tags in the
    /// context (`s3:GetObjectVersion` when a version is named), then `NoSuchKey` or
    /// `AccessDenied` if it is missing, then the conditional headers (`If-Match`,
    /// `If-None-Match` / `If-Modified-Since`, `If-Unmodified-Since`).
    async fn readable_object(
        &self,
        info: &RequestInfo,
        bucket: &CachedBucket,
        (key, version): (&str, Option<&VersionId>),
        [if_match, if_none_match]: [Option<&s3s::dto::ETagCondition>; 2],
        [if_modified_since, if_unmodified_since]: [Option<&Timestamp>; 2],
    ) -> S3Result<Arc<ObjectMeta>> {
        let meta = if let Some(id) = version {
            self.readable_version(info, bucket, key, id, ("s3:GetObjectVersion", &[]))
                .await?
        } else {
            let meta = self.object(&bucket.bucket.name, key).await?;
            let ctx = existing_tag_context(meta.as_deref());
            self.authorize(info, "s3:GetObject", bucket, Some(key), &as_refs(&ctx))?;
            match meta {
                Some(meta) => meta,
                None => return Err(self.absent_object(info, bucket, key).await),
            }
        };
        check_read_conditions(
            if_match,
            if_none_match,
            if_modified_since,
            if_unmodified_since,
            &meta,
        )?;
        Ok(meta)
    }

    pub(crate) async fn op_put_object(
        &self,
        mut req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let key = req.input.key.clone();
        let tags = header_tags(req.input.tagging.as_deref())?;
        let extra = put_context(&req.headers, &tags);
        self.authorize(&info, info.action()?, &bucket, Some(&key), &as_refs(&extra))?;
        self.check_write_options(&info, &bucket, &key, &req.headers, &extra)?;
        if !tags.is_empty() {
            self.authorize(
                &info,
                "s3:PutObjectTagging",
                &bucket,
                Some(&key),
                &as_refs(&extra),
            )?;
        }
        // Only a conditional PUT needs the current record before the body; the commit reads
        // the one it replaces itself.
        if req.input.if_match.is_some() || req.input.if_none_match.is_some() {
            let current = self.object(&bucket.bucket.name, &key).await?;
            check_write_conditions(
                &key,
                req.input.if_match.as_ref(),
                req.input.if_none_match.as_ref(),
                current.as_deref(),
            )?;
        }
        let expect = Expectations::from_headers(&req.headers)?;
        let received = body::receive(
            &self.blobs,
            INLINE_MAX,
            req.input.body.take(),
            &expect,
            req.trailing_headers.as_ref(),
        )
        .await?;
        let i = &req.input;
        let meta = ObjectMeta {
            key: key.clone(),
            size: received.size,
            etag: body::etag(&received.md5),
            last_modified: gatehouse_core::entities::now(),
            body: received.body.clone(),
            headers: standard_headers(
                i.content_type.as_ref(),
                i.cache_control.as_ref(),
                i.content_disposition.as_ref(),
                i.content_encoding.as_ref(),
                i.content_language.as_ref(),
                i.expires.as_ref(),
            ),
            metadata: metadata_map(i.metadata.as_ref()),
            tags,
            checksums: received
                .checksums
                .iter()
                .map(|(a, v)| (a.header_suffix().to_owned(), v.clone()))
                .collect(),
            parts: None,
            part_sizes: Vec::new(),
            owner: info
                .caller
                .as_ref()
                .map_or(bucket.bucket.owner, gatehouse_core::Caller::account),
            version: VersionId::Null,
            seq: 0,
        };
        let etag = meta.etag.clone();
        let written = self
            .commit_object(&bucket.bucket, meta, Batch::new())
            .await?;
        let mut out = PutObjectOutput {
            e_tag: Some(ETag::Strong(etag_value(&etag).to_owned())),
            version_id: written.version.map(|v| v.as_str().to_owned()),
            ..Default::default()
        };
        fill_checksums!(
            out,
            received.checksums.iter().map(|(a, v)| (*a, v.as_str()))
        );
        Ok(S3Response::new(out))
    }

    pub(crate) async fn op_get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let i = &req.input;
        let version = requested_version(i.version_id.as_deref())?;
        let meta = self
            .readable_object(
                &info,
                &bucket,
                (&i.key, version.as_ref()),
                [i.if_match.as_ref(), i.if_none_match.as_ref()],
                [i.if_modified_since.as_ref(), i.if_unmodified_since.as_ref()],
            )
            .await?;
        let range = match (&i.range, i.part_number) {
            (Some(r), _) => Some(r.check(meta.size).map_err(|_| {
                let requested = req
                    .headers
                    .get(http::header::RANGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                crate::error::invalid_range(requested, meta.size)
            })?),
            (None, Some(n)) => part_range(&meta, n)?,
            (None, None) => None,
        };
        let (start, len) = range
            .as_ref()
            .map_or((0, meta.size), |r| (r.start, r.end - r.start));
        let body = meta
            .body
            .read_range(&self.blobs, start, len)
            .await
            .map_err(internal)?;
        let mut out = GetObjectOutput {
            body: Some(body),
            tag_count: (!meta.tags.is_empty()).then(|| i32::try_from(meta.tags.len()).unwrap_or(0)),
            version_id: reported_version(&bucket, &meta, version.is_some()),
            ..Default::default()
        };
        fill_object_fields!(out, &meta, range.as_ref());
        let wants_checksums = checksum_mode_enabled(i.checksum_mode.as_ref());
        // A ranged GET never carries the whole object's checksum.
        if wants_checksums && range.is_none() {
            fill_checksums!(out, stored_checksums(&meta));
        }
        let mut resp = S3Response::new(out);
        if let Some(expires) = meta
            .headers
            .get("expires")
            .and_then(|v| http::HeaderValue::from_str(v).ok())
        {
            resp.headers.insert(http::header::EXPIRES, expires);
        }
        Ok(resp)
    }

    pub(crate) async fn op_head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let i = &req.input;
        let version = requested_version(i.version_id.as_deref())?;
        let meta = self
            .readable_object(
                &info,
                &bucket,
                (&i.key, version.as_ref()),
                [i.if_match.as_ref(), i.if_none_match.as_ref()],
                [i.if_modified_since.as_ref(), i.if_unmodified_since.as_ref()],
            )
            .await?;
        let part = match i.part_number {
            Some(n) => part_range(&meta, n)?,
            None => None,
        };
        let mut out = HeadObjectOutput {
            version_id: reported_version(&bucket, &meta, version.is_some()),
            ..Default::default()
        };
        fill_object_fields!(out, &meta, part.as_ref());
        if checksum_mode_enabled(i.checksum_mode.as_ref()) {
            fill_checksums!(out, stored_checksums(&meta));
        }
        Ok(S3Response::new(out))
    }

    pub(crate) async fn op_delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let version = requested_version(req.input.version_id.as_deref())?;
        let written = self
            .delete_authorized(&info, &bucket, &req.input.key, version.as_ref())
            .await?;
        Ok(S3Response::new(DeleteObjectOutput {
            version_id: written.version.map(|v| v.as_str().to_owned()),
            delete_marker: written.delete_marker.then_some(true),
            ..Default::default()
        }))
    }

    /// Deletes `key` (or its version `version`) after authorizing the delete:
    /// `s3:DeleteObject`, or `s3:DeleteObjectVersion` with `s3:VersionId` when a version is
    /// named.
    async fn delete_authorized(
        &self,
        info: &RequestInfo,
        bucket: &CachedBucket,
        key: &str,
        version: Option<&VersionId>,
    ) -> S3Result<Outcome> {
        let owner = info
            .caller
            .as_ref()
            .map_or(bucket.bucket.owner, gatehouse_core::Caller::account);
        match version {
            None => {
                self.authorize(info, "s3:DeleteObject", bucket, Some(key), &[])?;
                self.delete_current(&bucket.bucket, key, owner).await
            }
            Some(id) => {
                let ctx = [("s3:VersionId", ContextValue::from(id.as_str()))];
                self.authorize(info, "s3:DeleteObjectVersion", bucket, Some(key), &ctx)?;
                if bucket.bucket.versioning.keeps_versions() {
                    self.delete_version(&bucket.bucket, key, id).await
                } else {
                    // Never versioned: the `null` version is the object; no other exists.
                    if id.is_null() {
                        self.delete_current(&bucket.bucket, key, owner).await?;
                    }
                    Ok(Outcome {
                        version: Some(id.clone()),
                        delete_marker: false,
                    })
                }
            }
        }
    }

    pub(crate) async fn op_delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        if req.input.delete.objects.len() > 1000 {
            return Err(crate::error::malformed_xml());
        }
        let quiet = req.input.delete.quiet.unwrap_or(false);
        let mut deleted = Vec::new();
        let mut errors = Vec::new();
        for obj in &req.input.delete.objects {
            let Ok(version) = requested_version(obj.version_id.as_deref()) else {
                errors.push(s3s::dto::Error {
                    code: Some("InvalidArgument".into()),
                    key: Some(obj.key.clone()),
                    message: Some("Invalid version id specified".into()),
                    version_id: obj.version_id.clone(),
                });
                continue;
            };
            match self
                .delete_authorized(&info, &bucket, &obj.key, version.as_ref())
                .await
            {
                Ok(written) => {
                    if !quiet {
                        // The marker made or removed is named apart from the version asked for.
                        let marker_id = written
                            .delete_marker
                            .then(|| written.version.as_ref().map(|v| v.as_str().to_owned()))
                            .flatten();
                        deleted.push(DeletedObject {
                            key: Some(obj.key.clone()),
                            version_id: obj.version_id.clone(),
                            delete_marker: written.delete_marker.then_some(true),
                            delete_marker_version_id: marker_id,
                        });
                    }
                }
                // Per-key errors of DeleteObjects carry S3's short text.
                Err(e) if *e.code() == S3ErrorCode::AccessDenied => errors.push(s3s::dto::Error {
                    code: Some("AccessDenied".into()),
                    key: Some(obj.key.clone()),
                    message: Some("Access Denied".into()),
                    version_id: obj.version_id.clone(),
                }),
                Err(e) => return Err(e),
            }
        }
        Ok(S3Response::new(DeleteObjectsOutput {
            deleted: Some(deleted),
            errors: Some(errors),
            ..Default::default()
        }))
    }
}

/// Sets the `checksum_*` fields of an S3 output from `(Algorithm, &str)` pairs.
macro_rules! fill_checksums {
    ($out:expr, $pairs:expr) => {
        for (algorithm, value) in $pairs {
            let slot = match algorithm {
                Algorithm::Crc32 => &mut $out.checksum_crc32,
                Algorithm::Crc32c => &mut $out.checksum_crc32c,
                Algorithm::Crc64Nvme => &mut $out.checksum_crc64nvme,
                Algorithm::Sha1 => &mut $out.checksum_sha1,
                Algorithm::Sha256 => &mut $out.checksum_sha256,
            };
            *slot = Some(String::from(value));
        }
    };
}
pub(crate) use fill_checksums;

/// True when the request asks for checksums (`x-amz-checksum-mode: ENABLED`).
fn checksum_mode_enabled(mode: Option<&s3s::dto::ChecksumMode>) -> bool {
    mode.is_some_and(|m| m.as_str().eq_ignore_ascii_case("ENABLED"))
}

/// The stored checksums of an object as `(Algorithm, &str)` pairs.
fn stored_checksums(meta: &ObjectMeta) -> impl Iterator<Item = (Algorithm, &str)> {
    meta.checksums
        .iter()
        .filter_map(|(a, v)| Algorithm::parse(a).map(|a| (a, v.as_str())))
}
