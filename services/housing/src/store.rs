//! All SQL of the housing register.

use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::GenericClient;
use platform::problem::Kind;
use serde::Serialize;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use uuid::Uuid;
use zegel_contracts::NotValidBecause;

use crate::domain::{
    BuildingType, ComplaintCategory, ComplaintStatus, Contract, ContractForm, InspectionKind, MarkStatus, Norm,
    PermitStatus, RehousingReason, Rooms, TenancyRule,
};
use crate::{Error, Result};

#[derive(Debug, Clone, Serialize)]
pub struct Building {
    pub bag_id: String,
    pub municipality: String,
    /// Housing provider (KvK number).
    pub provider_kvk: String,
    pub street: String,
    pub number: i32,
    /// Addition (a, bis, 2-hoog).
    pub addition: Option<String>,
    pub postcode: String,
    pub place: String,
    pub building_type: BuildingType,
    pub registered_on: NaiveDate,
    /// Total living area in hundredths of m², once reported.
    pub living_area: Option<i32>,
}

impl Building {
    pub fn street_line(&self) -> String {
        match &self.addition {
            Some(a) => format!("{} {} {a}", self.street, self.number),
            None => format!("{} {}", self.street, self.number),
        }
    }

    pub fn place_line(&self) -> String {
        format!("{} {}", self.postcode, self.place)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Marked {
    #[serde(flatten)]
    pub building: Building,
    pub mark_id: Uuid,
    pub mark_status: MarkStatus,
    pub mark_since: DateTime<Utc>,
    /// Valid until (certified marks).
    pub mark_valid_until: Option<DateTime<Utc>>,
    pub norm: Option<Norm>,
    pub capacity: Option<i32>,
    pub occupancy: Option<i32>,
    pub occupancy_reported_at: Option<DateTime<Utc>>,
    /// Start of this season's occupancy (mobile units).
    pub occupied_since: Option<NaiveDate>,
    /// The rooms as an inspector last measured them, and when.
    #[serde(skip)]
    pub measured: Option<(Rooms, NaiveDate)>,
    /// When the provider reported rooms other than those measured (none since: `None`).
    pub rooms_changed_at: Option<DateTime<Utc>>,
    /// How many people may live there: the capacity, and no more than a granted permit
    /// allows (`allowed_people` in SQL, the one definition).
    pub allowed: Option<i32>,
    /// The contract forms in use, as the last sample showed them.
    pub contract_forms: Vec<ContractForm>,
    /// The tenancy rules the last sample of contracts broke.
    pub tenancy_broken: Vec<TenancyRule>,
}

impl Marked {
    /// Whether more people live there than may.
    pub fn over_allowed(&self) -> bool {
        matches!((self.occupancy, self.allowed), (Some(o), Some(a)) if o > a)
    }

    /// Until when the mark is certified, if it is certified and within its year at `now`.
    pub fn certified_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.mark_valid_until.filter(|u| self.mark_status == MarkStatus::Certified && *u > now)
    }
}

const MARKED: &str =
    "select bag_id, municipality, provider_kvk, street, number, addition, postcode, place, building_type,
        registered_on, living_area, mark_id, mark_status, mark_since, mark_valid_until, norm, capacity, occupancy,
        occupancy_reported_at, occupied_since, measured_bedrooms, measured_living_area, measured_on, rooms_changed_at,
        allowed_people(capacity, (select p from permit p where p.bag_id = building.bag_id)),
        contract_forms, tenancy_broken
     from building";

fn marked(r: &Row) -> Marked {
    Marked {
        building: Building {
            bag_id: r.get(0),
            municipality: r.get(1),
            provider_kvk: r.get(2),
            street: r.get(3),
            number: r.get(4),
            addition: r.get(5),
            postcode: r.get(6),
            place: r.get(7),
            building_type: r.get(8),
            registered_on: r.get(9),
            living_area: r.get(10),
        },
        mark_id: r.get(11),
        mark_status: r.get(12),
        mark_since: r.get(13),
        mark_valid_until: r.get(14),
        norm: r.get(15),
        capacity: r.get(16),
        occupancy: r.get(17),
        occupancy_reported_at: r.get(18),
        occupied_since: r.get(19),
        measured: match (
            r.get::<_, Option<Vec<i32>>>(20),
            r.get::<_, Option<i32>>(21),
            r.get::<_, Option<NaiveDate>>(22),
        ) {
            (Some(bedrooms), Some(living), Some(on)) => Some((Rooms::from_stored(&bedrooms, living), on)),
            _ => None,
        },
        rooms_changed_at: r.get(23),
        allowed: r.get(24),
        contract_forms: r.get(25),
        tenancy_broken: r.get(26),
    }
}

/// Registers a building with a fresh application for its mark; 409 when the BAG id is
/// registered already.
pub async fn insert_building(c: &impl GenericClient, b: &Building, norm: Norm, now: DateTime<Utc>) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into building (bag_id, municipality, provider_kvk, street, number, addition, postcode, place, building_type,
                 registered_on, norm, mark_since)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &b.bag_id,
            &b.municipality,
            &b.provider_kvk,
            &b.street,
            &b.number,
            &b.addition,
            &b.postcode,
            &b.place,
            &b.building_type,
            &b.registered_on,
            &norm,
            &now,
        ],
    )
    .await
    .map_err(|e| match e.as_db_error() {
        Some(db) if db.code() == &SqlState::UNIQUE_VIOLATION => Error::Conflict {
            kind: Kind::BuildingExists,
            detail: format!("Building {} is already registered.", b.bag_id),
        },
        _ => e.into(),
    })?;
    Ok(())
}

/// A building with its mark; `lock` takes a row lock.
pub async fn building(c: &impl GenericClient, bag_id: &str, lock: bool) -> Result<Option<Marked>> {
    let sql = format!("{MARKED} where bag_id = $1{}", if lock { " for update" } else { "" });
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query_opt(&stmt, &[&bag_id]).await?.map(|r| marked(&r)))
}

pub use zegel_contracts::housing::WorkKind;

/// One piece of an inspector's work: what, where, by when (`None`: as soon as possible),
/// and the complaint it follows up.
#[derive(Debug, Clone)]
pub struct Work {
    pub kind: WorkKind,
    pub bag_id: String,
    pub due: Option<NaiveDate>,
    pub complaint: Option<(Uuid, ComplaintCategory)>,
}

/// The housing inspectors' worklist: marks applied for, marks that end before `horizon`,
/// open deficiencies, complaints not yet followed up — each at most `limit`.
pub async fn worklist(c: &impl GenericClient, horizon: NaiveDate, limit: i64) -> Result<Vec<Work>> {
    let stmt = c
        .prepare_cached(
            "(select 'applied', bag_id, null::date, null::uuid, null::text from building
               where mark_status = 'applied' order by mark_since limit $2)
             union all
             (select 'expiring', bag_id, (mark_valid_until at time zone 'Europe/Amsterdam')::date, null, null from building
               where mark_status = 'certified' and mark_valid_until < $1::date order by mark_valid_until limit $2)
             union all
             (select 'deficiency', bag_id, min(deadline), null, null from deficiency
               where resolved_at is null group by bag_id order by min(deadline) limit $2)
             union all
             (select 'complaint', bag_id, null, complaint_id, category from complaint
               where status = 'received' order by received_at limit $2)",
        )
        .await?;
    let rows = c.query(&stmt, &[&horizon, &limit]).await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let complaint = match (r.get::<_, Option<Uuid>>(3), r.get::<_, Option<ComplaintCategory>>(4)) {
                (Some(id), Some(category)) => Some((id, category)),
                _ => None,
            };
            Some(Work { kind: WorkKind::parse(r.get(0))?, bag_id: r.get(1), due: r.get(2), complaint })
        })
        .collect())
}

/// Filters of the municipality's list.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub mark_status: Option<MarkStatus>,
    pub building_type: Option<BuildingType>,
    /// Only buildings with more people reported than allowed.
    pub over_capacity: Option<bool>,
    pub provider_kvk: Option<String>,
}

/// The buildings in a municipality, by address.
pub async fn buildings_in(c: &impl GenericClient, municipality: &str, f: &ListFilter) -> Result<Vec<Marked>> {
    let sql = format!(
        "{MARKED} where municipality = $1
           and ($2::text is null or mark_status = $2)
           and ($3::text is null or building_type = $3)
           and ($4::boolean is null
                or coalesce(occupancy > allowed_people(capacity, (select p from permit p where p.bag_id = building.bag_id)), false) = $4)
           and ($5::text is null or provider_kvk = $5)
         order by place, street, number, addition nulls first, bag_id
         limit 10000"
    );
    let stmt = c.prepare_cached(&sql).await?;
    let rows =
        c.query(&stmt, &[&municipality, &f.mark_status, &f.building_type, &f.over_capacity, &f.provider_kvk]).await?;
    Ok(rows.iter().map(marked).collect())
}

pub async fn buildings_of(c: &impl GenericClient, provider_kvk: &str) -> Result<Vec<Marked>> {
    let stmt = c.prepare_cached(&format!("{MARKED} where provider_kvk = $1 order by bag_id limit 10000")).await?;
    Ok(c.query(&stmt, &[&provider_kvk]).await?.iter().map(marked).collect())
}

/// Replaces the rooms the provider proposes; `changed`: they differ from what was
/// measured, from now on (until an inspection measures them).
pub async fn propose_rooms(
    c: &impl GenericClient,
    bag_id: &str,
    rooms: &Rooms,
    changed: Option<DateTime<Utc>>,
) -> Result<()> {
    let (bedrooms, living_area) = rooms.to_stored();
    let delete = c.prepare_cached("delete from bedroom where bag_id = $1").await?;
    c.execute(&delete, &[&bag_id]).await?;
    let insert = c.prepare_cached("insert into bedroom (bag_id, ordinal, area) values ($1, $2, $3)").await?;
    for (i, area) in bedrooms.iter().enumerate() {
        c.execute(&insert, &[&bag_id, &(i as i32), area]).await?;
    }
    let update = c
        .prepare_cached(
            "update building set living_area = $2, rooms_changed_at = coalesce(rooms_changed_at, $3) where bag_id = $1",
        )
        .await?;
    c.execute(&update, &[&bag_id, &living_area, &changed]).await?;
    Ok(())
}

pub async fn proposed_rooms(c: &impl GenericClient, bag_id: &str) -> Result<Option<Rooms>> {
    let stmt = c
        .prepare_cached(
            "select coalesce((select array_agg(area order by ordinal) from bedroom where bag_id = $1), '{}'), living_area
             from building where bag_id = $1",
        )
        .await?;
    Ok(c.query_opt(&stmt, &[&bag_id])
        .await?
        .and_then(|r| r.get::<_, Option<i32>>(1).map(|living| Rooms::from_stored(&r.get::<_, Vec<i32>>(0), living))))
}

/// Records what an inspector measured at `inspection_id`: the building's rooms from now
/// on, the capacity they give, and no change pending any more.
pub async fn measure(
    c: &impl GenericClient,
    bag_id: &str,
    inspection_id: Uuid,
    rooms: &Rooms,
    on: NaiveDate,
    capacity: i32,
) -> Result<()> {
    let (bedrooms, living_area) = rooms.to_stored();
    let inspection = c
        .prepare_cached(
            "update inspection set measured_bedrooms = $2, measured_living_area = $3 where inspection_id = $1",
        )
        .await?;
    c.execute(&inspection, &[&inspection_id, &bedrooms, &living_area]).await?;
    let building = c
        .prepare_cached(
            "update building set measured_bedrooms = $2, measured_living_area = $3, measured_on = $4, capacity = $5,
                 rooms_changed_at = null
             where bag_id = $1",
        )
        .await?;
    c.execute(&building, &[&bag_id, &bedrooms, &living_area, &on, &capacity]).await?;
    Ok(())
}

/// Records the sample of contracts an inspection read, each with the rules it breaks, and
/// the building's contract forms and broken rules from now on.
pub async fn record_tenancy(
    c: &impl GenericClient,
    bag_id: &str,
    inspection_id: Uuid,
    on: NaiveDate,
    sample: &[(Contract, Vec<TenancyRule>)],
) -> Result<()> {
    let insert = c
        .prepare_cached(
            "insert into tenancy_sample (inspection_id, ordinal, form, own_contract, tied_to_work, self_contained,
                 starts_on, ends_on, notice_months, notice_days, broken)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .await?;
    for (i, (contract, broken)) in sample.iter().enumerate() {
        let months = i32::try_from(contract.notice.months).unwrap_or(i32::MAX);
        let days = i32::try_from(contract.notice.days).unwrap_or(i32::MAX);
        c.execute(
            &insert,
            &[
                &inspection_id,
                &(i as i32),
                &contract.form,
                &contract.own_contract,
                &contract.tied_to_work,
                &contract.self_contained,
                &contract.starts_on,
                &contract.ends_on,
                &months,
                &days,
                broken,
            ],
        )
        .await?;
    }
    let mut forms: Vec<ContractForm> = sample.iter().map(|(c, _)| c.form).collect();
    forms.sort();
    forms.dedup();
    let mut broken: Vec<TenancyRule> = sample.iter().flat_map(|(_, b)| b.iter().copied()).collect();
    broken.sort();
    broken.dedup();
    let building = c
        .prepare_cached(
            "update building set tenancy_checked_on = $2, contract_forms = $3, tenancy_broken = $4 where bag_id = $1",
        )
        .await?;
    c.execute(&building, &[&bag_id, &on, &forms, &broken]).await?;
    Ok(())
}

/// What the permit situation of the building does to its mark on `day` (`permit_problem`
/// in SQL, the one definition): `None`, or the reason (no permit, or its conditions unmet).
pub async fn permit_problem(c: &impl GenericClient, bag_id: &str, day: NaiveDate) -> Result<Option<NotValidBecause>> {
    let stmt = c
        .prepare_cached(
            "select permit_problem(r.required, p, $2) from building b
             left join permit_requirement r on r.municipality = b.municipality
             left join permit p on p.bag_id = b.bag_id
             where b.bag_id = $1",
        )
        .await?;
    Ok(c.query_opt(&stmt, &[&bag_id, &day]).await?.and_then(|r| r.get(0)))
}

/// Buildings still on the SNF norm, for the sweep to move on when the transition ends.
pub async fn snf_buildings(c: &impl GenericClient) -> Result<Vec<String>> {
    let stmt = c.prepare_cached("select bag_id from building where norm = $1 order by bag_id").await?;
    Ok(c.query(&stmt, &[&Norm::Snf]).await?.iter().map(|r| r.get(0)).collect())
}

pub async fn set_norm(c: &impl GenericClient, bag_id: &str, norm: Norm, capacity: Option<i32>) -> Result<()> {
    let stmt = c.prepare_cached("update building set norm = $2, capacity = $3 where bag_id = $1").await?;
    c.execute(&stmt, &[&bag_id, &norm, &capacity]).await?;
    Ok(())
}

/// Moves the mark to `to` and records the change. `valid_until`: `Some` sets it.
#[allow(clippy::too_many_arguments)]
pub async fn set_mark(
    c: &impl GenericClient,
    b: &Marked,
    to: MarkStatus,
    valid_until: Option<DateTime<Utc>>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "update building set mark_status = $2, mark_since = case when mark_status = $2 then mark_since else $3 end,
                 mark_valid_until = coalesce($4, mark_valid_until)
             where bag_id = $1",
        )
        .await?;
    c.execute(&stmt, &[&b.building.bag_id, &to, &now, &valid_until]).await?;
    let change = c
        .prepare_cached(
            "insert into mark_change (bag_id, mark_id, from_status, to_status, reason, changed_at) values ($1, $2, $3, $4, $5, $6)",
        )
        .await?;
    c.execute(&change, &[&b.building.bag_id, &b.mark_id, &b.mark_status, &to, &reason, &now]).await?;
    Ok(())
}

/// Starts a new mark (a new application after the last one ended).
pub async fn new_mark(c: &impl GenericClient, b: &Marked, now: DateTime<Utc>) -> Result<Uuid> {
    let mark_id = Uuid::now_v7();
    let stmt = c
        .prepare_cached(
            "update building set mark_id = $2, mark_status = $4, mark_since = $3, mark_valid_until = null where bag_id = $1",
        )
        .await?;
    c.execute(&stmt, &[&b.building.bag_id, &mark_id, &now, &MarkStatus::Applied]).await?;
    let change = c
        .prepare_cached(
            "insert into mark_change (bag_id, mark_id, from_status, to_status, reason, changed_at) values ($1, $2, null, $4, 'new application', $3)",
        )
        .await?;
    c.execute(&change, &[&b.building.bag_id, &mark_id, &now, &MarkStatus::Applied]).await?;
    Ok(mark_id)
}

#[derive(Debug, Clone, Serialize)]
pub struct MarkChange {
    pub from_status: Option<MarkStatus>,
    pub to_status: MarkStatus,
    pub reason: String,
    pub changed_at: DateTime<Utc>,
}

/// The mark history of a building, oldest first.
pub async fn mark_history(c: &impl GenericClient, bag_id: &str) -> Result<Vec<MarkChange>> {
    let stmt = c
        .prepare_cached(
            "select from_status, to_status, reason, changed_at from mark_change where bag_id = $1 order by mark_change_id",
        )
        .await?;
    Ok(c.query(&stmt, &[&bag_id])
        .await?
        .iter()
        .map(|r| MarkChange { from_status: r.get(0), to_status: r.get(1), reason: r.get(2), changed_at: r.get(3) })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    pub inspection_id: Uuid,
    pub bag_id: String,
    pub mark_id: Uuid,
    pub kind: InspectionKind,
    pub inspected_on: NaiveDate,
    pub findings: String,
    /// Who (token subject).
    pub inspector: String,
    pub complaint_id: Option<Uuid>,
}

pub async fn insert_inspection(c: &impl GenericClient, i: &Inspection) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into inspection (inspection_id, bag_id, mark_id, kind, inspected_on, findings, inspector, complaint_id)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &i.inspection_id,
            &i.bag_id,
            &i.mark_id,
            &i.kind,
            &i.inspected_on,
            &i.findings,
            &i.inspector,
            &i.complaint_id,
        ],
    )
    .await?;
    Ok(())
}

pub async fn last_inspection(c: &impl GenericClient, bag_id: &str) -> Result<Option<NaiveDate>> {
    let stmt = c.prepare_cached("select max(inspected_on) from inspection where bag_id = $1").await?;
    Ok(c.query_one(&stmt, &[&bag_id]).await?.get(0))
}

#[derive(Debug, Clone, Serialize)]
pub struct Deficiency {
    pub deficiency_id: Uuid,
    pub inspection_id: Uuid,
    pub description: String,
    /// Remedy by (inclusive).
    pub deadline: NaiveDate,
    pub resolved_at: Option<DateTime<Utc>>,
    pub overdue_at: Option<DateTime<Utc>>,
}

pub async fn insert_deficiency(c: &impl GenericClient, bag_id: &str, d: &Deficiency) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into deficiency (deficiency_id, inspection_id, bag_id, description, deadline) values ($1, $2, $3, $4, $5)",
        )
        .await?;
    c.execute(&stmt, &[&d.deficiency_id, &d.inspection_id, &bag_id, &d.description, &d.deadline]).await?;
    Ok(())
}

/// The building's deficiencies, newest inspection first.
pub async fn deficiencies(c: &impl GenericClient, bag_id: &str) -> Result<Vec<Deficiency>> {
    let stmt = c
        .prepare_cached(
            "select deficiency_id, inspection_id, description, deadline, resolved_at, overdue_at
             from deficiency where bag_id = $1 order by deadline, deficiency_id",
        )
        .await?;
    Ok(c.query(&stmt, &[&bag_id])
        .await?
        .iter()
        .map(|r| Deficiency {
            deficiency_id: r.get(0),
            inspection_id: r.get(1),
            description: r.get(2),
            deadline: r.get(3),
            resolved_at: r.get(4),
            overdue_at: r.get(5),
        })
        .collect())
}

pub async fn open_deficiencies(c: &impl GenericClient, bag_id: &str) -> Result<usize> {
    // Those of the current mark: a new application is judged afresh by its own inspections
    // (a deficiency that revoked the last mark would otherwise block every new one for good).
    let stmt = c
        .prepare_cached(
            "select count(*) from deficiency d
             join inspection i on i.inspection_id = d.inspection_id
             join building b on b.bag_id = d.bag_id and b.mark_id = i.mark_id
             where d.bag_id = $1 and d.resolved_at is null",
        )
        .await?;
    let n: i64 = c.query_one(&stmt, &[&bag_id]).await?.get(0);
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Marks a deficiency remedied; `Ok(false)` when it is not open (or not this building's).
pub async fn resolve_deficiency(
    c: &impl GenericClient,
    bag_id: &str,
    id: Uuid,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let stmt = c
        .prepare_cached(
            "update deficiency set resolved_at = $4, resolved_by = $3
             where deficiency_id = $2 and bag_id = $1 and resolved_at is null and overdue_at is null",
        )
        .await?;
    Ok(c.execute(&stmt, &[&bag_id, &id, &by, &now]).await? == 1)
}

/// Takes the deficiencies open past their deadline (`deadline < today`), marking them
/// overdue so each is acted on once; the buildings they belong to, locked.
pub async fn take_overdue(c: &impl GenericClient, today: NaiveDate, now: DateTime<Utc>) -> Result<Vec<(String, Uuid)>> {
    let stmt = c
        .prepare_cached(
            "update deficiency set overdue_at = $2
             where deficiency_id in (
                 select deficiency_id from deficiency
                 where resolved_at is null and overdue_at is null and deadline < $1
                 for update skip locked)
             returning bag_id, deficiency_id",
        )
        .await?;
    Ok(c.query(&stmt, &[&today, &now]).await?.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Certified or suspended marks past their year.
pub async fn past_validity(c: &impl GenericClient, now: DateTime<Utc>) -> Result<Vec<String>> {
    let stmt = c
        .prepare_cached(
            "select bag_id from building where mark_status in ('certified', 'suspended') and mark_valid_until <= $1",
        )
        .await?;
    Ok(c.query(&stmt, &[&now]).await?.iter().map(|r| r.get(0)).collect())
}

/// A municipality's permit requirement.
pub async fn set_permit_requirement(
    c: &impl GenericClient,
    municipality: &str,
    required: bool,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into permit_requirement (municipality, required, set_at, set_by) values ($1, $2, $3, $4)
             on conflict (municipality) do update set required = excluded.required, set_at = excluded.set_at, set_by = excluded.set_by",
        )
        .await?;
    c.execute(&stmt, &[&municipality, &required, &now, &by]).await?;
    Ok(())
}

/// Whether the municipality requires a landlord permit.
pub async fn permit_required(c: &impl GenericClient, municipality: &str) -> Result<bool> {
    let stmt = c.prepare_cached("select required from permit_requirement where municipality = $1").await?;
    Ok(c.query_opt(&stmt, &[&municipality]).await?.map(|r| r.get(0)).unwrap_or(false))
}

#[derive(Debug, Clone, Serialize)]
pub struct Permit {
    pub status: PermitStatus,
    /// From (granted).
    pub valid_from: Option<NaiveDate>,
    /// Until (granted, if limited).
    pub valid_until: Option<NaiveDate>,
    pub decided_on: NaiveDate,
    /// Why (refused, withdrawn).
    pub reason: Option<String>,
    /// The most people it allows.
    pub max_people: Option<i32>,
    pub conditions: Vec<String>,
    /// Comply by (an existing rental).
    pub comply_by: Option<NaiveDate>,
    pub complied_on: Option<NaiveDate>,
}

pub async fn put_permit(c: &impl GenericClient, bag_id: &str, p: &Permit, by: &str) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into permit (bag_id, status, valid_from, valid_until, decided_on, decided_by, reason, max_people,
                 conditions, comply_by, complied_on)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             on conflict (bag_id) do update set status = excluded.status, valid_from = excluded.valid_from,
                 valid_until = excluded.valid_until, decided_on = excluded.decided_on, decided_by = excluded.decided_by,
                 reason = excluded.reason, max_people = excluded.max_people, conditions = excluded.conditions,
                 comply_by = excluded.comply_by, complied_on = excluded.complied_on",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &bag_id,
            &p.status,
            &p.valid_from,
            &p.valid_until,
            &p.decided_on,
            &by,
            &p.reason,
            &p.max_people,
            &p.conditions,
            &p.comply_by,
            &p.complied_on,
        ],
    )
    .await?;
    Ok(())
}

pub async fn permit(c: &impl GenericClient, bag_id: &str) -> Result<Option<Permit>> {
    let stmt = c
        .prepare_cached(
            "select status, valid_from, valid_until, decided_on, reason, max_people, conditions, comply_by, complied_on
             from permit where bag_id = $1",
        )
        .await?;
    Ok(c.query_opt(&stmt, &[&bag_id]).await?.map(|r| Permit {
        status: r.get(0),
        valid_from: r.get(1),
        valid_until: r.get(2),
        decided_on: r.get(3),
        reason: r.get(4),
        max_people: r.get(5),
        conditions: r.get(6),
        comply_by: r.get(7),
        complied_on: r.get(8),
    }))
}

pub async fn set_occupancy(
    c: &impl GenericClient,
    bag_id: &str,
    people: i32,
    occupied_since: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "update building set occupancy = $2, occupied_since = $3, occupancy_reported_at = $4 where bag_id = $1",
        )
        .await?;
    c.execute(&stmt, &[&bag_id, &people, &occupied_since, &now]).await?;
    Ok(())
}

/// A complaint, for the inspector and the municipality only.
#[derive(Debug, Clone, Serialize)]
pub struct Complaint {
    pub complaint_id: Uuid,
    pub bag_id: String,
    pub category: ComplaintCategory,
    pub text: String,
    pub language: Option<String>,
    pub received_at: DateTime<Utc>,
    pub status: ComplaintStatus,
    pub inspection_id: Option<Uuid>,
}

pub async fn insert_complaint(c: &impl GenericClient, k: &Complaint) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into complaint (complaint_id, bag_id, category, text, language, received_at) values ($1, $2, $3, $4, $5, $6)",
        )
        .await?;
    c.execute(&stmt, &[&k.complaint_id, &k.bag_id, &k.category, &k.text, &k.language, &k.received_at]).await?;
    Ok(())
}

fn complaint(r: &Row) -> Complaint {
    Complaint {
        complaint_id: r.get(0),
        bag_id: r.get(1),
        category: r.get(2),
        text: r.get(3),
        language: r.get(4),
        received_at: r.get(5),
        status: r.get(6),
        inspection_id: r.get(7),
    }
}

/// The complaints about a building, newest first.
pub async fn complaints(c: &impl GenericClient, bag_id: &str) -> Result<Vec<Complaint>> {
    let stmt = c
        .prepare_cached(
            "select complaint_id, bag_id, category, text, language, received_at, status, inspection_id
             from complaint where bag_id = $1 order by received_at desc limit 1000",
        )
        .await?;
    Ok(c.query(&stmt, &[&bag_id]).await?.iter().map(complaint).collect())
}

/// Links an open complaint of the building to the inspection that followed it up and
/// returns its category; `None` when the building has no such complaint open.
pub async fn complaint_inspected(
    c: &impl GenericClient,
    bag_id: &str,
    id: Uuid,
    inspection_id: Uuid,
) -> Result<Option<ComplaintCategory>> {
    let stmt = c
        .prepare_cached(
            "update complaint set status = $4, inspection_id = $3
             where complaint_id = $2 and bag_id = $1 and status = $5
             returning category",
        )
        .await?;
    let (to, from) = (ComplaintStatus::Inspected, ComplaintStatus::Received);
    Ok(c.query_opt(&stmt, &[&bag_id, &id, &inspection_id, &to, &from]).await?.map(|r| r.get(0)))
}

/// The newest unexpired seal of the building's current mark, for its poster.
pub async fn current_seal(c: &impl GenericClient, bag_id: &str, now: DateTime<Utc>) -> Result<Option<String>> {
    let stmt = c
        .prepare_cached(
            "select s.token from seal s join building b on b.bag_id = s.bag_id and b.mark_id = s.mark_id
             where s.bag_id = $1 and s.expires_at > $2 order by s.issued_at desc limit 1",
        )
        .await?;
    Ok(c.query_opt(&stmt, &[&bag_id, &now]).await?.map(|r| r.get(0)))
}

/// Where an agency houses workers in one building, for a period.
#[derive(Debug, Clone, Serialize)]
pub struct Placement {
    pub placement_id: Uuid,
    pub kvk_number: String,
    pub bag_id: String,
    pub from: NaiveDate,
    /// Last day, once known.
    pub to: Option<NaiveDate>,
    pub rent_withheld: bool,
    /// When the building's provider accepted it (or an inspector confirmed it); until
    /// then it gives no one a right to read the building.
    pub accepted_at: Option<DateTime<Utc>>,
}

const PLACEMENT: &str = "placement_id, kvk_number, bag_id, from_on, to_on, rent_withheld, accepted_at";

fn placement(r: &Row) -> Placement {
    Placement {
        placement_id: r.get(0),
        kvk_number: r.get(1),
        bag_id: r.get(2),
        from: r.get(3),
        to: r.get(4),
        rent_withheld: r.get(5),
        accepted_at: r.get(6),
    }
}

/// Records a placement (accepted already when `accepted_at` is set: the agency provides
/// the building itself).
pub async fn insert_placement(c: &impl GenericClient, p: &Placement, by: &str, now: DateTime<Utc>) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into placement (placement_id, kvk_number, bag_id, from_on, to_on, rent_withheld, recorded_by,
                                    recorded_at, accepted_at, accepted_by)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, case when $9::timestamptz is null then null else $7 end)",
        )
        .await?;
    c.execute(
        &stmt,
        &[&p.placement_id, &p.kvk_number, &p.bag_id, &p.from, &p.to, &p.rent_withheld, &by, &now, &p.accepted_at],
    )
    .await?;
    Ok(())
}

/// The building's provider accepts a placement (or a housing inspector confirms it).
pub async fn accept_placement(c: &impl GenericClient, id: Uuid, by: &str, now: DateTime<Utc>) -> Result<()> {
    let stmt =
        c.prepare_cached("update placement set accepted_at = $3, accepted_by = $2 where placement_id = $1").await?;
    c.execute(&stmt, &[&id, &by, &now]).await?;
    Ok(())
}

/// The placements in a building, newest first.
pub async fn placements_in(c: &impl GenericClient, bag_id: &str) -> Result<Vec<Placement>> {
    let sql = format!("select {PLACEMENT} from placement where bag_id = $1 order by from_on desc, placement_id");
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&bag_id]).await?.iter().map(placement).collect())
}

/// A placement by id; `lock` takes a row lock.
pub async fn placement_by_id(c: &impl GenericClient, id: Uuid, lock: bool) -> Result<Option<Placement>> {
    let sql =
        format!("select {PLACEMENT} from placement where placement_id = $1{}", if lock { " for update" } else { "" });
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query_opt(&stmt, &[&id]).await?.as_ref().map(placement))
}

/// Ends a placement on `to`.
pub async fn end_placement(c: &impl GenericClient, id: Uuid, to: NaiveDate) -> Result<()> {
    let stmt = c.prepare_cached("update placement set to_on = $2 where placement_id = $1").await?;
    c.execute(&stmt, &[&id, &to]).await?;
    Ok(())
}

/// The agency's placements, newest first.
pub async fn placements_of(c: &impl GenericClient, kvk: &str) -> Result<Vec<Placement>> {
    let sql = format!("select {PLACEMENT} from placement where kvk_number = $1 order by from_on desc, placement_id");
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&kvk]).await?.iter().map(placement).collect())
}

/// The agencies with a placement in `bag_id` that is open on `day`.
pub async fn placing_agencies(c: &impl GenericClient, bag_id: &str, day: NaiveDate) -> Result<Vec<String>> {
    let stmt = c
        .prepare_cached(
            "select distinct kvk_number from placement
             where bag_id = $1 and from_on <= $2 and (to_on is null or to_on >= $2) order by kvk_number",
        )
        .await?;
    Ok(c.query(&stmt, &[&bag_id, &day]).await?.iter().map(|r| r.get(0)).collect())
}

/// How many of the agency's placements are open on `day` or start later.
pub async fn current_placements(c: &impl GenericClient, kvk: &str, day: NaiveDate) -> Result<i64> {
    let stmt = c
        .prepare_cached("select count(*) from placement where kvk_number = $1 and (to_on is null or to_on >= $2)")
        .await?;
    Ok(c.query_one(&stmt, &[&kvk, &day]).await?.get(0))
}

/// Records (or replaces) the agency's declaration about housing no one.
pub async fn declare(
    c: &impl GenericClient,
    kvk: &str,
    houses_no_one: bool,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into housing_declaration (kvk_number, houses_no_one, declared_by, declared_at) values ($1, $2, $3, $4)
             on conflict (kvk_number) do update set houses_no_one = excluded.houses_no_one,
                 declared_by = excluded.declared_by, declared_at = excluded.declared_at",
        )
        .await?;
    c.execute(&stmt, &[&kvk, &houses_no_one, &by, &now]).await?;
    Ok(())
}

/// The agency's declaration, if it made one: whether it houses no one.
pub async fn declaration(c: &impl GenericClient, kvk: &str) -> Result<Option<bool>> {
    let stmt = c.prepare_cached("select houses_no_one from housing_declaration where kvk_number = $1").await?;
    Ok(c.query_opt(&stmt, &[&kvk]).await?.map(|r| r.get(0)))
}

/// The mark of every building the agency houses workers in today (the lookup's
/// `agency_buildings` contract): (mark status, certified now).
pub async fn buildings_in_use(c: &impl GenericClient, kvk: &str) -> Result<Vec<(MarkStatus, bool)>> {
    let stmt = c
        .prepare_cached("select mark_status, coalesce(certified, false) from agency_buildings where kvk_number = $1 order by bag_id")
        .await?;
    Ok(c.query(&stmt, &[&kvk]).await?.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// A rehousing case (advice 4.3 E).
#[derive(Debug, Clone, Serialize)]
pub struct RehousingCase {
    pub case_id: Uuid,
    pub bag_id: String,
    pub mark_id: Uuid,
    pub municipality: String,
    pub provider_kvk: String,
    /// People living there when the mark ended.
    pub people: i32,
    pub reason: RehousingReason,
    pub opened_at: DateTime<Utc>,
    /// Rehoused by (inclusive).
    pub deadline: NaiveDate,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_because: Option<zegel_contracts::housing::RehousingClosed>,
    pub overdue_at: Option<DateTime<Utc>>,
}

const REHOUSING: &str =
    "select case_id, bag_id, mark_id, municipality, provider_kvk, people, reason, opened_at, deadline,
        closed_at, closed_because, overdue_at from rehousing_case";

fn rehousing_case(r: &Row) -> RehousingCase {
    RehousingCase {
        case_id: r.get(0),
        bag_id: r.get(1),
        mark_id: r.get(2),
        municipality: r.get(3),
        provider_kvk: r.get(4),
        people: r.get(5),
        reason: r.get(6),
        opened_at: r.get(7),
        deadline: r.get(8),
        closed_at: r.get(9),
        closed_because: r.get(10),
        overdue_at: r.get(11),
    }
}

/// Opens a case; `false` when the building has one open already.
pub async fn open_rehousing(c: &impl GenericClient, k: &RehousingCase) -> Result<bool> {
    let stmt = c
        .prepare_cached(
            "insert into rehousing_case (case_id, bag_id, mark_id, municipality, provider_kvk, people, reason, opened_at, deadline)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             on conflict (bag_id) where closed_at is null do nothing",
        )
        .await?;
    let n = c
        .execute(
            &stmt,
            &[
                &k.case_id,
                &k.bag_id,
                &k.mark_id,
                &k.municipality,
                &k.provider_kvk,
                &k.people,
                &k.reason,
                &k.opened_at,
                &k.deadline,
            ],
        )
        .await?;
    Ok(n == 1)
}

/// Closes the building's open case, returning it.
pub async fn close_rehousing(
    c: &impl GenericClient,
    bag_id: &str,
    why: zegel_contracts::housing::RehousingClosed,
    now: DateTime<Utc>,
) -> Result<Option<RehousingCase>> {
    let stmt = c
        .prepare_cached(
            "update rehousing_case set closed_at = $2, closed_because = $3 where bag_id = $1 and closed_at is null
             returning case_id, bag_id, mark_id, municipality, provider_kvk, people, reason, opened_at, deadline,
                 closed_at, closed_because, overdue_at",
        )
        .await?;
    Ok(c.query_opt(&stmt, &[&bag_id, &now, &why]).await?.map(|r| rehousing_case(&r)))
}

/// Why nobody may live in the building now while people do (`unlawfully_occupied`):
/// `no_permit` or `out_of_season`; `None` when it may be lived in, or is empty.
pub async fn unlawful_reason(c: &impl GenericClient, bag_id: &str) -> Result<Option<RehousingReason>> {
    let stmt = c.prepare_cached("select reason from unlawfully_occupied where bag_id = $1").await?;
    Ok(c.query_opt(&stmt, &[&bag_id]).await?.map(|r| r.get(0)))
}

/// Whether the building has an open case opened because nobody may live there.
pub async fn open_unlawful_case(c: &impl GenericClient, bag_id: &str) -> Result<bool> {
    let stmt = c
        .prepare_cached(
            "select exists (select 1 from rehousing_case where bag_id = $1 and closed_at is null
                                and reason in ('no_permit', 'out_of_season'))",
        )
        .await?;
    Ok(c.query_one(&stmt, &[&bag_id]).await?.get(0))
}

/// The buildings whose rehousing the sweep must look at: occupied where nobody may live
/// without an open case, and open cases of that kind whose building may be lived in again.
pub async fn unlawful_to_settle(c: &impl GenericClient) -> Result<Vec<String>> {
    let stmt = c
        .prepare_cached(
            "select u.bag_id from unlawfully_occupied u
             where not exists (select 1 from rehousing_case k where k.bag_id = u.bag_id and k.closed_at is null)
             union
             select k.bag_id from rehousing_case k
             where k.closed_at is null and k.reason in ('no_permit', 'out_of_season')
               and not exists (select 1 from unlawfully_occupied u where u.bag_id = k.bag_id)
             order by 1",
        )
        .await?;
    Ok(c.query(&stmt, &[]).await?.iter().map(|r| r.get(0)).collect())
}

/// The building's cases, newest first.
pub async fn rehousing_of(c: &impl GenericClient, bag_id: &str) -> Result<Vec<RehousingCase>> {
    let stmt = c.prepare_cached(&format!("{REHOUSING} where bag_id = $1 order by opened_at desc limit 100")).await?;
    Ok(c.query(&stmt, &[&bag_id]).await?.iter().map(rehousing_case).collect())
}

/// The open cases of a municipality, oldest deadline first.
pub async fn open_rehousing_in(c: &impl GenericClient, municipality: &str) -> Result<Vec<RehousingCase>> {
    let stmt = c
        .prepare_cached(&format!(
            "{REHOUSING} where municipality = $1 and closed_at is null order by deadline, case_id limit 10000"
        ))
        .await?;
    Ok(c.query(&stmt, &[&municipality]).await?.iter().map(rehousing_case).collect())
}

/// Open cases past their deadline that were not yet signalled, marked so each is
/// signalled once.
pub async fn take_overdue_rehousing(
    c: &impl GenericClient,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<RehousingCase>> {
    let stmt = c
        .prepare_cached(
            "update rehousing_case set overdue_at = $2
             where closed_at is null and overdue_at is null and deadline < $1
             returning case_id",
        )
        .await?;
    let ids: Vec<Uuid> = c.query(&stmt, &[&today, &now]).await?.iter().map(|r| r.get(0)).collect();
    let read = c.prepare_cached(&format!("{REHOUSING} where case_id = any($1) order by case_id")).await?;
    Ok(c.query(&read, &[&ids]).await?.iter().map(rehousing_case).collect())
}

/// Whether certification body `body` holds an application or a certificate of an agency
/// that houses workers in `bag_id` on `day` and is still accredited: the building's
/// provider, or an agency placing workers there whose placement the provider accepted
/// (`platform::certifier::HOLDING`).
pub async fn certifies_an_agency_housed_in(
    c: &impl GenericClient,
    bag_id: &str,
    body: &str,
    day: NaiveDate,
) -> Result<bool> {
    let sql = format!(
        "select exists (
             select 1 from {holding} h
             where certification_body_id = $2
               and kvk_number in (select provider_kvk from building where bag_id = $1
                                  union
                                  select kvk_number from placement
                                  where bag_id = $1 and accepted_at is not null
                                    and from_on <= $3 and (to_on is null or to_on >= $3)))",
        holding = platform::certifier::HOLDING
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query_one(&stmt, &[&bag_id, &body, &day]).await?.get(0))
}

/// A municipality's beds at one instant, from the append-only `bed_count` history.
#[derive(Debug, Clone, Copy)]
pub struct Beds {
    /// The people allowed in buildings whose mark was in force then (`allowed_people`).
    pub beds: i64,
    /// The people the providers had reported living in its buildings.
    pub people: i64,
    /// Buildings with a mark in force.
    pub certified: i64,
    /// Buildings registered.
    pub buildings: i64,
}

/// Since when the register keeps the history of beds (before it, nothing can be said).
pub async fn beds_counted_since(c: &impl GenericClient) -> Result<DateTime<Utc>> {
    let stmt = c.prepare_cached("select since from beds_counted_since").await?;
    Ok(c.query_one(&stmt, &[]).await?.get(0))
}

/// The municipality's [`Beds`] at each of `at`, in that order: each building as its last
/// history row at or before the instant had it.
pub async fn beds_at(c: &impl GenericClient, municipality: &str, at: &[DateTime<Utc>]) -> Result<Vec<Beds>> {
    let stmt = c
        .prepare_cached(
            "select coalesce(sum(h.allowed) filter (where h.in_force), 0)::bigint,
                    coalesce(sum(h.occupancy), 0)::bigint,
                    count(*) filter (where h.in_force),
                    count(h.bag_id)
             from unnest($2::timestamptz[]) with ordinality as t(at, n)
             left join lateral (
                 select distinct on (bag_id) bag_id, allowed, occupancy,
                        mark_status = 'certified' and coalesce(mark_valid_until > t.at, false) as in_force
                 from bed_count
                 where municipality = $1 and bed_count.at <= t.at
                 order by bag_id, bed_count.at desc, bed_count_id desc
             ) h on true
             group by t.n
             order by t.n",
        )
        .await?;
    let rows = c.query(&stmt, &[&municipality, &at]).await?;
    Ok(rows
        .iter()
        .map(|r| Beds { beds: r.get(0), people: r.get(1), certified: r.get(2), buildings: r.get(3) })
        .collect())
}

/// A building's permit as the municipality's list shows it: its decision, if any, and
/// what the permit situation does to the mark today (`permit_problem`, the one definition).
pub type PermitState = (Option<PermitStatus>, Option<NotValidBecause>);

/// Each building of a municipality with its [`PermitState`] on `day`.
pub async fn permits_in(
    c: &impl GenericClient,
    municipality: &str,
    day: NaiveDate,
) -> Result<std::collections::HashMap<String, PermitState>> {
    let stmt = c
        .prepare_cached(
            "select b.bag_id, p.status, permit_problem(r.required, p, $2) from building b
             left join permit_requirement r on r.municipality = b.municipality
             left join permit p on p.bag_id = b.bag_id
             where b.municipality = $1",
        )
        .await?;
    let rows = c.query(&stmt, &[&municipality, &day]).await?;
    Ok(rows.iter().map(|r| (r.get(0), (r.get(1), r.get(2)))).collect())
}
