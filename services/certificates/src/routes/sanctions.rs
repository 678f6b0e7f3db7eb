//! The register of final sanctions against agencies (issue 31; advice 2.1 A, D): the
//! Labour Authority (or an admin, for a court) records a fine, a Waadi or WML decision or a
//! criminal conviction once it is irrevocable — who decided it, its reference, when it was
//! decided and became irrevocable. A certification body cites one as the ground of a
//! revocation; the re-entry rule makes the agency wait from the day it became irrevocable.

use crate::domain::KvkNumber;
use bytes::Bytes;
use chrono::NaiveDate;
use platform::audit::{self, Actor};
use platform::auth::Role;
use platform::http::{Request, json, no_store, parse_json};
use serde::Deserialize;
use serde_json::{Value, json};
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, kvk_from_path, write};
use crate::domain::{Checks, text};
use crate::error::{Error, Result};
use crate::events;
use crate::state::AppState;
use crate::store::{self, FinalSanction};
use zegel_contracts::certificate::SanctionKind;

/// The largest fine recorded (EUR 10 million): anything above is a typing error.
const MAX_AMOUNT_CENTS: i64 = 1_000_000_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SanctionIn {
    kind: SanctionKind,
    authority: String,
    reference: String,
    decided_on: NaiveDate,
    irrevocable_on: NaiveDate,
    #[serde(default)]
    amount_cents: Option<i64>,
}

impl SanctionIn {
    /// The sanction to record against `kvk`, every field checked: final (irrevocable, not
    /// after today, not before its decision), named by its authority and reference, and a
    /// conviction without an amount.
    fn checked(
        self,
        kvk: &KvkNumber,
        today: chrono::NaiveDate,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<FinalSanction> {
        let mut checks = Checks::default();
        let authority = checks.check(text(&self.authority, "/authority", 200));
        let reference = checks.check(text(&self.reference, "/reference", 200));
        if self.irrevocable_on < self.decided_on {
            checks.fail("/irrevocable_on", "not before decided_on");
        }
        if self.irrevocable_on > today {
            checks.fail("/irrevocable_on", "only a sanction that is final is recorded: not in the future");
        }
        match (self.kind, self.amount_cents) {
            (SanctionKind::CriminalConviction, Some(_)) => {
                checks.fail("/amount_cents", "a conviction is recorded without an amount")
            }
            (_, Some(a)) if !(1..=MAX_AMOUNT_CENTS).contains(&a) => {
                checks.fail("/amount_cents", format!("1 to {MAX_AMOUNT_CENTS} cents"))
            }
            _ => {}
        }
        checks.finish().map_err(Error::invalid)?;
        let (Some(authority), Some(reference)) = (authority, reference) else {
            return Err(Error::corrupt("a checked field"));
        };
        Ok(FinalSanction {
            sanction_id: uuid::Uuid::now_v7(),
            kvk_number: kvk.as_str().into(),
            kind: self.kind,
            authority,
            reference,
            decided_on: self.decided_on,
            irrevocable_on: self.irrevocable_on,
            amount_cents: self.amount_cents,
            recorded_at: now,
        })
    }
}

/// POST /api/v1/agencies/{kvk}/final-sanctions
pub(super) async fn record(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let role = [Role::Inspectorate, Role::Admin].into_iter().find(|r| principal.has(*r)).ok_or_else(|| {
        Error::forbidden("Final sanctions are recorded by the Labour Authority, or by an admin for a court.".into())
    })?;
    let kvk = kvk_from_path(&kvk)?;
    let input: SanctionIn = parse_json(&req, &raw)?;
    let now = state.clock.now();
    let sanction = input.checked(&kvk, state.clock.today(), now)?;
    write(&state, &req, &principal, &raw, async |tx| {
        store::insert_final_sanction(tx, &sanction, &principal.subject, role.as_str()).await?;
        // The body of a live certificate decides on a revocation; the admission authority
        // claims a fine from the deposit.
        let body = match store::latest_certificate(tx, kvk.as_str()).await? {
            Some(latest) => store::certificate_by_id(tx, latest.certificate_id, false)
                .await?
                .filter(|c| c.status.is_active())
                .map(|c| c.certification_body_id),
            None => None,
        };
        audit::Entry::new(Actor::of(&principal, role), "final_sanction.record", kvk.as_str(), &req.id)
            .after(json!(sanction))
            .publishes(events::final_sanction_recorded(&sanction, body.as_deref(), now))
            .record(tx)
            .await?;
        Ok((StatusCode::CREATED, json!(sanction)))
    })
    .await
}

/// GET /api/v1/agencies/{kvk}/final-sanctions — the Labour Authority, an admin, the
/// admission authority, a certification body (it cites them, and assesses applicants with
/// them) and the agency itself.
pub(super) async fn list(state: AppState, req: Request, kvk: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = kvk_from_path(&kvk)?;
    let client = state.core.pool.get().await?;
    // A body only while accredited: its rights end with their ground.
    let accredited_body = match principal.org.as_deref() {
        Some(body) => super::reads_as_body(&client, &principal, body).await?,
        None => false,
    };
    let allowed = [Role::Inspectorate, Role::Admin, Role::AdmissionAuthority].into_iter().any(|r| principal.has(r))
        || principal.acts_for(Role::Agency, kvk.as_str())
        || accredited_body;
    if !allowed {
        return Err(Error::forbidden(
            "Only the authorities, accredited certification bodies and the agency itself read its final sanctions."
                .into(),
        ));
    }
    let sanctions: Vec<Value> = store::final_sanctions(&client, kvk.as_str()).await?.iter().map(|s| json!(s)).collect();
    Ok(no_store(json(StatusCode::OK, &json!({ "kvk_number": kvk, "final_sanctions": sanctions }))))
}
