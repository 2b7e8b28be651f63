//! S3 flexible checksums over HTTP with the AWS SDK for Rust (path-style, us-east-1, plain
//! HTTP): checksums in headers and in aws-chunked trailers, and `BadDigest`.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode};
use bytes::Bytes;
use common::s3::{Capture, body_bytes, create_bucket, data, md5, send_raw};
use common::{Keys, PROD, Server, api_error, assert_error, ok};
use http_body_util::Full;

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
