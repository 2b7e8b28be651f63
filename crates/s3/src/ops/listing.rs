//! `ListObjects` and `ListObjectsV2`, served from the store's ordered index.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_policy::ContextValue;
use s3s::dto::{
    CommonPrefix, ETag, ListObjectsInput, ListObjectsOutput, ListObjectsV2Input,
    ListObjectsV2Output, Object, ObjectStorageClass, Owner,
};
use s3s::{S3Request, S3Response, S3Result};

use crate::gateway::{CachedBucket, Gateway, RequestInfo};
use crate::model::meta::{self, Listing, Resume};
use crate::ops::wire::timestamp;
use crate::ops::wire::{encoder, max_keys, owner_of, resume_from_marker};

fn encode_token(r: &Resume) -> String {
    let raw = match r {
        Resume::After(k) => format!("A{k}"),
        Resume::Past(p) => format!("P{p}"),
    };
    URL_SAFE_NO_PAD.encode(raw)
}

fn decode_token(t: &str) -> S3Result<Resume> {
    let invalid = || {
        crate::error::invalid_argument(
            "The continuation token provided is incorrect",
            "continuation-token",
            t,
        )
    };
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(t).map_err(|_| invalid())?)
        .map_err(|_| invalid())?;
    match raw.split_at_checked(1) {
        Some(("A", k)) => Ok(Resume::After(k.to_owned())),
        Some(("P", p)) => Ok(Resume::Past(p.to_owned())),
        _ => Err(invalid()),
    }
}

/// The listing's common prefixes, encoded as the request asked.
pub(crate) fn common_prefixes(
    listing: &Listing,
    enc: &impl Fn(&str) -> String,
) -> Vec<CommonPrefix> {
    listing
        .common_prefixes
        .iter()
        .map(|c| CommonPrefix {
            prefix: Some(enc(c)),
        })
        .collect()
}

fn objects(listing: &Listing, enc: &impl Fn(&str) -> String, owner: Option<&Owner>) -> Vec<Object> {
    listing
        .objects
        .iter()
        .map(|m| Object {
            key: Some(enc(&m.key)),
            size: Some(i64::try_from(m.size).unwrap_or(i64::MAX)),
            e_tag: Some(ETag::Strong(m.etag.trim_matches('"').to_owned())),
            last_modified: Some(timestamp(m.last_modified)),
            storage_class: Some(ObjectStorageClass::from_static(
                ObjectStorageClass::STANDARD,
            )),
            owner: owner.cloned(),
            ..Default::default()
        })
        .collect()
}

impl Gateway {
    /// Requires a listing action (`s3:ListBucket`, `s3:ListBucketVersions`) with the
    /// listing's context keys (`s3:prefix`, `s3:delimiter`, `s3:max-keys`).
    pub(crate) fn authorize_listing(
        &self,
        info: &RequestInfo,
        action: &str,
        bucket: &CachedBucket,
        (prefix, delimiter, max): (&str, Option<&str>, Option<i32>),
    ) -> S3Result<()> {
        let mut ctx = vec![("s3:prefix", ContextValue::Single(prefix.into()))];
        if let Some(d) = delimiter {
            ctx.push(("s3:delimiter", ContextValue::Single(d.into())));
        }
        ctx.push((
            "s3:max-keys",
            ContextValue::Single(max.unwrap_or(1000).to_string().into()),
        ));
        self.authorize(info, action, bucket, None, &ctx)
    }

    /// One page of the bucket's objects from the store's ordered index.
    pub(crate) async fn list_page(
        &self,
        bucket: &CachedBucket,
        prefix: &str,
        delimiter: Option<&str>,
        from: Option<Resume>,
        max: usize,
    ) -> S3Result<Listing> {
        let (name, p, d) = (
            bucket.bucket.name.clone(),
            prefix.to_owned(),
            delimiter.map(str::to_owned),
        );
        self.blocking(move |s| meta::list_objects(s, &name, &p, d.as_deref(), from.as_ref(), max))
            .await
    }

    pub(crate) async fn op_list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let info = self.info(&req);
        let i = &req.input;
        let bucket = self.bucket(&i.bucket).await?;
        let prefix = i.prefix.clone().unwrap_or_default();
        self.authorize_listing(
            &info,
            info.action()?,
            &bucket,
            (&prefix, i.delimiter.as_deref(), i.max_keys),
        )?;
        let enc = encoder(i.encoding_type.as_ref())?;
        let max = max_keys(i.max_keys)?;
        let from = match (&i.continuation_token, &i.start_after) {
            (Some(t), _) => Some(decode_token(t)?),
            (None, Some(s)) if !s.is_empty() => Some(Resume::After(s.clone())),
            _ => None,
        };
        let listing = self
            .list_page(&bucket, &prefix, i.delimiter.as_deref(), from, max)
            .await?;
        let owner = i.fetch_owner.unwrap_or(false).then(|| owner_of(&bucket));
        let contents = objects(&listing, &enc, owner.as_ref());
        let prefixes = common_prefixes(&listing, &enc);
        let count = contents.len() + prefixes.len();
        Ok(S3Response::new(ListObjectsV2Output {
            name: Some(bucket.bucket.name.clone()),
            prefix: Some(enc(&prefix)),
            delimiter: i.delimiter.as_deref().map(&enc),
            max_keys: Some(i32::try_from(max).unwrap_or(1000)),
            key_count: Some(i32::try_from(count).unwrap_or(0)),
            is_truncated: Some(listing.truncated),
            continuation_token: i.continuation_token.clone(),
            next_continuation_token: listing
                .truncated
                .then(|| listing.resume.as_ref().map(encode_token))
                .flatten(),
            start_after: i.start_after.as_deref().map(&enc),
            encoding_type: i.encoding_type.clone(),
            contents: Some(contents),
            common_prefixes: Some(prefixes),
            ..Default::default()
        }))
    }

    pub(crate) async fn op_list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        let info = self.info(&req);
        let i = &req.input;
        let bucket = self.bucket(&i.bucket).await?;
        let prefix = i.prefix.clone().unwrap_or_default();
        self.authorize_listing(
            &info,
            info.action()?,
            &bucket,
            (&prefix, i.delimiter.as_deref(), i.max_keys),
        )?;
        let enc = encoder(i.encoding_type.as_ref())?;
        let max = max_keys(i.max_keys)?;
        let from = resume_from_marker(i.marker.as_deref(), &prefix, i.delimiter.as_deref());
        let listing = self
            .list_page(&bucket, &prefix, i.delimiter.as_deref(), from, max)
            .await?;
        let owner = Some(owner_of(&bucket));
        let contents = objects(&listing, &enc, owner.as_ref());
        let prefixes = common_prefixes(&listing, &enc);
        // S3 returns NextMarker only when a delimiter was given.
        let next_marker =
            (listing.truncated && i.delimiter.is_some()).then(|| match &listing.resume {
                Some(Resume::After(k) | Resume::Past(k)) => enc(k),
                None => String::new(),
            });
        Ok(S3Response::new(ListObjectsOutput {
            name: Some(bucket.bucket.name.clone()),
            prefix: Some(enc(&prefix)),
            marker: Some(i.marker.as_deref().map(&enc).unwrap_or_default()),
            delimiter: i.delimiter.as_deref().map(&enc),
            max_keys: Some(i32::try_from(max).unwrap_or(1000)),
            is_truncated: Some(listing.truncated),
            next_marker,
            encoding_type: i.encoding_type.clone(),
            contents: Some(contents),
            common_prefixes: Some(prefixes),
            ..Default::default()
        }))
    }
}
