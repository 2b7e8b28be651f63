//! The Gatehouse S3 data plane on s3s: bucket, object and multipart operations over a
//! durable blob store, with every request authorized by IAM policy — the caller's policies,
//! the bucket policy, and S3's request context keys.

pub mod access;
mod authz_log;
pub mod error;
pub mod gateway;
pub mod model;
pub mod operations;
mod ops;
pub mod public;
mod records;
pub mod seed;
mod service;

use std::path::Path;
use std::sync::Arc;

use gatehouse_core::Iam;
use gatehouse_store::Store;
use s3s::host::{S3Host, VirtualHost};
use s3s::service::{S3Service, S3ServiceBuilder};

pub use access::{GatehouseAccess, GatehouseAuth, S3Caller, resolving_once};
pub use authz_log::{AuthzNote, AuthzNotes};
pub use gateway::{ClientAddr, Gateway};

/// Virtual-host addressing: `<bucket>.<base>` for any configured base (port ignored);
/// anything else is path-style.
#[derive(Debug, Clone)]
pub struct Hosts {
    bases: Vec<String>,
}

impl Hosts {
    /// Recognizes `<bucket>.<base>` for each base.
    pub fn new(bases: Vec<String>) -> Self {
        Self { bases }
    }
}

impl S3Host for Hosts {
    fn parse_host_header<'a>(&'a self, host: &'a str) -> s3s::S3Result<VirtualHost<'a>> {
        let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
        for base in &self.bases {
            if let Some(bucket) = name
                .strip_suffix(base.as_str())
                .and_then(|b| b.strip_suffix('.'))
                && !bucket.is_empty()
            {
                return Ok(VirtualHost::new(base.as_str()).with_bucket(bucket));
            }
        }
        Ok(VirtualHost::new(host))
    }
}

/// Builds the S3 service: blobs under `data_dir/objects`, metadata in `store`.
pub fn service(
    iam: Arc<Iam>,
    store: Arc<dyn Store>,
    data_dir: &Path,
    region: &str,
    host_bases: Vec<String>,
) -> std::io::Result<S3Service> {
    let blobs = model::blob::BlobStore::open(&data_dir.join("objects"))?;
    let gateway = Gateway::new(iam.clone(), store, blobs, region.to_owned());
    let mut builder = S3ServiceBuilder::new(gateway);
    builder.set_auth(GatehouseAuth { iam: iam.clone() });
    builder.set_access(GatehouseAccess {
        iam,
        region: region.to_owned(),
    });
    builder.set_host(Hosts::new(host_bases));
    Ok(builder.build())
}
