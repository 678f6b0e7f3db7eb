//! All SQL of the certificates service.
//!
//! Functions take any client (a pooled connection or a transaction); writes that belong
//! together run in one transaction that the caller opens and commits.

use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::GenericClient;
use platform::problem::Kind;
use serde::Serialize;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use crate::domain::requirement::{Outcome, RequirementCode};
use crate::domain::{AuditOutcome, Norm, Status};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Serialize)]
pub struct Body {
    /// Id (the `org` of its tokens).
    pub certification_body_id: String,
    pub name: String,
    pub accredited: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Agency {
    pub kvk_number: String,
    pub name: String,
    pub seat_country: String,
    pub sbi_codes: Vec<String>,
    pub established_on: NaiveDate,
    /// Seated abroad: its number in its home country's company register.
    pub home_register_number: Option<String>,
    pub vat_number: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Certificate {
    pub certificate_id: Uuid,
    pub kvk_number: String,
    pub certification_body_id: String,
    /// NEN 4400-1 or -2.
    pub norm: Norm,
    pub status: Status,
    pub status_since: DateTime<Utc>,
    pub issued_on: NaiveDate,
    /// End of probation (after any extension).
    pub probation_ends_on: NaiveDate,
    pub extended: bool,
    pub certified_on: Option<NaiveDate>,
    pub next_audit_due: Option<NaiveDate>,
    /// Why it is suspended.
    pub suspension_reason: Option<String>,
    pub suspension_remedy_by: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
}

const CERTIFICATE_COLUMNS: &str = "certificate_id, kvk_number, certification_body_id, norm, status, status_since,
     issued_on, probation_ends_on, extended, certified_on, next_audit_due, suspension_reason,
     suspension_remedy_by, ended_on";

fn certificate(row: &Row) -> Result<Certificate> {
    Ok(Certificate {
        certificate_id: row.get(0),
        kvk_number: row.get(1),
        certification_body_id: row.get(2),
        norm: row.get(3),
        status: row.get(4),
        status_since: row.get(5),
        issued_on: row.get(6),
        probation_ends_on: row.get(7),
        extended: row.get(8),
        certified_on: row.get(9),
        next_audit_due: row.get(10),
        suspension_reason: row.get(11),
        suspension_remedy_by: row.get(12),
        ended_on: row.get(13),
    })
}

pub async fn upsert_body(c: &impl GenericClient, id: &str, name: &str, accredited: bool) -> Result<Body> {
    let stmt = c
        .prepare_cached(
            "insert into certification_body (certification_body_id, name, accredited) values ($1, $2, $3)
             on conflict (certification_body_id) do update set name = $2, accredited = $3, updated_at = now()
             returning certification_body_id, name, accredited",
        )
        .await?;
    let row = c.query_one(&stmt, &[&id, &name, &accredited]).await?;
    Ok(Body { certification_body_id: row.get(0), name: row.get(1), accredited: row.get(2) })
}

pub async fn body(c: &impl GenericClient, id: &str) -> Result<Option<Body>> {
    let stmt = c
        .prepare_cached(
            "select certification_body_id, name, accredited from certification_body where certification_body_id = $1",
        )
        .await?;
    Ok(c.query_opt(&stmt, &[&id]).await?.map(|row| Body {
        certification_body_id: row.get(0),
        name: row.get(1),
        accredited: row.get(2),
    }))
}

/// Registers an agency; 409 when the KvK number is already registered.
pub async fn insert_agency(c: &impl GenericClient, a: &Agency) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into agency (kvk_number, name, seat_country, sbi_codes, established_on, home_register_number, vat_number)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &a.kvk_number,
            &a.name,
            &a.seat_country,
            &a.sbi_codes,
            &a.established_on,
            &a.home_register_number,
            &a.vat_number,
        ],
    )
    .await
    .map_err(|e| match constraint(&e) {
        Some("agency_pkey") => {
            Error::conflict(Kind::AgencyExists, format!("Agency {} is already registered.", a.kvk_number))
        }
        Some("agency_home_register_key") => Error::conflict(
            Kind::AgencyExists,
            format!(
                "An agency with home register number {} in {} is already registered.",
                a.home_register_number.as_deref().unwrap_or_default(),
                a.seat_country
            ),
        ),
        _ => e.into(),
    })?;
    Ok(())
}

pub async fn agency(c: &impl GenericClient, kvk: &str) -> Result<Option<Agency>> {
    let stmt = c
        .prepare_cached(
            "select kvk_number, name, seat_country, sbi_codes, established_on, home_register_number, vat_number
             from agency where kvk_number = $1",
        )
        .await?;
    Ok(c.query_opt(&stmt, &[&kvk]).await?.map(|row| Agency {
        kvk_number: row.get(0),
        name: row.get(1),
        seat_country: row.get(2),
        sbi_codes: row.get(3),
        established_on: row.get(4),
        home_register_number: row.get(5),
        vat_number: row.get(6),
    }))
}

/// Stores a new certificate; 409 when the agency already has one in force.
pub async fn insert_certificate(c: &impl GenericClient, cert: &Certificate) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into certificate (certificate_id, kvk_number, certification_body_id, norm, status, status_since,
                 issued_on, probation_ends_on, extended, certified_on, next_audit_due)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &cert.certificate_id,
            &cert.kvk_number,
            &cert.certification_body_id,
            &cert.norm,
            &cert.status,
            &cert.status_since,
            &cert.issued_on,
            &cert.probation_ends_on,
            &cert.extended,
            &cert.certified_on,
            &cert.next_audit_due,
        ],
    )
    .await
    .map_err(|e| match constraint(&e) {
        Some("certificate_agency_active_key") => Error::conflict(
            Kind::CertificateInForce,
            format!("Agency {} already has a certificate in force.", cert.kvk_number),
        ),
        _ => e.into(),
    })?;
    Ok(())
}

/// A certificate by id; `lock` takes a row lock for the rest of the transaction.
pub async fn certificate_by_id(c: &impl GenericClient, id: Uuid, lock: bool) -> Result<Option<Certificate>> {
    let sql = format!(
        "select {CERTIFICATE_COLUMNS} from certificate where certificate_id = $1{}",
        if lock { " for update" } else { "" }
    );
    let stmt = c.prepare_cached(&sql).await?;
    c.query_opt(&stmt, &[&id]).await?.as_ref().map(certificate).transpose()
}

/// One certificate on a certification body's desk: the certificate, its agency's name,
/// how many deficiencies are open and the earliest date by which something is due (a
/// deficiency's deadline, or met evidence that stops holding).
#[derive(Debug, Clone)]
pub struct Listed {
    pub certificate: Certificate,
    pub agency_name: String,
    pub open_deficiencies: i64,
    pub next_due: Option<NaiveDate>,
}

/// The certificates body `body` issued, newest first (at most `limit`).
pub async fn certificates_of_body(c: &impl GenericClient, body: &str, limit: i64) -> Result<Vec<Listed>> {
    let columns: Vec<String> = CERTIFICATE_COLUMNS.split(',').map(|col| format!("c.{}", col.trim())).collect();
    let sql = format!(
        "select {}, a.name,
                (select count(*) from deficiency d where d.certificate_id = c.certificate_id and d.resolved_on is null),
                least((select min(d.remedy_by) from deficiency d
                       where d.certificate_id = c.certificate_id and d.resolved_on is null),
                      (select min(r.valid_until) from certificate_requirement r
                       where r.certificate_id = c.certificate_id and r.outcome = 'met'))
         from certificate c join agency a using (kvk_number)
         where c.certification_body_id = $1
         order by c.created_at desc, c.certificate_id desc limit $2",
        columns.join(", ")
    );
    let stmt = c.prepare_cached(&sql).await?;
    let rows = c.query(&stmt, &[&body, &limit]).await?;
    let width = columns.len();
    rows.iter()
        .map(|row| {
            Ok(Listed {
                certificate: certificate(row)?,
                agency_name: row.get(width),
                open_deficiencies: row.get(width + 1),
                next_due: row.get(width + 2),
            })
        })
        .collect()
}

/// The agency's most recent certificate.
pub async fn latest_certificate(c: &impl GenericClient, kvk: &str) -> Result<Option<Certificate>> {
    let sql = format!(
        "select {CERTIFICATE_COLUMNS} from certificate where kvk_number = $1 order by created_at desc, certificate_id desc limit 1"
    );
    let stmt = c.prepare_cached(&sql).await?;
    c.query_opt(&stmt, &[&kvk]).await?.as_ref().map(certificate).transpose()
}

/// Writes every mutable field of `cert`.
pub async fn update_certificate(c: &impl GenericClient, cert: &Certificate) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "update certificate set status = $2, status_since = $3, probation_ends_on = $4, extended = $5,
                 certified_on = $6, next_audit_due = $7, suspension_reason = $8, suspension_remedy_by = $9,
                 ended_on = $10, updated_at = now()
             where certificate_id = $1",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &cert.certificate_id,
            &cert.status,
            &cert.status_since,
            &cert.probation_ends_on,
            &cert.extended,
            &cert.certified_on,
            &cert.next_audit_due,
            &cert.suspension_reason,
            &cert.suspension_remedy_by,
            &cert.ended_on,
        ],
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusChange {
    /// Status before (none for the first).
    pub from: Option<Status>,
    pub to: Status,
    pub at: DateTime<Utc>,
}

pub async fn insert_status_change(
    c: &impl GenericClient,
    id: Uuid,
    from: Option<Status>,
    to: Status,
    at: DateTime<Utc>,
    ground: Option<&str>,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into certificate_status_change (certificate_id, from_status, to_status, changed_at, ground)
             values ($1, $2, $3, $4, $5)",
        )
        .await?;
    c.execute(&stmt, &[&id, &from, &to, &at, &ground]).await?;
    Ok(())
}

/// The public history of a certificate, oldest first.
pub async fn status_history(c: &impl GenericClient, id: Uuid) -> Result<Vec<StatusChange>> {
    let stmt = c
        .prepare_cached(
            "select from_status, to_status, changed_at from certificate_status_change
             where certificate_id = $1 order by certificate_status_change_id",
        )
        .await?;
    Ok(c.query(&stmt, &[&id])
        .await?
        .iter()
        .map(|r| StatusChange { from: r.get(0), to: r.get(1), at: r.get(2) })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    pub code: RequirementCode,
    pub outcome: Outcome,
    pub evidence_ref: Option<String>,
    pub checked_on: NaiveDate,
    /// Until when the evidence holds; `None`: it does not expire.
    pub valid_until: Option<NaiveDate>,
    /// The financial year the evidence covers (the auditor's statement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub financial_year: Option<i32>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

impl Requirement {
    pub fn evidence(&self) -> crate::domain::requirement::Evidence {
        crate::domain::requirement::Evidence { code: self.code, outcome: self.outcome, valid_until: self.valid_until }
    }
}

#[derive(Debug, Clone)]
pub struct NewRequirement<'a> {
    pub code: RequirementCode,
    pub outcome: Outcome,
    pub evidence_ref: Option<&'a str>,
    pub checked_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub financial_year: Option<i32>,
}

/// Records (or re-records) a requirement.
pub async fn upsert_requirement(
    c: &impl GenericClient,
    id: Uuid,
    r: &NewRequirement<'_>,
    recorded_by: &str,
) -> Result<Requirement> {
    let stmt = c
        .prepare_cached(
            "insert into certificate_requirement
                 (certificate_id, code, outcome, evidence_ref, checked_on, valid_until, financial_year, recorded_by)
             values ($1, $2, $3, $4, $5, $6, $7, $8)
             on conflict on constraint certificate_requirement_pkey do update
                 set outcome = $3, evidence_ref = $4, checked_on = $5, valid_until = $6, financial_year = $7,
                     recorded_by = $8, recorded_at = now()
             returning recorded_at",
        )
        .await?;
    let row = c
        .query_one(
            &stmt,
            &[
                &id,
                &r.code,
                &r.outcome,
                &r.evidence_ref,
                &r.checked_on,
                &r.valid_until,
                &r.financial_year,
                &recorded_by,
            ],
        )
        .await?;
    Ok(Requirement {
        code: r.code,
        outcome: r.outcome,
        evidence_ref: r.evidence_ref.map(str::to_string),
        checked_on: r.checked_on,
        valid_until: r.valid_until,
        financial_year: r.financial_year,
        recorded_by: recorded_by.into(),
        recorded_at: row.get(0),
    })
}

pub async fn requirements(c: &impl GenericClient, id: Uuid) -> Result<Vec<Requirement>> {
    let stmt = c
        .prepare_cached(
            "select code, outcome, evidence_ref, checked_on, valid_until, financial_year, recorded_by, recorded_at
             from certificate_requirement where certificate_id = $1 order by code",
        )
        .await?;
    Ok(c.query(&stmt, &[&id])
        .await?
        .iter()
        .map(|r| Requirement {
            code: r.get(0),
            outcome: r.get(1),
            evidence_ref: r.get(2),
            checked_on: r.get(3),
            valid_until: r.get(4),
            financial_year: r.get(5),
            recorded_by: r.get(6),
            recorded_at: r.get(7),
        })
        .collect())
}

/// Evidence that no longer holds on `today`, of certificates in force, that has no open
/// deficiency yet: (certificate, requirement, until when it held).
pub async fn expired_evidence(
    c: &impl GenericClient,
    today: NaiveDate,
) -> Result<Vec<(Uuid, RequirementCode, NaiveDate)>> {
    let stmt = c
        .prepare_cached(
            "select r.certificate_id, r.code, r.valid_until
             from certificate_requirement r join certificate c using (certificate_id)
             where c.status in ('certified', 'suspended') and r.outcome = 'met' and r.valid_until < $1
               and not exists (select 1 from deficiency d
                               where d.certificate_id = r.certificate_id and d.requirement_code = r.code
                                 and d.resolved_on is null)
             order by r.certificate_id, r.code",
        )
        .await?;
    Ok(c.query(&stmt, &[&today]).await?.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
}

/// Opens a deficiency about `code` unless one is open already; the new one, if any.
pub async fn open_requirement_deficiency(
    c: &impl GenericClient,
    certificate_id: Uuid,
    code: RequirementCode,
    description: &str,
    remedy_by: NaiveDate,
    audit_id: Option<Uuid>,
) -> Result<Option<Deficiency>> {
    let sql = format!(
        "insert into deficiency (deficiency_id, certificate_id, certificate_audit_id, description, serious, remedy_by,
                                 requirement_code)
         values ($1, $2, $3, $4, true, $5, $6)
         on conflict (certificate_id, requirement_code) where resolved_on is null and requirement_code is not null
         do nothing
         returning {DEFICIENCY_COLUMNS}"
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query_opt(&stmt, &[&Uuid::now_v7(), &certificate_id, &audit_id, &description, &remedy_by, &code])
        .await?
        .as_ref()
        .map(deficiency))
}

/// Certified certificates with a deficiency still open past its deadline on `today` (a
/// suspended one is left alone; reinstatement waits for every such deficiency).
pub async fn with_deficiency_past_deadline(c: &impl GenericClient, today: NaiveDate) -> Result<Vec<Uuid>> {
    let stmt = c
        .prepare_cached(
            "select distinct d.certificate_id from deficiency d join certificate c using (certificate_id)
             where d.resolved_on is null and d.remedy_by < $1 and c.status = 'certified'
             order by 1",
        )
        .await?;
    Ok(c.query(&stmt, &[&today]).await?.iter().map(|r| r.get(0)).collect())
}

/// The open deficiencies of a certificate past their deadline on `today` (oldest first).
pub async fn past_deadline(c: &impl GenericClient, certificate_id: Uuid, today: NaiveDate) -> Result<Vec<Deficiency>> {
    let sql = format!(
        "select {DEFICIENCY_COLUMNS} from deficiency
         where certificate_id = $1 and resolved_on is null and remedy_by < $2 order by remedy_by, deficiency_id"
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&certificate_id, &today]).await?.iter().map(deficiency).collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub audit_id: Uuid,
    pub performed_on: NaiveDate,
    pub outcome: AuditOutcome,
    pub report_ref: String,
    pub recorded_by: String,
}

pub async fn insert_audit(c: &impl GenericClient, certificate_id: Uuid, a: &Audit) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into certificate_audit (certificate_audit_id, certificate_id, performed_on, outcome, report_ref, recorded_by)
             values ($1, $2, $3, $4, $5, $6)",
        )
        .await?;
    c.execute(&stmt, &[&a.audit_id, &certificate_id, &a.performed_on, &a.outcome, &a.report_ref, &a.recorded_by])
        .await?;
    Ok(())
}

/// The audits of a certificate, newest first.
pub async fn audits(c: &impl GenericClient, certificate_id: Uuid) -> Result<Vec<Audit>> {
    let stmt = c
        .prepare_cached(
            "select certificate_audit_id, performed_on, outcome, report_ref, recorded_by
             from certificate_audit where certificate_id = $1 order by performed_on desc, created_at desc",
        )
        .await?;
    Ok(c.query(&stmt, &[&certificate_id])
        .await?
        .iter()
        .map(|r| Audit {
            audit_id: r.get(0),
            performed_on: r.get(1),
            outcome: r.get(2),
            report_ref: r.get(3),
            recorded_by: r.get(4),
        })
        .collect())
}

pub use crate::domain::requirement::Deficiency;

pub async fn insert_deficiency(c: &impl GenericClient, certificate_id: Uuid, d: &Deficiency) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into deficiency (deficiency_id, certificate_id, certificate_audit_id, description, serious, remedy_by,
                                     requirement_code)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    c.execute(
        &stmt,
        &[&d.deficiency_id, &certificate_id, &d.audit_id, &d.description, &d.serious, &d.remedy_by, &d.requirement],
    )
    .await?;
    Ok(())
}

/// A deficiency's columns, in the order [`deficiency`] reads them.
const DEFICIENCY_COLUMNS: &str = "deficiency_id, certificate_audit_id, description, serious, remedy_by, resolved_on, resolution_ref, requirement_code";

fn deficiency(r: &Row) -> Deficiency {
    Deficiency {
        deficiency_id: r.get(0),
        audit_id: r.get(1),
        description: r.get(2),
        serious: r.get(3),
        remedy_by: r.get(4),
        resolved_on: r.get(5),
        resolution_ref: r.get(6),
        requirement: r.get(7),
    }
}

pub async fn deficiencies(c: &impl GenericClient, certificate_id: Uuid) -> Result<Vec<Deficiency>> {
    let sql = format!(
        "select {DEFICIENCY_COLUMNS} from deficiency where certificate_id = $1 order by created_at, deficiency_id"
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&certificate_id]).await?.iter().map(deficiency).collect())
}

#[derive(Debug, Clone, Copy)]
pub enum Open {
    Id(Uuid),
    /// The one about this requirement (fresh evidence for it was recorded).
    About(RequirementCode),
}

/// Marks an open deficiency resolved; `None` when the certificate has no such open one.
pub async fn resolve_deficiency(
    c: &impl GenericClient,
    certificate_id: Uuid,
    which: Open,
    resolved_on: NaiveDate,
    resolution_ref: &str,
) -> Result<Option<Deficiency>> {
    let sql = format!(
        "update deficiency set resolved_on = $4, resolution_ref = $5
         where certificate_id = $1 and resolved_on is null
           and ($2::uuid is null or deficiency_id = $2) and ($3::text is null or requirement_code = $3)
         returning {DEFICIENCY_COLUMNS}"
    );
    let stmt = c.prepare_cached(&sql).await?;
    let (id, code) = match which {
        Open::Id(id) => (Some(id), None),
        Open::About(code) => (None, Some(code)),
    };
    Ok(c.query_opt(&stmt, &[&certificate_id, &id, &code, &resolved_on, &resolution_ref])
        .await?
        .as_ref()
        .map(deficiency))
}

/// An inspectorate's request to suspend.
#[derive(Debug, Clone, Serialize)]
pub struct SuspensionRequest {
    pub suspension_request_id: Uuid,
    pub requested_by: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_suspension_request(
    c: &impl GenericClient,
    certificate_id: Uuid,
    r: &SuspensionRequest,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into suspension_request (suspension_request_id, certificate_id, requested_by, reason, created_at)
             values ($1, $2, $3, $4, $5)",
        )
        .await?;
    c.execute(&stmt, &[&r.suspension_request_id, &certificate_id, &r.requested_by, &r.reason, &r.created_at]).await?;
    Ok(())
}

pub async fn suspension_requests(c: &impl GenericClient, certificate_id: Uuid) -> Result<Vec<SuspensionRequest>> {
    let stmt = c
        .prepare_cached(
            "select suspension_request_id, requested_by, reason, created_at from suspension_request
             where certificate_id = $1 order by created_at",
        )
        .await?;
    Ok(c.query(&stmt, &[&certificate_id])
        .await?
        .iter()
        .map(|r| SuspensionRequest {
            suspension_request_id: r.get(0),
            requested_by: r.get(1),
            reason: r.get(2),
            created_at: r.get(3),
        })
        .collect())
}

/// The agency's certificates that have ended, each with the ground of its ending (a code
/// of [`Ground`](crate::domain::reentry::Ground); other codes, such as a lapse's, read as
/// none): what the re-entry rule judges.
pub async fn ended_certificates(c: &impl GenericClient, kvk: &str) -> Result<Vec<crate::domain::reentry::Ended>> {
    use crate::domain::reentry::{Ended, Ground};
    let stmt = c
        .prepare_cached(
            "select c.certificate_id, c.status, coalesce(c.ended_on, (c.status_since at time zone 'Europe/Amsterdam')::date),
                    (select s.ground from certificate_status_change s
                      where s.certificate_id = c.certificate_id and s.to_status = c.status
                      order by s.certificate_status_change_id desc limit 1)
             from certificate c
             where c.kvk_number = $1 and c.status in ('revoked', 'lapsed', 'withdrawn')
             order by c.created_at, c.certificate_id",
        )
        .await?;
    Ok(c.query(&stmt, &[&kvk])
        .await?
        .iter()
        .map(|r| Ended {
            certificate_id: r.get(0),
            status: r.get(1),
            ended_on: r.get(2),
            ground: r.get::<_, Option<String>>(3).as_deref().and_then(<Ground as platform::vocab::Vocabulary>::parse),
        })
        .collect())
}

/// Every dated waiting period, oldest first.
pub async fn reentry_policies(c: &impl GenericClient) -> Result<Vec<crate::domain::reentry::Policy>> {
    let stmt = c
        .prepare_cached("select effective_from, waiting_months, source from reentry_policy order by effective_from")
        .await?;
    c.query(&stmt, &[])
        .await?
        .iter()
        .map(|r| {
            Ok(crate::domain::reentry::Policy {
                effective_from: r.get(0),
                waiting_months: u32::try_from(r.get::<_, i32>(1)).map_err(|_| Error::corrupt("waiting months"))?,
                source: r.get(2),
            })
        })
        .collect()
}

/// The sanctions pending on `cert` now (its row locked by the caller): a suspension, a
/// suspension request made since its last status change, an open serious deficiency, a
/// fine on the agency decided and not yet irrevocable or made irrevocable while this
/// certificate was in force.
pub async fn pending_sanctions(c: &impl GenericClient, cert: &Certificate) -> Result<crate::domain::reentry::Pending> {
    let stmt = c
        .prepare_cached(
            "select exists (select 1 from suspension_request r where r.certificate_id = $1 and r.created_at > $2),
                    exists (select 1 from deficiency d where d.certificate_id = $1 and d.serious and d.resolved_on is null),
                    exists (select 1 from fine f where f.hirer_kvk = $3
                             and (f.status = 'decided' or f.irrevocable_on >= $4))",
        )
        .await?;
    let row =
        c.query_one(&stmt, &[&cert.certificate_id, &cert.status_since, &cert.kvk_number, &cert.issued_on]).await?;
    Ok(crate::domain::reentry::Pending {
        suspended: cert.status == Status::Suspended,
        suspension_request: row.get(0),
        serious_deficiency: row.get(1),
        fine: row.get(2),
        // Claims live in the deposits register: the route asks it and fills this in.
        claim: false,
    })
}

/// Certificates whose time ran out on `today`: probation over, or audit overdue past `grace_days`.
pub async fn due_to_lapse(c: &impl GenericClient, today: NaiveDate, grace_days: i32) -> Result<Vec<Uuid>> {
    let stmt = c
        .prepare_cached(
            "select certificate_id from certificate
             where (status = 'provisional' and probation_ends_on < $1)
                or (status in ('certified', 'suspended') and next_audit_due + $2::int < $1)
             order by certificate_id",
        )
        .await?;
    Ok(c.query(&stmt, &[&today, &grace_days]).await?.iter().map(|r| r.get(0)).collect())
}

/// Suspended certificates past their remedy deadline, not yet reported; locks and marks them.
pub async fn take_overdue_suspensions(c: &impl GenericClient, today: NaiveDate) -> Result<Vec<Certificate>> {
    let sql = format!(
        "update certificate set suspension_overdue_reported_at = now()
         where certificate_id in (
             select certificate_id from certificate
             where status = 'suspended' and suspension_remedy_by < $1 and suspension_overdue_reported_at is null
             for update skip locked)
         returning {CERTIFICATE_COLUMNS}"
    );
    let stmt = c.prepare_cached(&sql).await?;
    c.query(&stmt, &[&today]).await?.iter().map(certificate).collect()
}

/// Serious deficiencies of certificates in force past their deadline, not yet reported;
/// locks and marks them. Returns (certificate, deficiency) pairs.
pub async fn take_overdue_deficiencies(
    c: &impl GenericClient,
    today: NaiveDate,
) -> Result<Vec<(String, Uuid, Deficiency)>> {
    let stmt = c
        .prepare_cached(
            "update deficiency d set overdue_reported_at = now()
             from certificate c
             where d.certificate_id = c.certificate_id
               and d.deficiency_id in (
                 select deficiency_id from deficiency
                 where serious and resolved_on is null and remedy_by < $1 and overdue_reported_at is null
                 for update skip locked)
               and c.status in ('provisional', 'certified', 'suspended')
             returning c.kvk_number, c.certificate_id, d.deficiency_id, d.certificate_audit_id, d.description, d.serious,
                       d.remedy_by, d.resolved_on, d.resolution_ref, d.requirement_code",
        )
        .await?;
    Ok(c.query(&stmt, &[&today])
        .await?
        .iter()
        .map(|r| {
            let d = Deficiency {
                deficiency_id: r.get(2),
                audit_id: r.get(3),
                description: r.get(4),
                serious: r.get(5),
                remedy_by: r.get(6),
                resolved_on: r.get(7),
                resolution_ref: r.get(8),
                requirement: r.get(9),
            };
            (r.get(0), r.get(1), d)
        })
        .collect())
}

/// The name of the constraint a statement violated, if any.
fn constraint(e: &tokio_postgres::Error) -> Option<&str> {
    let db = e.as_db_error()?;
    (db.code() == &SqlState::UNIQUE_VIOLATION || db.code() == &SqlState::FOREIGN_KEY_VIOLATION)
        .then(|| db.constraint())
        .flatten()
}

/// A notifiable accident of a temporary worker at a hirer (advice 2.1 G).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Accident {
    pub accident_id: Uuid,
    pub agency_kvk: String,
    pub hirer_kvk: String,
    pub occurred_on: chrono::NaiveDate,
    pub kind: zegel_contracts::certificate::AccidentKind,
    /// What happened (no name needed).
    pub what_happened: String,
    pub reported_at: DateTime<Utc>,
    /// By when the agency must report it to the Labour Authority.
    pub report_due_at: DateTime<Utc>,
    pub authority_reported_at: Option<DateTime<Utc>>,
    /// The Labour Authority's reference.
    pub authority_reference: Option<String>,
    /// When a missing or late report was signalled to the inspectorate.
    pub late_signalled_at: Option<DateTime<Utc>>,
    pub safety_checked_at: Option<DateTime<Utc>>,
    pub safety_measures: Option<String>,
}

const ACCIDENT: &str = "select accident_id, agency_kvk, hirer_kvk, occurred_on, kind, what_happened, reported_at, report_due_at,
        authority_reported_at, authority_reference, late_signalled_at, safety_checked_at, safety_measures from accident";

fn accident(r: &tokio_postgres::Row) -> Accident {
    Accident {
        accident_id: r.get(0),
        agency_kvk: r.get(1),
        hirer_kvk: r.get(2),
        occurred_on: r.get(3),
        kind: r.get(4),
        what_happened: r.get(5),
        reported_at: r.get(6),
        report_due_at: r.get(7),
        authority_reported_at: r.get(8),
        authority_reference: r.get(9),
        late_signalled_at: r.get(10),
        safety_checked_at: r.get(11),
        safety_measures: r.get(12),
    }
}

pub async fn insert_accident(c: &impl GenericClient, a: &Accident, by: &str) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into accident (accident_id, agency_kvk, hirer_kvk, occurred_on, kind, what_happened, reported_by,
                 reported_at, report_due_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &a.accident_id,
            &a.agency_kvk,
            &a.hirer_kvk,
            &a.occurred_on,
            &a.kind,
            &a.what_happened,
            &by,
            &a.reported_at,
            &a.report_due_at,
        ],
    )
    .await?;
    Ok(())
}

/// An accident by id; `lock` takes a row lock.
pub async fn accident_by_id(c: &impl GenericClient, id: Uuid, lock: bool) -> Result<Option<Accident>> {
    let sql = format!("{ACCIDENT} where accident_id = $1{}", if lock { " for update" } else { "" });
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query_opt(&stmt, &[&id]).await?.as_ref().map(accident))
}

/// The agency's accidents, newest first; `hirer`: only those at that hirer.
pub async fn accidents_of(c: &impl GenericClient, agency: &str, hirer: Option<&str>) -> Result<Vec<Accident>> {
    let sql = format!(
        "{ACCIDENT} where agency_kvk = $1 and ($2::text is null or hirer_kvk = $2) order by reported_at desc limit 1000"
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&agency, &hirer]).await?.iter().map(accident).collect())
}

/// Records the agency's report to the Labour Authority.
pub async fn accident_reported(c: &impl GenericClient, id: Uuid, reference: &str, at: DateTime<Utc>) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "update accident set authority_reported_at = $2, authority_reference = $3 where accident_id = $1",
        )
        .await?;
    c.execute(&stmt, &[&id, &at, &reference]).await?;
    Ok(())
}

pub async fn safety_checked(
    c: &impl GenericClient,
    id: Uuid,
    measures: &str,
    by: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "update accident set safety_checked_at = $2, safety_measures = $3, safety_checked_by = $4 where accident_id = $1",
        )
        .await?;
    c.execute(&stmt, &[&id, &at, &measures, &by]).await?;
    Ok(())
}

/// Accidents the agency has not reported by their due time, not yet signalled; marked so
/// each is signalled once.
pub async fn take_late_accidents(c: &impl GenericClient, now: DateTime<Utc>) -> Result<Vec<Accident>> {
    let stmt = c
        .prepare_cached(
            "update accident set late_signalled_at = $1
             where authority_reported_at is null and late_signalled_at is null and report_due_at < $1
             returning accident_id",
        )
        .await?;
    let ids: Vec<Uuid> = c.query(&stmt, &[&now]).await?.iter().map(|r| r.get(0)).collect();
    let read = c.prepare_cached(&format!("{ACCIDENT} where accident_id = any($1) order by accident_id")).await?;
    Ok(c.query(&read, &[&ids]).await?.iter().map(accident).collect())
}

/// A complaint about work, for the inspectorate and the agency's certification body.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WorkComplaint {
    pub complaint_id: Uuid,
    pub agency_kvk: String,
    pub category: zegel_contracts::certificate::WorkComplaintCategory,
    pub text: String,
    pub language: String,
    pub received_at: DateTime<Utc>,
    pub status: zegel_contracts::certificate::WorkComplaintStatus,
    /// What the Labour Authority tells the worker.
    pub status_note: Option<String>,
}

const WORK_COMPLAINT: &str =
    "select complaint_id, agency_kvk, category, text, language, received_at, status, status_note from work_complaint";

fn work_complaint(r: &tokio_postgres::Row) -> WorkComplaint {
    WorkComplaint {
        complaint_id: r.get(0),
        agency_kvk: r.get(1),
        category: r.get(2),
        text: r.get(3),
        language: r.get(4),
        received_at: r.get(5),
        status: r.get(6),
        status_note: r.get(7),
    }
}

pub async fn insert_work_complaint(c: &impl GenericClient, w: &WorkComplaint, token_hash: &[u8]) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into work_complaint (complaint_id, agency_kvk, category, text, language, received_at, status_token_hash)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    c.execute(&stmt, &[&w.complaint_id, &w.agency_kvk, &w.category, &w.text, &w.language, &w.received_at, &token_hash])
        .await?;
    Ok(())
}

/// The complaints about an agency, newest first.
pub async fn work_complaints_of(c: &impl GenericClient, kvk: &str) -> Result<Vec<WorkComplaint>> {
    let stmt = c
        .prepare_cached(&format!("{WORK_COMPLAINT} where agency_kvk = $1 order by received_at desc limit 1000"))
        .await?;
    Ok(c.query(&stmt, &[&kvk]).await?.iter().map(work_complaint).collect())
}

pub async fn work_complaint_by_id(c: &impl GenericClient, id: Uuid) -> Result<Option<WorkComplaint>> {
    let stmt = c.prepare_cached(&format!("{WORK_COMPLAINT} where complaint_id = $1")).await?;
    Ok(c.query_opt(&stmt, &[&id]).await?.as_ref().map(work_complaint))
}

pub async fn set_work_complaint_status(
    c: &impl GenericClient,
    id: Uuid,
    status: &str,
    note: Option<&str>,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "update work_complaint set status = $2, status_note = coalesce($3, status_note) where complaint_id = $1",
        )
        .await?;
    c.execute(&stmt, &[&id, &status, &note]).await?;
    Ok(())
}

/// The fine schedule in force on `on`.
pub async fn fine_schedule_on(c: &impl GenericClient, on: NaiveDate) -> Result<Option<crate::domain::fine::Schedule>> {
    let stmt = c
        .prepare_cached(
            "select effective_from, per_worker_cents, first_repeat_percent, second_repeat_percent, later_repeat_percent,
                    repeat_window_years, diligence_days
             from fine_schedule where effective_from <= $1 order by effective_from desc limit 1",
        )
        .await?;
    Ok(c.query_opt(&stmt, &[&on]).await?.as_ref().map(schedule))
}

fn schedule(r: &Row) -> crate::domain::fine::Schedule {
    crate::domain::fine::Schedule {
        effective_from: r.get(0),
        per_worker_cents: r.get(1),
        first_repeat_percent: r.get(2),
        second_repeat_percent: r.get(3),
        later_repeat_percent: r.get(4),
        repeat_window_years: r.get(5),
        diligence_days: r.get(6),
    }
}

/// Every row of the fine schedule, oldest first.
pub async fn fine_schedules(c: &impl GenericClient) -> Result<Vec<(crate::domain::fine::Schedule, String)>> {
    let stmt = c
        .prepare_cached(
            "select effective_from, per_worker_cents, first_repeat_percent, second_repeat_percent, later_repeat_percent,
                    repeat_window_years, diligence_days, note
             from fine_schedule order by effective_from",
        )
        .await?;
    Ok(c.query(&stmt, &[]).await?.iter().map(|r| (schedule(r), r.get(7))).collect())
}

/// Adds a schedule row from its date; `false` when one is in force from that date already.
pub async fn insert_fine_schedule(
    c: &impl GenericClient,
    s: &crate::domain::fine::Schedule,
    note: &str,
    recorded_by: &str,
) -> Result<bool> {
    let stmt = c
        .prepare_cached(
            "insert into fine_schedule (effective_from, per_worker_cents, first_repeat_percent, second_repeat_percent,
                                        later_repeat_percent, repeat_window_years, diligence_days, note, recorded_by)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict do nothing",
        )
        .await?;
    let n = c
        .execute(
            &stmt,
            &[
                &s.effective_from,
                &s.per_worker_cents,
                &s.first_repeat_percent,
                &s.second_repeat_percent,
                &s.later_repeat_percent,
                &s.repeat_window_years,
                &s.diligence_days,
                &note,
                &recorded_by,
            ],
        )
        .await?;
    Ok(n == 1)
}

/// For each day from `from` to `to`: whether agency `kvk` held a certificate in force
/// (provisional or certified) at the end of that day, Dutch time — from the dated status
/// history of all its certificates.
pub async fn certified_days(
    c: &impl GenericClient,
    kvk: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, bool)>> {
    let stmt = c
        .prepare_cached(
            "select d::date,
                    coalesce((select s.to_status in ('provisional', 'certified')
                              from certificate_status_change s join certificate c using (certificate_id)
                              where c.kvk_number = $1
                                and s.changed_at < ((d::date + 1)::timestamp at time zone 'Europe/Amsterdam')
                              order by s.changed_at desc, s.certificate_status_change_id desc limit 1), false)
             from generate_series($2::date, $3::date, interval '1 day') d order by 1",
        )
        .await?;
    Ok(c.query(&stmt, &[&kvk, &from, &to]).await?.iter().map(|r| (r.get(0), r.get(1))).collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct Fine {
    pub fine_id: Uuid,
    pub hirer_kvk: String,
    pub agency_kvk: String,
    pub offence: crate::domain::fine::Offence,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub offence_on: NaiveDate,
    pub workers: i32,
    pub amount_cents: i64,
    pub computation: serde_json::Value,
    pub status: crate::domain::fine::FineStatus,
    pub decided_on: NaiveDate,
    pub irrevocable_on: Option<NaiveDate>,
}

const FINE_COLUMNS: &str = "fine_id, hirer_kvk, agency_kvk, offence, period_from, period_to, offence_on, workers, \
                            amount_cents, computation, status, decided_on, irrevocable_on";

fn fine(r: &Row) -> Fine {
    Fine {
        fine_id: r.get(0),
        hirer_kvk: r.get(1),
        agency_kvk: r.get(2),
        offence: r.get(3),
        period_from: r.get(4),
        period_to: r.get(5),
        offence_on: r.get(6),
        workers: r.get(7),
        amount_cents: r.get(8),
        computation: r.get(9),
        status: r.get(10),
        decided_on: r.get(11),
        irrevocable_on: r.get(12),
    }
}

pub async fn insert_fine(c: &impl GenericClient, f: &Fine, decided_by: &str) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into fine (fine_id, hirer_kvk, agency_kvk, offence, period_from, period_to, offence_on, workers,
                               amount_cents, computation, status, decided_on, irrevocable_on, decided_by)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &f.fine_id,
            &f.hirer_kvk,
            &f.agency_kvk,
            &f.offence,
            &f.period_from,
            &f.period_to,
            &f.offence_on,
            &f.workers,
            &f.amount_cents,
            &f.computation,
            &f.status,
            &f.decided_on,
            &f.irrevocable_on,
            &decided_by,
        ],
    )
    .await?;
    Ok(())
}

/// A fine by id; `lock` takes its row for update.
pub async fn fine_by_id(c: &impl GenericClient, id: Uuid, lock: bool) -> Result<Option<Fine>> {
    let sql = format!("select {FINE_COLUMNS} from fine where fine_id = $1{}", if lock { " for update" } else { "" });
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query_opt(&stmt, &[&id]).await?.as_ref().map(fine))
}

/// The hirer's irrevocable fines for offences of `offence`'s group, oldest first.
pub async fn earlier_fines(
    c: &impl GenericClient,
    hirer: &str,
    offence: crate::domain::fine::Offence,
) -> Result<Vec<crate::domain::fine::Earlier>> {
    let stmt = c
        .prepare_cached(
            "select fine_id, irrevocable_on from fine
             where hirer_kvk = $1 and offence = $2 and status = 'irrevocable' order by irrevocable_on, fine_id",
        )
        .await?;
    Ok(c.query(&stmt, &[&hirer, &offence])
        .await?
        .iter()
        .map(|r| crate::domain::fine::Earlier { fine_id: r.get(0), irrevocable_on: r.get(1) })
        .collect())
}

/// Makes a decided fine irrevocable; the fine after.
pub async fn make_irrevocable(c: &impl GenericClient, id: Uuid, on: NaiveDate) -> Result<Fine> {
    let sql = format!(
        "update fine set status = 'irrevocable', irrevocable_on = $2 where fine_id = $1 and status = 'decided'
         returning {FINE_COLUMNS}"
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(fine(&c.query_one(&stmt, &[&id, &on]).await?))
}

pub use zegel_contracts::event::payload::FinalSanction;

const SANCTION_COLUMNS: &str =
    "sanction_id, kvk_number, kind, authority, reference, decided_on, irrevocable_on, amount_cents, recorded_at";

fn final_sanction(r: &Row) -> FinalSanction {
    FinalSanction {
        sanction_id: r.get(0),
        kvk_number: r.get(1),
        kind: r.get(2),
        authority: r.get(3),
        reference: r.get(4),
        decided_on: r.get(5),
        irrevocable_on: r.get(6),
        amount_cents: r.get(7),
        recorded_at: r.get(8),
    }
}

/// Records a final sanction; 409 when the same decision (authority, reference) is there.
pub async fn insert_final_sanction(
    c: &impl GenericClient,
    s: &FinalSanction,
    recorded_by: &str,
    recorded_role: &str,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into final_sanction (sanction_id, kvk_number, kind, authority, reference, decided_on, irrevocable_on,
                 amount_cents, recorded_by, recorded_role, recorded_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &s.sanction_id,
            &s.kvk_number,
            &s.kind,
            &s.authority,
            &s.reference,
            &s.decided_on,
            &s.irrevocable_on,
            &s.amount_cents,
            &recorded_by,
            &recorded_role,
            &s.recorded_at,
        ],
    )
    .await
    .map_err(|e| match constraint(&e) {
        Some("final_sanction_reference_key") => Error::conflict(
            Kind::SanctionRecorded,
            format!("Decision {} of {} is in the register of final sanctions already.", s.reference, s.authority),
        ),
        _ => e.into(),
    })?;
    Ok(())
}

/// The agency's final sanctions, newest first.
pub async fn final_sanctions(c: &impl GenericClient, kvk: &str) -> Result<Vec<FinalSanction>> {
    let stmt = c
        .prepare_cached(&format!(
            "select {SANCTION_COLUMNS} from final_sanction where kvk_number = $1 order by irrevocable_on desc, sanction_id"
        ))
        .await?;
    Ok(c.query(&stmt, &[&kvk]).await?.iter().map(final_sanction).collect())
}

pub async fn final_sanction_by_id(c: &impl GenericClient, id: Uuid) -> Result<Option<FinalSanction>> {
    let stmt =
        c.prepare_cached(&format!("select {SANCTION_COLUMNS} from final_sanction where sanction_id = $1")).await?;
    Ok(c.query_opt(&stmt, &[&id]).await?.as_ref().map(final_sanction))
}

/// A suspension request with the certificate it asks about, as the Labour Authority
/// follows it up: the certificate's status now, and whether its body has moved it since.
#[derive(Debug, Clone, Serialize)]
pub struct RequestFollowed {
    #[serde(flatten)]
    pub request: SuspensionRequest,
    pub certificate_id: Uuid,
    pub kvk_number: String,
    pub certification_body_id: String,
    pub status: crate::domain::Status,
    /// The certificate's status changed after the request (suspended, revoked, …).
    pub answered: bool,
}

/// Every suspension request, newest first (at most `limit`).
pub async fn all_suspension_requests(c: &impl GenericClient, limit: i64) -> Result<Vec<RequestFollowed>> {
    let stmt = c
        .prepare_cached(
            "select r.suspension_request_id, r.requested_by, r.reason, r.created_at,
                    c.certificate_id, c.kvk_number, c.certification_body_id, c.status,
                    exists (select 1 from certificate_status_change s
                             where s.certificate_id = c.certificate_id and s.changed_at > r.created_at)
               from suspension_request r join certificate c using (certificate_id)
              order by r.created_at desc limit $1",
        )
        .await?;
    Ok(c.query(&stmt, &[&limit])
        .await?
        .iter()
        .map(|r| RequestFollowed {
            request: SuspensionRequest {
                suspension_request_id: r.get(0),
                requested_by: r.get(1),
                reason: r.get(2),
                created_at: r.get(3),
            },
            certificate_id: r.get(4),
            kvk_number: r.get(5),
            certification_body_id: r.get(6),
            status: r.get(7),
            answered: r.get(8),
        })
        .collect())
}

/// The accidents the Labour Authority follows up, newest first (at most `limit`): not yet
/// reported to it, reported after their due time, or without the agency's safety check.
pub async fn open_accidents(c: &impl GenericClient, limit: i64) -> Result<Vec<Accident>> {
    let sql = format!(
        "{ACCIDENT} where authority_reported_at is null or authority_reported_at > report_due_at
                      or safety_checked_at is null
          order by reported_at desc limit $1"
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&limit]).await?.iter().map(accident).collect())
}

/// The complaints about work with `status`, oldest first (at most `limit`).
pub async fn work_complaints_by_status(
    c: &impl GenericClient,
    status: zegel_contracts::certificate::WorkComplaintStatus,
    limit: i64,
) -> Result<Vec<WorkComplaint>> {
    let sql = format!("{WORK_COMPLAINT} where status = $1 order by received_at limit $2");
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&status, &limit]).await?.iter().map(work_complaint).collect())
}

/// Which fines a list holds: by status, by the agency used, by the fined hirer.
#[derive(Debug, Default)]
pub struct FinesAsked {
    pub status: Option<crate::domain::fine::FineStatus>,
    pub agency: Option<String>,
    pub hirer: Option<String>,
}

/// The fines `asked`, newest first (at most `limit`).
pub async fn fines(c: &impl GenericClient, asked: &FinesAsked, limit: i64) -> Result<Vec<Fine>> {
    let sql = format!(
        "select {FINE_COLUMNS} from fine
          where ($1::text is null or status = $1) and ($2::text is null or agency_kvk = $2)
            and ($3::text is null or hirer_kvk = $3)
          order by decided_on desc, fine_id desc limit $4"
    );
    let stmt = c.prepare_cached(&sql).await?;
    let status = asked.status.map(|s| s.as_str());
    Ok(c.query(&stmt, &[&status, &asked.agency, &asked.hirer, &limit]).await?.iter().map(fine).collect())
}
