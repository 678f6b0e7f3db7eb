//! Hirer fines (advice 2.1 E): the inspectorate computes, from the registers' history, the
//! fine for a hirer who used an agency that was not certified, records it as decided and
//! later as irrevocable. The fine schedule is a dated table: public to read, an admin adds
//! a row from a date on.

use bytes::Bytes;
use chrono::NaiveDate;
use platform::auth::{Principal, Role};
use platform::http::{Request, json, no_store, parse_json};
use platform::problem::{FieldError, Kind};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;

use super::certificates::change;
use super::{authenticate, id_from_path, write};
use crate::domain::fine::{self, Case, Computation, FineStatus, Offence, Schedule};
use crate::domain::{Checks, KvkNumber, Status, text};
use crate::error::{Error, Result};
use crate::register;
use crate::state::AppState;
use crate::store::{self, Fine};

/// The longest period one computation covers: the repeat window of the advice.
const MAX_PERIOD_DAYS: i64 = 5 * 366;
const MAX_RECEIPTS: usize = 50;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FineIn {
    hirer_kvk: String,
    agency_kvk: String,
    from: NaiveDate,
    to: NaiveDate,
    workers: i64,
    #[serde(default)]
    receipts: Vec<String>,
}

struct Asked {
    hirer: KvkNumber,
    agency: KvkNumber,
    from: NaiveDate,
    to: NaiveDate,
    workers: i32,
    receipts: Vec<String>,
}

fn asked(state: &AppState, input: FineIn) -> Result<Asked> {
    let today = state.clock.today();
    let mut checks = Checks::default();
    let hirer = checks.check(KvkNumber::parse(&input.hirer_kvk, "/hirer_kvk"));
    let agency = checks.check(KvkNumber::parse(&input.agency_kvk, "/agency_kvk"));
    if hirer.is_some() && hirer == agency {
        checks.0.push(FieldError::new("/agency_kvk", "the agency is another company than the hirer"));
    }
    if input.from > input.to {
        checks.0.push(FieldError::new("/to", "on or after from"));
    } else if (input.to - input.from).num_days() >= MAX_PERIOD_DAYS {
        checks.0.push(FieldError::new("/to", format!("a period of at most {MAX_PERIOD_DAYS} days")));
    }
    if input.to > today {
        checks.0.push(FieldError::new("/to", "must not be in the future"));
    }
    if !(1..=100_000).contains(&input.workers) {
        checks.0.push(FieldError::new("/workers", "between 1 and 100000 temporary workers"));
    }
    if input.receipts.len() > MAX_RECEIPTS {
        checks.0.push(FieldError::new("/receipts", format!("at most {MAX_RECEIPTS} receipts")));
    }
    checks.finish().map_err(Error::invalid)?;
    let (Some(hirer), Some(agency)) = (hirer, agency) else {
        return Err(Error::invalid(vec![FieldError::new("", "invalid")]));
    };
    Ok(Asked {
        hirer,
        agency,
        from: input.from,
        to: input.to,
        workers: i32::try_from(input.workers).unwrap_or(i32::MAX),
        receipts: input.receipts,
    })
}

/// Computes the fine for `case` from the registers' history: the agency's certificates day
/// by day, the receipts as the lookup verifies them now, the hirer's earlier fines and the
/// schedule in force.
async fn compute(state: &AppState, req: &Request, case: &Asked) -> Result<Computation> {
    // The receipts are asked before anything is read here: a slow lookup holds no connection.
    let mut receipts = Vec::with_capacity(case.receipts.len());
    for seal in &case.receipts {
        let mut receipt = state.registers.receipt(seal, &req.id).await?;
        // A receipt about another agency is no defence in this case.
        receipt.verified &= receipt.kvk_number == case.agency.as_str();
        receipts.push(receipt);
    }
    let client = state.core.pool.get().await?;
    let days = store::certified_days(&client, case.agency.as_str(), case.from, case.to).await?;
    let earlier = store::earlier_fines(&client, case.hirer.as_str(), Offence::UncertifiedAgency).await?;
    let mut schedules: Vec<Schedule> = store::fine_schedules(&client).await?.into_iter().map(|(s, _)| s).collect();
    schedules.sort_by_key(|s| std::cmp::Reverse(s.effective_from));
    let on = |day: NaiveDate| schedules.iter().find(|s| s.effective_from <= day).cloned();
    Ok(fine::compute(
        &Case {
            period_from: case.from,
            period_to: case.to,
            days: &days,
            receipts: &receipts,
            earlier: &earlier,
            workers: case.workers,
        },
        on,
    ))
}

fn inspectorate(principal: &Principal) -> Result<()> {
    Ok(principal.require_any(&[Role::Inspectorate], "Only the Labour Authority computes and decides fines.")?)
}

/// POST /api/v1/hirer-fine-computations — what the fine would be; nothing is kept.
pub(super) async fn computation(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    inspectorate(&principal)?;
    let input: FineIn = parse_json(&req, &raw)?;
    let case = asked(&state, input)?;
    let computation = compute(&state, &req, &case).await?;
    let v = json!({ "hirer_kvk": case.hirer, "agency_kvk": case.agency, "computation": computation });
    Ok(no_store(json(StatusCode::OK, &v)))
}

/// POST /api/v1/hirer-fines — decide the fine as computed.
pub(super) async fn decide(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    inspectorate(&principal)?;
    let input: FineIn = parse_json(&req, &raw)?;
    let case = asked(&state, input)?;
    let computation = compute(&state, &req, &case).await?;
    let Some(offence_on) = computation.offence_on else {
        let why = if computation.due_diligence {
            "the hirer's receipts of the hirer check cover every day the agency was not certified (due diligence)"
        } else if computation.uncertified_days > 0 {
            "no fine schedule was in force on the days the agency was not certified"
        } else {
            "the agency held a certificate in force on every day of the period"
        };
        return Err(Error::invalid(vec![FieldError::new("/from", format!("no offence: {why}"))]));
    };
    let fine = Fine {
        fine_id: Uuid::now_v7(),
        hirer_kvk: case.hirer.as_str().into(),
        agency_kvk: case.agency.as_str().into(),
        offence: computation.offence,
        period_from: case.from,
        period_to: case.to,
        offence_on,
        workers: case.workers,
        amount_cents: computation.amount_cents,
        computation: json!(computation),
        status: FineStatus::Decided,
        decided_on: state.clock.today(),
        irrevocable_on: None,
    };
    write(&state, &req, &principal, &raw, async |tx| {
        store::insert_fine(tx, &fine, &principal.subject).await?;
        let change = change(&state, &principal, Role::Inspectorate, &req, None);
        register::record(tx, &fine.fine_id.to_string(), "fine.decide", &change, None::<&()>, Some(&fine)).await?;
        Ok((StatusCode::CREATED, json!(fine)))
    })
    .await
}

/// GET /api/v1/hirer-fines/{id} — the inspectorate, an admin, and the fined company itself.
pub(super) async fn get(state: AppState, req: Request, id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let id = id_from_path(&id, "fine")?;
    let client = state.core.pool.get().await?;
    // Only the Labour Authority and the fined company read a fine; anyone else is told
    // what it would be told of a fine that does not exist.
    let missing = || Error::not_found(format!("No fine {id} that you may read."));
    let fine = store::fine_by_id(&client, id, false).await?.ok_or_else(missing)?;
    let allowed = principal.has(Role::Inspectorate)
        || principal.has(Role::Admin)
        || principal.acts_for(Role::Hirer, &fine.hirer_kvk)
        || principal.acts_for(Role::Agency, &fine.hirer_kvk);
    if !allowed {
        return Err(missing());
    }
    Ok(no_store(json(StatusCode::OK, &fine)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IrrevocableIn {
    irrevocable_on: NaiveDate,
}

/// POST /api/v1/hirer-fines/{id}/irrevocability — the fine is final. It counts as an
/// earlier offence from that day; on a company that is itself a certified agency it is a
/// ground to revoke its certificate (told to its certification body) and can be claimed
/// from its guarantee deposit (told to the admission authority).
pub(super) async fn irrevocable(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    inspectorate(&principal)?;
    let id = id_from_path(&id, "fine")?;
    let input: IrrevocableIn = parse_json(&req, &raw)?;
    if input.irrevocable_on > state.clock.today() {
        return Err(Error::invalid(vec![FieldError::new("/irrevocable_on", "must not be in the future")]));
    }
    write(&state, &req, &principal, &raw, async |tx| {
        let before =
            store::fine_by_id(tx, id, true).await?.ok_or_else(|| Error::not_found(format!("No fine {id}.")))?;
        if before.status != FineStatus::Decided {
            return Err(Error::conflict(Kind::IllegalTransition, "The fine is irrevocable already.".into()));
        }
        if input.irrevocable_on < before.decided_on {
            return Err(Error::invalid(vec![FieldError::new(
                "/irrevocable_on",
                format!("on or after the decision, {}", before.decided_on),
            )]));
        }
        let after = store::make_irrevocable(tx, id, input.irrevocable_on).await?;
        let change = change(&state, &principal, Role::Inspectorate, &req, None);
        register::record(tx, &id.to_string(), "fine.irrevocable", &change, Some(&before), Some(&after)).await?;
        let in_force = store::latest_certificate(tx, &after.hirer_kvk)
            .await?
            .filter(|c| matches!(c.status, Status::Provisional | Status::Certified | Status::Suspended));
        if let Some(cert) = in_force {
            let event = crate::events::fine_irrevocable(&cert, &after, change.now);
            register::signal(tx, &id.to_string(), &change, event).await?;
        }
        Ok((StatusCode::OK, json!(after)))
    })
    .await
}

/// GET /api/v1/fine-schedule — public: the law's amounts, by date.
pub(super) async fn schedule_get(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let client = state.core.pool.get().await?;
    let rows: Vec<Value> = store::fine_schedules(&client)
        .await?
        .into_iter()
        .map(|(s, note)| {
            let mut v = json!(s);
            v["note"] = json!(note);
            v
        })
        .collect();
    Ok(json(StatusCode::OK, &json!({ "schedule": rows })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleIn {
    per_worker_cents: i64,
    first_repeat_percent: i32,
    second_repeat_percent: i32,
    later_repeat_percent: i32,
    repeat_window_years: i32,
    diligence_days: i32,
    note: String,
}

/// PUT /api/v1/fine-schedule/{effective_from} — an admin adds the amounts in force from a
/// date; never in the past (a fine is computed with the row in force on its day), never
/// over an existing row.
impl ScheduleIn {
    /// The schedule in force from `effective_from` (today or later: fines already due keep
    /// theirs), every number within its bounds, and its note.
    fn checked(self, effective_from: NaiveDate, today: NaiveDate) -> Result<(Schedule, String)> {
        let mut checks = Checks::default();
        if effective_from < today {
            checks.fail("/effective_from", "today or later: fines already due keep their schedule");
        }
        if !(1..=100_000_000).contains(&self.per_worker_cents) {
            checks.fail("/per_worker_cents", "between 1 and 100000000 cents");
        }
        for (pointer, p) in [
            ("/first_repeat_percent", self.first_repeat_percent),
            ("/second_repeat_percent", self.second_repeat_percent),
            ("/later_repeat_percent", self.later_repeat_percent),
        ] {
            if !(0..=1000).contains(&p) {
                checks.fail(pointer, "between 0 and 1000 percent");
            }
        }
        if !(1..=20).contains(&self.repeat_window_years) {
            checks.fail("/repeat_window_years", "between 1 and 20 years");
        }
        if !(0..=366).contains(&self.diligence_days) {
            checks.fail("/diligence_days", "between 0 and 366 days");
        }
        let note = checks.check(text(&self.note, "/note", 500));
        checks.finish().map_err(Error::invalid)?;
        let schedule = Schedule {
            effective_from,
            per_worker_cents: self.per_worker_cents,
            first_repeat_percent: self.first_repeat_percent,
            second_repeat_percent: self.second_repeat_percent,
            later_repeat_percent: self.later_repeat_percent,
            repeat_window_years: self.repeat_window_years,
            diligence_days: self.diligence_days,
        };
        Ok((schedule, note.unwrap_or_default()))
    }
}

pub(super) async fn schedule_put(state: AppState, req: Request, from: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::Admin], "Only an admin records a change of the fine schedule.")?;
    let effective_from: NaiveDate =
        from.parse().map_err(|_| Error::invalid(vec![FieldError::new("/effective_from", "a date, YYYY-MM-DD")]))?;
    let input: ScheduleIn = parse_json(&req, &raw)?;
    let (schedule, note) = input.checked(effective_from, state.clock.today())?;
    write(&state, &req, &principal, &raw, async |tx| {
        if !store::insert_fine_schedule(tx, &schedule, &note, &principal.subject).await? {
            return Err(Error::conflict(
                Kind::IllegalTransition,
                format!("A schedule is in force from {effective_from} already; it is never rewritten."),
            ));
        }
        let change = change(&state, &principal, Role::Admin, &req, Some(&note));
        register::record(
            tx,
            &format!("fine-schedule:{effective_from}"),
            "fine.schedule",
            &change,
            None::<&()>,
            Some(&schedule),
        )
        .await?;
        let mut v = json!(schedule);
        v["note"] = json!(note);
        Ok((StatusCode::CREATED, v))
    })
    .await
}
