//! One conformance suite, run against every backend.

use gatehouse_store::{Batch, KeyRange, MemoryStore, SqliteStore, Store, StoreError, Table};

fn suite(store: &dyn Store) {
    // Puts and gets, per table.
    store
        .commit(
            Batch::new()
                .put(Table::Iam, b"a".to_vec(), b"1".to_vec())
                .put(Table::Objects, b"a".to_vec(), b"2".to_vec()),
        )
        .unwrap();
    assert_eq!(
        store.get(Table::Iam, b"a").unwrap().as_deref(),
        Some(&b"1"[..])
    );
    assert_eq!(
        store.get(Table::Objects, b"a").unwrap().as_deref(),
        Some(&b"2"[..])
    );
    assert_eq!(store.get(Table::Buckets, b"a").unwrap(), None);

    // Overwrite.
    store
        .commit(Batch::new().put(Table::Iam, b"a".to_vec(), b"3".to_vec()))
        .unwrap();
    assert_eq!(
        store.get(Table::Iam, b"a").unwrap().as_deref(),
        Some(&b"3"[..])
    );

    // Byte order, as S3 sorts keys: uppercase before lowercase, '/' before letters, multi-byte last.
    let keys: [&[u8]; 7] = [
        b"b\x00Z",
        b"b\x00a",
        b"b\x00a/b",
        b"b\x00a0",
        b"b\x00\xc3\xa9",
        b"b\x00A",
        b"c\x00x",
    ];
    let mut batch = Batch::new();
    for k in keys {
        batch = batch.put(Table::Objects, k.to_vec(), b"v".to_vec());
    }
    store.commit(batch).unwrap();
    let listed: Vec<Vec<u8>> = store
        .scan(Table::Objects, &KeyRange::prefix(b"b\x00"), 100)
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let mut expected: Vec<Vec<u8>> = keys
        .iter()
        .filter(|k| k.starts_with(b"b\x00"))
        .map(|k| k.to_vec())
        .collect();
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(listed[0], b"b\x00A");

    // Limits and start-after.
    let page = store
        .scan(Table::Objects, &KeyRange::prefix(b"b\x00"), 2)
        .unwrap();
    assert_eq!(page.len(), 2);
    let rest = store
        .scan(
            Table::Objects,
            &KeyRange::prefix_after(b"b\x00", &page[1].0),
            100,
        )
        .unwrap();
    assert_eq!(rest.len(), expected.len() - 2);
    assert_eq!(rest[0].0, expected[2]);

    // Conditional writes are all-or-nothing.
    let err = store
        .commit(Batch::new().require_absent(Table::Iam, b"a".to_vec()).put(
            Table::Iam,
            b"z".to_vec(),
            b"1".to_vec(),
        ))
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict("iam")));
    assert_eq!(store.get(Table::Iam, b"z").unwrap(), None);
    store
        .commit(Batch::new().require_absent(Table::Iam, b"z".to_vec()).put(
            Table::Iam,
            b"z".to_vec(),
            b"1".to_vec(),
        ))
        .unwrap();

    // Deletes and prefix deletes.
    store
        .commit(
            Batch::new()
                .delete(Table::Iam, b"z".to_vec())
                .delete_prefix(Table::Objects, b"b\x00".to_vec()),
        )
        .unwrap();
    assert_eq!(store.get(Table::Iam, b"z").unwrap(), None);
    assert!(
        store
            .scan(Table::Objects, &KeyRange::prefix(b"b\x00"), 100)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .scan(Table::Objects, &KeyRange::prefix(b"c\x00"), 100)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .scan(Table::Objects, &KeyRange::all(), 100)
            .unwrap()
            .len(),
        2
    );

    // A prefix of 0xFF bytes has no upper bound but still scans correctly.
    store
        .commit(Batch::new().put(Table::Meta, vec![0xff, 0xff, 1], b"x".to_vec()))
        .unwrap();
    assert_eq!(
        store
            .scan(Table::Meta, &KeyRange::prefix(&[0xff, 0xff]), 10)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn memory_backend_conforms() {
    suite(&MemoryStore::new());
}

#[test]
fn sqlite_backend_conforms() {
    let dir = tempfile::tempdir().unwrap();
    suite(&SqliteStore::open(&dir.path().join("gatehouse.db")).unwrap());
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
