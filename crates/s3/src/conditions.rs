//! Conditional requests: `If-Match`, `If-None-Match`, `If-Modified-Since`,
//! `If-Unmodified-Since` on reads, writes and copy sources, and `partNumber` ranges.

use s3s::dto::{ETagCondition, Timestamp};
use s3s::{S3ErrorCode, S3Result, s3_error};

use crate::gateway::custom_error;
use crate::meta::ObjectMeta;

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

/// `If-Match` / `If-None-Match` on writes.
pub(crate) fn check_write_conditions(
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
    existing: Option<&ObjectMeta>,
) -> S3Result<()> {
    if let Some(cond) = if_none_match
        && existing.is_some_and(|m| etag_matches(cond, &m.etag))
    {
        return Err(s3_error!(
            PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold"
        ));
    }
    if let Some(cond) = if_match {
        match existing {
            Some(m) if etag_matches(cond, &m.etag) => {}
            Some(_) => {
                return Err(s3_error!(
                    PreconditionFailed,
                    "At least one of the pre-conditions you specified did not hold"
                ));
            }
            None => return Err(s3_error!(NoSuchKey, "The specified key does not exist.")),
        }
    }
    Ok(())
}

/// The `x-amz-copy-source-if-*` conditions of `CopyObject` and `UploadPartCopy` on the source
/// object: evaluated as GET's conditions are, but every failure is `PreconditionFailed` (S3
/// answers 412 where a GET would be 304).
pub(crate) fn check_copy_source_conditions(
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
    if_unmodified_since: Option<&Timestamp>,
    source: &ObjectMeta,
) -> S3Result<()> {
    check_read_conditions(
        if_match,
        if_none_match,
        if_modified_since,
        if_unmodified_since,
        source,
    )
    .map_err(|e| {
        if *e.code() == S3ErrorCode::NotModified {
            s3_error!(
                PreconditionFailed,
                "At least one of the pre-conditions you specified did not hold"
            )
        } else {
            e
        }
    })
}

/// The conditional headers of GET and HEAD, in RFC 7232's order.
pub(crate) fn check_read_conditions(
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
    if_unmodified_since: Option<&Timestamp>,
    meta: &ObjectMeta,
) -> S3Result<()> {
    let modified = meta.last_modified.as_second();
    let failed = || {
        s3_error!(
            PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold"
        )
    };
    match if_match {
        Some(cond) if !etag_matches(cond, &meta.etag) => return Err(failed()),
        None if if_unmodified_since.is_some_and(|t| modified > unix(t)) => return Err(failed()),
        _ => {}
    }
    match if_none_match {
        Some(cond) if etag_matches(cond, &meta.etag) => return Err(s3_error!(NotModified)),
        None if if_modified_since.is_some_and(|t| modified <= unix(t)) => {
            return Err(s3_error!(NotModified));
        }
        _ => {}
    }
    Ok(())
}
