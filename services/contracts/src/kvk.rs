//! The words of KvK's automatic checks, as the lookup records and answers them.

crate::text_enum! {
    pub enum CheckKind {
        Registration = "registration",
        Deregistration = "deregistration",
    }
}

crate::text_enum! {
    pub enum CheckResult {
        /// Registration: nothing stands in the way.
        Allow = "allow",
        /// Registration: it may not go ahead (a banned officer, no certificate, an old VOG).
        Deny = "deny",
        /// Deregistration: no signal.
        Ok = "ok",
        /// Deregistration without a ground: the inspectorate and the tax authority hear of it.
        Signals = "signals",
    }
}

crate::text_enum! {
    /// What makes a deregistration look like an escape (advice 2.1 A, D).
    pub enum Signal {
        /// Claims against the guarantee deposit are open or unpaid.
        OpenDepositClaims = "open_deposit_claims",
        UnpaidFines = "unpaid_fines",
        SuspensionInProgress = "suspension_in_progress",
        /// An owner, director or de facto manager is under a ban.
        Ban = "ban",
    }
}

impl Signal {
    /// What it means, in words (for the inspectorate's reading).
    pub fn detail(self) -> &'static str {
        match self {
            Signal::OpenDepositClaims => "claims against the guarantee deposit are open or unpaid",
            Signal::UnpaidFines => "fines are unpaid",
            Signal::SuspensionInProgress => "the certificate is suspended",
            Signal::Ban => "an owner, director or de facto manager is under a ban",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Signalled {
    pub signal: Signal,
    /// How many (claims, fines), where it counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// [`Signal::detail`].
    pub detail: String,
}

impl Signalled {
    /// `signal`, counted or not.
    pub fn new(signal: Signal, count: Option<i64>) -> Self {
        Self { signal, count, detail: signal.detail().into() }
    }
}
