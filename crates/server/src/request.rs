//! One authenticated request: who is calling, and the authorizations made for it, which the
//! request's log line reports.

use std::sync::Arc;
use std::time::Duration;

use gatehouse_core::operation::Operation;
use gatehouse_core::{AuthzDecision, AuthzRequest, Caller};
use gatehouse_policy::{AccountId, MessageStyle, Policy, RequestContext};
use gatehouse_sigv4::SignedRequest;
use http::{HeaderMap, Method, StatusCode, Uri};
use parking_lot::Mutex;

use crate::App;
use crate::error::{ApiError, Service};

/// The authorization a handler made, for the log line.
#[derive(Debug, Clone)]
pub struct AuthzLog {
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// The decision.
    pub decision: AuthzDecision,
}

/// An authenticated request, as handlers see it.
#[derive(Debug)]
pub struct RequestCtx {
    /// The shared server state.
    pub app: Arc<App>,
    /// The operation called, as its service's table describes it.
    pub operation: &'static Operation,
    /// The caller.
    pub caller: Caller,
    /// The request id.
    pub request_id: String,
    /// The region in the request's credential scope.
    pub region: String,
    /// Keys from the HTTP request.
    pub network: RequestContext,
    /// The authorizations made so far.
    pub authz: Mutex<Vec<AuthzLog>>,
}

impl RequestCtx {
    /// The context of an authenticated request for `operation`.
    pub fn new(
        app: Arc<App>,
        who: Authenticated,
        operation: &'static Operation,
        request_id: String,
        network: RequestContext,
    ) -> Self {
        Self {
            app,
            operation,
            caller: who.caller,
            request_id,
            region: who.region,
            network,
            authz: Mutex::new(Vec::new()),
        }
    }

    /// The IAM action the operation is authorized as (`iam:CreateUser`).
    pub fn action(&self) -> &'static str {
        self.operation.action
    }

    /// The caller's account.
    pub fn account(&self) -> AccountId {
        self.caller.account()
    }

    /// Requires `action` on `resource` in the caller's own account, with extra context keys.
    pub fn authorize_with(
        &self,
        action: &str,
        resource: &str,
        extra: &[(&str, gatehouse_policy::ContextValue)],
    ) -> Result<(), ApiError> {
        let mut context = self.network.clone();
        for (k, v) in extra {
            context.insert(k, v.clone());
        }
        self.authorize_request(AuthzRequest {
            caller: Some(&self.caller),
            action,
            resource,
            resource_account: None,
            resource_policy: None,
            context,
            style: MessageStyle::Standard,
        })
    }

    /// Requires `action` on `resource` in the caller's own account.
    pub fn authorize(&self, action: &str, resource: &str) -> Result<(), ApiError> {
        self.authorize_with(action, resource, &[])
    }

    /// Requires a fully specified authorization (resource policies, other accounts).
    pub fn authorize_request(&self, req: AuthzRequest<'_>) -> Result<(), ApiError> {
        let action = req.action.to_owned();
        let resource = req.resource.to_owned();
        let (decision, result) = self.app.iam.require(req);
        self.authz.lock().push(AuthzLog {
            action,
            resource,
            decision,
        });
        result.map_err(ApiError::from)
    }

    /// Records an authorization decided elsewhere (`AssumeRole`'s trust evaluation).
    pub fn note(&self, action: &str, resource: &str, decision: AuthzDecision) {
        self.authz.lock().push(AuthzLog {
            action: action.to_owned(),
            resource: resource.to_owned(),
            decision,
        });
    }

    /// Authorizes against a resource policy of another account.
    pub fn authorize_resource(
        &self,
        action: &str,
        resource: &str,
        owner: AccountId,
        policy: Option<&Policy>,
        context: RequestContext,
    ) -> Result<(), ApiError> {
        self.authorize_request(AuthzRequest {
            caller: Some(&self.caller),
            action,
            resource,
            resource_account: Some(owner),
            resource_policy: policy,
            context,
            style: MessageStyle::Standard,
        })
    }
}

/// Who signed a request, and for which region.
#[derive(Debug)]
pub struct Authenticated {
    /// The caller.
    pub caller: Caller,
    /// The region of the request's credential scope.
    pub region: String,
}

/// Authenticates a query-protocol request: `SigV4` over the exact bytes received, with the
/// caller's secret from its long-term key or sealed session token.
pub fn authenticate(
    app: &App,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Authenticated, ApiError> {
    let signed = SignedRequest::parse(method, uri, headers)?;
    let now = jiff::Timestamp::now();
    let credential =
        app.iam
            .resolve_credential(&signed.access_key_id, signed.security_token.as_deref(), now)?;
    signed.verify(method, uri, headers, body, credential.secret.expose(), now)?;
    if !credential.caller.access_key_id.is_temporary() {
        app.iam.note_key_used(
            &credential.caller.access_key_id,
            &signed.scope.service,
            &signed.scope.region,
        );
    }
    Ok(Authenticated {
        caller: credential.caller,
        region: signed.scope.region.clone(),
    })
}

/// Writes the request's one structured log line. Never logs secrets or tokens.
pub fn log_line(
    request_id: &str,
    service: Service,
    operation: &str,
    caller: Option<&Caller>,
    ctx: Option<&RequestCtx>,
    status: StatusCode,
    elapsed: Duration,
) {
    let principal = caller.map_or_else(|| "-".to_owned(), Caller::arn);
    let read_only = ctx.map(|c| c.operation.read_only);
    let last = ctx.and_then(|c| c.authz.lock().last().cloned());
    let (action, resource, decision, policy_type) = match &last {
        Some(l) => (
            l.action.clone(),
            l.resource.clone(),
            l.decision.outcome.to_string(),
            l.decision
                .policy_type
                .map_or_else(|| "-".to_owned(), |t| t.noun().to_owned()),
        ),
        None => (
            "-".to_owned(),
            "-".to_owned(),
            "-".to_owned(),
            "-".to_owned(),
        ),
    };
    tracing::info!(
        request_id,
        principal = %principal,
        service = service.name(),
        operation,
        read_only = read_only.map_or("-", |r| if r { "true" } else { "false" }),
        action = %action,
        resource = %resource,
        decision = %decision,
        policy_type = %policy_type,
        status = status.as_u16(),
        latency_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        "request"
    );
}
