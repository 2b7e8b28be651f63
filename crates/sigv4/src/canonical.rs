//! Building the SigV4 canonical request: URI, query, headers and payload hash.
//!
//! Follows "Create a canonical request" in the IAM User Guide's SigV4 pages and
//! matches what the AWS SDKs sign (checked against the `aws-sigv4` crate and
//! the AWS SigV4 test suite in `tests/`).

use std::borrow::Cow;

use http::{HeaderMap, Method, Uri};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

use crate::error::AuthError;

/// Bytes that stay unencoded: RFC 3986 "unreserved" characters.
const URI_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Like [`URI_ENCODE`], but also keeps `/` (for paths).
const URI_ENCODE_PATH: &AsciiSet = &URI_ENCODE.remove(b'/');

/// Hex SHA-256 of the empty string, the payload hash of a bodiless request.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// How the canonical URI is derived from the request path.
///
/// AWS uses two rules: every service but S3 normalizes the path and
/// URI-encodes the already-encoded path a second time; S3 does neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CanonicalOptions {
    /// Remove `.`/`..` segments and merge repeated slashes (RFC 3986 §5.2.4).
    pub normalize_path: bool,
    /// URI-encode the path as it arrived on the wire (so `%20` becomes
    /// `%2520`); when false the path is decoded and encoded once, S3-style.
    pub double_encode_path: bool,
}

impl CanonicalOptions {
    /// The rules for every AWS service except S3 (IAM, STS, ...).
    pub const DEFAULT: Self = Self {
        normalize_path: true,
        double_encode_path: true,
    };

    /// The rules for S3: the path is used as-is, encoded once.
    pub const S3: Self = Self {
        normalize_path: false,
        double_encode_path: false,
    };

    /// Picks the rules AWS applies for a credential scope's service name.
    pub fn for_service(service: &str) -> Self {
        if service == "s3" {
            Self::S3
        } else {
            Self::DEFAULT
        }
    }
}

impl Default for CanonicalOptions {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// URI-encodes `s` the SigV4 way: everything but unreserved characters, with
/// uppercase hex; `/` is kept only when `keep_slash`.
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let set = if keep_slash {
        URI_ENCODE_PATH
    } else {
        URI_ENCODE
    };
    utf8_percent_encode(s, set).to_string()
}

/// Percent-decodes `s` (only `%XX`; `+` stays `+`), replacing invalid UTF-8.
fn decode(s: &str) -> Cow<'_, str> {
    percent_decode_str(s).decode_utf8_lossy()
}

/// Decodes one `application/x-www-form-urlencoded` component: `+` is a space.
fn form_decode(s: &str) -> String {
    if s.contains('+') {
        decode(&s.replace('+', " ")).into_owned()
    } else {
        decode(s).into_owned()
    }
}

/// Removes dot segments and empty segments from an absolute path, keeping a
/// trailing slash; the empty path becomes `/`.
pub fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    let trailing = ["/", "/.", "/.."].iter().any(|end| path.ends_with(end));
    if out.is_empty() || trailing {
        out.push('/');
    }
    out
}

/// The canonical URI for a request path as it arrived on the wire.
pub fn canonical_uri(raw_path: &str, options: CanonicalOptions) -> String {
    let path = if raw_path.is_empty() { "/" } else { raw_path };
    let path: Cow<'_, str> = if options.normalize_path {
        Cow::Owned(normalize_path(path))
    } else {
        Cow::Borrowed(path)
    };
    if options.double_encode_path {
        uri_encode(&path, true)
    } else {
        path.split('/')
            .map(|segment| uri_encode(&decode(segment), false))
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// Splits a raw query string into decoded `(name, value)` pairs, in order.
///
/// Components are decoded with form semantics (`+` is a space), as the AWS
/// SDK for Rust does; a component without `=` has an empty value.
pub fn query_pairs(raw_query: &str) -> Vec<(String, String)> {
    raw_query
        .split('&')
        .filter(|component| !component.is_empty())
        .map(|component| {
            let (name, value) = component.split_once('=').unwrap_or((component, ""));
            (form_decode(name), form_decode(value))
        })
        .collect()
}

/// The canonical query string: pairs URI-encoded, sorted by name then value,
/// joined with `&`; parameters named in `exclude` are left out.
pub fn canonical_query(raw_query: &str, exclude: &[&str]) -> String {
    let mut pairs: Vec<(String, String)> = query_pairs(raw_query)
        .into_iter()
        .filter(|(name, _)| !exclude.contains(&name.as_str()))
        .map(|(name, value)| (uri_encode(&name, false), uri_encode(&value, false)))
        .collect();
    pairs.sort();
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// Trims a header value and collapses runs of spaces into one (SigV4's
/// "Trimall").
pub fn trim_all(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut last_space = false;
    for ch in value.trim_matches(' ').chars() {
        if ch == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(ch);
            last_space = false;
        }
    }
    out
}

/// The canonical value of one signed header: all its values, trimmed and
/// comma-joined; `host` falls back to the URI authority (HTTP/2 requests).
fn header_value(name: &str, uri: &Uri, headers: &HeaderMap) -> String {
    let values: Vec<String> = headers
        .get_all(name)
        .iter()
        .map(|value| trim_all(&String::from_utf8_lossy(value.as_bytes())))
        .collect();
    if values.is_empty() && (name == "host" || name == ":authority") {
        return uri
            .authority()
            .map(|authority| authority.as_str().to_owned())
            .unwrap_or_default();
    }
    values.join(",")
}

/// Hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The payload hash for the canonical request.
///
/// A hex `x-amz-content-sha256` header is used if it matches the body (else
/// [`AuthError::ContentSha256Mismatch`]); otherwise, including for
/// `UNSIGNED-PAYLOAD` and `STREAMING-*`, the body's own SHA-256 is used, since
/// IAM and STS carry their parameters in the body and it must be signed.
pub fn payload_hash(headers: &HeaderMap, body: &[u8]) -> Result<String, AuthError> {
    let computed = sha256_hex(body);
    let Some(claimed) = headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(computed);
    };
    let claimed = claimed.trim();
    if claimed.len() == 64 && claimed.bytes().all(|b| b.is_ascii_hexdigit()) {
        if claimed.eq_ignore_ascii_case(&computed) {
            return Ok(claimed.to_owned());
        }
        return Err(AuthError::ContentSha256Mismatch {
            claimed: claimed.to_owned(),
            computed,
        });
    }
    Ok(computed)
}

/// The parts of a request that go into a canonical request.
pub(crate) struct CanonicalInput<'a> {
    /// The HTTP method.
    pub method: &'a Method,
    /// The request URI (path and query as received).
    pub uri: &'a Uri,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// Lowercase signed header names, in the order the client listed them.
    pub signed_headers: &'a [String],
    /// Query parameters to leave out (`X-Amz-Signature` for presigned URLs).
    pub exclude_query: &'a [&'a str],
    /// The payload hash.
    pub payload_hash: &'a str,
    /// Path rules.
    pub options: CanonicalOptions,
}

/// Assembles the canonical request text.
pub(crate) fn canonical_request(input: &CanonicalInput<'_>) -> String {
    let mut out = String::new();
    out.push_str(input.method.as_str());
    out.push('\n');
    out.push_str(&canonical_uri(input.uri.path(), input.options));
    out.push('\n');
    out.push_str(&canonical_query(
        input.uri.query().unwrap_or(""),
        input.exclude_query,
    ));
    out.push('\n');
    for name in input.signed_headers {
        out.push_str(name);
        out.push(':');
        out.push_str(&header_value(name, input.uri, input.headers));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&input.signed_headers.join(";"));
    out.push('\n');
    out.push_str(input.payload_hash);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize_path(""), "/");
        assert_eq!(normalize_path("/"), "/");
        assert_eq!(normalize_path("//"), "/");
        assert_eq!(normalize_path("/a/./b/../c"), "/a/c");
        assert_eq!(normalize_path("/a/b/.."), "/a/");
        assert_eq!(normalize_path("/../.."), "/");
        assert_eq!(normalize_path("//example//"), "/example/");
        assert_eq!(normalize_path("/a/b/"), "/a/b/");
    }

    #[test]
    fn canonical_uri_double_and_single() {
        assert_eq!(
            canonical_uri("/example%20space/", CanonicalOptions::DEFAULT),
            "/example%2520space/"
        );
        assert_eq!(
            canonical_uri("/example%20space/", CanonicalOptions::S3),
            "/example%20space/"
        );
        assert_eq!(canonical_uri("", CanonicalOptions::DEFAULT), "/");
        assert_eq!(canonical_uri("/a:b", CanonicalOptions::DEFAULT), "/a%3Ab");
        assert_eq!(canonical_uri("/a%3ab", CanonicalOptions::S3), "/a%3Ab");
        assert_eq!(canonical_uri("//a//", CanonicalOptions::S3), "//a//");
    }

    #[test]
    fn canonical_query_sorts_and_encodes() {
        assert_eq!(canonical_query("b=2&a=1&a=0", &[]), "a=0&a=1&b=2");
        assert_eq!(
            canonical_query("Param2=v&Param1=v", &[]),
            "Param1=v&Param2=v"
        );
        assert_eq!(canonical_query("k", &[]), "k=");
        assert_eq!(
            canonical_query("a=x+y&c=%7e&d=%2F", &[]),
            "a=x%20y&c=~&d=%2F"
        );
        assert_eq!(
            canonical_query("a=1&X-Amz-Signature=abc", &["X-Amz-Signature"]),
            "a=1"
        );
        assert_eq!(canonical_query("", &[]), "");
        // Sorted by the encoded name: "%E1..." sorts before "a".
        assert_eq!(canonical_query("a=1&%E1%88%B4=2", &[]), "%E1%88%B4=2&a=1");
    }

    #[test]
    fn trims_header_values() {
        assert_eq!(trim_all("  a   b  c "), "a b c");
        assert_eq!(trim_all("\"a   b   c\""), "\"a b c\"");
        assert_eq!(trim_all(""), "");
    }

    #[test]
    fn payload_hash_rules() {
        let mut headers = HeaderMap::new();
        assert_eq!(payload_hash(&headers, b"").unwrap(), EMPTY_SHA256);
        headers.insert("x-amz-content-sha256", "UNSIGNED-PAYLOAD".parse().unwrap());
        assert_eq!(payload_hash(&headers, b"").unwrap(), EMPTY_SHA256);
        headers.insert("x-amz-content-sha256", EMPTY_SHA256.parse().unwrap());
        assert_eq!(payload_hash(&headers, b"").unwrap(), EMPTY_SHA256);
        let err = payload_hash(&headers, b"x").unwrap_err();
        assert_eq!(err.code(), "XAmzContentSHA256Mismatch");
    }
}
