//! S3 buckets over HTTP with the AWS SDK for Rust (path-style, us-east-1, plain HTTP): their
//! locations, listings per account, name conflicts and `BucketNotEmpty`.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use common::s3::{create_bucket, put};
use common::{DEV, PROD, Server, api_error, assert_error, ok};

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
