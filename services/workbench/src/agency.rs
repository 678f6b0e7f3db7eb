//! The agency's desk (issue 35, desk 6): where the agency stands as any hirer sees it, and
//! what it has to do next — requirements of its certificate not met or about to lapse,
//! deficiencies with their deadlines, the next audit, a deposit top-up and its deadline, a
//! G-account not yet in use — its seals on posters (certificate, deposit, G-account: each
//! register issues its own), where it houses workers, and the claims against its deposit
//! (kind, status and amounts only: the deposits register gives the agency nothing of a
//! worker's story). The agency is the person's organisation, a KvK number; every register
//! answers for that agency only.

use askama::Template;
use bytes::Bytes;
use chrono::NaiveDate;
use platform::auth::Role;
use platform::error::Error;
use platform::http::Request;
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::certificate::AccidentKind;
use zegel_contracts::register::Service;
use zegel_contracts::{GAccountStatus, MarkStatus};

use crate::admission::deposit::Ledger;
use crate::body::view::{PartView, standing_view};
use crate::body::{Checklist, Detail, Poster, Sealed, Standing};
use crate::desk::{Desk, Head, kvk_org, notice, refused, said};
use crate::i18n::{Lang, euros};
use crate::page::{Chrome, page, page_with};
use crate::registers::Refusal;
use crate::state::AppState;

mod work;

pub use work::{accident, act, placement};

type Result<T> = std::result::Result<T, Error>;

const ROLE: Role = Role::Agency;

/// A requirement whose evidence lapses within this many days is on the list of what to do.
const LAPSES_WITHIN_DAYS: i64 = 60;

#[derive(Debug, Deserialize)]
struct Public {
    certificate: Option<PublicCertificate>,
}

#[derive(Debug, Deserialize)]
struct PublicCertificate {
    certificate_id: Uuid,
}

#[derive(Debug, Deserialize)]
struct GAccountIn {
    status: String,
    iban: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Housing {
    houses_no_one: bool,
    placements: Vec<Placed>,
}

#[derive(Debug, Deserialize)]
struct Placed {
    placement: PlacementIn,
    mark_status: Option<MarkStatus>,
    certified: bool,
}

#[derive(Debug, Deserialize)]
struct PlacementIn {
    placement_id: Uuid,
    bag_id: String,
    from: NaiveDate,
    to: Option<NaiveDate>,
    accepted_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Deserialize)]
struct Accidents {
    accidents: Vec<AccidentIn>,
}

#[derive(Debug, Deserialize)]
struct AccidentIn {
    accident_id: Uuid,
    occurred_on: NaiveDate,
    kind: AccidentKind,
    report_due_at: chrono::DateTime<chrono::Utc>,
    authority_reported_at: Option<chrono::DateTime<chrono::Utc>>,
    safety_checked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// An accident as the page shows it, with the forms still to fill.
pub struct AccidentRow {
    id: Uuid,
    what: String,
    report_due: String,
    to_report: bool,
    to_check: bool,
}

/// A placement as the page shows it; an open one has a form to end it.
pub struct PlacementRow {
    id: Uuid,
    bag: String,
    term: String,
    mark: String,
    certified: bool,
    open: bool,
}

/// The seals an agency may have issued, by the register that issues each.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Seal {
    Certificate,
    Deposit,
    GAccount,
}

impl Seal {
    const ALL: [Seal; 3] = [Seal::Certificate, Seal::Deposit, Seal::GAccount];

    fn name(self) -> &'static str {
        match self {
            Seal::Certificate => "certificate",
            Seal::Deposit => "deposit",
            Seal::GAccount => "g-account",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == raw)
    }

    fn service(self) -> Service {
        match self {
            Seal::Certificate => Service::Certificates,
            Seal::Deposit => Service::Deposits,
            Seal::GAccount => Service::Gaccounts,
        }
    }

    fn path(self, kvk: &str) -> String {
        match self {
            Seal::Certificate => format!("/api/v1/agencies/{kvk}/certificate/seal"),
            Seal::Deposit => format!("/api/v1/agencies/{kvk}/deposit/seal"),
            Seal::GAccount => format!("/api/v1/agencies/{kvk}/g-account/seal"),
        }
    }
}

/// One thing to do: what, and by when if the register says.
pub struct Todo {
    what: String,
    by: String,
    late: bool,
}

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    standing: Option<(bool, Vec<PartView>, Vec<String>)>,
    certificate: Vec<(String, String)>,
    todo: Vec<Todo>,
    deposit: Vec<(String, String)>,
    claims: Vec<(String, String, String, String, String)>,
    g_account: String,
    /// Whether the agency may register (or correct) a G-account now.
    may_register_g_account: bool,
    placements: Vec<PlacementRow>,
    houses_no_one: bool,
    accidents: Vec<AccidentRow>,
    today: NaiveDate,
    seals: Vec<(&'static str, String)>,
}

/// A read where "none yet" is an answer: 404 is `None`.
async fn maybe<T: serde::de::DeserializeOwned>(
    desk: &mut Desk,
    service: Service,
    path: &str,
) -> std::result::Result<Option<T>, Refusal> {
    match desk.ask(service, (Method::GET, path), None).await {
        Ok(found) => Ok(Some(found)),
        Err(Refusal::Said { status: 404, .. }) => Ok(None),
        Err(refusal) => Err(refusal),
    }
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

/// What the certificate asks of the agency now: requirements not met (the register's
/// reason), evidence lapsing soon, open deficiencies, the next audit, a suspension's remedy.
fn todo_of(l: &Lang, detail: &Detail, checklist: &Checklist, today: NaiveDate) -> Vec<Todo> {
    let mut todo = Vec::new();
    let soon = today + chrono::Duration::days(LAPSES_WITHIN_DAYS);
    for item in &checklist.requirements {
        let label = l.t(&format!("req-{}", item.code.as_str()));
        let until = item.recorded.as_ref().and_then(|r| r.valid_until);
        if let Some(why) = &item.unmet {
            todo.push(Todo { what: format!("{label}: {why}"), by: String::new(), late: true });
        } else if let Some(until) = until.filter(|u| *u <= soon) {
            todo.push(Todo { what: format!("{label}: {}", l.t("agency-lapses")), by: until.to_string(), late: false });
        }
    }
    for d in detail.deficiencies.iter().filter(|d| d.resolved_on.is_none()) {
        let what = format!("{}: {}", l.t("agency-deficiency"), d.description);
        todo.push(Todo { what, by: d.remedy_by.to_string(), late: d.remedy_by < today });
    }
    if let (Some(by), Some(reason)) = (detail.suspension_remedy_by, &detail.suspension_reason) {
        todo.push(Todo {
            what: format!("{}: {reason}", l.t("fact-suspended-for")),
            by: by.to_string(),
            late: by < today,
        });
    }
    if let Some(due) = detail.next_audit_due {
        todo.push(Todo { what: l.t("agency-audit"), by: due.to_string(), late: due < today });
    }
    todo
}

/// GET /agency — where the agency stands and what to do next.
pub async fn overview(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let (mut desk, kvk) = match Desk::open_for(&state, &req, ROLE, (kvk_org, "agency-no-kvk")).await? {
        Ok(opened) => opened,
        Err(away) => return Ok(away),
    };
    let done = req.param("done").filter(|d| work::DONE.contains(d)).map(|d| desk.lang.t(&format!("done-agency-{d}")));
    show(&mut desk, &kvk, StatusCode::OK, (done, Vec::new())).await
}

/// What the registers say of the agency, each read with the person's token.
struct Read {
    certificate: Option<(Detail, Checklist)>,
    ledger: Option<Ledger>,
    g_account: GAccountIn,
    housing: Housing,
    accidents: Vec<AccidentIn>,
}

async fn read(desk: &mut Desk, kvk: &str) -> std::result::Result<Read, Refusal> {
    let public: Public =
        desk.read_public(Service::Certificates, &format!("/api/v1/agencies/{kvk}/certificate")).await?;
    let certificate = match public.certificate {
        Some(c) => {
            let base = format!("/api/v1/certificates/{}", c.certificate_id);
            let detail: Detail = desk.ask(Service::Certificates, (Method::GET, &base), None).await?;
            let checklist: Checklist =
                desk.ask(Service::Certificates, (Method::GET, &format!("{base}/checklist")), None).await?;
            Some((detail, checklist))
        }
        None => None,
    };
    let ledger = maybe(desk, Service::Deposits, &format!("/api/v1/agencies/{kvk}/deposit/ledger")).await?;
    let g_account = desk.read_public(Service::Gaccounts, &format!("/api/v1/agencies/{kvk}/g-account")).await?;
    let placements = format!("/api/v1/agencies/{kvk}/placements");
    let housing = desk.ask(Service::Housing, (Method::GET, &placements), None).await?;
    let accidents: Accidents =
        desk.ask(Service::Certificates, (Method::GET, &format!("/api/v1/agencies/{kvk}/accidents")), None).await?;
    Ok(Read { certificate, ledger, g_account, housing, accidents: accidents.accidents })
}

/// Something the agency must do, with no date: always shown as pressing.
fn now_due(what: String) -> Todo {
    Todo { what, by: String::new(), late: true }
}

/// The certificate's facts, and what it asks of the agency.
fn certificate_part(
    l: &Lang,
    certificate: Option<&(Detail, Checklist)>,
    today: NaiveDate,
    todo: &mut Vec<Todo>,
) -> Vec<(String, String)> {
    let Some((detail, checklist)) = certificate else {
        todo.push(now_due(l.t("agency-no-certificate")));
        return Vec::new();
    };
    todo.extend(todo_of(l, detail, checklist, today));
    vec![
        (l.t("col-status"), l.t(&format!("status-{}", detail.status.as_str()))),
        (l.t("fact-issued"), detail.issued_on.to_string()),
        (l.t("fact-valid-until"), day(detail.valid_until)),
        (l.t("fact-next-audit"), day(detail.next_audit_due)),
    ]
}

/// The deposit's facts, and a top-up due with its amount and deadline.
fn deposit_part(l: &Lang, ledger: Option<&Ledger>, today: NaiveDate, todo: &mut Vec<Todo>) -> Vec<(String, String)> {
    let Some(ledger) = ledger else {
        todo.push(now_due(l.t("agency-no-deposit")));
        return Vec::new();
    };
    let s = &ledger.standing;
    if let Some(shortfall) = &s.shortfall {
        let what = format!("{} {}", l.t("agency-top-up"), euros(s.required_cents - s.balance_cents));
        let by = shortfall.deadline;
        todo.push(Todo { what, by: by.to_string(), late: by < today });
    }
    vec![
        (l.t("deposit-balance"), euros(s.balance_cents)),
        (l.t("deposit-required"), euros(s.required_cents)),
        (l.t("deposit-adequate"), l.yes_no(s.adequate)),
    ]
}

/// The claims against the deposit as the agency may see them: kind, status, amounts.
fn claims(l: &Lang, ledger: Option<&Ledger>) -> Vec<(String, String, String, String, String)> {
    ledger
        .iter()
        .flat_map(|ledger| &ledger.claims)
        .map(|c| {
            (
                c.claim_id.to_string().chars().take(8).collect(),
                l.t(&format!("claim-{}", c.claim_type.as_str())),
                l.t(&format!("claim-status-{}", c.status.as_str())),
                c.accepted_cents.map(euros).unwrap_or_else(|| "—".into()),
                euros(c.paid_cents),
            )
        })
        .collect()
}

fn placements(l: &Lang, housing: &Housing, today: NaiveDate) -> Vec<PlacementRow> {
    housing
        .placements
        .iter()
        .map(|p| {
            let mark = p.mark_status.map(|m| l.t(&format!("mark-{}", m.as_str()))).unwrap_or_else(|| "—".into());
            let accepted = if p.placement.accepted_at.is_some() { l.t("yes") } else { l.t("agency-not-yet") };
            PlacementRow {
                id: p.placement.placement_id,
                bag: p.placement.bag_id.clone(),
                term: format!("{} – {}", p.placement.from, day(p.placement.to)),
                mark: format!("{mark}; {} {accepted}", l.t("agency-accepted")),
                certified: p.certified,
                open: p.placement.to.is_none_or(|to| to >= today),
            }
        })
        .collect()
}

/// The accidents hirers reported, with what the agency still owes for each: its report to
/// the Labour Authority, and the safety check.
fn accidents(l: &Lang, accidents: &[AccidentIn], todo: &mut Vec<Todo>) -> Vec<AccidentRow> {
    accidents
        .iter()
        .map(|a| {
            let what = format!("{} {}", a.occurred_on, l.t(&format!("accident-{}", a.kind.as_str())));
            let due = a.report_due_at.with_timezone(&platform::clock::ZONE).format("%Y-%m-%d %H:%M").to_string();
            if a.authority_reported_at.is_none() {
                todo.push(Todo {
                    what: format!("{}: {what}", l.t("agency-report-accident")),
                    by: due.clone(),
                    late: true,
                });
            }
            if a.safety_checked_at.is_none() {
                todo.push(now_due(format!("{}: {what}", l.t("agency-safety-check"))));
            }
            AccidentRow {
                id: a.accident_id,
                what,
                report_due: due,
                to_report: a.authority_reported_at.is_none(),
                to_check: a.safety_checked_at.is_none(),
            }
        })
        .collect()
}

/// The G-account in words: its status, and its number where the register gives it.
fn g_account_words(l: &Lang, status: Option<GAccountStatus>, iban: Option<&str>) -> String {
    match (status, iban) {
        (Some(s), Some(iban)) => format!("{} ({iban})", l.t(&format!("gaccount-{}", s.as_str()))),
        (Some(s), None) => l.t(&format!("gaccount-{}", s.as_str())),
        (None, _) => l.t("agency-no-g-account"),
    }
}

async fn show(
    desk: &mut Desk,
    kvk: &str,
    status: StatusCode,
    (done, errors): (Option<String>, Vec<String>),
) -> Result<Response> {
    let today = desk.state.clock.today();
    let read = match read(desk, kvk).await {
        Ok(read) => read,
        Err(Refusal::Said { status: 404, .. }) => {
            return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("agency-not-registered"));
        }
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    // What any hirer sees; without the lookup the page still serves.
    let standing: Option<Standing> =
        desk.read_public(Service::Lookup, &format!("/api/v1/agencies/{kvk}/check")).await.ok();
    let l = desk.lang.clone();
    let mut todo = Vec::new();
    let certificate = certificate_part(&l, read.certificate.as_ref(), today, &mut todo);
    let deposit = deposit_part(&l, read.ledger.as_ref(), today, &mut todo);
    let g_status = GAccountStatus::parse(&read.g_account.status);
    if g_status != Some(GAccountStatus::Active) {
        todo.push(now_due(l.t("agency-g-account-todo")));
    }
    let accidents = accidents(&l, &read.accidents, &mut todo);
    let may_seal = |seal: Seal| match seal {
        Seal::Certificate => read.certificate.as_ref().is_some_and(|(d, _)| d.status.allows_work()),
        Seal::Deposit => read.ledger.as_ref().is_some_and(|d| d.standing.adequate),
        Seal::GAccount => g_status == Some(GAccountStatus::Active),
    };
    let view = AgencyPage {
        chrome: Chrome::at(&l, format!("{} {kvk}", l.t("agency-title")), "/agency".into()),
        head: desk.head("/agency".into(), done, errors),
        standing: standing.as_ref().map(|s| standing_view(&l, s)),
        certificate,
        todo,
        deposit,
        claims: claims(&l, read.ledger.as_ref()),
        g_account: g_account_words(&l, g_status, read.g_account.iban.as_deref()),
        may_register_g_account: matches!(
            g_status,
            None | Some(GAccountStatus::Requested) | Some(GAccountStatus::Closed)
        ),
        placements: placements(&l, &read.housing, today),
        houses_no_one: read.housing.houses_no_one,
        accidents,
        today,
        seals: Seal::ALL
            .into_iter()
            .filter(|s| may_seal(*s))
            .map(|s| (s.name(), l.t(&format!("agency-seal-{}", s.name()))))
            .collect(),
        l: l.clone(),
    };
    page_with(status, &l, view.render())
}

/// POST /agency/seals/{kind} — a new seal of the certificate, the deposit or the G-account,
/// issued by its register, on a poster to print.
pub async fn seal(state: AppState, req: Request, kind: String, raw: Bytes) -> Result<Response> {
    let (mut desk, _) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Some(kvk), Some(seal)) = (kvk_org(desk.org()), Seal::parse(&kind)) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("agency-no-such-seal"));
    };
    let sealed: Sealed = match desk.ask(seal.service(), (Method::POST, &seal.path(&kvk)), Some(&json!({}))).await {
        Ok(sealed) => sealed,
        Err(refusal) => {
            let errors = said(&desk.lang, &refusal);
            return show(&mut desk, &kvk, crate::desk::status_of(&refusal), (None, errors)).await;
        }
    };
    let l = desk.lang.clone();
    page(&l, Poster::of(&l, (l.t("col-kvk"), kvk), sealed, ("/agency".into(), l.t("back-agency"))).render())
}

#[cfg(test)]
mod tests {
    use zegel_contracts::CertificateStatus;
    use zegel_contracts::deposit::{ClaimStatus, ClaimType};

    use super::*;

    #[test]
    fn every_word_of_the_agency_s_desk_is_translated() {
        let mut keys: Vec<String> = Seal::ALL.iter().map(|s| format!("agency-seal-{}", s.name())).collect();
        keys.extend(GAccountStatus::ALL.iter().map(|s| format!("gaccount-{s}")));
        keys.extend(ClaimType::ALL.iter().map(|t| format!("claim-{t}")));
        keys.extend(ClaimStatus::ALL.iter().map(|s| format!("claim-status-{s}")));
        keys.extend(CertificateStatus::ALL.iter().map(|s| format!("status-{s}")));
        let missing = crate::i18n::untranslated(&keys);
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn a_seal_is_named_by_its_register() {
        for seal in Seal::ALL {
            assert!(Seal::parse(seal.name()) == Some(seal));
        }
        assert!(Seal::parse("building").is_none());
        assert_eq!(Seal::GAccount.path("12345678"), "/api/v1/agencies/12345678/g-account/seal");
    }
}
