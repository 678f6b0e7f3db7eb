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
use zegel_standing::{DepositStanding, GAccountStatus, MarkStatus};

use crate::store::{self, AgencyRows};

/// Days a receipt stays verifiable: the advice counts repeat offences over five years.
pub const RECEIPT_DAYS: u32 = 5 * 366;

/// One part of the verdict.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Part {
    /// Whether this part allows hiring.
    pub ok: bool,
    /// What the register says, as a word (`certified`, `clear`, `adequate`, `active`, …,
    /// or `none` when it has no record).
    pub status: String,
    /// When that last changed.
    pub changed_at: Option<String>,
    /// Part-specific details (agency name, IBAN of an active G-account, buildings).
    #[serde(skip_serializing_if = "Detail::is_none")]
    pub detail: Detail,
}

/// What a part says besides its status.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Detail {
    /// Nothing more.
    None,
    /// The certificate part.
    Certificate {
        /// The agency's name.
        agency_name: Option<String>,
        /// The norm it is assessed on.
        norm: Option<String>,
    },
    /// The deposit part.
    Deposit {
        /// The top-up deadline, if short.
        top_up_by: Option<String>,
    },
    /// The G-account part (only while active).
    GAccount {
        /// Where the hirer pays the tax share of invoices.
        iban: Option<String>,
    },
    /// The housing part.
    Housing {
        /// Every building the agency provides.
        buildings: Vec<HousedIn>,
    },
}

impl Detail {
    fn is_none(&self) -> bool {
        *self == Detail::None
    }
}

/// A building an agency houses workers in, as the check shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HousedIn {
    /// BAG id.
    pub bag_id: String,
    /// One line.
    pub address: String,
    /// The mark.
    pub mark_status: MarkStatus,
    /// Certified and within its year.
    pub certified: bool,
}

impl Check {
    /// The agency's name, as its certificate has it.
    pub fn agency_name(&self) -> Option<&str> {
        match self.parts.get("certificate").map(|p| &p.detail) {
            Some(Detail::Certificate { agency_name, .. }) => agency_name.as_deref(),
            _ => None,
        }
    }

    /// The IBAN of an active G-account.
    pub fn iban(&self) -> Option<&str> {
        match self.parts.get("g_account").map(|p| &p.detail) {
            Some(Detail::GAccount { iban }) => iban.as_deref(),
            _ => None,
        }
    }

    /// The buildings the agency houses workers in.
    pub fn buildings(&self) -> &[HousedIn] {
        match self.parts.get("housing").map(|p| &p.detail) {
            Some(Detail::Housing { buildings }) => buildings,
            _ => &[],
        }
    }
}

/// The answer about one agency.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The KvK number.
    pub kvk_number: String,
    /// The verdict.
    pub may_hire: bool,
    /// Why not, one sentence per failing part.
    pub reasons: Vec<String>,
    /// The parts.
    pub parts: BTreeMap<&'static str, Part>,
    /// Server time of the check.
    pub checked_at: DateTime<Utc>,
}

/// The verdict from the registers' rows.
pub fn evaluate(kvk: &str, rows: &AgencyRows, now: DateTime<Utc>) -> Check {
    let mut parts = BTreeMap::new();
    let mut reasons = Vec::new();
    let none = || Part { ok: false, status: "none".into(), changed_at: None, detail: Detail::None };

    let certificate = match &rows.certificate {
        Some(c) => Part {
            ok: c.status.allows_work(),
            changed_at: c.changed_at.clone(),
            detail: Detail::Certificate { agency_name: c.name.clone(), norm: c.norm.clone() },
            status: c.status.as_str().into(),
        },
        None => none(),
    };
    if !certificate.ok {
        reasons.push(match &rows.certificate {
            None => "the agency holds no staffing agency certificate".to_string(),
            Some(c) => format!("the agency's certificate is {}", c.status),
        });
    }
    parts.insert("certificate", certificate);

    let officers = match &rows.officers {
        Some(o) => Part {
            ok: o.clear,
            status: if o.clear { "clear" } else { "not_clear" }.into(),
            changed_at: o.changed_at.clone(),
            detail: Detail::None,
        },
        None => Part { ok: false, status: "unknown".into(), changed_at: None, detail: Detail::None },
    };
    if !officers.ok {
        reasons.push(match &rows.officers {
            None => "KvK has registered no officers for the agency".to_string(),
            Some(_) => "an owner, director or de facto manager is under a ban".to_string(),
        });
    }
    parts.insert("officers", officers);

    let deposit = match &rows.deposit {
        Some(d) => Part {
            ok: d.status == DepositStanding::Adequate,
            changed_at: d.changed_at.clone(),
            detail: Detail::Deposit { top_up_by: d.top_up_by.clone() },
            status: d.status.as_str().into(),
        },
        None => none(),
    };
    if !deposit.ok {
        reasons.push(match &rows.deposit {
            None => "no guarantee deposit has been paid".to_string(),
            Some(d) => format!("the guarantee deposit is in {}", d.status),
        });
    }
    parts.insert("deposit", deposit);

    let g_account = match &rows.g_account {
        Some(g) => {
            let active = g.status == GAccountStatus::Active;
            Part {
                ok: active,
                changed_at: g.changed_at.clone(),
                // The hirer pays the tax share of invoices into it: shown only while active.
                detail: if active { Detail::GAccount { iban: g.iban.clone() } } else { Detail::None },
                status: g.status.as_str().into(),
            }
        }
        None => none(),
    };
    if !g_account.ok {
        reasons.push(match &rows.g_account {
            None => "the agency has no G-account".to_string(),
            Some(g) => format!("the agency's G-account is {}", g.status),
        });
    }
    parts.insert("g_account", g_account);

    let buildings: Vec<HousedIn> = rows
        .buildings
        .iter()
        .map(|b| {
            let addition = b.addition.as_deref().map(|a| format!(" {a}")).unwrap_or_default();
            HousedIn {
                bag_id: b.bag_id.clone(),
                address: format!("{} {}{addition}, {} {}", b.street, b.number, b.postcode, b.place),
                mark_status: b.mark_status,
                certified: b.certified,
            }
        })
        .collect();
    let uncertified = rows.buildings.iter().filter(|b| !b.certified).count();
    let housing = Part {
        ok: uncertified == 0,
        status: match (buildings.len(), uncertified) {
            (0, _) => "none".into(),
            (_, 0) => "all_certified".into(),
            _ => "not_all_certified".into(),
        },
        changed_at: rows.buildings.iter().filter_map(|b| b.mark_since.clone()).max(),
        detail: Detail::Housing { buildings },
    };
    if !housing.ok {
        reasons.push(format!(
            "{uncertified} of the {} buildings it houses workers in have no valid quality mark",
            rows.buildings.len()
        ));
    }
    parts.insert("housing", housing);

    Check { kvk_number: kvk.to_string(), may_hire: reasons.is_empty(), reasons, parts, checked_at: now }
}

/// Why a check could not be made.
#[derive(Debug, thiserror::Error)]
#[error("a register could not be read: {0}")]
pub struct Unavailable(pub String);

/// Checks `kvk` now.
pub async fn check(state: &AppState, kvk: &str) -> Result<Check, Unavailable> {
    let rows = store::agency(&state.core.pool, kvk).await.map_err(|e| Unavailable(format!("{e:#}")))?;
    Ok(evaluate(kvk, &rows, state.clock.now()))
}

/// A receipt: the check stored and sealed by the lookup.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// The seal (compact JWS).
    pub seal: String,
    /// Where it verifies.
    pub url: String,
    /// Until when it verifies.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Checks `kvk` now and seals the answer.
pub async fn check_with_receipt(state: &AppState, kvk: &str) -> Result<(Check, Receipt), Unavailable> {
    let check = check(state, kvk).await?;
    let result = serde_json::to_value(&check).map_err(|e| Unavailable(e.to_string()))?;
    let mut facts = BTreeMap::new();
    facts.insert("h".to_string(), json!(check.may_hire));
    let issued = state
        .desk
        .sign(kvk, check.checked_at, None, facts)
        .map_err(|e| Unavailable(format!("receipt not signed: {e}")))?;
    let id: Uuid = issued.seal_id;
    store::insert_receipt(&state.core.pool, id, kvk, check.may_hire, &result, check.checked_at)
        .await
        .map_err(|e| Unavailable(format!("{e:#}")))?;
    Ok((check, Receipt { url: issued.url, seal: issued.token, expires_at: Some(issued.expires_at) }))
}
