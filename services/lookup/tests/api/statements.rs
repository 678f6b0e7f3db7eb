//! What the suite states about itself on the public host: security.txt (RFC 9116) and the
//! accessibility statement every page links to.

use crate::helpers::{Asks, spawn_lookup, spawn_lookup_with};

const LANGS: [&str; 8] = ["nl", "en", "pl", "ro", "bg", "es", "lt", "hu"];

/// The message `key` of `lang` as written in its locale file (before HTML escaping).
fn message(lang: &str, key: &str) -> String {
    let file = format!("{}/locales/{lang}/main.ftl", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = ")).map(str::to_string))
        .unwrap_or_else(|| panic!("{lang} has no {key}"))
}

fn fields(body: &str) -> Vec<(&str, &str)> {
    body.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).filter_map(|l| l.split_once(": ")).collect()
}

#[tokio::test]
async fn security_txt_names_the_contact_until_a_date_production_sets() {
    let lookup = spawn_lookup_with(|s| {
        s.own.security_contact = "mailto:cvd@register.example.nl".into();
        s.own.security_expires = "2027-06-30T02:00:00+02:00".into();
    })
    .await;
    let r = lookup.http.get(format!("{}/.well-known/security.txt", lookup.address)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    let body = r.text().await.unwrap();
    let fields = fields(&body);
    let one = |name: &str| {
        let values: Vec<&str> = fields.iter().filter(|(k, _)| *k == name).map(|(_, v)| *v).collect();
        assert_eq!(values.len(), 1, "{name} once in:\n{body}");
        values[0].to_string()
    };
    assert_eq!(one("Contact"), "mailto:cvd@register.example.nl");
    // RFC 9116 2.5.5: the Internet date/time format, here in UTC.
    assert_eq!(one("Expires"), "2027-06-30T00:00:00Z");
    assert_eq!(one("Canonical"), "http://127.0.0.1:8080/.well-known/security.txt", "the seals' public host");
    assert_eq!(one("Preferred-Languages"), "nl, en");
    assert!(one("Policy").starts_with("https://"), "{body}");
    // Watched like a certificate's end.
    let metrics = lookup.http.get(format!("{}/metrics", lookup.internal)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("zegel_security_txt_expires_seconds 1814313600"), "{metrics}");
}

#[tokio::test]
async fn a_developer_s_security_txt_expires_within_a_year() {
    let lookup = spawn_lookup().await;
    let body = lookup.text("/.well-known/security.txt").await;
    let expires = fields(&body).into_iter().find(|(k, _)| *k == "Expires").map(|(_, v)| v.to_string()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(&expires).unwrap().with_timezone(&chrono::Utc);
    let ahead = expires - chrono::Utc::now();
    assert!(ahead > chrono::Duration::days(60) && ahead < chrono::Duration::days(365), "{body}");
}

#[tokio::test]
async fn the_accessibility_statement_is_in_every_language_and_every_page_links_to_it() {
    let lookup =
        spawn_lookup_with(|s| s.own.accessibility_contact = "https://register.example.nl/barrier".into()).await;
    for lang in LANGS {
        let r = lookup.http.get(format!("{}/accessibility?lang={lang}", lookup.address)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{lang}");
        assert_eq!(r.headers()["content-language"], lang);
        let page = r.text().await.unwrap();
        assert!(page.contains(&format!("<html lang=\"{lang}\">")), "{lang}");
        let escaped = |key: &str| page.contains(&esc(&message(lang, key)));
        for key in ["accessibility-title", "accessibility-standard", "accessibility-status", "accessibility-contact"] {
            assert!(escaped(key), "{lang}: the statement says {key}\n{page}");
        }
        assert!(page.contains("WCAG 2.1"), "{lang}");
        assert!(page.contains("<a href=\"https://register.example.nl/barrier\">"), "{lang}: where to report a barrier");
        // The other pages of the lookup, in the same language, link to it.
        for path in ["/rights", "/check", "/claim", "/work-complaint", "/accessibility"] {
            let page = lookup.text(&format!("{path}?lang={lang}")).await;
            assert!(page.contains(&format!("href=\"/accessibility?lang={lang}\"")), "{path} [{lang}] links to it");
        }
    }
}

/// `text` as the pages write it (askama's HTML escaping).
fn esc(text: &str) -> String {
    text.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;").replace('"', "&#34;").replace('\'', "&#39;")
}
