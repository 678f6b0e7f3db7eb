//! Verdicts the lookup gives without a register's help, and never a stale `valid`.

use zegel_attest::Register;

use crate::helpers::{Asks, seal, spawn_lookup, spawn_lookup_with};

#[tokio::test]
async fn offline_failures_get_their_own_verdict() {
    let lookup = spawn_lookup().await;
    let good = seal(Register::Certificates, 0, 3600);
    let mut flipped = good.clone().into_bytes();
    let i = flipped.len() - 10;
    flipped[i] = if flipped[i] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let cases = [
        (seal(Register::Certificates, -7200, -3600), "expired"),
        (seal(Register::Certificates, 3600, 7200), "not_yet_valid"),
        (flipped, "tampered"),
        (good[..good.len() - 5].to_string(), "tampered"),
        ("x".repeat(3000), "tampered"),
        ("%C3%A9%C3%BC.%E2%82%AC.%F0%9F%98%80".to_string(), "tampered"),
        ("not-a-seal".to_string(), "tampered"),
    ];
    for (input, expected) in cases {
        let (status, body) = lookup.verify(&input).await;
        assert_eq!(status, 200, "{expected}: {body}");
        assert_eq!(body["verdict"], expected, "{body}");
        assert!(body["subject"].is_null(), "nothing unverified is echoed");
    }
    let (status, _) = lookup.page("%C3%A9%00%FF", "", None).await;
    assert!(status == 200 || status == 400, "garbage in the path is answered, not crashed on: {status}");
}

#[tokio::test]
async fn pages_and_answers_carry_the_security_headers_and_no_script() {
    let lookup = spawn_lookup().await;
    let seal = seal(Register::Certificates, 0, 3600);
    for path in [format!("/v/{seal}?lang=nl"), format!("/api/v1/verify/{seal}"), "/check?kvk=12345678".to_string()] {
        let r = lookup.http.get(format!("{}{path}", lookup.address)).send().await.unwrap();
        let h = r.headers().clone();
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}: the seal in the URL must not leak");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("script-src") && !csp.contains("unsafe-eval"), "{path}: no script allowed: {csp}");
        let body = r.text().await.unwrap();
        assert!(!body.contains("<script"), "{path}");
    }
}

/// CORS by need: any web page may read a verdict and the trust list; no page on another
/// site may make a visitor's browser write here (no CORS on writes, nor on the pages).
#[tokio::test]
async fn public_reads_are_readable_from_any_origin_and_writes_are_not() {
    let lookup = spawn_lookup().await;
    let seal = seal(Register::Certificates, 0, 3600);
    for path in [format!("/api/v1/verify/{seal}"), "/.well-known/zegel/trust-list".to_string()] {
        let r = lookup
            .http
            .get(format!("{}{path}", lookup.address))
            .header("origin", "https://elsewhere.example")
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["access-control-allow-origin"], "*", "{path}");
        assert!(r.headers()["access-control-expose-headers"].to_str().unwrap().contains("API-Version"), "{path}");
    }
    let writes = [
        ("/api/v1/agency-checks", serde_json::json!({"kvk_numbers": ["12345678"]})),
        ("/api/v1/kvk/registration-checks", serde_json::json!({})),
    ];
    for (path, body) in writes {
        let r = lookup
            .http
            .post(format!("{}{path}", lookup.address))
            .header("origin", "https://elsewhere.example")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.headers().get("access-control-allow-origin").is_none(), "{path}: {}", r.status());
    }
    let page = lookup.http.get(format!("{}/v/{seal}", lookup.address)).send().await.unwrap();
    assert!(page.headers().get("access-control-allow-origin").is_none(), "a page is not a public read");
}

#[tokio::test]
async fn a_genuine_seal_whose_register_cannot_be_read_is_unavailable_never_valid() {
    // This lookup's database has no certificates register at all: the live status cannot be read.
    let lookup = spawn_lookup().await;
    let (_, body) = lookup.verify(&seal(Register::Certificates, 0, 3600)).await;
    assert_eq!(body["verdict"], "unavailable", "{body}");
    assert_eq!(body["register"], "certificates");
    let (_, html) = lookup.page(&seal(Register::Certificates, 0, 3600), "?lang=en", None).await;
    assert!(html.contains("Cannot be checked right now"), "{html}");
    assert!(!html.contains("Valid<"));
}

#[tokio::test]
async fn the_page_follows_the_browser_language_and_switches_on_request() {
    let lookup = spawn_lookup().await;
    let expired = seal(Register::Certificates, -7200, -3600);
    let (_, nl) = lookup.page(&expired, "", Some("nl-NL,nl;q=0.9")).await;
    assert!(nl.contains("Verlopen — niet geldig") && nl.contains(r#"lang="nl""#), "{nl}");
    let (_, en) = lookup.page(&expired, "", Some("en-GB,en;q=0.9")).await;
    assert!(en.contains("Expired — not valid") && en.contains(r#"<html lang="en">"#), "{en}");
    let (_, switched) = lookup.page(&expired, "?lang=en", Some("nl")).await;
    assert!(switched.contains("Expired — not valid"));
    let (_, polish) = lookup.page(&expired, "", Some("pl-PL,pl;q=0.9")).await;
    assert!(polish.contains("Wygasł — nieważny") && polish.contains(r#"<html lang="pl">"#), "{polish}");
    let (_, fallback) = lookup.page(&expired, "", Some("de-DE,fr;q=0.5")).await;
    assert!(fallback.contains("Verlopen"), "Dutch when the browser's languages are not supported");
    let (_, tampered) = lookup.page("abc.def.ghi", "?lang=nl", None).await;
    assert!(tampered.contains("Niet echt — niet geldig") && tampered.contains('✗'));
    assert!(!tampered.contains("<script"), "no JavaScript");
}

#[tokio::test]
async fn public_endpoints_are_rate_limited_per_address() {
    let lookup = spawn_lookup_with(|s| s.common.public_rate_per_minute = 3).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let r = lookup.http.get(format!("{}/api/v1/verify/a.b.c", lookup.address)).send().await.unwrap();
        statuses.push((r.status().as_u16(), r.headers().get("retry-after").is_some()));
    }
    assert_eq!(statuses[..3], [(200, false), (200, false), (200, false)]);
    assert_eq!(statuses[3], (429, true));
}

#[tokio::test]
async fn a_hirer_check_without_readable_registers_is_unavailable_never_a_verdict() {
    // This lookup's database holds no register: no answer rather than a wrong one.
    let lookup = spawn_lookup().await;
    let r = lookup.http.get(format!("{}/api/v1/agencies/12345678/check", lookup.address)).send().await.unwrap();
    assert_eq!(r.status(), 503);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["type"], "urn:zegel:problem:unavailable");
    assert!(!body.to_string().contains("relation"), "no internal detail: {body}");
    let page = lookup.http.get(format!("{}/check?kvk=12345678&lang=en", lookup.address)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("A register cannot be read right now"));
}

#[tokio::test]
async fn invented_paths_add_no_metric_series() {
    let lookup = spawn_lookup().await;
    for i in 0..300 {
        lookup.http.get(format!("{}/v/p{i}", lookup.address)).send().await.unwrap();
        lookup.http.get(format!("{}/no/such/path/{i}", lookup.address)).send().await.unwrap();
    }
    let text = lookup.http.get(format!("{}/metrics", lookup.internal)).send().await.unwrap().text().await.unwrap();
    let series: Vec<&str> = text.lines().filter(|l| l.starts_with("zegel_http_requests_total{")).collect();
    assert_eq!(
        series,
        [
            r#"zegel_http_requests_total{method="GET",route="/v/{}",status="200"} 300"#,
            r#"zegel_http_requests_total{method="GET",route="unmatched",status="404"} 300"#,
        ],
        "one series per route and status, whatever the paths: {text}"
    );
    let public = lookup.http.get(format!("{}/metrics", lookup.address)).send().await.unwrap();
    assert_eq!(public.status(), 404, "metrics are not served on the public port");
}
