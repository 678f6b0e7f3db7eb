//! The registers and the services, by name: the one list of who holds what, and of what
//! one service may read of another's schema.

crate::text_enum! {
    /// The services of the suite; each is also its Postgres schema, its role and its
    /// settings' prefix (`ZEGEL_<SERVICE>_*`).
    pub enum Service {
        /// Agency certificates, their bodies, fines and sanctions.
        Certificates = "certificates",
        /// Bans on persons, and who ran which agency.
        Bans = "bans",
        Deposits = "deposits",
        Gaccounts = "gaccounts",
        Housing = "housing",
        /// The public face: verify, check, pages, receipts, KvK's checks.
        Lookup = "lookup",
        Notifier = "notifier",
        /// Where the people who keep the registers log in and work; it holds no register.
        Workbench = "workbench",
    }
}

/// The views of a register that the lookup reads (its read contracts with the lookup).
pub const READ_CONTRACTS: [&str; 9] = [
    "seal_status",
    "seal_index",
    "building_status",
    "agency_status",
    "agency_buildings",
    "agency_declaration",
    "worker_claim_status",
    "open_safety_checks",
    "work_complaint_status",
];

/// The functions of a register that the lookup may execute: `statistics(from, as_of)`,
/// the register's figures for the yearly report (security definer, never public).
pub const READ_FUNCTIONS: [&str; 1] = ["statistics"];

/// The registers that issue seals; the short code is the seal's `iss`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Register {
    Certificates,
    Deposits,
    Gaccounts,
    Housing,
    /// The lookup's own receipts of hirer checks.
    Lookup,
}

impl Register {
    pub const ALL: [Register; 5] =
        [Register::Certificates, Register::Deposits, Register::Gaccounts, Register::Housing, Register::Lookup];

    /// The `iss` code: three letters keep the QR code small.
    pub fn code(self) -> &'static str {
        match self {
            Register::Certificates => "crt",
            Register::Deposits => "dep",
            Register::Gaccounts => "gac",
            Register::Housing => "hsg",
            Register::Lookup => "lku",
        }
    }

    /// The service (and Postgres schema) that owns it.
    pub fn service(self) -> &'static str {
        match self {
            Register::Certificates => "certificates",
            Register::Deposits => "deposits",
            Register::Gaccounts => "gaccounts",
            Register::Housing => "housing",
            Register::Lookup => "lookup",
        }
    }

    /// From an `iss` code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn from_service(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.service() == name)
    }
}
