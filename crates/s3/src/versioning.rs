//! Object versions in the store: a bucket's versioning state, version ids, delete markers, and
//! the `Versions` table, which keeps every version of a key except its current object.
//!
//! The current object of a key stays in `Objects` (what GET, HEAD and `ListObjects` read, so they
//! cost the same on versioned buckets); noncurrent versions and delete markers live in
//! `Versions` under `bucket NUL key NUL order`, where `order` is sixteen hex digits of
//! `u64::MAX - seq`, so a key's versions sort newest first right after the key itself.

use std::sync::atomic::{AtomicU64, Ordering};

use gatehouse_policy::AccountId;
use gatehouse_store::StoreError;
use jiff::Timestamp;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::meta::{self, ObjectMeta, object_key};

/// A bucket's versioning state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Versioning {
    /// Versioning was never enabled: every object is its key's one version, `null`.
    #[default]
    Unversioned,
    /// Every write gets a fresh version id; older versions are kept.
    Enabled,
    /// New writes replace the `null` version; versions written while enabled are kept.
    Suspended,
}

impl Versioning {
    /// True once versioning has been enabled at least once (enabled or suspended).
    pub fn keeps_versions(self) -> bool {
        self != Versioning::Unversioned
    }
}

/// The version id of every object written while versioning is off or suspended.
pub const NULL_VERSION: &str = "null";

/// A version id: `null`, or one this server issued (32 characters: sixteen hex digits that
/// give the version's place in its key's history, then sixteen random letters and digits).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum VersionId {
    /// The `null` version.
    #[default]
    Null,
    /// An issued id; only [`VersionId::issue`] and [`VersionId::parse`] make one.
    Issued(String),
}

impl VersionId {
    /// A fresh id for a version written at `seq`.
    pub fn issue(seq: u64) -> Self {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut rng = rand::rng();
        let tail: String = (0..16)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        VersionId::Issued(format!("{}{tail}", order_text(seq)))
    }

    /// Reads a version id from a request: `None` when it is not one this server could have
    /// issued (S3 answers such ids with `InvalidArgument`).
    pub fn parse(text: &str) -> Option<Self> {
        if text == NULL_VERSION {
            return Some(VersionId::Null);
        }
        let b = text.as_bytes();
        let well_formed = b.len() == 32
            && b[..16]
                .iter()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            && b[16..].iter().all(u8::is_ascii_alphanumeric);
        well_formed.then(|| VersionId::Issued(text.to_owned()))
    }

    /// The id as S3 shows it.
    pub fn as_str(&self) -> &str {
        match self {
            VersionId::Null => NULL_VERSION,
            VersionId::Issued(id) => id,
        }
    }

    /// True for the `null` version.
    pub fn is_null(&self) -> bool {
        matches!(self, VersionId::Null)
    }

    /// The write sequence an issued id was made for (`None` for `null`, whose place is only
    /// known from its record).
    pub fn seq(&self) -> Option<u64> {
        match self {
            VersionId::Null => None,
            VersionId::Issued(id) => u64::from_str_radix(&id[..16], 16)
                .ok()
                .map(|inverted| u64::MAX - inverted),
        }
    }
}

impl Serialize for VersionId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for VersionId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        VersionId::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a version id: {text}")))
    }
}

/// The next write sequence: nanoseconds since the epoch, strictly increasing in this process,
/// so a key's versions keep the order they were written in.
pub fn next_seq() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = u64::try_from(jiff::Timestamp::now().as_nanosecond()).unwrap_or(0);
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

fn order_text(seq: u64) -> String {
    format!("{:016x}", u64::MAX - seq)
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

/// A delete marker: a version that says the key was deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteMarker {
    /// The key.
    pub key: String,
    /// Its version id.
    pub version: VersionId,
    /// Its place in the key's history.
    pub seq: u64,
    /// When the delete happened.
    pub last_modified: Timestamp,
    /// The account that deleted.
    pub owner: AccountId,
}

/// A version as the `Versions` table keeps it.
#[derive(Debug, Clone)]
pub enum StoredVersion {
    /// An object version, body and all.
    Object(ObjectMeta),
    /// A delete marker.
    Marker(DeleteMarker),
}

/// The first byte of a stored delete marker (object records start with `{`).
const MARKER_TAG: u8 = b'M';

impl StoredVersion {
    /// The key.
    pub fn key(&self) -> &str {
        match self {
            StoredVersion::Object(o) => &o.key,
            StoredVersion::Marker(m) => &m.key,
        }
    }

    /// The version id.
    pub fn version(&self) -> &VersionId {
        match self {
            StoredVersion::Object(o) => &o.version,
            StoredVersion::Marker(m) => &m.version,
        }
    }

    /// The place in the key's history.
    pub fn seq(&self) -> u64 {
        match self {
            StoredVersion::Object(o) => o.seq,
            StoredVersion::Marker(m) => m.seq,
        }
    }

    /// The record bytes.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            StoredVersion::Object(o) => meta::encode_object(o),
            StoredVersion::Marker(m) => {
                let mut out = vec![MARKER_TAG];
                out.extend(meta::encode(m));
                out
            }
        }
    }

    /// Reads a record written by [`StoredVersion::encode`].
    pub fn decode(record: Vec<u8>) -> Result<Self, StoreError> {
        if record.first() == Some(&MARKER_TAG) {
            serde_json::from_slice(&record[1..])
                .map(StoredVersion::Marker)
                .map_err(|e| {
                    StoreError::Backend(format!("stored delete marker does not read: {e}"))
                })
        } else {
            meta::decode_object(record).map(StoredVersion::Object)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_ids_parse_back_and_carry_their_order() {
        let seq = next_seq();
        let id = VersionId::issue(seq);
        assert_eq!(id.as_str().len(), 32);
        assert_eq!(VersionId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(id.seq(), Some(seq));
        assert_eq!(VersionId::parse("null"), Some(VersionId::Null));
        for bad in [
            "",
            "abc",
            "NULL",
            &"g".repeat(32),
            &format!("{}!", &id.as_str()[..31]),
        ] {
            assert_eq!(VersionId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn later_versions_sort_first_and_after_their_key() {
        let (a, b) = (next_seq(), next_seq());
        assert!(b > a);
        assert!(version_key("b", "k", b) < version_key("b", "k", a));
        assert!(object_key("b", "k") < version_key("b", "k", b));
        assert!(version_key("b", "k", a) < object_key("b", "k/"));
        assert_eq!(key_of_version_key(&version_key("b", "k/x", a), "b"), "k/x");
    }

    #[test]
    fn markers_and_objects_decode_as_what_they_are() {
        let m = DeleteMarker {
            key: "k".into(),
            version: VersionId::issue(7),
            seq: 7,
            last_modified: Timestamp::UNIX_EPOCH,
            owner: "111111111111".parse().unwrap(),
        };
        let back = StoredVersion::decode(StoredVersion::Marker(m.clone()).encode()).unwrap();
        assert!(matches!(back, StoredVersion::Marker(ref x) if *x == m));
    }
}
