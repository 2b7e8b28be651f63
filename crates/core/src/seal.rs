//! Sealing with the server key: session tokens and secrets at rest are encrypted and
//! authenticated (XChaCha20-Poly1305), so any node holding the key can open them without a
//! lookup and nobody else can forge or read them.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, KeyInit as MacKeyInit, Mac};
use rand::Rng;
use sha2::Sha256;

/// The server's sealing key.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
    /// A subkey for deriving values (HMAC-SHA256), kept apart from the encryption key.
    derive_key: [u8; 32],
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(****)")
    }
}

/// A sealed value that does not open: forged, altered, or sealed with another key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("sealed value does not open")]
pub struct Unsealable;

impl Sealer {
    /// A sealer for a 32-byte key.
    pub fn new(key: &[u8; 32]) -> Self {
        let derive_key = hmac_sha256(key, b"gatehouse-derive-v1");
        Self {
            cipher: XChaCha20Poly1305::new(key.into()),
            derive_key,
        }
    }

    /// A value derived from the server key, `label` and `input`: the same on every node that
    /// holds the key, unpredictable to anyone else.
    pub fn derive(&self, label: &str, input: &[u8]) -> [u8; 32] {
        let mut msg = label.as_bytes().to_vec();
        msg.push(0);
        msg.extend_from_slice(input);
        hmac_sha256(&self.derive_key, &msg)
    }

    /// A fresh random key.
    pub fn generate_key() -> [u8; 32] {
        rand::rng().random()
    }

    /// Seals `plain` with a purpose label (so a value sealed for one use cannot be replayed
    /// as another) into URL-safe base64.
    pub fn seal(&self, purpose: &str, plain: &[u8]) -> String {
        let nonce_bytes: [u8; 24] = rand::rng().random();
        let nonce = XNonce::from_slice(&nonce_bytes);
        let payload = chacha20poly1305::aead::Payload {
            msg: plain,
            aad: purpose.as_bytes(),
        };
        // Encryption with a valid key and nonce cannot fail.
        let sealed = self.cipher.encrypt(nonce, payload).unwrap_or_default();
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// Opens a value sealed for `purpose`.
    pub fn open(&self, purpose: &str, sealed: &str) -> Result<Vec<u8>, Unsealable> {
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed.trim_end_matches('='))
            .map_err(|_| Unsealable)?;
        if bytes.len() < 24 + 16 {
            return Err(Unsealable);
        }
        let (nonce, body) = bytes.split_at(24);
        let payload = chacha20poly1305::aead::Payload {
            msg: body,
            aad: purpose.as_bytes(),
        };
        self.cipher
            .decrypt(XNonce::from_slice(nonce), payload)
            .map_err(|_| Unsealable)
    }
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length.
    let mut mac =
        <Hmac<Sha256> as MacKeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_refuses_tampering() {
        let s = Sealer::new(&Sealer::generate_key());
        let sealed = s.seal("token", b"hello");
        assert_eq!(s.open("token", &sealed).unwrap(), b"hello");
        assert!(s.open("secret", &sealed).is_err());
        let mut bytes = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(s.open("token", &URL_SAFE_NO_PAD.encode(bytes)).is_err());
        assert!(
            Sealer::new(&Sealer::generate_key())
                .open("token", &sealed)
                .is_err()
        );
        assert!(s.open("token", "!!").is_err());
        assert_eq!(s.derive("a", b"x"), s.derive("a", b"x"));
        assert_ne!(s.derive("a", b"x"), s.derive("b", b"x"));
    }
}
