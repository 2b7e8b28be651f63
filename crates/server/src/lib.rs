//! The Gatehouse HTTP server: one axum app that serves IAM and STS over the AWS query
//! protocol (and, later, S3), authenticates every request with `SigV4`, authorizes it with
//! IAM policy, and answers in AWS's XML shapes.

mod context;
mod error;
mod iam_api;
mod operations;
mod query;
mod request;
mod router;
mod sts_api;
mod xml;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::response::{IntoResponse, Response};
use gatehouse_core::Iam;
use gatehouse_core::operation::AwsService;

pub use error::{ApiError, Service};
pub use request::RequestCtx;
pub use router::operations;

use router::Endpoint;

/// The largest query-protocol request body accepted.
pub const MAX_QUERY_BODY: usize = 1024 * 1024;

/// Everything the handlers share.
pub struct App {
    /// The IAM directory.
    pub iam: Arc<Iam>,
    /// The region this server answers for.
    pub region: String,
    /// The S3 data plane, when served.
    pub s3: Option<s3s::service::S3Service>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("region", &self.region)
            .field("s3", &self.s3.is_some())
            .finish_non_exhaustive()
    }
}

/// The axum router of the whole server: query-protocol requests (IAM, STS) and S3 share one
/// port; [`router::route`] tells them apart.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .fallback(dispatch)
        .layer(DefaultBodyLimit::disable())
        .with_state(app)
}

/// Routes a request to its endpoint ([`router::route`]).
async fn dispatch(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: axum::extract::Request,
) -> Response {
    match router::route(req.method(), req.uri(), req.headers()) {
        Endpoint::Query(service) => query_endpoint(app, peer, service, req).await,
        Endpoint::NotServed { service, target } => not_served(service, target.as_deref()),
        Endpoint::S3 => match app.s3.clone() {
            Some(s3) => s3_endpoint(&s3, peer, req).await,
            None => query_endpoint(app, peer, Service::Iam, req).await,
        },
    }
}

/// The answer to a service Gatehouse routes but does not serve yet: the JSON error its SDKs
/// parse, saying so.
fn not_served(service: AwsService, target: Option<&str>) -> Response {
    let operation = target.map_or_else(String::new, |t| format!(" ({t})"));
    let body = serde_json::json!({
        "__type": "UnknownOperationException",
        "message": format!(
            "Gatehouse does not serve {} yet{operation}",
            service.signing_name()
        ),
    });
    let mut response = (http::StatusCode::BAD_REQUEST, body.to_string()).into_response();
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    response
}

/// Serves an S3 request through s3s and writes its log line.
async fn s3_endpoint(
    s3: &s3s::service::S3Service,
    peer: SocketAddr,
    req: axum::extract::Request,
) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let request_id = gatehouse_core::ids::new_request_id();
    let expects_continue = req
        .headers()
        .get(http::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let notes = gatehouse_s3::AuthzNotes::default();
    let mut req = req.map(s3s::Body::http_body_unsync);
    req.extensions_mut().insert(gatehouse_s3::ClientAddr(peer));
    req.extensions_mut().insert(notes.clone());
    let mut response = match s3.call(req).await {
        Ok(r) => r.map(axum::body::Body::new),
        Err(e) => {
            tracing::warn!(error = ?e, "s3 request failed");
            http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    };
    if let Ok(v) = http::HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amz-request-id", v);
    }
    // A client that sent `Expect: 100-continue` and got a final answer instead withholds the
    // body; hyper would still try to drain it from the connection and could take the start of
    // the client's next request for it. Closing the connection after such an error avoids that
    // (S3 does the same).
    if expects_continue && !response.status().is_success() {
        response.headers_mut().insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        );
    }
    let principal = notes.principal().unwrap_or_else(|| "-".to_owned());
    let (action, resource, decision, policy_type) = match notes.last() {
        Some(n) => (
            n.action,
            n.resource,
            n.outcome,
            n.policy_type.unwrap_or_else(|| "-".to_owned()),
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
        service = "s3",
        action = %action,
        resource = %resource,
        decision = %decision,
        policy_type = %policy_type,
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    response
}

/// Serves a query-protocol request: authenticate, find the operation in its service's table,
/// run its handler, answer and log.
async fn query_endpoint(
    app: Arc<App>,
    peer: SocketAddr,
    service: Service,
    req: axum::extract::Request,
) -> Response {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let request_id = gatehouse_core::ids::new_request_id();
    let Ok(body) = axum::body::to_bytes(body, MAX_QUERY_BODY).await else {
        return ApiError::too_large(MAX_QUERY_BODY).into_response_for(service, &request_id);
    };
    let (method, uri, headers) = (parts.method, parts.uri, parts.headers);
    let params = query::QueryParams::decode(uri.query().unwrap_or(""), &body);
    let action = params.get("Action").map(str::to_owned);
    let service = if router::is_signed(&headers, &uri) {
        service
    } else {
        router::unsigned_query_service(action.as_deref())
    };
    let network = context::network_context(&headers, peer, &app.region);
    let rid = request_id.clone();
    let action_name = action.clone().unwrap_or_default();
    // Authentication and the handler may wait on the store: run them off the async workers.
    let outcome = tokio::task::spawn_blocking(move || {
        let who = match request::authenticate(&app, &method, &uri, &headers, &body) {
            Ok(who) => who,
            Err(e) => return Outcome::failed(e, None),
        };
        let Some(action) = action else {
            return Outcome::failed(ApiError::missing_action(), Some(who.caller));
        };
        let Some(op) = router::query_operation(service, &action) else {
            return Outcome::failed(ApiError::invalid_action(&action, service), Some(who.caller));
        };
        let ctx = RequestCtx::new(app, who, &op.operation, rid, network);
        let result = session_token_scope(&ctx, service).and_then(|()| (op.handler)(&ctx, &params));
        Outcome {
            result,
            ctx: Some(ctx),
            caller: None,
        }
    })
    .await
    .unwrap_or_else(|join| {
        Outcome::failed(ApiError::internal(format!("handler failed: {join}")), None)
    });
    let response = match outcome.result {
        Ok(body) => {
            let mut r = (http::StatusCode::OK, body).into_response();
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/xml"),
            );
            if let Ok(v) = http::HeaderValue::from_str(&request_id) {
                r.headers_mut().insert("x-amzn-RequestId", v);
            }
            r
        }
        Err(e) => e.into_response_for(service, &request_id),
    };
    let ctx = outcome.ctx.as_ref();
    request::log_line(
        &request_id,
        service,
        ctx.map_or(action_name.as_str(), |c| c.operation.name),
        ctx.map(|c| &c.caller).or(outcome.caller.as_ref()),
        ctx,
        response.status(),
        started.elapsed(),
    );
    response
}

/// What a query-protocol request came to: the body or error, and who asked.
struct Outcome {
    result: Result<String, ApiError>,
    /// The request's context, once its operation was found.
    ctx: Option<RequestCtx>,
    /// The caller, when the request failed after authentication but before it had a context.
    caller: Option<gatehouse_core::Caller>,
}

impl Outcome {
    fn failed(e: ApiError, caller: Option<gatehouse_core::Caller>) -> Self {
        Self {
            result: Err(e),
            ctx: None,
            caller,
        }
    }
}

/// What `GetSessionToken` credentials may call (semantics spec §7.4): without MFA no IAM
/// API, and of STS only `AssumeRole` and `GetCallerIdentity`.
fn session_token_scope(ctx: &RequestCtx, service: Service) -> Result<(), ApiError> {
    let Some(session) = ctx.caller.session.as_ref().filter(|s| s.user_session) else {
        return Ok(());
    };
    let name = ctx.operation.name;
    match service {
        Service::Iam if !session.mfa => Err(ApiError::invalid_client_token()),
        Service::Sts if !matches!(name, "AssumeRole" | "GetCallerIdentity") => {
            Err(ApiError::from(gatehouse_core::Error::access_denied(
                format!("Cannot call {name} with session credentials"),
            )))
        }
        _ => Ok(()),
    }
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Without TCP_NODELAY a small response waits for the client's delayed ACK (~40 ms).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
