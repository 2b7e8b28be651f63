//! Where records live in the store: the keys of objects, uploads, parts and object versions.
//!
//! An object is `bucket NUL key`, so a bucket's objects sort by key bytes. A noncurrent version
//! or delete marker is `bucket NUL key NUL order` in the `Versions` table, where `order` is
//! sixteen hex digits of `u64::MAX - seq`, so a key's versions sort newest first right after
//! the key itself.

use crate::model::versioning::order_text;

/// `bucket NUL key`: object keys sort by bucket, then by key bytes.
pub fn object_key(bucket: &str, key: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(bucket.len() + 1 + key.len());
    k.extend_from_slice(bucket.as_bytes());
    k.push(0);
    k.extend_from_slice(key.as_bytes());
    k
}

/// `bucket NUL upload-id`.
pub fn upload_key(bucket: &str, upload_id: &str) -> Vec<u8> {
    object_key(bucket, upload_id)
}

/// `bucket NUL upload-id NUL 00001`.
pub fn part_key(bucket: &str, upload_id: &str, number: u32) -> Vec<u8> {
    let mut k = upload_key(bucket, upload_id);
    k.push(0);
    k.extend_from_slice(format!("{number:05}").as_bytes());
    k
}

/// The bytes that follow a key in its versions' store keys: `NUL` and the order.
const ORDER_SUFFIX: usize = 17;

/// The store key of the version of `key` written at `seq`.
pub fn version_key(bucket: &str, key: &str, seq: u64) -> Vec<u8> {
    let mut k = versions_prefix(bucket, key);
    k.extend_from_slice(order_text(seq).as_bytes());
    k
}

/// The prefix every version of `key` has in the `Versions` table.
pub fn versions_prefix(bucket: &str, key: &str) -> Vec<u8> {
    let mut k = object_key(bucket, key);
    k.push(0);
    k
}

/// The object key part of a `Versions` store key (after `bucket NUL`).
pub fn key_of_version_key(raw: &[u8], bucket: &str) -> String {
    let end = raw.len().saturating_sub(ORDER_SUFFIX);
    String::from_utf8_lossy(raw.get(bucket.len() + 1..end).unwrap_or_default()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_versions_sort_first_and_after_their_key() {
        let (a, b) = (
            crate::model::versioning::next_seq(),
            crate::model::versioning::next_seq(),
        );
        assert!(b > a);
        assert!(version_key("b", "k", b) < version_key("b", "k", a));
        assert!(object_key("b", "k") < version_key("b", "k", b));
        assert!(version_key("b", "k", a) < object_key("b", "k/"));
        assert_eq!(key_of_version_key(&version_key("b", "k/x", a), "b"), "k/x");
    }
}
