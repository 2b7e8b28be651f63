//! Multipart uploads: create, upload parts (and part copies), complete, abort, list.

use gatehouse_store::{Batch, KeyRange, Table};
use s3s::crypto::Checksum as _;
use s3s::dto::{
    AbortMultipartUploadInput, AbortMultipartUploadOutput, CompleteMultipartUploadInput,
    CompleteMultipartUploadOutput, CopyPartResult, CreateMultipartUploadInput,
    CreateMultipartUploadOutput, ETag, Initiator, ListMultipartUploadsInput,
    ListMultipartUploadsOutput, ListPartsInput, ListPartsOutput, MultipartUpload, Owner,
    StorageClass, UploadPartCopyInput, UploadPartCopyOutput, UploadPartInput, UploadPartOutput,
};
use s3s::{S3Request, S3Response, S3Result, s3_error};

use crate::error::{self, internal};
use crate::gateway::{CachedBucket, Gateway};
use crate::model::blob::ObjectBody;
use crate::model::body::Algorithm;
use crate::model::body::{self, Expectations};
use crate::model::keys::object_key;
use crate::model::keys::part_key;
use crate::model::keys::upload_key;
use crate::model::meta::{self, ObjectMeta, Part, Upload};
use crate::model::versioning::VersionId;
use crate::ops::object::fill_checksums;
use crate::ops::wire::as_refs;
use crate::ops::wire::timestamp;

const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

fn new_upload_id() -> String {
    let bytes: [u8; 24] = rand::random();
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
}

fn check_part_number(n: i32) -> S3Result<u32> {
    u32::try_from(n)
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| {
            s3_error!(
                InvalidArgument,
                "Part number must be an integer between 1 and 10000, inclusive"
            )
        })
}

impl Gateway {
    async fn upload(&self, bucket: &str, key: &str, upload_id: &str) -> S3Result<Upload> {
        let k = upload_key(bucket, upload_id);
        let upload: Option<Upload> = self
            .blocking(move |s| meta::get(s, Table::Uploads, &k))
            .await?;
        upload
            .filter(|u| u.key == key)
            .ok_or_else(|| error::no_such_upload(upload_id))
    }

    async fn parts(&self, bucket: &str, upload_id: &str) -> S3Result<Vec<Part>> {
        let prefix = parts_prefix(bucket, upload_id);
        let rows = self
            .blocking(move |s| s.scan(Table::Uploads, &KeyRange::prefix(&prefix), usize::MAX))
            .await?;
        Ok(rows
            .iter()
            .filter_map(|(_, v)| serde_json::from_slice::<Part>(v).ok())
            .collect())
    }

    pub(crate) async fn op_create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let key = req.input.key.clone();
        let extra = crate::ops::wire::put_context(&req.headers, &[]);
        self.authorize(&info, info.action()?, &bucket, Some(&key), &as_refs(&extra))?;
        self.check_write_options(&info, &bucket, &key, &req.headers, &extra)?;
        let i = &req.input;
        let mut headers = std::collections::BTreeMap::new();
        for (name, value) in [
            ("content-type", &i.content_type),
            ("cache-control", &i.cache_control),
            ("content-disposition", &i.content_disposition),
            ("content-language", &i.content_language),
        ] {
            if let Some(v) = value {
                headers.insert(name.to_owned(), v.clone());
            }
        }
        let upload = Upload {
            id: new_upload_id(),
            key: key.clone(),
            initiated: gatehouse_core::entities::now(),
            owner: info
                .caller
                .as_ref()
                .map_or(bucket.bucket.owner, gatehouse_core::Caller::account),
            initiator: info
                .caller
                .as_ref()
                .map_or_else(|| "anonymous".to_owned(), gatehouse_core::Caller::arn),
            headers,
            metadata: i
                .metadata
                .as_ref()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.to_lowercase(), v.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let k = upload_key(&bucket.bucket.name, &upload.id);
        let record = meta::encode(&upload);
        self.blocking(move |s| s.commit(Batch::new().put(Table::Uploads, k, record)))
            .await?;
        Ok(S3Response::new(CreateMultipartUploadOutput {
            bucket: Some(bucket.bucket.name.clone()),
            key: Some(key),
            upload_id: Some(upload.id),
            checksum_algorithm: i.checksum_algorithm.clone(),
            ..Default::default()
        }))
    }

    async fn store_part(&self, bucket: &CachedBucket, upload_id: &str, part: Part) -> S3Result<()> {
        let k = part_key(&bucket.bucket.name, upload_id, part.number);
        let previous: Option<Part> = {
            let k = k.clone();
            self.blocking(move |s| meta::get(s, Table::Uploads, &k))
                .await?
        };
        let record = meta::encode(&part);
        self.blocking(move |s| s.commit(Batch::new().put(Table::Uploads, k, record)))
            .await?;
        if let Some(prev) = previous {
            self.blobs.remove(&prev.blob).await;
        }
        Ok(())
    }

    pub(crate) async fn op_upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let key = req.input.key.clone();
        self.authorize(&info, info.action()?, &bucket, Some(&key), &[])?;
        let number = check_part_number(req.input.part_number)?;
        self.upload(&bucket.bucket.name, &key, &req.input.upload_id)
            .await?;
        let expect = Expectations::from_headers(&req.headers)?;
        // Parts are always blob files: completion concatenates them.
        let received = body::receive(
            &self.blobs,
            0,
            req.input.body,
            &expect,
            req.trailing_headers.as_ref(),
        )
        .await?;
        let etag = body::etag(&received.md5);
        let part = Part {
            number,
            etag: etag.clone(),
            md5: received.md5.to_vec(),
            size: received.size,
            blob: self
                .blobs
                .into_blob(received.body.clone())
                .await
                .map_err(internal)?,
            last_modified: gatehouse_core::entities::now(),
        };
        self.store_part(&bucket, &req.input.upload_id, part).await?;
        let mut out = UploadPartOutput {
            e_tag: Some(ETag::Strong(etag.trim_matches('"').to_owned())),
            ..Default::default()
        };
        fill_checksums!(
            out,
            received.checksums.iter().map(|(a, v)| (*a, v.as_str()))
        );
        Ok(S3Response::new(out))
    }

    pub(crate) async fn op_upload_part_copy(
        &self,
        req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        let info = self.info(&req);
        let (_, source, _) = self.copy_source(&info, &req.input.copy_source).await?;
        let bucket = self.bucket(&req.input.bucket).await?;
        let key = req.input.key.clone();
        self.authorize(&info, info.action()?, &bucket, Some(&key), &[])?;
        let number = check_part_number(req.input.part_number)?;
        self.upload(&bucket.bucket.name, &key, &req.input.upload_id)
            .await?;
        crate::ops::conditions::check_copy_source_conditions(
            req.input.copy_source_if_match.as_ref(),
            req.input.copy_source_if_none_match.as_ref(),
            req.input.copy_source_if_modified_since.as_ref(),
            req.input.copy_source_if_unmodified_since.as_ref(),
            &source,
        )?;
        let (start, len) = match &req.input.copy_source_range {
            None => (0, source.size),
            Some(r) => parse_copy_range(r, source.size)?,
        };
        let mut md5 = s3s::crypto::Md5::new();
        let blob = self
            .copy_pieces(&[(&source.body, start, len)], Some(&mut md5), 0)
            .await?;
        let blob = self.blobs.into_blob(blob).await.map_err(internal)?;
        let md5 = md5.finalize();
        let etag = body::etag(&md5);
        let now = gatehouse_core::entities::now();
        self.store_part(
            &bucket,
            &req.input.upload_id,
            Part {
                number,
                etag: etag.clone(),
                md5: md5.to_vec(),
                size: len,
                blob,
                last_modified: now,
            },
        )
        .await?;
        Ok(S3Response::new(UploadPartCopyOutput {
            copy_part_result: Some(CopyPartResult {
                e_tag: Some(ETag::Strong(etag.trim_matches('"').to_owned())),
                last_modified: Some(timestamp(now)),
                ..Default::default()
            }),
            ..Default::default()
        }))
    }

    pub(crate) async fn op_complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        let key = req.input.key.clone();
        self.authorize(&info, info.action()?, &bucket, Some(&key), &[])?;
        let upload = self
            .upload(&bucket.bucket.name, &key, &req.input.upload_id)
            .await?;
        let stored = self.parts(&bucket.bucket.name, &upload.id).await?;
        let requested = req
            .input
            .multipart_upload
            .as_ref()
            .and_then(|m| m.parts.clone())
            .unwrap_or_default();
        if requested.is_empty() {
            return Err(error::malformed_xml());
        }
        let mut chosen: Vec<&Part> = Vec::with_capacity(requested.len());
        let mut last_number = 0;
        for (i, p) in requested.iter().enumerate() {
            let number = p
                .part_number
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0);
            if number <= last_number {
                return Err(error::invalid_part_order(&upload.id));
            }
            last_number = number;
            let etag = p
                .e_tag
                .as_ref()
                .map(|e| e.value().to_owned())
                .unwrap_or_default();
            let invalid = || error::invalid_part(&upload.id, p.part_number.unwrap_or(0), &etag);
            let part = stored
                .iter()
                .find(|s| s.number == number)
                .ok_or_else(invalid)?;
            if p.e_tag
                .as_ref()
                .is_some_and(|e| e.value().trim_matches('"') != part.etag.trim_matches('"'))
            {
                return Err(invalid());
            }
            if i + 1 < requested.len() && part.size < MIN_PART_SIZE {
                return Err(error::entity_too_small(
                    part.size,
                    MIN_PART_SIZE,
                    p.part_number.unwrap_or(0),
                    &part.etag,
                ));
            }
            chosen.push(part);
        }
        let bodies: Vec<ObjectBody> = chosen
            .iter()
            .map(|p| ObjectBody::Blob(p.blob.clone()))
            .collect();
        let pieces: Vec<_> = bodies
            .iter()
            .zip(&chosen)
            .map(|(b, p)| (b, 0, p.size))
            .collect();
        let body = self.copy_pieces(&pieces, None, 0).await?;
        let mut md5s = s3s::crypto::Md5::new();
        for p in &chosen {
            md5s.update(&p.md5);
        }
        let etag = format!("\"{}-{}\"", hex::encode(md5s.finalize()), chosen.len());
        let meta = ObjectMeta {
            key: key.clone(),
            size: chosen.iter().map(|p| p.size).sum(),
            etag: etag.clone(),
            last_modified: gatehouse_core::entities::now(),
            body,
            headers: upload.headers.clone(),
            metadata: upload.metadata.clone(),
            tags: vec![],
            checksums: Default::default(),
            parts: Some(u32::try_from(chosen.len()).unwrap_or(u32::MAX)),
            part_sizes: chosen.iter().map(|p| p.size).collect(),
            owner: upload.owner,
            version: VersionId::Null,
            seq: 0,
        };
        // The object and the end of the upload commit together.
        let written = self
            .commit_object(
                &bucket.bucket,
                meta,
                end_upload(Batch::new(), &bucket.bucket.name, &upload.id),
            )
            .await?;
        for p in &stored {
            self.blobs.remove(&p.blob).await;
        }
        Ok(S3Response::new(CompleteMultipartUploadOutput {
            bucket: Some(bucket.bucket.name.clone()),
            key: Some(key.clone()),
            e_tag: Some(ETag::Strong(etag.trim_matches('"').to_owned())),
            location: Some(format!("/{}/{key}", bucket.bucket.name)),
            version_id: written.version.map(|v| v.as_str().to_owned()),
            ..Default::default()
        }))
    }

    pub(crate) async fn op_abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, Some(&req.input.key), &[])?;
        let upload = self
            .upload(&bucket.bucket.name, &req.input.key, &req.input.upload_id)
            .await?;
        let parts = self.parts(&bucket.bucket.name, &upload.id).await?;
        let batch = end_upload(Batch::new(), &bucket.bucket.name, &upload.id);
        self.blocking(move |s| s.commit(batch)).await?;
        for p in parts {
            self.blobs.remove(&p.blob).await;
        }
        Ok(S3Response::new(AbortMultipartUploadOutput::default()))
    }

    pub(crate) async fn op_list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, Some(&req.input.key), &[])?;
        let upload = self
            .upload(&bucket.bucket.name, &req.input.key, &req.input.upload_id)
            .await?;
        let marker: u32 = req
            .input
            .part_number_marker
            .and_then(|m| u32::try_from(m).ok())
            .unwrap_or(0);
        let max =
            usize::try_from(req.input.max_parts.unwrap_or(1000).clamp(0, 1000)).unwrap_or(1000);
        let all: Vec<Part> = self
            .parts(&bucket.bucket.name, &upload.id)
            .await?
            .into_iter()
            .filter(|p| p.number > marker)
            .collect();
        let truncated = all.len() > max;
        let page: Vec<&Part> = all.iter().take(max).collect();
        let owner = Owner {
            id: Some(upload.owner.to_string()),
            display_name: Some(upload.owner.to_string()),
        };
        Ok(S3Response::new(ListPartsOutput {
            bucket: Some(bucket.bucket.name.clone()),
            key: Some(upload.key.clone()),
            upload_id: Some(upload.id.clone()),
            part_number_marker: Some(i32::try_from(marker).unwrap_or(0)),
            next_part_number_marker: page.last().map(|p| i32::try_from(p.number).unwrap_or(0)),
            max_parts: Some(i32::try_from(max).unwrap_or(1000)),
            is_truncated: Some(truncated),
            initiator: Some(Initiator {
                id: Some(upload.initiator.clone()),
                display_name: Some(upload.initiator.clone()),
            }),
            owner: Some(owner),
            storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
            parts: Some(
                page.iter()
                    .map(|p| s3s::dto::Part {
                        part_number: Some(i32::try_from(p.number).unwrap_or(0)),
                        e_tag: Some(ETag::Strong(p.etag.trim_matches('"').to_owned())),
                        size: Some(i64::try_from(p.size).unwrap_or(i64::MAX)),
                        last_modified: Some(timestamp(p.last_modified)),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }

    pub(crate) async fn op_list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        let info = self.info(&req);
        let bucket = self.bucket(&req.input.bucket).await?;
        self.authorize(&info, info.action()?, &bucket, None, &[])?;
        let prefix = object_key(&bucket.bucket.name, "");
        let skip = prefix.len();
        let rows = self
            .blocking(move |s| s.scan(Table::Uploads, &KeyRange::prefix(&prefix), usize::MAX))
            .await?;
        let key_prefix = req.input.prefix.clone().unwrap_or_default();
        let mut uploads: Vec<Upload> = rows
            .iter()
            .filter(|(k, _)| !k[skip..].contains(&0))
            .filter_map(|(_, v)| serde_json::from_slice::<Upload>(v).ok())
            .filter(|u| u.key.starts_with(&key_prefix))
            .collect();
        uploads.sort_by(|a, b| a.key.cmp(&b.key).then(a.initiated.cmp(&b.initiated)));
        if let Some(marker) = &req.input.key_marker {
            uploads.retain(|u| u.key.as_str() > marker.as_str());
        }
        let max =
            usize::try_from(req.input.max_uploads.unwrap_or(1000).clamp(0, 1000)).unwrap_or(1000);
        let truncated = uploads.len() > max;
        uploads.truncate(max);
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(bucket.bucket.name.clone()),
            prefix: req.input.prefix.clone(),
            key_marker: req.input.key_marker.clone(),
            upload_id_marker: req.input.upload_id_marker.clone(),
            max_uploads: Some(i32::try_from(max).unwrap_or(1000)),
            is_truncated: Some(truncated),
            next_key_marker: truncated
                .then(|| uploads.last().map(|u| u.key.clone()))
                .flatten(),
            next_upload_id_marker: truncated
                .then(|| uploads.last().map(|u| u.id.clone()))
                .flatten(),
            uploads: Some(
                uploads
                    .iter()
                    .map(|u| MultipartUpload {
                        key: Some(u.key.clone()),
                        upload_id: Some(u.id.clone()),
                        initiated: Some(timestamp(u.initiated)),
                        initiator: Some(Initiator {
                            id: Some(u.initiator.clone()),
                            display_name: Some(u.initiator.clone()),
                        }),
                        owner: Some(Owner {
                            id: Some(u.owner.to_string()),
                            display_name: Some(u.owner.to_string()),
                        }),
                        storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }
}

/// The key prefix of an upload's parts.
fn parts_prefix(bucket: &str, upload_id: &str) -> Vec<u8> {
    let mut prefix = upload_key(bucket, upload_id);
    prefix.push(0);
    prefix
}

/// Adds the removal of an upload and all its parts to `batch`.
fn end_upload(batch: Batch, bucket: &str, upload_id: &str) -> Batch {
    batch
        .delete(Table::Uploads, upload_key(bucket, upload_id))
        .delete_prefix(Table::Uploads, parts_prefix(bucket, upload_id))
}

/// `bytes=first-last` of `x-amz-copy-source-range`, within an object of `size` bytes.
fn parse_copy_range(range: &str, size: u64) -> S3Result<(u64, u64)> {
    let invalid = || {
        s3_error!(
            InvalidArgument,
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"
        )
    };
    let (first, last) = range
        .strip_prefix("bytes=")
        .and_then(|r| r.split_once('-'))
        .ok_or_else(invalid)?;
    let first: u64 = first.parse().map_err(|_| invalid())?;
    let last: u64 = last.parse().map_err(|_| invalid())?;
    if first > last || last >= size {
        return Err(s3_error!(
            InvalidArgument,
            "Range specified is not valid for source object of size: {size}"
        ));
    }
    Ok((first, last - first + 1))
}
