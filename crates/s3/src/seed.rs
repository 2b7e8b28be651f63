//! Writing buckets and objects directly, for worlds built at start-up (`serve --demo`).

use std::path::Path;

use gatehouse_policy::AccountId;
use gatehouse_store::{Batch, Store, StoreError, Table};

use crate::model::blob::BlobStore;
use crate::model::body;
use crate::model::bucket_config::ObjectOwnership;
use crate::model::keys::object_key;
use crate::model::meta::{self, Bucket, ObjectMeta};
use crate::model::versioning::VersionId;

/// Creates `name` owned by `owner` if no bucket has that name; returns whether it was created.
pub fn create_bucket(
    store: &dyn Store,
    name: &str,
    owner: AccountId,
    region: &str,
) -> Result<bool, StoreError> {
    let bucket = Bucket {
        name: name.to_owned(),
        owner,
        created: gatehouse_core::entities::now(),
        region: region.to_owned(),
        policy: None,
        public_access_block: None,
        tags: vec![],
        versioning: Default::default(),
        mfa_delete: None,
        encryption: None,
        ownership: Some(ObjectOwnership::BucketOwnerEnforced),
    };
    match store.commit(
        Batch::new()
            .require_absent(Table::Buckets, name.as_bytes().to_vec())
            .put(
                Table::Buckets,
                name.as_bytes().to_vec(),
                meta::encode(&bucket),
            ),
    ) {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Stores an object durably (a blob first when it is too big to be inline, then the record).
/// Only for a store no running gateway caches (seeding before start-up).
pub async fn put_object(
    store: &dyn Store,
    data_dir: &Path,
    bucket: &str,
    key: &str,
    bytes: &[u8],
    owner: AccountId,
    content_type: &str,
) -> std::io::Result<()> {
    use s3s::crypto::Checksum as _;
    let blobs = BlobStore::open(&data_dir.join("objects"))?;
    let mut sink = blobs.sink(crate::model::blob::INLINE_MAX, Some(bytes.len() as u64));
    sink.write(&blobs, bytes).await?;
    let size = sink.len();
    let body = sink.finish(&blobs).await?;
    let md5 = s3s::crypto::Md5::checksum(bytes);
    let meta = ObjectMeta {
        key: key.to_owned(),
        size,
        etag: body::etag(&md5),
        last_modified: gatehouse_core::entities::now(),
        body,
        headers: [("content-type".to_owned(), content_type.to_owned())]
            .into_iter()
            .collect(),
        metadata: Default::default(),
        tags: vec![],
        checksums: Default::default(),
        parts: None,
        part_sizes: Vec::new(),
        owner,
        version: VersionId::Null,
        seq: 0,
    };
    store
        .commit(Batch::new().put(
            Table::Objects,
            object_key(bucket, key),
            meta::encode_object(&meta),
        ))
        .map_err(std::io::Error::other)
}
