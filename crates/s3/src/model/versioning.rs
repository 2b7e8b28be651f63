//! A bucket's versioning state and object version ids.
//!
//! The current object of a key stays in `Objects` (what GET, HEAD and `ListObjects` read, so they
//! cost the same on versioned buckets); noncurrent versions and delete markers live in
//! `Versions` (see `keys` for where, `meta` for their records).

use std::sync::atomic::{AtomicU64, Ordering};

use rand::Rng;
use serde::{Deserialize, Serialize};

/// A bucket's versioning state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Versioning {
    /// Versioning was never enabled: every object is its key's one version, `null`.
    #[default]
    Unversioned,
    /// Every write gets a fresh version id; older versions are kept.
    Enabled,
    /// New writes replace the `null` version; versions written while enabled are kept.
    Suspended,
}

impl Versioning {
    /// True once versioning has been enabled at least once (enabled or suspended).
    pub fn keeps_versions(self) -> bool {
        self != Versioning::Unversioned
    }
}

/// The version id of every object written while versioning is off or suspended.
pub const NULL_VERSION: &str = "null";

/// A version id: `null`, or one this server issued (32 characters: sixteen hex digits that
/// give the version's place in its key's history, then sixteen random letters and digits).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum VersionId {
    /// The `null` version.
    #[default]
    Null,
    /// An issued id; only [`VersionId::issue`] and [`VersionId::parse`] make one.
    Issued(String),
}

impl VersionId {
    /// A fresh id for a version written at `seq`.
    pub fn issue(seq: u64) -> Self {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut rng = rand::rng();
        let tail: String = (0..16)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        VersionId::Issued(format!("{}{tail}", order_text(seq)))
    }

    /// Reads a version id from a request: `None` when it is not one this server could have
    /// issued (S3 answers such ids with `InvalidArgument`).
    pub fn parse(text: &str) -> Option<Self> {
        if text == NULL_VERSION {
            return Some(VersionId::Null);
        }
        let b = text.as_bytes();
        let well_formed = b.len() == 32
            && b[..16]
                .iter()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            && b[16..].iter().all(u8::is_ascii_alphanumeric);
        well_formed.then(|| VersionId::Issued(text.to_owned()))
    }

    /// The id as S3 shows it.
    pub fn as_str(&self) -> &str {
        match self {
            VersionId::Null => NULL_VERSION,
            VersionId::Issued(id) => id,
        }
    }

    /// True for the `null` version.
    pub fn is_null(&self) -> bool {
        matches!(self, VersionId::Null)
    }

    /// The write sequence an issued id was made for (`None` for `null`, whose place is only
    /// known from its record).
    pub fn seq(&self) -> Option<u64> {
        match self {
            VersionId::Null => None,
            VersionId::Issued(id) => u64::from_str_radix(&id[..16], 16)
                .ok()
                .map(|inverted| u64::MAX - inverted),
        }
    }
}

impl Serialize for VersionId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for VersionId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        VersionId::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a version id: {text}")))
    }
}

/// The order part of a version key: newest first.
pub(crate) fn order_text(seq: u64) -> String {
    format!("{:016x}", u64::MAX - seq)
}

/// The next write sequence: nanoseconds since the epoch, strictly increasing in this process,
/// so a key's versions keep the order they were written in.
pub fn next_seq() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = u64::try_from(jiff::Timestamp::now().as_nanosecond()).unwrap_or(0);
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_ids_parse_back_and_carry_their_order() {
        let seq = next_seq();
        let id = VersionId::issue(seq);
        assert_eq!(id.as_str().len(), 32);
        assert_eq!(VersionId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(id.seq(), Some(seq));
        assert_eq!(VersionId::parse("null"), Some(VersionId::Null));
        for bad in [
            "",
            "abc",
            "NULL",
            &"g".repeat(32),
            &format!("{}!", &id.as_str()[..31]),
        ] {
            assert_eq!(VersionId::parse(bad), None, "{bad}");
        }
    }
}
