//! Verification: signature and time offline, status live. Never `valid` unless both say so.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use zegel_attest::{Register, SealStatus, Verdict};
use zegel_contracts::Standing;
use zegel_contracts::agency::Reason;

use crate::reads::Ask;
use crate::state::AppState;
use crate::store::Live;

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub verdict: Verdict,
    /// Why, in plain English (the page translates the verdict itself).
    pub reasons: Vec<String>,
    /// The register that issued it (only when the signature checked).
    pub register: Option<&'static str>,
    /// What it is about (only when the signature checked).
    pub subject: Option<String>,
    /// Live facts from the register, and the seal's own display facts.
    pub facts: Value,
    pub issued_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub checked_at: DateTime<Utc>,
}

pub use crate::verdicts::Verdicts;

/// Checks `seal` now, counting the verdict.
pub async fn check(state: &AppState, seal: &str) -> Outcome {
    let outcome = judge(state, seal).await;
    state.verdicts.count(outcome.verdict);
    outcome
}

/// What the register says now, on a seal found genuine: its verdict, why, and the live
/// facts. A certificate in force whose agency may not be hired now says what the hirer
/// check says, part by part.
fn said_live(outcome: &mut Outcome, status: SealStatus, facts: Value, standing: Option<Standing>) {
    let failing = standing.map(|s| s.reasons()).unwrap_or_default();
    outcome.verdict = known(status, &failing);
    let turned = outcome.verdict == Verdict::Suspended && !failing.is_empty();
    outcome.reasons.push(match outcome.verdict {
        Verdict::Valid => "signature checks and the register confirms it now".into(),
        Verdict::Suspended if turned => "the agency may not be hired now".into(),
        Verdict::Suspended => "the register has suspended what the seal attests".into(),
        _ => "the register has revoked what the seal attests".into(),
    });
    if turned {
        outcome.reasons.extend(failing.iter().map(|r| r.sentence().to_string()));
        outcome.facts["standing"] = serde_json::json!(failing);
    }
    if let Value::Object(map) = facts {
        for (k, v) in map {
            outcome.facts[k] = v;
        }
    }
}

async fn judge(state: &AppState, seal: &str) -> Outcome {
    let now = state.clock.now();
    let refused = |verdict: Verdict, reason: &str| Outcome {
        verdict,
        reasons: vec![reason.to_string()],
        register: None,
        subject: None,
        facts: Value::Null,
        issued_at: None,
        expires_at: None,
        checked_at: now,
    };
    let verified = match state.verify_offline(seal, now.timestamp()) {
        Ok(v) => v,
        Err(r) => return refused(r.verdict, r.reason),
    };
    let claims = verified.claims;
    let mut outcome = Outcome {
        verdict: Verdict::Unavailable,
        reasons: Vec::new(),
        register: Some(verified.register.service()),
        subject: Some(claims.sub.clone()),
        facts: serde_json::json!({ "sealed": claims.f }),
        issued_at: DateTime::from_timestamp(claims.iat, 0),
        expires_at: DateTime::from_timestamp(claims.exp, 0),
        checked_at: now,
    };
    let Some(seal_id) = claims.seal_id() else {
        return refused(Verdict::Tampered, "the seal id is malformed");
    };
    let timeout = Duration::from_millis(state.settings.status_timeout_ms);
    let live = tokio::time::timeout(timeout, live(state, verified.register, seal_id, &claims.sub)).await;
    match live {
        Ok(Ok((Live::Known { status, facts }, standing))) => said_live(&mut outcome, status, facts, standing),
        Ok(Ok((Live::Unknown, _))) => {
            outcome.verdict = Verdict::Revoked;
            outcome.reasons.push("the register has no record of this seal".into());
        }
        Ok(Err(e)) => {
            tracing::warn!(seal.register = verified.register.service(), error = %e, "live status unavailable");
            outcome.reasons.push("the register's live status cannot be read right now".into());
        }
        Err(_) => {
            tracing::warn!(seal.register = verified.register.service(), "live status timed out");
            outcome.reasons.push("the register did not answer in time".into());
        }
    }
    outcome
}

/// The verdict on a seal its register knows: the register's status, turned `suspended`
/// where the agency a certificate seal names may not be hired now (`failing` its reasons).
/// The one rule for a scan and for the status lists, so that they never disagree.
pub fn known(status: SealStatus, failing: &[Reason]) -> Verdict {
    match Verdict::from(status) {
        Verdict::Valid | Verdict::Suspended if !failing.is_empty() => Verdict::Suspended,
        other => other,
    }
}

/// The live status of a seal in its register; for a certificate seal also the standing of
/// the agency it names, read in the same statement.
async fn live(
    state: &AppState,
    register: Register,
    seal_id: uuid::Uuid,
    subject: &str,
) -> anyhow::Result<(Live, Option<Standing>)> {
    let (live, facts) = state.reads.read(register, Ask { seal_id, subject: subject.to_string() }).await?;
    Ok((live, facts.map(|facts| Standing::of(&facts))))
}

/// Where the building of a poster stands now, when the poster's own seal cannot say: its
/// seal expired, or it belongs to an earlier mark of the building. The page at the door
/// shows this (with "the provider owes a new poster") instead of calling a building whose
/// mark is valid "not valid". The verdict on the seal itself, which the verify API
/// answers, stays what it is.
pub async fn building_now(state: &AppState, seal: &str, outcome: &Outcome) -> Option<Outcome> {
    let now = state.clock.now();
    let housing = register_of(outcome) == Some(Register::Housing);
    let subject = match outcome.verdict {
        Verdict::Expired => {
            let verified = zegel_attest::seal::genuine(seal, &state.trust(), now.timestamp()).ok()?;
            (verified.register == Register::Housing).then_some(verified.claims.sub)?
        }
        Verdict::Revoked if housing && outcome.facts.get("reason").and_then(Value::as_str) == Some("mark_replaced") => {
            outcome.subject.clone()?
        }
        _ => return None,
    };
    let (status, facts) = match crate::store::building_now(&state.fresh, &subject).await {
        Ok(found) => found?,
        Err(e) => {
            tracing::warn!(error = %e, "the building of an outdated poster could not be read");
            return None;
        }
    };
    Some(Outcome {
        verdict: Verdict::from(status),
        reasons: vec!["the building's status in the register now; its poster is out of date".into()],
        register: Some(Register::Housing.service()),
        subject: Some(subject),
        facts,
        issued_at: outcome.issued_at,
        expires_at: outcome.expires_at,
        checked_at: now,
    })
}

pub fn register_of(outcome: &Outcome) -> Option<Register> {
    outcome.register.and_then(Register::from_service)
}
