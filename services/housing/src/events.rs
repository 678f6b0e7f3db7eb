//! What the housing register publishes. Municipalities hear about every mark that ends and
//! every building with more people than allowed; the certificates register hears about
//! marks that end, so the provider's certification body learns of it (advice 4 and 2.1).
//! Never a complaint's text, never who complained.

use chrono::{DateTime, Utc};
use platform::event::{Body, payload};
use platform::outbox::Event;

use crate::domain::{ComplaintCategory, MarkStatus};
use crate::store::{Marked, RehousingCase};
use zegel_contracts::housing::RehousingClosed as Closed;

/// The mark of `b` moved to `to`; nothing to publish when it stays where it was (a
/// renewal) or when a new application starts.
pub fn mark_changed(b: &Marked, to: MarkStatus, reason: &str, now: DateTime<Utc>) -> Option<Event> {
    if to == b.mark_status {
        return None;
    }
    let to_parties: &[&str] = match to {
        MarkStatus::Revoked | MarkStatus::Expired => &["municipality", "certificates"],
        MarkStatus::Suspended => &["municipality"],
        _ => &[],
    };
    let what = payload::MarkChanged {
        bag_id: b.building.bag_id.clone(),
        municipality: b.building.municipality.clone(),
        provider_kvk: b.building.provider_kvk.clone(),
        mark_id: b.mark_id,
        previous_status: b.mark_status,
        status: to,
        reason: reason.into(),
    };
    let body = match to {
        MarkStatus::Certified => Body::HousingMarkCertified(what),
        MarkStatus::Suspended => Body::HousingMarkSuspended(what),
        MarkStatus::Revoked => Body::HousingMarkRevoked(what),
        MarkStatus::Expired => Body::HousingMarkExpired(what),
        MarkStatus::Applied => return None,
    };
    Some(Event::new(body, &b.building.bag_id, to_parties, now))
}

/// A building that `kvk` houses workers in lost its valid mark: the agency may not be hired
/// until it is certified again or the workers moved. Told to the agency's hirers (subject)
/// and to the certificates register, which passes it to the agency's certification body.
pub fn placement_mark_lost(kvk: &str, b: &Marked, to: MarkStatus, now: DateTime<Utc>) -> Event {
    let what = payload::PlacementMarkLost { kvk_number: kvk.into(), bag_id: b.building.bag_id.clone(), status: to };
    Event::new(Body::HousingPlacementMarkLost(what), kvk, &["certificates"], now)
}

/// More people reported than the building may house: its capacity, or fewer where the
/// permit allows fewer (`allowed`).
pub fn over_capacity(b: &Marked, people: i32, allowed: i32, now: DateTime<Utc>) -> Event {
    let what = payload::OverCapacity {
        bag_id: b.building.bag_id.clone(),
        municipality: b.building.municipality.clone(),
        provider_kvk: b.building.provider_kvk.clone(),
        occupancy: people,
        capacity: b.capacity,
        allowed,
    };
    Event::new(Body::HousingOverCapacity(what), &b.building.bag_id, &["municipality", "housing_inspector"], now)
}

/// A mark ended with people living there: the municipality follows the rehousing the
/// provider owes them.
pub fn rehousing_opened(case: &RehousingCase, now: DateTime<Utc>) -> Event {
    rehousing(Body::HousingRehousingOpened, case, None, now)
}

/// A rehousing case is past its deadline and still open.
pub fn rehousing_overdue(case: &RehousingCase, now: DateTime<Utc>) -> Event {
    rehousing(Body::HousingRehousingOverdue, case, None, now)
}

/// A rehousing case closed: the building is empty, or certified again.
pub fn rehousing_closed(case: &RehousingCase, why: Closed, now: DateTime<Utc>) -> Event {
    rehousing(Body::HousingRehousingClosed, case, Some(why), now)
}

fn rehousing(
    make: fn(payload::Rehousing) -> Body,
    case: &RehousingCase,
    closed_because: Option<Closed>,
    now: DateTime<Utc>,
) -> Event {
    let what = payload::Rehousing {
        case_id: case.case_id,
        bag_id: case.bag_id.clone(),
        municipality: case.municipality.clone(),
        provider_kvk: case.provider_kvk.clone(),
        people: case.people,
        reason: case.reason,
        deadline: case.deadline,
        closed_because,
    };
    Event::new(make(what), &case.bag_id, &["municipality", "housing_inspector"], now)
}

/// A complaint came in (its category only).
pub fn complaint_received(
    bag: &crate::domain::BagId,
    registered: bool,
    category: ComplaintCategory,
    now: DateTime<Utc>,
) -> Event {
    let what = payload::ComplaintReceived {
        bag_id: bag.as_str().into(),
        municipality: bag.municipality().into(),
        category,
        registered,
    };
    Event::new(Body::HousingComplaintReceived(what), bag.as_str(), &["housing_inspector", "municipality"], now)
}

/// A complaint was followed up by an unannounced inspection.
pub fn complaint_accepted(
    b: &Marked,
    category: ComplaintCategory,
    inspection_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Event {
    let what = payload::ComplaintAccepted {
        bag_id: b.building.bag_id.clone(),
        municipality: b.building.municipality.clone(),
        category,
        inspection_id,
    };
    Event::new(Body::HousingComplaintAccepted(what), &b.building.bag_id, &["municipality"], now)
}
