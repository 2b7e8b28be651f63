//! Conditional requests: `If-Match`, `If-None-Match`, `If-Modified-Since`,
//! `If-Unmodified-Since` on reads, writes and copy sources, and `partNumber` ranges.

use s3s::dto::{ETagCondition, Timestamp};
use s3s::{S3Result, s3_error};

use crate::error::{custom_error, no_such_key, precondition_failed};
use crate::model::meta::ObjectMeta;

pub(crate) fn unix(t: &Timestamp) -> i64 {
    time::OffsetDateTime::from(t.clone()).unix_timestamp()
}

pub(crate) fn etag_value(etag: &str) -> &str {
    etag.trim_matches('"')
}

pub(crate) fn etag_matches(cond: &ETagCondition, etag: &str) -> bool {
    match cond {
        ETagCondition::Any => true,
        ETagCondition::ETag(e) => e.value().trim_matches('"') == etag_value(etag),
    }
}

/// The byte range of part `n` of a multipart object (`partNumber`); a single-part object is
/// its own part 1, read whole.
pub(crate) fn part_range(meta: &ObjectMeta, n: i32) -> S3Result<Option<std::ops::Range<u64>>> {
    let invalid = || {
        custom_error(
            "InvalidPartNumber",
            http::StatusCode::RANGE_NOT_SATISFIABLE,
            "The requested partnumber is not satisfiable",
        )
    };
    let index = usize::try_from(n)
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(invalid)?
        - 1;
    if meta.part_sizes.is_empty() {
        return if index == 0 { Ok(None) } else { Err(invalid()) };
    }
    let size = *meta.part_sizes.get(index).ok_or_else(invalid)?;
    let start: u64 = meta.part_sizes[..index].iter().sum();
    Ok(Some(start..start + size))
}

/// `If-Match` / `If-None-Match` on writes of `key`.
pub(crate) fn check_write_conditions(
    key: &str,
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
    existing: Option<&ObjectMeta>,
) -> S3Result<()> {
    if let Some(cond) = if_none_match
        && existing.is_some_and(|m| etag_matches(cond, &m.etag))
    {
        return Err(precondition_failed("If-None-Match"));
    }
    if let Some(cond) = if_match {
        match existing {
            Some(m) if etag_matches(cond, &m.etag) => {}
            Some(_) => return Err(precondition_failed("If-Match")),
            None => return Err(no_such_key(key, http::HeaderMap::new())),
        }
    }
    Ok(())
}

/// Which conditional header of a read did not hold, and how S3 answers it on a GET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadFailure {
    /// 412 `PreconditionFailed` (`If-Match`, `If-Unmodified-Since`).
    Precondition(&'static str),
    /// 304 Not Modified (`If-None-Match`, `If-Modified-Since`).
    NotModified(&'static str),
}

/// The conditional headers of a read, in RFC 7232's order.
fn read_failure(
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
    if_unmodified_since: Option<&Timestamp>,
    meta: &ObjectMeta,
) -> Option<ReadFailure> {
    let modified = meta.last_modified.as_second();
    match if_match {
        Some(cond) if !etag_matches(cond, &meta.etag) => {
            return Some(ReadFailure::Precondition("If-Match"));
        }
        None if if_unmodified_since.is_some_and(|t| modified > unix(t)) => {
            return Some(ReadFailure::Precondition("If-Unmodified-Since"));
        }
        _ => {}
    }
    match if_none_match {
        Some(cond) if etag_matches(cond, &meta.etag) => {
            Some(ReadFailure::NotModified("If-None-Match"))
        }
        None if if_modified_since.is_some_and(|t| modified <= unix(t)) => {
            Some(ReadFailure::NotModified("If-Modified-Since"))
        }
        _ => None,
    }
}

/// The `x-amz-copy-source-if-*` conditions of `CopyObject` and `UploadPartCopy` on the source
/// object: evaluated as GET's conditions are, but every failure is `PreconditionFailed` (S3
/// answers 412 where a GET would be 304), naming the copy-source header.
pub(crate) fn check_copy_source_conditions(
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
    if_unmodified_since: Option<&Timestamp>,
    source: &ObjectMeta,
) -> S3Result<()> {
    match read_failure(
        if_match,
        if_none_match,
        if_modified_since,
        if_unmodified_since,
        source,
    ) {
        None => Ok(()),
        Some(ReadFailure::Precondition(header) | ReadFailure::NotModified(header)) => {
            Err(precondition_failed(&format!("x-amz-copy-source-{header}")))
        }
    }
}

/// The conditional headers of GET and HEAD, in RFC 7232's order.
pub(crate) fn check_read_conditions(
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
    if_unmodified_since: Option<&Timestamp>,
    meta: &ObjectMeta,
) -> S3Result<()> {
    match read_failure(
        if_match,
        if_none_match,
        if_modified_since,
        if_unmodified_since,
        meta,
    ) {
        None => Ok(()),
        Some(ReadFailure::Precondition(header)) => Err(precondition_failed(header)),
        Some(ReadFailure::NotModified(_)) => Err(s3_error!(NotModified)),
    }
}
