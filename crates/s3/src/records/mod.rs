//! Object records as the handlers see them: read through the in-memory cache, and committed
//! so that the cache stays true and replaced blobs are released exactly once. Writes to a
//! bucket that keeps versions go through the plans in [`crate::records::version_writes`].

pub(crate) mod version_listing;
pub(crate) mod version_writes;

use std::sync::Arc;

use gatehouse_policy::AccountId;
use gatehouse_store::{Batch, Store, StoreError, Table, Write};
use s3s::S3Result;

use crate::error::store_error;
use crate::gateway::Gateway;
use crate::model::blob::ObjectBody;
use crate::model::keys::object_key;
use crate::model::meta::{self, Bucket, ObjectMeta};
use crate::model::object_cache::ObjectCache;
use crate::model::versioning::VersionId;
use version_writes::{Found, Outcome, Plan};

/// Forgets, in `cache`, every object record `batch` writes.
fn forget_written(cache: &Arc<ObjectCache>, batch: &Batch) -> impl FnOnce() + use<> {
    let written: Vec<Vec<u8>> = batch
        .writes
        .iter()
        .filter_map(|w| match w {
            Write::Put {
                table: Table::Objects,
                key,
                ..
            }
            | Write::Delete {
                table: Table::Objects,
                key,
            } => Some(key.clone()),
            _ => None,
        })
        .collect();
    let broad = batch.writes.iter().any(|w| {
        matches!(
            w,
            Write::DeletePrefix {
                table: Table::Objects,
                ..
            }
        )
    });
    let cache = cache.clone();
    move || {
        for k in &written {
            cache.invalidate(k);
        }
        if broad {
            cache.clear();
        }
    }
}

impl Gateway {
    /// The record of `key` in `bucket`, from the object cache or (one blocking read) the store.
    pub(crate) async fn object(
        &self,
        bucket: &str,
        key: &str,
    ) -> S3Result<Option<Arc<ObjectMeta>>> {
        let k = object_key(bucket, key);
        let miss = match self.objects.get(&k) {
            Ok(hit) => return Ok(Some(hit)),
            Err(miss) => miss,
        };
        let cache = self.objects.clone();
        self.blocking(move |s| {
            let found = meta::get_object(s, &k)?.map(Arc::new);
            if let Some(meta) = &found {
                cache.fill(miss, k, meta);
            }
            Ok(found)
        })
        .await
    }

    /// The version `id` of `key`: the current object when it has that id, else the stored
    /// noncurrent version or delete marker.
    pub(crate) async fn find_version(
        &self,
        bucket: &str,
        key: &str,
        id: &VersionId,
    ) -> S3Result<Option<Found>> {
        if let Some(current) = self.object(bucket, key).await?
            && current.version == *id
        {
            return Ok(Some(Found::Current(current)));
        }
        let (bucket, key, id) = (bucket.to_owned(), key.to_owned(), id.clone());
        let found = self
            .blocking(move |s| version_writes::stored_version(s, &bucket, &key, &id))
            .await?;
        Ok(found.map(|(_, v)| Found::Noncurrent(Box::new(v))))
    }

    /// Commits a batch that writes object records and returns the previous records it asked
    /// for ([`Batch::read_previous`]), decoded. The cache forgets every record written before
    /// the blocking task ends, so even a request dropped mid-commit leaves it true.
    pub(crate) async fn commit_objects(&self, batch: Batch) -> S3Result<Vec<Option<ObjectMeta>>> {
        let forget = forget_written(&self.objects, &batch);
        let previous = self
            .blocking(move |s| {
                let result = s.commit_and_read(batch);
                forget();
                result
            })
            .await?;
        previous
            .into_iter()
            .map(|r| r.map(meta::decode_object).transpose())
            .collect::<Result<_, _>>()
            .map_err(store_error)
    }

    /// Plans and commits a write to `key`'s versions in one blocking task, holding the key's
    /// lock from the reads the plan makes to the end of the commit; then releases the blobs of
    /// the versions the plan removed for good.
    async fn commit_planned(
        &self,
        bucket: &str,
        key: &str,
        plan: impl FnOnce(&dyn Store) -> Result<Plan, StoreError> + Send + 'static,
    ) -> S3Result<Outcome> {
        let locks = self.key_locks.clone();
        let cache = self.objects.clone();
        let k = object_key(bucket, key);
        let plan = self
            .blocking(move |s| {
                let _held = locks.lock(&k);
                let plan = plan(s)?;
                let forget = forget_written(&cache, &plan.batch);
                let result = s.commit(plan.batch.clone());
                forget();
                result.map(|()| plan)
            })
            .await?;
        for body in &plan.released {
            self.blobs.release(body).await;
        }
        Ok(plan.outcome)
    }

    /// Makes `meta` the current object of its key, with `extra` writes in the same commit, as
    /// the bucket's versioning says: replacing the current object (never versioned), or moving
    /// it aside as a noncurrent version (enabled; suspended unless it is the `null` version).
    pub(crate) async fn commit_object(
        &self,
        bucket: &Bucket,
        meta: ObjectMeta,
        extra: Batch,
    ) -> S3Result<Outcome> {
        if !bucket.versioning.keeps_versions() {
            let k = object_key(&bucket.name, &meta.key);
            let mut batch = Batch::new().read_previous(Table::Objects, k.clone()).put(
                Table::Objects,
                k,
                meta::encode_object(&meta),
            );
            batch.absent.extend(extra.absent);
            batch.writes.extend(extra.writes);
            let previous = self.commit_objects(batch).await?;
            self.release_replaced(previous, Some(&meta.body)).await;
            return Ok(Outcome::default());
        }
        let (name, versioning) = (bucket.name.clone(), bucket.versioning);
        let key = meta.key.clone();
        self.commit_planned(&bucket.name, &key, move |s| {
            version_writes::put_current(s, &name, versioning, meta, extra)
        })
        .await
    }

    /// `DeleteObject` without a version id: removes the current object (never versioned), or
    /// puts a delete marker on top of the key's history.
    pub(crate) async fn delete_current(
        &self,
        bucket: &Bucket,
        key: &str,
        owner: AccountId,
    ) -> S3Result<Outcome> {
        if !bucket.versioning.keeps_versions() {
            let k = object_key(&bucket.name, key);
            let batch = Batch::new()
                .read_previous(Table::Objects, k.clone())
                .delete(Table::Objects, k);
            let previous = self.commit_objects(batch).await?;
            self.release_replaced(previous, None).await;
            return Ok(Outcome::default());
        }
        let (name, versioning) = (bucket.name.clone(), bucket.versioning);
        let key_owned = key.to_owned();
        self.commit_planned(&bucket.name, key, move |s| {
            version_writes::put_delete_marker(s, &name, versioning, &key_owned, owner)
        })
        .await
    }

    /// `DeleteObject` with a version id: removes that version for good, and when it was the
    /// key's current version the next newest object version becomes current.
    pub(crate) async fn delete_version(
        &self,
        bucket: &Bucket,
        key: &str,
        id: &VersionId,
    ) -> S3Result<Outcome> {
        let (name, key_owned, id) = (bucket.name.clone(), key.to_owned(), id.clone());
        self.commit_planned(&bucket.name, key, move |s| {
            version_writes::remove_version(s, &name, &key_owned, &id)
        })
        .await
    }

    /// Replaces the tags of version `id` of `key` (the current object when `id` is `None`),
    /// read again under the key's lock; the body stays where it is.
    pub(crate) async fn retag(
        &self,
        bucket: &str,
        key: &str,
        id: Option<VersionId>,
        tags: Vec<(String, String)>,
    ) -> S3Result<()> {
        let (name, key_owned) = (bucket.to_owned(), key.to_owned());
        self.commit_planned(bucket, key, move |s| {
            version_writes::retag(s, &name, &key_owned, id.as_ref(), tags)
        })
        .await
        .map(drop)
    }

    /// Removes the blobs of replaced or deleted records, except the one still in use.
    pub(crate) async fn release_replaced(
        &self,
        previous: Vec<Option<ObjectMeta>>,
        kept: Option<&ObjectBody>,
    ) {
        for prev in previous.into_iter().flatten() {
            if kept != Some(&prev.body) {
                self.blobs.release(&prev.body).await;
            }
        }
    }
}
