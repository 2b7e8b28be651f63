//! Every way SigV4 authentication can fail, with the code, HTTP status and
//! message AWS's query-protocol services (IAM, STS) answer with.
//!
//! Sources, cited per variant below:
//! - [IAM API Reference, "Common Error Types"][iam-errors] (codes and HTTP
//!   statuses for `IncompleteSignature`, `InvalidClientTokenId`,
//!   `MissingAuthenticationToken`, `RequestExpired`, `ExpiredToken`).
//! - Real STS / IAM responses quoted in public issue threads (messages).
//! - The IAM User Guide's "Troubleshoot Signature Version 4" page.
//!
//! [iam-errors]: https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html

use thiserror::Error;

/// The message AWS sends with `SignatureDoesNotMatch` when the signature
/// itself is wrong.
///
/// Quoted from a real STS `ErrorResponse` in boto/boto3#756 (the same text is
/// returned by IAM); AWS then appends the canonical request and string to sign,
/// which this crate keeps in separate fields instead.
pub const SIGNATURE_MISMATCH_MESSAGE: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// Why a request failed SigV4 authentication.
///
/// `code`, `http_status` and `message` give what the server should put in the
/// query-protocol `<ErrorResponse>`; `Display` gives the same message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthError {
    /// The request carries no SigV4 credentials at all: no `Authorization`
    /// header and no `X-Amz-*` signing query parameters.
    ///
    /// Code and 403 from the IAM Common Errors page; message from a real STS
    /// response in amzn/selling-partner-api-docs#3081.
    #[error("Request is missing Authentication Token")]
    MissingAuthenticationToken,

    /// The signing parts are present but malformed or incomplete; the string
    /// is the full AWS-style message.
    ///
    /// Code and 400 from the IAM Common Errors page. Messages such as
    /// "Authorization header requires 'Credential' parameter." are AWS's own
    /// (quoted in rclone's and API Gateway users' reports, and on the IAM User
    /// Guide's SigV4 troubleshooting page).
    #[error("{0}")]
    IncompleteSignature(String),

    /// The signature does not match the one computed from the request; holds
    /// what we computed so the server can log it (AWS used to echo both).
    ///
    /// Code, 403 and message from the real STS response in boto/boto3#756.
    #[error("{}", SIGNATURE_MISMATCH_MESSAGE)]
    SignatureDoesNotMatch {
        /// The string to sign computed on the server side.
        string_to_sign: String,
        /// The canonical request computed on the server side.
        canonical_request: String,
    },

    /// The request's timestamp is more than 15 minutes away from the server's
    /// clock (header-signed requests, or presigned URLs dated in the future).
    ///
    /// AWS reports this as `SignatureDoesNotMatch`, 403, with "Signature
    /// expired: … is now earlier than … (… - 15 min.)" or "Signature not yet
    /// current: … is still later than … (… + 15 min.)": seen from STS in
    /// aws/aws-cli#6676 and devsecops/bootcamp#101.
    #[error("{0}")]
    SignatureExpired(String),

    /// The credential scope is inconsistent (wrong terminator, or its date is
    /// not the request's date), or not one the server accepts.
    ///
    /// AWS reports this as `SignatureDoesNotMatch`, 403, e.g. "Date in
    /// Credential scope does not match YYYYMMDD from ISO-8601 version of date
    /// from HTTP: …" (wording as modelled by scratchstack-aws-signature).
    #[error("{0}")]
    InvalidCredentialScope(String),

    /// A presigned URL was used after `X-Amz-Date + X-Amz-Expires`.
    ///
    /// Code and 400 from the Common Errors pages ("…more than 15 minutes after
    /// the request expiration date (such as for pre-signed URLs)…"); message
    /// "Request has expired." as returned by EC2's query API
    /// (aws/aws-sdk-java#1443).
    #[error("{0}")]
    RequestExpired(String),

    /// `X-Amz-Expires` is not an integer in `0..=604800`.
    ///
    /// AWS documents only S3's answer for this (`AuthorizationQueryParametersError`,
    /// 400, "X-Amz-Expires must be less than a week (in seconds); that is, the
    /// given X-Amz-Expires must be less than 604800 seconds", quoted in
    /// aws/aws-cli#5464); IAM/STS has no documented equivalent, so this reuses it.
    #[error("{0}")]
    InvalidExpires(String),

    /// The `x-amz-content-sha256` header names a hash that is not the body's.
    ///
    /// Code, 400 and message are S3's (`XAmzContentSHA256Mismatch`, "The
    /// provided 'x-amz-content-sha256' header does not match what was
    /// computed."), the only AWS service that documents this check.
    #[error("The provided 'x-amz-content-sha256' header does not match what was computed.")]
    ContentSha256Mismatch {
        /// The hash the client claimed.
        claimed: String,
        /// The SHA-256 of the body as received.
        computed: String,
    },

    /// The access key ID is unknown; decided by the server after lookup.
    ///
    /// Code, 403 and message from the IAM Common Errors page and real STS
    /// responses ("The security token included in the request is invalid.").
    #[error("The security token included in the request is invalid.")]
    InvalidClientTokenId,

    /// The session token belongs to expired temporary credentials; decided by
    /// the server after lookup.
    ///
    /// Code `ExpiredToken`, 403 (IAM Common Errors lists it as
    /// `ExpiredTokenException`, but IAM/STS's query protocol answer
    /// `ExpiredToken`, as in prowler-cloud/prowler#789), message from there.
    #[error("The security token included in the request is expired")]
    ExpiredToken,
}

impl AuthError {
    /// The AWS error code to put in `<Code>`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingAuthenticationToken => "MissingAuthenticationToken",
            Self::IncompleteSignature(_) => "IncompleteSignature",
            Self::SignatureDoesNotMatch { .. }
            | Self::SignatureExpired(_)
            | Self::InvalidCredentialScope(_) => "SignatureDoesNotMatch",
            Self::RequestExpired(_) => "RequestExpired",
            Self::InvalidExpires(_) => "AuthorizationQueryParametersError",
            Self::ContentSha256Mismatch { .. } => "XAmzContentSHA256Mismatch",
            Self::InvalidClientTokenId => "InvalidClientTokenId",
            Self::ExpiredToken => "ExpiredToken",
        }
    }

    /// The HTTP status AWS answers this error with.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::IncompleteSignature(_)
            | Self::RequestExpired(_)
            | Self::InvalidExpires(_)
            | Self::ContentSha256Mismatch { .. } => 400,
            Self::MissingAuthenticationToken
            | Self::SignatureDoesNotMatch { .. }
            | Self::SignatureExpired(_)
            | Self::InvalidCredentialScope(_)
            | Self::InvalidClientTokenId
            | Self::ExpiredToken => 403,
        }
    }

    /// The human-readable text to put in `<Message>`.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The `<Type>` of the query-protocol error: every authentication error is
    /// the caller's fault, so always `Sender`.
    pub fn error_type(&self) -> &'static str {
        "Sender"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_statuses_and_messages() {
        let cases: Vec<(AuthError, &str, u16)> = vec![
            (
                AuthError::MissingAuthenticationToken,
                "MissingAuthenticationToken",
                403,
            ),
            (
                AuthError::IncompleteSignature("x".into()),
                "IncompleteSignature",
                400,
            ),
            (
                AuthError::SignatureDoesNotMatch {
                    string_to_sign: String::new(),
                    canonical_request: String::new(),
                },
                "SignatureDoesNotMatch",
                403,
            ),
            (
                AuthError::SignatureExpired("x".into()),
                "SignatureDoesNotMatch",
                403,
            ),
            (
                AuthError::InvalidCredentialScope("x".into()),
                "SignatureDoesNotMatch",
                403,
            ),
            (AuthError::RequestExpired("x".into()), "RequestExpired", 400),
            (
                AuthError::InvalidExpires("x".into()),
                "AuthorizationQueryParametersError",
                400,
            ),
            (
                AuthError::ContentSha256Mismatch {
                    claimed: String::new(),
                    computed: String::new(),
                },
                "XAmzContentSHA256Mismatch",
                400,
            ),
            (AuthError::InvalidClientTokenId, "InvalidClientTokenId", 403),
            (AuthError::ExpiredToken, "ExpiredToken", 403),
        ];
        for (err, code, status) in cases {
            assert_eq!(err.code(), code, "{err:?}");
            assert_eq!(err.http_status(), status, "{err:?}");
            assert!(!err.message().is_empty());
            assert_eq!(err.error_type(), "Sender");
        }
        assert_eq!(
            AuthError::MissingAuthenticationToken.message(),
            "Request is missing Authentication Token"
        );
        assert!(
            AuthError::SignatureDoesNotMatch {
                string_to_sign: String::new(),
                canonical_request: String::new()
            }
            .message()
            .starts_with("The request signature we calculated does not match")
        );
    }
}
