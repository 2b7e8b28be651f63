//! Recently read object records (metadata and inline bodies) in memory, so a GET or HEAD of a
//! hot object needs no store read at all.
//!
//! Correctness rests on one rule: every write of an object record invalidates its key *after*
//! the write is committed, and a read that missed may fill the cache only if no invalidation
//! touched its shard since before it read the store. So a value read before a commit can never
//! be cached after that commit's invalidation, and the cache never serves anything older than
//! what the store held when the request arrived. The cache is per process: writes by another
//! node are not seen (a scale-out across nodes must feed its change notifications here).

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::model::meta::ObjectMeta;

/// How many independently locked shards the cache has.
const SHARDS: usize = 32;

/// The default memory budget of the cache.
pub const DEFAULT_BUDGET: usize = 32 * 1024 * 1024;

/// The object-record cache.
pub struct ObjectCache {
    shards: Box<[Mutex<Shard>]>,
    hasher: std::hash::RandomState,
    shard_budget: usize,
}

#[derive(Default)]
struct Shard {
    entries: HashMap<Vec<u8>, Arc<ObjectMeta>>,
    bytes: usize,
    /// Bumped by every invalidation, so fills that raced a write are dropped.
    generation: u64,
}

/// What a miss hands back: the shard's generation before the store was read, which the fill
/// must still find.
#[derive(Debug, Clone, Copy)]
pub struct Miss {
    shard: usize,
    generation: u64,
}

impl std::fmt::Debug for ObjectCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectCache")
            .field("shards", &self.shards.len())
            .field("shard_budget", &self.shard_budget)
            .finish_non_exhaustive()
    }
}

impl ObjectCache {
    /// A cache holding about `budget` bytes of records (0 turns it off).
    pub fn new(budget: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            hasher: std::hash::RandomState::new(),
            shard_budget: budget / SHARDS,
        }
    }

    fn shard_of(&self, key: &[u8]) -> usize {
        // The modulo keeps the value below SHARDS, so the cast cannot truncate.
        #[allow(
            clippy::cast_possible_truncation,
            reason = "reduced modulo SHARDS first"
        )]
        let i = (self.hasher.hash_one(key) % SHARDS as u64) as usize;
        i
    }

    /// The cached record of `key`, or the ticket a later [`ObjectCache::fill`] needs.
    pub fn get(&self, key: &[u8]) -> Result<Arc<ObjectMeta>, Miss> {
        let shard = self.shard_of(key);
        let guard = self.shards[shard].lock();
        match guard.entries.get(key) {
            Some(meta) => Ok(meta.clone()),
            None => Err(Miss {
                shard,
                generation: guard.generation,
            }),
        }
    }

    /// Caches what the store returned after `miss`, unless a write invalidated the shard since.
    pub fn fill(&self, miss: Miss, key: Vec<u8>, meta: &Arc<ObjectMeta>) {
        let weight = meta.weight() + key.len();
        if weight > self.shard_budget {
            return;
        }
        let mut guard = self.shards[miss.shard].lock();
        if guard.generation != miss.generation {
            return;
        }
        while guard.bytes + weight > self.shard_budget {
            // Any entry will do: hash order is as good as random here.
            let Some(victim) = guard.entries.keys().next().cloned() else {
                break;
            };
            if let Some(old) = guard.entries.remove(&victim) {
                guard.bytes = guard.bytes.saturating_sub(old.weight() + victim.len());
            }
        }
        guard.bytes += weight;
        if let Some(old) = guard.entries.insert(key, meta.clone()) {
            guard.bytes = guard.bytes.saturating_sub(old.weight());
        }
    }

    /// Forgets `key` after a committed write of it.
    pub fn invalidate(&self, key: &[u8]) {
        let shard = self.shard_of(key);
        let mut guard = self.shards[shard].lock();
        guard.generation += 1;
        if let Some(old) = guard.entries.remove(key) {
            guard.bytes = guard.bytes.saturating_sub(old.weight() + key.len());
        }
    }

    /// Forgets everything (after writes too broad to name key by key).
    pub fn clear(&self) {
        for shard in &self.shards {
            let mut guard = shard.lock();
            guard.generation += 1;
            guard.entries.clear();
            guard.bytes = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::blob::ObjectBody;

    fn record(key: &str, body: &'static [u8]) -> Arc<ObjectMeta> {
        Arc::new(ObjectMeta {
            key: key.into(),
            size: body.len() as u64,
            etag: "\"x\"".into(),
            last_modified: jiff::Timestamp::UNIX_EPOCH,
            body: ObjectBody::Inline(bytes::Bytes::from_static(body)),
            headers: Default::default(),
            metadata: Default::default(),
            tags: vec![],
            checksums: Default::default(),
            parts: None,
            part_sizes: vec![],
            owner: "111111111111".parse().unwrap(),
            version: crate::model::versioning::VersionId::Null,
            seq: 0,
        })
    }

    #[test]
    fn a_fill_after_a_racing_write_is_dropped() {
        let cache = ObjectCache::new(DEFAULT_BUDGET);
        let miss = cache.get(b"k").unwrap_err();
        // A write commits and invalidates while the read is in flight…
        cache.invalidate(b"k");
        // …so what the read saw (possibly the old record) must not be cached.
        cache.fill(miss, b"k".to_vec(), &record("k", b"old"));
        assert!(cache.get(b"k").is_err());
        let miss = cache.get(b"k").unwrap_err();
        cache.fill(miss, b"k".to_vec(), &record("k", b"new"));
        let hit = cache.get(b"k").unwrap();
        assert_eq!(
            hit.body,
            ObjectBody::Inline(bytes::Bytes::from_static(b"new"))
        );
    }

    #[test]
    fn the_budget_bounds_what_is_kept() {
        let cache = ObjectCache::new(SHARDS * 4096);
        for i in 0..10_000 {
            let key = format!("key-{i}");
            if let Err(miss) = cache.get(key.as_bytes()) {
                cache.fill(miss, key.clone().into_bytes(), &record(&key, b"0123456789"));
            }
        }
        let held: usize = cache.shards.iter().map(|s| s.lock().bytes).sum();
        assert!(held <= SHARDS * 4096, "{held} bytes held");
        assert!(held > 0);
    }
}
