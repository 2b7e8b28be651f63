//! The conformance suite (`gatehouse_store::conformance`), run against every backend here.

use gatehouse_store::conformance::check_backend;
use gatehouse_store::{Batch, MemoryStore, SqliteStore, Store, Table};

#[test]
fn memory_backend_conforms() {
    let store = MemoryStore::new();
    check_backend(&store);
}

#[test]
fn sqlite_backend_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("gatehouse.db")).unwrap();
    check_backend(&store);
}

#[test]
fn sqlite_writes_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gatehouse.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        store
            .commit(Batch::new().put(Table::Iam, b"k".to_vec(), b"v".to_vec()))
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store.get(Table::Iam, b"k").unwrap().as_deref(),
        Some(&b"v"[..])
    );
}
