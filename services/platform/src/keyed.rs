//! Keyed hashes (HMAC-SHA256): how the suite derives what only the holder of a key can
//! derive — a BSN's stored form, a webhook's signature and secret, an idempotency
//! fingerprint, a claim form's link. One construction, so that none of them is ever an
//! unkeyed hash that could be tested against every possible input.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// HMAC-SHA256 under `key` of `parts`, one after another (a caller that needs the parts
/// kept apart puts a separator between them).
pub fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// `bytes` as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_are_hashed_as_one_message_under_the_key() {
        // RFC 4231, test case 2.
        let got = hex(&mac(b"Jefe", &[b"what do ya want ", b"for nothing?"]));
        assert_eq!(got, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert_ne!(mac(b"other", &[b"what do ya want for nothing?"]), mac(b"Jefe", &[b"what do ya want for nothing?"]));
    }
}
