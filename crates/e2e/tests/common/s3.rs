//! Helpers of the S3 test files (`s3_*.rs`): an interceptor that records what a call sent and
//! received, deterministic test data and its digests, whole-body reads, one-line `PutObject` and
//! `CreateBucket`, and requests sent with a plain HTTP client (no SDK).

use std::sync::{Arc, Mutex};

use aws_sdk_s3::config::interceptors::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::BoxError;
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use md5::{Digest as _, Md5};

use super::ok;

/// What an interceptor saw of one call: the request headers as sent, the response status and
/// headers.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub request: Vec<(String, String)>,
    pub status: Option<u16>,
    pub response: Vec<(String, String)>,
}

impl Seen {
    pub fn request_header(&self, name: &str) -> Option<&str> {
        self.request
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn response_header(&self, name: &str) -> Option<&str> {
        self.response
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Records the request headers and the response status and headers of the calls made with it
/// (`.customize().interceptor(…)`).
#[derive(Debug, Clone, Default)]
pub struct Capture(Arc<Mutex<Seen>>);

impl Capture {
    pub fn seen(&self) -> Seen {
        self.0.lock().expect("not poisoned").clone()
    }
}

impl Intercept for Capture {
    fn name(&self) -> &'static str {
        "Capture"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let headers = context
            .request()
            .headers()
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            .collect();
        self.0.lock().expect("not poisoned").request = headers;
        Ok(())
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        let mut seen = self.0.lock().expect("not poisoned");
        seen.status = Some(response.status().as_u16());
        seen.response = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            .collect();
        Ok(())
    }
}

/// `n` deterministic pseudo-random bytes (xorshift64 from `seed`).
pub fn data(n: usize, seed: u64) -> Bytes {
    let mut state = seed.max(1);
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(n);
    Bytes::from(out)
}

pub fn md5(data: &[u8]) -> [u8; 16] {
    Md5::digest(data).into()
}

/// Reads a whole `GetObject` body.
pub async fn body_bytes(body: ByteStream) -> Vec<u8> {
    body.collect()
        .await
        .expect("the body arrives")
        .into_bytes()
        .to_vec()
}

pub async fn put(client: &aws_sdk_s3::Client, bucket: &str, key: &str, body: &[u8]) -> String {
    let out = ok(client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body.to_vec()))
        .send()
        .await);
    out.e_tag().expect("PutObject returns an ETag").to_owned()
}

pub async fn create_bucket(client: &aws_sdk_s3::Client, bucket: &str) {
    ok(client.create_bucket().bucket(bucket).send().await);
}

/// Sends `request` with a plain HTTP client (no SDK): the status, headers and body.
pub async fn send_raw(request: http::Request<Full<Bytes>>) -> (u16, http::HeaderMap, String) {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let response = client.request(request).await.expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("the body arrives")
        .to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}
