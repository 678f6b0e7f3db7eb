//! Landlord permits: a municipality decides for the buildings in its own territory only,
//! and declares whether it requires a permit at all. Where it does, a building without a
//! valid permit is not certified (its seals verify as not valid, with that reason).
//!
//! A permit carries conditions (4.1 B): the most people it allows (more living there is
//! flagged like over-capacity, and the page at the door shows the lower of the two
//! limits), free conditions, and for an existing rental the day by which it must comply;
//! past that day without compliance the mark is blocked whether or not permits are
//! required. What blocks is decided in one place, the SQL function `permit_problem`.

use bytes::Bytes;
use chrono::NaiveDate;
use platform::audit::{self, Actor};
use platform::auth::{Principal, Role};
use platform::http::{Request, parse_json};
use platform::problem::FieldError;
use platform::problem::Kind;
use serde::Deserialize;
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, bag_from_path, found, is_municipality, text, write};
use crate::domain::PermitStatus;
use crate::state::AppState;
use crate::store::{self, Permit};
use crate::{Error, Result};

fn own_municipality(principal: &Principal, code: &str) -> Result<()> {
    if is_municipality(principal, code) {
        Ok(())
    } else {
        Err(Error::Forbidden(format!("Only municipality {code} decides on permits for its own buildings.")))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PermitIn {
    status: PermitStatus,
    #[serde(default)]
    valid_from: Option<NaiveDate>,
    #[serde(default)]
    valid_until: Option<NaiveDate>,
    #[serde(default)]
    decided_on: Option<NaiveDate>,
    #[serde(default)]
    reason: Option<String>,
    /// The most people the permit allows in the building.
    #[serde(default)]
    max_people: Option<i32>,
    #[serde(default)]
    conditions: Vec<String>,
    /// For an existing rental: the day by which it must meet the conditions.
    #[serde(default)]
    comply_by: Option<NaiveDate>,
    /// The day the municipality found the conditions met.
    #[serde(default)]
    complied_on: Option<NaiveDate>,
}

/// Most conditions one permit carries.
const MAX_CONDITIONS: usize = 50;
/// Most people one permit may allow.
const MAX_PEOPLE: i32 = 10_000;

impl PermitIn {
    /// What the decision asks of the other fields: a granted permit has its dates; a refusal
    /// or a withdrawal its reason, and no dates, maximum or conditions.
    fn check_decision(&self, errors: &mut Vec<FieldError>) {
        match self.status {
            PermitStatus::Granted => {
                if self.valid_from.is_none() {
                    errors.push(FieldError::new("/valid_from", "a granted permit has a start date"));
                }
                if let (Some(from), Some(until)) = (self.valid_from, self.valid_until)
                    && until < from
                {
                    errors.push(FieldError::new("/valid_until", "not before valid_from"));
                }
            }
            PermitStatus::Refused | PermitStatus::Withdrawn => {
                if self.valid_from.is_some() || self.valid_until.is_some() {
                    errors.push(FieldError::new("/valid_from", "only a granted permit has dates of validity"));
                }
                if self.reason.is_none() {
                    errors.push(FieldError::new("/reason", "a refusal or withdrawal gives its reason"));
                }
                if self.max_people.is_some() || !self.conditions.is_empty() || self.comply_by.is_some() {
                    errors.push(FieldError::new("/conditions", "only a granted permit has a maximum and conditions"));
                }
            }
        }
    }

    /// The decision, every field checked and every error reported at once.
    fn validate(self, today: NaiveDate) -> Result<Permit> {
        let mut errors = Vec::new();
        let decided_on = self.decided_on.unwrap_or(today);
        if decided_on > today {
            errors.push(FieldError::new("/decided_on", "not in the future"));
        }
        let reason =
            self.reason.as_deref().map(|r| text(r, "/reason", 2000, true)).transpose().map_err(|e| errors.push(e)).ok();
        if self.conditions.len() > MAX_CONDITIONS {
            errors.push(FieldError::new("/conditions", format!("at most {MAX_CONDITIONS}")));
        }
        let conditions: Vec<String> = self
            .conditions
            .iter()
            .enumerate()
            .filter_map(|(i, c)| text(c, &format!("/conditions/{i}"), 2000, true).map_err(|e| errors.push(e)).ok())
            .collect();
        if self.max_people.is_some_and(|m| !(1..=MAX_PEOPLE).contains(&m)) {
            errors.push(FieldError::new("/max_people", format!("1 to {MAX_PEOPLE} people")));
        }
        if self.comply_by.is_some() && conditions.is_empty() {
            errors.push(FieldError::new("/comply_by", "a date to comply by comes with the conditions to meet"));
        }
        if self.complied_on.is_some_and(|d| d > today) {
            errors.push(FieldError::new("/complied_on", "not in the future"));
        }
        if self.complied_on.is_some() && self.comply_by.is_none() {
            errors.push(FieldError::new("/complied_on", "compliance is recorded against a date to comply by"));
        }
        self.check_decision(&mut errors);
        let (Some(reason), true) = (reason, errors.is_empty()) else { return Err(Error::Invalid(errors)) };
        Ok(Permit {
            status: self.status,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            decided_on,
            reason,
            max_people: self.max_people,
            conditions,
            comply_by: self.comply_by,
            complied_on: self.complied_on,
        })
    }
}

/// PUT /api/v1/buildings/{bag_id}/permit
pub(super) async fn decide(state: AppState, req: Request, bag_id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let bag = bag_from_path(&bag_id)?;
    // The BAG id says which municipality the building is in: decided before reading anything.
    own_municipality(&principal, bag.municipality())?;
    let input: PermitIn = parse_json(&req, &raw)?;
    let today = state.clock.today();
    let permit = input.validate(today)?;
    write(&state, &req, &principal, &raw, async |tx| {
        let b = found(tx, &bag, true).await?;
        let before = store::permit(tx, bag.as_str()).await?;
        if permit.status == PermitStatus::Withdrawn && before.as_ref().is_none_or(|p| p.status != PermitStatus::Granted)
        {
            return Err(Error::Conflict {
                kind: Kind::NoPermitToWithdraw,
                detail: "Only a granted permit can be withdrawn.".into(),
            });
        }
        store::put_permit(tx, bag.as_str(), &permit, &principal.subject).await?;
        audit::Entry::new(
            Actor::of(&principal, Role::Municipality),
            format!("permit.{}", permit.status),
            bag.as_str(),
            &req.id,
        )
        .reason(permit.reason.clone())
        .before(before.and_then(|p| serde_json::to_value(p).ok()))
        .after(serde_json::to_value(&permit).ok())
        .record(tx)
        .await?;
        let required = store::permit_required(tx, &b.building.municipality).await?;
        let problem = store::permit_problem(tx, bag.as_str(), today).await?;
        let after = found(tx, &bag, false).await?;
        super::capacity_changed(tx, &b, &after, state.clock.now()).await?;
        // A refused (or withdrawn, or expired) permit with people inside: told at once, and
        // a rehousing case opens; a permit granted closes such a case.
        crate::rehousing::check(tx, bag.as_str(), state.clock.now()).await?;
        Ok((
            StatusCode::OK,
            json!({
                "bag_id": bag.as_str(),
                "permit": permit,
                "permit_required": required,
                "blocks_the_mark": problem,
                "allowed": after.allowed,
                "over_allowed": after.over_allowed(),
            }),
        ))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequirementIn {
    required: bool,
}

/// PUT /api/v1/municipalities/{code}/permit-requirement
pub(super) async fn requirement_put(state: AppState, req: Request, code: String, body: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let code = super::municipalities::code_from_path(&code)?;
    own_municipality(&principal, &code)?;
    let input: RequirementIn = parse_json(&req, &body)?;
    write(&state, &req, &principal, &body, async |tx| {
        store::set_permit_requirement(tx, &code, input.required, &principal.subject, state.clock.now()).await?;
        audit::Entry::new(Actor::of(&principal, Role::Municipality), "permit.requirement", &code, &req.id)
            .after(json!({ "required": input.required }))
            .record(tx)
            .await?;
        Ok((StatusCode::OK, json!({ "municipality": code, "permit_required": input.required })))
    })
    .await
}
