//! Listing object versions: the current objects (`Objects`) and the other versions
//! (`Versions`) read as one ordered stream — by key, then newest first — rolled up at the
//! delimiter and paged as `ListObjectVersions` pages.

use std::collections::VecDeque;
use std::ops::Bound;

use gatehouse_store::{KeyRange, Store, StoreError, Table, prefix_end};

use crate::model::keys::object_key;
use crate::model::keys::version_key;
use crate::model::keys::versions_prefix;
use crate::model::meta::StoredVersion;
use crate::model::meta::{self, ObjectMeta};
use crate::model::versioning::VersionId;

/// Where a versions listing starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionStart {
    /// At the first key under the prefix.
    Beginning,
    /// After every version of this key.
    AfterKey(String),
    /// After this version (`seq`) of this key.
    AfterVersion(String, u64),
    /// Past every key under this common prefix.
    Past(String),
}

/// One listed version.
#[derive(Debug)]
pub struct ListedVersion {
    /// The version.
    pub version: StoredVersion,
    /// True for the key's current version (its current object, or a delete marker that
    /// nothing newer follows).
    pub is_latest: bool,
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionResume {
    /// After this version of this key.
    After(String, VersionId),
    /// Past every key under this common prefix.
    Past(String),
}

/// One page of versions.
#[derive(Debug, Default)]
pub struct VersionListing {
    /// Versions, by key and newest first.
    pub versions: Vec<ListedVersion>,
    /// Common prefixes, in order.
    pub common_prefixes: Vec<String>,
    /// True when more entries follow.
    pub truncated: bool,
    /// Where the next page starts.
    pub resume: Option<VersionResume>,
}

/// One of the two tables, read in pages from a lower bound. `Objects` entries are placed
/// where their version would sort in `Versions`, so both streams share one order.
struct Cursor {
    table: Table,
    bucket: String,
    lower: Bound<Vec<u8>>,
    upper: Bound<Vec<u8>>,
    buffered: VecDeque<(Vec<u8>, StoredVersion)>,
    done: bool,
}

const PAGE: usize = 1000;

impl Cursor {
    fn new(table: Table, bucket: &str, lower: Bound<Vec<u8>>, upper: Bound<Vec<u8>>) -> Self {
        Self {
            table,
            bucket: bucket.to_owned(),
            lower,
            upper,
            buffered: VecDeque::new(),
            done: false,
        }
    }

    /// The next entry's place (its `Versions` key), reading a page when needed.
    fn peek(&mut self, store: &dyn Store) -> Result<Option<&[u8]>, StoreError> {
        if self.buffered.is_empty() && !self.done {
            let page = store.scan(
                self.table,
                &KeyRange {
                    start: self.lower.clone(),
                    end: self.upper.clone(),
                },
                PAGE,
            )?;
            self.done = page.len() < PAGE;
            if let Some((last, _)) = page.last() {
                self.lower = Bound::Excluded(last.clone());
            }
            for (raw, value) in page {
                let entry = if self.table == Table::Objects {
                    let meta: ObjectMeta = meta::decode_object(value)?;
                    let place = version_key(&self.bucket, &meta.key, meta.seq);
                    (place, StoredVersion::Object(meta))
                } else {
                    (raw, StoredVersion::decode(value)?)
                };
                self.buffered.push_back(entry);
            }
        }
        Ok(self.buffered.front().map(|(k, _)| k.as_slice()))
    }

    fn pop(&mut self) -> Option<StoredVersion> {
        self.buffered.pop_front().map(|(_, v)| v)
    }

    /// Skips to `lower`, dropping what was read before it.
    fn skip_to(&mut self, lower: &Bound<Vec<u8>>) {
        self.buffered.clear();
        self.lower = lower.clone();
        self.done = matches!(lower, Bound::Unbounded);
    }
}

/// Lists the versions of `bucket` under `prefix` from `start`, rolled up at the first
/// `delimiter` after the prefix, at most `max_keys` entries (versions plus prefixes).
pub fn list_versions(
    store: &dyn Store,
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
    start: &VersionStart,
    max_keys: usize,
) -> Result<VersionListing, StoreError> {
    let bucket_prefix = object_key(bucket, prefix);
    let upper = prefix_end(&bucket_prefix).map_or(Bound::Unbounded, Bound::Excluded);
    let starts_under = |k: &str| k.as_bytes() >= prefix.as_bytes();
    let lower = match start {
        VersionStart::AfterVersion(k, seq) if starts_under(k) => {
            Bound::Excluded(version_key(bucket, k, *seq))
        }
        VersionStart::AfterKey(k) if starts_under(k) => past(&versions_prefix(bucket, k)),
        VersionStart::Past(p) if starts_under(p) => past(&object_key(bucket, p)),
        _ => Bound::Included(bucket_prefix.clone()),
    };
    let mut current = Cursor::new(Table::Objects, bucket, lower.clone(), upper.clone());
    let mut others = Cursor::new(Table::Versions, bucket, lower, upper);
    // The key of the last version seen: a key's first version in the stream is its latest
    // unless the page started inside the key's history.
    let mut last_key = match start {
        VersionStart::AfterVersion(k, _) => Some(k.clone()),
        _ => None,
    };
    let delimiter = delimiter.filter(|d| !d.is_empty());
    let mut out = VersionListing::default();
    loop {
        let from_current = match (current.peek(store)?, others.peek(store)?) {
            (None, None) => return Ok(out),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(a), Some(b)) => a <= b,
        };
        let cursor = if from_current {
            &mut current
        } else {
            &mut others
        };
        let Some(version) = cursor.pop() else {
            return Ok(out);
        };
        if out.versions.len() + out.common_prefixes.len() >= max_keys {
            out.truncated = true;
            return Ok(out);
        }
        let key = version.key().to_owned();
        let rolled = delimiter.and_then(|d| {
            key.get(prefix.len()..)
                .and_then(|rest| rest.find(d))
                .map(|i| key[..prefix.len() + i + d.len()].to_owned())
        });
        if let Some(common) = rolled {
            let lower = past(&object_key(bucket, &common));
            current.skip_to(&lower);
            others.skip_to(&lower);
            out.resume = Some(VersionResume::Past(common.clone()));
            out.common_prefixes.push(common);
            continue;
        }
        // A key's current object comes first in its history; a delete marker is the latest
        // only when no current object came before it.
        let is_latest = from_current
            || (matches!(version, StoredVersion::Marker(_))
                && last_key.as_deref() != Some(key.as_str()));
        out.resume = Some(VersionResume::After(key.clone(), version.version().clone()));
        last_key = Some(key);
        out.versions.push(ListedVersion { version, is_latest });
    }
}

/// The bound just past every key starting with `prefix`.
fn past(prefix: &[u8]) -> Bound<Vec<u8>> {
    prefix_end(prefix).map_or(Bound::Unbounded, Bound::Included)
}
