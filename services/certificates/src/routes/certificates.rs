//! Certificates: the lifecycle transitions, requirements, audits and the audit trail.

use platform::problem::Kind;
use zegel_contracts::certificate::{Cause, Why};

use bytes::Bytes;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use deadpool_postgres::Transaction;
use platform::audit::{self, Actor};
use platform::auth::{Principal, Role};
use platform::http::{MaybeReasonIn, ReasonIn, Request, json, parse_json};
use platform::problem::FieldError;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{Asked, Only, asked, authenticate, id_from_path, own_certificate, write};
use crate::domain::lifecycle::{Action, latest_extension, next_audit};
use crate::domain::reentry::{self, Ground};
use crate::domain::requirement::{self, Outcome, Validity};
use crate::domain::{AuditOutcome, Checks, RequirementCode, Status, not_future, text};
use crate::error::{Error, Result};
use crate::events;
use crate::register::{self, Change};
use crate::state::AppState;
use crate::store::{self, Audit, Certificate, Deficiency, SuspensionRequest};

/// Until when a certificate is (or was) in force.
pub(crate) fn valid_until(c: &Certificate) -> Option<NaiveDate> {
    match c.status {
        Status::Provisional => Some(c.probation_ends_on),
        Status::Certified | Status::Suspended => c.next_audit_due,
        Status::Revoked | Status::Lapsed | Status::Withdrawn => c.ended_on,
    }
}

/// The certificate as its body, the agency and the inspectorate see it.
pub(crate) fn view(c: &Certificate) -> Value {
    let mut v = json!(c);
    v["valid_until"] = json!(valid_until(c));
    v
}

pub(super) fn change<'a>(
    state: &AppState,
    principal: &Principal,
    role: Role,
    req: &'a Request,
    reason: Option<&'a str>,
) -> Change<'a> {
    Change {
        actor: Actor::of(principal, role),
        reason,
        request_id: &req.id,
        cause_event_id: None,
        ground: None,
        now: state.clock.now(),
    }
}

/// A certification body moves `cert` by `action` for `reason`, `edit` setting what the
/// move sets: the certificate as it is after, for the answer.
async fn moved(
    tx: &Transaction<'_>,
    (state, principal, req): (&AppState, &Principal, &Request),
    reason: Option<&str>,
    (cert, action): (Certificate, Action),
    edit: impl FnOnce(&mut Certificate),
) -> Result<(StatusCode, Value)> {
    let change = change(state, principal, Role::CertificationBody, req, reason);
    let after = register::apply(tx, cert, action, &change, edit).await?;
    Ok((StatusCode::OK, view(&after)))
}

fn invalid(e: FieldError) -> Error {
    Error::invalid(vec![e])
}

/// May read a certificate's details: its body, the agency itself, the inspectorate, an admin.
async fn readable(tx: &Transaction<'_>, principal: &Principal, id: Uuid) -> Result<Certificate> {
    let cert = store::certificate_by_id(tx, id, false).await?.ok_or_else(|| super::no_certificate(id))?;
    let allowed = principal.has(Role::Inspectorate)
        || principal.has(Role::Admin)
        || principal.acts_for(Role::Agency, &cert.kvk_number)
        || super::reads_as_body(tx, principal, &cert.certification_body_id).await?;
    if allowed {
        Ok(cert)
    } else {
        // The certificate's body, the agency and the inspectorate read it; anyone else learns
        // not even that the id is real (the agency's public certificate says what is public).
        Err(super::no_certificate(id))
    }
}

/// Whether `principal` may see the inspectorate's suspension requests (and their reasons)
/// made at `requested_at`: the body that decides on them, the inspectorate and an admin
/// always; the agency only once the certificate has been suspended since — before that,
/// telling it would warn it of an investigation.
fn sees_suspension_request(
    principal: &Principal,
    cert: &Certificate,
    history: &[store::StatusChange],
    requested_at: DateTime<Utc>,
) -> bool {
    principal.has(Role::Inspectorate)
        || principal.has(Role::Admin)
        || principal.acts_for(Role::CertificationBody, &cert.certification_body_id)
        || history.iter().any(|change| change.to == Status::Suspended && change.at >= requested_at)
}

pub(super) async fn certificate_get(state: AppState, req: Request, id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let id = id_from_path(&id, "certificate")?;
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    let cert = readable(&tx, &principal, id).await?;
    let history = store::status_history(&tx, id).await?;
    let mut requests = store::suspension_requests(&tx, id).await?;
    requests.retain(|r| sees_suspension_request(&principal, &cert, &history, r.created_at));
    let mut v = view(&cert);
    v["requirements"] = json!(store::requirements(&tx, id).await?);
    v["audits"] = json!(store::audits(&tx, id).await?);
    v["deficiencies"] = json!(store::deficiencies(&tx, id).await?);
    v["suspension_requests"] = json!(requests);
    v["history"] = json!(history);
    tx.commit().await?;
    Ok(json(StatusCode::OK, &v))
}

/// GET /api/v1/certificates/{id}/audit-trail
pub(super) async fn certificate_audit_trail(state: AppState, req: Request, id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let id = id_from_path(&id, "certificate")?;
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    let cert = readable(&tx, &principal, id).await?;
    let history = store::status_history(&tx, id).await?;
    let mut trail = audit::trail(&tx, &id.to_string()).await?;
    trail.retain(|entry| {
        entry.action != platform::event::EventType::CertificateSuspensionRequested.as_str()
            || sees_suspension_request(&principal, &cert, &history, entry.occurred_at)
    });
    tx.commit().await?;
    Ok(json(StatusCode::OK, &json!({ "certificate_id": id, "entries": trail })))
}

/// GET /api/v1/certificates/{id}/checklist — every requirement as the one rule
/// ([`requirement::unmet`], the same that certification, audits and reinstatement apply)
/// judges it today: what was recorded, whether another register decides it live, and why
/// it is not met. For the body's desk and the agency's own; the same readers as the detail.
pub(super) async fn checklist(state: AppState, req: Request, id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let id = id_from_path(&id, "certificate")?;
    // Who may read it is decided before any other register is asked.
    let cert = {
        let mut client = state.core.pool.get().await?;
        let tx = client.transaction().await?;
        let cert = readable(&tx, &principal, id).await?;
        tx.commit().await?;
        cert
    };
    let live = live_checks(&state, &req, id).await?;
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    let today = state.clock.today();
    let unmet = unmet_on(&tx, &cert, &live, today).await?;
    let recorded = store::requirements(&tx, id).await?;
    tx.commit().await?;
    let items: Vec<Value> = RequirementCode::ALL
        .iter()
        .map(|code| {
            json!({
                "code": code,
                "decided_live": live.iter().any(|(c, _)| c == code),
                "may_be_not_applicable": requirement::may_be_not_applicable(*code),
                "per_financial_year": requirement::validity(*code) == Validity::FinancialYear,
                "recorded": recorded.iter().find(|r| r.code == *code),
                "unmet": unmet.iter().find(|(c, _)| c == code).map(|(_, why)| why),
            })
        })
        .collect();
    let certifiable = Action::Certify.apply(cert.status).is_some() && unmet.is_empty();
    let answer = json!({ "certificate_id": id, "on": today, "requirements": items, "certifiable": certifiable });
    Ok(json(StatusCode::OK, &answer))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RequirementIn {
    outcome: Outcome,
    #[serde(default)]
    evidence_ref: Option<String>,
    #[serde(default)]
    checked_on: Option<NaiveDate>,
    /// The financial year the evidence covers (the auditor's statement).
    #[serde(default)]
    financial_year: Option<i32>,
}

pub(super) struct Recorded {
    code: RequirementCode,
    outcome: Outcome,
    evidence_ref: Option<String>,
    checked_on: NaiveDate,
    valid_until: Option<NaiveDate>,
    financial_year: Option<i32>,
}

impl Recorded {
    pub(super) fn code(&self) -> RequirementCode {
        self.code
    }

    pub(super) fn outcome(&self) -> Outcome {
        self.outcome
    }

    pub(super) fn as_new(&self) -> store::NewRequirement<'_> {
        store::NewRequirement {
            code: self.code,
            outcome: self.outcome,
            evidence_ref: self.evidence_ref.as_deref(),
            checked_on: self.checked_on,
            valid_until: self.valid_until,
            financial_year: self.financial_year,
        }
    }
}

/// The one check of a recorded requirement (one at a time, or a full entry's list): its
/// evidence, its date, its financial year, and that it still holds today. Field errors
/// point below `at`.
pub(super) fn recorded(
    code: RequirementCode,
    input: &RequirementIn,
    today: NaiveDate,
    at: &str,
    checks: &mut Checks,
) -> Option<Recorded> {
    let evidence = match (&input.evidence_ref, input.outcome) {
        (Some(e), _) => checks.check(text(e, &format!("{at}/evidence_ref"), 200)),
        (None, Outcome::Met) => checks
            .check(Err(FieldError::new(format!("{at}/evidence_ref"), "evidence is required for a met requirement"))),
        (None, _) => None,
    };
    if input.outcome == Outcome::NotApplicable && !requirement::may_be_not_applicable(code) {
        checks.0.push(FieldError::new(format!("{at}/outcome"), format!("{} always applies", code.as_str())));
    }
    let checked_on = checks.check(not_future(input.checked_on.unwrap_or(today), today, &format!("{at}/checked_on")));
    let financial_year = match (requirement::validity(code), input.financial_year, input.outcome, checked_on) {
        (Validity::FinancialYear, Some(year), _, Some(on)) => {
            // A statement covers a finished year, and holds until the next one is due.
            if year >= on.year() || year < on.year() - 2 {
                checks.0.push(FieldError::new(
                    format!("{at}/financial_year"),
                    format!("a finished financial year, {} or {}", on.year() - 2, on.year() - 1),
                ));
                // Nothing is computed from a year that is not one.
                return None;
            }
            Some(year)
        }
        // Without a year: the last finished one.
        (Validity::FinancialYear, None, Outcome::Met, Some(on)) => Some(on.year() - 1),
        (_, Some(_), _, _) => {
            checks.0.push(FieldError::new(
                format!("{at}/financial_year"),
                format!("{} is not per financial year", code.as_str()),
            ));
            None
        }
        _ => None,
    };
    let checked_on = checked_on?;
    let valid_until = (input.outcome == Outcome::Met)
        .then(|| requirement::validity(code).until(checked_on, financial_year))
        .flatten();
    if let Some(until) = valid_until.filter(|until| *until < today) {
        checks.0.push(FieldError::new(
            format!("{at}/checked_on"),
            format!("this evidence expired on {until}: record evidence that still holds"),
        ));
        return None;
    }
    if input.outcome == Outcome::Met && evidence.is_none() {
        return None;
    }
    Some(Recorded { code, outcome: input.outcome, evidence_ref: evidence, checked_on, valid_until, financial_year })
}

/// PUT /api/v1/certificates/{id}/requirements/{code}
pub(super) async fn put_requirement(
    state: AppState,
    req: Request,
    (id, code): (String, String),
    raw: Bytes,
) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::CertificationBody], "Only a certification body records requirements.")?;
    let id = id_from_path(&id, "certificate")?;
    let code = RequirementCode::parse(&code).ok_or_else(|| {
        let known: Vec<_> = RequirementCode::ALL.iter().map(|c| c.as_str()).collect();
        Error::not_found(format!("No requirement {code:?}; known: {}.", known.join(", ")))
    })?;
    let input: RequirementIn = parse_json(&req, &raw)?;
    let today = state.clock.today();
    let mut checks = Checks::default();
    let recorded = recorded(code, &input, today, "", &mut checks);
    checks.finish().map_err(Error::invalid)?;
    let Some(recorded) = recorded else {
        return Err(invalid(FieldError::new("", "invalid requirement")));
    };
    let new = recorded.as_new();
    let evidence = recorded.evidence_ref.clone();
    write(&state, &req, &principal, &raw, async |tx| {
        let cert = own_certificate(tx, &principal, id).await?;
        Action::RecordRequirement
            .apply(cert.status)
            .ok_or(Error::IllegalTransition { from: cert.status, action: Action::RecordRequirement })?;
        let recorded = store::upsert_requirement(tx, id, &new, &principal.subject).await?;
        let change = change(&state, &principal, Role::CertificationBody, &req, None);
        register::record(
            tx,
            &id.to_string(),
            &format!("certificate.requirement.{}", code.as_str()),
            &change,
            None::<&()>,
            Some(&recorded),
        )
        .await?;
        let mut v = json!(recorded);
        if recorded.outcome == Outcome::Met {
            let reference = evidence.as_deref().unwrap_or("fresh evidence recorded");
            if let Some(resolved) = resolved_by(tx, id, code, today, reference, &change).await? {
                v["resolved_deficiency"] = json!(resolved);
            }
        }
        Ok((StatusCode::OK, v))
    })
    .await
}

/// Fresh evidence that holds resolves the deficiency its expiry (or an audit) opened about
/// requirement `code`, if one is open: that one, resolved and audited.
async fn resolved_by(
    tx: &Transaction<'_>,
    id: Uuid,
    code: RequirementCode,
    today: NaiveDate,
    reference: &str,
    change: &Change<'_>,
) -> Result<Option<Deficiency>> {
    let Some(resolved) = store::resolve_deficiency(tx, id, store::Open::About(code), today, reference).await? else {
        return Ok(None);
    };
    let subject = id.to_string();
    register::record(tx, &subject, "certificate.deficiency.resolve", change, None::<&()>, Some(&resolved)).await?;
    Ok(Some(resolved))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtendIn {
    until: NaiveDate,
    reason: String,
}

const EXTENDER: Only = Only(&[Role::CertificationBody], "Only a certification body extends a probation.");

/// POST /api/v1/certificates/{id}/extension
pub(super) async fn extend(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let Asked { principal, id, input } = asked::<ExtendIn>(&state, &req, EXTENDER, &id, &raw)?;
    let reason = platform::http::reason(&input.reason).map_err(invalid)?;
    write(&state, &req, &principal, &raw, async |tx| {
        let cert = own_certificate(tx, &principal, id).await?;
        if cert.status == Status::Provisional && cert.extended {
            return Err(Error::conflict(Kind::ExtensionUsed, "Probation may be extended only once.".into()));
        }
        if cert.status == Status::Provisional {
            let latest = latest_extension(cert.issued_on);
            if input.until <= cert.probation_ends_on || input.until > latest {
                return Err(invalid(FieldError::new(
                    "/until",
                    format!(
                        "must be after {} and at most 2 months later, on or before {latest}",
                        cert.probation_ends_on
                    ),
                )));
            }
        }
        let asked = (&state, &principal, &req);
        moved(tx, asked, Some(&reason), (cert, Action::Extend), |c| {
            c.probation_ends_on = input.until;
            c.extended = true;
        })
        .await
    })
    .await
}

/// The requirements the other registers decide, for the agency of certificate `id`. Asked
/// before any lock is taken: a slow register must not hold the row.
async fn live_checks(
    state: &AppState,
    req: &Request,
    id: Uuid,
) -> Result<Vec<(RequirementCode, Option<zegel_contracts::agency::Reason>)>> {
    let (kvk, housing) = {
        let client = state.core.pool.get().await?;
        let kvk = store::certificate_by_id(&client, id, false).await?.map(|c| c.kvk_number);
        let housing = store::requirements(&client, id)
            .await?
            .into_iter()
            .find(|r| r.code == RequirementCode::HousingCertified)
            .map(|r| r.outcome);
        (kvk, housing)
    };
    let mut live = match &kvk {
        Some(kvk) => state.registers.check(kvk, &req.id).await?,
        None => Vec::new(),
    };
    requirement::settle_housing(&mut live, housing);
    Ok(live)
}

/// The one rule (`requirement::unmet`) for certificate `cert` on `on`: what was recorded,
/// its validity, and the live answers of the other registers.
pub(super) async fn unmet_on(
    tx: &Transaction<'_>,
    cert: &Certificate,
    live: &[(RequirementCode, Option<zegel_contracts::agency::Reason>)],
    on: NaiveDate,
) -> Result<Vec<(RequirementCode, String)>> {
    let agency = store::agency(tx, &cert.kvk_number).await?.ok_or_else(|| Error::not_found("agency".into()))?;
    // The auditor's statement is required from the agency's second year on.
    let in_first_year = crate::domain::lifecycle::add_months(agency.established_on, 12) > on;
    let recorded: Vec<_> =
        store::requirements(tx, cert.certificate_id).await?.iter().map(store::Requirement::evidence).collect();
    Ok(requirement::unmet(&recorded, live, in_first_year, on))
}

const CERTIFIER: Only = Only(&[Role::CertificationBody], "Only a certification body certifies.");

/// POST /api/v1/certificates/{id}/certification
pub(super) async fn certify(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let Asked { principal, id, input } = asked::<MaybeReasonIn>(&state, &req, CERTIFIER, &id, &raw)?;
    let reason = input.checked().map_err(invalid)?;
    let live = live_checks(&state, &req, id).await?;
    write(&state, &req, &principal, &raw, async |tx| {
        let cert = own_certificate(tx, &principal, id).await?;
        Action::Certify
            .apply(cert.status)
            .ok_or(Error::IllegalTransition { from: cert.status, action: Action::Certify })?;
        let today = state.clock.today();
        let unmet = unmet_on(tx, &cert, &live, today).await?;
        if !unmet.is_empty() {
            return Err(Error::Unmet(unmet));
        }
        let asked = (&state, &principal, &req);
        moved(tx, asked, reason.as_deref(), (cert, Action::Certify), |c| {
            c.certified_on = Some(today);
            c.next_audit_due = Some(next_audit(today));
        })
        .await
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeficiencyIn {
    description: String,
    serious: bool,
    remedy_by: NaiveDate,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditIn {
    performed_on: NaiveDate,
    report_ref: String,
    #[serde(default)]
    deficiencies: Vec<DeficiencyIn>,
}

const AUDITOR: Only = Only(&[Role::CertificationBody], "Only a certification body records audits.");

/// POST /api/v1/certificates/{id}/audits
pub(super) async fn record_audit(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let Asked { principal, id, input } = asked::<AuditIn>(&state, &req, AUDITOR, &id, &raw)?;
    let today = state.clock.today();
    let mut checks = Checks::default();
    checks.check(not_future(input.performed_on, today, "/performed_on"));
    let report_ref = checks.check(text(&input.report_ref, "/report_ref", 200));
    let audit_id = Uuid::now_v7();
    let deficiencies = found(&input.deficiencies, audit_id, today, &mut checks);
    checks.finish().map_err(Error::invalid)?;
    // The audit re-runs the live checks, and every requirement's evidence must still hold.
    let live = live_checks(&state, &req, id).await?;
    let remedy_by = today + chrono::Days::new(u64::from(state.settings.evidence_remedy_days));
    write(&state, &req, &principal, &raw, async |tx| {
        let cert = own_certificate(tx, &principal, id).await?;
        if cert.certified_on.is_some_and(|on| input.performed_on < on) {
            return Err(invalid(FieldError::new("/performed_on", "must not be before the certification date")));
        }
        let unmet = unmet_on(tx, &cert, &live, today).await?;
        let mut deficiencies = deficiencies.clone();
        let audit = Audit {
            audit_id,
            performed_on: input.performed_on,
            outcome: if deficiencies.is_empty() && unmet.is_empty() {
                AuditOutcome::Pass
            } else {
                AuditOutcome::Deficiencies
            },
            report_ref: report_ref.clone().unwrap_or_default(),
            recorded_by: principal.subject.clone(),
        };
        store::insert_audit(tx, id, &audit).await?;
        for d in &deficiencies {
            store::insert_deficiency(tx, id, d).await?;
        }
        deficiencies.extend(unmet_deficiencies(tx, id, &unmet, remedy_by, audit_id).await?);
        let change = change(&state, &principal, Role::CertificationBody, &req, None);
        // The yearly audit clock restarts at the audit date.
        let after = register::apply(tx, cert, Action::Audit, &change, |c| {
            c.next_audit_due = Some(next_audit(audit.performed_on).max(c.next_audit_due.unwrap_or(audit.performed_on)));
        })
        .await?;
        let unmet: Vec<_> = unmet.iter().map(|(code, why)| json!({ "requirement": code, "why": why })).collect();
        Ok((
            StatusCode::CREATED,
            json!({ "audit": audit, "deficiencies": deficiencies, "unmet": unmet, "certificate": view(&after) }),
        ))
    })
    .await
}

/// The deficiencies an audit records, checked: each described, each with a deadline in
/// the future, at most 100.
fn found(given: &[DeficiencyIn], audit_id: Uuid, today: NaiveDate, checks: &mut Checks) -> Vec<Deficiency> {
    if given.len() > 100 {
        checks.fail("/deficiencies", "at most 100 deficiencies per audit");
    }
    let mut deficiencies = Vec::new();
    for (i, d) in given.iter().enumerate() {
        let description = checks.check(text(&d.description, &format!("/deficiencies/{i}/description"), 1000));
        if d.remedy_by <= today {
            checks.fail(format!("/deficiencies/{i}/remedy_by"), "must be in the future");
        }
        deficiencies.extend(description.map(|description| Deficiency {
            deficiency_id: Uuid::now_v7(),
            audit_id: Some(audit_id),
            requirement: None,
            description,
            serious: d.serious,
            remedy_by: d.remedy_by,
            resolved_on: None,
            resolution_ref: None,
        }));
    }
    deficiencies
}

/// Each requirement an audit found unmet is a deficiency with a deadline — one per
/// requirement: an open one stands, and only a new one is returned.
async fn unmet_deficiencies(
    tx: &Transaction<'_>,
    id: Uuid,
    unmet: &[(RequirementCode, String)],
    remedy_by: NaiveDate,
    audit_id: Uuid,
) -> Result<Vec<Deficiency>> {
    let mut opened = Vec::new();
    for (code, why) in unmet {
        let description = format!("{}: {why}", code.as_str());
        opened
            .extend(store::open_requirement_deficiency(tx, id, *code, &description, remedy_by, Some(audit_id)).await?);
    }
    Ok(opened)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolutionIn {
    resolved_on: NaiveDate,
    resolution_ref: String,
}

/// POST /api/v1/certificates/{id}/deficiencies/{deficiency_id}/resolution
pub(super) async fn resolve(
    state: AppState,
    req: Request,
    (id, deficiency): (String, String),
    raw: Bytes,
) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::CertificationBody], "Only a certification body resolves deficiencies.")?;
    let id = id_from_path(&id, "certificate")?;
    let deficiency_id = id_from_path(&deficiency, "deficiency")?;
    let input: ResolutionIn = parse_json(&req, &raw)?;
    let mut checks = Checks::default();
    checks.check(not_future(input.resolved_on, state.clock.today(), "/resolved_on"));
    let resolution_ref = checks.check(text(&input.resolution_ref, "/resolution_ref", 200));
    checks.finish().map_err(Error::invalid)?;
    let resolution_ref = resolution_ref.unwrap_or_default();
    write(&state, &req, &principal, &raw, async |tx| {
        own_certificate(tx, &principal, id).await?;
        let resolved =
            store::resolve_deficiency(tx, id, store::Open::Id(deficiency_id), input.resolved_on, &resolution_ref)
                .await?
                .ok_or_else(|| Error::not_found(format!("No open deficiency {deficiency_id} on certificate {id}.")))?;
        let change = change(&state, &principal, Role::CertificationBody, &req, None);
        register::record(tx, &id.to_string(), "certificate.deficiency.resolve", &change, None::<&()>, Some(&resolved))
            .await?;
        Ok((StatusCode::OK, json!(resolved)))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuspendIn {
    reason: String,
    #[serde(default)]
    remedy_by: Option<NaiveDate>,
}

const SUSPENDER: Only = Only(
    &[Role::CertificationBody, Role::Inspectorate],
    "Only a certification body suspends, or the inspectorate requests it.",
);

/// POST /api/v1/certificates/{id}/suspension
///
/// A certification body suspends its own certificate; the inspectorate may request a
/// suspension, which is recorded and sent to the body (202).
pub(super) async fn suspend(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let Asked { principal, id, input } = asked::<SuspendIn>(&state, &req, SUSPENDER, &id, &raw)?;
    let reason = platform::http::reason(&input.reason).map_err(invalid)?;
    if principal.has(Role::Inspectorate) && !principal.has(Role::CertificationBody) {
        return write(&state, &req, &principal, &raw, async |tx| {
            let cert = store::certificate_by_id(tx, id, true).await?.ok_or_else(|| super::no_certificate(id))?;
            if !matches!(cert.status, Status::Provisional | Status::Certified) {
                return Err(Error::IllegalTransition { from: cert.status, action: Action::Suspend });
            }
            let request = SuspensionRequest {
                suspension_request_id: Uuid::now_v7(),
                requested_by: principal.subject.clone(),
                reason: reason.clone(),
                created_at: state.clock.now(),
            };
            store::insert_suspension_request(tx, id, &request).await?;
            let change = change(&state, &principal, Role::Inspectorate, &req, Some(&reason));
            register::signal(tx, &id.to_string(), &change, events::suspension_requested(&cert, &reason, change.now))
                .await?;
            Ok((StatusCode::ACCEPTED, json!({ "suspension_request": request, "certificate": view(&cert) })))
        })
        .await;
    }
    let today = state.clock.today();
    let remedy_by = match input.remedy_by {
        Some(d) if d > today => d,
        Some(_) => {
            return Err(invalid(FieldError::new("/remedy_by", "must be in the future")));
        }
        None => {
            return Err(invalid(FieldError::new("/remedy_by", "a suspension needs a deadline to remedy")));
        }
    };
    write(&state, &req, &principal, &raw, async |tx| {
        let cert = own_certificate(tx, &principal, id).await?;
        let change = Change {
            ground: Some(Why::Cause(Cause::CertificationBody)),
            ..change(&state, &principal, Role::CertificationBody, &req, Some(&reason))
        };
        let after = register::apply(tx, cert, Action::Suspend, &change, |c| {
            c.suspension_reason = Some(reason.clone());
            c.suspension_remedy_by = Some(remedy_by);
        })
        .await?;
        Ok((StatusCode::OK, view(&after)))
    })
    .await
}

const REINSTATER: Only = Only(&[Role::CertificationBody], "Only a certification body reinstates.");

/// POST /api/v1/certificates/{id}/reinstatement
pub(super) async fn reinstate(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let Asked { principal, id, input } = asked::<ReasonIn>(&state, &req, REINSTATER, &id, &raw)?;
    let reason = platform::http::reason(&input.reason).map_err(invalid)?;
    // A suspension caused by a ban or a G-account is only lifted once that register agrees.
    let live = live_checks(&state, &req, id).await?;
    write(&state, &req, &principal, &raw, async |tx| {
        let cert = own_certificate(tx, &principal, id).await?;
        // Every requirement met, its evidence holding, and no deficiency past its deadline.
        let today = state.clock.today();
        let unmet = unmet_on(tx, &cert, &live, today).await?;
        if !unmet.is_empty() {
            return Err(Error::Unmet(unmet));
        }
        let overdue = store::past_deadline(tx, id, today).await?;
        if !overdue.is_empty() {
            return Err(Error::PastDeadline(overdue));
        }
        let asked = (&state, &principal, &req);
        moved(tx, asked, Some(&reason), (cert, Action::Reinstate), |c| {
            c.suspension_reason = None;
            c.suspension_remedy_by = None;
        })
        .await
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeIn {
    reason: String,
    grounds: Ground,
    /// With `irrevocable_fine`: the fine in this register (an irrevocable fine on the agency).
    #[serde(default)]
    fine_id: Option<Uuid>,
    /// A final sanction against the agency in the register of final sanctions, cited as the
    /// ground (its kind decides the ground: a fine or a Waadi or WML decision
    /// `irrevocable_fine`, a conviction `criminal_sanction`).
    #[serde(default)]
    sanction_id: Option<Uuid>,
}

const REVOKER: Only = Only(&[Role::CertificationBody], "Only a certification body revokes.");

/// POST /api/v1/certificates/{id}/revocation
pub(super) async fn revoke(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let Asked { principal, id, input } = asked::<RevokeIn>(&state, &req, REVOKER, &id, &raw)?;
    let reason = platform::http::reason(&input.reason).map_err(invalid)?;
    if !Ground::REVOCATION.contains(&input.grounds) {
        let known: Vec<_> = Ground::REVOCATION.iter().map(|g| g.as_str()).collect();
        return Err(invalid(FieldError::new("/grounds", format!("one of {}", known.join(", ")))));
    }
    let grounds = input.grounds.as_str();
    let reason = format!("{grounds}: {reason}");
    if input.fine_id.is_some() && input.grounds != Ground::IrrevocableFine {
        return Err(invalid(FieldError::new("/fine_id", "only with grounds irrevocable_fine")));
    }
    write(&state, &req, &principal, &raw, async |tx| {
        let cert = own_certificate(tx, &principal, id).await?;
        let cited = cited_decision(tx, &cert, &input).await?;
        let today = state.clock.today();
        let cited_reason = cited
            .as_ref()
            .map(|s| format!("{reason} (final sanction {}: {} {})", s.sanction_id, s.authority, s.reference));
        let change = Change {
            ground: Some(Why::Ground(input.grounds)),
            ..change(
                &state,
                &principal,
                Role::CertificationBody,
                &req,
                Some(cited_reason.as_deref().unwrap_or(&reason)),
            )
        };
        let after = register::apply(tx, cert, Action::Revoke, &change, |c| c.ended_on = Some(today)).await?;
        let mut v = view(&after);
        if let Some(sanction) = cited {
            v["final_sanction"] = json!(sanction);
        }
        Ok((StatusCode::OK, v))
    })
    .await
}

/// The decision a revocation cites, checked against the agency: a fine named as the ground
/// must be its own and final; a final sanction cited must be against it, and its kind must
/// be the ground (returned, for the answer).
async fn cited_decision(
    tx: &Transaction<'_>,
    cert: &Certificate,
    input: &RevokeIn,
) -> Result<Option<crate::store::FinalSanction>> {
    if let Some(fine_id) = input.fine_id {
        let fine = store::fine_by_id(tx, fine_id, false).await?;
        let ok = fine.is_some_and(|f| {
            f.hirer_kvk == cert.kvk_number && f.status == crate::domain::fine::FineStatus::Irrevocable
        });
        if !ok {
            return Err(invalid(FieldError::new("/fine_id", "no irrevocable fine on this agency has this id")));
        }
    }
    let Some(sanction_id) = input.sanction_id else { return Ok(None) };
    let sanction = store::final_sanction_by_id(tx, sanction_id)
        .await?
        .filter(|s| s.kvk_number == cert.kvk_number)
        .ok_or_else(|| invalid(FieldError::new("/sanction_id", "no final sanction against this agency has this id")))?;
    if sanction.kind.ground() != input.grounds {
        let detail = format!("a {} is cited on the ground {}", sanction.kind.as_str(), sanction.kind.ground().as_str());
        return Err(invalid(FieldError::new("/grounds", detail)));
    }
    Ok(Some(sanction))
}

const WITHDRAWER: Only = Only(&[Role::Agency], "Only the agency itself may withdraw its certificate.");

/// POST /api/v1/certificates/{id}/withdrawal
///
/// The agency gives up its certificate. Withdrawing while a sanction is pending (a
/// suspension or a request for one, an open serious deficiency, an unsettled fine) is
/// recorded with that sanction as its ground, signalled to the Labour Authority and the
/// admission authority, and waits like a revocation before any new certificate.
pub(super) async fn withdraw(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let Asked { principal, id, input } = asked::<ReasonIn>(&state, &req, WITHDRAWER, &id, &raw)?;
    let reason = platform::http::reason(&input.reason).map_err(invalid)?;
    // A claim on the deposit pending is asked of the deposits register first, with the
    // agency's own token, before any lock is taken.
    let claim_pending = match principal.org.as_deref() {
        Some(kvk) => {
            state.registers.pending_claims(kvk, &req.id, req.authorization.as_deref().unwrap_or_default()).await?
        }
        None => false,
    };
    write(&state, &req, &principal, &raw, async |tx| {
        let cert = store::certificate_by_id(tx, id, true).await?.ok_or_else(|| super::no_certificate(id))?;
        if !principal.acts_for(Role::Agency, &cert.kvk_number) {
            // Only the agency itself withdraws its certificate; another learns nothing of it.
            return Err(super::no_certificate(id));
        }
        let today = state.clock.today();
        let while_suspended = cert.status == Status::Suspended;
        // Withdrawing is no escape: the sanction pending now is recorded as the ground.
        let pending = store::pending_sanctions(tx, &cert).await?;
        let escaped = reentry::Pending { claim: claim_pending, ..pending }.escape();
        let change = Change {
            ground: escaped.map(Why::Ground),
            ..change(&state, &principal, Role::Agency, &req, Some(&reason))
        };
        let after = register::apply(tx, cert, Action::Withdraw, &change, |c| c.ended_on = Some(today)).await?;
        let mut v = view(&after);
        v["withdrawn_while_suspended"] = json!(while_suspended);
        // The agency learns of a suspension request only once it is suspended (need to
        // know): its own answer names the sanctions it already knows of, never a request.
        // The ground is kept and signalled all the same.
        v["escaped"] = json!(escaped.filter(|g| *g != Ground::EscapedSuspensionRequest));
        Ok((StatusCode::OK, v))
    })
    .await
}
