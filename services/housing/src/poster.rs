//! The A4 poster for the door of a certified building: the QR code large, the address,
//! the capacity and "scan to check" in every language of the page at the door. The layout
//! is a template (`templates/poster.svg`, escaped by askama); the words are Fluent
//! resources (`locales/<lang>/poster.ftl`).

use std::borrow::Cow;
use std::collections::HashMap;

use askama::Template;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use unic_langid::LanguageIdentifier;
use zegel_attest::qr;
use zegel_desk::not_issued;

use crate::Result;
use crate::store::Marked;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Bidi isolation marks have no place in SVG text.
        // Isolation off on paper only: printers' SVG renderers may draw FSI/PDI as boxes,
        // and what the poster shows passed the free-text check (no direction controls).
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Millimetres the QR code is wide (its modules; the quiet zone around them comes on
/// top): readable from a metre away in a dim hallway.
const QR_MM: f64 = 150.0;
/// Where the code's modules begin, from the top of the page (mm).
const QR_TOP_MM: f64 = 58.0;
/// Modules of quiet zone on each side, as the QR renderer draws them.
const QUIET: u32 = 4;

struct Line {
    y: usize,
    lang: &'static str,
    text: String,
}

#[derive(Template)]
#[template(path = "poster.svg", escape = "html")]
struct Poster {
    address: String,
    place: String,
    capacity_line: String,
    scale: String,
    x: String,
    y: String,
    qr: String,
    scan: Vec<Line>,
    site: String,
}

fn id(lang: &str) -> LanguageIdentifier {
    lang.parse().unwrap_or_default()
}

/// The poster of `b` whose QR code opens `seal_url`, as an A4 SVG (millimetres).
pub fn svg(b: &Marked, seal_url: &str) -> Result<String> {
    let (qr, side) = qr::svg_content(seal_url).map_err(not_issued)?;
    let scale = QR_MM / f64::from(side.saturating_sub(2 * QUIET).max(1));
    let x = &b.building;
    let args: HashMap<Cow<'static, str>, FluentValue> = [
        (Cow::Borrowed("capacity"), FluentValue::from(b.allowed.map(|c| c.to_string()).unwrap_or_else(|| "?".into()))),
        (Cow::Borrowed("bag"), FluentValue::from(x.bag_id.clone())),
    ]
    .into();
    let poster = Poster {
        address: x.street_line(),
        place: x.place_line(),
        capacity_line: LOCALES.lookup_with_args(&id("nl"), "poster-capacity", &args),
        // The modules span QR_MM, centred; the quiet zone lies around them.
        scale: format!("{scale:.5}"),
        x: format!("{:.3}", 105.0 - scale * f64::from(side) / 2.0),
        y: format!("{:.3}", QR_TOP_MM - scale * f64::from(QUIET)),
        qr,
        scan: zegel_contracts::language::codes()
            .enumerate()
            .map(|(i, lang)| Line { y: 226 + i * 8, lang, text: LOCALES.lookup(&id(lang), "poster-scan") })
            .collect(),
        site: seal_url.split("/v/").next().unwrap_or_default().to_string(),
    };
    poster.render().map_err(|e| {
        tracing::error!(error = %e, "the poster did not render");
        crate::Error::Corrupt("poster template")
    })
}

/// The fonts the PDF is drawn with, embedded in the binary (the container image has no
/// fonts of its own): DejaVu Sans covers the Latin and Cyrillic letters of all eight
/// languages.
fn fonts() -> std::sync::Arc<svg2pdf::usvg::fontdb::Database> {
    static FONTS: std::sync::OnceLock<std::sync::Arc<svg2pdf::usvg::fontdb::Database>> = std::sync::OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = svg2pdf::usvg::fontdb::Database::new();
            db.load_font_data(dejavu::sans::regular().to_vec());
            db.load_font_data(dejavu::sans::bold().to_vec());
            db.set_sans_serif_family("DejaVu Sans");
            std::sync::Arc::new(db)
        })
        .clone()
}

/// The same poster as a print-ready A4 PDF (vector: the QR code stays sharp at any size).
pub fn pdf(b: &Marked, seal_url: &str) -> Result<Vec<u8>> {
    let svg = svg(b, seal_url)?;
    let options = svg2pdf::usvg::Options { fontdb: fonts(), ..svg2pdf::usvg::Options::default() };
    let corrupt = |what: &'static str, e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "the poster did not convert to PDF ({what})");
        crate::Error::Corrupt("poster PDF")
    };
    let tree = svg2pdf::usvg::Tree::from_str(&svg, &options).map_err(|e| corrupt("parse", &e))?;
    // The SVG is in millimetres, which usvg reads at 96 pixels to the inch; at 96 dpi a
    // pixel is 0.75 pt, so the page is A4 (595 × 842 pt).
    let page = svg2pdf::PageOptions { dpi: 96.0 };
    svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), page).map_err(|e| corrupt("convert", &e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BuildingType, MarkStatus};
    use crate::store::Building;

    fn building(street: &str) -> Marked {
        Marked {
            building: Building {
                bag_id: "0363010000123456".into(),
                municipality: "0363".into(),
                provider_kvk: "12345678".into(),
                street: street.into(),
                number: 12,
                addition: None,
                postcode: "1012 DN".into(),
                place: "Amsterdam".into(),
                building_type: BuildingType::Dwelling,
                registered_on: chrono::NaiveDate::MIN,
                living_area: Some(3000),
            },
            mark_id: uuid::Uuid::nil(),
            mark_status: MarkStatus::Certified,
            mark_since: chrono::DateTime::UNIX_EPOCH,
            mark_valid_until: None,
            norm: None,
            capacity: Some(2),
            occupancy: None,
            occupancy_reported_at: None,
            occupied_since: None,
            measured: None,
            rooms_changed_at: None,
            allowed: Some(2),
            contract_forms: Vec::new(),
            tenancy_broken: Vec::new(),
        }
    }

    #[test]
    fn what_the_provider_wrote_is_escaped_and_the_qr_code_is_not() {
        let svg = svg(&building("Dijk & <Zee>"), "https://zegel.example/v/abc").unwrap_or_default();
        assert!(svg.contains("Dijk &#38; &#60;Zee&#62; 12"), "{svg}");
        assert!(!svg.contains("<Zee>"));
        assert!(svg.contains("<path") && svg.contains("Max. 2 pers."), "{svg}");
        assert!(svg.contains(r#"xml:lang="hu""#) && svg.contains("Zegel · https://zegel.example"));
    }

    #[test]
    fn every_language_of_the_door_has_its_own_words_on_the_poster() {
        let mut seen = std::collections::HashSet::new();
        for lang in zegel_contracts::language::codes() {
            let text = LOCALES.lookup(&id(lang), "poster-scan");
            assert!(!text.is_empty() && !text.contains("poster-scan"), "{lang}");
            assert!(seen.insert(text), "{lang} repeats another language's words");
        }
    }
}
