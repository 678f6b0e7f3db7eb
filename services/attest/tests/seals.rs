#![expect(clippy::unwrap_used, reason = "fixtures fail the test by panicking")]
//! Seals: issuing, verifying, and every way a seal can be wrong.

use std::collections::BTreeMap;

use base64::Engine;
use zegel_attest::pki::{self, KeyAndCert};
use zegel_attest::seal::{self, Register, Signer};
use zegel_attest::trust::{self, Document, TrustStore};
use zegel_attest::{Verdict, qr};

struct Fixture {
    ca: KeyAndCert,
    tl: KeyAndCert,
    signers: Vec<(Register, KeyAndCert)>,
}

fn fixture() -> Fixture {
    let ca = pki::ca("Zegel test CA", 3650).unwrap();
    let tl = pki::signer(&ca, "trust-list", 0, 3000).unwrap();
    let signers = Register::ALL.iter().map(|r| (*r, pki::signer(&ca, r.service(), -1, 3000).unwrap())).collect();
    Fixture { ca, tl, signers }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

impl Fixture {
    fn signer(&self, r: Register) -> Signer {
        let (_, kc) = self.signers.iter().find(|(reg, _)| *reg == r).unwrap();
        Signer::from_pem(r, &kc.key_pem, &kc.cert_pem).unwrap()
    }
    fn list(&self, registers: &[Register]) -> String {
        let entries = self
            .signers
            .iter()
            .filter(|(r, _)| registers.contains(r))
            .map(|(r, kc)| trust::entry(*r, &kc.cert_pem).unwrap())
            .collect();
        let doc = Document {
            iss: trust::TRUST_LIST_ISSUER.into(),
            iat: now(),
            exp: now() + 86400 * 30,
            seq: 1,
            signer: self.tl.cert_pem.clone(),
            entries,
        };
        trust::sign(&doc, &self.tl.key_pem).unwrap()
    }
    fn store(&self) -> TrustStore {
        let (store, refused) = TrustStore::load(&self.list(&Register::ALL), &self.ca.cert_pem, now()).unwrap();
        assert!(refused.is_empty(), "{refused:?}");
        store
    }
    fn seal(&self, r: Register) -> String {
        self.signer(r).issue("12345678", uuid::Uuid::now_v7(), now(), now() + 86400 * 365, BTreeMap::new()).unwrap()
    }
}

fn verdict(seal: &str, store: &TrustStore) -> Option<Verdict> {
    seal::verify(seal, store, now()).err().map(|r| r.verdict)
}

#[test]
fn a_fresh_seal_verifies_with_its_claims() {
    let f = fixture();
    let store = f.store();
    assert_eq!(store.len(), Register::ALL.len());
    let id = uuid::Uuid::now_v7();
    let s = f.signer(Register::Certificates).issue("12345678", id, now(), now() + 3600, BTreeMap::new()).unwrap();
    let v = seal::verify(&s, &store, now()).unwrap();
    assert_eq!(v.register, Register::Certificates);
    assert_eq!(v.claims.sub, "12345678");
    assert_eq!(v.claims.seal_id(), Some(id));
}

#[test]
fn every_single_byte_change_of_header_payload_or_signature_is_not_valid() {
    let f = fixture();
    let store = f.store();
    let s = f.seal(Register::Certificates);
    let bytes = s.as_bytes();
    let mut checked = 0;
    for i in 0..bytes.len() {
        if bytes[i] == b'.' {
            continue;
        }
        for replacement in [b'A', b'z', b'-'] {
            if bytes[i] == replacement {
                continue;
            }
            let mut changed = bytes.to_vec();
            changed[i] = replacement;
            let changed = String::from_utf8(changed).unwrap();
            assert!(
                seal::verify(&changed, &store, now()).is_err(),
                "byte {i} changed to {} still verifies",
                replacement as char
            );
            checked += 1;
        }
    }
    assert!(checked > 3 * 250, "{checked}");
}

#[test]
fn forged_algorithms_are_tampered() {
    let f = fixture();
    let store = f.store();
    let s = f.seal(Register::Certificates);
    let parts: Vec<&str> = s.split('.').collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.decode(parts[0]).unwrap();
    let kid = serde_json::from_slice::<serde_json::Value>(&header).unwrap()["kid"].as_str().unwrap().to_string();

    let none = format!("{}.{}.", b64.encode(format!(r#"{{"alg":"none","kid":"{kid}"}}"#)), parts[1]);
    assert_eq!(verdict(&none, &store), Some(Verdict::Tampered), "alg none");

    // HS256 "signed" with the public key as the HMAC secret.
    let cert = &f.signers[0].1.cert_pem;
    let hs_header = b64.encode(format!(r#"{{"alg":"HS256","kid":"{kid}"}}"#));
    let signing_input = format!("{hs_header}.{}", parts[1]);
    let key = jsonwebtoken::EncodingKey::from_secret(cert.as_bytes());
    let sig = jsonwebtoken::crypto::sign(signing_input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256).unwrap();
    assert_eq!(
        verdict(&format!("{signing_input}.{sig}"), &store),
        Some(Verdict::Tampered),
        "HS256 with the public key"
    );
}

#[test]
fn signers_that_fail_their_checks_are_refused_and_their_seals_have_an_unknown_issuer() {
    let f = fixture();
    let rogue_ca = pki::ca("Rogue CA", 3650).unwrap();
    let rogue = pki::signer(&rogue_ca, "certificates", 0, 3000).unwrap();
    let expired = pki::signer(&f.ca, "certificates", -400, -1).unwrap();
    let entries = vec![
        trust::entry(Register::Certificates, &rogue.cert_pem).unwrap(),
        trust::entry(Register::Certificates, &expired.cert_pem).unwrap(),
    ];
    let (store, refused) = TrustStore::from_certs(&f.ca.cert_pem, &entries, now()).unwrap();
    assert!(store.is_empty());
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].contains("not issued by the suite CA"), "{refused:?}");
    assert!(refused[1].contains("not valid at this time"), "{refused:?}");

    let from_rogue = Signer::from_pem(Register::Certificates, &rogue.key_pem, &rogue.cert_pem).unwrap();
    let s = from_rogue.issue("12345678", uuid::Uuid::now_v7(), now(), now() + 60, BTreeMap::new()).unwrap();
    assert_eq!(verdict(&s, &f.store()), Some(Verdict::UnknownIssuer), "untrusted CA");
}

#[test]
fn time_window_unknown_kid_withdrawn_key_and_register_mismatch() {
    let f = fixture();
    let store = f.store();
    let signer = f.signer(Register::Certificates);
    let expired = signer.issue("12345678", uuid::Uuid::now_v7(), now() - 7200, now() - 3600, BTreeMap::new()).unwrap();
    assert_eq!(verdict(&expired, &store), Some(Verdict::Expired));
    let early = signer.issue("12345678", uuid::Uuid::now_v7(), now() + 3600, now() + 7200, BTreeMap::new()).unwrap();
    assert_eq!(verdict(&early, &store), Some(Verdict::NotYetValid));

    let withdrawn_list = f.list(&[Register::Deposits, Register::Housing]);
    let (without, _) = TrustStore::load(&withdrawn_list, &f.ca.cert_pem, now()).unwrap();
    assert_eq!(verdict(&f.seal(Register::Certificates), &without), Some(Verdict::UnknownIssuer), "key withdrawn");

    let (_, kc) = &f.signers[0];
    let impostor = Signer::from_pem(Register::Deposits, &kc.key_pem, &kc.cert_pem).unwrap();
    let s = impostor.issue("12345678", uuid::Uuid::now_v7(), now(), now() + 60, BTreeMap::new()).unwrap();
    assert_eq!(verdict(&s, &store), Some(Verdict::Tampered), "certificates key signing as deposits");

    assert!(
        signer.issue("1", uuid::Uuid::now_v7(), now(), signer.not_after() + 1, BTreeMap::new()).is_err(),
        "a seal may not outlive its signer"
    );
}

#[test]
fn truncated_oversized_and_garbage_input_is_tampered() {
    let f = fixture();
    let store = f.store();
    let s = f.seal(Register::Certificates);
    let cases = [
        (s[..s.len() - 1].to_string(), "last character cut"),
        (s[..s.len() / 2].to_string(), "cut in half"),
        (s.rsplit_once('.').unwrap().0.to_string(), "no signature part"),
        (format!("{s}{}", "A".repeat(2000)), "oversized"),
        ("".to_string(), "empty"),
        ("ééé.ü.ß".to_string(), "non-ASCII"),
        ("a.b.c".to_string(), "garbage parts"),
    ];
    for (input, case) in cases {
        assert_eq!(verdict(&input, &store), Some(Verdict::Tampered), "{case}");
    }
}

#[test]
fn trust_lists_that_are_tampered_unchained_or_expired_are_refused() {
    let f = fixture();
    let list = f.list(&Register::ALL);
    let (mut head, sig) = list.rsplit_once('.').map(|(h, s)| (h.to_string(), s.to_string())).unwrap();
    head.push('.');
    let mut tampered_sig = sig.into_bytes();
    tampered_sig[3] = if tampered_sig[3] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{head}{}", String::from_utf8(tampered_sig).unwrap());
    assert!(TrustStore::load(&tampered, &f.ca.cert_pem, now()).is_err(), "tampered");

    let rogue_ca = pki::ca("Rogue", 100).unwrap();
    assert!(TrustStore::load(&list, &rogue_ca.cert_pem, now()).is_err(), "other anchor");

    let doc = Document {
        iss: trust::TRUST_LIST_ISSUER.into(),
        iat: now() - 100,
        exp: now() - 10,
        seq: 2,
        signer: f.tl.cert_pem.clone(),
        entries: vec![],
    };
    let expired = trust::sign(&doc, &f.tl.key_pem).unwrap();
    assert!(TrustStore::load(&expired, &f.ca.cert_pem, now()).is_err(), "expired list");
}

#[test]
fn every_seal_type_fits_qr_version_13_at_level_m() {
    let f = fixture();
    // The production overlay's lookup address (k8s/overlays/prod).
    let base = "https://check.zegel.example.nl/v/";
    let facts = |pairs: &[(&str, serde_json::Value)]| {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<BTreeMap<_, _>>()
    };
    let cases = [
        (Register::Certificates, "12345678", facts(&[])),
        (Register::Deposits, "12345678", facts(&[])),
        (Register::Gaccounts, "12345678", facts(&[])),
        // The display fact a building's seal carries (housing::routes::seals), at its widest.
        (Register::Housing, "0363010000123456", facts(&[("cap", serde_json::json!(99_999))])),
        (Register::Lookup, "12345678", facts(&[("v", serde_json::json!("may_hire"))])),
    ];
    println!("{:<14} {:>6} {:>8}", "seal type", "bytes", "version");
    for (register, subject, facts) in cases {
        // Registers' seals carry their status list index in their id (a receipt has none).
        let id = if register == Register::Lookup { uuid::Uuid::now_v7() } else { seal::listed_id(12_345_678).unwrap() };
        let seal = f.signer(register).issue(subject, id, now(), now() + 86400 * 365, facts).unwrap();
        let url = format!("{base}{seal}");
        let code = qr::render(&url).unwrap_or_else(|e| panic!("{register:?}: {e}"));
        println!("{:<14} {:>6} {:>8}", register.service(), code.bytes, code.version);
        assert!(code.version <= qr::MAX_VERSION, "{register:?} needs version {}", code.version);
        assert!(code.svg.starts_with("<?xml") && code.png.starts_with(b"\x89PNG"));
    }
}

/// The draft's `status.status_list.{idx, uri}` claim, added to a certificate seal at the
/// production address, needs a QR version above 13: so every seal carries its index in its
/// id instead (docs/DESIGN.md, the seal). Measured on a real seal's bytes; the day this
/// fits (a shorter address, a smaller seal), the claim should be adopted, and this fails.
#[test]
fn the_drafts_status_claim_would_push_a_certificate_seal_past_version_13() {
    let f = fixture();
    let base = "https://check.zegel.example.nl";
    let id = seal::listed_id(1_234_567).unwrap();
    let token =
        f.signer(Register::Certificates).issue("12345678", id, now(), now() + 86400 * 365, BTreeMap::new()).unwrap();
    assert!(qr::render(&format!("{base}/v/{token}")).is_ok(), "the seal as it is fits");
    let parts: Vec<&str> = token.split('.').collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: serde_json::Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    let uri = zegel_attest::status::uri(base, Register::Certificates);
    claims["status"] = serde_json::json!({"status_list": {"idx": 1_234_567, "uri": uri}});
    // The same header and a signature of the same length: only the size matters here.
    let with_claim = format!("{}.{}.{}", parts[0], b64.encode(serde_json::to_vec(&claims).unwrap()), parts[2]);
    let url = format!("{base}/v/{with_claim}");
    let version = match qr::version_for(&url) {
        Ok(version) | Err(qr::QrError::TooDense { version, .. }) => version,
        Err(e) => panic!("{e}"),
    };
    println!("with the draft's claim: {} bytes, QR version {version}", url.len());
    assert!(version > qr::MAX_VERSION, "the draft's claim fits now (version {version}): carry it in the seals");
}

fn document(f: &Fixture, signer: &KeyAndCert, entries: Vec<trust::Entry>, seq: u64, exp: i64) -> String {
    let doc = Document {
        iss: trust::TRUST_LIST_ISSUER.into(),
        iat: now(),
        exp,
        seq,
        signer: signer.cert_pem.clone(),
        entries,
    };
    let _ = f;
    trust::sign(&doc, &signer.key_pem).unwrap()
}

#[test]
fn only_the_trust_list_certificate_signs_the_list_and_a_register_key_signs_only_for_its_register() {
    let f = fixture();
    let housing = f.signers.iter().find(|(r, _)| *r == Register::Housing).unwrap().1.clone();
    let entries = vec![trust::entry(Register::Housing, &housing.cert_pem).unwrap()];
    // A register's key, though issued by the suite CA, cannot sign a trust list.
    let by_register = document(&f, &housing, entries.clone(), 1, now() + 3600);
    let err = TrustStore::load(&by_register, &f.ca.cert_pem, now()).unwrap_err().to_string();
    assert!(err.contains("cannot sign for trust-list"), "{err}");

    // The housing certificate listed as the certificates register's is refused: its seals
    // cannot claim to be certificates, online or offline.
    let mislabelled = vec![trust::Entry { register: Register::Certificates.code().into(), ..entries[0].clone() }];
    let list = document(&f, &f.tl, mislabelled, 1, now() + 3600);
    let (store, refused) = TrustStore::load(&list, &f.ca.cert_pem, now()).unwrap();
    assert!(store.is_empty(), "nothing trusted");
    assert!(refused[0].contains("cannot sign for certificates"), "{refused:?}");
}

#[test]
fn an_older_list_is_refused_and_an_expired_one_verifies_nothing() {
    let f = fixture();
    let entries: Vec<trust::Entry> = f.signers.iter().map(|(r, kc)| trust::entry(*r, &kc.cert_pem).unwrap()).collect();
    let second = document(&f, &f.tl, entries.clone(), 2, now() + 3600);
    let (in_force, _) = TrustStore::load(&second, &f.ca.cert_pem, now()).unwrap();
    assert_eq!(in_force.seq, Some(2));

    // A replay of list 1 (say, one that still held a withdrawn key) is refused.
    let first = document(&f, &f.tl, entries.clone(), 1, now() + 3600);
    let err = in_force.newer(&first, &f.ca.cert_pem, now()).unwrap_err().to_string();
    assert!(err.contains("rollback"), "{err}");
    let other_second = document(&f, &f.tl, entries[..1].to_vec(), 2, now() + 3600);
    assert!(in_force.newer(&other_second, &f.ca.cert_pem, now()).is_err(), "another list under the same number");
    assert!(in_force.newer(&second, &f.ca.cert_pem, now()).is_ok(), "the same list again is fine");
    let third = document(&f, &f.tl, entries, 3, now() + 3600);
    assert_eq!(in_force.newer(&third, &f.ca.cert_pem, now()).unwrap().0.seq, Some(3));

    // Once the list in force has expired, a genuine seal is unavailable, never valid.
    let seal = f.seal(Register::Certificates);
    assert!(seal::verify(&seal, &in_force, now()).is_ok());
    let refused = seal::verify(&seal, &in_force, now() + 3601).unwrap_err();
    assert_eq!((refused.verdict, refused.reason), (Verdict::Unavailable, "the trust list has expired"));
}

/// A register's statuses for offline verifiers (IETF Token Status List format): signed like
/// a seal, read back only with the register's key, refused once expired; a million seals
/// with one in twenty revoked and one in a hundred suspended fit well under 150 KB.
#[test]
fn a_status_list_verifies_offline_and_a_million_seals_fit_in_a_small_list() {
    use zegel_attest::status::{self, ListError, Status, StatusList};
    let f = fixture();
    let store = f.store();
    let started = std::time::Instant::now();
    let mut list = StatusList::new(1_000_000);
    let mut x: u64 = 17;
    let mut expected = Vec::with_capacity(1_000_000);
    for i in 0..1_000_000 {
        // A fixed pseudo-random spread (not a pattern DEFLATE would fold away).
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let status = match (x >> 33) % 100 {
            0..=4 => Status::Invalid,
            5 => Status::Suspended,
            _ => Status::Valid,
        };
        list.set(i, status);
        expected.push(status);
    }
    let token = f
        .signer(Register::Certificates)
        .status_list(
            Register::Certificates,
            &status::uri("https://zegel.example.nl", Register::Certificates),
            &list,
            (now(), 60, now() + 3600),
        )
        .unwrap();
    let built_ms = started.elapsed().as_secs_f64() * 1000.0;
    println!("status list of 1,000,000 seals: {} bytes signed, built and signed in {built_ms:.0} ms", token.len());
    assert!(token.len() <= 150 * 1024, "{} bytes", token.len());

    let received = status::receive(&token, &store, now()).unwrap();
    assert_eq!((received.register, received.ttl, received.list.len()), (Register::Certificates, 60, 1_000_000));
    for i in [0, 1, 2, 19, 20, 999_999, 123_456] {
        assert_eq!(received.list.get(i), Ok(expected[i]), "index {i}");
    }
    assert!(expected.iter().enumerate().all(|(i, s)| received.list.get(i) == Ok(*s)));

    // Tampered, from a register not on the list, or expired: nothing is read from it.
    let mut tampered = token.clone().into_bytes();
    let at = tampered.len() - 10;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    assert_eq!(status::receive(&String::from_utf8(tampered).unwrap(), &store, now()), Err(ListError::Unsigned));
    let (partial, _) = TrustStore::load(&f.list(&[Register::Deposits]), &f.ca.cert_pem, now()).unwrap();
    assert_eq!(status::receive(&token, &partial, now()), Err(ListError::Unsigned));
    assert_eq!(status::receive(&token, &store, now() + 7200), Err(ListError::Expired));
    // A seal is not a status list.
    assert!(matches!(status::receive(&f.seal(Register::Certificates), &store, now()), Err(ListError::Malformed(_))));
    // Another register's key may not speak for the certificates register.
    let forged = f
        .signer(Register::Deposits)
        .status_list(Register::Certificates, "https://zegel.example.nl/x", &list, (now(), 60, now() + 3600))
        .unwrap();
    assert_eq!(status::receive(&forged, &store, now()), Err(ListError::Unsigned));
}

/// A seal id carries its status list index and stays a UUID in time order; other ids
/// carry none, and an index beyond 2^40 is refused rather than cut.
#[test]
fn a_seal_id_carries_its_status_list_index() {
    for index in [0, 1, 255, 12_345_678, seal::MAX_STATUS_INDEX] {
        let id = seal::listed_id(index).unwrap();
        assert_eq!((id.get_version_num(), seal::status_index(id)), (8, Some(index)));
        assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
    }
    assert_eq!(seal::listed_id(seal::MAX_STATUS_INDEX + 1), None);
    assert_eq!(seal::status_index(uuid::Uuid::now_v7()), None);
    let (a, b) = (seal::listed_id(7).unwrap(), seal::listed_id(7).unwrap());
    assert_ne!(a, b, "random bits remain");
    std::thread::sleep(std::time::Duration::from_millis(2));
    assert!(seal::listed_id(1).unwrap() > a, "ids stay in time order");
}

/// The verifier library judges a seal against a list without calling the lookup: the
/// seal's index in a list of its own register, signed by the lookup, says how old it is;
/// a list of another register, a seal without an index or an index beyond the list give
/// no answer rather than a wrong one.
#[test]
fn a_seal_is_judged_offline_by_its_index_in_its_registers_list() {
    use zegel_attest::status::{self, ListError, OfflineError, Status, StatusList};
    let f = fixture();
    let store = f.store();
    let issuer = f.signer(Register::Certificates);
    let seal_at = |index: Option<u64>| {
        let id = match index {
            Some(i) => seal::listed_id(i).unwrap(),
            None => uuid::Uuid::now_v7(),
        };
        issuer.issue("12345678", id, now(), now() + 3600, BTreeMap::new()).unwrap()
    };
    let (valid, revoked, suspended) = (seal_at(Some(0)), seal_at(Some(6)), seal_at(Some(9)));
    let mut list = StatusList::new(10);
    list.set(6, Status::Invalid);
    list.set(9, Status::Suspended);
    let made = now() - 90;
    let signed = |covers: Register, list: &StatusList| {
        f.signer(Register::Lookup)
            .status_list(covers, &status::uri("https://zegel.example.nl/", covers), list, (made, 60, now() + 3600))
            .unwrap()
    };
    let token = signed(Register::Certificates, &list);
    let (verified, offline) = status::verify_offline(&valid, &token, &store, now()).unwrap();
    assert_eq!((verified.claims.status_index(), offline.verdict), (Some(0), Verdict::Valid));
    assert_eq!((offline.as_of, offline.age_secs, offline.stale), (made, 90, true));
    assert_eq!(status::verify_offline(&revoked, &token, &store, now()).unwrap().1.verdict, Verdict::Revoked);
    assert_eq!(status::verify_offline(&suspended, &token, &store, now()).unwrap().1.verdict, Verdict::Suspended);

    let beyond = seal_at(Some(40));
    assert_eq!(status::verify_offline(&beyond, &token, &store, now()), Err(OfflineError::List(ListError::OutOfRange)));
    let unlisted = seal_at(None);
    assert_eq!(status::verify_offline(&unlisted, &token, &store, now()), Err(OfflineError::List(ListError::NotListed)));
    let of_deposits = signed(Register::Deposits, &list);
    assert_eq!(
        status::verify_offline(&valid, &of_deposits, &store, now()),
        Err(OfflineError::List(ListError::OtherRegister))
    );
    // A forged seal is refused before any list is read.
    let mut forged = valid.clone().into_bytes();
    let at = forged.len() - 5;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    let refused = status::verify_offline(&String::from_utf8(forged).unwrap(), &token, &store, now()).unwrap_err();
    assert!(matches!(refused, OfflineError::Seal(r) if r.verdict == Verdict::Tampered));
}
