//! Validation errors, carrying the AWS error code and message a client would see.

use std::fmt;

/// The AWS error code a policy problem is reported under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyErrorCode {
    /// IAM and STS: the document is not a valid policy (HTTP 400).
    MalformedPolicyDocument,
    /// IAM: a size quota is exceeded (HTTP 409).
    LimitExceeded,
    /// STS: a parameter violates its modelled constraint, e.g. the 2048-character `Policy`.
    ValidationError,
    /// S3: the bucket policy is not valid (HTTP 400).
    MalformedPolicy,
    /// S3: the bucket policy exceeds 20 KB (HTTP 400).
    PolicyTooLarge,
    /// Organizations: the SCP or RCP document is not valid (HTTP 400).
    MalformedPolicyDocumentException,
    /// Organizations: a quota such as the 5,120-character policy size is exceeded (HTTP 400).
    ConstraintViolationException,
}

impl PolicyErrorCode {
    /// The code exactly as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedPolicyDocument => "MalformedPolicyDocument",
            Self::LimitExceeded => "LimitExceeded",
            Self::ValidationError => "ValidationError",
            Self::MalformedPolicy => "MalformedPolicy",
            Self::PolicyTooLarge => "PolicyTooLarge",
            Self::MalformedPolicyDocumentException => "MalformedPolicyDocumentException",
            Self::ConstraintViolationException => "ConstraintViolationException",
        }
    }

    /// The HTTP status AWS answers with.
    pub fn http_status(self) -> u16 {
        match self {
            Self::LimitExceeded => 409,
            _ => 400,
        }
    }
}

impl fmt::Display for PolicyErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy document that AWS would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct PolicyError {
    /// The AWS error code.
    pub code: PolicyErrorCode,
    /// The message exactly as AWS words it.
    pub message: String,
    /// Where in the document the problem is (a JSON path such as `Statement[1].Action`, or a
    /// line and column); not part of AWS's message.
    pub location: Option<String>,
}

impl PolicyError {
    /// An error with no location.
    pub fn new(code: PolicyErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            location: None,
        }
    }

    /// The same error, pointing at `location`.
    #[must_use]
    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }
}
