//! S3 objects over HTTP with the AWS SDK for Rust (path-style, us-east-1, plain HTTP): metadata
//! round trips, ranges, conditional reads, deletes and copies.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use std::collections::BTreeSet;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, MetadataDirective, ObjectIdentifier};
use common::s3::{Capture, body_bytes, create_bucket, md5};
use common::{DEV, PROD, Server, api_error, assert_error, ok};

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
