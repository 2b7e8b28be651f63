//! Striped locks over store keys.

/// Striped locks that serialize the read-plan-commit of versioned writes to one key, so two
/// writers never both move the same current object aside.
pub(crate) struct KeyLocks(Vec<parking_lot::Mutex<()>>);

impl KeyLocks {
    pub(crate) fn new() -> Self {
        Self((0..64).map(|_| parking_lot::Mutex::new(())).collect())
    }

    pub(crate) fn lock(&self, key: &[u8]) -> parking_lot::MutexGuard<'_, ()> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        let i = usize::try_from(h.finish() % self.0.len() as u64).unwrap_or(0);
        self.0[i].lock()
    }
}
