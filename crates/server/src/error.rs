//! The one place where errors become AWS error responses: code, HTTP status, type and
//! message, in the query protocol's `<ErrorResponse>` envelope.

use axum::response::{IntoResponse, Response};
use gatehouse_core::Error as CoreError;
use gatehouse_sigv4::AuthError;
use http::{HeaderValue, StatusCode};

use crate::xml::Xml;

/// A query-protocol service, which fixes the XML namespace and the API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// IAM, `2010-05-08`.
    Iam,
    /// STS, `2011-06-15`.
    Sts,
}

impl Service {
    /// The XML namespace of responses.
    pub fn namespace(self) -> &'static str {
        match self {
            Service::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
            Service::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
        }
    }

    /// The API version.
    pub fn version(self) -> &'static str {
        match self {
            Service::Iam => "2010-05-08",
            Service::Sts => "2011-06-15",
        }
    }

    /// The signing name, as in the credential scope and `iam:`/`sts:` actions.
    pub fn name(self) -> &'static str {
        match self {
            Service::Iam => "iam",
            Service::Sts => "sts",
        }
    }
}

/// An error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The AWS error code.
    pub code: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// The message.
    pub message: String,
    /// An encoded authorization message, for `AccessDenied`.
    pub encoded_message: Option<String>,
}

impl ApiError {
    fn new(code: &'static str, status: u16, message: impl Into<String>) -> Self {
        Self {
            code,
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            message: message.into(),
            encoded_message: None,
        }
    }

    /// `MissingParameter`.
    pub fn missing_parameter(name: &str) -> Self {
        Self::new(
            "MissingParameter",
            400,
            format!("The request must contain the parameter {name}"),
        )
    }

    /// `InvalidParameterValue`.
    pub fn invalid_parameter_value(name: &str, value: &str) -> Self {
        Self::new(
            "InvalidParameterValue",
            400,
            format!("Value ({value}) for parameter {name} is invalid."),
        )
    }

    /// `InvalidAction`.
    pub fn invalid_action(action: &str, service: Service) -> Self {
        Self::new(
            "InvalidAction",
            400,
            format!(
                "Could not find operation {action} for version {}",
                service.version()
            ),
        )
    }

    /// `MissingAction`.
    pub fn missing_action() -> Self {
        Self::new("MissingAction", 400, "Missing Action")
    }

    /// `RequestEntityTooLarge`.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            "RequestEntityTooLarge",
            413,
            format!("Request body must be at most {limit} bytes"),
        )
    }

    /// `InvalidClientTokenId`.
    pub fn invalid_client_token() -> Self {
        Self::new(
            "InvalidClientTokenId",
            403,
            "The security token included in the request is invalid.",
        )
    }

    /// `ServiceFailure`.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("ServiceFailure", 500, message)
    }

    /// `Sender` for client errors, `Receiver` for server errors.
    pub fn error_type(&self) -> &'static str {
        if self.status.is_server_error() {
            "Receiver"
        } else {
            "Sender"
        }
    }

    /// The XML response for `service`.
    pub fn into_response_for(self, service: Service, request_id: &str) -> Response {
        let mut xml = Xml::new();
        xml.open_ns("ErrorResponse", service.namespace())
            .elem("Error", |x| {
                x.text("Type", self.error_type())
                    .text("Code", self.code)
                    .text("Message", &self.message);
            })
            .text("RequestId", request_id)
            .close("ErrorResponse");
        let mut response = (self.status, xml.finish()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/xml"),
        );
        if let Ok(v) = HeaderValue::from_str(request_id) {
            headers.insert("x-amzn-RequestId", v);
        }
        if let Some(encoded) = self
            .encoded_message
            .and_then(|e| HeaderValue::from_str(&e).ok())
        {
            headers.insert("x-gatehouse-encoded-authorization-message", encoded);
        }
        response
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::NoSuchEntity(m) => Self::new("NoSuchEntity", 404, m),
            CoreError::EntityAlreadyExists(m) => Self::new("EntityAlreadyExists", 409, m),
            CoreError::DeleteConflict(m) => Self::new("DeleteConflict", 409, m),
            CoreError::LimitExceeded(m) => Self::new("LimitExceeded", 409, m),
            CoreError::MalformedPolicyDocument(m) => Self::new("MalformedPolicyDocument", 400, m),
            CoreError::Validation(m) => Self::new("ValidationError", 400, m),
            CoreError::InvalidInput(m) => Self::new("InvalidInput", 400, m),
            CoreError::PasswordPolicyViolation(m) => Self::new("PasswordPolicyViolation", 400, m),
            CoreError::AccessDenied { message, encoded } => Self {
                encoded_message: encoded,
                ..Self::new("AccessDenied", 403, message)
            },
            CoreError::PackedPolicyTooLarge(m) => Self::new("PackedPolicyTooLarge", 400, m),
            CoreError::InvalidAuthorizationMessage(m) => {
                Self::new("InvalidAuthorizationMessageException", 400, m)
            }
            CoreError::InvalidClientTokenId => Self::invalid_client_token(),
            CoreError::ExpiredToken => Self::new(
                "ExpiredToken",
                403,
                "The security token included in the request is expired",
            ),
            CoreError::Internal(m) => Self::internal(m),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        Self::new(e.code(), e.http_status(), e.message())
    }
}
