//! Existence is need to know. Every operation of every document whose path names a
//! resource is called twice by each caller — no token, and every role acting for an
//! organisation that owns nothing here — once for a resource that exists and once for one
//! that does not. A caller the existing resource refuses (401, 403, 404, or for a caller
//! bound to an organisation any refusal) must get exactly the answer the missing one gets:
//! the same status and the same problem type. Otherwise the refusal itself tells a
//! stranger that the thing exists (that a BAG id houses migrants, that a certificate id is
//! real, that a claim was filed).
//!
//! What is public by design is not compared: whether an agency is registered (the hirer
//! check answers it for any KvK number), a seal (it is its own capability; verifying one is
//! public), and which certification bodies are accredited.

use std::collections::BTreeSet;

use platform::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};
use zegel_e2e::Suite;

/// The agency with a bit of everything.
const KVK: &str = "45000001";
/// The provider of the building it houses workers in.
const PROVIDER: &str = "45000002";
/// The hirer that checks, follows and reports.
const HIRER: &str = "45000009";
const BAG: &str = "0363010000450001";
const MISSING_BAG: &str = "0363010000459999";

/// The organisation each role acts for here: one that owns nothing of the fixture.
fn stranger(role: Role) -> Option<&'static str> {
    match role {
        Role::Agency | Role::HousingProvider | Role::Hirer => Some("45999991"),
        Role::CertificationBody => Some("cb-stranger"),
        Role::Municipality => Some("0599"),
        Role::WorkerSupport => Some("stranger-support"),
        _ => None,
    }
}

/// Roles that act for one organisation: for them any difference is a leak (a stranger
/// organisation may act on nothing here). The others act for the state and may act on
/// anything their role allows; for them only a refusal (401, 403) must not differ.
fn bound(role: Option<Role>) -> bool {
    role.is_none_or(|r| stranger(r).is_some())
}

/// The existing and the missing resources, by what the path names.
struct Fixture {
    certificate: String,
    cert_deficiency: String,
    ban: String,
    claim: String,
    worker_claim: String,
    worker_token: String,
    accident: String,
    work_complaint: String,
    complaint_token: String,
    placement: String,
    building_deficiency: String,
    subscription: String,
    delivery: String,
    fine: String,
}

impl Fixture {
    /// `(existing, missing)` for parameter `name` of path `template`; `None` where the
    /// thing's existence is public by design.
    fn values(&self, template: &str, name: &str) -> Option<(String, String)> {
        let fresh = || uuid::Uuid::now_v7().to_string();
        let family =
            template.trim_start_matches("/api/v1").trim_start_matches('/').split('/').next().unwrap_or_default();
        Some(match (family, name) {
            (_, "kvk") | (_, "seal") | ("certification-bodies", _) | ("seals", _) => return None,
            (_, "bag_id") => (BAG.into(), MISSING_BAG.into()),
            (_, "code") if family == "municipalities" => ("0363".into(), "0364".into()),
            (_, "code") => ("cao_wage_compliance".into(), "cao_wage_compliance".into()),
            (_, "step") => ("verification".into(), "verification".into()),
            (_, "register") => ("certificates".into(), "certificates".into()),
            (_, "effective_from") => ("2030-01-01".into(), "2030-01-01".into()),
            (_, "deficiency_id") => (self.cert_deficiency.clone(), fresh()),
            (_, "fine_id") => (self.fine.clone(), fresh()),
            ("certificates", "id") => (self.certificate.clone(), fresh()),
            ("bans", "id") => (self.ban.clone(), fresh()),
            ("claims", "id") if template.starts_with("/api/") => (self.claim.clone(), fresh()),
            ("claims", "id") | ("worker-claims", "id") => (self.worker_claim.clone(), fresh()),
            ("accidents", "id") => (self.accident.clone(), fresh()),
            ("work-complaints", "id") => (self.work_complaint.clone(), fresh()),
            ("placements", "id") => (self.placement.clone(), fresh()),
            ("buildings", "id") => (self.building_deficiency.clone(), fresh()),
            ("subscriptions", "id") => (self.subscription.clone(), fresh()),
            ("deliveries", "id") => (self.delivery.clone(), fresh()),
            other => panic!("{template}: no fixture for {other:?}; add one"),
        })
    }

    /// A required query parameter's value (for the existing resource: a capability link's
    /// real token, so that only the id differs).
    fn query(&self, template: &str, name: &str) -> String {
        match name {
            "purpose" => "existence check".into(),
            "token" | "t" if template.contains("work-complaints") => self.complaint_token.clone(),
            "token" | "t" => self.worker_token.clone(),
            _ => "x".into(),
        }
    }
}

fn doc(name: &str) -> Value {
    zegel_testkit::openapi(&format!("{}/../openapi/{name}.yaml", env!("CARGO_MANIFEST_DIR")))
}

/// The `t` or `token` of a status link.
fn link_token(url: &str) -> String {
    url.split(['?', '&']).find_map(|kv| kv.strip_prefix("t=").or(kv.strip_prefix("token="))).expect("a token").into()
}

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

async fn fixture(suite: &Suite) -> Fixture {
    let (body, certificate) = suite.certified(KVK).await;
    // The stranger body is accredited: its refusals are about whose things they are.
    let admin = suite.token(Role::Admin, None);
    let accredit = json!({"name": "Stranger body", "accredited": true});
    let url = format!("{}/api/v1/certification-bodies/cb-stranger", suite.certificates.address);
    let (status, _) = suite.send(Method::PUT, url, Some(&admin), accredit).await;
    assert_eq!(status, 200);
    // A deficiency on the certificate.
    let soon = (platform::clock::dutch_date(chrono::Utc::now()) + chrono::Days::new(20)).to_string();
    let today = platform::clock::dutch_date(chrono::Utc::now()).to_string();
    let audit = suite
        .certs_post(
            &format!("/api/v1/certificates/{certificate}/audits"),
            &body,
            json!({"performed_on": today, "report_ref": "EX-1", "deficiencies": [
                {"description": "no RI&E shared", "serious": false, "remedy_by": soon}]}),
        )
        .await;
    let cert_deficiency = audit["deficiencies"][0]["deficiency_id"].as_str().expect("deficiency").to_string();
    let ban = suite.ban_the_owner(KVK).await["ban_id"].as_str().expect("ban").to_string();
    suite.deposit_pay(KVK, 5_000_000).await;
    let claim = suite
        .file_claim(KVK, json!({"claim_type": "fine", "amount_cents": 100_000, "description": "existence"}))
        .await["claim_id"]
        .as_str()
        .expect("claim")
        .to_string();
    let worker = json!({"name": "Ioana Popescu", "period_from": "2025-08-01", "period_to": "2025-09-30",
        "paid_cents": 0, "description": "No wages for August.", "language": "ro"});
    let url = format!("{}/api/v1/agencies/{KVK}/deposit/worker-claims", suite.deposits.address);
    let (status, filed) = suite.send(Method::POST, url, None, worker).await;
    assert_eq!(status, 201, "{filed}");
    let worker_claim = filed["claim_id"].as_str().expect("id").to_string();
    let worker_token = link_token(filed["status_url"].as_str().expect("link"));

    let hirer = suite.token(Role::Hirer, Some(HIRER));
    let yesterday = (platform::clock::dutch_date(chrono::Utc::now()) - chrono::Days::new(1)).to_string();
    let accident = json!({"occurred_on": yesterday, "kind": "hospital_admission", "what_happened": "A fall."});
    let url = format!("{}/api/v1/agencies/{KVK}/accidents", suite.certificates.address);
    let (status, reported) = suite.send(Method::POST, url, Some(&hirer), accident).await;
    assert_eq!(status, 201, "{reported}");
    let accident = reported["accident_id"].as_str().expect("accident").to_string();
    let url = format!("{}/api/v1/agencies/{KVK}/work-complaints", suite.certificates.address);
    let complaint = json!({"category": "intimidation", "text": "Threatened with losing my bed.", "lang": "en"});
    let (status, sent) = suite.send(Method::POST, url, None, complaint).await;
    assert_eq!(status, 201, "{sent}");
    let work_complaint = sent["complaint_id"].as_str().expect("complaint").to_string();
    let complaint_token = link_token(sent["status_url"].as_str().expect("link"));

    // A building of another provider, where the agency places workers (accepted).
    suite.certified_building(PROVIDER, BAG).await;
    let placed = suite.place(KVK, BAG).await;
    let placement = placed["placement"]["placement_id"].as_str().expect("placement").to_string();
    let provider = suite.token(Role::HousingProvider, Some(PROVIDER));
    let (status, _) = suite
        .housing_call(Method::POST, &format!("/api/v1/placements/{placement}/acceptance"), &provider, json!({}))
        .await;
    assert_eq!(status, 200);
    let inspection = json!({"kind": "unannounced", "findings": "Fire escape blocked.",
        "deficiencies": [{"description": "Fire escape blocked", "deadline": soon}]});
    let inspector = suite.token(Role::HousingInspector, None);
    let (status, inspected) =
        suite.housing_call(Method::POST, &format!("/api/v1/buildings/{BAG}/inspections"), &inspector, inspection).await;
    assert_eq!(status, 201, "{inspected}");
    let building_deficiency = inspected["deficiencies"][0]["deficiency_id"].as_str().expect("deficiency").to_string();

    // The hirer follows the agency; a change of its standing gives it a delivery.
    let receiver = zegel_testkit::Receiver::start().await;
    let url = format!("{}/api/v1/subscriptions", suite.notifier.address);
    let (status, subscribed) =
        suite.send(Method::POST, url, Some(&hirer), json!({"url": receiver.url, "agencies": [KVK]})).await;
    assert_eq!(status, 201, "{subscribed}");
    let subscription = subscribed["subscription_id"].as_str().expect("subscription").to_string();
    let inspectorate = suite.token(Role::Inspectorate, None);
    suite
        .bans_call(Method::POST, &format!("/api/v1/bans/{ban}/lifting"), &inspectorate, json!({"reason": "annulled"}))
        .await;
    let log = format!("{}/api/v1/subscriptions/{subscription}/deliveries", suite.notifier.address);
    let mut delivery = None;
    for _ in 0..200 {
        let (_, listed) = json_of(suite.http.get(&log).bearer_auth(&hirer).send().await.expect("sent")).await;
        delivery = listed["deliveries"][0]["delivery_id"].as_str().map(str::to_string);
        if delivery.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let delivery = delivery.expect("a delivery to the hirer");

    // A fine on the hirer for a day the agency was not certified (suspended now).
    let case = json!({"hirer_kvk": HIRER, "agency_kvk": KVK, "from": today, "to": today, "workers": 1, "receipts": []});
    let url = format!("{}/api/v1/hirer-fines", suite.certificates.address);
    let (status, fine) = suite.send(Method::POST, url, Some(&inspectorate), case).await;
    assert_eq!(status, 201, "{fine}");
    let fine = fine["fine_id"].as_str().expect("fine").to_string();
    Fixture {
        certificate,
        cert_deficiency,
        ban,
        claim,
        worker_claim,
        worker_token,
        accident,
        work_complaint,
        complaint_token,
        placement,
        building_deficiency,
        subscription,
        delivery,
        fine,
    }
}

/// The status and problem type of one call; a write sends `body` (the document's example
/// of a good request, so that it gets past validation to the lookup and the ownership
/// check, where a leak would be).
async fn answer(suite: &Suite, method: &str, url: &str, body: &Value, caller: Option<Role>) -> (u16, String) {
    let mut rb = suite.http.request(method.to_uppercase().parse().expect("method"), url);
    if method != "get" {
        rb = rb.header("idempotency-key", uuid::Uuid::new_v4().to_string()).json(body);
    }
    if let Some(role) = caller {
        rb = rb.bearer_auth(suite.token(role, stranger(role)));
    }
    let r = rb.send().await.expect("answered");
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or_default();
    (status, body["type"].as_str().unwrap_or_default().to_string())
}

/// Whether `caller` may read the resource `url` acts on (a GET of its path up to the id).
async fn reads(suite: &Suite, url: &str, caller: Option<Role>) -> bool {
    let resource: String = {
        let (base, path) = url.split_at(url.find("/api/").unwrap_or(0));
        let mut parts: Vec<&str> = path.split('?').next().unwrap_or_default().split('/').collect();
        parts.truncate(5); // "", "api", "v1", the collection, the id
        format!("{base}{}", parts.join("/"))
    };
    answer(suite, "get", &resource, &Value::Null, caller).await.0 == 200
}

#[tokio::test]
async fn no_answer_tells_a_stranger_that_something_exists() {
    let suite = Suite::start().await;
    let f = fixture(&suite).await;
    let services = [
        ("certificates", suite.certificates.address.clone()),
        ("bans", suite.bans.address.clone()),
        ("deposits", suite.deposits.address.clone()),
        ("gaccounts", suite.gaccounts.address.clone()),
        ("housing", suite.housing.address.clone()),
        ("lookup", suite.lookup.address.clone()),
        ("notifier", suite.notifier.address.clone()),
    ];
    let callers: Vec<Option<Role>> = std::iter::once(None).chain(Role::ALL.iter().copied().map(Some)).collect();
    let (mut leaks, mut compared, mut routes) = (Vec::new(), 0, BTreeSet::new());
    for (name, base) in &services {
        let d = doc(name);
        for (template, item) in d["paths"].as_object().expect("paths") {
            let names: Vec<&str> =
                template.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect();
            if names.is_empty() {
                continue;
            }
            let resolved: Option<Vec<(&str, (String, String))>> =
                names.iter().map(|n| f.values(template, n).map(|v| (*n, v))).collect();
            // None: what the path names exists publicly by design.
            let Some(values) = resolved else { continue };
            for method in ["get", "post", "put", "patch", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let required: Vec<String> = op["parameters"]
                    .as_array()
                    .into_iter()
                    .chain(item["parameters"].as_array())
                    .flatten()
                    .filter(|p| p["in"] == "query" && p["required"] == true)
                    .filter_map(|p| p["name"].as_str().map(|n| format!("{n}={}", f.query(template, n))))
                    .collect();
                let query = if required.is_empty() { String::new() } else { format!("?{}", required.join("&")) };
                let url = |pick: fn(&(String, String)) -> &String| {
                    let path =
                        values.iter().fold(template.clone(), |p, (n, v)| p.replace(&format!("{{{n}}}"), pick(v)));
                    format!("{base}{path}{query}")
                };
                let (existing, missing) = (url(|v| &v.0), url(|v| &v.1));
                let example = op["requestBody"]["content"]["application/json"]["example"].clone();
                let body = if example.is_null() { json!({}) } else { example };
                routes.insert(format!("{} {template}", method.to_uppercase()));
                for caller in &callers {
                    // The missing one first: a call that acts on the existing one cannot
                    // change what the missing one answers.
                    let absent = answer(&suite, method, &missing, &body, *caller).await;
                    let present = answer(&suite, method, &existing, &body, *caller).await;
                    compared += 1;
                    let refused =
                        if bound(*caller) { !(200..300).contains(&present.0) } else { matches!(present.0, 401 | 403) };
                    // A caller for the state that may read the thing knows it exists: its
                    // refusal to act on it tells nothing (an admin may read any ban, and
                    // lifts only the civil ones).
                    if refused && present != absent && !bound(*caller) && reads(&suite, &existing, *caller).await {
                        continue;
                    }
                    if refused && present != absent {
                        let who = caller.map_or("no token".to_string(), |r| r.as_str().to_string());
                        leaks.push(format!(
                            "{} {template} as {who}: existing {present:?}, missing {absent:?}",
                            method.to_uppercase()
                        ));
                    }
                }
            }
        }
    }
    assert!(routes.len() > 45, "every resource route of the documents was walked: {routes:#?}");
    assert!(compared > 600, "{compared} calls compared");
    assert!(leaks.is_empty(), "{} answers tell existing from missing:\n{}", leaks.len(), leaks.join("\n"));
}
