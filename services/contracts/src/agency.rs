//! The standing of an agency: may a hirer hire through it at this moment? Defined once,
//! here, and used by every place that answers the question — the certificates register
//! at certification, the lookup's hirer check and KvK checks, and the verdict of the
//! agency's certificate seal at the lookup — so that they can never disagree.
//!
//! The input is what each register says about the agency at one moment ([`Facts`]); the
//! answer is one verdict per part with its reason ([`Standing`]). Reasons are a closed
//! vocabulary ([`Reason`]), documented in openapi/ (`StandingReason`); the sentences are
//! English for the API, the lookup's pages translate the codes.

use serde::Serialize;

use crate::{CertificateStatus, DepositStanding, GAccountStatus, MarkStatus};

/// What the registers say about one agency at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Its current certificate's status (certificates register); `None`: it has none.
    pub certificate: Option<CertificateStatus>,
    /// Whether every officer is clear of bans (bans register); `None`: KvK registered no
    /// officers for it.
    pub officers_clear: Option<bool>,
    /// Its guarantee deposit (deposits register); `None`: none paid.
    pub deposit: Option<DepositStanding>,
    /// Its G-account (G-account register); `None`: none registered.
    pub g_account: Option<GAccountStatus>,
    /// Where it houses workers (housing register).
    pub housing: Housing,
    /// For one hirer only: a notifiable accident of a temporary worker at that hirer has no
    /// safety check of the agency yet (advice 2.1 G; certificates register). Always false
    /// for the agency as a whole.
    pub safety_check_outstanding: bool,
}

/// Where an agency houses its workers, as the housing register knows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Housing {
    /// Nothing is known: no building in use and no declaration that it houses no one.
    #[default]
    Undeclared,
    NoOne,
    /// The buildings it houses workers in now (at least one).
    In(Vec<Housed>),
}

impl Housing {
    /// From what the housing register knows: the buildings in use decide; without any,
    /// the agency's declaration that it houses no one.
    pub fn of(buildings: Vec<Housed>, declared_no_one: bool) -> Self {
        match (buildings.is_empty(), declared_no_one) {
            (false, _) => Housing::In(buildings),
            (true, true) => Housing::NoOne,
            (true, false) => Housing::Undeclared,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Housed {
    pub bag_id: String,
    pub mark: MarkStatus,
    pub certified: bool,
}

crate::text_enum! {
    pub enum Part {
        Certificate = "certificate",
        /// Its owners, directors and de facto managers (bans).
        Officers = "officers",
        Deposit = "deposit",
        GAccount = "g_account",
        Housing = "housing",
        /// Safety at one hirer after an accident (judged for a hirer's own check only).
        Safety = "safety",
    }
}

crate::text_enum! {
    /// Why a part does not allow hiring.
    pub enum Reason {
        NoCertificate = "no_certificate",
        CertificateSuspended = "certificate_suspended",
        CertificateRevoked = "certificate_revoked",
        CertificateLapsed = "certificate_lapsed",
        CertificateWithdrawn = "certificate_withdrawn",
        /// KvK has registered no officers for it.
        OfficersUnknown = "officers_unknown",
        /// An owner, director or de facto manager is under a ban.
        OfficerBanned = "officer_banned",
        /// No guarantee deposit has been paid.
        NoDeposit = "no_deposit",
        /// The deposit is below the required level; a top-up is due.
        DepositShortfall = "deposit_shortfall",
        /// The deposit stayed below the required level past the top-up deadline.
        DepositOverdue = "deposit_overdue",
        NoGAccount = "no_g_account",
        /// Its G-account is not yet verified by the tax authority.
        GAccountRequested = "g_account_requested",
        GAccountBlocked = "g_account_blocked",
        GAccountClosed = "g_account_closed",
        /// It has not said where it houses workers, nor that it houses no one.
        HousingUndeclared = "housing_undeclared",
        /// A building it houses workers in has no valid quality mark.
        BuildingNotCertified = "building_not_certified",
        /// After a notifiable accident at this hirer, the agency has not recorded its
        /// safety check yet: its workers may not work there again until it has.
        SafetyCheckOutstanding = "safety_check_outstanding",
    }
}

impl Reason {
    pub fn part(self) -> Part {
        use Reason::*;
        match self {
            NoCertificate | CertificateSuspended | CertificateRevoked | CertificateLapsed | CertificateWithdrawn => {
                Part::Certificate
            }
            OfficersUnknown | OfficerBanned => Part::Officers,
            NoDeposit | DepositShortfall | DepositOverdue => Part::Deposit,
            NoGAccount | GAccountRequested | GAccountBlocked | GAccountClosed => Part::GAccount,
            HousingUndeclared | BuildingNotCertified => Part::Housing,
            SafetyCheckOutstanding => Part::Safety,
        }
    }

    /// One English sentence (the API's `reasons`; pages translate the code instead).
    pub fn sentence(self) -> &'static str {
        use Reason::*;
        match self {
            NoCertificate => "the agency holds no staffing agency certificate",
            CertificateSuspended => "the agency's certificate is suspended",
            CertificateRevoked => "the agency's certificate was revoked",
            CertificateLapsed => "the agency's certificate lapsed",
            CertificateWithdrawn => "the agency withdrew its certificate",
            OfficersUnknown => "KvK has registered no officers for the agency",
            OfficerBanned => "an owner, director or de facto manager is under a ban",
            NoDeposit => "no guarantee deposit has been paid",
            DepositShortfall => "the guarantee deposit is below the required level",
            DepositOverdue => "the guarantee deposit stayed below the required level past its top-up deadline",
            NoGAccount => "the agency has no G-account",
            GAccountRequested => "the agency's G-account is not yet verified",
            GAccountBlocked => "the agency's G-account is blocked",
            GAccountClosed => "the agency's G-account is closed",
            HousingUndeclared => "the agency has not declared where it houses workers, nor that it houses no one",
            BuildingNotCertified => "a building the agency houses workers in has no valid quality mark",
            SafetyCheckOutstanding => {
                "after a notifiable accident at this hirer the agency has not recorded its safety check yet"
            }
        }
    }
}

/// The verdict of one part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Judged {
    pub part: Part,
    /// Why it does not allow hiring; `None` when it does.
    pub reason: Option<Reason>,
}

impl Judged {
    pub fn ok(&self) -> bool {
        self.reason.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// One verdict per part, in the order of [`Part::ALL`].
    pub parts: Vec<Judged>,
}

impl Standing {
    /// Judges every part of `facts`.
    pub fn of(facts: &Facts) -> Self {
        Self { parts: Part::ALL.iter().map(|&part| Judged { part, reason: judge(part, facts) }).collect() }
    }

    /// Whether a hirer may hire through the agency: every part allows it.
    pub fn may_hire(&self) -> bool {
        self.parts.iter().all(Judged::ok)
    }

    /// Why not, part by part (empty when it may hire).
    pub fn reasons(&self) -> Vec<Reason> {
        self.parts.iter().filter_map(|j| j.reason).collect()
    }

    /// The verdict of one part.
    pub fn part(&self, part: Part) -> Judged {
        self.parts.iter().copied().find(|j| j.part == part).unwrap_or(Judged { part, reason: None })
    }
}

/// Why `part` of `facts` does not allow hiring, or `None` when it does.
pub fn judge(part: Part, facts: &Facts) -> Option<Reason> {
    match part {
        Part::Certificate => match facts.certificate {
            None => Some(Reason::NoCertificate),
            // A starter on probation may work.
            Some(CertificateStatus::Provisional | CertificateStatus::Certified) => None,
            Some(CertificateStatus::Suspended) => Some(Reason::CertificateSuspended),
            Some(CertificateStatus::Revoked) => Some(Reason::CertificateRevoked),
            Some(CertificateStatus::Lapsed) => Some(Reason::CertificateLapsed),
            Some(CertificateStatus::Withdrawn) => Some(Reason::CertificateWithdrawn),
        },
        Part::Officers => match facts.officers_clear {
            None => Some(Reason::OfficersUnknown),
            Some(true) => None,
            Some(false) => Some(Reason::OfficerBanned),
        },
        Part::Deposit => match facts.deposit {
            None => Some(Reason::NoDeposit),
            // A payout's top-up term is the agency's to use (advice 2.1 C): only when it runs
            // out does the deposit stand in the way.
            Some(DepositStanding::Adequate | DepositStanding::TopUpDue) => None,
            Some(DepositStanding::Shortfall) => Some(Reason::DepositShortfall),
            Some(DepositStanding::Overdue) => Some(Reason::DepositOverdue),
        },
        Part::GAccount => match facts.g_account {
            None => Some(Reason::NoGAccount),
            Some(GAccountStatus::Active) => None,
            Some(GAccountStatus::Requested) => Some(Reason::GAccountRequested),
            Some(GAccountStatus::Blocked) => Some(Reason::GAccountBlocked),
            Some(GAccountStatus::Closed) => Some(Reason::GAccountClosed),
        },
        Part::Housing => match &facts.housing {
            Housing::Undeclared => Some(Reason::HousingUndeclared),
            Housing::NoOne => None,
            Housing::In(buildings) if buildings.iter().all(|b| b.certified) => None,
            Housing::In(_) => Some(Reason::BuildingNotCertified),
        },
        Part::Safety => facts.safety_check_outstanding.then_some(Reason::SafetyCheckOutstanding),
    }
}

/// The parts the starter's entry test looks at (advice 2.1 A: "startvoorwaarden"), in
/// the order they are reported.
pub const ENTRY_PARTS: [Part; 3] = [Part::Officers, Part::Deposit, Part::GAccount];

/// The starter's entry test (advice 2.1 A): before a provisional certificate, KvK has
/// registered the agency's officers and none is banned, the deposit's starter part is
/// paid (the deposits register requires only that part in the starter period) and a
/// G-account has been requested — its verification by the tax authority may follow during
/// probation. The reasons it fails, part by part; empty when it passes. The same judge as
/// the hirer check, with one difference: a requested G-account suffices.
pub fn entry(facts: &Facts) -> Vec<Reason> {
    ENTRY_PARTS
        .iter()
        .filter_map(|&part| match judge(part, facts) {
            Some(Reason::GAccountRequested) => None,
            other => other,
        })
        .collect()
}

/// Whether `reason` stands in the way of KvK registering a staffing activity (SBI 78;
/// advice 2.1 A, D): a certificate that allows work — a starter's provisional one
/// suffices — and the starter's entry test ([`entry`]). Housing, a G-account still being
/// verified and one hirer's safety check are for the hirer check, which stays stricter.
pub fn blocks_registration(reason: Reason) -> bool {
    match reason.part() {
        Part::Certificate | Part::Officers | Part::Deposit => true,
        Part::GAccount => reason != Reason::GAccountRequested,
        Part::Housing | Part::Safety => false,
    }
}

/// What stands in the way of KvK registering a staffing activity for an agency with
/// this standing (empty: allow).
pub fn registration(standing: &Standing) -> Vec<Reason> {
    standing.reasons().into_iter().filter(|r| blocks_registration(*r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::assert_round_trips;

    fn building(certified: bool, mark: MarkStatus) -> Housed {
        Housed { bag_id: "0363010000000001".into(), mark, certified }
    }

    fn good() -> Facts {
        Facts {
            certificate: Some(CertificateStatus::Certified),
            officers_clear: Some(true),
            deposit: Some(DepositStanding::Adequate),
            g_account: Some(GAccountStatus::Active),
            housing: Housing::NoOne,
            safety_check_outstanding: false,
        }
    }

    #[test]
    fn the_vocabularies_round_trip_and_every_reason_names_its_part() {
        assert_round_trips::<Part>();
        assert_round_trips::<Reason>();
        for part in Part::ALL {
            assert!(Reason::ALL.iter().any(|r| r.part() == *part), "{part} has no reason");
        }
    }

    /// The one table: each row changes one register's fact of a good agency and names the
    /// reason it must give, or none. The combinations are tested end to end in tests/.
    #[test]
    fn each_register_state_gives_its_reason_and_only_its_own() {
        use CertificateStatus as C;
        type Row = (&'static str, Box<dyn Fn(&mut Facts)>, Option<Reason>);
        let rows: Vec<Row> = vec![
            ("good", Box::new(|_| {}), None),
            ("provisional", Box::new(|f| f.certificate = Some(C::Provisional)), None),
            ("no certificate", Box::new(|f| f.certificate = None), Some(Reason::NoCertificate)),
            ("suspended", Box::new(|f| f.certificate = Some(C::Suspended)), Some(Reason::CertificateSuspended)),
            ("revoked", Box::new(|f| f.certificate = Some(C::Revoked)), Some(Reason::CertificateRevoked)),
            ("lapsed", Box::new(|f| f.certificate = Some(C::Lapsed)), Some(Reason::CertificateLapsed)),
            ("withdrawn", Box::new(|f| f.certificate = Some(C::Withdrawn)), Some(Reason::CertificateWithdrawn)),
            ("no officers", Box::new(|f| f.officers_clear = None), Some(Reason::OfficersUnknown)),
            ("banned", Box::new(|f| f.officers_clear = Some(false)), Some(Reason::OfficerBanned)),
            ("no deposit", Box::new(|f| f.deposit = None), Some(Reason::NoDeposit)),
            ("shortfall", Box::new(|f| f.deposit = Some(DepositStanding::Shortfall)), Some(Reason::DepositShortfall)),
            ("top-up term running", Box::new(|f| f.deposit = Some(DepositStanding::TopUpDue)), None),
            ("overdue", Box::new(|f| f.deposit = Some(DepositStanding::Overdue)), Some(Reason::DepositOverdue)),
            ("no g-account", Box::new(|f| f.g_account = None), Some(Reason::NoGAccount)),
            ("requested", Box::new(|f| f.g_account = Some(GAccountStatus::Requested)), Some(Reason::GAccountRequested)),
            ("blocked", Box::new(|f| f.g_account = Some(GAccountStatus::Blocked)), Some(Reason::GAccountBlocked)),
            ("closed", Box::new(|f| f.g_account = Some(GAccountStatus::Closed)), Some(Reason::GAccountClosed)),
            ("undeclared", Box::new(|f| f.housing = Housing::Undeclared), Some(Reason::HousingUndeclared)),
            ("all certified", Box::new(|f| f.housing = Housing::In(vec![building(true, MarkStatus::Certified)])), None),
            (
                "one suspended",
                Box::new(|f| {
                    f.housing =
                        Housing::In(vec![building(true, MarkStatus::Certified), building(false, MarkStatus::Suspended)])
                }),
                Some(Reason::BuildingNotCertified),
            ),
            (
                "one revoked",
                Box::new(|f| f.housing = Housing::In(vec![building(false, MarkStatus::Revoked)])),
                Some(Reason::BuildingNotCertified),
            ),
        ];
        let mut rows = rows;
        rows.push((
            "a safety check outstanding at this hirer",
            Box::new(|f| f.safety_check_outstanding = true),
            Some(Reason::SafetyCheckOutstanding),
        ));
        for (case, change, expected) in rows {
            let mut facts = good();
            change(&mut facts);
            let standing = Standing::of(&facts);
            assert_eq!(standing.reasons(), expected.into_iter().collect::<Vec<_>>(), "{case}");
            assert_eq!(standing.may_hire(), expected.is_none(), "{case}");
            if let Some(reason) = expected {
                assert!(!standing.part(reason.part()).ok(), "{case}: the failing part is {}", reason.part());
            }
        }
    }

    #[test]
    fn kvk_registers_a_starter_on_its_certificate_and_entry_test_alone() {
        let starter = Facts {
            certificate: Some(CertificateStatus::Provisional),
            g_account: Some(GAccountStatus::Requested),
            housing: Housing::Undeclared,
            ..good()
        };
        let standing = Standing::of(&starter);
        assert!(!standing.may_hire(), "the hirer check is stricter");
        assert_eq!(registration(&standing), []);
        // The entry test's parts and the certificate's block; nothing else does.
        for reason in Reason::ALL.iter().copied() {
            let in_entry = ENTRY_PARTS.contains(&reason.part()) && reason != Reason::GAccountRequested;
            assert_eq!(blocks_registration(reason), in_entry || reason.part() == Part::Certificate, "{reason}");
        }
        let revoked = Facts { certificate: Some(CertificateStatus::Revoked), ..starter };
        assert_eq!(registration(&Standing::of(&revoked)), [Reason::CertificateRevoked]);
    }

    #[test]
    fn an_agency_with_nothing_anywhere_fails_every_part() {
        let standing = Standing::of(&Facts::default());
        // Every part but safety, which concerns one hirer's check only.
        assert_eq!(standing.reasons().len(), Part::ALL.len() - 1);
        assert!(standing.part(Part::Safety).ok());
        assert!(!standing.may_hire());
    }

    #[test]
    fn the_entry_test_asks_officers_the_starter_deposit_and_a_requested_g_account() {
        let starter = || Facts {
            certificate: None,
            officers_clear: Some(true),
            deposit: Some(DepositStanding::Adequate),
            g_account: Some(GAccountStatus::Requested),
            housing: Housing::Undeclared,
            safety_check_outstanding: false,
        };
        assert!(entry(&starter()).is_empty(), "no certificate and no housing yet: a starter");
        assert!(entry(&Facts { g_account: Some(GAccountStatus::Active), ..starter() }).is_empty());
        assert!(entry(&Facts { deposit: Some(DepositStanding::TopUpDue), ..starter() }).is_empty(), "a payout's term");
        assert_eq!(
            entry(&Facts::default()),
            [Reason::OfficersUnknown, Reason::NoDeposit, Reason::NoGAccount],
            "each missing part, in order"
        );
        for (facts, reason) in [
            (Facts { officers_clear: Some(false), ..starter() }, Reason::OfficerBanned),
            (Facts { deposit: Some(DepositStanding::Shortfall), ..starter() }, Reason::DepositShortfall),
            (Facts { deposit: Some(DepositStanding::Overdue), ..starter() }, Reason::DepositOverdue),
            (Facts { g_account: Some(GAccountStatus::Blocked), ..starter() }, Reason::GAccountBlocked),
            (Facts { g_account: Some(GAccountStatus::Closed), ..starter() }, Reason::GAccountClosed),
        ] {
            assert_eq!(entry(&facts), [reason]);
        }
    }
}
