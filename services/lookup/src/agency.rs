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
use serde_json::{Value, json};
use uuid::Uuid;

use crate::state::AppState;
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
    #[serde(skip_serializing_if = "Value::is_null")]
    pub detail: Value,
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

fn text(v: &Value, key: &str) -> Option<String> {
    v[key].as_str().map(str::to_string)
}

/// The verdict from the registers' rows.
pub fn evaluate(kvk: &str, rows: &AgencyRows, now: DateTime<Utc>) -> Check {
    let mut parts = BTreeMap::new();
    let mut reasons = Vec::new();

    let certificate = match &rows.certificate {
        Some(c) => {
            let status = text(c, "status").unwrap_or_default();
            Part {
                ok: matches!(status.as_str(), "certified" | "provisional"),
                changed_at: text(c, "changed_at"),
                detail: json!({ "agency_name": c["name"], "norm": c["norm"] }),
                status,
            }
        }
        None => Part { ok: false, status: "none".into(), changed_at: None, detail: Value::Null },
    };
    if !certificate.ok {
        reasons.push(match certificate.status.as_str() {
            "none" => "the agency holds no staffing agency certificate".to_string(),
            s => format!("the agency's certificate is {s}"),
        });
    }
    parts.insert("certificate", certificate);

    let officers = match &rows.officers {
        Some(o) if o["clear"] == true => {
            Part { ok: true, status: "clear".into(), changed_at: text(o, "changed_at"), detail: Value::Null }
        }
        Some(o) => {
            Part { ok: false, status: "not_clear".into(), changed_at: text(o, "changed_at"), detail: Value::Null }
        }
        None => Part { ok: false, status: "unknown".into(), changed_at: None, detail: Value::Null },
    };
    if !officers.ok {
        reasons.push(match officers.status.as_str() {
            "unknown" => "KvK has registered no officers for the agency".to_string(),
            _ => "an owner, director or de facto manager is under a ban".to_string(),
        });
    }
    parts.insert("officers", officers);

    let deposit = match &rows.deposit {
        Some(d) => {
            let status = text(d, "status").unwrap_or_default();
            Part {
                ok: status == "adequate",
                changed_at: text(d, "changed_at"),
                detail: json!({ "top_up_by": d["top_up_by"] }),
                status,
            }
        }
        None => Part { ok: false, status: "none".into(), changed_at: None, detail: Value::Null },
    };
    if !deposit.ok {
        reasons.push(match deposit.status.as_str() {
            "none" => "no guarantee deposit has been paid".to_string(),
            s => format!("the guarantee deposit is in {s}"),
        });
    }
    parts.insert("deposit", deposit);

    let g_account = match &rows.g_account {
        Some(g) => {
            let status = text(g, "status").unwrap_or_default();
            let active = status == "active";
            Part {
                ok: active,
                changed_at: text(g, "changed_at"),
                // The hirer pays the tax share of invoices into it: shown only while active.
                detail: if active { json!({ "iban": g["iban"] }) } else { Value::Null },
                status,
            }
        }
        None => Part { ok: false, status: "none".into(), changed_at: None, detail: Value::Null },
    };
    if !g_account.ok {
        reasons.push(match g_account.status.as_str() {
            "none" => "the agency has no G-account".to_string(),
            s => format!("the agency's G-account is {s}"),
        });
    }
    parts.insert("g_account", g_account);

    let buildings: Vec<Value> = rows
        .buildings
        .iter()
        .map(|b| {
            let addition = b["addition"].as_str().map(|a| format!(" {a}")).unwrap_or_default();
            json!({
                "bag_id": b["bag_id"],
                "address": format!("{} {}{addition}, {} {}",
                    b["street"].as_str().unwrap_or_default(), b["number"], b["postcode"].as_str().unwrap_or_default(),
                    b["place"].as_str().unwrap_or_default()),
                "mark_status": b["mark_status"],
                "certified": b["certified"] == true,
            })
        })
        .collect();
    let uncertified = buildings.iter().filter(|b| b["certified"] != true).count();
    let housing = Part {
        ok: uncertified == 0,
        status: match (buildings.len(), uncertified) {
            (0, _) => "none".into(),
            (_, 0) => "all_certified".into(),
            _ => "not_all_certified".into(),
        },
        changed_at: rows.buildings.iter().filter_map(|b| text(b, "mark_since")).max(),
        detail: json!({ "buildings": buildings }),
    };
    if !housing.ok {
        reasons.push(format!(
            "{uncertified} of the {} buildings it houses workers in have no valid quality mark",
            buildings.len()
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
