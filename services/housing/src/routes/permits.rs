//! Landlord permits: a municipality decides for the buildings in its own territory only,
//! and declares whether it requires a permit at all. Where it does, a building without a
//! valid permit is not certified (its seals verify as not valid, with that reason).

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
}

impl PermitIn {
    /// The decision, every field checked and every error reported at once.
    fn validate(self, today: NaiveDate) -> Result<Permit> {
        let mut errors = Vec::new();
        let decided_on = self.decided_on.unwrap_or(today);
        if decided_on > today {
            errors.push(FieldError::new("/decided_on", "not in the future"));
        }
        let reason =
            self.reason.as_deref().map(|r| text(r, "/reason", 2000, true)).transpose().map_err(|e| errors.push(e)).ok();
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
            }
        }
        let (Some(reason), true) = (reason, errors.is_empty()) else { return Err(Error::Invalid(errors)) };
        Ok(Permit {
            status: self.status,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            decided_on,
            reason,
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
        Ok((
            StatusCode::OK,
            json!({
                "bag_id": bag.as_str(),
                "permit": permit,
                "permit_required": required,
                "holds_today": permit.holds_on(today),
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
