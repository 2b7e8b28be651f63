//! Who may use S3 over HTTP with the AWS SDK for Rust (path-style, us-east-1, plain HTTP):
//! authorization of role sessions, other accounts' users and anonymous callers, and presigned
//! URLs fetched with a plain HTTP client.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use std::time::Duration;

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use common::s3::{Capture, body_bytes, create_bucket, put, send_raw};
use common::{DEV, Keys, PROD, Server, assert_error, ok, trust, user_with_keys};
use http_body_util::Full;

/// A GET with a plain HTTP client (no SDK): the status and the body.
async fn http_get(uri: &str) -> (u16, String) {
    let request = http::Request::get(uri)
        .body(Full::default())
        .expect("a valid request");
    let (status, _, body) = send_raw(request).await;
    (status, body)
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
