//! Checking a parsed SigV4 request: time validity, credential scope and the
//! signature itself.

use hmac::{Hmac, KeyInit, Mac};
use http::{HeaderMap, Method, Uri};
use jiff::{SignedDuration, Timestamp};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::canonical::{self, CanonicalInput, CanonicalOptions, sha256_hex};
use crate::error::AuthError;
use crate::parse::{ALGORITHM, SignatureLocation, SignedRequest, format_amz_date, param};

/// How far a header-signed request's timestamp may be from the server clock,
/// either way: 15 minutes, as AWS enforces ("... - 15 min.").
pub const MAX_CLOCK_SKEW_SECS: i64 = 15 * 60;

/// The longest `X-Amz-Expires` AWS accepts: 7 days, since a signing key is
/// valid for at most that long.
pub const MAX_PRESIGNED_EXPIRES_SECS: u64 = 7 * 24 * 60 * 60;

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 of `data` under `key`.
fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Derives the SigV4 signing key: HMAC chain over `"AWS4" + secret`, date,
/// region, service and `aws4_request`.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// How many signing keys each thread remembers.
const RECENT_KEYS: usize = 16;

/// One remembered signing key and what it was derived from.
struct RecentKey {
    secret: String,
    date: String,
    region: String,
    service: String,
    key: [u8; 32],
}

thread_local! {
    /// Signing keys this thread derived recently. A key changes once a day per secret, region
    /// and service, so nearly every request reuses one; per thread, so no lock is shared.
    static RECENT: std::cell::RefCell<Vec<RecentKey>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// [`signing_key`], remembered per thread for the (secret, date, region, service) it serves.
pub fn cached_signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    RECENT.with(|recent| {
        let mut recent = recent.borrow_mut();
        if let Some(hit) = recent.iter().find(|k| {
            k.date == date && k.region == region && k.service == service && k.secret == secret
        }) {
            return hit.key;
        }
        let key = signing_key(secret, date, region, service);
        if recent.len() >= RECENT_KEYS {
            recent.remove(0);
        }
        recent.push(RecentKey {
            secret: secret.to_owned(),
            date: date.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
            key,
        });
        key
    })
}

/// The hex signature of a string to sign under a signing key.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex::encode(hmac(signing_key, string_to_sign.as_bytes()))
}

/// Shifts a timestamp by whole seconds, saturating at jiff's range.
fn shift(timestamp: Timestamp, secs: i64) -> Timestamp {
    timestamp
        .checked_add(SignedDuration::from_secs(secs))
        .unwrap_or(if secs < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
}

impl SignedRequest {
    /// Checks the request time against `now`: ±15 minutes for the header
    /// form; for presigned URLs, `X-Amz-Expires` ≤ 604800, not yet expired and
    /// not dated more than 15 minutes ahead.
    pub fn check_time(&self, now: Timestamp) -> Result<(), AuthError> {
        let request = format_amz_date(self.timestamp);
        let latest = shift(now, MAX_CLOCK_SKEW_SECS);
        if self.timestamp > latest {
            // Wording of AWS's answer, e.g. "Signature not yet current:
            // 20210502T183640Z is still later than 20210502T175140Z
            // (20210502T173640Z + 15 min.)".
            return Err(AuthError::SignatureExpired(format!(
                "Signature not yet current: {request} is still later than {} ({} + 15 min.)",
                format_amz_date(latest),
                format_amz_date(now),
            )));
        }
        match self.location {
            SignatureLocation::Header => {
                let earliest = shift(now, -MAX_CLOCK_SKEW_SECS);
                if self.timestamp < earliest {
                    // Verbatim shape of STS's answer (aws/aws-cli#6676).
                    return Err(AuthError::SignatureExpired(format!(
                        "Signature expired: {request} is now earlier than {} ({} - 15 min.)",
                        format_amz_date(earliest),
                        format_amz_date(now),
                    )));
                }
            }
            SignatureLocation::Query { expires_secs } => {
                if expires_secs > MAX_PRESIGNED_EXPIRES_SECS {
                    // S3's wording (aws/aws-cli#5464).
                    return Err(AuthError::InvalidExpires(format!(
                        "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than {MAX_PRESIGNED_EXPIRES_SECS} seconds"
                    )));
                }
                let expires = i64::try_from(expires_secs).unwrap_or(i64::MAX);
                if now > shift(self.timestamp, expires) {
                    // EC2's query-API wording (aws/aws-sdk-java#1443).
                    return Err(AuthError::RequestExpired("Request has expired.".to_owned()));
                }
            }
        }
        Ok(())
    }

    /// Checks that the credential scope's date is the request's date.
    pub fn check_scope(&self) -> Result<(), AuthError> {
        let request_date = self.timestamp.strftime("%Y%m%d").to_string();
        if self.scope.date != request_date {
            return Err(AuthError::InvalidCredentialScope(format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{request_date}', from '{}'.",
                self.scope.date,
                format_amz_date(self.timestamp),
            )));
        }
        Ok(())
    }

    /// Builds the canonical request the client should have signed, using the
    /// given path rules.
    pub fn canonical_request(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
        options: CanonicalOptions,
    ) -> Result<String, AuthError> {
        let payload_hash = canonical::payload_hash(headers, body)?;
        let exclude: &[&str] = match self.location {
            SignatureLocation::Header => &[],
            SignatureLocation::Query { .. } => &[param::SIGNATURE],
        };
        Ok(canonical::canonical_request(&CanonicalInput {
            method,
            uri,
            headers,
            signed_headers: &self.signed_headers,
            exclude_query: exclude,
            payload_hash: &payload_hash,
            options,
        }))
    }

    /// The string to sign for a canonical request: algorithm, request time,
    /// credential scope and the canonical request's hex SHA-256.
    pub fn string_to_sign(&self, canonical_request: &str) -> String {
        format!(
            "{ALGORITHM}\n{}\n{}\n{}",
            format_amz_date(self.timestamp),
            self.scope.to_scope_string(),
            sha256_hex(canonical_request.as_bytes()),
        )
    }

    /// Checks time validity (±15 min skew for header form; X-Amz-Expires ≤
    /// 604800 and not expired for presigned) and the signature, in constant
    /// time, given the secret key.
    ///
    /// Uses [`CanonicalOptions::for_service`] on the scope's service.
    pub fn verify(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
        secret_access_key: &str,
        now: Timestamp,
    ) -> Result<(), AuthError> {
        let options = CanonicalOptions::for_service(&self.scope.service);
        self.verify_with(method, uri, headers, body, secret_access_key, now, options)
    }

    /// Like [`SignedRequest::verify`], with explicit canonical-URI rules.
    #[allow(clippy::too_many_arguments)]
    pub fn verify_with(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
        secret_access_key: &str,
        now: Timestamp,
        options: CanonicalOptions,
    ) -> Result<(), AuthError> {
        self.check_time(now)?;
        self.check_scope()?;
        let canonical_request = self.canonical_request(method, uri, headers, body, options)?;
        let string_to_sign = self.string_to_sign(&canonical_request);
        let key = cached_signing_key(
            secret_access_key,
            &self.scope.date,
            &self.scope.region,
            &self.scope.service,
        );
        let expected = signature(&key, &string_to_sign);
        if bool::from(expected.as_bytes().ct_eq(self.signature.as_bytes())) {
            Ok(())
        } else {
            Err(AuthError::SignatureDoesNotMatch {
                string_to_sign,
                canonical_request,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The signing-key example from the IAM User Guide's SigV4 pages.
    #[test]
    fn documented_signing_key() {
        let key = signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20150830",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(key),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
        let key = signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(key),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    /// The remembered key is always the one the inputs derive, across rotations, other days and
    /// more scopes than the cache holds.
    #[test]
    fn cached_signing_keys_match_derived_ones() {
        let secrets = [
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "another-secret",
            "rotated",
        ];
        for round in 0..3 {
            for (i, secret) in secrets.iter().enumerate() {
                for day in 0..(RECENT_KEYS + 3) {
                    let date = format!("201502{:02}", day + 1);
                    let service = if (round + i) % 2 == 0 { "iam" } else { "sts" };
                    assert_eq!(
                        cached_signing_key(secret, &date, "us-east-1", service),
                        signing_key(secret, &date, "us-east-1", service),
                    );
                }
            }
        }
    }
}
