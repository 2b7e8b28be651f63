//! Object records as the handlers see them: read through the in-memory cache, and committed
//! so that the cache stays true and replaced blobs are released exactly once.

use std::sync::Arc;

use gatehouse_store::{Batch, Table, Write};
use s3s::S3Result;

use crate::blob::ObjectBody;
use crate::gateway::{Gateway, store_error};
use crate::meta::{self, ObjectMeta, object_key};

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

    /// Commits a batch that writes object records and returns the previous records it asked
    /// for ([`Batch::read_previous`]), decoded. The cache forgets every record written before
    /// the blocking task ends, so even a request dropped mid-commit leaves it true.
    pub(crate) async fn commit_objects(&self, batch: Batch) -> S3Result<Vec<Option<ObjectMeta>>> {
        let cache = self.objects.clone();
        let previous = self
            .blocking(move |s| {
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
                let result = s.commit_and_read(batch);
                for k in &written {
                    cache.invalidate(k);
                }
                if broad {
                    cache.clear();
                }
                result
            })
            .await?;
        previous
            .into_iter()
            .map(|r| r.map(meta::decode_object).transpose())
            .collect::<Result<_, _>>()
            .map_err(store_error)
    }

    /// Commits an object record whose body is durable, and drops the blob of the record it
    /// replaced (read inside the same commit, so racing writers each drop exactly what they
    /// replaced).
    pub(crate) async fn commit_object(&self, bucket: &str, meta: &ObjectMeta) -> S3Result<()> {
        let k = object_key(bucket, &meta.key);
        let batch = Batch::new().read_previous(Table::Objects, k.clone()).put(
            Table::Objects,
            k,
            meta::encode_object(meta),
        );
        let previous = self.commit_objects(batch).await?;
        self.release_replaced(previous, Some(&meta.body)).await;
        Ok(())
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
