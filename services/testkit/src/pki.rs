//! An ephemeral suite CA, a seal key per register and a signed trust list, in files.

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::tokens::temp_dir;

/// An ephemeral dev PKI: files for every register's seal key and the trust list.
pub struct TestPki {
    pub ca: zegel_attest::pki::KeyAndCert,
    pub ca_path: String,
    /// Path of the signed trust list (every register key).
    pub trust_list_path: String,
    pub trust_list_signer: zegel_attest::pki::KeyAndCert,
    dir: PathBuf,
}

impl TestPki {
    /// A trust list of `registers`' test keys, numbered `seq`, expiring `exp` (Unix
    /// seconds), signed by the test trust-list key.
    pub fn signed_list(&self, registers: &[zegel_attest::Register], seq: u64, exp: i64) -> String {
        use zegel_attest::trust;
        let entries = registers
            .iter()
            .map(|r| trust::entry(*r, &std::fs::read_to_string(self.signer_paths(*r).1).expect("cert")).expect("entry"))
            .collect();
        let doc = trust::Document {
            iss: trust::TRUST_LIST_ISSUER.into(),
            iat: chrono::Utc::now().timestamp(),
            exp,
            seq,
            signer: self.trust_list_signer.cert_pem.clone(),
            entries,
        };
        trust::sign(&doc, &self.trust_list_signer.key_pem).expect("sign trust list")
    }

    /// Paths of `register`'s key and certificate.
    pub fn signer_paths(&self, register: zegel_attest::Register) -> (String, String) {
        let key = self.dir.join(format!("{}-key.pem", register.service()));
        let cert = self.dir.join(format!("{}.pem", register.service()));
        (key.to_string_lossy().into_owned(), cert.to_string_lossy().into_owned())
    }
}

/// The event keys of this process's services: the directory, and each producer's signer
/// (tests sign the events they put on the stream themselves).
pub fn event_keys() -> &'static (String, std::collections::HashMap<&'static str, platform::provenance::EventSigner>) {
    static KEYS: OnceLock<(String, std::collections::HashMap<&'static str, platform::provenance::EventSigner>)> =
        OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = temp_dir().join("events");
        let signers = platform::provenance::ensure_keys(&dir).expect("event keys");
        (dir.to_string_lossy().into_owned(), signers)
    })
}

pub fn pki() -> &'static TestPki {
    use zegel_attest::{Register, pki, trust};
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = temp_dir().join("pki");
        std::fs::create_dir_all(&dir).expect("pki dir");
        let ca = pki::ca("Zegel test CA", 3650).expect("ca");
        let tl = pki::signer(&ca, "trust-list", -1, 3650).expect("trust-list key");
        let mut entries = Vec::new();
        for register in Register::ALL {
            let signer = pki::signer(&ca, register.service(), -1, 3650).expect("signer");
            std::fs::write(dir.join(format!("{}-key.pem", register.service())), &signer.key_pem).expect("key");
            std::fs::write(dir.join(format!("{}.pem", register.service())), &signer.cert_pem).expect("cert");
            entries.push(trust::entry(register, &signer.cert_pem).expect("entry"));
        }
        let now = chrono::Utc::now().timestamp();
        let doc = trust::Document {
            iss: trust::TRUST_LIST_ISSUER.into(),
            iat: now,
            exp: now + 86400 * 90,
            seq: 1,
            signer: tl.cert_pem.clone(),
            entries,
        };
        let list = trust::sign(&doc, &tl.key_pem).expect("sign trust list");
        let ca_path = dir.join("ca.pem");
        let list_path = dir.join("trust-list.jws");
        std::fs::write(&ca_path, &ca.cert_pem).expect("ca");
        std::fs::write(&list_path, list).expect("trust list");
        TestPki {
            ca,
            ca_path: ca_path.to_string_lossy().into_owned(),
            trust_list_path: list_path.to_string_lossy().into_owned(),
            trust_list_signer: tl,
            dir,
        }
    })
}
