//! The hirer check (advice 2.1 E): one verdict on an agency — may I hire through it? — from
//! what every register says at this moment, part by part, each with when it last changed,
//! and a receipt signed by the lookup that the hirer keeps as proof of due diligence.
//!
//! May hire only when: the certificate is valid or provisional (a starter on probation),
//! every officer is clear of bans, the guarantee deposit is adequate, the G-account is
//! active, and — if the agency houses workers — every building it provides is certified.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::state::AppState;
use zegel_contracts::agency::{Part as StandingPart, Reason};
use zegel_contracts::{CertificateStatus, DepositStanding, Facts, GAccountStatus, Housing, MarkStatus, Standing};

use crate::store::{self, AgencyRows};

pub use crate::config::RECEIPT_DAYS;

platform::text_enum! {
    /// What the bans register says of an agency's officers.
    pub enum OfficersSaid {
        Clear = "clear",
        NotClear = "not_clear",
        /// KvK has registered no officers for it (yet).
        Unknown = "unknown",
    }
}

platform::text_enum! {
    /// What the housing register says of where an agency houses its workers.
    pub enum HousingSaid {
        /// The agency has not declared whether it houses anyone.
        Undeclared = "undeclared",
        /// It declared that it houses no one.
        NoOne = "none",
        AllCertified = "all_certified",
        NotAllCertified = "not_all_certified",
    }
}

platform::text_enum! {
    /// Whether an agency's safety check after an accident at this hirer is done.
    pub enum SafetySaid {
        Outstanding = "outstanding",
        Clear = "clear",
    }
}

/// What a register says of one part, in its own words: the `status` of a part in the
/// check's answer, and the key of its sentence on the check page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Said {
    /// The register has no record of the agency.
    Nothing,
    Certificate(CertificateStatus),
    Officers(OfficersSaid),
    Deposit(DepositStanding),
    GAccount(GAccountStatus),
    Housing(HousingSaid),
    Safety(SafetySaid),
}

impl Said {
    pub fn as_str(self) -> &'static str {
        match self {
            Said::Nothing => "none",
            Said::Certificate(s) => s.as_str(),
            Said::Officers(s) => s.as_str(),
            Said::Deposit(s) => s.as_str(),
            Said::GAccount(s) => s.as_str(),
            Said::Housing(s) => s.as_str(),
            Said::Safety(s) => s.as_str(),
        }
    }
}

impl Serialize for Said {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Part {
    pub ok: bool,
    pub status: Said,
    pub changed_at: Option<String>,
    /// Part-specific details (agency name, IBAN of an active G-account, buildings).
    #[serde(skip_serializing_if = "Detail::is_none")]
    pub detail: Detail,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Detail {
    None,
    /// The certificate part.
    Certificate {
        agency_name: Option<String>,
        norm: Option<String>,
    },
    /// The deposit part.
    Deposit {
        top_up_by: Option<String>,
    },
    /// The G-account part (only while active).
    GAccount {
        /// Where the hirer pays the tax share of invoices.
        iban: Option<String>,
    },
    /// The housing part.
    Housing {
        buildings: Vec<HousedIn>,
    },
}

impl Detail {
    fn is_none(&self) -> bool {
        *self == Detail::None
    }
}

/// A building an agency houses workers in, as the check shows it: its mark, never where it
/// is (a hirer needs to know that every building is certified, not where migrants live).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HousedIn {
    pub mark_status: MarkStatus,
    pub certified: bool,
}

impl Check {
    /// Whether the registers know this agency (KvK registered it with the certificates
    /// register), as opposed to a number nobody registered.
    pub fn known(&self) -> bool {
        self.agency_name().is_some()
    }

    pub fn agency_name(&self) -> Option<&str> {
        match self.parts.get("certificate").map(|p| &p.detail) {
            Some(Detail::Certificate { agency_name, .. }) => agency_name.as_deref(),
            _ => None,
        }
    }

    pub fn iban(&self) -> Option<&str> {
        match self.parts.get("g_account").map(|p| &p.detail) {
            Some(Detail::GAccount { iban }) => iban.as_deref(),
            _ => None,
        }
    }

    pub fn buildings(&self) -> &[HousedIn] {
        match self.parts.get("housing").map(|p| &p.detail) {
            Some(Detail::Housing { buildings }) => buildings,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub kvk_number: String,
    pub may_hire: bool,
    /// Why not, one sentence per failing part.
    pub reasons: Vec<String>,
    /// Why not, as codes (`StandingReason` in openapi/), one per failing part.
    pub reason_codes: Vec<Reason>,
    pub parts: BTreeMap<&'static str, Part>,
    pub checked_at: DateTime<Utc>,
}

/// What the registers' rows say, as the standing's facts.
pub fn facts(rows: &AgencyRows) -> Facts {
    Facts {
        certificate: rows.certificate.as_ref().map(|c| c.status),
        officers_clear: rows.officers.as_ref().map(|o| o.clear),
        deposit: rows.deposit.as_ref().map(|d| d.status),
        g_account: rows.g_account.as_ref().map(|g| g.status),
        housing: rows.housing(),
        safety_check_outstanding: rows.safety_check_outstanding == Some(true),
    }
}

/// The verdict from the registers' rows: the standing (`zegel_contracts`), shown part by
/// part with what each register says.
pub fn evaluate(kvk: &str, rows: &AgencyRows, now: DateTime<Utc>) -> Check {
    let standing = Standing::of(&facts(rows));
    let reason_codes = standing.reasons();
    Check {
        kvk_number: kvk.to_string(),
        may_hire: standing.may_hire(),
        reasons: reason_codes.iter().map(|r| r.sentence().to_string()).collect(),
        reason_codes,
        parts: parts(rows, &standing),
        checked_at: now,
    }
}

/// One part of `standing`, as its register says it.
fn shown(standing: &Standing, part: StandingPart, status: Said, changed_at: Option<String>, detail: Detail) -> Part {
    Part { ok: standing.part(part).ok(), status, changed_at, detail }
}

/// Each part of `standing` with what its register says of the agency.
fn parts(rows: &AgencyRows, standing: &Standing) -> BTreeMap<&'static str, Part> {
    let shown = |part, status, changed_at, detail| shown(standing, part, status, changed_at, detail);
    let mut parts = BTreeMap::new();
    let c = rows.certificate.as_ref();
    parts.insert(
        "certificate",
        shown(
            StandingPart::Certificate,
            c.map_or(Said::Nothing, |c| Said::Certificate(c.status)),
            c.and_then(|c| c.changed_at.clone()),
            c.map_or(Detail::None, |c| Detail::Certificate { agency_name: c.name.clone(), norm: c.norm.clone() }),
        ),
    );
    let o = rows.officers.as_ref();
    parts.insert(
        "officers",
        shown(
            StandingPart::Officers,
            Said::Officers(match o {
                None => OfficersSaid::Unknown,
                Some(o) if o.clear => OfficersSaid::Clear,
                Some(_) => OfficersSaid::NotClear,
            }),
            o.and_then(|o| o.changed_at.clone()),
            Detail::None,
        ),
    );
    let d = rows.deposit.as_ref();
    parts.insert(
        "deposit",
        shown(
            StandingPart::Deposit,
            d.map_or(Said::Nothing, |d| Said::Deposit(d.status)),
            d.and_then(|d| d.changed_at.clone()),
            d.map_or(Detail::None, |d| Detail::Deposit { top_up_by: d.top_up_by.clone() }),
        ),
    );
    parts.extend(housing_and_safety(rows, standing));
    let g = rows.g_account.as_ref();
    // The hirer pays the tax share of invoices into it: its IBAN is shown only while active.
    let active = g.is_some_and(|g| g.status == GAccountStatus::Active);
    parts.insert(
        "g_account",
        shown(
            StandingPart::GAccount,
            g.map_or(Said::Nothing, |g| Said::GAccount(g.status)),
            g.and_then(|g| g.changed_at.clone()),
            if active { Detail::GAccount { iban: g.and_then(|g| g.iban.clone()) } } else { Detail::None },
        ),
    );
    parts
}

/// The housing part, and — only in a hirer's own check — safety at that hirer after an
/// accident there.
fn housing_and_safety(rows: &AgencyRows, standing: &Standing) -> BTreeMap<&'static str, Part> {
    let shown = |part, status, changed_at, detail| shown(standing, part, status, changed_at, detail);
    let mut parts = BTreeMap::new();
    parts.insert(
        "housing",
        shown(
            StandingPart::Housing,
            Said::Housing(match (&rows.housing(), standing.part(StandingPart::Housing).ok()) {
                (Housing::Undeclared, _) => HousingSaid::Undeclared,
                (Housing::NoOne, _) => HousingSaid::NoOne,
                (Housing::In(_), true) => HousingSaid::AllCertified,
                (Housing::In(_), false) => HousingSaid::NotAllCertified,
            }),
            rows.buildings.iter().filter_map(|b| b.mark_since.clone()).max(),
            Detail::Housing { buildings: rows.buildings.iter().map(HousedIn::of).collect() },
        ),
    );
    if let Some(outstanding) = rows.safety_check_outstanding {
        parts.insert(
            "safety",
            shown(
                StandingPart::Safety,
                Said::Safety(if outstanding { SafetySaid::Outstanding } else { SafetySaid::Clear }),
                None,
                Detail::None,
            ),
        );
    }
    parts
}

impl HousedIn {
    fn of(b: &store::BuildingRow) -> Self {
        HousedIn { mark_status: b.mark_status, certified: b.certified }
    }
}

pub use crate::error::Unavailable;

/// Checks `kvk` now.
pub async fn check(state: &AppState, kvk: &str) -> Result<Check, Unavailable> {
    check_for(state, kvk, None).await
}

/// Checks `kvk` now, for `hirer` when a hirer asks with its own token: then also whether a
/// safety check after an accident at that hirer is outstanding, which keeps that pair (and
/// only that pair) from hiring.
pub async fn check_for(state: &AppState, kvk: &str, hirer: Option<&str>) -> Result<Check, Unavailable> {
    let unavailable = |e: anyhow::Error| Unavailable(format!("{e:#}"));
    let mut rows = store::agency(&state.fresh, kvk).await.map_err(unavailable)?;
    if let Some(hirer) = hirer {
        rows.safety_check_outstanding =
            Some(store::safety_check_outstanding(&state.fresh, kvk, hirer).await.map_err(unavailable)?);
    }
    Ok(evaluate(kvk, &rows, state.clock.now()))
}

#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// The seal (compact JWS).
    pub seal: String,
    pub url: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Seals `check` as a receipt and keeps it until the receipt expires; `None` when no
/// register knows the agency (a receipt is proof about an agency, and checks of numbers
/// nobody registered must not fill the register).
pub async fn receipt(state: &AppState, check: &Check) -> Result<Option<Receipt>, Unavailable> {
    if !check.known() {
        return Ok(None);
    }
    let result = serde_json::to_value(check).map_err(|e| Unavailable(e.to_string()))?;
    let mut facts = BTreeMap::new();
    facts.insert("h".to_string(), json!(check.may_hire));
    let issued = state
        .desk
        .sign(&check.kvk_number, check.checked_at, None, facts)
        .map_err(|e| Unavailable(format!("receipt not signed: {e}")))?;
    let id: Uuid = issued.seal_id;
    store::insert_receipt(
        &state.core.pool,
        store::NewReceipt {
            id,
            kvk: &check.kvk_number,
            may_hire: check.may_hire,
            result: &result,
            checked_at: check.checked_at,
            expires_at: issued.expires_at,
        },
    )
    .await
    .map_err(|e| Unavailable(format!("{e:#}")))?;
    Ok(Some(Receipt { url: issued.url, seal: issued.token, expires_at: Some(issued.expires_at) }))
}
