//! The one map from what went wrong to S3's error: code, HTTP status, message, and the elements
//! AWS adds for that code (`Key`, `BucketName`, `ArgumentName`/`ArgumentValue`, `Condition`,
//! `RangeRequested`/`ActualObjectSize`, `Method`/`ResourceType`, `UploadId`, …), in AWS's
//! order.
//!
//! s3s serializes only `Code` and `Message`, so the extra elements travel with the error as
//! [`ERROR_ELEMENT_HEADER`] headers, which the server takes off the response
//! ([`take_error_elements`]) and writes into the body between `Message` and `RequestId`.
//! Real S3 bodies carry no `Resource` element, so none is written.

use std::borrow::Cow;

use gatehouse_store::StoreError;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use s3s::{S3Error, S3ErrorCode};

/// The internal header that carries one extra element of an error body, as
/// `Name=<percent-encoded value>`; repeated, in order.
pub const ERROR_ELEMENT_HEADER: &str = "x-gatehouse-error-element";

/// An S3 error being built: code, status, message, extra body elements and headers.
#[derive(Debug)]
#[must_use = "an error is returned, not dropped"]
pub struct S3Fault {
    code: S3ErrorCode,
    status: Option<StatusCode>,
    message: Cow<'static, str>,
    headers: HeaderMap,
}

impl S3Fault {
    /// An error with `code` (its status is s3s's for the code) and `message`.
    pub fn new(code: S3ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            status: None,
            message: message.into(),
            headers: HeaderMap::new(),
        }
    }

    /// An error code s3s does not know, with its status.
    pub fn custom(code: &str, status: StatusCode, message: impl Into<Cow<'static, str>>) -> Self {
        let code: S3ErrorCode = code.parse().unwrap_or(S3ErrorCode::InternalError);
        Self {
            status: Some(status),
            ..Self::new(code, message)
        }
    }

    /// Adds the body element `<name>value</name>` after those added before.
    pub fn element(mut self, name: &'static str, value: impl AsRef<str>) -> Self {
        let encoded = format!(
            "{name}={}",
            utf8_percent_encode(value.as_ref(), NON_ALPHANUMERIC)
        );
        if let Ok(v) = HeaderValue::from_str(&encoded) {
            self.headers
                .append(HeaderName::from_static(ERROR_ELEMENT_HEADER), v);
        }
        self
    }

    /// Adds a response header (`x-amz-delete-marker`, `Allow`…).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Adds every header of `headers`.
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        append_all(&mut self.headers, headers);
        self
    }
}

impl From<S3Fault> for S3Error {
    fn from(fault: S3Fault) -> Self {
        let mut e = S3Error::with_message(fault.code, fault.message);
        if let Some(status) = fault.status {
            e.set_status_code(status);
        }
        if !fault.headers.is_empty() {
            e.set_headers(fault.headers);
        }
        e
    }
}

/// Adds `headers` to an error's own (a delete marker's, found after the error was made).
pub fn add_headers(e: &mut S3Error, headers: HeaderMap) {
    let mut all = e.headers().cloned().unwrap_or_default();
    append_all(&mut all, headers);
    e.set_headers(all);
}

/// Appends every value of `from` to `to` (a repeated header keeps all its values).
fn append_all(to: &mut HeaderMap, from: HeaderMap) {
    let mut last: Option<HeaderName> = None;
    for (name, value) in from {
        if let Some(name) = name {
            last = Some(name);
        }
        if let Some(name) = &last {
            to.append(name.clone(), value);
        }
    }
}

/// Takes the extra error elements off a response's headers, in order, decoded.
pub fn take_error_elements(headers: &mut HeaderMap) -> Vec<(String, String)> {
    let elements = headers
        .get_all(ERROR_ELEMENT_HEADER)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split_once('='))
        .map(|(name, value)| {
            (
                name.to_owned(),
                percent_decode_str(value).decode_utf8_lossy().into_owned(),
            )
        })
        .collect();
    headers.remove(ERROR_ELEMENT_HEADER);
    elements
}

/// The message of `MalformedXML`.
const MALFORMED_XML: &str =
    "The XML you provided was not well-formed or did not validate against our published schema";

/// The message of `PreconditionFailed`.
const PRECONDITION_FAILED: &str = "At least one of the pre-conditions you specified did not hold";

/// An internal failure as S3's `InternalError`.
pub fn internal(e: impl std::fmt::Display) -> S3Error {
    S3Fault::new(S3ErrorCode::InternalError, e.to_string()).into()
}

/// An error code s3s does not know, with its status and message.
pub fn custom_error(code: &str, status: StatusCode, message: &str) -> S3Error {
    S3Fault::custom(code, status, message.to_owned()).into()
}

/// `AccessDenied` with S3's bare message.
pub fn access_denied() -> S3Error {
    S3Fault::new(S3ErrorCode::AccessDenied, "Access Denied").into()
}

/// `AccessDenied` with a message saying why.
pub fn access_denied_because(message: impl Into<Cow<'static, str>>) -> S3Error {
    S3Fault::new(S3ErrorCode::AccessDenied, message).into()
}

/// `NoSuchBucket`, naming the bucket.
pub fn no_such_bucket(bucket: &str) -> S3Error {
    S3Fault::new(
        S3ErrorCode::NoSuchBucket,
        "The specified bucket does not exist",
    )
    .element("BucketName", bucket)
    .into()
}

/// `NoSuchKey`, naming the key; `headers` are a delete marker's, when one hides the key.
pub fn no_such_key(key: &str, headers: HeaderMap) -> S3Error {
    S3Fault::new(S3ErrorCode::NoSuchKey, "The specified key does not exist.")
        .element("Key", key)
        .headers(headers)
        .into()
}

/// `NoSuchVersion`, naming the key and the version.
pub fn no_such_version(key: &str, version_id: &str) -> S3Error {
    S3Fault::new(
        S3ErrorCode::NoSuchVersion,
        "The specified version does not exist.",
    )
    .element("Key", key)
    .element("VersionId", version_id)
    .into()
}

/// `NoSuchUpload`, naming the upload.
pub fn no_such_upload(upload_id: &str) -> S3Error {
    S3Fault::new(
        S3ErrorCode::NoSuchUpload,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    )
    .element("UploadId", upload_id)
    .into()
}

/// `BucketNotEmpty`, naming the bucket (a versioned bucket's message asks for every version).
pub fn bucket_not_empty(bucket: &str, versioned: bool) -> S3Error {
    let message = if versioned {
        "The bucket you tried to delete is not empty. You must delete all versions in the bucket."
    } else {
        "The bucket you tried to delete is not empty"
    };
    S3Fault::new(S3ErrorCode::BucketNotEmpty, message)
        .element("BucketName", bucket)
        .into()
}

/// `BucketAlreadyOwnedByYou`, naming the bucket.
pub fn bucket_already_owned_by_you(bucket: &str) -> S3Error {
    S3Fault::new(
        S3ErrorCode::BucketAlreadyOwnedByYou,
        "Your previous request to create the named bucket succeeded and you already own it.",
    )
    .element("BucketName", bucket)
    .into()
}

/// `BucketAlreadyExists`, naming the bucket.
pub fn bucket_already_exists(bucket: &str) -> S3Error {
    S3Fault::new(
        S3ErrorCode::BucketAlreadyExists,
        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
    )
    .element("BucketName", bucket)
    .into()
}

/// `InvalidArgument` about request argument `name`, which had `value`.
pub fn invalid_argument(
    message: impl Into<Cow<'static, str>>,
    name: &'static str,
    value: &str,
) -> S3Error {
    S3Fault::new(S3ErrorCode::InvalidArgument, message)
        .element("ArgumentName", name)
        .element("ArgumentValue", value)
        .into()
}

/// `InvalidArgument` for a version id that is not one.
pub fn invalid_version_id(value: &str) -> S3Error {
    invalid_argument("Invalid version id specified", "versionId", value)
}

/// `InvalidRange`: `requested` (the `Range` header) lies outside an object of `size` bytes.
pub fn invalid_range(requested: &str, size: u64) -> S3Error {
    S3Fault::new(
        S3ErrorCode::InvalidRange,
        "The requested range is not satisfiable",
    )
    .element("RangeRequested", requested)
    .element("ActualObjectSize", size.to_string())
    .into()
}

/// `PreconditionFailed`, naming the condition header that did not hold (`If-Match`…).
pub fn precondition_failed(condition: &str) -> S3Error {
    S3Fault::new(S3ErrorCode::PreconditionFailed, PRECONDITION_FAILED)
        .element("Condition", condition)
        .into()
}

/// `MethodNotAllowed` for `method` on a delete marker, with the marker's headers.
pub fn method_not_allowed_on_delete_marker(method: &str, marker_headers: HeaderMap) -> S3Error {
    S3Fault::new(
        S3ErrorCode::MethodNotAllowed,
        "The specified method is not allowed against this resource.",
    )
    .element("Method", method)
    .element("ResourceType", "DeleteMarker")
    .headers(marker_headers)
    .header(http::header::ALLOW, HeaderValue::from_static("DELETE"))
    .into()
}

/// `MalformedXML`.
pub fn malformed_xml() -> S3Error {
    S3Fault::new(S3ErrorCode::MalformedXML, MALFORMED_XML).into()
}

/// `EntityTooSmall` for part `part_number` of a multipart upload.
pub fn entity_too_small(proposed: u64, minimum: u64, part_number: i32, etag: &str) -> S3Error {
    S3Fault::new(
        S3ErrorCode::EntityTooSmall,
        "Your proposed upload is smaller than the minimum allowed size",
    )
    .element("ProposedSize", proposed.to_string())
    .element("MinSizeAllowed", minimum.to_string())
    .element("PartNumber", part_number.to_string())
    .element("ETag", etag.trim_matches('"'))
    .into()
}

/// `InvalidPart`: part `part_number` with `etag` is not one of upload `upload_id`'s.
pub fn invalid_part(upload_id: &str, part_number: i32, etag: &str) -> S3Error {
    S3Fault::new(
        S3ErrorCode::InvalidPart,
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    )
    .element("UploadId", upload_id)
    .element("PartNumber", part_number.to_string())
    .element("ETag", etag.trim_matches('"'))
    .into()
}

/// `InvalidPartOrder` of upload `upload_id`.
pub fn invalid_part_order(upload_id: &str) -> S3Error {
    S3Fault::new(
        S3ErrorCode::InvalidPartOrder,
        "The list of parts was not in ascending order. Parts must be ordered by part number.",
    )
    .element("UploadId", upload_id)
    .into()
}

/// `NoSuchBucketPolicy`, naming the bucket.
pub fn no_such_bucket_policy(bucket: &str) -> S3Error {
    S3Fault::new(
        S3ErrorCode::NoSuchBucketPolicy,
        "The bucket policy does not exist",
    )
    .element("BucketName", bucket)
    .into()
}

/// `NoSuchTagSet`, naming the bucket.
pub fn no_such_tag_set(bucket: &str) -> S3Error {
    S3Fault::new(S3ErrorCode::NoSuchTagSet, "The TagSet does not exist")
        .element("BucketName", bucket)
        .into()
}

/// `NotImplemented`: what Gatehouse refuses rather than ignore.
pub fn not_implemented(message: impl Into<Cow<'static, str>>) -> S3Error {
    S3Fault::new(S3ErrorCode::NotImplemented, message).into()
}

/// A store failure as S3's `InternalError`.
pub fn store_error(e: StoreError) -> S3Error {
    internal(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_travel_in_order_and_survive_any_text() {
        let key = "dir/ünïcödé key&<x>=\"\n";
        let e = S3Error::from(
            S3Fault::new(S3ErrorCode::NoSuchKey, "m")
                .element("Key", key)
                .element("VersionId", "v=1"),
        );
        let mut headers = e.headers().cloned().unwrap();
        assert_eq!(
            take_error_elements(&mut headers),
            vec![
                ("Key".to_owned(), key.to_owned()),
                ("VersionId".to_owned(), "v=1".to_owned())
            ]
        );
        assert!(headers.get(ERROR_ELEMENT_HEADER).is_none());
    }

    #[test]
    fn custom_codes_keep_their_status() {
        let e = S3Error::from(S3Fault::custom(
            "OwnershipControlsNotFoundError",
            StatusCode::NOT_FOUND,
            "m",
        ));
        assert_eq!(e.status_code(), Some(StatusCode::NOT_FOUND));
        assert_eq!(e.code().as_str(), "OwnershipControlsNotFoundError");
        let denied = access_denied();
        assert_eq!(denied.status_code(), Some(StatusCode::FORBIDDEN));
        assert!(denied.headers().is_none());
    }
}
