//! The yearly report (advice 7.2 A): `GET /api/v1/statistics` as JSON or CSV, and a page
//! with the main figures as charts (server-drawn SVG, no script), in Dutch and English.

use std::collections::BTreeMap;

use askama::Template;
use chrono::{Datelike, NaiveDate};
use platform::http::{Request, json, no_store};
use platform::problem::FieldError;
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;

use super::page::{Chrome, page_response, param};
use crate::error::Error;
use crate::i18n::{LANGUAGES, Lang};
use crate::state::AppState;
use crate::statistics::{self, Figure, Period};
use crate::store;

/// A report as published: its figures, CSV, the CSV's hash and the seal over it.
struct Published {
    figures: Vec<Figure>,
    csv: String,
    sha256: String,
    seal: String,
}

/// The period asked for: `year` (default: that of the last release) and `as_of`, a
/// release date (default: the year's last release).
fn period(state: &AppState, req: &Request) -> Result<Period, Error> {
    let today = state.clock.today();
    let year = match param(&req.query, "year") {
        // The year of the last release (until 31 March has ended, last year's).
        None => Period::default_year(today),
        Some(raw) => raw.parse().map_err(|_| Error::Invalid(vec![FieldError::new("/query/year", "a year, YYYY")]))?,
    };
    let as_of = param(&req.query, "as_of")
        .map(|raw| raw.parse::<NaiveDate>())
        .transpose()
        .map_err(|_| Error::Invalid(vec![FieldError::new("/query/as_of", "a date, YYYY-MM-DD")]))?;
    Period::of(year, as_of, today).map_err(|why| {
        let pointer = if as_of.is_some() && why.starts_with("as_of") { "/query/as_of" } else { "/query/year" };
        Error::Invalid(vec![FieldError::new(pointer, why)])
    })
}

/// Computes the report from the registers' histories and seals its hash, once per
/// distinct report: the same figures for the same date give the same seal back.
async fn publish(state: &AppState, period: Period) -> Result<Published, Error> {
    let rows = store::register_figures(&state.core.pool, period.from, period.as_of)
        .await
        .map_err(|e| crate::agency::Unavailable(format!("statistics not read: {e:#}")))?;
    let figures = statistics::assemble(rows);
    let csv = statistics::csv(&period, &figures);
    let sha256 = statistics::sha256(&csv);
    let unavailable = |e: anyhow::Error| crate::agency::Unavailable(format!("report not kept: {e:#}"));
    let seal = match store::published_report(&state.core.pool, period.year, period.as_of, &sha256)
        .await
        .map_err(unavailable)?
    {
        Some(seal) => seal,
        None => {
            let mut facts = BTreeMap::new();
            facts.insert("sha256".to_string(), json!(sha256));
            facts.insert("as_of".to_string(), json!(period.as_of));
            let now = state.clock.now();
            let issued = state
                .desk
                .sign(&format!("statistics-{}", period.year), now, None, facts)
                .map_err(|e| crate::agency::Unavailable(format!("report not sealed: {e}")))?;
            store::insert_report(
                &state.core.pool,
                issued.seal_id,
                period.year,
                period.as_of,
                &sha256,
                &issued.token,
                now,
            )
            .await
            .map_err(unavailable)?
        }
    };
    Ok(Published { figures, csv, sha256, seal })
}

/// GET /api/v1/statistics[?year=YYYY][&as_of=YYYY-MM-DD][&format=csv]
pub(super) async fn statistics_get(state: AppState, req: Request, _: ()) -> Result<Response, Error> {
    state.core.limiter.check(&req)?;
    let period = period(&state, &req)?;
    let published = publish(&state, period).await?;
    let csv_href = format!("/api/v1/statistics?year={}&as_of={}&format=csv", period.year, period.as_of);
    if param(&req.query, "format") == Some("csv") {
        let mut res = warp::http::Response::new(published.csv.into());
        let headers = res.headers_mut();
        headers.insert("content-type", warp::http::HeaderValue::from_static("text/csv; charset=utf-8"));
        let disposition = format!("attachment; filename=\"zegel-statistics-{}-{}.csv\"", period.year, period.as_of);
        if let Ok(v) = warp::http::HeaderValue::from_str(&disposition) {
            headers.insert("content-disposition", v);
        }
        if let Ok(v) = warp::http::HeaderValue::from_str(&published.seal) {
            headers.insert("zegel-seal", v);
        }
        return Ok(platform::http::readable_anywhere(no_store(res)));
    }
    let body = json!({
        "year": period.year,
        "from": period.from,
        "as_of": period.as_of,
        "figures": published.figures,
        "suppression": format!(
            "Counts of 1 to {} about persons (bans, workers' claims and complaints, accidents) are null (CSV: <{}); \
             where one cell of a measure alone would be hidden, the next smallest is too; amounts follow their counts.",
            statistics::SMALLEST_SHOWN - 1,
            statistics::SMALLEST_SHOWN
        ),
        "csv": csv_href,
        "csv_sha256": published.sha256,
        "seal": published.seal,
        "verify": format!("{}/api/v1/verify/{}", state.desk.verify_url(), published.seal),
    });
    Ok(platform::http::readable_anywhere(no_store(json(StatusCode::OK, &body))))
}

/// One bar of a chart.
struct Bar {
    label: String,
    value: String,
    y: u32,
    width: u32,
}

/// One chart: a title, a sentence for screen readers, bars, and the same figures as a table.
struct Chart {
    id: String,
    title: String,
    desc: String,
    height: u32,
    bars: Vec<Bar>,
}

/// Where the bars start, and their longest length, in the drawing's units.
const BAR_X: u32 = 230;
const BAR_MAX: u32 = 300;

fn chart(lang: &Lang, id: &str, cells: Vec<(String, Option<i64>)>) -> Chart {
    let max = cells.iter().filter_map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let suppressed = lang.t("stat-suppressed");
    let bars: Vec<Bar> = cells
        .into_iter()
        .enumerate()
        .map(|(i, (label, v))| Bar {
            label,
            value: v.map_or(suppressed.clone(), |v| v.to_string()),
            y: u32::try_from(i).unwrap_or(0) * 30 + 8,
            width: v.map_or(0, |v| u32::try_from(v.max(0) * i64::from(BAR_MAX) / max).unwrap_or(0)),
        })
        .collect();
    let desc = bars.iter().map(|b| format!("{}: {}", b.label, b.value)).collect::<Vec<_>>().join("; ");
    Chart {
        id: id.to_string(),
        title: lang.t(&format!("stat-chart-{id}")),
        desc,
        height: u32::try_from(bars.len()).unwrap_or(0) * 30 + 16,
        bars,
    }
}

/// A code as the reader's language says it (`stat-code-<code>`), else the code itself.
fn word(lang: &Lang, code: &str) -> String {
    let key = format!("stat-code-{code}");
    if lang.has(&key) { lang.t(&key) } else { code.to_string() }
}

fn charts(lang: &Lang, figures: &[Figure]) -> Vec<Chart> {
    let named = |cells: Vec<(String, Option<i64>)>| cells.into_iter().map(|(c, v)| (word(lang, &c), v)).collect();
    let sum = |measures: &[&str]| {
        measures
            .iter()
            .map(|m| {
                let cells = statistics::by_first(figures, m);
                let total = cells.iter().try_fold(0i64, |acc, (_, v)| v.map(|v| acc + v));
                (word(lang, m), total)
            })
            .collect::<Vec<_>>()
    };
    let mut beds = statistics::by_first(figures, "beds_certified");
    beds.sort_by_key(|(_, v)| std::cmp::Reverse(v.unwrap_or(0)));
    beds.truncate(10);
    let beds = beds.into_iter().map(|(m, v)| (format!("{} {m}", lang.t("stat-municipality")), v)).collect();
    let mut complaints = statistics::by_first(figures, "work_complaints_by_category");
    complaints.extend(statistics::by_first(figures, "housing_complaints_by_category"));
    let mut grounds: Vec<(String, Option<i64>)> = statistics::by_first(figures, "suspensions_by_ground")
        .into_iter()
        .map(|(g, v)| (format!("{} · {}", lang.t("stat-suspended"), word(lang, &g)), v))
        .collect();
    grounds.extend(
        statistics::by_first(figures, "revocations_by_ground")
            .into_iter()
            .map(|(g, v)| (format!("{} · {}", lang.t("stat-revoked"), word(lang, &g)), v)),
    );
    vec![
        chart(lang, "agencies", named(statistics::by_first(figures, "agencies_by_certificate"))),
        chart(lang, "measures", grounds),
        chart(lang, "beds", beds),
        chart(lang, "inspections", named(statistics::by_first(figures, "inspections"))),
        chart(lang, "claims", sum(&["claims_filed", "claims_accepted", "claims_rejected", "claims_paid_in_full"])),
        chart(lang, "complaints", named(complaints)),
    ]
}

struct Row {
    measure: String,
    dimension: String,
    value: String,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage<'a> {
    chrome: Chrome<'a>,
    title: String,
    heading: String,
    intro: String,
    period: String,
    charts: Vec<Chart>,
    bar_x: u32,
    label_all: String,
    label_measure: String,
    label_cell: String,
    label_value: String,
    rows: Vec<Row>,
    label_csv: String,
    csv_href: String,
    label_verify: String,
    verify: String,
    sha256: String,
    label_years: String,
    years: Vec<(i32, String)>,
}

/// GET /statistics[?year=YYYY][&as_of=…][&lang=nl|en]
pub(super) async fn statistics_page(state: AppState, req: Request, _: ()) -> Result<Response, Error> {
    state.core.limiter.check(&req)?;
    let lang = Lang::negotiate_in(param(&req.query, "lang"), req.accept_language.as_deref(), &["nl", "en"]);
    let period = period(&state, &req)?;
    let published = publish(&state, period).await?;
    let rows = published
        .figures
        .iter()
        .map(|f| Row {
            measure: word(&lang, &f.measure),
            dimension: f.dimension.split('|').map(|part| word(&lang, part)).collect::<Vec<_>>().join(" · "),
            value: f.value.map_or(lang.t("stat-suppressed"), |v| v.to_string()),
        })
        .collect();
    let this_year = state.clock.today().year();
    let mut chrome = Chrome::of(&lang);
    chrome.languages = &LANGUAGES[..2];
    let page = StatisticsPage {
        chrome,
        title: lang.t("stat-title"),
        heading: format!("{} {}", lang.t("stat-title"), period.year),
        intro: lang.t("stat-intro"),
        period: format!("{} {} – {}", lang.t("stat-period"), lang.date(period.from), lang.date(period.as_of)),
        charts: charts(&lang, &published.figures),
        bar_x: BAR_X,
        label_all: lang.t("stat-all"),
        label_measure: lang.t("stat-measure"),
        label_cell: lang.t("stat-cell"),
        label_value: lang.t("stat-value"),
        rows,
        label_csv: lang.t("stat-csv"),
        csv_href: format!("/api/v1/statistics?year={}&as_of={}&format=csv", period.year, period.as_of),
        label_verify: lang.t("stat-verify"),
        verify: format!("/v/{}?lang={}", published.seal, lang.code),
        sha256: published.sha256,
        label_years: lang.t("stat-years"),
        years: ((this_year - 4).max(2000)..=this_year)
            .rev()
            .map(|y| (y, format!("/statistics?year={y}&lang={}", lang.code)))
            .collect(),
    };
    page_response(&lang, page.render(), "statistics page")
}
