//! Bucket, object and multipart-upload records in the store, and listing objects from the
//! store's byte-ordered index (never by walking directories).

use std::collections::BTreeMap;
use std::ops::Bound;

use gatehouse_policy::AccountId;
use gatehouse_store::{KeyRange, Store, StoreError, Table, prefix_end};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::blob::{BlobId, ObjectBody};
use crate::model::bucket_config::{DefaultEncryption, ObjectOwnership, default_ownership};
use crate::model::keys::object_key;
use crate::model::versioning::{VersionId, Versioning};

/// The four Block Public Access switches.
#[allow(
    clippy::struct_excessive_bools,
    reason = "mirrors S3's four independent switches"
)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    /// Reject ACLs that grant public access.
    pub block_public_acls: bool,
    /// Ignore public ACLs.
    pub ignore_public_acls: bool,
    /// Reject bucket policies that grant public access.
    pub block_public_policy: bool,
    /// Only the owner account and AWS services may use a public bucket policy's grants.
    pub restrict_public_buckets: bool,
}

/// A bucket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bucket {
    /// The globally unique name.
    pub name: String,
    /// The owning account.
    pub owner: AccountId,
    /// When it was created.
    pub created: Timestamp,
    /// The region (`LocationConstraint`).
    pub region: String,
    /// The bucket policy text.
    #[serde(default)]
    pub policy: Option<String>,
    /// Block Public Access configuration, when set.
    #[serde(default)]
    pub public_access_block: Option<PublicAccessBlock>,
    /// Bucket tags.
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    /// The versioning state.
    #[serde(default)]
    pub versioning: Versioning,
    /// MFA Delete, once configured (`Some(false)`: reported as `Disabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_delete: Option<bool>,
    /// The default encryption configured with `PutBucketEncryption` (`None`: SSE-S3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<DefaultEncryption>,
    /// Object Ownership; `None` once the controls are deleted (ACLs enabled, writer owns).
    #[serde(default = "default_ownership")]
    pub ownership: Option<ObjectOwnership>,
}

/// Stored metadata of an object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectMeta {
    /// The key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// The `ETag`, quoted (`"md5hex"` or `"md5hex-N"` for multipart).
    pub etag: String,
    /// When it was written.
    pub last_modified: Timestamp,
    /// Where the bytes are. Stored as `"blob"`: the blob id, or `null` when the bytes follow the
    /// record's JSON (see [`encode_object`]).
    #[serde(rename = "blob", with = "body_field")]
    pub body: ObjectBody,
    /// `Content-Type` and other standard headers (`Cache-Control`, `Content-Disposition`,
    /// `Content-Encoding`, `Content-Language`, `Expires`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// User metadata (`x-amz-meta-*`), keys lower-cased without the prefix.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// Object tags.
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    /// Checksums the client supplied (algorithm → base64 value).
    #[serde(default)]
    pub checksums: BTreeMap<String, String>,
    /// The number of parts, for multipart objects.
    #[serde(default)]
    pub parts: Option<u32>,
    /// The size of each part, for multipart objects (`GetObject?partNumber=N`).
    #[serde(default)]
    pub part_sizes: Vec<u64>,
    /// The account that wrote it.
    pub owner: AccountId,
    /// The version id (`null` unless written while versioning was enabled).
    #[serde(default, skip_serializing_if = "VersionId::is_null")]
    pub version: VersionId,
    /// Its place in the key's history ([`crate::model::versioning::next_seq`]); 0 for objects
    /// written before versioning was ever enabled, which are older than any version.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seq: u64,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl ObjectMeta {
    /// Roughly the bytes this record holds in memory, for cache budgets.
    pub fn weight(&self) -> usize {
        let inline = match &self.body {
            ObjectBody::Inline(data) => data.len(),
            ObjectBody::Blob(_) => 0,
        };
        let text =
            |m: &BTreeMap<String, String>| m.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
        256 + inline
            + self.key.len()
            + text(&self.headers)
            + text(&self.metadata)
            + text(&self.checksums)
            + self
                .tags
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
    }
}

/// The body field of an object record: `Some(blob id)`, or `None` for an inline body.
mod body_field {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::model::blob::{BlobId, ObjectBody};

    pub fn serialize<S: Serializer>(body: &ObjectBody, s: S) -> Result<S::Ok, S::Error> {
        match body {
            ObjectBody::Blob(id) => Some(id),
            ObjectBody::Inline(_) => None,
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ObjectBody, D::Error> {
        Ok(match Option::<BlobId>::deserialize(d)? {
            Some(id) => ObjectBody::Blob(id),
            // The bytes follow the JSON; `decode_object` puts them here.
            None => ObjectBody::Inline(bytes::Bytes::new()),
        })
    }
}

/// An object record: its JSON, then the body's bytes when they are inline.
pub fn encode_object(meta: &ObjectMeta) -> Vec<u8> {
    let mut out = encode(meta);
    if let ObjectBody::Inline(data) = &meta.body {
        out.extend_from_slice(data);
    }
    out
}

/// Reads an object record written by [`encode_object`] (records without inline bytes are plain
/// JSON, as they always were).
pub fn decode_object(record: Vec<u8>) -> Result<ObjectMeta, StoreError> {
    let record = bytes::Bytes::from(record);
    let mut values = serde_json::Deserializer::from_slice(&record).into_iter::<ObjectMeta>();
    let mut meta = match values.next() {
        Some(Ok(meta)) => meta,
        Some(Err(e)) => {
            return Err(StoreError::Backend(format!(
                "stored object record does not read: {e}"
            )));
        }
        None => return Err(StoreError::Backend("empty object record".into())),
    };
    let end = values.byte_offset();
    if let ObjectBody::Inline(data) = &mut meta.body {
        *data = record.slice(end..);
    }
    Ok(meta)
}

/// Reads and decodes the object record under `key`.
pub fn get_object(store: &dyn Store, key: &[u8]) -> Result<Option<ObjectMeta>, StoreError> {
    store
        .get(Table::Objects, key)?
        .map(decode_object)
        .transpose()
}

/// A multipart upload in progress.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Upload {
    /// The upload id.
    pub id: String,
    /// The key the object will get.
    pub key: String,
    /// When it was started.
    pub initiated: Timestamp,
    /// Who started it.
    pub owner: AccountId,
    /// The caller's ARN, for `Initiator`.
    pub initiator: String,
    /// Standard headers for the final object.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// User metadata for the final object.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// One uploaded part.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part {
    /// 1–10000.
    pub number: u32,
    /// The part's `ETag`, quoted.
    pub etag: String,
    /// The part's MD5, raw (for the multipart `ETag`).
    pub md5: Vec<u8>,
    /// Size in bytes.
    pub size: u64,
    /// The blob.
    pub blob: BlobId,
    /// When it was uploaded.
    pub last_modified: Timestamp,
}

/// Reads and decodes a JSON record.
pub fn get<T: for<'de> Deserialize<'de>>(
    store: &dyn Store,
    table: Table,
    key: &[u8],
) -> Result<Option<T>, StoreError> {
    match store.get(table, key)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Backend(format!("stored record does not read: {e}"))),
    }
}

/// Encodes a record.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Records are plain data; serializing them cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

/// Where a listing resumes: after a key, or past every key under a common prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resume {
    /// Keys greater than this one.
    After(String),
    /// Keys not starting with this common prefix (and greater than it).
    Past(String),
}

/// One page of a listing.
#[derive(Debug, Default)]
pub struct Listing {
    /// Objects, in key order.
    pub objects: Vec<ObjectMeta>,
    /// Common prefixes, in order.
    pub common_prefixes: Vec<String>,
    /// True when more entries follow.
    pub truncated: bool,
    /// Where the next page starts.
    pub resume: Option<Resume>,
}

/// Lists `bucket` as S3 does: keys under `prefix`, after `from`, rolled up at the first
/// `delimiter` after the prefix, at most `max_keys` entries (objects plus prefixes). Reads the
/// store's ordered index in pages and jumps over rolled-up prefixes.
pub fn list_objects(
    store: &dyn Store,
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
    from: Option<&Resume>,
    max_keys: usize,
) -> Result<Listing, StoreError> {
    let mut out = Listing::default();
    let bucket_prefix = object_key(bucket, prefix);
    let upper = prefix_end(&bucket_prefix).map_or(Bound::Unbounded, Bound::Excluded);
    let mut lower = match from {
        Some(Resume::After(k)) if k.as_bytes() >= prefix.as_bytes() => {
            Bound::Excluded(object_key(bucket, k))
        }
        Some(Resume::Past(p)) if p.as_bytes() >= prefix.as_bytes() => {
            prefix_end(&object_key(bucket, p)).map_or(Bound::Unbounded, Bound::Included)
        }
        _ => Bound::Included(bucket_prefix.clone()),
    };
    let delimiter = delimiter.filter(|d| !d.is_empty());
    let skip = bucket.len() + 1;
    loop {
        if matches!(lower, Bound::Unbounded) {
            return Ok(out);
        }
        let page = store.scan(
            Table::Objects,
            &KeyRange {
                start: lower.clone(),
                end: upper.clone(),
            },
            1000,
        )?;
        let full_page = page.len() == 1000;
        let last_key = page.last().map(|(k, _)| k.clone());
        let mut jumped = false;
        for (raw_key, value) in page {
            let key = String::from_utf8_lossy(&raw_key[skip..]).into_owned();
            let rolled = delimiter.and_then(|d| {
                key.get(prefix.len()..)
                    .and_then(|rest| rest.find(d))
                    .map(|i| key[..prefix.len() + i + d.len()].to_owned())
            });
            if out.objects.len() + out.common_prefixes.len() >= max_keys {
                out.truncated = true;
                return Ok(out);
            }
            if let Some(common) = rolled {
                lower = prefix_end(&object_key(bucket, &common))
                    .map_or(Bound::Unbounded, Bound::Included);
                out.resume = Some(Resume::Past(common.clone()));
                out.common_prefixes.push(common);
                jumped = true;
                break;
            }
            let meta = decode_object(value)?;
            out.resume = Some(Resume::After(key));
            out.objects.push(meta);
        }
        if !jumped {
            if !full_page {
                return Ok(out);
            }
            lower = last_key.map_or(Bound::Unbounded, Bound::Excluded);
        }
    }
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
            StoredVersion::Object(o) => encode_object(o),
            StoredVersion::Marker(m) => {
                let mut out = vec![MARKER_TAG];
                out.extend(encode(m));
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
            decode_object(record).map(StoredVersion::Object)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(body: ObjectBody) -> ObjectMeta {
        ObjectMeta {
            key: "k".into(),
            size: 0,
            etag: "\"x\"".into(),
            last_modified: Timestamp::UNIX_EPOCH,
            body,
            headers: BTreeMap::new(),
            metadata: BTreeMap::new(),
            tags: vec![],
            checksums: BTreeMap::new(),
            parts: None,
            part_sizes: vec![],
            owner: "111111111111".parse().unwrap(),
            version: VersionId::Null,
            seq: 0,
        }
    }

    #[test]
    fn inline_bodies_round_trip_whatever_their_bytes() {
        for data in [
            &b""[..],
            b"{\"a\":1}",
            b"  trailing json ] }",
            &[0u8, 255, 10, 13],
        ] {
            let meta = record(ObjectBody::Inline(bytes::Bytes::copy_from_slice(data)));
            let back = decode_object(encode_object(&meta)).unwrap();
            assert_eq!(
                back.body,
                ObjectBody::Inline(bytes::Bytes::copy_from_slice(data))
            );
        }
    }

    #[test]
    fn blob_records_stay_plain_json() {
        let meta = record(ObjectBody::Blob(BlobId("abc".into())));
        let encoded = encode_object(&meta);
        let plain: serde_json::Value = serde_json::from_slice(&encoded).unwrap();
        assert_eq!(plain["blob"], "abc");
        assert_eq!(decode_object(encoded).unwrap().body, meta.body);
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
