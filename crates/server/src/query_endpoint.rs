//! A query-protocol request (IAM, STS): authenticated, looked up in its service's operation
//! table, handled, answered and logged.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, Service};
use crate::request::{self, RequestCtx};
use crate::{App, MAX_QUERY_BODY, context, query, router};

/// Serves a query-protocol request: authenticate, find the operation in its service's table,
/// run its handler, answer and log.
pub(crate) async fn serve(
    app: Arc<App>,
    peer: SocketAddr,
    scope: Option<Service>,
    req: axum::extract::Request,
) -> Response {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let request_id = gatehouse_core::ids::new_request_id();
    let Ok(body) = axum::body::to_bytes(body, MAX_QUERY_BODY).await else {
        // Unsigned and too large to read its action: answered as IAM, as before.
        return ApiError::too_large(MAX_QUERY_BODY)
            .into_response_for(scope.unwrap_or(Service::Iam), &request_id);
    };
    let (method, uri, headers) = (parts.method, parts.uri, parts.headers);
    let params = query::QueryParams::decode(uri.query().unwrap_or(""), &body);
    let action = params.get("Action").map(str::to_owned);
    let service = scope.unwrap_or_else(|| router::unsigned_query_service(action.as_deref()));
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
