//! An S3 request: served by s3s, with the request ids S3 sends on every response
//! (`x-amz-request-id`, `x-amz-id-2`), error bodies completed as S3 writes them, and one log
//! line.

use std::net::SocketAddr;
use std::time::Instant;

use axum::response::{IntoResponse, Response};

/// `x-amz-request-id`, parsed once.
static X_AMZ_REQUEST_ID: http::HeaderName = http::HeaderName::from_static("x-amz-request-id");
/// `x-amz-id-2`, parsed once.
static X_AMZ_ID_2: http::HeaderName = http::HeaderName::from_static("x-amz-id-2");

/// Serves an S3 request through s3s and writes its log line.
pub(crate) async fn serve(
    s3: &s3s::service::S3Service,
    peer: SocketAddr,
    signed: bool,
    req: axum::extract::Request,
) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let (request_id, host_id) = gatehouse_core::ids::new_s3_request_ids();
    let expects_continue = req
        .headers()
        .get(http::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let notes = gatehouse_s3::AuthzNotes::default();
    let mut req = req.map(s3s::Body::http_body_unsync);
    req.extensions_mut().insert(gatehouse_s3::ClientAddr(peer));
    req.extensions_mut().insert(notes.clone());
    // Only a signed request resolves a credential; anonymous ones skip the slot's cost.
    // Boxed: s3s's future is large, and the two ways of awaiting it would otherwise copy it.
    let call = Box::pin(s3.call(req));
    let result = if signed {
        gatehouse_s3::resolving_once(call).await
    } else {
        call.await
    };
    let mut response = match result {
        Ok(r) => r.map(axum::body::Body::new),
        Err(e) => {
            tracing::warn!(error = ?e, "s3 request failed");
            http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    };
    // Only errors carry extra elements.
    if response.status().is_client_error() || response.status().is_server_error() {
        let elements = gatehouse_s3::error::take_error_elements(response.headers_mut());
        response = complete_error(response, &method, &elements, (&request_id, &host_id)).await;
    }
    for (name, value) in [(&X_AMZ_REQUEST_ID, &request_id), (&X_AMZ_ID_2, &host_id)] {
        if let Ok(v) = http::HeaderValue::from_str(value) {
            response.headers_mut().insert(name.clone(), v);
        }
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
    let operation = notes.operation();
    tracing::info!(
        request_id,
        principal = %principal,
        service = "s3",
        operation = operation.map_or("-", |o| o.name),
        read_only = operation.map_or("-", |o| if o.read_only { "true" } else { "false" }),
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

/// The largest error body completed (s3s's are a few hundred bytes).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// An S3 error response as S3 writes it: `Code`, `Message`, the code's own elements (from the
/// S3 crate's error map), `RequestId` and `HostId`; a HEAD answer keeps no body.
async fn complete_error(
    response: Response,
    method: &http::Method,
    elements: &[(String, String)],
    (request_id, host_id): (&str, &str),
) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let text = String::from_utf8_lossy(&bytes);
    let (Some(code), message) = (inner(&text, "Code"), inner(&text, "Message")) else {
        // Not an S3 error document (a bare status from hyper or axum): leave it be.
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    };
    parts.headers.remove(http::header::CONTENT_LENGTH);
    if *method == http::Method::HEAD {
        return Response::from_parts(parts, axum::body::Body::empty());
    }
    // Code and Message are kept as s3s escaped them; the rest is escaped here.
    let mut body = String::with_capacity(bytes.len() + 256);
    body.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>");
    body.push_str(code);
    body.push_str("</Code>");
    if let Some(message) = message {
        body.push_str("<Message>");
        body.push_str(message);
        body.push_str("</Message>");
    }
    let mut rest = crate::xml::Xml::fragment();
    for (name, value) in elements {
        rest.text(name, value);
    }
    rest.text("RequestId", request_id).text("HostId", host_id);
    body.push_str(&rest.finish());
    body.push_str("</Error>");
    parts.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/xml"),
    );
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// The raw text between `<tag>` and `</tag>`, if the document has it.
fn inner<'a>(text: &'a str, tag: &str) -> Option<&'a str> {
    let start = text.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = start + text[start..].find(&format!("</{tag}>"))?;
    Some(&text[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn error_bodies_get_their_elements_and_ids_in_s3_order() {
        let s3s_body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>";
        let response = http::Response::builder()
            .status(404)
            .header(http::header::CONTENT_LENGTH, s3s_body.len())
            .body(axum::body::Body::from(s3s_body))
            .unwrap();
        let elements = vec![("Key".to_owned(), "a<b>&c".to_owned())];
        let done = complete_error(response, &http::Method::GET, &elements, ("REQ", "HOST")).await;
        assert!(done.headers().get(http::header::CONTENT_LENGTH).is_none());
        let body = axum::body::to_bytes(done.into_body(), 4096).await.unwrap();
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a&lt;b&gt;&amp;c</Key><RequestId>REQ</RequestId><HostId>HOST</HostId></Error>"
        );
    }

    #[tokio::test]
    async fn head_errors_have_no_body_and_other_bodies_are_left_alone() {
        let response = http::Response::builder()
            .status(404)
            .body(axum::body::Body::from(
                "<Error><Code>NoSuchKey</Code></Error>",
            ))
            .unwrap();
        let done = complete_error(response, &http::Method::HEAD, &[], ("R", "H")).await;
        assert!(
            axum::body::to_bytes(done.into_body(), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let bare = http::Response::builder()
            .status(400)
            .body(axum::body::Body::from("bad"))
            .unwrap();
        let done = complete_error(bare, &http::Method::GET, &[], ("R", "H")).await;
        assert_eq!(
            axum::body::to_bytes(done.into_body(), 10).await.unwrap(),
            "bad"
        );
    }
}
