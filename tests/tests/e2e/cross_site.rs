//! CORS by the documents: the operations a document marks `x-zegel-cors: any-origin` (the
//! public reads) answer any origin and their preflight; every other path's preflight finds
//! nothing, so a browser on another site never sends the write behind it.

use serde_json::Value;
use zegel_e2e::Suite;

fn document(name: &str) -> Value {
    let path = format!("{}/../openapi/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).expect("document")).expect("yaml")
}

#[tokio::test]
async fn only_the_reads_a_document_marks_are_open_to_other_sites() {
    let suite = Suite::start().await;
    let mut open = 0;
    for (name, address) in suite.services() {
        let doc = document(name);
        for (template, item) in doc["paths"].as_object().expect("paths") {
            let path = template
                .replace("{seal}", "abc.def.ghi")
                .replace("{kvk}", "12345678")
                .replace("{bag_id}", "0363010000000001")
                .replace("{code}", "0363")
                .replace("{rendering}", "qr.svg")
                .replace("{step}", "verification")
                .replace("{register}", "crt")
                .replace("{effective_from}", "2030-01-01")
                .replace("{deficiency_id}", "00000000-0000-0000-0000-000000000000")
                .replace("{fine_id}", "00000000-0000-0000-0000-000000000000")
                .replace("{id}", "00000000-0000-0000-0000-000000000000");
            let url = format!("{address}{path}");
            let preflight = suite
                .http
                .request(reqwest::Method::OPTIONS, &url)
                .header("origin", "https://elsewhere.example")
                .header("access-control-request-method", "GET")
                .send()
                .await
                .expect("preflight");
            let allowed = preflight.headers().get("access-control-allow-origin").cloned();
            if item["get"]["x-zegel-cors"] == "any-origin" {
                open += 1;
                assert_eq!(
                    (preflight.status().as_u16(), allowed.as_ref()),
                    (204, Some(&"*".parse().expect("value"))),
                    "{name} {template}"
                );
                let read =
                    suite.http.get(&url).header("origin", "https://elsewhere.example").send().await.expect("get");
                assert_eq!(
                    read.headers().get("access-control-allow-origin").map(|v| v.as_bytes()),
                    Some(&b"*"[..]),
                    "{name} {template}: {}",
                    read.status()
                );
            } else {
                assert!(allowed.is_none() && preflight.status() != 204, "{name} {template}: {}", preflight.status());
                if item.get("get").is_some() {
                    let read =
                        suite.http.get(&url).header("origin", "https://elsewhere.example").send().await.expect("get");
                    assert!(read.headers().get("access-control-allow-origin").is_none(), "{name} GET {template}");
                }
            }
        }
    }
    // The five public reads of the lookup and the seven documents.
    assert_eq!(open, 5 + 7);
}
