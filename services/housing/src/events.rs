//! What the housing register publishes. Municipalities hear about every mark that ends and
//! every building with more people than allowed; the certificates register hears about
//! marks that end, so the provider's certification body learns of it (advice 4 and 2.1).
//! Never a complaint's text, never who complained.

use chrono::{DateTime, Utc};
use platform::event::EventType;
use platform::outbox::Event;
use serde_json::json;

use crate::domain::{ComplaintCategory, MarkStatus};
use crate::store::{Marked, RehousingCase};
use zegel_contracts::housing::RehousingClosed as Closed;

/// The mark of `b` moved to `to`; nothing to publish when it stays where it was (a
/// renewal) or when a new application starts.
pub fn mark_changed(b: &Marked, to: MarkStatus, reason: &str, now: DateTime<Utc>) -> Option<Event> {
    if to == b.mark_status || to == MarkStatus::Applied {
        return None;
    }
    let to_parties: &[&str] = match to {
        MarkStatus::Revoked | MarkStatus::Expired => &["municipality", "certificates"],
        MarkStatus::Suspended => &["municipality"],
        _ => &[],
    };
    let kind = match to {
        MarkStatus::Certified => EventType::HousingMarkCertified,
        MarkStatus::Suspended => EventType::HousingMarkSuspended,
        MarkStatus::Revoked => EventType::HousingMarkRevoked,
        MarkStatus::Expired => EventType::HousingMarkExpired,
        MarkStatus::Applied => return None,
    };
    Some(Event::new(
        kind,
        &b.building.bag_id,
        to_parties,
        json!({
            "bag_id": b.building.bag_id,
            "municipality": b.building.municipality,
            "provider_kvk": b.building.provider_kvk,
            "mark_id": b.mark_id,
            "previous_status": b.mark_status,
            "status": to,
            "reason": reason,
        }),
        now,
    ))
}

/// A building that `kvk` houses workers in lost its valid mark: the agency may not be hired
/// until it is certified again or the workers moved. Told to the agency's hirers (subject)
/// and to the certificates register, which passes it to the agency's certification body.
pub fn placement_mark_lost(kvk: &str, b: &Marked, to: MarkStatus, now: DateTime<Utc>) -> Event {
    Event::new(
        EventType::HousingPlacementMarkLost,
        kvk,
        &["certificates"],
        json!({
            "kvk_number": kvk,
            "bag_id": b.building.bag_id,
            "status": to,
        }),
        now,
    )
}

/// More people reported than the building may house: its capacity, or fewer where the
/// permit allows fewer (`allowed`).
pub fn over_capacity(b: &Marked, people: i32, allowed: i32, now: DateTime<Utc>) -> Event {
    Event::new(
        EventType::HousingOverCapacity,
        &b.building.bag_id,
        &["municipality", "housing_inspector"],
        json!({
            "bag_id": b.building.bag_id,
            "municipality": b.building.municipality,
            "provider_kvk": b.building.provider_kvk,
            "occupancy": people,
            "capacity": b.capacity,
            "allowed": allowed,
        }),
        now,
    )
}

/// A mark ended with people living there: the municipality follows the rehousing the
/// provider owes them.
pub fn rehousing_opened(case: &RehousingCase, now: DateTime<Utc>) -> Event {
    rehousing(EventType::HousingRehousingOpened, case, json!(null), now)
}

/// A rehousing case is past its deadline and still open.
pub fn rehousing_overdue(case: &RehousingCase, now: DateTime<Utc>) -> Event {
    rehousing(EventType::HousingRehousingOverdue, case, json!(null), now)
}

/// A rehousing case closed: the building is empty, or certified again.
pub fn rehousing_closed(case: &RehousingCase, why: Closed, now: DateTime<Utc>) -> Event {
    rehousing(EventType::HousingRehousingClosed, case, json!(why), now)
}

fn rehousing(kind: EventType, case: &RehousingCase, closed_because: serde_json::Value, now: DateTime<Utc>) -> Event {
    Event::new(
        kind,
        &case.bag_id,
        &["municipality", "housing_inspector"],
        json!({
            "case_id": case.case_id,
            "bag_id": case.bag_id,
            "municipality": case.municipality,
            "provider_kvk": case.provider_kvk,
            "people": case.people,
            "reason": case.reason,
            "deadline": case.deadline,
            "closed_because": closed_because,
        }),
        now,
    )
}

/// A complaint came in (its category only).
pub fn complaint_received(
    bag: &crate::domain::BagId,
    registered: bool,
    category: ComplaintCategory,
    now: DateTime<Utc>,
) -> Event {
    Event::new(
        EventType::HousingComplaintReceived,
        bag.as_str(),
        &["housing_inspector", "municipality"],
        json!({ "bag_id": bag.as_str(), "municipality": bag.municipality(), "category": category, "registered": registered }),
        now,
    )
}

/// A complaint was followed up by an unannounced inspection.
pub fn complaint_accepted(
    b: &Marked,
    category: ComplaintCategory,
    inspection_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Event {
    Event::new(
        EventType::HousingComplaintAccepted,
        &b.building.bag_id,
        &["municipality"],
        json!({
            "bag_id": b.building.bag_id,
            "municipality": b.building.municipality,
            "category": category,
            "inspection_id": inspection_id,
        }),
        now,
    )
}
