//! S3 over HTTP with the AWS SDK for Rust (path-style, us-east-1, plain HTTP): buckets
//! (locations, listings per account, name conflicts, `BucketNotEmpty`), objects (metadata round
//! trips, ranges, conditional reads, deletes, copies), `ListObjectsV2` paging in byte order,
//! multipart uploads (a 100 MiB object, its `-N` `ETag`, part listings, aborts, `EntityTooSmall`,
//! `UploadPartCopy`), flexible checksums (headers and aws-chunked trailers, `BadDigest`),
//! authorization of role sessions, other accounts' users and anonymous callers, and presigned
//! URLs fetched with a plain HTTP client.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_s3::config::interceptors::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::BoxError;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, ChecksumAlgorithm, ChecksumMode, CompletedMultipartUpload,
    CompletedPart, CreateBucketConfiguration, Delete, MetadataDirective, ObjectIdentifier,
};
use bytes::Bytes;
use common::{DEV, Keys, PROD, Server, api_error, assert_error, ok, trust, user_with_keys};
use http_body_util::{BodyExt as _, Full};
use md5::{Digest as _, Md5};
use sha2::Sha256;

const MIB: usize = 1024 * 1024;

/// What an interceptor saw of one call: the request headers as sent, the response status and
/// headers.
#[derive(Debug, Clone, Default)]
struct Seen {
    request: Vec<(String, String)>,
    status: Option<u16>,
    response: Vec<(String, String)>,
}

impl Seen {
    fn request_header(&self, name: &str) -> Option<&str> {
        self.request
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn response_header(&self, name: &str) -> Option<&str> {
        self.response
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Records the request headers and the response status and headers of the calls made with it
/// (`.customize().interceptor(…)`).
#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Seen>>);

impl Capture {
    fn seen(&self) -> Seen {
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
fn data(n: usize, seed: u64) -> Bytes {
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

fn md5(data: &[u8]) -> [u8; 16] {
    Md5::digest(data).into()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The `ETag` S3 gives a multipart object from its parts' MD5s: the MD5 of their
/// concatenation, then `-N`.
fn multipart_etag(part_md5s: &[[u8; 16]]) -> String {
    let all: Vec<u8> = part_md5s.iter().flatten().copied().collect();
    format!("\"{}-{}\"", hex::encode(md5(&all)), part_md5s.len())
}

/// Reads a whole `GetObject` body.
async fn body_bytes(body: ByteStream) -> Vec<u8> {
    body.collect()
        .await
        .expect("the body arrives")
        .into_bytes()
        .to_vec()
}

async fn put(client: &aws_sdk_s3::Client, bucket: &str, key: &str, body: &[u8]) -> String {
    let out = ok(client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body.to_vec()))
        .send()
        .await);
    out.e_tag().expect("PutObject returns an ETag").to_owned()
}

async fn create_bucket(client: &aws_sdk_s3::Client, bucket: &str) {
    ok(client.create_bucket().bucket(bucket).send().await);
}

/// The HTTP status of a failed SDK call; panics when it succeeded.
#[track_caller]
fn error_status<T: std::fmt::Debug, E: std::fmt::Debug>(
    result: Result<T, aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>>,
) -> u16 {
    match result {
        Ok(v) => panic!("expected an error, the call succeeded: {v:?}"),
        Err(e) => match e.raw_response() {
            Some(r) => r.status().as_u16(),
            None => panic!("no HTTP response: {e:?}"),
        },
    }
}

/// Sends `request` with a plain HTTP client (no SDK): the status, headers and body.
async fn send_raw(request: http::Request<Full<Bytes>>) -> (u16, http::HeaderMap, String) {
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

/// A GET with a plain HTTP client (no SDK): the status and the body.
async fn http_get(uri: &str) -> (u16, String) {
    let request = http::Request::get(uri)
        .body(Full::default())
        .expect("a valid request");
    let (status, _, body) = send_raw(request).await;
    (status, body)
}

/// A `PutObject` as an SDK sends it over HTTPS: an aws-chunked body of unsigned chunks
/// (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`) ending with the trailing header
/// `x-amz-checksum-<algorithm>: <value>`, the request signed with `keys`.
async fn put_with_unsigned_trailer(
    server: &Server,
    keys: &Keys,
    path: &str,
    data: &[u8],
    algorithm: &str,
    value: &str,
) -> (u16, String) {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
    };
    use aws_sigv4::sign::v4::SigningParams;

    let uri = format!("{}{path}", server.endpoint);
    let host = server.endpoint.trim_start_matches("http://").to_owned();
    let trailer = format!("x-amz-checksum-{algorithm}");
    let mut body = Vec::new();
    // Two data chunks, then the last (empty) chunk and the trailer.
    let (first, second) = data.split_at(data.len() / 2);
    for chunk in [first, second] {
        body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        body.extend_from_slice(chunk);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("0\r\n{trailer}:{value}\r\n\r\n").as_bytes());
    let headers = [
        ("host", host),
        ("content-encoding", "aws-chunked".to_owned()),
        ("content-length", body.len().to_string()),
        ("x-amz-decoded-content-length", data.len().to_string()),
        ("x-amz-trailer", trailer.clone()),
        ("x-amz-sdk-checksum-algorithm", algorithm.to_uppercase()),
        ("content-type", "application/octet-stream".to_owned()),
    ];
    let identity = aws_credential_types::Credentials::new(
        keys.id.clone(),
        keys.secret.clone(),
        keys.token.clone(),
        None,
        "gatehouse-e2e",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("s3")
        .time(std::time::SystemTime::now())
        .settings(settings)
        .build()
        .expect("signing parameters")
        .into();
    let signable = SignableRequest::new(
        "PUT",
        uri.clone(),
        headers.iter().map(|(k, v)| (*k, v.as_str())),
        SignableBody::Precomputed("STREAMING-UNSIGNED-PAYLOAD-TRAILER".to_owned()),
    )
    .expect("a signable request");
    let (instructions, _) = sign(signable, &params)
        .expect("the request signs")
        .into_parts();
    let mut request = http::Request::put(&uri);
    for (k, v) in &headers {
        request = request.header(*k, v);
    }
    let mut request = request
        .body(Full::new(Bytes::from(body)))
        .expect("a valid request");
    instructions.apply_to_request_http1x(&mut request);
    assert_eq!(
        request
            .headers()
            .get("x-amz-content-sha256")
            .and_then(|v| v.to_str().ok()),
        Some("STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    );
    let (status, _, body) = send_raw(request).await;
    (status, body)
}

#[tokio::test]
async fn buckets_locations_listings_conflicts_and_deletion() {
    let server = Server::start();
    let prod = server.root_s3(PROD);
    let dev = server.root_s3(DEV);

    // A LocationConstraint is kept and reported back; us-east-1 is reported as none.
    ok(prod
        .create_bucket()
        .bucket("prod-eu")
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await);
    let location = ok(prod.get_bucket_location().bucket("prod-eu").send().await);
    assert_eq!(
        location.location_constraint(),
        Some(&BucketLocationConstraint::EuWest1)
    );
    create_bucket(&prod, "prod-us").await;
    let location = ok(prod.get_bucket_location().bucket("prod-us").send().await);
    assert!(
        location
            .location_constraint()
            .is_none_or(|c| c.as_str().is_empty()),
        "{location:?}"
    );
    create_bucket(&dev, "dev-only").await;

    // ListBuckets shows the caller's own account's buckets, by name.
    let names = |out: &aws_sdk_s3::operation::list_buckets::ListBucketsOutput| -> Vec<String> {
        out.buckets()
            .iter()
            .filter_map(|b| b.name().map(str::to_owned))
            .collect()
    };
    let listed = ok(prod.list_buckets().send().await);
    assert_eq!(names(&listed), ["prod-eu", "prod-us"]);
    assert!(listed.owner().and_then(|o| o.id()).is_some());
    let listed = ok(dev.list_buckets().send().await);
    assert_eq!(names(&listed), ["dev-only"]);

    // HeadBucket: the region; a missing bucket is a bare 404.
    let head = ok(prod.head_bucket().bucket("prod-eu").send().await);
    assert_eq!(head.bucket_region(), Some("eu-west-1"));
    let e = api_error(prod.head_bucket().bucket("no-such-bucket").send().await);
    assert_eq!((e.code.as_str(), e.status), ("NotFound", 404));

    // Bucket names are global.
    let e = assert_error(
        dev.create_bucket().bucket("prod-eu").send().await,
        "BucketAlreadyExists",
        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
    );
    assert_eq!(e.status, 409);
    let e = assert_error(
        prod.create_bucket()
            .bucket("prod-eu")
            .create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::EuWest1)
                    .build(),
            )
            .send()
            .await,
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
    );
    assert_eq!(e.status, 409);

    // Another account cannot see into the bucket; a missing bucket is NoSuchBucket.
    let e = assert_error(
        dev.list_objects_v2().bucket("prod-us").send().await,
        "AccessDenied",
        "Access Denied",
    );
    assert_eq!(e.status, 403);
    let e = assert_error(
        prod.list_objects_v2().bucket("no-such-bucket").send().await,
        "NoSuchBucket",
        "The specified bucket does not exist",
    );
    assert_eq!(e.status, 404);

    // Only an empty bucket can be deleted.
    put(&prod, "prod-us", "file.txt", b"content").await;
    let e = assert_error(
        prod.delete_bucket().bucket("prod-us").send().await,
        "BucketNotEmpty",
        "The bucket you tried to delete is not empty",
    );
    assert_eq!(e.status, 409);
    ok(prod
        .delete_object()
        .bucket("prod-us")
        .key("file.txt")
        .send()
        .await);
    ok(prod.delete_bucket().bucket("prod-us").send().await);
    let e = api_error(prod.head_bucket().bucket("prod-us").send().await);
    assert_eq!((e.code.as_str(), e.status), ("NotFound", 404));
    let listed = ok(prod.list_buckets().send().await);
    assert_eq!(names(&listed), ["prod-eu"]);

    // The name is free again, for anyone.
    create_bucket(&dev, "prod-us").await;
    let listed = ok(dev.list_buckets().send().await);
    assert_eq!(names(&listed), ["dev-only", "prod-us"]);
}

#[tokio::test]
async fn objects_metadata_ranges_conditions_deletes_and_copies() {
    let server = Server::start();
    let s3 = server.root_s3(PROD);
    create_bucket(&s3, "objects").await;
    let body = b"0123456789abcdefghijklmnopqrstuvwxyz";

    // Standard headers and user metadata round-trip through PUT, GET and HEAD.
    let put_out = ok(s3
        .put_object()
        .bucket("objects")
        .key("dir/file.txt")
        .body(ByteStream::from_static(body))
        .content_type("text/plain; charset=utf-8")
        .cache_control("max-age=60")
        .metadata("color", "blue")
        .metadata("Mixed-Case", "Value With Spaces")
        .send()
        .await);
    let etag = format!("\"{}\"", hex::encode(md5(body)));
    assert_eq!(put_out.e_tag(), Some(etag.as_str()));

    let got = ok(s3
        .get_object()
        .bucket("objects")
        .key("dir/file.txt")
        .send()
        .await);
    assert_eq!(got.content_type(), Some("text/plain; charset=utf-8"));
    assert_eq!(got.cache_control(), Some("max-age=60"));
    assert_eq!(got.content_length(), Some(36));
    assert_eq!(got.e_tag(), Some(etag.as_str()));
    let metadata = got.metadata().expect("metadata");
    assert_eq!(metadata.get("color").map(String::as_str), Some("blue"));
    assert_eq!(
        metadata.get("mixed-case").map(String::as_str),
        Some("Value With Spaces")
    );
    assert_eq!(metadata.len(), 2, "{metadata:?}");
    assert!(got.last_modified().is_some());
    assert_eq!(body_bytes(got.body).await, body);

    let head = ok(s3
        .head_object()
        .bucket("objects")
        .key("dir/file.txt")
        .send()
        .await);
    assert_eq!(head.content_type(), Some("text/plain; charset=utf-8"));
    assert_eq!(head.cache_control(), Some("max-age=60"));
    assert_eq!(head.content_length(), Some(36));
    assert_eq!(head.e_tag(), Some(etag.as_str()));
    assert_eq!(
        head.metadata()
            .and_then(|m| m.get("color"))
            .map(String::as_str),
        Some("blue")
    );

    // A range: 206 with Content-Range; a suffix range; an unsatisfiable one.
    let capture = Capture::default();
    let ranged = ok(s3
        .get_object()
        .bucket("objects")
        .key("dir/file.txt")
        .range("bytes=2-5")
        .customize()
        .interceptor(capture.clone())
        .send()
        .await);
    let seen = capture.seen();
    assert_eq!(seen.status, Some(206));
    assert_eq!(seen.response_header("content-range"), Some("bytes 2-5/36"));
    assert_eq!(seen.response_header("accept-ranges"), Some("bytes"));
    assert_eq!(ranged.content_range(), Some("bytes 2-5/36"));
    assert_eq!(ranged.content_length(), Some(4));
    assert_eq!(body_bytes(ranged.body).await, b"2345");
    let suffix = ok(s3
        .get_object()
        .bucket("objects")
        .key("dir/file.txt")
        .range("bytes=-3")
        .send()
        .await);
    assert_eq!(suffix.content_range(), Some("bytes 33-35/36"));
    assert_eq!(body_bytes(suffix.body).await, b"xyz");
    let e = assert_error(
        s3.get_object()
            .bucket("objects")
            .key("dir/file.txt")
            .range("bytes=100-200")
            .send()
            .await,
        "InvalidRange",
        "The requested range is not satisfiable",
    );
    assert_eq!(e.status, 416);

    // Conditional reads: a matching If-None-Match is 304 (no body, so no error code), a
    // mismatching If-Match is 412; the opposite ones read the object.
    let not_modified = s3
        .get_object()
        .bucket("objects")
        .key("dir/file.txt")
        .if_none_match(&etag)
        .send()
        .await;
    match not_modified {
        Err(e) => {
            let status = e.raw_response().map(|r| r.status().as_u16());
            assert_eq!(status, Some(304), "{e:?}");
            assert!(
                e.raw_response()
                    .is_some_and(|r| r.body().bytes().is_none_or(<[u8]>::is_empty)),
                "a 304 has no body"
            );
        }
        Ok(out) => panic!("expected 304 Not Modified, got {out:?}"),
    }
    let e = assert_error(
        s3.get_object()
            .bucket("objects")
            .key("dir/file.txt")
            .if_match("\"00000000000000000000000000000000\"")
            .send()
            .await,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    );
    assert_eq!(e.status, 412);
    let matched = ok(s3
        .get_object()
        .bucket("objects")
        .key("dir/file.txt")
        .if_match(&etag)
        .if_none_match("\"00000000000000000000000000000000\"")
        .send()
        .await);
    assert_eq!(body_bytes(matched.body).await, body);
    // HEAD has no body to carry a code: the status says it.
    let failed = s3
        .head_object()
        .bucket("objects")
        .key("dir/file.txt")
        .if_match("\"00000000000000000000000000000000\"")
        .send()
        .await;
    assert_eq!(error_status(failed), 412);
    let not_modified = s3
        .head_object()
        .bucket("objects")
        .key("dir/file.txt")
        .if_none_match(&etag)
        .send()
        .await;
    assert_eq!(error_status(not_modified), 304);

    // CopyObject: metadata copied by default, replaced with REPLACE; the ETag is the MD5.
    let copied = ok(s3
        .copy_object()
        .bucket("objects")
        .key("copy/one.txt")
        .copy_source("objects/dir/file.txt")
        .send()
        .await);
    assert_eq!(
        copied.copy_object_result().and_then(|r| r.e_tag()),
        Some(etag.as_str())
    );
    let head = ok(s3
        .head_object()
        .bucket("objects")
        .key("copy/one.txt")
        .send()
        .await);
    assert_eq!(head.content_type(), Some("text/plain; charset=utf-8"));
    assert_eq!(
        head.metadata()
            .and_then(|m| m.get("color"))
            .map(String::as_str),
        Some("blue")
    );
    ok(s3
        .copy_object()
        .bucket("objects")
        .key("copy/two.bin")
        .copy_source("objects/dir/file.txt")
        .metadata_directive(MetadataDirective::Replace)
        .content_type("application/octet-stream")
        .metadata("shape", "round")
        .send()
        .await);
    let two = ok(s3
        .get_object()
        .bucket("objects")
        .key("copy/two.bin")
        .send()
        .await);
    assert_eq!(two.content_type(), Some("application/octet-stream"));
    let metadata = two.metadata().cloned().unwrap_or_default();
    assert_eq!(
        metadata.into_iter().collect::<Vec<_>>(),
        [("shape".to_owned(), "round".to_owned())]
    );
    assert_eq!(body_bytes(two.body).await, body);
    let e = assert_error(
        s3.copy_object()
            .bucket("objects")
            .key("dir/file.txt")
            .copy_source("objects/dir/file.txt")
            .send()
            .await,
        "InvalidRequest",
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
    assert_eq!(e.status, 400);

    // CopyObject's source conditions.
    let e = assert_error(
        s3.copy_object()
            .bucket("objects")
            .key("copy/three.txt")
            .copy_source("objects/dir/file.txt")
            .copy_source_if_match("\"00000000000000000000000000000000\"")
            .send()
            .await,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    );
    assert_eq!(e.status, 412);
    let e = assert_error(
        s3.copy_object()
            .bucket("objects")
            .key("copy/three.txt")
            .copy_source("objects/dir/file.txt")
            .copy_source_if_none_match(&etag)
            .send()
            .await,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    );
    assert_eq!(e.status, 412);
    let e = api_error(
        s3.head_object()
            .bucket("objects")
            .key("copy/three.txt")
            .send()
            .await,
    );
    assert_eq!((e.code.as_str(), e.status), ("NotFound", 404));
    ok(s3
        .copy_object()
        .bucket("objects")
        .key("copy/three.txt")
        .copy_source("objects/dir/file.txt")
        .copy_source_if_match(&etag)
        .send()
        .await);

    // Conditional writes: If-None-Match: * refuses to overwrite, If-Match must match.
    let e = assert_error(
        s3.put_object()
            .bucket("objects")
            .key("copy/three.txt")
            .if_none_match("*")
            .body(ByteStream::from_static(b"overwrite"))
            .send()
            .await,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    );
    assert_eq!(e.status, 412);
    let e = assert_error(
        s3.put_object()
            .bucket("objects")
            .key("copy/three.txt")
            .if_match("\"00000000000000000000000000000000\"")
            .body(ByteStream::from_static(b"overwrite"))
            .send()
            .await,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    );
    assert_eq!(e.status, 412);
    ok(s3
        .put_object()
        .bucket("objects")
        .key("copy/new.txt")
        .if_none_match("*")
        .body(ByteStream::from_static(b"new"))
        .send()
        .await);
    ok(s3
        .delete_object()
        .bucket("objects")
        .key("copy/new.txt")
        .send()
        .await);
    ok(s3
        .delete_object()
        .bucket("objects")
        .key("copy/three.txt")
        .send()
        .await);

    // Dates: If-Modified-Since in the future is 304, If-Unmodified-Since in the past 412.
    let past = aws_sdk_s3::primitives::DateTime::from_secs(1_000_000_000);
    let future = aws_sdk_s3::primitives::DateTime::from_secs(4_000_000_000);
    let not_modified = s3
        .get_object()
        .bucket("objects")
        .key("dir/file.txt")
        .if_modified_since(future)
        .send()
        .await;
    assert_eq!(error_status(not_modified), 304);
    let e = assert_error(
        s3.get_object()
            .bucket("objects")
            .key("dir/file.txt")
            .if_unmodified_since(past)
            .send()
            .await,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    );
    assert_eq!(e.status, 412);
    let modified = ok(s3
        .get_object()
        .bucket("objects")
        .key("dir/file.txt")
        .if_modified_since(past)
        .if_unmodified_since(future)
        .send()
        .await);
    assert_eq!(body_bytes(modified.body).await, body);

    // Response header overrides (as presigned download links use them).
    let overridden = ok(s3
        .get_object()
        .bucket("objects")
        .key("dir/file.txt")
        .response_content_type("application/json")
        .response_content_disposition("attachment; filename=\"x.json\"")
        .response_cache_control("no-store")
        .send()
        .await);
    assert_eq!(overridden.content_type(), Some("application/json"));
    assert_eq!(
        overridden.content_disposition(),
        Some("attachment; filename=\"x.json\"")
    );
    assert_eq!(overridden.cache_control(), Some("no-store"));

    // Another account sees neither the object nor whether it exists (HEAD: a bare 403).
    let denied = server
        .root_s3(DEV)
        .head_object()
        .bucket("objects")
        .key("dir/file.txt")
        .send()
        .await;
    assert_eq!(error_status(denied), 403);
    assert_error(
        server
            .root_s3(DEV)
            .get_object()
            .bucket("objects")
            .key("no/such/key")
            .send()
            .await,
        "AccessDenied",
        "Access Denied",
    );

    // DeleteObject, then the key is gone (NoSuchKey for a caller who may list).
    ok(s3
        .delete_object()
        .bucket("objects")
        .key("copy/one.txt")
        .send()
        .await);
    let e = assert_error(
        s3.get_object()
            .bucket("objects")
            .key("copy/one.txt")
            .send()
            .await,
        "NoSuchKey",
        "The specified key does not exist.",
    );
    assert_eq!(e.status, 404);
    // Deleting a missing key succeeds.
    ok(s3
        .delete_object()
        .bucket("objects")
        .key("copy/one.txt")
        .send()
        .await);

    // DeleteObjects: every key reported deleted, a missing one too.
    let identifiers = ["dir/file.txt", "copy/two.bin", "never/existed"]
        .into_iter()
        .map(|k| ObjectIdentifier::builder().key(k).build().expect("a key"))
        .collect::<Vec<_>>();
    let deleted = ok(s3
        .delete_objects()
        .bucket("objects")
        .delete(
            Delete::builder()
                .set_objects(Some(identifiers))
                .build()
                .expect("objects"),
        )
        .send()
        .await);
    let keys: BTreeSet<&str> = deleted.deleted().iter().filter_map(|d| d.key()).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["copy/two.bin", "dir/file.txt", "never/existed"])
    );
    assert!(deleted.errors().is_empty(), "{:?}", deleted.errors());
    let listed = ok(s3.list_objects_v2().bucket("objects").send().await);
    assert_eq!(listed.key_count(), Some(0));
    assert!(listed.contents().is_empty());
}

/// The keys of the listing test: byte order and locale order disagree on several of them.
const LIST_KEYS: [&str; 31] = [
    "A",
    "B",
    "Z",
    "_under",
    "a",
    "a-b",
    "a.b",
    "a/b",
    "a/c",
    "a/d/e",
    "a/d/f",
    "a0",
    "a~",
    "b",
    "b/1",
    "b/2",
    "c d",
    "c+d",
    "caf",
    "café",
    "é",
    "éa",
    "z",
    "zz",
    "0",
    "9",
    "~",
    "photos/2024/feb.jpg",
    "photos/2024/jan.jpg",
    "photos/2025/mar.jpg",
    "photos/readme",
];

/// Pages through `ListObjectsV2` with `max_keys` per page; returns the keys and common
/// prefixes in the order they came, checking each page's counts.
async fn list_all(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: Option<&str>,
    delimiter: Option<&str>,
    max_keys: i32,
) -> (Vec<String>, Vec<String>, usize) {
    let mut keys = Vec::new();
    let mut prefixes = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = ok(s3
            .list_objects_v2()
            .bucket(bucket)
            .set_prefix(prefix.map(str::to_owned))
            .set_delimiter(delimiter.map(str::to_owned))
            .max_keys(max_keys)
            .set_continuation_token(token.clone())
            .send()
            .await);
        pages += 1;
        assert!(pages < 100, "the listing does not end");
        let here = page.contents().len() + page.common_prefixes().len();
        assert_eq!(page.key_count(), Some(i32::try_from(here).unwrap()));
        assert_eq!(page.max_keys(), Some(max_keys));
        assert_eq!(page.continuation_token(), token.as_deref());
        assert!(here <= usize::try_from(max_keys).unwrap());
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_owned)),
        );
        prefixes.extend(
            page.common_prefixes()
                .iter()
                .filter_map(|p| p.prefix().map(str::to_owned)),
        );
        if page.is_truncated() == Some(true) {
            assert_eq!(here, usize::try_from(max_keys).unwrap());
            token = Some(
                page.next_continuation_token()
                    .expect("a truncated page has a continuation token")
                    .to_owned(),
            );
        } else {
            assert!(page.next_continuation_token().is_none());
            break;
        }
    }
    (keys, prefixes, pages)
}

/// What a listing with `prefix` and `delimiter` must return: keys and common prefixes, each in
/// byte order.
fn expected_listing(prefix: &str, delimiter: Option<&str>) -> (Vec<String>, Vec<String>) {
    let mut keys = Vec::new();
    let mut prefixes = BTreeSet::new();
    for k in LIST_KEYS.iter().filter(|k| k.starts_with(prefix)) {
        let rest = &k[prefix.len()..];
        match delimiter.and_then(|d| rest.find(d).map(|i| i + d.len())) {
            Some(end) => {
                prefixes.insert(format!("{prefix}{}", &rest[..end]));
            }
            None => keys.push((*k).to_owned()),
        }
    }
    // `String`'s order is byte order.
    keys.sort();
    (keys, prefixes.into_iter().collect())
}

#[tokio::test]
async fn list_objects_v2_pages_in_byte_order() {
    let server = Server::start();
    let s3 = server.root_s3(PROD);
    create_bucket(&s3, "listing").await;
    for k in LIST_KEYS {
        put(&s3, "listing", k, k.as_bytes()).await;
    }

    // Byte order is not locale order: "A" < "_under" < "a" < "a-b" < "a/b" < "a0" < "é".
    let mut sorted: Vec<String> = LIST_KEYS.iter().map(|k| (*k).to_owned()).collect();
    sorted.sort();
    let position = |k: &str| sorted.iter().position(|s| s == k).unwrap();
    assert!(position("A") < position("_under"));
    assert!(position("a-b") < position("a/b") && position("a/b") < position("a0"));
    assert!(position("zz") < position("é"));

    // Everything, 7 keys a page: each key exactly once, in byte order.
    let (keys, prefixes, pages) = list_all(&s3, "listing", None, None, 7).await;
    assert_eq!(keys, sorted);
    assert!(prefixes.is_empty());
    assert_eq!(pages, LIST_KEYS.len().div_ceil(7));

    // One page holds everything.
    let (keys, _, pages) = list_all(&s3, "listing", None, None, 1000).await;
    assert_eq!((keys, pages), (sorted.clone(), 1));

    // With a delimiter, 4 entries a page: common prefixes roll up and span pages.
    let (keys, prefixes, _) = list_all(&s3, "listing", None, Some("/"), 4).await;
    let (want_keys, want_prefixes) = expected_listing("", Some("/"));
    assert_eq!(want_prefixes, ["a/", "b/", "photos/"]);
    assert_eq!(keys, want_keys);
    assert_eq!(prefixes, want_prefixes);
    for (max, prefix) in [(1, "a"), (2, "a/"), (1, "photos/"), (3, "photos/2024/")] {
        let (keys, prefixes, _) = list_all(&s3, "listing", Some(prefix), Some("/"), max).await;
        let (want_keys, want_prefixes) = expected_listing(prefix, Some("/"));
        assert_eq!((&keys, &prefixes), (&want_keys, &want_prefixes), "{prefix}");
    }
    let (keys, prefixes, _) = list_all(&s3, "listing", Some("photos/"), Some("/"), 1000).await;
    assert_eq!(keys, ["photos/readme"]);
    assert_eq!(prefixes, ["photos/2024/", "photos/2025/"]);

    // A prefix without a delimiter, paged one key at a time.
    let (keys, _, pages) = list_all(&s3, "listing", Some("a"), None, 1).await;
    let (want_keys, _) = expected_listing("a", None);
    assert_eq!(keys, want_keys);
    assert_eq!(pages, want_keys.len());

    // StartAfter starts strictly after the key, in byte order.
    let after = ok(s3
        .list_objects_v2()
        .bucket("listing")
        .start_after("zz")
        .send()
        .await);
    let keys: Vec<&str> = after.contents().iter().filter_map(|o| o.key()).collect();
    let want: Vec<&str> = sorted
        .iter()
        .map(String::as_str)
        .filter(|k| *k > "zz")
        .collect();
    assert_eq!(want, ["~", "é", "éa"]);
    assert_eq!(keys, want);

    // Keys that need escaping in a path read back as written; a copy source is URL-encoded.
    for k in ["c d", "c+d", "é", "café", "a~", "photos/2024/jan.jpg"] {
        let got = ok(s3.get_object().bucket("listing").key(k).send().await);
        assert_eq!(body_bytes(got.body).await, k.as_bytes(), "{k}");
    }
    let e = assert_error(
        s3.copy_object()
            .bucket("listing")
            .key("copies/c+d é")
            .copy_source("listing/c%2Bd%20%C3%A9")
            .send()
            .await,
        "NoSuchKey",
        "The specified key does not exist.",
    );
    assert_eq!(e.status, 404);
    ok(s3
        .copy_object()
        .bucket("listing")
        .key("copies/c+d é")
        .copy_source("listing/caf%C3%A9")
        .send()
        .await);
    let got = ok(s3
        .get_object()
        .bucket("listing")
        .key("copies/c+d é")
        .send()
        .await);
    assert_eq!(body_bytes(got.body).await, "café".as_bytes());
    ok(s3
        .delete_object()
        .bucket("listing")
        .key("copies/c+d é")
        .send()
        .await);

    // Keys and sizes as stored.
    let listed = ok(s3
        .list_objects_v2()
        .bucket("listing")
        .prefix("é")
        .send()
        .await);
    let objects: Vec<(&str, i64)> = listed
        .contents()
        .iter()
        .map(|o| (o.key().unwrap(), o.size().unwrap()))
        .collect();
    assert_eq!(objects, [("é", 2), ("éa", 3)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_upload_of_100_mib_and_part_operations() {
    let server = Server::start();
    let s3 = server.root_s3(PROD);
    create_bucket(&s3, "multi").await;
    let total = 100 * MIB;
    let part_size = 15 * MIB;
    let object = data(total, 0x5eed_1234_abcd_0001);
    let parts: Vec<Bytes> = (0..total)
        .step_by(part_size)
        .map(|start| object.slice(start..(start + part_size).min(total)))
        .collect();
    assert_eq!(parts.len(), 7, "six parts of 15 MiB and a 10 MiB remainder");
    // The digests take seconds in a debug build: the whole object's SHA-256 is computed while
    // the parts upload, each part's MD5 once.
    let expected_sha256 = tokio::task::spawn_blocking({
        let object = object.clone();
        move || sha256_hex(&object)
    });
    let part_md5s: Vec<[u8; 16]> = parts.iter().map(|p| md5(p)).collect();

    let created = ok(s3
        .create_multipart_upload()
        .bucket("multi")
        .key("big.bin")
        .content_type("application/x-big")
        .metadata("kind", "multipart")
        .send()
        .await);
    let upload_id = created.upload_id().expect("an upload id").to_owned();
    assert_eq!(created.bucket(), Some("multi"));
    assert_eq!(created.key(), Some("big.bin"));

    let mut completed = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let number = i32::try_from(i + 1).unwrap();
        let out = ok(s3
            .upload_part()
            .bucket("multi")
            .key("big.bin")
            .upload_id(&upload_id)
            .part_number(number)
            .body(ByteStream::from(part.clone()))
            .send()
            .await);
        let etag = out.e_tag().expect("UploadPart returns an ETag").to_owned();
        assert_eq!(etag, format!("\"{}\"", hex::encode(part_md5s[i])));
        completed.push(
            CompletedPart::builder()
                .part_number(number)
                .e_tag(etag)
                .build(),
        );
    }

    // ListParts, then ListMultipartUploads, while the upload is open.
    let listed = ok(s3
        .list_parts()
        .bucket("multi")
        .key("big.bin")
        .upload_id(&upload_id)
        .send()
        .await);
    let seen: Vec<(i32, i64, String)> = listed
        .parts()
        .iter()
        .map(|p| {
            (
                p.part_number().unwrap(),
                p.size().unwrap(),
                p.e_tag().unwrap().to_owned(),
            )
        })
        .collect();
    let want: Vec<(i32, i64, String)> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                i32::try_from(i + 1).unwrap(),
                i64::try_from(p.len()).unwrap(),
                format!("\"{}\"", hex::encode(part_md5s[i])),
            )
        })
        .collect();
    assert_eq!(seen, want);
    assert_eq!(listed.is_truncated(), Some(false));
    let page = ok(s3
        .list_parts()
        .bucket("multi")
        .key("big.bin")
        .upload_id(&upload_id)
        .max_parts(3)
        .part_number_marker("2")
        .send()
        .await);
    let numbers: Vec<i32> = page
        .parts()
        .iter()
        .filter_map(aws_sdk_s3::types::Part::part_number)
        .collect();
    assert_eq!(numbers, [3, 4, 5]);
    assert_eq!(page.is_truncated(), Some(true));
    assert_eq!(page.next_part_number_marker(), Some("5"));

    let other = ok(s3
        .create_multipart_upload()
        .bucket("multi")
        .key("abandoned.bin")
        .send()
        .await)
    .upload_id()
    .expect("an upload id")
    .to_owned();
    let uploads = ok(s3.list_multipart_uploads().bucket("multi").send().await);
    let open: Vec<(&str, &str)> = uploads
        .uploads()
        .iter()
        .map(|u| (u.key().unwrap(), u.upload_id().unwrap()))
        .collect();
    assert_eq!(
        open,
        [
            ("abandoned.bin", other.as_str()),
            ("big.bin", upload_id.as_str())
        ]
    );

    // Complete: the ETag is the MD5 of the parts' MD5s with the part count.
    let done = ok(s3
        .complete_multipart_upload()
        .bucket("multi")
        .key("big.bin")
        .upload_id(&upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(completed))
                .build(),
        )
        .send()
        .await);
    let etag = multipart_etag(&part_md5s);
    assert_eq!(done.e_tag(), Some(etag.as_str()));
    assert!(etag.ends_with("-7\""), "{etag}");

    // GetObject streams the 100 MiB back, byte for byte.
    let got = ok(s3.get_object().bucket("multi").key("big.bin").send().await);
    assert_eq!(got.content_length(), Some(i64::try_from(total).unwrap()));
    assert_eq!(got.e_tag(), Some(etag.as_str()));
    assert_eq!(got.content_type(), Some("application/x-big"));
    assert_eq!(
        got.metadata()
            .and_then(|m| m.get("kind"))
            .map(String::as_str),
        Some("multipart")
    );
    let mut body = got.body;
    let mut hasher = Sha256::new();
    let mut received = 0;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.expect("the body streams");
        assert_eq!(
            chunk.as_ref(),
            &object[received..received + chunk.len()],
            "bytes differ at offset {received}"
        );
        hasher.update(&chunk);
        received += chunk.len();
    }
    assert_eq!(received, total);
    assert_eq!(
        hex::encode(hasher.finalize()),
        expected_sha256.await.expect("the digest task ends")
    );
    let uploads = ok(s3.list_multipart_uploads().bucket("multi").send().await);
    assert_eq!(uploads.uploads().len(), 1, "the completed upload is gone");
    let e = assert_error(
        s3.list_parts()
            .bucket("multi")
            .key("big.bin")
            .upload_id(&upload_id)
            .send()
            .await,
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    );
    assert_eq!(e.status, 404);

    // Abort: the upload and its parts are gone.
    ok(s3
        .upload_part()
        .bucket("multi")
        .key("abandoned.bin")
        .upload_id(&other)
        .part_number(1)
        .body(ByteStream::from_static(b"some bytes"))
        .send()
        .await);
    ok(s3
        .abort_multipart_upload()
        .bucket("multi")
        .key("abandoned.bin")
        .upload_id(&other)
        .send()
        .await);
    let no_such_upload = "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.";
    let e = assert_error(
        s3.list_parts()
            .bucket("multi")
            .key("abandoned.bin")
            .upload_id(&other)
            .send()
            .await,
        "NoSuchUpload",
        no_such_upload,
    );
    assert_eq!(e.status, 404);
    assert_error(
        s3.upload_part()
            .bucket("multi")
            .key("abandoned.bin")
            .upload_id(&other)
            .part_number(2)
            .body(ByteStream::from_static(b"more"))
            .send()
            .await,
        "NoSuchUpload",
        no_such_upload,
    );
    assert_error(
        s3.abort_multipart_upload()
            .bucket("multi")
            .key("abandoned.bin")
            .upload_id(&other)
            .send()
            .await,
        "NoSuchUpload",
        no_such_upload,
    );
    assert!(
        ok(s3.list_multipart_uploads().bucket("multi").send().await)
            .uploads()
            .is_empty()
    );

    // Every part but the last must be at least 5 MiB.
    let small = ok(s3
        .create_multipart_upload()
        .bucket("multi")
        .key("small.bin")
        .send()
        .await)
    .upload_id()
    .unwrap()
    .to_owned();
    let mut small_parts = Vec::new();
    for n in 1..=2 {
        let out = ok(s3
            .upload_part()
            .bucket("multi")
            .key("small.bin")
            .upload_id(&small)
            .part_number(n)
            .body(ByteStream::from(data(1024, 7)))
            .send()
            .await);
        small_parts.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(out.e_tag().unwrap())
                .build(),
        );
    }
    let e = assert_error(
        s3.complete_multipart_upload()
            .bucket("multi")
            .key("small.bin")
            .upload_id(&small)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(small_parts))
                    .build(),
            )
            .send()
            .await,
        "EntityTooSmall",
        "Your proposed upload is smaller than the minimum allowed object size.",
    );
    assert_eq!(e.status, 400);
    let e = api_error(
        s3.head_object()
            .bucket("multi")
            .key("small.bin")
            .send()
            .await,
    );
    assert_eq!((e.code.as_str(), e.status), ("NotFound", 404));

    // UploadPartCopy with ranges of the big object: 5 MiB from its start, then 1 KiB from
    // 10 MiB on.
    let copy_id = ok(s3
        .create_multipart_upload()
        .bucket("multi")
        .key("assembled.bin")
        .send()
        .await)
    .upload_id()
    .unwrap()
    .to_owned();
    let first = object.slice(0..5 * MIB);
    let second = object.slice(10 * MIB..10 * MIB + 1024);
    let mut copied_parts = Vec::new();
    for (n, range, piece) in [
        (1, format!("bytes=0-{}", 5 * MIB - 1), &first),
        (
            2,
            format!("bytes={}-{}", 10 * MIB, 10 * MIB + 1023),
            &second,
        ),
    ] {
        let out = ok(s3
            .upload_part_copy()
            .bucket("multi")
            .key("assembled.bin")
            .upload_id(&copy_id)
            .part_number(n)
            .copy_source("multi/big.bin")
            .copy_source_range(range)
            .send()
            .await);
        let etag = out
            .copy_part_result()
            .and_then(|r| r.e_tag())
            .expect("UploadPartCopy returns an ETag")
            .to_owned();
        assert_eq!(etag, format!("\"{}\"", hex::encode(md5(piece))));
        copied_parts.push(CompletedPart::builder().part_number(n).e_tag(etag).build());
    }
    let e = assert_error(
        s3.upload_part_copy()
            .bucket("multi")
            .key("assembled.bin")
            .upload_id(&copy_id)
            .part_number(3)
            .copy_source("multi/big.bin")
            .copy_source_range(format!("bytes={}-{}", total, total + 10))
            .send()
            .await,
        "InvalidArgument",
        "Range specified is not valid for source object of size: 104857600",
    );
    assert_eq!(e.status, 400);
    let e = assert_error(
        s3.upload_part_copy()
            .bucket("multi")
            .key("assembled.bin")
            .upload_id(&copy_id)
            .part_number(3)
            .copy_source("multi/big.bin")
            .copy_source_if_none_match(&etag)
            .send()
            .await,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    );
    assert_eq!(e.status, 412);
    let done = ok(s3
        .complete_multipart_upload()
        .bucket("multi")
        .key("assembled.bin")
        .upload_id(&copy_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(copied_parts))
                .build(),
        )
        .send()
        .await);
    assert_eq!(
        done.e_tag(),
        Some(multipart_etag(&[md5(&first), md5(&second)]).as_str())
    );
    let got = ok(s3
        .get_object()
        .bucket("multi")
        .key("assembled.bin")
        .send()
        .await);
    let bytes = body_bytes(got.body).await;
    assert_eq!(bytes.len(), 5 * MIB + 1024);
    assert_eq!(&bytes[..5 * MIB], first.as_ref());
    assert_eq!(&bytes[5 * MIB..], second.as_ref());
}

/// The base64 checksum of `data` with `algorithm`, as the SDK computes it.
fn checksum_of(algorithm: &ChecksumAlgorithm, data: &[u8]) -> String {
    let algorithm: aws_smithy_checksums::ChecksumAlgorithm = algorithm
        .as_str()
        .parse()
        .expect("the SDK knows its algorithms");
    let mut checksum = algorithm.into_impl();
    checksum.update(data);
    checksum
        .header_value()
        .to_str()
        .expect("base64 is ASCII")
        .to_owned()
}

/// The checksum of `algorithm` in a `GetObject` answer.
fn get_checksum<'a>(
    out: &'a aws_sdk_s3::operation::get_object::GetObjectOutput,
    algorithm: &ChecksumAlgorithm,
) -> Option<&'a str> {
    match algorithm {
        ChecksumAlgorithm::Crc32 => out.checksum_crc32(),
        ChecksumAlgorithm::Crc32C => out.checksum_crc32_c(),
        ChecksumAlgorithm::Crc64Nvme => out.checksum_crc64_nvme(),
        ChecksumAlgorithm::Sha1 => out.checksum_sha1(),
        ChecksumAlgorithm::Sha256 => out.checksum_sha256(),
        other => panic!("unexpected algorithm {other:?}"),
    }
}

/// The checksum of `algorithm` in a `PutObject` answer.
fn put_checksum<'a>(
    out: &'a aws_sdk_s3::operation::put_object::PutObjectOutput,
    algorithm: &ChecksumAlgorithm,
) -> Option<&'a str> {
    match algorithm {
        ChecksumAlgorithm::Crc32 => out.checksum_crc32(),
        ChecksumAlgorithm::Crc32C => out.checksum_crc32_c(),
        ChecksumAlgorithm::Crc64Nvme => out.checksum_crc64_nvme(),
        ChecksumAlgorithm::Sha1 => out.checksum_sha1(),
        ChecksumAlgorithm::Sha256 => out.checksum_sha256(),
        other => panic!("unexpected algorithm {other:?}"),
    }
}

#[tokio::test]
async fn flexible_checksums_in_headers_and_trailers() {
    let server = Server::start();
    let s3 = server.root_s3(PROD);
    create_bucket(&s3, "sums").await;
    let content = data(300 * 1024, 42);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("body.bin");
    std::fs::write(&path, &content).expect("body written");

    for algorithm in [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32C,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
        ChecksumAlgorithm::Crc64Nvme,
    ] {
        let name = algorithm.as_str().to_lowercase();
        let expected = checksum_of(&algorithm, &content);

        // A streaming body (from a file): the SDK sends aws-chunked with a trailing checksum.
        let key = format!("trailer-{name}");
        let capture = Capture::default();
        let out = ok(s3
            .put_object()
            .bucket("sums")
            .key(&key)
            .checksum_algorithm(algorithm.clone())
            .body(ByteStream::from_path(&path).await.expect("the file opens"))
            .customize()
            .interceptor(capture.clone())
            .send()
            .await);
        let sent = capture.seen();
        // What the SDK actually sent (visible with `-- --nocapture`).
        let shown: Vec<&(String, String)> = sent
            .request
            .iter()
            .filter(|(k, _)| {
                k.starts_with("x-amz-") && k != "x-amz-user-agent" || k == "content-encoding"
            })
            .collect();
        eprintln!("PutObject {name} (streaming body) sent {shown:?}");
        assert_eq!(
            sent.request_header("x-amz-trailer"),
            Some(format!("x-amz-checksum-{name}").as_str()),
            "the SDK sends a trailing checksum"
        );
        assert_eq!(sent.request_header("content-encoding"), Some("aws-chunked"));
        // Over plain HTTP the SDK signs every chunk and the trailer.
        assert_eq!(
            sent.request_header("x-amz-content-sha256"),
            Some("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
        );
        assert_eq!(
            sent.request_header("x-amz-decoded-content-length"),
            Some(content.len().to_string().as_str())
        );
        assert_eq!(put_checksum(&out, &algorithm), Some(expected.as_str()));
        assert_eq!(
            out.e_tag(),
            Some(format!("\"{}\"", hex::encode(md5(&content))).as_str())
        );

        // An in-memory body: the checksum travels in a header.
        let header_key = format!("header-{name}");
        let capture = Capture::default();
        let out = ok(s3
            .put_object()
            .bucket("sums")
            .key(&header_key)
            .checksum_algorithm(algorithm.clone())
            .body(ByteStream::from(content.clone()))
            .customize()
            .interceptor(capture.clone())
            .send()
            .await);
        let sent = capture.seen();
        assert_eq!(
            sent.request_header(&format!("x-amz-checksum-{name}")),
            Some(expected.as_str())
        );
        assert_eq!(sent.request_header("x-amz-trailer"), None);
        assert_eq!(put_checksum(&out, &algorithm), Some(expected.as_str()));

        // GetObject with ChecksumMode::Enabled returns the stored value (and the SDK checks the
        // body against it).
        for k in [&key, &header_key] {
            let got = ok(s3
                .get_object()
                .bucket("sums")
                .key(k)
                .checksum_mode(ChecksumMode::Enabled)
                .send()
                .await);
            assert_eq!(
                get_checksum(&got, &algorithm),
                Some(expected.as_str()),
                "{k}"
            );
            assert_eq!(body_bytes(got.body).await, content.as_ref(), "{k}");
            let head = ok(s3
                .head_object()
                .bucket("sums")
                .key(k)
                .checksum_mode(ChecksumMode::Enabled)
                .send()
                .await);
            let value = match algorithm {
                ChecksumAlgorithm::Crc32 => head.checksum_crc32(),
                ChecksumAlgorithm::Crc32C => head.checksum_crc32_c(),
                ChecksumAlgorithm::Crc64Nvme => head.checksum_crc64_nvme(),
                ChecksumAlgorithm::Sha1 => head.checksum_sha1(),
                _ => head.checksum_sha256(),
            };
            assert_eq!(value, Some(expected.as_str()), "{k}");
        }
    }

    // Unsigned chunks with a trailing checksum (what the SDKs send over HTTPS): the trailer is
    // verified; a wrong one is BadDigest and stores nothing.
    let small = data(70 * 1024, 9);
    let root = Keys::root(PROD);
    for algorithm in [ChecksumAlgorithm::Crc32C, ChecksumAlgorithm::Sha256] {
        let name = algorithm.as_str().to_lowercase();
        let right = checksum_of(&algorithm, &small);
        let (status, body) = put_with_unsigned_trailer(
            &server,
            &root,
            &format!("/sums/unsigned-{name}"),
            &small,
            &name,
            &right,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let got = ok(s3
            .get_object()
            .bucket("sums")
            .key(format!("unsigned-{name}"))
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await);
        assert_eq!(get_checksum(&got, &algorithm), Some(right.as_str()));
        assert_eq!(body_bytes(got.body).await, small.as_ref());

        let wrong = checksum_of(&algorithm, b"something else");
        let (status, body) = put_with_unsigned_trailer(
            &server,
            &root,
            &format!("/sums/unsigned-bad-{name}"),
            &small,
            &name,
            &wrong,
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("<Code>BadDigest</Code>"), "{body}");
        assert!(
            body.contains(&format!(
                "<Message>The {} you specified did not match the calculated checksum.</Message>",
                name.to_uppercase()
            )),
            "{body}"
        );
        let e = api_error(
            s3.head_object()
                .bucket("sums")
                .key(format!("unsigned-bad-{name}"))
                .send()
                .await,
        );
        assert_eq!((e.code.as_str(), e.status), ("NotFound", 404));
    }

    // A wrong checksum supplied explicitly: BadDigest, and nothing is stored.
    let e = assert_error(
        s3.put_object()
            .bucket("sums")
            .key("bad")
            .checksum_crc32("AAAAAA==")
            .body(ByteStream::from_static(b"hello world"))
            .send()
            .await,
        "BadDigest",
        "The CRC32 you specified did not match the calculated checksum.",
    );
    assert_eq!(e.status, 400);
    let e = api_error(s3.head_object().bucket("sums").key("bad").send().await);
    assert_eq!((e.code.as_str(), e.status), ("NotFound", 404));
    // A wrong Content-MD5 too.
    let e = assert_error(
        s3.put_object()
            .bucket("sums")
            .key("bad")
            .content_md5("1B2M2Y8AsgTpgAmY7PhCfg==")
            .body(ByteStream::from_static(b"hello world"))
            .send()
            .await,
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
    );
    assert_eq!(e.status, 400);
    let listed = ok(s3
        .list_objects_v2()
        .bucket("sums")
        .prefix("bad")
        .send()
        .await);
    assert_eq!(listed.key_count(), Some(0));
}

#[tokio::test]
async fn role_session_other_account_and_anonymous_authorization() {
    let server = Server::start();
    let prod_iam = server.root_iam(PROD);
    let dev_iam = server.root_iam(DEV);
    let prod = server.root_s3(PROD);
    create_bucket(&prod, "prod-bucket").await;
    put(&prod, "prod-bucket", "k", b"the data").await;

    // Role R in prod, trusted by the dev account, may read the bucket.
    ok(prod_iam
        .create_role()
        .role_name("R")
        .assume_role_policy_document(trust("arn:aws:iam::222222222222:root"))
        .send()
        .await);
    let read = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::prod-bucket", "arn:aws:s3:::prod-bucket/*"]
        }]
    });
    ok(prod_iam
        .put_role_policy()
        .role_name("R")
        .policy_name("read")
        .policy_document(read.to_string())
        .send()
        .await);
    let bucket_policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:role/R"},
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::prod-bucket", "arn:aws:s3:::prod-bucket/*"]
        }]
    });
    ok(prod
        .put_bucket_policy()
        .bucket("prod-bucket")
        .policy(bucket_policy.to_string())
        .send()
        .await);

    // A dev user who may assume it, and one who may not.
    let analyst = user_with_keys(&dev_iam, "analyst").await;
    ok(dev_iam
        .put_user_policy()
        .user_name("analyst")
        .policy_name("assume")
        .policy_document(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Resource": "arn:aws:iam::111111111111:role/R"
                }]
            })
            .to_string(),
        )
        .send()
        .await);
    let outsider = user_with_keys(&dev_iam, "outsider").await;

    let assumed = ok(server
        .sts(&analyst)
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/R")
        .role_session_name("session")
        .send()
        .await);
    let session = Keys::from_sts(assumed.credentials());
    assert!(session.id.starts_with("ASIA"), "{}", session.id);
    let as_role = server.s3(&session);

    let got = ok(as_role
        .get_object()
        .bucket("prod-bucket")
        .key("k")
        .send()
        .await);
    assert_eq!(body_bytes(got.body).await, b"the data");
    let listed = ok(as_role.list_objects_v2().bucket("prod-bucket").send().await);
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, ["k"]);
    let e = assert_error(
        as_role
            .put_object()
            .bucket("prod-bucket")
            .key("k")
            .body(ByteStream::from_static(b"overwrite"))
            .send()
            .await,
        "AccessDenied",
        "User: arn:aws:sts::111111111111:assumed-role/R/session is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::prod-bucket/k\" because no identity-based policy allows the s3:PutObject action",
    );
    assert_eq!(e.status, 403);
    // The object is unchanged.
    let got = ok(prod
        .get_object()
        .bucket("prod-bucket")
        .key("k")
        .send()
        .await);
    assert_eq!(body_bytes(got.body).await, b"the data");

    // Session credentials without their token are not valid.
    let tokenless = Keys {
        token: None,
        ..session.clone()
    };
    let e = assert_error(
        server
            .s3(&tokenless)
            .get_object()
            .bucket("prod-bucket")
            .key("k")
            .send()
            .await,
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
    );
    assert_eq!(e.status, 403);

    // A dev user without the role: plain "Access Denied" from another account's bucket.
    let e = assert_error(
        server
            .s3(&outsider)
            .list_objects_v2()
            .bucket("prod-bucket")
            .send()
            .await,
        "AccessDenied",
        "Access Denied",
    );
    assert_eq!(e.status, 403);
    assert_error(
        server
            .s3(&outsider)
            .get_object()
            .bucket("prod-bucket")
            .key("k")
            .send()
            .await,
        "AccessDenied",
        "Access Denied",
    );

    // Anonymous: the SDK without credentials, and a raw unsigned GET.
    let anonymous = server.anonymous_s3();
    let capture = Capture::default();
    let e = assert_error(
        anonymous
            .get_object()
            .bucket("prod-bucket")
            .key("k")
            .customize()
            .interceptor(capture.clone())
            .send()
            .await,
        "AccessDenied",
        "Access Denied",
    );
    assert_eq!(e.status, 403);
    assert_eq!(
        capture.seen().request_header("authorization"),
        None,
        "the anonymous request is unsigned"
    );
    let (status, body) = http_get(&format!("{}/prod-bucket/k", server.endpoint)).await;
    assert_eq!(status, 403);
    assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");
    assert!(body.contains("<Message>Access Denied</Message>"), "{body}");
}

#[tokio::test]
async fn presigned_get_urls() {
    let server = Server::start();
    let s3 = server.root_s3(PROD);
    create_bucket(&s3, "shared").await;
    put(&s3, "shared", "docs/report.txt", b"quarterly numbers").await;

    let presigned = s3
        .get_object()
        .bucket("shared")
        .key("docs/report.txt")
        .presigned(PresigningConfig::expires_in(Duration::from_mins(5)).expect("a valid expiry"))
        .await
        .expect("the request presigns");
    let uri = presigned.uri().to_owned();
    assert!(
        uri.starts_with(&format!("{}/shared/docs/report.txt?", server.endpoint)),
        "{uri}"
    );
    assert!(uri.contains("X-Amz-Signature="), "{uri}");
    let (status, body) = http_get(&uri).await;
    assert_eq!((status, body.as_str()), (200, "quarterly numbers"));

    // Any change to the signature is refused.
    let (head, signature) = uri
        .split_once("X-Amz-Signature=")
        .expect("the URL carries a signature");
    let (sig, rest) = signature.split_at(64);
    let mut altered: Vec<u8> = sig.bytes().collect();
    altered[10] = if altered[10] == b'0' { b'1' } else { b'0' };
    let altered = format!(
        "{head}X-Amz-Signature={}{rest}",
        String::from_utf8(altered).expect("hex")
    );
    let (status, body) = http_get(&altered).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );

    // The same for another object (the signature covers the path).
    let other = uri.replacen("/docs/report.txt?", "/docs/other.txt?", 1);
    let (status, body) = http_get(&other).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );

    // An expired URL is refused.
    let expired = s3
        .get_object()
        .bucket("shared")
        .key("docs/report.txt")
        .presigned(
            PresigningConfig::builder()
                .start_time(std::time::SystemTime::now() - Duration::from_mins(10))
                .expires_in(Duration::from_secs(5))
                .build()
                .expect("a valid expiry"),
        )
        .await
        .expect("the request presigns");
    let (status, body) = http_get(expired.uri()).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");
    assert!(
        body.contains("<Message>Request has expired</Message>"),
        "{body}"
    );

    // A presigned PUT uploads with a plain HTTP client.
    let put_url = s3
        .put_object()
        .bucket("shared")
        .key("uploads/new.txt")
        .content_type("text/plain")
        .presigned(PresigningConfig::expires_in(Duration::from_mins(5)).expect("a valid expiry"))
        .await
        .expect("the request presigns");
    let mut request = http::Request::put(put_url.uri());
    for (name, value) in put_url.headers() {
        request = request.header(name, value);
    }
    let request = request
        .body(Full::new(Bytes::from_static(b"uploaded via URL")))
        .expect("a valid request");
    let (status, _, body) = send_raw(request).await;
    assert_eq!(status, 200, "{body}");
    let got = ok(s3
        .get_object()
        .bucket("shared")
        .key("uploads/new.txt")
        .send()
        .await);
    assert_eq!(got.content_type(), Some("text/plain"));
    assert_eq!(body_bytes(got.body).await, b"uploaded via URL");

    // A presigned URL of a role session carries its token and works too.
    let prod_iam = server.root_iam(PROD);
    ok(prod_iam
        .create_role()
        .role_name("Reader")
        .assume_role_policy_document(trust("arn:aws:iam::111111111111:root"))
        .send()
        .await);
    ok(prod_iam
        .put_role_policy()
        .role_name("Reader")
        .policy_name("read")
        .policy_document(common::allow(&["s3:GetObject"]))
        .send()
        .await);
    let reader = user_with_keys(&prod_iam, "reader").await;
    ok(prod_iam
        .put_user_policy()
        .user_name("reader")
        .policy_name("assume")
        .policy_document(common::allow(&["sts:AssumeRole"]))
        .send()
        .await);
    let assumed = ok(server
        .sts(&reader)
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/Reader")
        .role_session_name("presigner")
        .send()
        .await);
    let session = server.s3(&Keys::from_sts(assumed.credentials()));
    let presigned = session
        .get_object()
        .bucket("shared")
        .key("docs/report.txt")
        .presigned(PresigningConfig::expires_in(Duration::from_mins(1)).expect("a valid expiry"))
        .await
        .expect("the request presigns");
    assert!(
        presigned.uri().contains("X-Amz-Security-Token="),
        "{}",
        presigned.uri()
    );
    let (status, body) = http_get(presigned.uri()).await;
    assert_eq!((status, body.as_str()), (200, "quarterly numbers"));
}
