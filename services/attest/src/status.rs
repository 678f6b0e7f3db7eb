//! Status lists for verifiers without a connection (IETF OAuth Token Status List draft):
//! a register's statuses as one compressed bit string, two bits per seal at the seal's
//! index, signed like a seal. A verifier that holds a recent list judges a seal without
//! asking the lookup, and knows how old its answer is.
//!
//! The format, as the draft has it: status `0` valid, `1` invalid (revoked), `2`
//! suspended; index `i` in byte `i / 4` at bit `2 × (i % 4)`, the least significant bits
//! first; the bytes DEFLATE-compressed in the ZLIB format and base64url-encoded (`lst`);
//! the token's header `typ` is `statuslist+jwt`, its claims `sub` (the list's URI), `iat`,
//! `exp`, `ttl` and `status_list: {bits, lst}`.
//!
//! Who signs: the lookup, as the draft's *Status Issuer* for every register. A seal's
//! status in a list must be what the live check answers, and for a certificate seal that
//! is the standing of the agency across five registers, which only the lookup reads (the
//! certificates register has no business reading bans). The lookup is also whose `valid`
//! a verifier already trusts, so its signature adds no new trust. Each register still
//! allocates its seals' indexes ([`crate::desk::Desk::issue`]). [`receive`] accepts a
//! list signed by the lookup's key or by the key of the register it covers.
//!
//! One deviation from the draft, for the QR code's sake: a seal carries its index inside
//! its id ([`crate::seal::listed_id`]) rather than as `status.status_list.{idx, uri}`;
//! the list's address is [`uri`] of the lookup its link points at and its `iss`.

use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::seal::{Register, SealError, Signer, Verified};
use crate::trust::TrustStore;
use crate::verdict::Verdict;

/// Bits per seal: valid, revoked and suspended need two.
pub const BITS: u8 = 2;
/// The media type of a signed list (the header's `typ`).
pub const TYP: &str = "statuslist+jwt";
pub const MEDIA_TYPE: &str = "application/statuslist+jwt";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `0x00`: valid.
    Valid,
    /// `0x01`: invalid (revoked, lapsed, withdrawn).
    Invalid,
    /// `0x02`: suspended.
    Suspended,
}

impl Status {
    fn bits(self) -> u8 {
        match self {
            Status::Valid => 0,
            Status::Invalid => 1,
            Status::Suspended => 2,
        }
    }

    fn of(bits: u8) -> Option<Self> {
        match bits {
            0 => Some(Status::Valid),
            1 => Some(Status::Invalid),
            2 => Some(Status::Suspended),
            _ => None,
        }
    }
}

/// The statuses of `len` seals, two bits each; all valid at first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
    len: usize,
}

/// Why a list could not be read or trusted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ListError {
    /// Not a list in this format.
    #[error("the status list is malformed: {0}")]
    Malformed(&'static str),
    /// The signature does not check with a key of the register it names.
    #[error("the status list is not signed by its register")]
    Unsigned,
    #[error("the status list has expired")]
    Expired,
    /// The seal's index lies beyond the list.
    #[error("the seal's index is not in the list")]
    OutOfRange,
    /// The list covers another register than the seal's.
    #[error("the status list covers another register")]
    OtherRegister,
    /// The seal carries no index: it was issued before status lists, or is a receipt.
    #[error("the seal has no place in a status list; check it live")]
    NotListed,
}

/// The address of `register`'s status list at the lookup whose public base URL is
/// `lookup` (the one a seal's QR link points at, without the `/v/…`).
pub fn uri(lookup: &str, register: Register) -> String {
    format!("{}/api/v1/status-lists/{}", lookup.trim_end_matches('/'), register.code())
}

impl StatusList {
    /// `len` seals, all valid.
    pub fn new(len: usize) -> Self {
        Self { bytes: vec![0; len.div_ceil(4)], len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sets seal `index`'s status (an index beyond the list is ignored: it is not one).
    pub fn set(&mut self, index: usize, status: Status) {
        if index < self.len {
            let (byte, shift) = (index / 4, (index % 4) * 2);
            self.bytes[byte] = (self.bytes[byte] & !(0b11 << shift)) | (status.bits() << shift);
        }
    }

    /// Seal `index`'s status.
    pub fn get(&self, index: usize) -> Result<Status, ListError> {
        if index >= self.len {
            return Err(ListError::OutOfRange);
        }
        let bits = (self.bytes[index / 4] >> ((index % 4) * 2)) & 0b11;
        Status::of(bits).ok_or(ListError::Malformed("a status value that is not defined"))
    }

    /// `lst`: the bytes, ZLIB-compressed, base64url without padding.
    pub fn encode(&self) -> String {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing to a Vec cannot fail.
        let _ = z.write_all(&self.bytes);
        URL_SAFE_NO_PAD.encode(z.finish().unwrap_or_default())
    }

    /// The list `lst` encodes (every index the bytes hold: four per byte).
    pub fn decode(lst: &str) -> Result<Self, ListError> {
        let compressed = URL_SAFE_NO_PAD.decode(lst).map_err(|_| ListError::Malformed("lst is not base64url"))?;
        let mut bytes = Vec::new();
        // A list of 2^24 seals is 4 MiB: anything that inflates beyond that is refused.
        flate2::read::ZlibDecoder::new(compressed.as_slice())
            .take(1 << 22)
            .read_to_end(&mut bytes)
            .map_err(|_| ListError::Malformed("lst is not ZLIB data"))?;
        Ok(Self { len: bytes.len() * 4, bytes })
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct ListClaims {
    sub: String,
    iss: String,
    /// The register whose seals it covers (its `iss` code).
    reg: String,
    iat: i64,
    exp: i64,
    ttl: i64,
    status_list: Encoded,
}

#[derive(Debug, Serialize, Deserialize)]
struct Encoded {
    bits: u8,
    lst: String,
}

/// A list as a verifier received it: its statuses and when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub register: Register,
    pub list: StatusList,
    /// When it was made (seconds since the epoch): how old an answer from it is.
    pub issued_at: i64,
    /// How long it may be kept before fetching a fresh one (seconds).
    pub ttl: i64,
}

impl Signer {
    /// Signs `list`, the statuses of `covers`' seals, as the list published at `uri`,
    /// made at `now`, to be fetched again after `ttl` seconds and used no longer than
    /// until `expires_at`.
    pub fn status_list(
        &self,
        covers: Register,
        uri: &str,
        list: &StatusList,
        (now, ttl, expires_at): (i64, i64, i64),
    ) -> Result<String, SealError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(TYP.into());
        header.kid = Some(self.kid().to_string());
        let claims = ListClaims {
            sub: uri.into(),
            iss: self.register().code().into(),
            reg: covers.code().into(),
            iat: now,
            exp: expires_at.min(self.not_after()),
            ttl,
            status_list: Encoded { bits: BITS, lst: list.encode() },
        };
        self.sign_compact(&header, &claims)
    }
}

/// Reads a signed status list: the signature must check with a key the trust list in
/// force holds for the lookup (the status issuer) or for the register the list covers,
/// and the list must not have expired.
pub fn receive(token: &str, store: &TrustStore, now: i64) -> Result<Received, ListError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| ListError::Malformed("not a JWS"))?;
    if header.alg != Algorithm::EdDSA || header.typ.as_deref() != Some(TYP) {
        return Err(ListError::Malformed("not an EdDSA statuslist+jwt"));
    }
    if store.expired(now) {
        return Err(ListError::Expired);
    }
    let kid = header.kid.ok_or(ListError::Unsigned)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let (key, claims) = store
        .keys(&kid)
        .iter()
        .find_map(|k| jsonwebtoken::decode::<ListClaims>(token, &k.key, &validation).ok().map(|d| (k, d.claims)))
        .ok_or(ListError::Unsigned)?;
    let covers = Register::from_code(&claims.reg).ok_or(ListError::Malformed("reg names no register"))?;
    let signed_by = Register::from_code(&claims.iss);
    if signed_by != Some(key.register) || !(key.register == Register::Lookup || key.register == covers) {
        return Err(ListError::Unsigned);
    }
    if now > claims.exp {
        return Err(ListError::Expired);
    }
    if claims.status_list.bits != BITS {
        return Err(ListError::Malformed("bits other than 2"));
    }
    Ok(Received {
        register: covers,
        list: StatusList::decode(&claims.status_list.lst)?,
        issued_at: claims.iat,
        ttl: claims.ttl,
    })
}

/// What a status list says about a seal, offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offline {
    /// `valid`, `revoked` or `suspended`: the seal's status as of when the list was made.
    pub verdict: Verdict,
    /// When the list was made (seconds since the epoch).
    pub as_of: i64,
    /// How old that answer is at the time of the check (seconds).
    pub age_secs: i64,
    /// Older than the list's own `ttl`: a fresh list should be fetched.
    pub stale: bool,
}

/// The status of `seal` (found genuine and in force, [`crate::seal::verify`]) in `list`
/// (received with [`receive`]) at `now`, and how old that answer is.
pub fn check(seal: &Verified, list: &Received, now: i64) -> Result<Offline, ListError> {
    if seal.register != list.register {
        return Err(ListError::OtherRegister);
    }
    let index = seal.claims.status_index().ok_or(ListError::NotListed)?;
    let status = list.list.get(usize::try_from(index).map_err(|_| ListError::OutOfRange)?)?;
    let verdict = match status {
        Status::Valid => Verdict::Valid,
        Status::Invalid => Verdict::Revoked,
        Status::Suspended => Verdict::Suspended,
    };
    let age_secs = (now - list.issued_at).max(0);
    Ok(Offline { verdict, as_of: list.issued_at, age_secs, stale: age_secs > list.ttl })
}

/// Verifies `seal` without a connection: its signature and time window under `store`,
/// then its status in the signed list `list_token`. The verifier's offline answer; the
/// page at the door still asks the lookup live.
pub fn verify_offline(
    seal: &str,
    list_token: &str,
    store: &TrustStore,
    now: i64,
) -> Result<(Verified, Offline), OfflineError> {
    let verified = crate::seal::verify(seal, store, now).map_err(OfflineError::Seal)?;
    let list = receive(list_token, store, now).map_err(OfflineError::List)?;
    let offline = check(&verified, &list, now).map_err(OfflineError::List)?;
    Ok((verified, offline))
}

/// Why an offline verification gave no status.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OfflineError {
    /// The seal itself is refused (its verdict and reason).
    #[error("{}", .0.reason)]
    Seal(crate::verdict::Refused),
    /// The list cannot be used for it.
    #[error(transparent)]
    List(#[from] ListError),
}

/// The status a list records for a seal the live check judged `verdict` (the one rule,
/// so that a list and the live answer agree): valid stays valid, suspended suspended,
/// anything else is invalid.
pub fn listed(verdict: Verdict) -> Status {
    match verdict {
        Verdict::Valid => Status::Valid,
        Verdict::Suspended => Status::Suspended,
        _ => Status::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_sit_two_bits_each_least_significant_first() {
        let mut list = StatusList::new(9);
        list.set(0, Status::Invalid);
        list.set(1, Status::Suspended);
        list.set(5, Status::Invalid);
        list.set(5, Status::Valid);
        list.set(7, Status::Suspended);
        list.set(9, Status::Invalid); // beyond the list: no seal has it
        assert_eq!(list.bytes, vec![0b0000_1001, 0b1000_0000, 0]);
        let read = StatusList::decode(&list.encode()).expect("round trip");
        assert_eq!(read.get(1), Ok(Status::Suspended));
        assert_eq!(read.get(7), Ok(Status::Suspended));
        assert_eq!(read.get(5), Ok(Status::Valid));
        assert_eq!(read.get(12), Err(ListError::OutOfRange));
    }

    #[test]
    fn a_list_that_is_not_zlib_base64url_is_refused() {
        assert!(StatusList::decode("not base64!").is_err());
        assert!(StatusList::decode(&URL_SAFE_NO_PAD.encode(b"plain bytes")).is_err());
    }
}
