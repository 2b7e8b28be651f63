//! An in-memory backend for tests and `--ephemeral` runs: same semantics, no durability.

use std::collections::BTreeMap;

use parking_lot::RwLock;

use crate::{Batch, KeyRange, Store, StoreError, StoreResult, Table, Write};

/// Every entry of every table, ordered by (table, key).
type Entries = BTreeMap<(Table, Vec<u8>), Vec<u8>>;

/// A store that lives in memory only.
#[derive(Default)]
pub struct MemoryStore {
    tables: RwLock<Entries>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Store for MemoryStore {
    fn get(&self, table: Table, key: &[u8]) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.tables.read().get(&(table, key.to_vec())).cloned())
    }

    fn scan(
        &self,
        table: Table,
        range: &KeyRange,
        limit: usize,
    ) -> StoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
        let tables = self.tables.read();
        Ok(tables
            .range((table, Vec::new())..)
            .take_while(|((t, _), _)| *t == table)
            .filter(|((_, k), _)| range.contains(k))
            .take(limit)
            .map(|((_, k), v)| (k.clone(), v.clone()))
            .collect())
    }

    fn commit_and_read(&self, batch: Batch) -> StoreResult<Vec<Option<Vec<u8>>>> {
        let mut tables = self.tables.write();
        for (table, key) in &batch.absent {
            if tables.contains_key(&(*table, key.clone())) {
                return Err(StoreError::Conflict(table.name()));
            }
        }
        let previous = batch
            .read
            .into_iter()
            .map(|k| tables.get(&k).cloned())
            .collect();
        for write in batch.writes {
            match write {
                Write::Put { table, key, value } => {
                    tables.insert((table, key), value);
                }
                Write::Delete { table, key } => {
                    tables.remove(&(table, key));
                }
                Write::DeletePrefix { table, prefix } => {
                    let range = KeyRange::prefix(&prefix);
                    tables.retain(|(t, k), _| *t != table || !range.contains(k));
                }
            }
        }
        Ok(previous)
    }

    fn backend(&self) -> &'static str {
        "memory"
    }
}
