//! AWS Signature Version 4 verification for query-protocol (IAM, STS)
//! requests arriving at an HTTP server.
//!
//! [`SignedRequest::parse`] reads the signing parts of a request (the
//! `Authorization` header or a presigned URL's `X-Amz-*` parameters); the
//! server looks up the secret for [`SignedRequest::access_key_id`] and calls
//! [`SignedRequest::verify`]. Every failure is an [`AuthError`] that knows the
//! AWS error code, HTTP status and message to answer with.
//!
//! ```
//! use gatehouse_sigv4::SignedRequest;
//! let uri: http::Uri = "/".parse().unwrap();
//! let err = SignedRequest::parse(&http::Method::GET, &uri, &http::HeaderMap::new()).unwrap_err();
//! assert_eq!(err.code(), "MissingAuthenticationToken");
//! assert_eq!(err.http_status(), 403);
//! ```

mod canonical;
mod error;
mod parse;
mod verify;

pub use canonical::{
    CanonicalOptions, EMPTY_SHA256, canonical_query, canonical_uri, normalize_path, payload_hash,
    sha256_hex, trim_all, uri_encode,
};
pub use error::{AuthError, SIGNATURE_MISMATCH_MESSAGE};
pub use parse::{
    ALGORITHM, CredentialScope, SignatureLocation, SignedRequest, TERMINATOR, format_amz_date,
    parse_amz_date,
};
pub use verify::{
    MAX_CLOCK_SKEW_SECS, MAX_PRESIGNED_EXPIRES_SECS, cached_signing_key, signature, signing_key,
};
