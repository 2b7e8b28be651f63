//! The authorizations one S3 request made, shared between the HTTP layer (which writes them to
//! the request's log line) and the handlers and access hook (which make them).

use std::sync::Arc;

use gatehouse_core::operation::Operation;

/// One authorization made for a request, for its log line.
#[derive(Debug, Clone)]
pub struct AuthzNote {
    /// The action, e.g. `s3:GetObject`.
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub outcome: String,
    /// The deciding policy type, if any.
    pub policy_type: Option<String>,
}

/// The authorizations of one request, shared between the HTTP layer (which logs them) and
/// the handlers (which make them). The HTTP layer puts it in the request's extensions.
#[derive(Debug, Clone, Default)]
pub struct AuthzNotes(Arc<parking_lot::Mutex<NotesInner>>);

#[derive(Debug, Default)]
struct NotesInner {
    operation: Option<&'static Operation>,
    principal: Option<String>,
    decisions: Vec<AuthzNote>,
}

impl AuthzNotes {
    /// Records which operation of the table the request is.
    pub fn set_operation(&self, operation: Option<&'static Operation>) {
        self.0.lock().operation = operation;
    }

    /// The request's operation, once s3s has routed it (`None`: not routed, or an operation
    /// the table does not list).
    pub fn operation(&self) -> Option<&'static Operation> {
        self.0.lock().operation
    }

    /// Records who the request was authenticated as.
    pub fn set_principal(&self, arn: String) {
        self.0.lock().principal = Some(arn);
    }

    /// The authenticated caller's ARN, if authentication got that far.
    pub fn principal(&self) -> Option<String> {
        self.0.lock().principal.clone()
    }

    /// The last authorization made.
    pub fn last(&self) -> Option<AuthzNote> {
        self.0.lock().decisions.last().cloned()
    }

    pub(crate) fn push(
        &self,
        action: &str,
        resource: &str,
        decision: &gatehouse_core::AuthzDecision,
    ) {
        self.0.lock().decisions.push(AuthzNote {
            action: action.to_owned(),
            resource: resource.to_owned(),
            outcome: decision.outcome.to_string(),
            policy_type: decision.policy_type.map(|t| t.noun().to_owned()),
        });
    }
}
