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
use zegel_contracts::certificate::{Cause, Why};

use crate::domain::lifecycle::{Action, Status};
use crate::error::Result;
use crate::events;
use crate::register::{self, Change};
use crate::state::AppState;
use crate::store;

#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    pub lapsed: usize,
    pub suspensions_overdue: usize,
    pub deficiencies_overdue: usize,
    /// Accidents the agency did not report to the Labour Authority in time.
    pub accidents_late: usize,
    pub evidence_expired: usize,
    pub suspended_for_deficiencies: usize,
}

/// One sweep: the state, the day it judges and the id its changes are recorded under.
struct Round<'a> {
    state: &'a AppState,
    today: chrono::NaiveDate,
    run_id: String,
}

impl Round<'_> {
    /// A change the sweep makes, for `reason` (and a `ground` kept in the public history).
    fn change<'c>(&'c self, reason: &'c str, ground: Option<Cause>) -> Change<'c> {
        Change {
            actor: Actor::system("certificates.sweep"),
            reason: Some(reason),
            request_id: &self.run_id,
            cause_event_id: None,
            ground: ground.map(Why::Cause),
            now: self.state.clock.now(),
        }
    }

    /// The day a deficiency opened today must be remedied by.
    fn remedy_by(&self) -> chrono::NaiveDate {
        self.today + chrono::Days::new(u64::from(self.state.settings.evidence_remedy_days))
    }
}

/// Runs one sweep at the state's clock: each rule of time in turn.
pub async fn run(state: &AppState) -> Result<Report> {
    let round = Round { state, today: state.clock.today(), run_id: format!("sweep-{}", uuid::Uuid::now_v7()) };
    let mut client = state.core.pool.get().await?;
    let mut report = Report {
        lapsed: lapse_the_overdue(&round, &mut client).await?,
        evidence_expired: open_deficiencies_for_expired_evidence(&round, &mut client).await?,
        suspended_for_deficiencies: suspend_for_deficiencies_past_deadline(&round, &mut client).await?,
        ..Report::default()
    };
    signal_what_is_overdue(&round, &mut client, &mut report).await?;
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

/// A provisional certificate past its probation, or one whose yearly audit is overdue past
/// the grace period, lapses.
async fn lapse_the_overdue(round: &Round<'_>, client: &mut deadpool_postgres::Object) -> Result<usize> {
    let (today, grace_days) = (round.today, round.state.settings.audit_grace_days);
    let grace = i32::try_from(grace_days).unwrap_or(i32::MAX);
    let mut lapsed = 0;
    for id in store::due_to_lapse(&*client, today, grace).await? {
        let tx = client.transaction().await?;
        let Some(cert) = store::certificate_by_id(&tx, id, true).await? else {
            continue;
        };
        let probation_over = cert.status == Status::Provisional && cert.probation_ends_on < today;
        let audit_overdue = matches!(cert.status, Status::Certified | Status::Suspended)
            && cert.next_audit_due.is_some_and(|due| due + chrono::Days::new(u64::from(grace_days)) < today);
        let (reason, ground) = if probation_over {
            ("probation ended without full certification", Cause::ProbationEnded)
        } else if audit_overdue {
            ("yearly audit overdue", Cause::AuditOverdue)
        } else {
            continue;
        };
        let change = round.change(reason, Some(ground));
        register::apply(&tx, cert, Action::Lapse, &change, |c| c.ended_on = Some(today)).await?;
        tx.commit().await?;
        lapsed += 1;
    }
    Ok(lapsed)
}

/// Evidence that no longer holds: a deficiency per requirement, with a deadline, told to
/// the certification body.
async fn open_deficiencies_for_expired_evidence(
    round: &Round<'_>,
    client: &mut deadpool_postgres::Object,
) -> Result<usize> {
    let mut opened = 0;
    for (id, code, until) in store::expired_evidence(&*client, round.today).await? {
        let tx = client.transaction().await?;
        let Some(cert) = store::certificate_by_id(&tx, id, true).await? else {
            continue;
        };
        let description = format!("{}: the evidence expired on {until}", code.as_str());
        let Some(d) = store::open_requirement_deficiency(&tx, id, code, &description, round.remedy_by(), None).await?
        else {
            continue;
        };
        let change = round.change("evidence expired", None);
        register::signal(&tx, &id.to_string(), &change, events::evidence_expired(&cert, &d, change.now)).await?;
        tx.commit().await?;
        opened += 1;
    }
    Ok(opened)
}

/// A deficiency still open past its deadline suspends a certified certificate.
async fn suspend_for_deficiencies_past_deadline(
    round: &Round<'_>,
    client: &mut deadpool_postgres::Object,
) -> Result<usize> {
    let mut suspended = 0;
    for id in store::with_deficiency_past_deadline(&*client, round.today).await? {
        let tx = client.transaction().await?;
        let Some(cert) = store::certificate_by_id(&tx, id, true).await? else {
            continue;
        };
        let overdue = store::past_deadline(&tx, id, round.today).await?;
        if cert.status != Status::Certified || overdue.is_empty() {
            continue;
        }
        let reason = format!(
            "deficiency not remedied by {}: {}{}",
            overdue[0].remedy_by,
            overdue[0].description,
            if overdue.len() > 1 { format!(" (and {} more)", overdue.len() - 1) } else { String::new() }
        );
        let change = round.change(&reason, Some(Cause::DeficiencyNotRemedied));
        let remedy_by = round.remedy_by();
        register::apply(&tx, cert, Action::Suspend, &change, |c| {
            c.suspension_reason = Some(reason.clone());
            c.suspension_remedy_by = Some(remedy_by);
        })
        .await?;
        tx.commit().await?;
        suspended += 1;
    }
    Ok(suspended)
}

/// What passed its deadline is told to the inspectorate, once: suspensions not remedied,
/// serious deficiencies not remedied, accidents the agency did not report in time.
async fn signal_what_is_overdue(
    round: &Round<'_>,
    client: &mut deadpool_postgres::Object,
    report: &mut Report,
) -> Result<()> {
    let tx = client.transaction().await?;
    let change = round.change("remedy deadline passed", None);
    for cert in store::take_overdue_suspensions(&tx, round.today).await? {
        let event = events::suspension_overdue(&cert, change.now);
        register::signal(&tx, &cert.certificate_id.to_string(), &change, event).await?;
        report.suspensions_overdue += 1;
    }
    for (kvk, certificate_id, d) in store::take_overdue_deficiencies(&tx, round.today).await? {
        let event = events::deficiency_overdue(&kvk, certificate_id, &d, change.now);
        register::signal(&tx, &certificate_id.to_string(), &change, event).await?;
        report.deficiencies_overdue += 1;
    }
    let late = round.change("accident not reported to the Labour Authority in time", None);
    for accident in store::take_late_accidents(&tx, change.now).await? {
        let event = events::accident_report_late(&accident, change.now);
        register::signal(&tx, &accident.accident_id.to_string(), &late, event).await?;
        report.accidents_late += 1;
    }
    tx.commit().await?;
    Ok(())
}
