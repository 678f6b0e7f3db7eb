//! One certificate as the body's desk shows it: the certificate, the agency's standing,
//! the checklist, audits and deficiencies, and the forms its status allows.

use askama::Template;
use platform::error::Error;
use reqwest::Method;
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::CertificateStatus;
use zegel_contracts::certificate::{Ground, Outcome};
use zegel_contracts::register::Service;

use super::{Checklist, DEFICIENCY_ROWS, Detail, Item, Standing, date, status_label};
use crate::desk::{Choice, Desk, Head, refused};
use crate::i18n::Lang;
use crate::page::{Chrome, page_with};

pub struct RequirementView {
    pub code: &'static str,
    pub label: String,
    /// What the rule says of it today.
    pub state: String,
    pub met: bool,
    pub recorded: String,
    /// Whether the body records it here (a live one only as not applicable, where allowed).
    pub form: bool,
    pub outcomes: Vec<Choice>,
    pub evidence_ref: String,
    pub per_financial_year: bool,
    pub financial_year: String,
}

pub struct AuditView {
    pub performed_on: String,
    pub outcome: String,
    pub report_ref: String,
}

pub struct DeficiencyView {
    pub id: String,
    pub description: String,
    pub serious: bool,
    pub remedy_by: String,
    pub resolved: String,
    pub open: bool,
}

pub struct PartView {
    pub label: String,
    pub ok: bool,
}

#[derive(Template)]
#[template(path = "body_certificate.html")]
struct CertificatePage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    back_href: String,
    status: String,
    facts: Vec<(String, String)>,
    standing: Option<(bool, Vec<PartView>, Vec<String>)>,
    requirements: Vec<RequirementView>,
    certifiable: bool,
    unmet_count: usize,
    audits: Vec<AuditView>,
    deficiencies: Vec<DeficiencyView>,
    deficiency_rows: Vec<usize>,
    may_certify: bool,
    may_suspend: bool,
    may_reinstate: bool,
    may_revoke: bool,
    may_seal: bool,
    grounds: Vec<Choice>,
    today: String,
}

fn requirement_view(l: &Lang, item: &Item) -> RequirementView {
    let recorded = item.recorded.as_ref();
    let state = match (&item.unmet, item.decided_live) {
        (Some(why), _) => why.clone(),
        (None, true) => l.t("req-live-met"),
        (None, false) => match recorded.and_then(|r| r.valid_until) {
            Some(until) => format!("{} {until}", l.t("req-met-until")),
            None => l.t("req-met"),
        },
    };
    let chosen = recorded.map(|r| r.outcome);
    let outcomes = Outcome::ALL
        .iter()
        .filter(|o| **o != Outcome::NotApplicable || item.may_be_not_applicable)
        .filter(|o| !item.decided_live || **o == Outcome::NotApplicable)
        .map(|o| Choice {
            value: o.as_str(),
            label: l.t(&format!("outcome-{}", o.as_str())),
            chosen: chosen == Some(*o),
        })
        .collect::<Vec<_>>();
    RequirementView {
        code: item.code.as_str(),
        label: l.t(&format!("req-{}", item.code.as_str())),
        state,
        met: item.unmet.is_none(),
        recorded: recorded
            .map(|r| {
                let evidence = r.evidence_ref.clone().unwrap_or_default();
                format!(
                    "{}, {} {} {evidence}",
                    l.t(&format!("outcome-{}", r.outcome.as_str())),
                    l.t("on"),
                    r.checked_on
                )
            })
            .unwrap_or_default(),
        form: !outcomes.is_empty(),
        outcomes,
        evidence_ref: recorded.and_then(|r| r.evidence_ref.clone()).unwrap_or_default(),
        per_financial_year: item.per_financial_year,
        financial_year: recorded.and_then(|r| r.financial_year).map(|y| y.to_string()).unwrap_or_default(),
    }
}

pub(crate) fn standing_view(l: &Lang, standing: &Standing) -> (bool, Vec<PartView>, Vec<String>) {
    let parts = standing
        .parts
        .iter()
        .map(|(part, p)| PartView { label: l.t(&format!("part-{}", part.as_str())), ok: p.ok })
        .collect();
    let reasons = standing.reason_codes.iter().map(|r| l.t(&format!("reason-{}", r.as_str()))).collect();
    (standing.may_hire, parts, reasons)
}

fn facts(l: &Lang, d: &Detail) -> Vec<(String, String)> {
    let mut facts = vec![
        (l.t("fact-issued"), d.issued_on.to_string()),
        (l.t("fact-probation-ends"), d.probation_ends_on.to_string()),
        (l.t("fact-certified"), date(d.certified_on)),
        (l.t("fact-next-audit"), date(d.next_audit_due)),
        (l.t("fact-valid-until"), date(d.valid_until)),
    ];
    if let Some(reason) = &d.suspension_reason {
        facts.push((l.t("fact-suspended-for"), reason.clone()));
        facts.push((l.t("fact-remedy-by"), date(d.suspension_remedy_by)));
    }
    facts
}

fn audits(l: &Lang, d: &Detail) -> Vec<AuditView> {
    d.audits
        .iter()
        .map(|a| AuditView {
            performed_on: a.performed_on.to_string(),
            outcome: l.t(&format!("audit-{}", a.outcome.as_str())),
            report_ref: a.report_ref.clone(),
        })
        .collect()
}

fn deficiencies(d: &Detail) -> Vec<DeficiencyView> {
    d.deficiencies
        .iter()
        .map(|d| DeficiencyView {
            id: d.deficiency_id.to_string(),
            description: d.description.clone(),
            serious: d.serious,
            remedy_by: d.remedy_by.to_string(),
            resolved: d
                .resolved_on
                .map(|on| format!("{on} {}", d.resolution_ref.clone().unwrap_or_default()))
                .unwrap_or_default(),
            open: d.resolved_on.is_none(),
        })
        .collect()
}

/// The page of certificate `id`, with `done` (what was just saved) or `errors` (what the
/// register refused).
pub async fn show(
    desk: &mut Desk,
    id: Uuid,
    status: StatusCode,
    done: Option<String>,
    errors: Vec<String>,
) -> Result<Response, Error> {
    let base = format!("/api/v1/certificates/{id}");
    let detail: Detail = match desk.ask(Service::Certificates, (Method::GET, &base), None).await {
        Ok(detail) => detail,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let checklist: Checklist =
        match desk.ask(Service::Certificates, (Method::GET, &format!("{base}/checklist")), None).await {
            Ok(checklist) => checklist,
            Err(refusal) => return refused(&desk.lang, &refusal),
        };
    // The standing is what any hirer sees; without the lookup the page still serves.
    let standing: Option<Standing> =
        desk.read_public(Service::Lookup, &format!("/api/v1/agencies/{}/check", detail.kvk_number)).await.ok();
    let l = desk.lang.clone();
    let view = CertificatePage {
        chrome: Chrome::at(
            &l,
            format!("{} {}", l.t("certificate-title"), detail.kvk_number),
            format!("/body/certificates/{}", detail.certificate_id),
        ),
        head: desk.head(format!("/body/certificates/{}", detail.certificate_id), done, errors),
        back_href: format!("/body?lang={}", l.code),
        status: status_label(&l, detail.status),
        facts: facts(&l, &detail),
        standing: standing.as_ref().map(|s| standing_view(&l, s)),
        requirements: checklist.requirements.iter().map(|i| requirement_view(&l, i)).collect(),
        certifiable: checklist.certifiable,
        unmet_count: checklist.requirements.iter().filter(|i| i.unmet.is_some()).count(),
        audits: audits(&l, &detail),
        deficiencies: deficiencies(&detail),
        deficiency_rows: (0..DEFICIENCY_ROWS).collect(),
        may_certify: detail.status == CertificateStatus::Provisional,
        may_suspend: detail.status.allows_work(),
        may_reinstate: detail.status == CertificateStatus::Suspended,
        may_revoke: detail.status.is_active(),
        may_seal: detail.status.allows_work(),
        grounds: Ground::REVOCATION
            .iter()
            .map(|g| Choice { value: g.as_str(), label: l.t(&format!("ground-{}", g.as_str())), chosen: false })
            .collect(),
        today: desk.state.clock.today().to_string(),
        l: l.clone(),
    };
    page_with(status, &l, view.render())
}
