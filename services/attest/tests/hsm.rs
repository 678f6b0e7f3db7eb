//! A register's seal key in an HSM: SoftHSM2 (a real PKCS#11 module) in a token of the
//! test's own, the key generated inside it, a certificate from the suite CA for its public
//! half. Seals and status lists signed through PKCS#11 verify under the trust list; a URI
//! that names another key than the certificate's stops the start.
//!
//! SoftHSM reads its configuration (where its tokens are) from `SOFTHSM2_CONF` when the
//! module loads, so the test runs its body in a child process of this test binary with a
//! configuration of its own: nothing of the machine's SoftHSM is touched, and the token's
//! directory is removed afterwards.

#![expect(clippy::unwrap_used, reason = "tests fail by panicking")]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use zegel_attest::seal::{self, SealError};
use zegel_attest::{Register, Signer, TrustStore, pki, status, trust};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const TOKEN: &str = "zegel-test";
const PIN: &str = "4321";
/// Set in the child that does the work.
const CHILD: &str = "ZEGEL_HSM_TEST_CHILD";

fn uri(object: &str) -> String {
    format!("pkcs11:token={TOKEN};object={object}?module-path={MODULE}&pin-value={PIN}")
}

#[test]
#[ignore = "needs SoftHSM2 (Debian's softhsm2); `just test` installs it and runs this"]
fn a_seal_signed_through_pkcs11_verifies_under_the_trust_list() {
    if std::env::var_os(CHILD).is_some() {
        return in_the_token();
    }
    let dir: PathBuf = std::env::temp_dir().join(format!("zegel-hsm-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("tokens")).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            dir.join("tokens").display()
        ),
    )
    .unwrap();
    let init = Command::new("softhsm2-util")
        .args(["--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "87654321"])
        .env("SOFTHSM2_CONF", &conf)
        .output()
        .expect("softhsm2-util (apt install softhsm2)");
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "a_seal_signed_through_pkcs11_verifies_under_the_trust_list", "--ignored", "--nocapture"])
        .env("SOFTHSM2_CONF", &conf)
        .env(CHILD, "1")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let said = format!("{}{}", String::from_utf8_lossy(&child.stdout), String::from_utf8_lossy(&child.stderr));
    assert!(child.status.success(), "{said}");
    assert!(said.contains("1 passed"), "the child ran the test: {said}");
}

/// Generates an Ed25519 key pair named `label` inside the token (its private half marked
/// sensitive: it cannot be read out) and returns the raw public key.
fn generated_in_the_token(label: &str) -> [u8; 32] {
    // The process's one instance of the module, which the signers use too: a second one
    // would finalise the module for all when dropped.
    let module = zegel_attest::hsm::module(MODULE).unwrap();
    let slot = module
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| module.get_token_info(*s).unwrap().label().trim_end() == TOKEN)
        .unwrap();
    let session = module.open_rw_session(slot).unwrap();
    let _ = session.login(UserType::User, Some(&AuthPin::from(PIN.to_string())));
    // id-Ed25519 (1.3.101.112), DER.
    let ed25519 = vec![0x06, 0x03, 0x2b, 0x65, 0x70];
    let (public, _) = session
        .generate_key_pair(
            &Mechanism::EccEdwardsKeyPairGen,
            &[
                Attribute::Token(true),
                Attribute::Verify(true),
                Attribute::EcParams(ed25519),
                Attribute::Label(label.into()),
            ],
            &[
                Attribute::Token(true),
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Sign(true),
                Attribute::Label(label.into()),
            ],
        )
        .unwrap();
    let point = match session.get_attributes(public, &[AttributeType::EcPoint]).unwrap().pop() {
        Some(Attribute::EcPoint(point)) => point,
        other => panic!("no EC point: {other:?}"),
    };
    // A DER OCTET STRING around the 32 bytes, or the bytes themselves.
    let raw = if point.len() == 34 && point[..2] == [0x04, 0x20] { &point[2..] } else { &point[..] };
    raw.try_into().unwrap()
}

fn in_the_token() {
    let ca = pki::ca("Zegel test CA", 30).unwrap();
    // A wrong PIN first: once a session of the process has logged in, the token asks no more.
    let other = pki::signer(&ca, "certificates", 0, 30).unwrap();
    let wrong_pin = uri("certificates-seal").replace(PIN, "0000");
    match Signer::from_hsm(Register::Certificates, &wrong_pin, &other.cert_pem) {
        Err(SealError::Key(why)) => assert!(why.contains("login"), "{why}"),
        other => panic!("a wrong PIN logged in: {other:?}"),
    }
    let public = generated_in_the_token("certificates-seal");
    let cert = pki::certificate_for_key(&ca, "certificates", &public, 30).unwrap();
    let now = chrono::Utc::now().timestamp();

    // The key file's setting names the HSM key instead; the register's desk signs there.
    let dir = std::env::temp_dir().join(format!("zegel-hsm-cert-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert_path = dir.join("certificates.pem");
    std::fs::write(&cert_path, &cert).unwrap();
    let signer = Signer::from_files(Register::Certificates, &uri("certificates-seal"), cert_path.to_str().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
    let signer = signer.unwrap();
    let token = signer.issue("12345678", uuid::Uuid::now_v7(), now, now + 3600, BTreeMap::new()).unwrap();

    let (store, refused) =
        TrustStore::from_certs(&ca.cert_pem, &[trust::entry(Register::Certificates, &cert).unwrap()], now).unwrap();
    assert!(refused.is_empty(), "{refused:?}");
    let verified = seal::verify(&token, &store, now).expect("the HSM's seal verifies");
    assert_eq!(verified.register, Register::Certificates);
    assert_eq!(verified.claims.sub, "12345678");
    assert_eq!(verified.kid, signer.kid());

    // Its status list too, signed in the token, reads under the same trust list.
    let mut list = status::StatusList::new(16);
    list.set(7, status::Status::Invalid);
    let uri_of_list = status::uri("https://check.zegel.example.nl", Register::Certificates);
    let signed = signer.status_list(Register::Certificates, &uri_of_list, &list, (now, 60, now + 600)).unwrap();
    let received = status::receive(&signed, &store, now).expect("the HSM's status list reads");
    assert_eq!(received.list.get(7).unwrap(), status::Status::Invalid);
    assert_eq!(received.list.get(6).unwrap(), status::Status::Valid);

    // A tampered seal does not. One character well inside the signature changes (writing
    // "AA" over its end was no change at all when the signature happened to end so).
    let mut tampered = token.clone();
    let at = tampered.len() - 10;
    let other = if &tampered[at..=at] == "A" { "B" } else { "A" };
    tampered.replace_range(at..=at, other);
    assert!(seal::verify(&tampered, &store, now).is_err());

    // A URI naming a key the certificate is not for stops the start.
    generated_in_the_token("another-key");
    match Signer::from_hsm(Register::Certificates, &uri("another-key"), &cert) {
        Err(SealError::Key(why)) => assert!(why.contains("does not belong to the certificate"), "{why}"),
        other => panic!("another key was taken: {other:?}"),
    }
    match Signer::from_hsm(Register::Certificates, &uri("no-such-key"), &cert) {
        Err(SealError::Key(why)) => assert!(why.contains("no Ed25519 private key"), "{why}"),
        other => panic!("a missing key was taken: {other:?}"),
    }
}
