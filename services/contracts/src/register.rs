//! The registers, by name: the one list of who holds what.

/// The registers that issue seals; the short code is the seal's `iss`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Register {
    /// Agency certificates.
    Certificates,
    /// Guarantee deposits.
    Deposits,
    /// G-accounts.
    Gaccounts,
    /// Housing marks.
    Housing,
    /// The lookup's own receipts of hirer checks.
    Lookup,
}

impl Register {
    /// All registers.
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

    /// From a service name.
    pub fn from_service(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.service() == name)
    }
}
