//! The Gatehouse HTTP server: one axum app that serves IAM and STS over the AWS query
//! protocol (and, later, S3), authenticates every request with `SigV4`, authorizes it with
//! IAM policy, and answers in AWS's XML shapes.

mod context;
mod error;
mod iam_api;
mod operations;
mod query;
mod query_endpoint;
mod request;
mod router;
mod s3_endpoint;
mod sts_api;
mod xml;

use std::net::SocketAddr;
use std::sync::Arc;

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
        Endpoint::Query(service) => query_endpoint::serve(app, peer, service, req).await,
        Endpoint::NotServed { service, target } => not_served(service, target.as_deref()),
        Endpoint::S3 { signed } => match app.s3.clone() {
            Some(s3) => s3_endpoint::serve(&s3, peer, signed, req).await,
            None => query_endpoint::serve(app, peer, signed.then_some(Service::Iam), req).await,
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
