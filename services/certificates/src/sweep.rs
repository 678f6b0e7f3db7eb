//! The scheduled sweep: the time-based rules of advice 2.1.
//!
//! - a provisional certificate not converted by the end of its probation lapses;
//! - a certificate whose yearly audit is overdue past the grace period lapses;
//! - a suspension not remedied by its deadline, and a serious audit deficiency not
//!   remedied by its deadline, are reported to the inspectorate — once;
//! - evidence that no longer holds opens a deficiency with a deadline (advice 2.1 A: every
//!   requirement re-tested every year), told to the certification body;
//! - a certified certificate with a deficiency still open past its deadline is suspended.
//!
//! Each certificate is handled in its own transaction under a row lock, and the
//! condition is checked again under the lock, so two replicas sweeping at once (or a
//! sweep racing a request) never apply a transition twice.

use platform::audit::Actor;
use serde::Serialize;

use crate::domain::lifecycle::{Action, Status};
use crate::error::Result;
use crate::events;
use crate::register::{self, Change};
use crate::state::AppState;
use crate::store;

/// What one sweep did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Certificates that lapsed.
    pub lapsed: usize,
    /// Suspensions reported overdue.
    pub suspensions_overdue: usize,
    /// Deficiencies reported overdue.
    pub deficiencies_overdue: usize,
    /// Accidents the agency did not report to the Labour Authority in time.
    pub accidents_late: usize,
    /// Deficiencies opened because evidence expired.
    pub evidence_expired: usize,
    /// Certificates suspended for a deficiency past its deadline.
    pub suspended_for_deficiencies: usize,
}

/// Runs one sweep at the state's clock.
pub async fn run(state: &AppState) -> Result<Report> {
    let today = state.clock.today();
    let grace = i32::try_from(state.settings.audit_grace_days).unwrap_or(i32::MAX);
    let run_id = format!("sweep-{}", uuid::Uuid::now_v7());
    let mut report = Report::default();
    let mut client = state.core.pool.get().await?;

    for id in store::due_to_lapse(&client, today, grace).await? {
        let tx = client.transaction().await?;
        let Some(cert) = store::certificate_by_id(&tx, id, true).await? else {
            continue;
        };
        let probation_over = cert.status == Status::Provisional && cert.probation_ends_on < today;
        let audit_overdue = matches!(cert.status, Status::Certified | Status::Suspended)
            && cert
                .next_audit_due
                .is_some_and(|due| due + chrono::Days::new(u64::from(state.settings.audit_grace_days)) < today);
        let (reason, ground) = if probation_over {
            ("probation ended without full certification", "probation_ended")
        } else if audit_overdue {
            ("yearly audit overdue", "audit_overdue")
        } else {
            continue;
        };
        let change = Change {
            actor: Actor::system("certificates.sweep"),
            reason: Some(reason),
            request_id: &run_id,
            cause_event_id: None,
            ground: Some(ground),
            now: state.clock.now(),
        };
        register::apply(&tx, cert, Action::Lapse, &change, |c| c.ended_on = Some(today)).await?;
        tx.commit().await?;
        report.lapsed += 1;
    }

    // Evidence that no longer holds: a deficiency per requirement, with a deadline.
    let remedy_by = today + chrono::Days::new(u64::from(state.settings.evidence_remedy_days));
    for (id, code, until) in store::expired_evidence(&client, today).await? {
        let tx = client.transaction().await?;
        let Some(cert) = store::certificate_by_id(&tx, id, true).await? else {
            continue;
        };
        let description = format!("{}: the evidence expired on {until}", code.as_str());
        let Some(d) = store::open_requirement_deficiency(&tx, id, code, &description, remedy_by, None).await? else {
            continue;
        };
        let change = Change {
            actor: Actor::system("certificates.sweep"),
            reason: Some("evidence expired"),
            request_id: &run_id,
            cause_event_id: None,
            ground: None,
            now: state.clock.now(),
        };
        register::signal(&tx, &id.to_string(), &change, &events::evidence_expired(&cert, &d, change.now)).await?;
        tx.commit().await?;
        report.evidence_expired += 1;
    }

    // A deficiency still open past its deadline suspends a certified certificate.
    let suspension_remedy = remedy_by;
    for id in store::with_deficiency_past_deadline(&client, today).await? {
        let tx = client.transaction().await?;
        let Some(cert) = store::certificate_by_id(&tx, id, true).await? else {
            continue;
        };
        let overdue = store::past_deadline(&tx, id, today).await?;
        if cert.status != Status::Certified || overdue.is_empty() {
            continue;
        }
        let reason = format!(
            "deficiency not remedied by {}: {}{}",
            overdue[0].remedy_by,
            overdue[0].description,
            if overdue.len() > 1 { format!(" (and {} more)", overdue.len() - 1) } else { String::new() }
        );
        let change = Change {
            actor: Actor::system("certificates.sweep"),
            reason: Some(&reason),
            request_id: &run_id,
            cause_event_id: None,
            ground: Some("deficiency_not_remedied"),
            now: state.clock.now(),
        };
        register::apply(&tx, cert, Action::Suspend, &change, |c| {
            c.suspension_reason = Some(reason.clone());
            c.suspension_remedy_by = Some(suspension_remedy);
        })
        .await?;
        tx.commit().await?;
        report.suspended_for_deficiencies += 1;
    }

    let tx = client.transaction().await?;
    let change = Change {
        actor: Actor::system("certificates.sweep"),
        reason: Some("remedy deadline passed"),
        request_id: &run_id,
        cause_event_id: None,
        ground: None,
        now: state.clock.now(),
    };
    for cert in store::take_overdue_suspensions(&tx, today).await? {
        register::signal(
            &tx,
            &cert.certificate_id.to_string(),
            &change,
            &events::suspension_overdue(&cert, change.now),
        )
        .await?;
        report.suspensions_overdue += 1;
    }
    for (kvk, certificate_id, d) in store::take_overdue_deficiencies(&tx, today).await? {
        register::signal(
            &tx,
            &certificate_id.to_string(),
            &change,
            &events::deficiency_overdue(&kvk, certificate_id, &d, change.now),
        )
        .await?;
        report.deficiencies_overdue += 1;
    }
    for accident in store::take_late_accidents(&tx, change.now).await? {
        let late = Change { reason: Some("accident not reported to the Labour Authority in time"), ..change.clone() };
        register::signal(
            &tx,
            &accident.accident_id.to_string(),
            &late,
            &events::accident_report_late(&accident, change.now),
        )
        .await?;
        report.accidents_late += 1;
    }
    tx.commit().await?;

    if report != Report::default() {
        tracing::info!(
            sweep.lapsed = report.lapsed,
            sweep.suspensions_overdue = report.suspensions_overdue,
            sweep.deficiencies_overdue = report.deficiencies_overdue,
            sweep.evidence_expired = report.evidence_expired,
            sweep.suspended_for_deficiencies = report.suspended_for_deficiencies,
            "sweep applied"
        );
        state.core.relay.nudge();
    }
    Ok(report)
}
