//! S3 multipart uploads over HTTP with the AWS SDK for Rust (path-style, us-east-1, plain
//! HTTP): a 100 MiB object, its `-N` `ETag`, part listings, aborts, `EntityTooSmall` and
//! `UploadPartCopy`.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use bytes::Bytes;
use common::s3::{body_bytes, create_bucket, data, md5};
use common::{PROD, Server, api_error, assert_error, ok};
use sha2::{Digest as _, Sha256};

const MIB: usize = 1024 * 1024;

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The `ETag` S3 gives a multipart object from its parts' MD5s: the MD5 of their
/// concatenation, then `-N`.
fn multipart_etag(part_md5s: &[[u8; 16]]) -> String {
    let all: Vec<u8> = part_md5s.iter().flatten().copied().collect();
    format!("\"{}-{}\"", hex::encode(md5(&all)), part_md5s.len())
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
        "Your proposed upload is smaller than the minimum allowed size",
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
