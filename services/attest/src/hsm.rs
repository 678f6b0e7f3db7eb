//! Seal keys in a hardware security module (or a cloud KMS that offers a PKCS#11 module),
//! named by a PKCS#11 URI (RFC 7512) where a key file's path would go:
//!
//! `pkcs11:token=zegel;object=certificates-seal?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=/etc/zegel/hsm/pin`
//!
//! The private key never leaves the module: a seal's signing input goes in, its Ed25519
//! signature (CKM_EDDSA) comes out. Path attributes `token`, `object` and `id` find the
//! key; query attributes `module-path` (required), `pin-source` (a file holding the PIN,
//! as a mounted secret) or `pin-value`. At opening, a test signature is checked against the
//! certificate the register names, so a URI that points at another key stops the start.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::object::{Attribute, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use percent_encoding::percent_decode_str;

/// Why a key in a module cannot be used (the PIN is never named).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HsmError(String);

pub const SCHEME: &str = "pkcs11:";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUri {
    module: String,
    token: Option<String>,
    object: Option<String>,
    id: Option<Vec<u8>>,
    pin: Option<Pin>,
}

#[derive(Clone, PartialEq, Eq)]
enum Pin {
    Value(String),
    File(String),
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Value(_) => f.write_str("Value(…)"),
            Self::File(path) => write!(f, "File({path})"),
        }
    }
}

impl KeyUri {
    /// Reads `uri`; an error names what is wrong, never the PIN.
    pub fn parse(uri: &str) -> Result<Self, HsmError> {
        let bad = |why: &str| HsmError(format!("PKCS#11 URI: {why}"));
        let rest = uri.strip_prefix(SCHEME).ok_or_else(|| bad("must start with pkcs11:"))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let decode = |value: &str| percent_decode_str(value).collect::<Vec<u8>>();
        let text = |value: &str| String::from_utf8(decode(value)).map_err(|_| bad("an attribute is not UTF-8"));
        let mut out = Self { module: String::new(), token: None, object: None, id: None, pin: None };
        for attribute in path.split(';').filter(|a| !a.is_empty()) {
            let (name, value) = attribute.split_once('=').ok_or_else(|| bad("a path attribute without '='"))?;
            match name {
                "token" => out.token = Some(text(value)?),
                "object" => out.object = Some(text(value)?),
                "id" => out.id = Some(decode(value)),
                // Only a private key signs; other attributes a module may ignore.
                "type" if value != "private" => return Err(bad("type must be private")),
                _ => {}
            }
        }
        for attribute in query.split('&').filter(|a| !a.is_empty()) {
            let (name, value) = attribute.split_once('=').ok_or_else(|| bad("a query attribute without '='"))?;
            match name {
                "module-path" => out.module = text(value)?,
                "pin-value" => out.pin = Some(Pin::Value(text(value)?)),
                "pin-source" => {
                    let source = text(value)?;
                    out.pin = Some(Pin::File(source.strip_prefix("file:").unwrap_or(&source).to_string()));
                }
                _ => {}
            }
        }
        if out.module.is_empty() {
            return Err(bad("module-path is required"));
        }
        if out.object.is_none() && out.id.is_none() {
            return Err(bad("name the key by object= or id="));
        }
        Ok(out)
    }

    fn pin(&self) -> Result<Option<AuthPin>, HsmError> {
        Ok(match &self.pin {
            None => None,
            Some(Pin::Value(v)) => Some(AuthPin::from(v.clone())),
            Some(Pin::File(path)) => {
                let pin =
                    std::fs::read_to_string(path).map_err(|e| HsmError(format!("PKCS#11 PIN file {path}: {e}")))?;
                Some(AuthPin::from(pin.trim_end().to_string()))
            }
        })
    }
}

/// The one loaded and initialised instance of the module at `path` in the process: every
/// register of `zegel-suite` may sign through the same module, which is initialised once
/// (and finalised when an instance is dropped, so there is never a second).
pub fn module(path: &str) -> Result<Pkcs11, HsmError> {
    static MODULES: OnceLock<Mutex<HashMap<String, Pkcs11>>> = OnceLock::new();
    let failed = |e: cryptoki::error::Error| HsmError(format!("PKCS#11 module {path}: {e}"));
    let mut modules = MODULES.get_or_init(Mutex::default).lock().map_err(|_| HsmError("PKCS#11: lock".into()))?;
    if let Some(module) = modules.get(path) {
        return Ok(module.clone());
    }
    let module = Pkcs11::new(path).map_err(failed)?;
    module.initialize(CInitializeArgs::OsThreads).map_err(failed)?;
    modules.insert(path.to_string(), module.clone());
    Ok(module)
}

/// An Ed25519 key in a PKCS#11 token, with a logged-in session to sign with.
pub struct HsmKey {
    // A session is used by one thread at a time.
    session: Mutex<Session>,
    key: ObjectHandle,
    named: String,
}

impl std::fmt::Debug for HsmKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HsmKey").field("key", &self.named).finish()
    }
}

impl HsmKey {
    /// Opens the key `uri` names: loads the module, finds the token and logs in, finds
    /// exactly one Ed25519 private key.
    pub fn open(uri: &KeyUri) -> Result<Self, HsmError> {
        let failed = |what: &str, e: cryptoki::error::Error| HsmError(format!("PKCS#11 {what}: {e}"));
        let module = module(&uri.module)?;
        let slots = module.get_slots_with_token().map_err(|e| failed("slots", e))?;
        let slot = slots
            .into_iter()
            .find(|slot| {
                uri.token
                    .as_deref()
                    .is_none_or(|label| module.get_token_info(*slot).is_ok_and(|info| info.label().trim_end() == label))
            })
            .ok_or_else(|| HsmError(format!("PKCS#11: no token {:?}", uri.token.as_deref().unwrap_or("*"))))?;
        let session = module.open_ro_session(slot).map_err(|e| failed("session", e))?;
        if let Some(pin) = uri.pin()? {
            match session.login(UserType::User, Some(&pin)) {
                Ok(()) | Err(cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::UserAlreadyLoggedIn, _)) => {}
                Err(e) => return Err(failed("login", e)),
            }
        }
        let mut template = vec![Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::KeyType(KeyType::EC_EDWARDS)];
        if let Some(label) = &uri.object {
            template.push(Attribute::Label(label.as_bytes().to_vec()));
        }
        if let Some(id) = &uri.id {
            template.push(Attribute::Id(id.clone()));
        }
        let keys = session.find_objects(&template).map_err(|e| failed("find the key", e))?;
        let named = uri.object.clone().unwrap_or_else(|| "by id".into());
        let key = match keys.as_slice() {
            [key] => *key,
            [] => return Err(HsmError(format!("PKCS#11: no Ed25519 private key {named:?} in the token"))),
            _ => return Err(HsmError(format!("PKCS#11: {} keys match {named:?}; name one", keys.len()))),
        };
        Ok(Self { session: Mutex::new(session), key, named })
    }

    /// The Ed25519 signature of `message` (RFC 8032, pure).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, HsmError> {
        let session = self.session.lock().map_err(|_| HsmError("PKCS#11: session lock".into()))?;
        session
            .sign(&Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure)), self.key, message)
            .map_err(|e| HsmError(format!("PKCS#11 signing with {:?}: {e}", self.named)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uri_names_the_module_the_token_the_key_and_where_the_pin_is() {
        let uri = KeyUri::parse(
            "pkcs11:token=Zegel%20HSM;object=certificates-seal;id=%01%02;type=private\
             ?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/zegel/hsm/pin",
        )
        .expect("a URI");
        assert_eq!(uri.module, "/usr/lib/softhsm/libsofthsm2.so");
        assert_eq!(uri.token.as_deref(), Some("Zegel HSM"));
        assert_eq!(uri.object.as_deref(), Some("certificates-seal"));
        assert_eq!(uri.id, Some(vec![1, 2]));
        assert_eq!(uri.pin, Some(Pin::File("/etc/zegel/hsm/pin".into())));
        for (bad, why) in [
            ("/etc/zegel/key.pem", "start with pkcs11:"),
            ("pkcs11:object=k", "module-path is required"),
            ("pkcs11:token=t?module-path=/m.so", "object= or id="),
            ("pkcs11:object=k;type=public?module-path=/m.so", "type must be private"),
        ] {
            let e = KeyUri::parse(bad).expect_err(bad).to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
        // The PIN is never printed.
        let with_pin = KeyUri::parse("pkcs11:object=k?module-path=/m.so&pin-value=1234").expect("a URI");
        assert!(!format!("{with_pin:?}").contains("1234"));
    }
}
