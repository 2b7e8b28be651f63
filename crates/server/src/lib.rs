//! The Gatehouse HTTP server: one axum app that serves IAM and STS over the AWS query
//! protocol (and, later, S3), authenticates every request with `SigV4`, authorizes it with
//! IAM policy, and answers in AWS's XML shapes.

mod context;
mod error;
mod iam_api;
mod query;
mod request;
mod sts_api;
mod xml;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::response::{IntoResponse, Response};
use gatehouse_core::Iam;
use http::{HeaderMap, Method, Uri};

pub use error::{ApiError, Service};
pub use request::RequestCtx;

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
/// port; [`dispatch`] tells them apart.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .fallback(dispatch)
        .layer(DefaultBodyLimit::disable())
        .with_state(app)
}

/// The signing service of a request's credential scope, if it is signed with `SigV4`.
fn scope_service(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let from_header = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|text| text.split("Credential=").nth(1))
        .and_then(|cred| cred.split('/').nth(3))
        .map(|s| s.trim_end_matches(',').to_owned());
    from_header.or_else(|| {
        uri.query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "X-Amz-Credential")
                .and_then(|(_, v)| v.split('/').nth(3).map(str::to_owned))
        })
    })
}

/// True for IAM/STS query-protocol requests: signed for `iam` or `sts`, or unsigned with an
/// `Action` (query string, or a form body posted to `/`).
fn is_query_protocol(req: &axum::extract::Request) -> bool {
    match scope_service(req.headers(), req.uri()).as_deref() {
        Some("iam" | "sts") => true,
        Some(_) => false,
        None => {
            let form = req
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
            let action_in_query = req
                .uri()
                .query()
                .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "Action"));
            action_in_query || (req.method() == Method::POST && req.uri().path() == "/" && form)
        }
    }
}

/// Routes a request to the query-protocol endpoint or to S3.
async fn dispatch(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: axum::extract::Request,
) -> Response {
    if is_query_protocol(&req) || app.s3.is_none() {
        let (parts, body) = req.into_parts();
        let request_id = gatehouse_core::ids::new_request_id();
        let Ok(body) = axum::body::to_bytes(body, MAX_QUERY_BODY).await else {
            let service = service_of(&parts.headers, &parts.uri, None);
            return ApiError::too_large(MAX_QUERY_BODY).into_response_for(service, &request_id);
        };
        return query_endpoint(
            app,
            peer,
            parts.method,
            parts.uri,
            parts.headers,
            body,
            request_id,
        )
        .await;
    }
    let Some(s3) = app.s3.clone() else {
        return http::StatusCode::NOT_FOUND.into_response();
    };
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let request_id = gatehouse_core::ids::new_request_id();
    let notes = gatehouse_s3::AuthzNotes::default();
    let mut req = req.map(s3s::Body::http_body_unsync);
    req.extensions_mut().insert(gatehouse_s3::ClientAddr(peer));
    req.extensions_mut().insert(notes.clone());
    let response = match s3.call(req).await {
        Ok(r) => r.map(axum::body::Body::new),
        Err(e) => {
            tracing::warn!(error = ?e, "s3 request failed");
            http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    };
    let mut response = response;
    if let Ok(v) = http::HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amz-request-id", v);
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

/// Which service a query request is for: the credential scope says, else the action's name.
fn service_of(headers: &HeaderMap, uri: &Uri, action: Option<&str>) -> Service {
    match scope_service(headers, uri).as_deref() {
        Some("sts") => Service::Sts,
        None if action.is_some_and(sts_api::is_sts_action) => Service::Sts,
        _ => Service::Iam,
    }
}

#[allow(clippy::too_many_arguments, reason = "the parts of one HTTP request")]
async fn query_endpoint(
    app: Arc<App>,
    peer: SocketAddr,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    request_id: String,
) -> Response {
    let started = Instant::now();
    let params = query::QueryParams::decode(uri.query().unwrap_or(""), &body);
    let action = params.get("Action").map(str::to_owned);
    let service = service_of(&headers, &uri, action.as_deref());
    let network = context::network_context(&headers, peer, &app.region);
    let app2 = app.clone();
    let rid = request_id.clone();
    let action_name = action.clone().unwrap_or_default();
    // Authentication and the handler may wait on the store: run them off the async workers.
    #[allow(clippy::result_large_err, reason = "one value per request, moved once")]
    let outcome = tokio::task::spawn_blocking(move || {
        let ctx =
            request::authenticate(app2, &method, &uri, &headers, &body, service, rid, network)?;
        let Some(action) = action else {
            return Err((ApiError::missing_action(), Some(ctx)));
        };
        if let Err(e) = session_token_scope(&ctx, service, &action) {
            return Err((e, Some(ctx)));
        }
        let result = match service {
            Service::Iam => iam_api::dispatch(&ctx, &action, &params),
            Service::Sts => sts_api::dispatch(&ctx, &action, &params),
        };
        match result {
            Ok(body) => Ok((body, ctx)),
            Err(e) => Err((e, Some(ctx))),
        }
    })
    .await;
    let (response, ctx) = match outcome {
        Ok(Ok((body, ctx))) => {
            let mut r = (http::StatusCode::OK, body).into_response();
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/xml"),
            );
            if let Ok(v) = http::HeaderValue::from_str(&request_id) {
                r.headers_mut().insert("x-amzn-RequestId", v);
            }
            (r, Some(ctx))
        }
        Ok(Err((e, ctx))) => (e.into_response_for(service, &request_id), ctx),
        Err(join) => (
            ApiError::internal(format!("handler failed: {join}"))
                .into_response_for(service, &request_id),
            None,
        ),
    };
    request::log_line(
        &request_id,
        service,
        &action_name,
        ctx.as_ref(),
        response.status(),
        started.elapsed(),
    );
    response
}

/// What `GetSessionToken` credentials may call (semantics spec §7.4): without MFA no IAM
/// API, and of STS only `AssumeRole` and `GetCallerIdentity`.
fn session_token_scope(ctx: &RequestCtx, service: Service, action: &str) -> Result<(), ApiError> {
    let Some(session) = ctx.caller.session.as_ref().filter(|s| s.user_session) else {
        return Ok(());
    };
    match service {
        Service::Iam if !session.mfa => Err(ApiError::invalid_client_token()),
        Service::Sts if !matches!(action, "AssumeRole" | "GetCallerIdentity") => {
            Err(ApiError::from(gatehouse_core::Error::access_denied(
                format!("Cannot call {action} with session credentials"),
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
