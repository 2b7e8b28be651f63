//! Wire helpers the S3 handlers share: request context keys, version ids as requests name them
//! and responses report them, listing parameters, timestamps and tags in S3's shapes. Handlers
//! import this module; it imports none of them.

use gatehouse_policy::ContextValue;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use s3s::dto::{EncodingType, Owner, Tag, TagSet, Timestamp};
use s3s::{S3Result, s3_error};

use crate::error::invalid_version_id;
use crate::gateway::{CachedBucket, Gateway, RequestInfo};
use crate::model::meta::{ObjectMeta, Resume};
use crate::model::versioning::VersionId;

/// What `encoding-type=url` escapes: all but unreserved characters and `/`.
const KEY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

pub(crate) fn timestamp(t: jiff::Timestamp) -> Timestamp {
    Timestamp::from(std::time::SystemTime::from(t))
}

/// Keys the `PutObject` condition context carries (semantics spec §6.6).
pub(crate) fn put_context(
    req_headers: &http::HeaderMap,
    tags: &[(String, String)],
) -> Vec<(String, ContextValue)> {
    let mut out = Vec::new();
    for (header, key) in [
        ("x-amz-acl", "s3:x-amz-acl"),
        (
            "x-amz-server-side-encryption",
            "s3:x-amz-server-side-encryption",
        ),
        (
            "x-amz-server-side-encryption-aws-kms-key-id",
            "s3:x-amz-server-side-encryption-aws-kms-key-id",
        ),
        (
            "x-amz-server-side-encryption-customer-algorithm",
            "s3:x-amz-server-side-encryption-customer-algorithm",
        ),
        ("x-amz-storage-class", "s3:x-amz-storage-class"),
        ("x-amz-copy-source", "s3:x-amz-copy-source"),
        ("x-amz-metadata-directive", "s3:x-amz-metadata-directive"),
        (
            "x-amz-website-redirect-location",
            "s3:x-amz-website-redirect-location",
        ),
        ("x-amz-grant-read", "s3:x-amz-grant-read"),
        ("x-amz-grant-full-control", "s3:x-amz-grant-full-control"),
        ("if-match", "s3:if-match"),
        ("if-none-match", "s3:if-none-match"),
    ] {
        if let Some(v) = req_headers.get(header).and_then(|v| v.to_str().ok()) {
            out.push((key.to_owned(), ContextValue::Single(v.into())));
        }
    }
    for (k, v) in tags {
        out.push((
            format!("s3:RequestObjectTag/{k}"),
            ContextValue::Single(v.as_str().into()),
        ));
    }
    if !tags.is_empty() {
        out.push((
            "s3:RequestObjectTagKeys".into(),
            ContextValue::Multi(tags.iter().map(|(k, _)| k.as_str().into()).collect()),
        ));
    }
    out
}

pub(crate) fn as_refs(v: &[(String, ContextValue)]) -> Vec<(&str, ContextValue)> {
    v.iter().map(|(k, c)| (k.as_str(), c.clone())).collect()
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

/// The version id a request names, or S3's `InvalidArgument` for one never issued.
pub(crate) fn requested_version(text: Option<&str>) -> S3Result<Option<VersionId>> {
    text.map(|t| VersionId::parse(t).ok_or_else(|| invalid_version_id(t)))
        .transpose()
}

/// The `x-amz-version-id` a response about `meta` carries: always once the bucket has had
/// versioning, and when the request named a version.
pub(crate) fn reported_version(
    bucket: &CachedBucket,
    meta: &ObjectMeta,
    requested: bool,
) -> Option<String> {
    (bucket.bucket.versioning.keeps_versions() || requested)
        .then(|| meta.version.as_str().to_owned())
}

pub(crate) fn encoder(encoding: Option<&EncodingType>) -> S3Result<impl Fn(&str) -> String> {
    let url = match encoding {
        None => false,
        Some(e) if e.as_str() == "url" => true,
        Some(e) => {
            return Err(crate::error::invalid_argument(
                "Invalid Encoding Method specified in Request",
                "encoding-type",
                e.as_str(),
            ));
        }
    };
    Ok(move |s: &str| {
        if url {
            utf8_percent_encode(s, KEY_ENCODE).to_string()
        } else {
            s.to_owned()
        }
    })
}

/// Where a listing that names a marker resumes: a marker that is a common prefix resumes past
/// everything under it, any other after it.
pub(crate) fn resume_from_marker(
    marker: Option<&str>,
    prefix: &str,
    delimiter: Option<&str>,
) -> Option<Resume> {
    marker.filter(|m| !m.is_empty()).map(|m| match delimiter {
        Some(d) if !d.is_empty() && m.ends_with(d) && m.starts_with(prefix) => {
            Resume::Past(m.to_owned())
        }
        _ => Resume::After(m.to_owned()),
    })
}

pub(crate) fn max_keys(value: Option<i32>) -> S3Result<usize> {
    match value {
        None => Ok(1000),
        Some(n) if n < 0 => Err(crate::error::invalid_argument(
            "Argument maxKeys must be an integer between 0 and 2147483647",
            "maxKeys",
            &n.to_string(),
        )),
        Some(n) => Ok(usize::try_from(n).unwrap_or(1000).min(1000)),
    }
}

/// The bucket owner as S3 lists it (ID and display name both the account id).
pub(crate) fn owner_of(bucket: &CachedBucket) -> Owner {
    Owner {
        id: Some(bucket.bucket.owner.to_string()),
        display_name: Some(bucket.bucket.owner.to_string()),
    }
}

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

impl Gateway {
    /// The options of an object write (`PutObject`, `CopyObject`, `CreateMultipartUpload`) that
    /// are not its body: server-side encryption (only SSE-S3 is served) and an ACL, which the
    /// bucket's Object Ownership must allow and which needs `s3:PutObjectAcl` too.
    pub(crate) fn check_write_options(
        &self,
        info: &RequestInfo,
        bucket: &CachedBucket,
        key: &str,
        headers: &http::HeaderMap,
        context: &[(String, ContextValue)],
    ) -> S3Result<()> {
        crate::model::bucket_config::check_object_write_encryption(headers)?;
        let has_acl = crate::model::bucket_config::check_object_write_acl(
            bucket.bucket.ownership,
            &bucket.bucket.owner.to_string(),
            headers,
        )?;
        if has_acl {
            self.authorize(
                info,
                "s3:PutObjectAcl",
                bucket,
                Some(key),
                &as_refs(context),
            )?;
        }
        Ok(())
    }
}
