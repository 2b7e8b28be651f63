//! Identifiers: access key ids, unique ids with their AWS prefixes, secrets, request ids.

use std::fmt;

use base64::Engine as _;
use rand::Rng;
use serde::{Deserialize, Serialize};

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn random_base32(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| BASE32[rng.random_range(0..32)] as char)
        .collect()
}

fn base32_encode(bytes: &[u8; 10]) -> String {
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(*b);
    }
    (0..16)
        .rev()
        .map(|i| BASE32[((bits >> (i * 5)) & 31) as usize] as char)
        .collect()
}

fn base32_decode(text: &str) -> Option<[u8; 10]> {
    let mut bits: u128 = 0;
    for c in text.bytes() {
        let v = BASE32.iter().position(|&b| b == c)?;
        bits = (bits << 5) | v as u128;
    }
    let mut out = [0u8; 10];
    out.copy_from_slice(&bits.to_be_bytes()[6..]);
    Some(out)
}

/// The kind of a unique id, which fixes its four-letter prefix (semantics spec §9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// `AIDA`: IAM user.
    User,
    /// `AGPA`: IAM group.
    Group,
    /// `AROA`: IAM role.
    Role,
    /// `ANPA`: managed policy.
    Policy,
    /// `AIPA`: instance profile.
    InstanceProfile,
    /// `ASPA`: SAML provider.
    SamlProvider,
    /// `AKIA`: long-term access key id.
    AccessKey,
    /// `ASIA`: temporary access key id.
    TemporaryAccessKey,
}

impl IdKind {
    /// The prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::User => "AIDA",
            IdKind::Group => "AGPA",
            IdKind::Role => "AROA",
            IdKind::Policy => "ANPA",
            IdKind::InstanceProfile => "AIPA",
            IdKind::SamlProvider => "ASPA",
            IdKind::AccessKey => "AKIA",
            IdKind::TemporaryAccessKey => "ASIA",
        }
    }
}

/// A new unique id: the prefix and 17 (entities) or 16 (access keys) base32 characters, as AWS
/// shapes them (21 and 20 characters in all).
pub fn new_unique_id(kind: IdKind) -> String {
    let tail = match kind {
        IdKind::AccessKey | IdKind::TemporaryAccessKey => 16,
        _ => 17,
    };
    format!("{}{}", kind.prefix(), random_base32(tail))
}

/// A new 40-character secret access key (base64 alphabet, as AWS's).
pub fn new_secret_access_key() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut rng = rand::rng();
    (0..40)
        .map(|_| ALPHABET[rng.random_range(0..64)] as char)
        .collect()
}

/// A new request id (UUID v4 form, as IAM and STS return).
pub fn new_request_id() -> String {
    let b: [u8; 16] = rand::rng().random();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_be_bytes([b[4], b[5]]),
        u16::from_be_bytes([b[6], b[7]]) & 0x0fff,
        (u16::from_be_bytes([b[8], b[9]]) & 0x3fff) | 0x8000,
        u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]])
    )
}

/// The two ids S3 puts on every response: `x-amz-request-id` (16 characters of `A-Z0-9`) and
/// `x-amz-id-2`, the host id (base64 of 56 random bytes, 76 characters). One draw of random
/// bytes makes both: this runs on every S3 request.
pub fn new_s3_request_ids() -> (String, String) {
    const ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut bytes = [0u8; 72];
    rand::rng().fill(&mut bytes[..]);
    let (id, host) = bytes.split_at(16);
    // 256 is not a multiple of 36: the first characters are a little likelier, which an id
    // that only has to be unique can afford.
    let request_id = id
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    (
        request_id,
        base64::engine::general_purpose::STANDARD.encode(host),
    )
}

/// An access key id (`AKIA…` long-term, `ASIA…` temporary).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccessKeyId(Box<str>);

impl AccessKeyId {
    /// Parses an access key id: 16–128 word characters.
    pub fn parse(text: &str) -> Option<Self> {
        let ok = (16..=128).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        ok.then(|| Self(text.into()))
    }

    /// A fresh long-term (`AKIA`) or temporary (`ASIA`) id with no account encoded.
    pub fn generate(temporary: bool) -> Self {
        Self(
            new_unique_id(if temporary {
                IdKind::TemporaryAccessKey
            } else {
                IdKind::AccessKey
            })
            .into(),
        )
    }

    /// A fresh id that encodes `account` as AWS's key ids do (so `GetAccessKeyInfo` can read
    /// it back from any key, temporary ones included, without a lookup): ten bytes in base32
    /// after the prefix, the first six holding `account << 7` plus seven random bits.
    pub fn generate_for(account: gatehouse_policy::AccountId, temporary: bool) -> Self {
        let prefix = if temporary {
            IdKind::TemporaryAccessKey
        } else {
            IdKind::AccessKey
        }
        .prefix();
        let n: u64 = account.as_str().parse().unwrap_or(0);
        let mut rng = rand::rng();
        let head = (n << 7) | u64::from(rng.random::<u8>() & 0x7f);
        let mut bytes = [0u8; 10];
        bytes[..6].copy_from_slice(&head.to_be_bytes()[2..]);
        rng.fill(&mut bytes[6..]);
        Self(format!("{prefix}{}", base32_encode(&bytes)).into())
    }

    /// The account encoded in the id (`GetAccessKeyInfo`), if it is one of ours.
    pub fn account(&self) -> Option<gatehouse_policy::AccountId> {
        let bytes = base32_decode(self.0.get(4..20)?)?;
        let mut head = [0u8; 8];
        head[2..].copy_from_slice(&bytes[..6]);
        let n = (u64::from_be_bytes(head) & 0x7fff_ffff_ff80) >> 7;
        gatehouse_policy::AccountId::parse(&format!("{n:012}"))
    }

    /// True for temporary (STS) keys, which must come with a session token.
    pub fn is_temporary(&self) -> bool {
        self.0.starts_with("ASIA")
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AccessKeyId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).ok_or_else(|| format!("invalid access key id {s:?}"))
    }
}

impl From<AccessKeyId> for String {
    fn from(id: AccessKeyId) -> String {
        id.0.into()
    }
}

impl fmt::Display for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessKeyId({})", self.0)
    }
}

/// A secret access key. Its `Debug` form never shows the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretAccessKey(String);

impl SecretAccessKey {
    /// Wraps a secret.
    pub fn new(secret: String) -> Self {
        Self(secret)
    }

    /// A fresh random secret.
    pub fn generate() -> Self {
        Self(new_secret_access_key())
    }

    /// The secret, for signing checks and the one response that reveals it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretAccessKey(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_aws_shapes() {
        let user = new_unique_id(IdKind::User);
        assert!(user.starts_with("AIDA") && user.len() == 21);
        let key = AccessKeyId::generate(false);
        assert!(
            key.as_str().starts_with("AKIA") && key.as_str().len() == 20 && !key.is_temporary()
        );
        assert!(AccessKeyId::generate(true).is_temporary());
        assert_eq!(new_secret_access_key().len(), 40);
        assert_eq!(new_request_id().len(), 36);
        assert!(AccessKeyId::parse("short").is_none());
        assert!(format!("{:?}", SecretAccessKey::generate()).contains("****"));
        let account = gatehouse_policy::AccountId::parse("123456789012").unwrap();
        let key = AccessKeyId::generate_for(account, true);
        assert!(key.is_temporary() && key.as_str().len() == 20);
        assert_eq!(key.account(), Some(account));
        // AWS's documented example key decodes to its documented account.
        assert_eq!(
            AccessKeyId::parse("ASIAQNZGKIQY56JQ7WML")
                .unwrap()
                .account()
                .unwrap()
                .as_str(),
            "029608264753"
        );
    }
}
