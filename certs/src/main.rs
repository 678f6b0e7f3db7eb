//! `zegel-certs init` creates the dev keys under `certs/dev/` (idempotent; never
//! committed): the token key and its JWKS, the suite CA, a seal signing key and
//! certificate per register, the trust-list key, the signed trust list, and an event
//! signing key per service with the verifying keys of all (`dev/events/`).
//! `zegel-certs token ROLE [ORG]` prints a dev bearer token; `rotate REGISTER` makes a
//! register a new seal key (the old one stays trusted for the seals it signed);
//! `withdraw KID` takes a key off the trust list.

use std::path::PathBuf;
use std::process::ExitCode;

use platform::auth::Role;
use zegel_attest::pki::{self, KeyAndCert};
use zegel_attest::trust::{self, Document};
use zegel_attest::{Register, kid_of};
use zegel_testkit::DevIssuer;

/// Issuer name of dev tokens; matches the services' default `ZEGEL_JWT_ISSUER`.
const ISSUER: &str = "zegel-dev";
const TOKEN_TTL_SECS: u64 = 8 * 3600;

fn dev_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dev")
}

/// Loads the dev token key, creating it (and the JWKS the services read) on first use.
fn init() -> anyhow::Result<DevIssuer> {
    let dir = dev_dir();
    std::fs::create_dir_all(&dir)?;
    let key_path = dir.join("token-signing-key.pem");
    let issuer = if key_path.exists() {
        DevIssuer::from_pkcs8_pem(&std::fs::read_to_string(&key_path)?, ISSUER)?
    } else {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)?;
        let pem = pair.serialize_pem();
        std::fs::write(&key_path, &pem)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600))?;
        }
        DevIssuer::from_pkcs8_pem(&pem, ISSUER)?
    };
    std::fs::write(dir.join("jwks.json"), format!("{}\n", issuer.jwks()))?;
    seal_pki()?;
    // Every register signs the events it publishes; consumers verify them.
    platform::provenance::ensure_keys(&dir.join("events"))?;
    Ok(issuer)
}

/// Days the dev CA, and the register certificates, are valid: they must outlive every seal.
const CA_DAYS: i64 = 7300;
const SIGNER_DAYS: i64 = 3650;
/// Days a trust list stays valid: far beyond any refresh interval, so a late refresh is no outage.
const TRUST_LIST_DAYS: i64 = 90;

fn write_private(path: &std::path::Path, pem: &str) -> anyhow::Result<()> {
    std::fs::write(path, pem)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn read_pair(name: &str) -> anyhow::Result<Option<KeyAndCert>> {
    let dir = dev_dir();
    let (key, cert) = (dir.join(format!("{name}-key.pem")), dir.join(format!("{name}.pem")));
    if key.exists() && cert.exists() {
        Ok(Some(KeyAndCert { key_pem: std::fs::read_to_string(key)?, cert_pem: std::fs::read_to_string(cert)? }))
    } else {
        Ok(None)
    }
}

fn write_pair(name: &str, pair: &KeyAndCert) -> anyhow::Result<()> {
    let dir = dev_dir();
    write_private(&dir.join(format!("{name}-key.pem")), &pair.key_pem)?;
    std::fs::write(dir.join(format!("{name}.pem")), &pair.cert_pem)?;
    Ok(())
}

/// Keeps every register certificate ever made, so rotated keys stay on the trust list.
fn remember_signer(register: Register, cert_pem: &str) -> anyhow::Result<()> {
    let dir = dev_dir().join("signers");
    std::fs::create_dir_all(&dir)?;
    let der = zegel_attest::cert_der(cert_pem).map_err(|e| anyhow::anyhow!(e))?;
    std::fs::write(dir.join(format!("{}-{}.pem", register.service(), kid_of(&der))), cert_pem)?;
    Ok(())
}

/// The suite CA, a key per register, the trust-list key, and a freshly signed trust list.
fn seal_pki() -> anyhow::Result<()> {
    let ca = match read_pair("ca")? {
        Some(ca) => ca,
        None => {
            let ca = pki::ca("Zegel dev suite CA", CA_DAYS)?;
            write_pair("ca", &ca)?;
            ca
        }
    };
    let tl = match read_pair("trust-list")? {
        Some(tl) => tl,
        None => {
            let tl = pki::signer(&ca, "trust-list", -1, SIGNER_DAYS)?;
            write_pair("trust-list", &tl)?;
            tl
        }
    };
    for register in Register::ALL {
        if read_pair(register.service())?.is_none() {
            let pair = pki::signer(&ca, register.service(), -1, SIGNER_DAYS)?;
            write_pair(register.service(), &pair)?;
            remember_signer(register, &pair.cert_pem)?;
        }
    }
    sign_trust_list(&tl)
}

fn withdrawn() -> anyhow::Result<Vec<String>> {
    let path = dev_dir().join("withdrawn.txt");
    Ok(if path.exists() {
        std::fs::read_to_string(path)?.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()
    } else {
        vec![]
    })
}

fn sign_trust_list(tl: &KeyAndCert) -> anyhow::Result<()> {
    let withdrawn = withdrawn()?;
    let mut entries = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dev_dir().join("signers"))?.flatten().map(|e| e.path()).collect();
    files.sort();
    for path in files {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        // File names are <service>-<kid>; service names have no dash, kids may.
        let Some((service, _)) = name.split_once('-') else {
            continue;
        };
        let Some(register) = Register::from_service(service) else {
            continue;
        };
        let entry = trust::entry(register, &std::fs::read_to_string(&path)?)?;
        if !withdrawn.contains(&entry.kid) {
            entries.push(entry);
        }
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() as i64;
    // Every list signed gets the next number: a verifier refuses to go back to an older one.
    let seq_path = dev_dir().join("trust-list.seq");
    let seq = match std::fs::read_to_string(&seq_path) {
        Ok(raw) => raw.trim().parse::<u64>()? + 1,
        Err(_) => 1,
    };
    let doc = Document {
        iss: trust::TRUST_LIST_ISSUER.into(),
        iat: now,
        exp: now + TRUST_LIST_DAYS * 86400,
        seq,
        signer: tl.cert_pem.clone(),
        entries,
    };
    std::fs::write(dev_dir().join("trust-list.jws"), trust::sign(&doc, &tl.key_pem)?)?;
    std::fs::write(seq_path, format!("{seq}\n"))?;
    Ok(())
}

fn rotate(register: Option<&str>) -> anyhow::Result<()> {
    let register = register
        .and_then(Register::from_service)
        .ok_or_else(|| anyhow::anyhow!("name a register: certificates, deposits, gaccounts, housing, lookup"))?;
    init()?;
    let ca = read_pair("ca")?.ok_or_else(|| anyhow::anyhow!("no CA"))?;
    let pair = pki::signer(&ca, register.service(), -1, SIGNER_DAYS)?;
    // Publish the new key on the trust list before the service starts using it.
    remember_signer(register, &pair.cert_pem)?;
    sign_trust_list(&read_pair("trust-list")?.ok_or_else(|| anyhow::anyhow!("no trust-list key"))?)?;
    write_pair(register.service(), &pair)?;
    eprintln!("new {} key published on the trust list; restart the service to sign with it", register.service());
    Ok(())
}

fn withdraw(kid: Option<&str>) -> anyhow::Result<()> {
    let kid = kid.ok_or_else(|| anyhow::anyhow!("name the kid to withdraw"))?;
    init()?;
    let path = dev_dir().join("withdrawn.txt");
    let mut list = withdrawn()?;
    if !list.iter().any(|k| k == kid) {
        list.push(kid.to_string());
    }
    std::fs::write(path, list.join("\n") + "\n")?;
    sign_trust_list(&read_pair("trust-list")?.ok_or_else(|| anyhow::anyhow!("no trust-list key"))?)?;
    eprintln!("{kid} withdrawn: every seal it signed now verifies as unknown_issuer");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("init") => init().map(|_| eprintln!("dev keys ready in {}", dev_dir().display())),
        Some("token") => token(&args[1..]),
        Some("rotate") => rotate(args.get(1).map(String::as_str)),
        Some("withdraw") => withdraw(args.get(1).map(String::as_str)),
        _ => {
            eprintln!("usage: zegel-certs init | token ROLE [ORG] | rotate REGISTER | withdraw KID");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zegel-certs: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn token(args: &[String]) -> anyhow::Result<()> {
    let role = args.first().ok_or_else(|| anyhow::anyhow!("name a role"))?;
    let role = Role::parse(role).ok_or_else(|| {
        anyhow::anyhow!(
            "unknown role {role:?}; one of certification_body, agency, admission_authority, inspectorate, tax, kvk, municipality, housing_inspector, housing_provider, admin, hirer"
        )
    })?;
    let org = args.get(1).map(String::as_str).filter(|o| !o.is_empty());
    let issuer = init()?;
    let subject = format!("dev-{}{}", role.as_str(), org.map(|o| format!("-{o}")).unwrap_or_default());
    // A working day, or less where the role's tokens may not live that long (admin: an hour).
    println!("{}", issuer.token(&subject, &[role], org, TOKEN_TTL_SECS.min(role.max_token_lifetime_secs()))?);
    Ok(())
}
