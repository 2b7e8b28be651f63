//! The S3 operations: one module per group of handlers (`impl Gateway` methods that s3s's trait
//! calls through `service`), with the helpers they share in `wire` and `conditions`. Nothing
//! below this module imports it.

mod bucket;
mod conditions;
mod config;
mod copy;
mod listing;
mod multipart;
mod object;
mod tagging;
mod versions;
mod wire;
