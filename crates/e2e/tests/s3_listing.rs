//! `ListObjectsV2` over HTTP with the AWS SDK for Rust (path-style, us-east-1, plain HTTP):
//! paging, prefixes and delimiters, in byte order.

#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end scenario reads best as one story"
)]

mod common;

use std::collections::BTreeSet;

use common::s3::{body_bytes, create_bucket, put};
use common::{PROD, Server, assert_error, ok};

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
