//! A deposit at the admission authority's desk: its standing (what it holds and must hold,
//! a shortfall's top-up deadline), the accepted claims still to pay, and the payout — its
//! split previewed by the deposits register's own code (wages first, pro rata where the
//! money does not cover a rank), then booked once.

use askama::Template;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::deposit::{ClaimStatus, ClaimType};
use zegel_contracts::register::Service;

use super::{ROLE, euros};
use crate::desk::{Desk, Head, notice, refused, said, status_of};
use crate::i18n::Lang;
use crate::page::{Chrome, page_with};
use crate::registers::Refusal;
use crate::state::AppState;

type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, Deserialize)]
pub(crate) struct ShortfallIn {
    pub(crate) since: DateTime<Utc>,
    pub(crate) deadline: NaiveDate,
}

#[derive(Debug, Deserialize)]
pub(crate) struct StandingIn {
    pub(crate) balance_cents: i64,
    pub(crate) required_cents: i64,
    pub(crate) adequate: bool,
    pub(crate) shortfall: Option<ShortfallIn>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LedgerClaim {
    pub(crate) claim_id: Uuid,
    pub(crate) claim_type: ClaimType,
    pub(crate) status: ClaimStatus,
    pub(crate) accepted_cents: Option<i64>,
    pub(crate) paid_cents: i64,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Ledger {
    pub(crate) opened_on: NaiveDate,
    pub(crate) standing: StandingIn,
    pub(crate) claims: Vec<LedgerClaim>,
}

#[derive(Debug, Deserialize)]
struct Paid {
    claim_id: Uuid,
    amount_cents: i64,
    status: ClaimStatus,
}

#[derive(Debug, Deserialize)]
struct Payouts {
    payouts: Vec<Paid>,
    still_owed_cents: i64,
}

/// A payout's split as the page shows it: each claim, what it is paid now and its status
/// after; what stays owed.
type Split = (Vec<(String, String, String)>, String);

#[derive(Template)]
#[template(path = "admission_deposit.html")]
struct DepositPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    facts: Vec<(String, String)>,
    claims: Vec<(String, String, String, String, String)>,
    split: Option<Split>,
    nonce: String,
}

/// A claim as the desk names it: the first part of its number.
fn short(id: Uuid) -> String {
    id.to_string().chars().take(8).collect()
}

fn facts(l: &Lang, ledger: &Ledger) -> Vec<(String, String)> {
    let s = &ledger.standing;
    let mut facts = vec![
        (l.t("deposit-opened"), ledger.opened_on.to_string()),
        (l.t("deposit-balance"), euros(Some(s.balance_cents))),
        (l.t("deposit-required"), euros(Some(s.required_cents))),
        (l.t("deposit-adequate"), l.yes_no(s.adequate)),
    ];
    if let Some(shortfall) = &s.shortfall {
        facts.push((l.t("deposit-short-since"), shortfall.since.date_naive().to_string()));
        facts.push((l.t("deposit-top-up-by"), shortfall.deadline.to_string()));
    }
    facts
}

fn status_label(l: &Lang, status: ClaimStatus) -> String {
    l.t(&format!("claim-status-{}", status.as_str()))
}

/// How the deposit's page is shown: what was just booked, what was refused, the preview.
struct Shown {
    status: StatusCode,
    done: Option<String>,
    errors: Vec<String>,
    preview: Option<Payouts>,
}

async fn show(desk: &mut Desk, kvk: &str, shown: Shown) -> Result<Response> {
    let path = format!("/api/v1/agencies/{kvk}/deposit/ledger");
    let ledger: Ledger = match desk.ask(Service::Deposits, (Method::GET, &path), None).await {
        Ok(ledger) => ledger,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let to_pay = |c: &&LedgerClaim| matches!(c.status, ClaimStatus::Accepted | ClaimStatus::PartlyPaid);
    let claims = ledger
        .claims
        .iter()
        .filter(to_pay)
        .map(|c| {
            let kind = l.t(&format!("claim-{}", c.claim_type.as_str()));
            (short(c.claim_id), kind, euros(c.accepted_cents), euros(Some(c.paid_cents)), status_label(&l, c.status))
        })
        .collect();
    let split = shown.preview.as_ref().map(|p| {
        let rows =
            p.payouts.iter().map(|x| (short(x.claim_id), euros(Some(x.amount_cents)), status_label(&l, x.status)));
        (rows.collect(), euros(Some(p.still_owed_cents)))
    });
    let view = DepositPage {
        chrome: Chrome::at(&l, format!("{} {kvk}", l.t("deposit-title")), format!("/admission/deposits/{kvk}")),
        head: desk.head(format!("/admission/deposits/{kvk}"), shown.done, shown.errors),
        facts: facts(&l, &ledger),
        claims,
        split,
        nonce: Uuid::new_v4().to_string(),
        l: l.clone(),
    };
    page_with(shown.status, &l, view.render())
}

/// A KvK number from the path, passed on when it is one by the suite's rule
/// ([`platform::ids::KvkNumber`]: eight digits, or a foreign agency's country and number).
fn kvk_in_path(raw: &str) -> Option<&str> {
    platform::ids::KvkNumber::parse(raw, "/path/kvk").is_ok().then_some(raw)
}

/// GET /admission/deposits/{kvk}
pub async fn deposit(state: AppState, req: Request, kvk: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    let Some(kvk) = kvk_in_path(&kvk) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-deposit"));
    };
    let done = (req.param("done") == Some("payout")).then(|| desk.lang.t("done-payout"));
    show(&mut desk, kvk, Shown { status: StatusCode::OK, done, errors: Vec::new(), preview: None }).await
}

/// POST /admission/deposits/{kvk}/{action}: `preview` (the split, nothing booked) or
/// `payout` (booked once: the form's nonce is the register's idempotency key).
pub async fn deposit_act(
    state: AppState,
    req: Request,
    (kvk, action): (String, String),
    raw: Bytes,
) -> Result<Response> {
    let (mut desk, posted) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Some(kvk), true) = (kvk_in_path(&kvk), ["preview", "payout"].contains(&action.as_str())) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-deposit"));
    };
    let answer: std::result::Result<Value, Refusal> = if action == "preview" {
        let path = format!("/api/v1/agencies/{kvk}/deposit/payout-previews");
        desk.ask(Service::Deposits, (Method::POST, &path), Some(&json!({}))).await
    } else {
        let Some(nonce) = posted.get("nonce").and_then(|n| Uuid::parse_str(n).ok()) else {
            let errors = vec![desk.lang.t("field-nonce")];
            return show(
                &mut desk,
                kvk,
                Shown { status: StatusCode::UNPROCESSABLE_ENTITY, done: None, errors, preview: None },
            )
            .await;
        };
        let path = format!("/api/v1/agencies/{kvk}/deposit/payouts");
        desk.ask_once(Service::Deposits, (Method::POST, &path), &nonce.to_string()).await
    };
    match (answer, action.as_str()) {
        (Ok(preview), "preview") => {
            let preview: Option<Payouts> = serde_json::from_value(preview).ok();
            show(&mut desk, kvk, Shown { status: StatusCode::OK, done: None, errors: Vec::new(), preview }).await
        }
        (Ok(_), _) => Ok(see_other(&format!("/admission/deposits/{kvk}?lang={}&done=payout", desk.lang.code))),
        (Err(refusal), _) => {
            let status = status_of(&refusal);
            let errors = said(&desk.lang, &refusal);
            show(&mut desk, kvk, Shown { status, done: None, errors, preview: None }).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_names_an_agency_by_eight_digits() {
        assert_eq!(kvk_in_path("12345678"), Some("12345678"));
        for bad in ["1234567", "123456789", "1234567x", "../ledger"] {
            assert_eq!(kvk_in_path(bad), None, "{bad}");
        }
    }
}
