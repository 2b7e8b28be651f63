//! Plans for writes to a key's versions in a bucket that keeps them: what moves from `Objects`
//! to `Versions`, what is removed for good (and whose blob is then released), and what the
//! response says. Each plan reads the store and returns one batch; the caller holds the key's
//! lock from the reads to the commit.

use gatehouse_policy::AccountId;
use gatehouse_store::{Batch, KeyRange, Store, StoreError, Table};
use std::sync::Arc;

use crate::model::blob::ObjectBody;
use crate::model::keys::object_key;
use crate::model::keys::version_key;
use crate::model::keys::versions_prefix;
use crate::model::meta::DeleteMarker;
use crate::model::meta::StoredVersion;
use crate::model::meta::{self, ObjectMeta};
use crate::model::versioning::{VersionId, Versioning, next_seq};

/// What a write did to a key's versions, for the response headers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// The version written or removed (`None` on a bucket that never had versioning).
    pub version: Option<VersionId>,
    /// True when that version is a delete marker.
    pub delete_marker: bool,
}

/// A version found by its id.
#[derive(Debug, Clone)]
pub(crate) enum Found {
    /// The key's current object.
    Current(Arc<ObjectMeta>),
    /// A noncurrent version or a delete marker.
    Noncurrent(Box<StoredVersion>),
}

/// One planned write: the batch, the bodies to release once it is committed, and what the
/// response reports.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub batch: Batch,
    pub released: Vec<ObjectBody>,
    pub outcome: Outcome,
}

impl Plan {
    /// Moves the current object `current` aside into `Versions`.
    fn move_aside(&mut self, bucket: &str, current: ObjectMeta) {
        let k = version_key(bucket, &current.key, current.seq);
        let record = StoredVersion::Object(current).encode();
        self.batch = std::mem::take(&mut self.batch).put(Table::Versions, k, record);
    }

    /// Removes a stored version for good.
    fn remove_stored(&mut self, store_key: Vec<u8>, version: StoredVersion) {
        self.batch = std::mem::take(&mut self.batch).delete(Table::Versions, store_key);
        if let StoredVersion::Object(o) = version {
            self.released.push(o.body);
        }
    }

    /// Makes the stored object version `version` the current object.
    fn promote(&mut self, bucket: &str, store_key: Vec<u8>, version: &ObjectMeta) {
        let k = object_key(bucket, &version.key);
        self.batch = std::mem::take(&mut self.batch)
            .delete(Table::Versions, store_key)
            .put(Table::Objects, k, meta::encode_object(version));
    }

    /// Clears the way for a new `null` version while versioning is suspended: the current
    /// object is removed when it is the `null` version and moved aside otherwise, and a stored
    /// `null` version is removed.
    fn replace_null(
        &mut self,
        store: &dyn Store,
        bucket: &str,
        key: &str,
        current: Option<ObjectMeta>,
    ) -> Result<(), StoreError> {
        if let Some(c) = current {
            if c.version.is_null() {
                self.released.push(c.body);
            } else {
                self.move_aside(bucket, c);
            }
        }
        if let Some((k, v)) = stored_version(store, bucket, key, &VersionId::Null)? {
            self.remove_stored(k, v);
        }
        Ok(())
    }
}

/// The stored (noncurrent or delete-marker) version `id` of `key`, with its store key. An
/// issued id names its store key; the `null` version is found among the key's versions.
pub(crate) fn stored_version(
    store: &dyn Store,
    bucket: &str,
    key: &str,
    id: &VersionId,
) -> Result<Option<(Vec<u8>, StoredVersion)>, StoreError> {
    if let Some(seq) = id.seq() {
        let k = version_key(bucket, key, seq);
        return Ok(match store.get(Table::Versions, &k)? {
            Some(record) => {
                let v = StoredVersion::decode(record)?;
                (v.version() == id).then_some((k, v))
            }
            None => None,
        });
    }
    let prefix = versions_prefix(bucket, key);
    let mut range = KeyRange::prefix(&prefix);
    loop {
        let page = store.scan(Table::Versions, &range, 1000)?;
        let full = page.len() == 1000;
        let last = page.last().map(|(k, _)| k.clone());
        for (k, record) in page {
            let v = StoredVersion::decode(record)?;
            if v.version().is_null() {
                return Ok(Some((k, v)));
            }
        }
        match last {
            Some(last) if full => range = KeyRange::prefix_after(&prefix, &last),
            _ => return Ok(None),
        }
    }
}

/// The newest stored version of `key` other than the one at `except`.
fn newest_stored(
    store: &dyn Store,
    bucket: &str,
    key: &str,
    except: Option<&[u8]>,
) -> Result<Option<(Vec<u8>, StoredVersion)>, StoreError> {
    let page = store.scan(
        Table::Versions,
        &KeyRange::prefix(&versions_prefix(bucket, key)),
        2,
    )?;
    page.into_iter()
        .find(|(k, _)| Some(k.as_slice()) != except)
        .map(|(k, record)| StoredVersion::decode(record).map(|v| (k, v)))
        .transpose()
}

/// `PutObject` (and copies and completed uploads): `meta` becomes the current object with a
/// fresh id (enabled) or as the `null` version (suspended).
pub(crate) fn put_current(
    store: &dyn Store,
    bucket: &str,
    versioning: Versioning,
    mut meta: ObjectMeta,
    extra: Batch,
) -> Result<Plan, StoreError> {
    let k = object_key(bucket, &meta.key);
    let current = meta::get_object(store, &k)?;
    let mut plan = Plan {
        batch: extra,
        ..Plan::default()
    };
    meta.seq = next_seq();
    if versioning == Versioning::Enabled {
        meta.version = VersionId::issue(meta.seq);
        if let Some(c) = current {
            plan.move_aside(bucket, c);
        }
    } else {
        meta.version = VersionId::Null;
        plan.replace_null(store, bucket, &meta.key, current)?;
    }
    plan.released.retain(|b| *b != meta.body);
    // S3 names only issued versions in a write's response; a `null` one goes unsaid.
    plan.outcome.version = (!meta.version.is_null()).then(|| meta.version.clone());
    plan.batch = plan
        .batch
        .put(Table::Objects, k, meta::encode_object(&meta));
    Ok(plan)
}

/// `DeleteObject` without a version id: a delete marker becomes the key's latest version,
/// with a fresh id (enabled) or as the `null` version (suspended).
pub(crate) fn put_delete_marker(
    store: &dyn Store,
    bucket: &str,
    versioning: Versioning,
    key: &str,
    owner: AccountId,
) -> Result<Plan, StoreError> {
    let k = object_key(bucket, key);
    let current = meta::get_object(store, &k)?;
    let mut plan = Plan::default();
    let seq = next_seq();
    let version = if versioning == Versioning::Enabled {
        if let Some(c) = current.clone() {
            plan.move_aside(bucket, c);
        }
        VersionId::issue(seq)
    } else {
        plan.replace_null(store, bucket, key, current.clone())?;
        VersionId::Null
    };
    if current.is_some() {
        plan.batch = std::mem::take(&mut plan.batch).delete(Table::Objects, k);
    }
    let marker = DeleteMarker {
        key: key.to_owned(),
        version: version.clone(),
        seq,
        last_modified: gatehouse_core::entities::now(),
        owner,
    };
    plan.batch = std::mem::take(&mut plan.batch).put(
        Table::Versions,
        version_key(bucket, key, seq),
        StoredVersion::Marker(marker).encode(),
    );
    plan.outcome = Outcome {
        version: Some(version),
        delete_marker: true,
    };
    Ok(plan)
}

/// `DeleteObject` with a version id: that version is removed for good. When it was the
/// current object, or the delete marker on top, the newest remaining object version becomes
/// current. Removing a version that does not exist changes nothing.
pub(crate) fn remove_version(
    store: &dyn Store,
    bucket: &str,
    key: &str,
    id: &VersionId,
) -> Result<Plan, StoreError> {
    let k = object_key(bucket, key);
    let current = meta::get_object(store, &k)?;
    let mut plan = Plan::default();
    plan.outcome.version = Some(id.clone());
    match current {
        Some(c) if c.version == *id => {
            plan.batch = std::mem::take(&mut plan.batch).delete(Table::Objects, k);
            plan.released.push(c.body);
            if let Some((sk, StoredVersion::Object(next))) =
                newest_stored(store, bucket, key, None)?
            {
                plan.promote(bucket, sk, &next);
            }
        }
        current => {
            let Some((sk, version)) = stored_version(store, bucket, key, id)? else {
                return Ok(plan);
            };
            plan.outcome.delete_marker = matches!(version, StoredVersion::Marker(_));
            if current.is_none()
                && let Some((nk, StoredVersion::Object(next))) =
                    newest_stored(store, bucket, key, Some(&sk))?
                && nk > sk
            {
                // The removed version was the newest (a delete marker, as nothing newer than a
                // current object is ever stored): the next object version becomes current.
                plan.promote(bucket, nk, &next);
            }
            plan.remove_stored(sk, version);
        }
    }
    Ok(plan)
}

/// Replaces the tags of version `id` (the current object when `None`), read under the lock.
pub(crate) fn retag(
    store: &dyn Store,
    bucket: &str,
    key: &str,
    id: Option<&VersionId>,
    tags: Vec<(String, String)>,
) -> Result<Plan, StoreError> {
    let k = object_key(bucket, key);
    let current = meta::get_object(store, &k)?;
    let found = match (current, id) {
        (Some(c), None) => Some(Found::Current(c.into())),
        (Some(c), Some(id)) if c.version == *id => Some(Found::Current(c.into())),
        (_, Some(id)) => {
            stored_version(store, bucket, key, id)?.map(|(_, v)| Found::Noncurrent(Box::new(v)))
        }
        (None, None) => None,
    };
    let mut plan = Plan::default();
    match found {
        Some(Found::Current(c)) => {
            let mut c = std::sync::Arc::unwrap_or_clone(c);
            c.tags = tags;
            plan.batch = plan.batch.put(Table::Objects, k, meta::encode_object(&c));
        }
        Some(Found::Noncurrent(v)) if matches!(*v, StoredVersion::Object(_)) => {
            let StoredVersion::Object(mut o) = *v else {
                return Ok(plan);
            };
            o.tags = tags;
            let vk = version_key(bucket, key, o.seq);
            plan.batch = plan
                .batch
                .put(Table::Versions, vk, StoredVersion::Object(o).encode());
        }
        // Gone since the handler looked, or a delete marker: nothing to tag.
        Some(Found::Noncurrent(_)) | None => {}
    }
    Ok(plan)
}

/// The delete marker on top of `key`'s history, when the key has no current object.
pub(crate) fn latest_marker(
    store: &dyn Store,
    bucket: &str,
    key: &str,
) -> Result<Option<DeleteMarker>, StoreError> {
    Ok(match newest_stored(store, bucket, key, None)? {
        Some((_, StoredVersion::Marker(m))) => Some(m),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use gatehouse_store::MemoryStore;
    use jiff::Timestamp;

    use super::*;
    use crate::records::version_listing::{VersionResume, VersionStart, list_versions};

    const B: &str = "bkt";

    fn object(key: &str, text: &str) -> ObjectMeta {
        ObjectMeta {
            key: key.into(),
            size: text.len() as u64,
            etag: format!("\"{text}\""),
            last_modified: Timestamp::UNIX_EPOCH,
            body: ObjectBody::Inline(bytes::Bytes::copy_from_slice(text.as_bytes())),
            headers: BTreeMap::new(),
            metadata: BTreeMap::new(),
            tags: vec![],
            checksums: BTreeMap::new(),
            parts: None,
            part_sizes: vec![],
            owner: owner(),
            version: VersionId::Null,
            seq: 0,
        }
    }

    fn owner() -> AccountId {
        "111111111111".parse().unwrap()
    }

    fn apply(store: &MemoryStore, plan: Result<Plan, StoreError>) -> Plan {
        let plan = plan.unwrap();
        store.commit(plan.batch.clone()).unwrap();
        plan
    }

    fn put(store: &MemoryStore, v: Versioning, key: &str, text: &str) -> Option<VersionId> {
        apply(
            store,
            put_current(store, B, v, object(key, text), Batch::new()),
        )
        .outcome
        .version
    }

    /// `(key, version, is_latest, text or "<marker>")` of every version, in listing order.
    fn listed(store: &MemoryStore) -> Vec<(String, String, bool, String)> {
        let l = list_versions(store, B, "", None, &VersionStart::Beginning, 1000).unwrap();
        l.versions
            .into_iter()
            .map(|v| {
                let text = match &v.version {
                    StoredVersion::Object(o) => o.etag.trim_matches('"').to_owned(),
                    StoredVersion::Marker(_) => "<marker>".into(),
                };
                (
                    v.version.key().to_owned(),
                    v.version.version().as_str().to_owned(),
                    v.is_latest,
                    text,
                )
            })
            .collect()
    }

    fn current_text(store: &MemoryStore, key: &str) -> Option<String> {
        meta::get_object(store, &object_key(B, key))
            .unwrap()
            .map(|m| m.etag.trim_matches('"').to_owned())
    }

    #[test]
    fn enabled_writes_keep_every_version_newest_first() {
        let s = MemoryStore::new();
        // Written before versioning: the null version.
        s.commit(Batch::new().put(
            Table::Objects,
            object_key(B, "k"),
            meta::encode_object(&object("k", "v0")),
        ))
        .unwrap();
        let v1 = put(&s, Versioning::Enabled, "k", "v1").unwrap();
        let v2 = put(&s, Versioning::Enabled, "k", "v2").unwrap();
        let got = listed(&s);
        let ids: Vec<_> = got
            .iter()
            .map(|(_, id, latest, t)| (id.clone(), *latest, t.clone()))
            .collect();
        assert_eq!(
            ids,
            vec![
                (v2.as_str().to_owned(), true, "v2".into()),
                (v1.as_str().to_owned(), false, "v1".into()),
                ("null".into(), false, "v0".into()),
            ]
        );
    }

    #[test]
    fn markers_hide_and_removing_them_restores() {
        let s = MemoryStore::new();
        let v1 = put(&s, Versioning::Enabled, "k", "v1").unwrap();
        let marker = apply(
            &s,
            put_delete_marker(&s, B, Versioning::Enabled, "k", owner()),
        );
        assert!(marker.outcome.delete_marker && marker.released.is_empty());
        assert_eq!(current_text(&s, "k"), None);
        let m = marker.outcome.version.unwrap();
        assert_eq!(latest_marker(&s, B, "k").unwrap().unwrap().version, m);
        let got = listed(&s);
        assert_eq!((got[0].1.as_str(), got[0].2), (m.as_str(), true));
        assert_eq!((got[1].1.as_str(), got[1].2), (v1.as_str(), false));

        let removed = apply(&s, remove_version(&s, B, "k", &m));
        assert!(removed.outcome.delete_marker);
        assert_eq!(current_text(&s, "k").as_deref(), Some("v1"));
        assert_eq!(listed(&s).len(), 1);
    }

    #[test]
    fn removing_the_current_version_promotes_the_next_and_releases_its_body() {
        let s = MemoryStore::new();
        put(&s, Versioning::Enabled, "k", "v1");
        let v2 = put(&s, Versioning::Enabled, "k", "v2").unwrap();
        let plan = apply(&s, remove_version(&s, B, "k", &v2));
        assert_eq!(plan.released.len(), 1);
        assert_eq!(current_text(&s, "k").as_deref(), Some("v1"));
        let got = listed(&s);
        assert_eq!(got.len(), 1);
        assert!(got[0].2, "the promoted version is the latest");
        // A version that does not exist changes nothing.
        let none = apply(&s, remove_version(&s, B, "k", &VersionId::issue(1)));
        assert!(none.batch.is_empty() && none.released.is_empty());
    }

    #[test]
    fn suspended_writes_replace_only_the_null_version() {
        let s = MemoryStore::new();
        let kept = put(&s, Versioning::Enabled, "k", "kept").unwrap();
        assert_eq!(put(&s, Versioning::Suspended, "k", "n1"), None);
        let second = apply(
            &s,
            put_current(
                &s,
                B,
                Versioning::Suspended,
                object("k", "n2"),
                Batch::new(),
            ),
        );
        assert_eq!(
            second.released.len(),
            1,
            "the first null version's body is released"
        );
        let got = listed(&s);
        let ids: Vec<_> = got
            .iter()
            .map(|(_, id, _, t)| (id.clone(), t.clone()))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("null".into(), "n2".into()),
                (kept.as_str().to_owned(), "kept".into())
            ]
        );
        let marker = apply(
            &s,
            put_delete_marker(&s, B, Versioning::Suspended, "k", owner()),
        );
        assert_eq!(marker.outcome.version, Some(VersionId::Null));
        assert_eq!(marker.released.len(), 1);
        let got = listed(&s);
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].1.as_str(), got[0].2, got[0].3.as_str()),
            ("null", true, "<marker>")
        );
    }

    #[test]
    fn pages_resume_after_a_version_and_roll_up_prefixes() {
        let s = MemoryStore::new();
        for key in ["a", "d/1", "d/2", "z"] {
            for n in 0..3 {
                put(&s, Versioning::Enabled, key, &format!("{key}{n}"));
            }
        }
        let all = listed(&s);
        assert_eq!(all.len(), 12);
        let mut seen = Vec::new();
        let mut start = VersionStart::Beginning;
        loop {
            let page = list_versions(&s, B, "", None, &start, 5).unwrap();
            seen.extend(
                page.versions
                    .iter()
                    .map(|v| v.version.version().as_str().to_owned()),
            );
            if !page.truncated {
                break;
            }
            let Some(VersionResume::After(k, v)) = page.resume else {
                panic!("resume")
            };
            start = VersionStart::AfterVersion(k, v.seq().unwrap());
        }
        assert_eq!(seen, all.iter().map(|x| x.1.clone()).collect::<Vec<_>>());
        // Resumed inside a key's history, the rest of it is not latest.
        let first = &all[0];
        let page = list_versions(
            &s,
            B,
            "",
            None,
            &VersionStart::AfterVersion(
                first.0.clone(),
                VersionId::parse(&first.1).unwrap().seq().unwrap(),
            ),
            2,
        )
        .unwrap();
        assert!(page.versions.iter().all(|v| !v.is_latest));

        let rolled = list_versions(&s, B, "", Some("/"), &VersionStart::Beginning, 1000).unwrap();
        assert_eq!(rolled.common_prefixes, vec!["d/".to_owned()]);
        assert_eq!(rolled.versions.len(), 6);
        let after =
            list_versions(&s, B, "", Some("/"), &VersionStart::Past("d/".into()), 1000).unwrap();
        assert!(after.versions.iter().all(|v| v.version.key() == "z"));
    }

    #[test]
    fn retag_reaches_noncurrent_versions() {
        let s = MemoryStore::new();
        let v1 = put(&s, Versioning::Enabled, "k", "v1").unwrap();
        put(&s, Versioning::Enabled, "k", "v2");
        apply(
            &s,
            retag(&s, B, "k", Some(&v1), vec![("t".into(), "1".into())]),
        );
        let Some((_, StoredVersion::Object(o))) = stored_version(&s, B, "k", &v1).unwrap() else {
            panic!("v1 is stored")
        };
        assert_eq!(o.tags, vec![("t".to_owned(), "1".to_owned())]);
        assert!(
            meta::get_object(&s, &object_key(B, "k"))
                .unwrap()
                .unwrap()
                .tags
                .is_empty()
        );
    }
}
