//! Agencies: registration, the public certificate view, and the provisional certificate.

use bytes::Bytes;
use chrono::NaiveDate;
use platform::audit::Actor;
use platform::auth::Role;
use platform::http::{Request, json, no_store, parse_json};
use serde::{Deserialize, Serialize};
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{acting_body, authenticate, kvk_from_path, write};
use std::collections::BTreeMap;

use platform::auth::Principal;

use crate::domain::lifecycle::{next_audit, probation_end};
use crate::domain::reentry::{self, Entry};
use crate::domain::requirement;
use crate::domain::{Checks, CountryCode, KvkNumber, RequirementCode, SbiCode, Status, norm_of, not_future, text};
use crate::error::{Error, Result};
use crate::events;
use crate::register::{self, Change};
use crate::routes::certificates::{self, RequirementIn, valid_until};
use crate::state::AppState;
use crate::store::{self, Agency, Certificate};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgencyIn {
    /// A Dutch agency's KvK number, or a foreign agency's Dutch branch KvK number; a
    /// foreign agency without a branch leaves it out (it is named `CC-<home number>`).
    #[serde(default)]
    kvk_number: Option<String>,
    name: String,
    seat_country: String,
    sbi_codes: Vec<String>,
    established_on: NaiveDate,
    /// Seated abroad: its number in the home country's company register.
    #[serde(default)]
    home_register_number: Option<String>,
    #[serde(default)]
    vat_number: Option<String>,
}

/// A VAT number of the EU form: the country's prefix (Greece: EL) and 2 to 13 letters or
/// digits; upper case, spaces, dots and dashes removed.
fn vat_number(raw: &str, country: &str, pointer: &str) -> Result<String, platform::problem::FieldError> {
    let vat: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect::<String>().to_ascii_uppercase();
    let prefix = if country == "GR" { "EL" } else { country };
    let rest = vat.strip_prefix(prefix).unwrap_or_default();
    if (2..=13).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(vat)
    } else {
        Err(platform::problem::FieldError::new(
            pointer,
            format!("a VAT number of the seat country: {prefix} followed by 2 to 13 letters or digits"),
        ))
    }
}

/// A Dutch agency's KvK number: exactly 8 digits, and no numbers of a seat abroad.
fn dutch_identity(input: &AgencyIn, checks: &mut Checks) -> Option<KvkNumber> {
    for (field, given) in [("/home_register_number", &input.home_register_number), ("/vat_number", &input.vat_number)] {
        if given.is_some() {
            checks.fail(field, "only for an agency seated abroad");
        }
    }
    let Some(raw) = &input.kvk_number else {
        checks.fail("/kvk_number", "an agency seated in the Netherlands has a KvK number");
        return None;
    };
    let kvk = checks.check(KvkNumber::parse(raw, "/kvk_number"))?;
    if kvk.foreign_country().is_some() {
        checks.fail("/kvk_number", "a KvK number is exactly 8 digits");
        return None;
    }
    Some(kvk)
}

/// The number that names the agency, and its home register and VAT numbers when it is
/// seated abroad (advice 2.1 H): a Dutch agency by its KvK number; one abroad by its
/// Dutch branch's KvK number when it has one, else by its country and home register number.
fn identity(
    input: &AgencyIn,
    country: Option<&CountryCode>,
    checks: &mut Checks,
) -> Option<(KvkNumber, Option<String>, Option<String>)> {
    use platform::problem::FieldError;
    let Some(country) = country else {
        // Without a country, the number can still be checked for its form.
        if let Some(raw) = &input.kvk_number {
            checks.check(KvkNumber::parse(raw, "/kvk_number"));
        }
        return None;
    };
    if country.as_str() == "NL" {
        return dutch_identity(input, checks).map(|kvk| (kvk, None, None));
    }
    let home = match &input.home_register_number {
        Some(h) => {
            let h = h.trim().to_ascii_uppercase();
            if (1..=20).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_alphanumeric()) {
                Some(h)
            } else {
                checks.0.push(FieldError::new("/home_register_number", "1 to 20 letters or digits"));
                None
            }
        }
        None => {
            checks.0.push(FieldError::new(
                "/home_register_number",
                "an agency seated abroad names its number in its home country's company register",
            ));
            None
        }
    };
    let vat = match &input.vat_number {
        Some(v) => checks.check(vat_number(v, country.as_str(), "/vat_number")),
        None => {
            checks.0.push(FieldError::new("/vat_number", "an agency seated abroad names its VAT number"));
            None
        }
    };
    let home = home?;
    let own = checks.check(KvkNumber::foreign(country.as_str(), &home, "/home_register_number"))?;
    let id = match &input.kvk_number {
        None => own,
        Some(raw) => {
            let kvk = checks.check(KvkNumber::parse(raw, "/kvk_number"))?;
            if kvk.foreign_country().is_some() && kvk != own {
                checks.0.push(FieldError::new(
                    "/kvk_number",
                    format!("its Dutch branch's KvK number, or left out (the agency is then {own})"),
                ));
                return None;
            }
            kvk
        }
    };
    Some((id, Some(home), vat))
}

pub(super) async fn create_agency(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    // KvK registers agencies; a certification body may register one it is about to assess.
    let role = [Role::Kvk, Role::CertificationBody, Role::Admin]
        .into_iter()
        .find(|r| principal.has(*r))
        .ok_or_else(|| Error::forbidden("Only KvK, a certification body or an admin registers agencies.".into()))?;
    let input: AgencyIn = parse_json(&req, &raw)?;
    let mut checks = Checks::default();
    let country = CountryCode::parse(&input.seat_country, "/seat_country");
    let identity = identity(&input, country.as_ref().ok(), &mut checks);
    let name = checks.check(text(&input.name, "/name", 200));
    let country = checks.check(country);
    let sbi: Vec<SbiCode> = input
        .sbi_codes
        .iter()
        .enumerate()
        .filter_map(|(i, s)| checks.check(SbiCode::parse(s, &format!("/sbi_codes/{i}"))))
        .collect();
    if input.sbi_codes.is_empty() || input.sbi_codes.len() > 20 {
        checks.0.push(platform::problem::FieldError::new("/sbi_codes", "between 1 and 20 SBI codes"));
    }
    checks.check(not_future(input.established_on, state.clock.today(), "/established_on"));
    checks.finish().map_err(Error::invalid)?;
    let (Some((kvk, home_register_number, vat_number)), Some(name), Some(country)) = (identity, name, country) else {
        return Err(Error::invalid(vec![platform::problem::FieldError::new("", "invalid")]));
    };
    let agency = Agency {
        kvk_number: kvk.as_str().into(),
        name,
        seat_country: country.as_str().into(),
        sbi_codes: sbi.iter().map(|s| s.as_str().to_string()).collect(),
        established_on: input.established_on,
        home_register_number,
        vat_number,
    };
    write(&state, &req, &principal, &raw, async |tx| {
        if role == Role::CertificationBody {
            acting_body(tx, &principal).await?;
        }
        store::insert_agency(tx, &agency).await?;
        let change = Change {
            actor: Actor::of(&principal, role),
            reason: None,
            request_id: &req.id,
            cause_event_id: None,
            ground: None,
            now: state.clock.now(),
        };
        register::record(tx, &agency.kvk_number, "agency.register", &change, None::<&()>, Some(&agency)).await?;
        Ok((StatusCode::CREATED, agency_view(&agency)))
    })
    .await
}

fn agency_view(a: &Agency) -> serde_json::Value {
    let norm = norm_of(&a.seat_country).as_str();
    json!({
        "kvk_number": a.kvk_number,
        "name": a.name,
        "seat_country": a.seat_country,
        "norm": norm,
        "sbi_codes": a.sbi_codes,
        "staffing": a.sbi_codes.iter().any(|s| s.starts_with("78")),
        "established_on": a.established_on,
        "home_register_number": a.home_register_number,
        "vat_number": a.vat_number,
    })
}

/// The public view of an agency's certificate: no personal data, no reasons, no actors.
#[derive(Debug, Serialize)]
struct PublicView {
    kvk_number: String,
    agency_name: String,
    /// Where it is seated; abroad, its home register and VAT numbers too (public company data).
    seat_country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_register_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vat_number: Option<String>,
    norm: &'static str,
    staffing: bool,
    /// The certificate's status, or `none`.
    status: &'static str,
    certificate: Option<PublicCertificate>,
    checked_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize)]
struct PublicCertificate {
    certificate_id: uuid::Uuid,
    status: Status,
    status_since: chrono::DateTime<chrono::Utc>,
    certification_body: serde_json::Value,
    valid_from: NaiveDate,
    valid_until: Option<NaiveDate>,
    probation_ends_on: Option<NaiveDate>,
    next_audit_due: Option<NaiveDate>,
    history: Vec<store::StatusChange>,
}

/// GET /api/v1/agencies/{kvk}/certificate
pub(super) async fn public_view(state: AppState, req: Request, kvk: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let kvk = kvk_from_path(&kvk)?;
    let client = state.core.pool.get().await?;
    let agency = store::agency(&client, kvk.as_str())
        .await?
        .ok_or_else(|| Error::not_found(format!("No agency {kvk} is registered.")))?;
    let cert = store::latest_certificate(&client, kvk.as_str()).await?;
    let certificate = match &cert {
        None => None,
        Some(c) => {
            let body = store::body(&client, &c.certification_body_id).await?;
            Some(PublicCertificate {
                certificate_id: c.certificate_id,
                status: c.status,
                status_since: c.status_since,
                certification_body: json!({
                    "id": c.certification_body_id,
                    "name": body.map(|b| b.name),
                }),
                valid_from: c.issued_on,
                valid_until: valid_until(c),
                probation_ends_on: (c.status == Status::Provisional).then_some(c.probation_ends_on),
                next_audit_due: c.next_audit_due,
                history: store::status_history(&client, c.certificate_id).await?,
            })
        }
    };
    let view = PublicView {
        norm: norm_of(&agency.seat_country).as_str(),
        staffing: agency.sbi_codes.iter().any(|s| s.starts_with("78")),
        status: cert.as_ref().map(|c| c.status.as_str()).unwrap_or("none"),
        kvk_number: agency.kvk_number,
        agency_name: agency.name,
        seat_country: agency.seat_country,
        home_register_number: agency.home_register_number,
        vat_number: agency.vat_number,
        certificate,
        checked_at: state.clock.now(),
    };
    Ok(no_store(json(StatusCode::OK, &view)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateIn {
    #[serde(default)]
    reason: Option<String>,
    /// `provisional` (a starter's probation, the default) or `full` (every requirement met
    /// now, no probation: the only way back after a lapse or a withdrawal).
    #[serde(default)]
    entry: Entry,
    /// A full entry's requirements, by code, as `PUT …/requirements/{code}` takes each.
    #[serde(default)]
    requirements: Option<BTreeMap<String, RequirementIn>>,
}

/// POST /api/v1/agencies/{kvk}/certificates — a provisional certificate, or (`entry:
/// full`) a full one whose every requirement is recorded and met in the same request.
pub(super) async fn issue_certificate(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::CertificationBody], "Only a certification body issues a certificate.")?;
    let kvk = kvk_from_path(&kvk)?;
    let input: CertificateIn = parse_json(&req, &raw)?;
    let today = state.clock.today();
    let mut checks = Checks::default();
    let reason = input.reason.as_deref().and_then(|r| checks.check(platform::http::reason(r)));
    let recorded = entry_requirements(&input, today, &mut checks);
    checks.finish().map_err(Error::invalid)?;
    let live = admitted(&state, &req, &principal, &kvk, input.entry, &recorded).await?;
    write(&state, &req, &principal, &raw, async |tx| {
        let body_id = acting_body(tx, &principal).await?;
        let agency = store::agency(tx, kvk.as_str())
            .await?
            .ok_or_else(|| Error::not_found(format!("No agency {kvk} is registered.")))?;
        let now = state.clock.now();
        reentry(tx, kvk.as_str(), input.entry, today).await?;
        let full = input.entry == Entry::Full;
        let cert = new_certificate(&agency, body_id, input.entry, today, now);
        store::insert_certificate(tx, &cert).await?;
        store::insert_status_change(tx, cert.certificate_id, None, cert.status, now, None).await?;
        for r in &recorded {
            store::upsert_requirement(tx, cert.certificate_id, &r.as_new(), &principal.subject).await?;
        }
        if full {
            let unmet = certificates::unmet_on(tx, &cert, &live, today).await?;
            if !unmet.is_empty() {
                return Err(Error::Unmet(unmet));
            }
        }
        let change = Change {
            actor: Actor::of(&principal, Role::CertificationBody),
            reason: reason.as_deref(),
            request_id: &req.id,
            cause_event_id: None,
            ground: None,
            now,
        };
        let action = if full { "certificate.issue_full" } else { "certificate.issue_provisional" };
        register::entry(&cert.certificate_id.to_string(), action, &change, None::<&()>, Some(&cert))
            .publishes(events::issued(&cert, now))
            .record(tx)
            .await?;
        let mut view = certificates::view(&cert);
        if full {
            view["requirements"] = json!(store::requirements(tx, cert.certificate_id).await?);
        }
        Ok((StatusCode::CREATED, view))
    })
    .await
}

/// The requirements a full entry records at once, each validated as `PUT
/// …/requirements/{code}` validates it; a provisional entry records none.
fn entry_requirements(input: &CertificateIn, today: NaiveDate, checks: &mut Checks) -> Vec<certificates::Recorded> {
    let mut recorded = Vec::new();
    match (input.entry, &input.requirements) {
        (Entry::Provisional, Some(_)) => {
            checks.fail("/requirements", "only a full entry records its requirements at once")
        }
        (Entry::Full, None) => checks.fail(
            "/requirements",
            "a full entry records every requirement, each as PUT /certificates/{id}/requirements/{code} takes it",
        ),
        (Entry::Full, Some(given)) => {
            for (code, r) in given {
                let at = format!("/requirements/{code}");
                match RequirementCode::parse(code) {
                    Some(code) => recorded.extend(certificates::recorded(code, r, today, &at, checks)),
                    None => checks.fail(at, "not a requirement of the advice"),
                }
            }
        }
        (Entry::Provisional, None) => {}
    }
    recorded
}

/// What the other registers say of `kvk` before any lock is taken: the starter's entry
/// test, the persons behind it (advice 2.1 F: an officer who ran an agency whose waiting
/// period still runs keeps this one out too, and the inspectorate hears of every attempt)
/// and, for a full entry, the live requirements as at certification.
async fn admitted(
    state: &AppState,
    req: &Request,
    principal: &Principal,
    kvk: &KvkNumber,
    entry: Entry,
    recorded: &[certificates::Recorded],
) -> Result<Vec<(RequirementCode, Option<zegel_contracts::agency::Reason>)>> {
    {
        let client = state.core.pool.get().await?;
        acting_body(&client, principal).await?;
        if store::agency(&client, kvk.as_str()).await?.is_none() {
            return Err(Error::not_found(format!("No agency {kvk} is registered.")));
        }
    }
    let missing = state.registers.entry(kvk.as_str(), &req.id).await?;
    if !missing.is_empty() {
        return Err(Error::EntryTest(missing));
    }
    let links =
        state.registers.officer_links(kvk.as_str(), &req.id, req.authorization.as_deref().unwrap_or_default()).await?;
    if let Err(refusal) = reentry::judge_persons(entry, &links, state.clock.today()) {
        phoenix_signal(state, req, principal, kvk, &links).await?;
        return Err(Error::ReentryRefused(refusal));
    }
    Ok(match entry {
        Entry::Full => {
            let mut live = state.registers.check(kvk.as_str(), &req.id).await?;
            let housing = recorded.iter().find(|r| r.code() == RequirementCode::HousingCertified).map(|r| r.outcome());
            requirement::settle_housing(&mut live, housing);
            live
        }
        Entry::Provisional => Vec::new(),
    })
}

/// A new certificate of `agency` by body `body_id`: provisional with its probation, or —
/// a full entry — certified at once, its probation ended the day it began.
fn new_certificate(
    agency: &store::Agency,
    body_id: String,
    entry: Entry,
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> Certificate {
    let full = entry == Entry::Full;
    Certificate {
        certificate_id: uuid::Uuid::now_v7(),
        kvk_number: agency.kvk_number.clone(),
        certification_body_id: body_id,
        norm: norm_of(&agency.seat_country),
        status: if full { Status::Certified } else { Status::Provisional },
        status_since: now,
        issued_on: today,
        probation_ends_on: if full { today } else { probation_end(today) },
        extended: false,
        certified_on: full.then_some(today),
        next_audit_due: full.then(|| next_audit(today)),
        suspension_reason: None,
        suspension_remedy_by: None,
        ended_on: None,
    }
}

/// Tells the Labour Authority that a body tried to certify an agency run by a person
/// held to another agency's waiting period (its own transaction: the refusal keeps nothing
/// else). The payload names agencies, certificates and roles, never a person.
async fn phoenix_signal(
    state: &AppState,
    req: &Request,
    principal: &platform::auth::Principal,
    kvk: &KvkNumber,
    links: &[reentry::Link],
) -> Result<()> {
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    let event = events::entry_refused_linked(
        kvk.as_str(),
        principal.org.as_deref().unwrap_or_default(),
        links,
        state.clock.now(),
    );
    platform::audit::Entry::telling(Actor::of(principal, Role::CertificationBody), kvk.as_str(), &req.id, event)
        .record(&tx)
        .await?;
    tx.commit().await?;
    state.core.relay.nudge();
    Ok(())
}

/// The one re-entry rule (`domain::reentry::judge`) on the agency's ended certificates
/// and the dated waiting periods: every way to a new certificate asks it, in the
/// transaction that would create the certificate.
pub(super) async fn reentry(
    tx: &impl deadpool_postgres::GenericClient,
    kvk: &str,
    entry: Entry,
    today: NaiveDate,
) -> Result<()> {
    let ended = store::ended_certificates(tx, kvk).await?;
    let policies = store::reentry_policies(tx).await?;
    let policy_on = |on: NaiveDate| reentry::Policy::in_force(&policies, on);
    reentry::judge(entry, &ended, policy_on, today).map_err(Error::ReentryRefused)?;
    let sanctions: Vec<_> = store::final_sanctions(tx, kvk)
        .await?
        .into_iter()
        .map(|s| reentry::Sanctioned { sanction_id: s.sanction_id, kind: s.kind, irrevocable_on: s.irrevocable_on })
        .collect();
    reentry::judge_sanctions(&sanctions, policy_on, today).map_err(Error::ReentryRefused)
}
