//! Errors a caller can cause, with the AWS message text. The server maps each variant to its
//! AWS code, HTTP status and XML envelope in one place.

use gatehouse_policy::{PolicyError, PolicyErrorCode};

/// A domain error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// `NoSuchEntity` (404).
    #[error("NoSuchEntity: {0}")]
    NoSuchEntity(String),
    /// `EntityAlreadyExists` (409).
    #[error("EntityAlreadyExists: {0}")]
    EntityAlreadyExists(String),
    /// `DeleteConflict` (409).
    #[error("DeleteConflict: {0}")]
    DeleteConflict(String),
    /// `LimitExceeded` (409).
    #[error("LimitExceeded: {0}")]
    LimitExceeded(String),
    /// `MalformedPolicyDocument` (400).
    #[error("MalformedPolicyDocument: {0}")]
    MalformedPolicyDocument(String),
    /// `ValidationError` (400): a parameter violates its modelled constraint.
    #[error("ValidationError: {0}")]
    Validation(String),
    /// `InvalidInput` (400).
    #[error("InvalidInput: {0}")]
    InvalidInput(String),
    /// `PasswordPolicyViolation` (400): a password the account's policy does not allow.
    #[error("PasswordPolicyViolation: {0}")]
    PasswordPolicyViolation(String),
    /// `AccessDenied` (403), with AWS's message.
    #[error("AccessDenied: {message}")]
    AccessDenied {
        /// The message text.
        message: String,
        /// A sealed account of the decision for `sts:DecodeAuthorizationMessage`.
        encoded: Option<String>,
    },
    /// `PackedPolicyTooLarge` (400).
    #[error("PackedPolicyTooLarge: {0}")]
    PackedPolicyTooLarge(String),
    /// `InvalidAuthorizationMessageException` (400).
    #[error("InvalidAuthorizationMessageException: {0}")]
    InvalidAuthorizationMessage(String),
    /// `InvalidClientTokenId` (403): unknown access key or forged session token.
    #[error("InvalidClientTokenId")]
    InvalidClientTokenId,
    /// `ExpiredToken` (403): the session token has expired.
    #[error("ExpiredToken")]
    ExpiredToken,
    /// `ServiceFailure` (500): the store failed.
    #[error("ServiceFailure: {0}")]
    Internal(String),
}

impl Error {
    /// An `AccessDenied` without an encoded message.
    pub fn access_denied(message: impl Into<String>) -> Self {
        Error::AccessDenied {
            message: message.into(),
            encoded: None,
        }
    }
}

impl From<PolicyError> for Error {
    fn from(e: PolicyError) -> Self {
        match e.code {
            PolicyErrorCode::LimitExceeded => Error::LimitExceeded(e.message),
            PolicyErrorCode::ValidationError => Error::Validation(e.message),
            _ => Error::MalformedPolicyDocument(e.message),
        }
    }
}

impl From<gatehouse_store::StoreError> for Error {
    fn from(e: gatehouse_store::StoreError) -> Self {
        Error::Internal(e.to_string())
    }
}

/// Domain results.
pub type Result<T, E = Error> = std::result::Result<T, E>;
