//! Consequences in this register of what other registers publish (advice 2.1: the system
//! is closed, "sluitend"): an officer under a ban, or a blocked or closed G-account,
//! suspends the agency's certificate; a deposit shortfall past its deadline lapses it.
//! A building's quality mark that ends is passed on to the agency's certification body.
//! Each event changes the certificate at most once (deduplicated by event id in the same
//! transaction) and is audited with the event id as its cause.

use chrono::Days;
use platform::audit::Actor;
use platform::consumer::first_time;
use platform::event::Body;
use platform::outbox::Event;
use zegel_contracts::certificate::{Cause, Why};

use crate::domain::Status;
use crate::domain::lifecycle::Action;
use crate::events::MarkEnded;
use crate::register::{self, Change};
use crate::state::AppState;
use crate::store;

pub const PARTY: &str = "certificates";

pub async fn handle(state: &AppState, event: Event) -> anyhow::Result<()> {
    let body = event.body().map_err(|e| anyhow::anyhow!("{} {}: unreadable: {e}", event.event_type, event.event_id))?;
    let Some(body) = body else { return Ok(()) };
    let (action, reason, ground) = match &body {
        Body::HousingMarkRevoked(m) | Body::HousingMarkExpired(m) => {
            let mark = MarkEnded {
                bag_id: m.bag_id.clone(),
                status: m.status,
                reason: Some(m.reason.clone()),
                event_id: event.event_id,
            };
            return housing_mark_ended(state, &event, &m.provider_kvk, mark).await;
        }
        Body::HousingPlacementMarkLost(p) => {
            let mark = MarkEnded { bag_id: p.bag_id.clone(), status: p.status, reason: None, event_id: event.event_id };
            return housing_mark_ended(state, &event, &p.kvk_number, mark).await;
        }
        Body::BanOfficerBanned(_) | Body::BanBannedOfficerAppointed(_) => (
            Action::Suspend,
            "an owner, director or de facto manager is under a ban (advice 2.1 F)",
            Cause::OfficerBanned,
        ),
        Body::GaccountBlocked(_) => {
            (Action::Suspend, "the agency's G-account is blocked (advice 2.1 B)", Cause::GAccountBlocked)
        }
        Body::GaccountClosed(_) => {
            (Action::Suspend, "the agency's G-account is closed (advice 2.1 B)", Cause::GAccountClosed)
        }
        Body::DepositShortfallOverdue(_) => {
            (Action::Lapse, "the guarantee deposit was not topped up in time (advice 2.1 C)", Cause::DepositNotToppedUp)
        }
        _ => return Ok(()),
    };
    suspend_or_lapse(state, &event, action, reason, ground).await
}

/// What another register's event does to the agency's latest certificate: a full one is
/// suspended, one in force lapses — once per event, audited with the event as its cause.
async fn suspend_or_lapse(
    state: &AppState,
    event: &Event,
    action: Action,
    reason: &'static str,
    ground: Cause,
) -> anyhow::Result<()> {
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    if !first_time(&tx, event).await? {
        return Ok(());
    }
    let Some(latest) = store::latest_certificate(&tx, &event.subject).await? else {
        tx.commit().await?;
        return Ok(());
    };
    let cert = store::certificate_by_id(&tx, latest.certificate_id, true)
        .await?
        .ok_or_else(|| anyhow::anyhow!("certificate vanished"))?;
    let applies = match action {
        // Only a full certificate can be suspended; a provisional one fails its requirement at certification.
        Action::Suspend => cert.status == Status::Certified,
        _ => cert.status.is_active(),
    };
    if applies {
        let request_id = format!("event-{}", event.event_id);
        let change = Change {
            actor: Actor::system("certificates.consumer"),
            reason: Some(reason),
            request_id: &request_id,
            cause_event_id: Some(event.event_id),
            ground: Some(Why::Cause(ground)),
            now: state.clock.now(),
        };
        let today = state.clock.today();
        let remedy_by = today + Days::new(u64::from(state.settings.auto_remedy_days));
        register::apply(&tx, cert, action, &change, |c| match action {
            Action::Suspend => {
                c.suspension_reason = Some(reason.into());
                c.suspension_remedy_by = Some(remedy_by);
            }
            _ => c.ended_on = Some(today),
        })
        .await?;
        tracing::info!(agency.kvk = %event.subject, event.id = %event.event_id, event.kind = %event.event_type, "certificate {} by another register's event", if action == Action::Suspend { "suspended" } else { "lapsed" });
    }
    tx.commit().await?;
    state.core.relay.nudge();
    Ok(())
}

/// A building's mark ended (its provider) or a building an agency places workers in lost
/// its mark (that agency): when the agency has a live certificate, its certification body
/// is told (once per event, audited with the event as cause).
/// The certificate itself is not changed here: the body decides, and at the next
/// certification or reinstatement the housing requirement is checked live again.
async fn housing_mark_ended(state: &AppState, event: &Event, kvk: &str, mark: MarkEnded) -> anyhow::Result<()> {
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    if !first_time(&tx, event).await? {
        return Ok(());
    }
    if let Some(latest) = store::latest_certificate(&tx, kvk).await?
        && let Some(cert) = store::certificate_by_id(&tx, latest.certificate_id, false).await?
        && cert.status.is_active()
    {
        let now = state.clock.now();
        let told = crate::events::housing_mark_ended(&cert, &mark, now);
        platform::audit::Entry::new(
            Actor::system("certificates.consumer"),
            told.event_type.clone(),
            kvk.to_string(),
            format!("event-{}", event.event_id),
        )
        .reason(format!("the quality mark of building {} ended", mark.bag_id))
        .after(serde_json::json!({ "bag_id": mark.bag_id, "status": mark.status }))
        .caused_by(event.event_id)
        .publishes(told)
        .record(&tx)
        .await?;
    }
    tx.commit().await?;
    state.core.relay.nudge();
    Ok(())
}
