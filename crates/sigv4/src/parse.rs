//! Reading the SigV4 parts of a request: the `Authorization` header form and
//! the presigned (`X-Amz-*` query parameter) form.

use base64::Engine as _;
use http::{HeaderMap, Method, Uri};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use crate::canonical::{query_pairs, sha256_hex};
use crate::error::AuthError;

/// The only signing algorithm this crate verifies.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The fixed last element of a SigV4 credential scope.
pub const TERMINATOR: &str = "aws4_request";

/// The presigned-URL query parameters that carry the signature.
pub(crate) mod param {
    pub const ALGORITHM: &str = "X-Amz-Algorithm";
    pub const CREDENTIAL: &str = "X-Amz-Credential";
    pub const DATE: &str = "X-Amz-Date";
    pub const EXPIRES: &str = "X-Amz-Expires";
    pub const SIGNED_HEADERS: &str = "X-Amz-SignedHeaders";
    pub const SIGNATURE: &str = "X-Amz-Signature";
    pub const SECURITY_TOKEN: &str = "X-Amz-Security-Token";
}

/// The date, region and service a signature is scoped to (the part of the
/// `Credential` after the access key ID, minus `aws4_request`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope {
    /// The signing date, `YYYYMMDD`.
    pub date: String,
    /// The region, e.g. `us-east-1`.
    pub region: String,
    /// The service signing name, e.g. `iam` or `sts`.
    pub service: String,
}

impl CredentialScope {
    /// The scope as it appears in the string to sign:
    /// `date/region/service/aws4_request`.
    pub fn to_scope_string(&self) -> String {
        format!(
            "{}/{}/{}/{TERMINATOR}",
            self.date, self.region, self.service
        )
    }
}

/// Where the request carried its signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureLocation {
    /// In the `Authorization` header.
    Header,
    /// In `X-Amz-*` query parameters (a presigned URL), valid for
    /// `expires_secs` seconds after `X-Amz-Date`.
    Query {
        /// The `X-Amz-Expires` value.
        expires_secs: u64,
    },
}

/// The SigV4 authentication parts of one request, before verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The access key ID from the credential.
    pub access_key_id: String,
    /// The credential scope.
    pub scope: CredentialScope,
    /// The signed header names, lowercase, in the order the client listed them.
    pub signed_headers: Vec<String>,
    /// The hex signature the client sent.
    pub signature: String,
    /// The request time, from `X-Amz-Date` (or the `Date` header).
    pub timestamp: Timestamp,
    /// The session token (`X-Amz-Security-Token`), for temporary credentials.
    pub security_token: Option<String>,
    /// Whether the signature came in the header or the query string.
    pub location: SignatureLocation,
}

/// Parses `YYYYMMDDTHHMMSSZ`, the ISO 8601 basic format SigV4 uses.
pub fn parse_amz_date(value: &str) -> Option<Timestamp> {
    if value.len() != 16 || !value.ends_with('Z') {
        return None;
    }
    let datetime = DateTime::strptime("%Y%m%dT%H%M%SZ", value).ok()?;
    datetime
        .to_zoned(TimeZone::UTC)
        .ok()
        .map(|zoned| zoned.timestamp())
}

/// Formats a timestamp as `YYYYMMDDTHHMMSSZ`.
pub fn format_amz_date(timestamp: Timestamp) -> String {
    timestamp.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// AWS's message for an unparseable request date.
///
/// Wording of AWS's answer to a malformed `X-Amz-Date`, as recalled from AWS
/// query-service responses (not found in the searchable sources; unverified).
fn bad_date(value: &str) -> AuthError {
    AuthError::IncompleteSignature(format!(
        "Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601"
    ))
}

/// Splits `AKID/date/region/service/aws4_request`.
fn parse_credential(credential: &str) -> Result<(String, CredentialScope), AuthError> {
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = parts.as_slice() else {
        // Wording as modelled by scratchstack-aws-signature on AWS's answer.
        return Err(AuthError::IncompleteSignature(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        )));
    };
    if *terminator != TERMINATOR {
        return Err(AuthError::InvalidCredentialScope(format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{terminator}'."
        )));
    }
    Ok((
        (*access_key_id).to_owned(),
        CredentialScope {
            date: (*date).to_owned(),
            region: (*region).to_owned(),
            service: (*service).to_owned(),
        },
    ))
}

/// Splits `host;x-amz-date` into lowercase names; requires `host`.
fn parse_signed_headers(value: &str, form: &str) -> Result<Vec<String>, AuthError> {
    let names: Vec<String> = value
        .split(';')
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .collect();
    if !names
        .iter()
        .any(|name| name == "host" || name == ":authority")
    {
        // AWS's wording as recalled from its responses (unverified here).
        return Err(AuthError::IncompleteSignature(format!(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS {form}."
        )));
    }
    Ok(names)
}

/// The request time from the headers: `X-Amz-Date`, else `Date` (RFC 1123).
fn header_timestamp(headers: &HeaderMap) -> Option<Result<Timestamp, AuthError>> {
    if let Some(value) = headers.get("x-amz-date") {
        let text = value.to_str().unwrap_or("");
        return Some(parse_amz_date(text.trim()).ok_or_else(|| bad_date(text)));
    }
    let value = headers.get(http::header::DATE)?;
    let text = value.to_str().unwrap_or("");
    Some(
        jiff::fmt::rfc2822::DateTimeParser::new()
            .parse_timestamp(text.trim())
            .map_err(|_| bad_date(text)),
    )
}

/// Whether the query string carries any presigned-URL signing parameter.
fn has_query_auth(pairs: &[(String, String)]) -> bool {
    pairs.iter().any(|(name, _)| {
        [
            param::ALGORITHM,
            param::CREDENTIAL,
            param::SIGNATURE,
            param::SIGNED_HEADERS,
        ]
        .contains(&name.as_str())
    })
}

impl SignedRequest {
    /// Reads the SigV4 parts of a request (Authorization header, or X-Amz-*
    /// query params).
    ///
    /// Fails with [`AuthError::MissingAuthenticationToken`] when neither is
    /// present and [`AuthError::IncompleteSignature`] when they are malformed.
    pub fn parse(
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<SignedRequest, AuthError> {
        let _ = method;
        let pairs = query_pairs(uri.query().unwrap_or(""));
        let header = headers.get(http::header::AUTHORIZATION);
        match (header, has_query_auth(&pairs)) {
            (Some(_), true) => Err(AuthError::IncompleteSignature(
                // S3's wording for the same ambiguity (its InvalidArgument error).
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified".to_owned(),
            )),
            (Some(value), false) => {
                Self::parse_header(&String::from_utf8_lossy(value.as_bytes()), headers)
            }
            (None, true) => Self::parse_query(&pairs),
            (None, false) => Err(AuthError::MissingAuthenticationToken),
        }
    }

    /// Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
    fn parse_header(value: &str, headers: &HeaderMap) -> Result<SignedRequest, AuthError> {
        let trimmed = value.trim();
        let (algorithm, rest) = trimmed.split_once([' ', '\t']).unwrap_or((trimmed, ""));
        let rest = if algorithm == ALGORITHM { rest } else { "" };

        let (mut credential, mut signed_headers, mut signature) = (None, None, None);
        for component in rest.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let Some((key, val)) = component.split_once('=') else {
                // AWS's wording (API Gateway's answer, quoted in a public test suite):
                // it hashes the header rather than echo it.
                let digest = sha256_hex(value.as_bytes());
                let hashed = base64::engine::general_purpose::STANDARD
                    .encode(hex::decode(digest).unwrap_or_default());
                return Err(AuthError::IncompleteSignature(format!(
                    "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with sha-256 and encoded with base64): '{hashed}'."
                )));
            };
            let val = val.trim();
            match key.trim() {
                "Credential" => credential = Some(val),
                "SignedHeaders" => signed_headers = Some(val),
                "Signature" => signature = Some(val),
                _ => {}
            }
        }
        let timestamp = header_timestamp(headers);

        // AWS lists every missing part, then echoes the header:
        // "Authorization header requires 'Credential' parameter. ... Authorization=..."
        let mut missing = Vec::new();
        if credential.is_none_or(str::is_empty) {
            missing.push("Authorization header requires 'Credential' parameter.");
        }
        if signature.is_none_or(str::is_empty) {
            missing.push("Authorization header requires 'Signature' parameter.");
        }
        if signed_headers.is_none_or(str::is_empty) {
            missing.push("Authorization header requires 'SignedHeaders' parameter.");
        }
        if timestamp.is_none() {
            missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }
        if !missing.is_empty() {
            return Err(AuthError::IncompleteSignature(format!(
                "{} Authorization={value}",
                missing.join(" ")
            )));
        }
        let (Some(credential), Some(signed_headers), Some(signature), Some(timestamp)) =
            (credential, signed_headers, signature, timestamp)
        else {
            unreachable!("every missing part was reported above");
        };

        let (access_key_id, scope) = parse_credential(credential)?;
        Ok(SignedRequest {
            access_key_id,
            scope,
            signed_headers: parse_signed_headers(signed_headers, "Authorization")?,
            signature: signature.to_owned(),
            timestamp: timestamp?,
            security_token: headers
                .get("x-amz-security-token")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            location: SignatureLocation::Header,
        })
    }

    /// Parses the `X-Amz-*` query parameters of a presigned URL.
    fn parse_query(pairs: &[(String, String)]) -> Result<SignedRequest, AuthError> {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
                .filter(|v| !v.is_empty())
        };
        let required = [
            param::ALGORITHM,
            param::CREDENTIAL,
            param::SIGNATURE,
            param::DATE,
            param::SIGNED_HEADERS,
            param::EXPIRES,
        ];
        if required.iter().any(|name| get(name).is_none()) {
            // S3's wording for an incomplete presigned URL
            // (AuthorizationQueryParametersError there).
            return Err(AuthError::IncompleteSignature(
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.".to_owned(),
            ));
        }
        let value = |name: &str| get(name).unwrap_or_default();
        let algorithm = value(param::ALGORITHM);
        if algorithm != ALGORITHM {
            // S3's wording (AuthorizationQueryParametersError there).
            return Err(AuthError::IncompleteSignature(format!(
                "X-Amz-Algorithm only supports \"{ALGORITHM}\", not \"{algorithm}\"."
            )));
        }
        let expires = value(param::EXPIRES);
        let expires_secs: u64 = expires.parse().map_err(|_| {
            AuthError::InvalidExpires(if expires.starts_with('-') {
                "X-Amz-Expires must be non-negative".to_owned()
            } else {
                format!("X-Amz-Expires should be a number, not '{expires}'")
            })
        })?;
        let date = value(param::DATE);
        let timestamp = parse_amz_date(date).ok_or_else(|| bad_date(date))?;
        let (access_key_id, scope) = parse_credential(value(param::CREDENTIAL))?;
        Ok(SignedRequest {
            access_key_id,
            scope,
            signed_headers: parse_signed_headers(
                value(param::SIGNED_HEADERS),
                "query-string parameters",
            )?,
            signature: value(param::SIGNATURE).to_owned(),
            timestamp,
            security_token: get(param::SECURITY_TOKEN).map(str::to_owned),
            location: SignatureLocation::Query { expires_secs },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_date_round_trip() {
        let ts = parse_amz_date("20150830T123600Z").unwrap();
        assert_eq!(ts.to_string(), "2015-08-30T12:36:00Z");
        assert_eq!(format_amz_date(ts), "20150830T123600Z");
        assert!(parse_amz_date("2015-08-30T12:36:00Z").is_none());
        assert!(parse_amz_date("20150830T123600").is_none());
        assert!(parse_amz_date("20151330T123600Z").is_none());
    }

    #[test]
    fn date_header_fallback() {
        let mut headers = HeaderMap::new();
        headers.insert("date", "Sun, 30 Aug 2015 12:36:00 GMT".parse().unwrap());
        let ts = header_timestamp(&headers).unwrap().unwrap();
        assert_eq!(ts.to_string(), "2015-08-30T12:36:00Z");
        headers.insert("x-amz-date", "20150830T123700Z".parse().unwrap());
        let ts = header_timestamp(&headers).unwrap().unwrap();
        assert_eq!(ts.to_string(), "2015-08-30T12:37:00Z");
    }

    #[test]
    fn credential_shapes() {
        let (akid, scope) = parse_credential("AKID/20150830/us-east-1/iam/aws4_request").unwrap();
        assert_eq!(akid, "AKID");
        assert_eq!(
            scope.to_scope_string(),
            "20150830/us-east-1/iam/aws4_request"
        );
        assert_eq!(
            parse_credential("AKID/20150830/us-east-1/iam")
                .unwrap_err()
                .code(),
            "IncompleteSignature"
        );
        assert_eq!(
            parse_credential("AKID/20150830/us-east-1/iam/aws5_request")
                .unwrap_err()
                .code(),
            "SignatureDoesNotMatch"
        );
    }
}
