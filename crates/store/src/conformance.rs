//! The storage conformance suite: what every [`Store`] backend must do, as one function any
//! crate's tests can run against its backend (enable the `conformance` feature).
//!
//! The suite writes to every table of a fresh store and asserts as it goes; a backend that
//! passes keeps every promise the rest of Gatehouse relies on: byte-ordered scans (S3 sorts keys
//! as bytes), atomic batches with absent-key checks, reads of the values a batch replaces, and
//! concurrent commits that each land exactly once.

#![allow(
    clippy::missing_panics_doc,
    reason = "a test suite: it panics when a backend does not conform"
)]

use crate::{Batch, KeyRange, Store, StoreError, Table};

/// Runs the whole suite against `store`, which must be empty. Panics on the first broken
/// promise, naming it.
pub fn check_backend(store: &(dyn Store + Sync)) {
    basics(store);
    read_previous(store);
    concurrent(store);
}

/// Puts, gets, overwrites, byte-ordered scans, deletes, prefix deletes and the absent-key
/// checks of one batch.
fn basics(store: &dyn Store) {
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

/// Values read by a batch are the ones just before its writes; a failed batch reads nothing
/// and writes nothing.
fn read_previous(store: &dyn Store) {
    let before = store
        .commit_and_read(
            Batch::new()
                .read_previous(Table::Buckets, b"r".to_vec())
                .put(Table::Buckets, b"r".to_vec(), b"one".to_vec()),
        )
        .unwrap();
    assert_eq!(before, vec![None]);
    let before = store
        .commit_and_read(
            Batch::new()
                .read_previous(Table::Buckets, b"r".to_vec())
                .read_previous(Table::Buckets, b"missing".to_vec())
                .put(Table::Buckets, b"r".to_vec(), b"two".to_vec()),
        )
        .unwrap();
    assert_eq!(before, vec![Some(b"one".to_vec()), None]);
    let failed = store.commit_and_read(
        Batch::new()
            .require_absent(Table::Buckets, b"r".to_vec())
            .read_previous(Table::Buckets, b"r".to_vec())
            .put(Table::Buckets, b"r".to_vec(), b"three".to_vec()),
    );
    assert!(matches!(failed, Err(StoreError::Conflict(_))));
    assert_eq!(
        store.get(Table::Buckets, b"r").unwrap().as_deref(),
        Some(&b"two"[..])
    );
}

/// Many threads committing at once (grouped into shared transactions where the backend does
/// that): every batch lands exactly once, and of the batches racing for one absent key exactly
/// one wins while the others fail alone.
fn concurrent(store: &(dyn Store + Sync)) {
    let wins = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for t in 0..8u8 {
            let wins = &wins;
            scope.spawn(move || {
                for i in 0..25u8 {
                    store
                        .commit(Batch::new().put(Table::Uploads, vec![t, i], vec![t, i]))
                        .unwrap();
                    let raced =
                        store.commit(Batch::new().require_absent(Table::Meta, vec![b'x', i]).put(
                            Table::Meta,
                            vec![b'x', i],
                            vec![t],
                        ));
                    match raced {
                        Ok(()) => {
                            wins.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Err(StoreError::Conflict(_)) => {}
                        Err(e) => panic!("unexpected failure: {e}"),
                    }
                }
            });
        }
    });
    let all = store.scan(Table::Uploads, &KeyRange::all(), 1000).unwrap();
    assert_eq!(all.len(), 200);
    assert!(all.iter().all(|(k, v)| k == v));
    assert_eq!(wins.load(std::sync::atomic::Ordering::Relaxed), 25);
    assert_eq!(
        store
            .scan(Table::Meta, &KeyRange::prefix(b"x"), 1000)
            .unwrap()
            .len(),
        25
    );
}
