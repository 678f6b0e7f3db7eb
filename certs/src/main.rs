//! `zegel-certs init` creates the dev keys under `certs/dev/` (idempotent; never
//! committed); `zegel-certs token ROLE [ORG]` prints a dev bearer token signed with them.

use std::path::PathBuf;
use std::process::ExitCode;

use platform::auth::{DevIssuer, Role};

/// Issuer name of dev tokens; matches the services' default `ZEGEL_JWT_ISSUER`.
const ISSUER: &str = "zegel-dev";
/// Dev tokens live for a working day.
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
    std::fs::write(dir.join("jwks.json"), serde_json_pretty(&issuer.jwks()))?;
    Ok(issuer)
}

fn serde_json_pretty(v: &impl std::fmt::Display) -> String {
    format!("{v}\n")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("init") => init().map(|_| eprintln!("dev keys ready in {}", dev_dir().display())),
        Some("token") => token(&args[1..]),
        _ => {
            eprintln!("usage: zegel-certs init | token ROLE [ORG]");
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
            "unknown role {role:?}; one of certification_body, agency, admission_authority, inspectorate, tax, kvk, municipality, housing_inspector, housing_provider, admin"
        )
    })?;
    let org = args.get(1).map(String::as_str).filter(|o| !o.is_empty());
    let issuer = init()?;
    let subject = format!(
        "dev-{}{}",
        role.as_str(),
        org.map(|o| format!("-{o}")).unwrap_or_default()
    );
    println!("{}", issuer.token(&subject, &[role], org, TOKEN_TTL_SECS)?);
    Ok(())
}
