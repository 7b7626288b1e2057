//! Random secrets and their hashes.

use sha2::{Digest, Sha256};

/// 244 bits of randomness as 64 hex characters (two random UUIDv4 without their version bits
/// mattering: the OS random source fills them).
#[must_use]
pub fn token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// A pairing code a person can type: 10 characters of an alphabet without look-alikes.
#[must_use]
pub fn pairing_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = *uuid::Uuid::new_v4().as_bytes();
    bytes
        .iter()
        .take(10)
        .map(|b| {
            char::from(
                ALPHABET
                    .get(usize::from(*b) % ALPHABET.len())
                    .copied()
                    .unwrap_or(b'A'),
            )
        })
        .collect()
}

/// SHA-256 of a secret, in hex.
#[must_use]
pub fn hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.trim().to_uppercase().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_fresh_and_hashes_stable() {
        assert_ne!(token(), token());
        assert_eq!(token().len(), 64);
        let c = pairing_code();
        assert_eq!(c.len(), 10);
        assert_eq!(hash(&c), hash(&c.to_lowercase()));
        assert_ne!(hash("a"), hash("b"));
    }
}
