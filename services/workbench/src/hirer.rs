//! The hirer's desk (issue 35, desk 7): check an agency and keep the signed receipt that
//! proves the check (the lookup signs and keeps it; a fine's defence rests on it), report
//! a notifiable accident of an agency's worker at the hirer's site and see the reports the
//! hirer made about that agency, and the person's subscriptions to changes (the notifier
//! sends them to the hirer's own systems; the secret that signs them is shown once, when
//! the subscription is made). The hirer is the person's organisation, a KvK number.

use askama::Template;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use platform::auth::Role;
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::certificate::AccidentKind;
use zegel_contracts::register::Service;

use crate::body::Standing;
use crate::body::view::{PartView, standing_view};
use crate::desk::{Choice, Desk, Form, Head, kvk_org, notice, refused, said, status_of};
use crate::i18n::Lang;
use crate::page::{Chrome, page_with};
use crate::registers::Refusal;
use crate::state::AppState;

type Result<T> = std::result::Result<T, Error>;

const ROLE: Role = Role::Hirer;

#[derive(Debug, Deserialize)]
struct Receipt {
    url: String,
    expires_at: Option<DateTime<Utc>>,
    seal: String,
}

#[derive(Debug, Deserialize)]
struct Checked {
    #[serde(flatten)]
    standing: Standing,
    receipt: Receipt,
}

#[derive(Debug, Deserialize)]
struct Accidents {
    accidents: Vec<AccidentIn>,
}

#[derive(Debug, Deserialize)]
struct AccidentIn {
    occurred_on: NaiveDate,
    kind: AccidentKind,
    reported_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct Subscriptions {
    subscriptions: Vec<SubscriptionIn>,
}

#[derive(Debug, Deserialize)]
struct SubscriptionIn {
    subscription_id: Uuid,
    agencies: Vec<String>,
    topics: Vec<String>,
    url: String,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct Created {
    subscription_id: Uuid,
    secret: String,
}

/// What the page shows besides its forms: a check just made with its receipt, a new
/// subscription's secret, the accident reports about one agency.
#[derive(Default)]
struct Shown {
    checked: Option<(String, Checked)>,
    secret: Option<(Uuid, String)>,
    accidents_of: Option<String>,
}

#[derive(Template)]
#[template(path = "hirer.html")]
struct HirerPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    checked_kvk: String,
    standing: Option<(bool, Vec<PartView>, Vec<String>)>,
    receipt: Option<(String, String, String)>,
    kinds: Vec<Choice>,
    today: NaiveDate,
    accidents_of: String,
    accidents: Vec<(String, String, String)>,
    secret: Option<(Uuid, String)>,
    subscriptions: Vec<(Uuid, String, String, String)>,
}

fn minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&platform::clock::ZONE).format("%Y-%m-%d %H:%M").to_string()
}

async fn show(
    desk: &mut Desk,
    status: StatusCode,
    head: (Option<String>, Vec<String>),
    shown: Shown,
) -> Result<Response> {
    let subscriptions: Subscriptions =
        match desk.ask(Service::Notifier, (Method::GET, "/api/v1/subscriptions"), None).await {
            Ok(subscriptions) => subscriptions,
            Err(refusal) => return refused(&desk.lang, &refusal),
        };
    let accidents = match &shown.accidents_of {
        Some(kvk) => {
            let path = format!("/api/v1/agencies/{kvk}/accidents");
            match desk.ask::<Accidents>(Service::Certificates, (Method::GET, &path), None).await {
                Ok(found) => found.accidents,
                Err(Refusal::Said { status: 404, .. }) => Vec::new(),
                Err(refusal) => return refused(&desk.lang, &refusal),
            }
        }
        None => Vec::new(),
    };
    let l = desk.lang.clone();
    let view = HirerPage {
        chrome: Chrome::at(&l, l.t("hirer-title"), "/hirer".into()),
        head: desk.head("/hirer".into(), head.0, head.1),
        checked_kvk: shown.checked.as_ref().map(|(k, _)| k.clone()).unwrap_or_default(),
        standing: shown.checked.as_ref().map(|(_, c)| standing_view(&l, &c.standing)),
        receipt: shown.checked.map(|(_, c)| {
            let expires = c.receipt.expires_at.map(minute).unwrap_or_default();
            (c.receipt.url, expires, c.receipt.seal)
        }),
        kinds: AccidentKind::ALL
            .iter()
            .map(|k| Choice { value: k.as_str(), label: l.t(&format!("accident-{}", k.as_str())), chosen: false })
            .collect(),
        today: desk.state.clock.today(),
        accidents_of: shown.accidents_of.unwrap_or_default(),
        accidents: accidents
            .iter()
            .map(|a| (a.occurred_on.to_string(), l.t(&format!("accident-{}", a.kind.as_str())), minute(a.reported_at)))
            .collect(),
        secret: shown.secret,
        subscriptions: subscriptions
            .subscriptions
            .into_iter()
            .map(|s| {
                let follows = s.agencies.iter().chain(&s.topics).cloned().collect::<Vec<_>>().join(", ");
                (s.subscription_id, s.url, follows, minute(s.created_at))
            })
            .collect(),
        l: l.clone(),
    };
    page_with(status, &l, view.render())
}

async fn open(state: &AppState, req: &Request) -> Result<std::result::Result<(Desk, String), Response>> {
    Desk::open_for(state, req, ROLE, (kvk_org, "hirer-no-kvk")).await
}

/// GET /hirer[?accidents=kvk]
pub async fn page(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let (mut desk, _) = match open(&state, &req).await? {
        Ok(opened) => opened,
        Err(away) => return Ok(away),
    };
    let done = match req.param("done") {
        Some("accident") => Some(desk.lang.t("done-accident")),
        Some("ended") => Some(desk.lang.t("done-subscription-ended")),
        _ => None,
    };
    let accidents_of = req.param("accidents").and_then(kvk_org);
    show(&mut desk, StatusCode::OK, (done, Vec::new()), Shown { accidents_of, ..Shown::default() }).await
}

/// The agency a form names, by the platform's rule for a KvK number.
fn agency_of(form: &Form) -> Option<String> {
    form.get("kvk").and_then(kvk_org)
}

/// The notifier's request of a subscription from the form: the URL of the hirer's system
/// and the agencies to follow, one per line.
fn subscription_request(form: &Form) -> Value {
    let agencies: Vec<&str> =
        form.get("agencies").unwrap_or_default().lines().map(str::trim).filter(|a| !a.is_empty()).collect();
    json!({ "url": form.get("url").unwrap_or_default(), "agencies": agencies })
}

/// The certificates register's accident report from the form.
fn accident_request(form: &Form) -> Value {
    json!({
        "occurred_on": form.get("occurred_on").unwrap_or_default(),
        "kind": form.get("kind").unwrap_or_default(),
        "what_happened": form.get("what_happened").unwrap_or_default(),
    })
}

/// POST /hirer/{receipts|accidents|subscriptions}: a check with a receipt, an accident
/// report, a new subscription.
pub async fn act(state: AppState, req: Request, action: String, raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let unprocessable = |desk: &Desk, key: &str| (StatusCode::UNPROCESSABLE_ENTITY, (None, vec![desk.lang.t(key)]));
    let refusal = match (action.as_str(), agency_of(&form)) {
        ("receipts", Some(kvk)) => {
            let path = format!("/api/v1/agencies/{kvk}/receipts");
            match desk.ask::<Checked>(Service::Lookup, (Method::POST, &path), Some(&json!({}))).await {
                Ok(checked) => {
                    let shown = Shown { checked: Some((kvk, checked)), ..Shown::default() };
                    return show(&mut desk, StatusCode::OK, (None, Vec::new()), shown).await;
                }
                Err(refusal) => refusal,
            }
        }
        ("accidents", Some(kvk)) => {
            let path = format!("/api/v1/agencies/{kvk}/accidents");
            match desk.ask::<Value>(Service::Certificates, (Method::POST, &path), Some(&accident_request(&form))).await
            {
                Ok(_) => {
                    return Ok(see_other(&format!("/hirer?lang={}&done=accident&accidents={kvk}", desk.lang.code)));
                }
                Err(refusal) => refusal,
            }
        }
        ("subscriptions", _) => {
            let body = subscription_request(&form);
            match desk.ask::<Created>(Service::Notifier, (Method::POST, "/api/v1/subscriptions"), Some(&body)).await {
                Ok(created) => {
                    let shown = Shown { secret: Some((created.subscription_id, created.secret)), ..Shown::default() };
                    let done = Some(desk.lang.t("done-subscription"));
                    return show(&mut desk, StatusCode::CREATED, (done, Vec::new()), shown).await;
                }
                Err(refusal) => refusal,
            }
        }
        ("receipts" | "accidents", None) => {
            let (status, head) = unprocessable(&desk, "kvk-eight-digits");
            return show(&mut desk, status, head, Shown::default()).await;
        }
        _ => return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("hirer-no-such-form")),
    };
    let (status, errors) = (status_of(&refusal), said(&desk.lang, &refusal));
    show(&mut desk, status, (None, errors), Shown::default()).await
}

/// POST /hirer/subscriptions/{id}/end — the subscription ends; its pending deliveries stop.
pub async fn end(state: AppState, req: Request, (id, action): (String, String), raw: Bytes) -> Result<Response> {
    let (mut desk, _) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Ok(id), "end") = (Uuid::parse_str(&id), action.as_str()) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("hirer-no-such-form"));
    };
    let path = format!("/api/v1/subscriptions/{id}");
    match desk.ask::<Value>(Service::Notifier, (Method::DELETE, &path), None).await {
        Ok(_) => Ok(see_other(&format!("/hirer?lang={}&done=ended", desk.lang.code))),
        Err(refusal) => {
            let (status, errors) = (status_of(&refusal), said(&desk.lang, &refusal));
            show(&mut desk, status, (None, errors), Shown::default()).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_accident_is_translated() {
        let keys: Vec<String> = AccidentKind::ALL.iter().map(|k| format!("accident-{k}")).collect();
        let missing = crate::i18n::untranslated(&keys);
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn a_subscription_form_names_one_agency_per_line() {
        let form =
            Form::from(&[("url", "https://erp.example.nl/zegel"), ("agencies", "12345678\r\n\r\n 87654321 ")][..]);
        assert_eq!(
            subscription_request(&form),
            json!({"url": "https://erp.example.nl/zegel", "agencies": ["12345678", "87654321"]})
        );
    }
}
