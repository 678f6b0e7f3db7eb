//! The Chamber of Commerce's checks (advice 2.1 A and D). At registration: a staffing
//! activity (SBI 78xx) needs a valid or provisional certificate, no officer may be under a
//! ban covering their role, and the certificate of conduct (VOG) may be at most as old as
//! the dated `vog_policy` allows (3 months, Zegel's policy: the advice names no age). At
//! deregistration: open deposit claims, unpaid fines, a suspension in progress or a ban
//! are signals of an "unjustified deregistration", sent to the inspectorate and the tax
//! authority. Every check is stored with its inputs — BSNs only as keyed hashes.

use chrono::{Months, NaiveDate};
use platform::event::Body;
use platform::event::payload::UnjustifiedDeregistration;
use platform::ids::Bsn;
use platform::outbox::Event;
use secrecy::ExposeSecret;
use serde_json::json;
use uuid::Uuid;
use zegel_contracts::ban::{OfficerRole, PersonCheck};
use zegel_contracts::kvk::{CheckKind, CheckResult, Signal, Signalled};
use zegel_contracts::{CertificateStatus, Standing};

use crate::agency::Unavailable;
use crate::state::AppState;
use crate::store::{self, KvkCheck};

#[derive(Debug, Clone)]
pub struct Officer {
    /// Their BSN (sent on to the bans register, stored only hashed).
    pub bsn: Bsn,
    pub role: OfficerRole,
}

#[derive(Debug, Clone)]
pub struct Registration {
    pub kvk_number: String,
    pub sbi_codes: Vec<String>,
    pub officers: Vec<Officer>,
    pub vog_issued_on: NaiveDate,
}

fn hashed(state: &AppState, bsn: &Bsn) -> String {
    platform::keyed::hex(&bsn.keyed_hash(state.settings.bsn_key.expose_secret().as_bytes()))
}

/// Whether the bans register knows a ban in force on `day` that covers `role` for this person.
async fn banned_in_role(
    state: &AppState,
    req: &platform::http::Request,
    officer: &Officer,
    kvk: &str,
    day: NaiveDate,
) -> Result<bool, Unavailable> {
    let url = format!("{}/api/v1/person-checks", state.settings.bans_url.trim_end_matches('/'));
    // The caller's own token goes along: the bans register logs KvK as the reader, with its purpose.
    use platform::http::ForwardRequestId;
    let res = state
        .http
        .post(url)
        .header("authorization", req.authorization.as_deref().unwrap_or_default())
        .request_id(&req.id)
        .json(&json!({
            "bsn": officer.bsn.expose(),
            "on_date": day,
            "purpose": format!("KvK registration check of {kvk}"),
            "kvk_number": kvk,
        }))
        .send()
        .await
        .map_err(|e| Unavailable(format!("bans register: {e}")))?;
    if !res.status().is_success() {
        return Err(Unavailable(format!("bans register answered {}", res.status())));
    }
    let answer: PersonCheck = res.json().await.map_err(|e| Unavailable(format!("bans register: {e}")))?;
    Ok(answer.bans.iter().any(|ban| ban.covers(officer.role, day)))
}

pub async fn registration(
    state: &AppState,
    req: &platform::http::Request,
    requested_by: &str,
    input: &Registration,
) -> Result<KvkCheck, Unavailable> {
    let today = state.clock.today();
    let mut reasons = Vec::new();
    let rows = store::agency(&state.fresh, &input.kvk_number).await.map_err(|e| Unavailable(format!("{e:#}")))?;
    // An officer the bans register holds for the agency is under a ban in force: its
    // staffing activity is marked for deregistration (advice 2.1 F), whatever is asked now.
    let mark_for_deregistration = rows.officers.as_ref().is_some_and(|o| !o.clear);
    if mark_for_deregistration {
        reasons.push(
            "an owner, director or de facto manager registered for the agency is under a ban: its staffing activity is \
             marked for deregistration"
                .to_string(),
        );
    }
    if input.sbi_codes.iter().any(|c| c.starts_with("78")) {
        // A staffing activity is registered for an agency with a certificate that allows
        // work (a starter's provisional one suffices) that passes the starter's entry test
        // (advice 2.1 A, D): the same standing as the hirer check, which asks more.
        let failing = zegel_contracts::agency::registration(&Standing::of(&crate::agency::facts(&rows)));
        if !failing.is_empty() {
            let why: Vec<&str> = failing.iter().map(|r| r.sentence()).collect();
            reasons.push(format!(
                "a staffing activity (SBI 78) needs a certificate in force and the starter's entry test passed, and {}",
                why.join("; ")
            ));
        }
    }
    for (i, officer) in input.officers.iter().enumerate() {
        if banned_in_role(state, req, officer, &input.kvk_number, today).await? {
            reasons.push(format!("officer {} ({}) is under a ban that covers this role", i + 1, officer.role));
        }
    }
    reasons.extend(vog_too_old(state, input.vog_issued_on, today).await?);
    let check = KvkCheck {
        kvk_check_id: Uuid::now_v7(),
        kind: CheckKind::Registration,
        kvk_number: input.kvk_number.clone(),
        inputs: json!({
            "sbi_codes": input.sbi_codes,
            "officers": input.officers.iter().map(|o| json!({ "bsn_hash": hashed(state, &o.bsn), "role": o.role })).collect::<Vec<_>>(),
            "vog_issued_on": input.vog_issued_on,
        }),
        result: if reasons.is_empty() { CheckResult::Allow } else { CheckResult::Deny },
        reasons: json!(reasons),
        requested_by: requested_by.into(),
        checked_at: state.clock.now(),
        mark_for_deregistration,
    };
    store::insert_kvk_check(&state.core.pool, &check, &[]).await.map_err(|e| Unavailable(format!("{e:#}")))?;
    Ok(check)
}

/// Why the certificate of conduct (VOG) issued on `issued_on` is too old, if it is: how old
/// it may be is a dated setting (`vog_policy`), the row in force today.
async fn vog_too_old(state: &AppState, issued_on: NaiveDate, today: NaiveDate) -> Result<Option<String>, Unavailable> {
    let vog_months = store::vog_max_months(&state.core.pool, today)
        .await
        .map_err(|e| Unavailable(format!("{e:#}")))?
        .ok_or_else(|| Unavailable("no VOG policy in force".into()))?;
    if issued_on + Months::new(vog_months) >= today {
        return Ok(None);
    }
    let age = if vog_months == 1 { "1 month".to_string() } else { format!("{vog_months} months") };
    Ok(Some(format!("the certificate of conduct (VOG) is older than {age}")))
}

/// Decides and stores a deregistration check; signals go to the inspectorate and the tax
/// authority as an event.
pub async fn deregistration(
    state: &AppState,
    requested_by: &str,
    kvk: &str,
    date: NaiveDate,
) -> Result<KvkCheck, Unavailable> {
    let rows = store::agency(&state.fresh, kvk).await.map_err(|e| Unavailable(format!("{e:#}")))?;
    let mut signals = Vec::new();
    if let Some(d) = &rows.deposit {
        if d.open_claims > 0 {
            signals.push(Signalled::new(Signal::OpenDepositClaims, Some(d.open_claims)));
        }
        if d.unpaid_fines > 0 {
            signals.push(Signalled::new(Signal::UnpaidFines, Some(d.unpaid_fines)));
        }
    }
    if rows.certificate.as_ref().is_some_and(|c| c.status == CertificateStatus::Suspended) {
        signals.push(Signalled::new(Signal::SuspensionInProgress, None));
    }
    if rows.officers.as_ref().is_some_and(|o| !o.clear) {
        signals.push(Signalled::new(Signal::Ban, None));
    }
    let now = state.clock.now();
    let check = KvkCheck {
        kvk_check_id: Uuid::now_v7(),
        kind: CheckKind::Deregistration,
        kvk_number: kvk.into(),
        inputs: json!({ "date": date }),
        result: if signals.is_empty() { CheckResult::Ok } else { CheckResult::Signals },
        reasons: json!(signals),
        requested_by: requested_by.into(),
        checked_at: now,
        mark_for_deregistration: false,
    };
    let events = if signals.is_empty() {
        Vec::new()
    } else {
        let what =
            UnjustifiedDeregistration { kvk_check_id: check.kvk_check_id, kvk_number: kvk.into(), date, signals };
        vec![Event::new(Body::KvkUnjustifiedDeregistration(what), kvk, &["inspectorate", "tax"], now)]
    };
    store::insert_kvk_check(&state.core.pool, &check, &events).await.map_err(|e| Unavailable(format!("{e:#}")))?;
    state.core.relay.nudge();
    Ok(check)
}
