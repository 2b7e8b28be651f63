//! What S3 keeps, and nothing that serves a request: object bodies and their blobs, bucket and
//! object records, version ids, store keys, the object-record cache and key locks. Everything
//! above builds on this module; it imports only the error map.

pub mod blob;
pub mod body;
pub mod bucket_config;
pub(crate) mod key_locks;
pub mod keys;
pub mod meta;
pub(crate) mod object_cache;
pub mod versioning;
