//! End-to-end tests of Gatehouse: each test in `tests/` starts the real `gatehouse` binary on a
//! free loopback port with a fresh data directory and drives it over HTTP with the official
//! AWS SDK for Rust (`aws-sdk-iam`, `aws-sdk-sts`), asserting AWS's exact error codes and
//! messages. This library is empty; the tests live in `tests/`, their harness in
//! `tests/common/mod.rs`.
