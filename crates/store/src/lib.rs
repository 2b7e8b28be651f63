//! Gatehouse persistence: an ordered, transactional key-value store.
//!
//! Every backend implements [`Store`]: named tables of byte keys → byte values, kept in byte
//! order (so S3 listings sort as S3 sorts), read by key or by range, and written by atomic
//! [`Batch`]es that may require keys to be absent. A batch is durable when `commit` returns.
//! The domain (IAM entities, buckets, objects) is encoded above this layer, which keeps every
//! backend small and lets one conformance suite (`tests/conformance.rs`) run against each.

#[cfg(feature = "conformance")]
pub mod conformance;
mod memory;
mod sqlite;

use std::ops::Bound;

pub use memory::MemoryStore;
pub use sqlite::SqliteStore;

/// A table of the store. Tables are fixed so that backends can create them up front.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// Server metadata: keys, schema version.
    Meta,
    /// Accounts and their IAM entities.
    Iam,
    /// Access keys by access key id.
    AccessKeys,
    /// S3 buckets by name (global).
    Buckets,
    /// S3 object metadata by `bucket NUL key`.
    Objects,
    /// S3 multipart uploads and parts.
    Uploads,
    /// S3 object versions other than the current object: noncurrent versions and delete
    /// markers, by `bucket NUL key NUL order`.
    Versions,
}

impl Table {
    /// Every table.
    pub const ALL: [Table; 7] = [
        Table::Meta,
        Table::Iam,
        Table::AccessKeys,
        Table::Buckets,
        Table::Objects,
        Table::Uploads,
        Table::Versions,
    ];

    /// The table's name in backends.
    pub fn name(self) -> &'static str {
        match self {
            Table::Meta => "meta",
            Table::Iam => "iam",
            Table::AccessKeys => "access_keys",
            Table::Buckets => "buckets",
            Table::Objects => "objects",
            Table::Uploads => "uploads",
            Table::Versions => "object_versions",
        }
    }
}

/// One write of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// Set `key` to `value`.
    Put {
        /// The table.
        table: Table,
        /// The key.
        key: Vec<u8>,
        /// The value.
        value: Vec<u8>,
    },
    /// Remove `key` (no error if absent).
    Delete {
        /// The table.
        table: Table,
        /// The key.
        key: Vec<u8>,
    },
    /// Remove every key starting with `prefix`.
    DeletePrefix {
        /// The table.
        table: Table,
        /// The prefix.
        prefix: Vec<u8>,
    },
}

/// Writes applied atomically, after checking that some keys are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// Keys that must not exist, or the whole batch fails with [`StoreError::Conflict`].
    pub absent: Vec<(Table, Vec<u8>)>,
    /// Keys whose values just before the writes are returned by [`Store::commit_and_read`]
    /// (read inside the same transaction, so no other write lands in between).
    pub read: Vec<(Table, Vec<u8>)>,
    /// The writes, in order.
    pub writes: Vec<Write>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requires `key` to be absent when the batch commits.
    #[must_use]
    pub fn require_absent(mut self, table: Table, key: impl Into<Vec<u8>>) -> Self {
        self.absent.push((table, key.into()));
        self
    }

    /// Asks for the value `key` has just before the batch applies.
    #[must_use]
    pub fn read_previous(mut self, table: Table, key: impl Into<Vec<u8>>) -> Self {
        self.read.push((table, key.into()));
        self
    }

    /// Adds a put.
    #[must_use]
    pub fn put(mut self, table: Table, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Self {
        self.writes.push(Write::Put {
            table,
            key: key.into(),
            value: value.into(),
        });
        self
    }

    /// Adds a delete.
    #[must_use]
    pub fn delete(mut self, table: Table, key: impl Into<Vec<u8>>) -> Self {
        self.writes.push(Write::Delete {
            table,
            key: key.into(),
        });
        self
    }

    /// Adds a delete of every key under `prefix`.
    #[must_use]
    pub fn delete_prefix(mut self, table: Table, prefix: impl Into<Vec<u8>>) -> Self {
        self.writes.push(Write::DeletePrefix {
            table,
            prefix: prefix.into(),
        });
        self
    }

    /// True when the batch writes nothing.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }
}

/// A range of keys to scan, in byte order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRange {
    /// The lower bound.
    pub start: Bound<Vec<u8>>,
    /// The upper bound.
    pub end: Bound<Vec<u8>>,
}

impl KeyRange {
    /// Every key starting with `prefix`.
    pub fn prefix(prefix: &[u8]) -> Self {
        Self {
            start: Bound::Included(prefix.to_vec()),
            end: prefix_end(prefix).map_or(Bound::Unbounded, Bound::Excluded),
        }
    }

    /// Every key starting with `prefix` and greater than `after`.
    pub fn prefix_after(prefix: &[u8], after: &[u8]) -> Self {
        let mut r = Self::prefix(prefix);
        if after >= prefix {
            r.start = Bound::Excluded(after.to_vec());
        }
        r
    }

    /// Every key.
    pub fn all() -> Self {
        Self {
            start: Bound::Unbounded,
            end: Bound::Unbounded,
        }
    }

    /// True when `key` lies in the range.
    pub fn contains(&self, key: &[u8]) -> bool {
        let above = match &self.start {
            Bound::Included(s) => key >= s.as_slice(),
            Bound::Excluded(s) => key > s.as_slice(),
            Bound::Unbounded => true,
        };
        let below = match &self.end {
            Bound::Included(e) => key <= e.as_slice(),
            Bound::Excluded(e) => key < e.as_slice(),
            Bound::Unbounded => true,
        };
        above && below
    }
}

/// The smallest key greater than every key starting with `prefix`, if one exists.
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A key the batch required to be absent exists.
    #[error("conflict: a key required to be absent exists in table {0}")]
    Conflict(&'static str),
    /// The backend failed.
    #[error("store backend: {0}")]
    Backend(String),
}

/// Store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// An ordered, transactional key-value store. Calls block (they may wait on disk); call them
/// from a blocking context in async code.
pub trait Store: Send + Sync + 'static {
    /// The value of `key`.
    fn get(&self, table: Table, key: &[u8]) -> StoreResult<Option<Vec<u8>>>;

    /// Up to `limit` entries of `range`, in ascending byte order of key.
    fn scan(
        &self,
        table: Table,
        range: &KeyRange,
        limit: usize,
    ) -> StoreResult<Vec<(Vec<u8>, Vec<u8>)>>;

    /// Applies `batch` atomically and durably, or not at all, and returns the values the keys
    /// of `batch.read` had just before it applied, in order. Backends may commit several
    /// concurrent batches in one transaction (group commit); each still succeeds or fails alone.
    fn commit_and_read(&self, batch: Batch) -> StoreResult<Vec<Option<Vec<u8>>>>;

    /// Applies `batch` atomically and durably, or not at all.
    fn commit(&self, batch: Batch) -> StoreResult<()> {
        self.commit_and_read(batch).map(drop)
    }

    /// A short name of the backend, for logs.
    fn backend(&self) -> &'static str;
}
