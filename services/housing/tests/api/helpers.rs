//! Test harness: the housing register on port 0 against a fresh database, on a movable clock.

use platform::auth::Role;
use serde_json::{Value, json};
use zegel_housing::Housing;
use zegel_housing::config::Settings;

/// A BAG id in Amsterdam (0363).
pub const BAG: &str = "0363010000123456";
/// The provider's KvK number.
pub const PROVIDER: &str = "12345678";

/// The housing register under test (client, state, clock, Redis prefix, database), with
/// the helpers its tests share.
pub struct TestApp(zegel_testkit::Running<Housing>);

impl std::ops::Deref for TestApp {
    type Target = zegel_testkit::Running<Housing>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(tune: impl FnOnce(&mut Settings) + Send + 'static) -> TestApp {
    let app = zegel_testkit::start::<Housing>(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"), |s| {
        s.own.sweep_interval_secs = 3600;
        let (key, cert) = zegel_testkit::pki().signer_paths(zegel_attest::Register::Housing);
        (s.own.seal_key, s.own.seal_cert) = (key, cert);
        tune(s);
    })
    .await;
    TestApp(app)
}

pub fn building() -> Value {
    json!({"bag_id": BAG, "street": "Oudezijds Achterburgwal", "number": 12, "addition": "2-hoog", "postcode": "1012dn", "place": "Amsterdam", "building_type": "dwelling"})
}

impl TestApp {
    pub fn provider(&self) -> String {
        self.token(&[Role::HousingProvider], Some(PROVIDER))
    }

    /// Tells the register, as the certificates register would, that `body` holds an
    /// application of agency `kvk`, and waits until it has taken that in.
    pub async fn held(&self, kvk: &str, body: &str) -> uuid::Uuid {
        let certificate_id = uuid::Uuid::now_v7();
        let issued = zegel_testkit::events::issued(certificate_id, kvk, body);
        zegel_testkit::publish(&self.prefix.0, &issued).await;
        self.until(&format!("select count(*) from housing.certifier where certificate_id = '{certificate_id}'"), 1)
            .await;
        certificate_id
    }

    /// Waits until `sql` (a count) gives `n`.
    pub async fn until(&self, sql: &str, n: i64) {
        for _ in 0..100 {
            if self.db.value::<i64>(sql).await == n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{sql} never gave {n}");
    }

    pub fn inspector(&self) -> String {
        self.token(&[Role::HousingInspector], None)
    }

    pub fn municipality(&self, code: &str) -> String {
        self.token(&[Role::Municipality], Some(code))
    }

    /// A registered building with two bedrooms of 6 m² and 35 m² living area (capacity 2).
    pub async fn registered(&self, body: Value) -> String {
        let bag = body["bag_id"].as_str().expect("bag id").to_string();
        let r = self.post("/api/v1/buildings", &self.provider(), body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let r = self
            .put(
                &format!("/api/v1/buildings/{bag}/rooms"),
                &self.provider(),
                json!({"bedrooms": [6, 6], "living_area": 35}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        bag
    }

    /// Records an inspection that measures the rooms as `registered` reports them;
    /// `deficiencies` as (description, days from today to the deadline).
    pub async fn inspect(&self, bag: &str, deficiencies: &[(&str, i64)]) -> zegel_testkit::Reply {
        let today = self.clock.today();
        let list: Vec<Value> = deficiencies
            .iter()
            .map(|(d, days)| json!({"description": d, "deadline": (today + chrono::Duration::days(*days)).to_string()}))
            .collect();
        self.inspect_with(bag, json!({"deficiencies": list, "measured": {"bedrooms": [6, 6], "living_area": 35}})).await
    }

    /// Records an announced inspection with these fields besides kind and findings.
    pub async fn inspect_with(&self, bag: &str, fields: Value) -> zegel_testkit::Reply {
        let mut body = json!({"kind": "announced", "findings": "Walked through every room."});
        if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
            body.extend(fields.clone());
        }
        self.post(&format!("/api/v1/buildings/{bag}/inspections"), &self.inspector(), body).await
    }

    /// A certified building.
    pub async fn certified(&self) -> String {
        let bag = self.registered(building()).await;
        let r = self.inspect(&bag, &[]).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["mark"]["status"], "certified", "{:?}", r.body);
        bag
    }

    /// A seal of the certified building `bag`, issued by its provider; its id.
    pub async fn seal(&self, bag: &str) -> String {
        let r = self.post(&format!("/api/v1/buildings/{bag}/seal"), &self.provider(), json!({})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["seal_id"].as_str().expect("seal id").to_string()
    }

    /// What the lookup would read for a seal: (status, facts).
    pub async fn live(&self, seal_id: &str) -> (String, Value) {
        let client = self.state.core.pool.get().await.expect("connection");
        let id: uuid::Uuid = seal_id.parse().expect("seal id");
        let row = client
            .query_one("select status, facts from seal_status where seal_id = $1", &[&id])
            .await
            .expect("the view answers");
        (row.get(0), row.get(1))
    }

    pub async fn sweep(&self) -> zegel_housing::sweep::Report {
        zegel_housing::sweep::run(&self.state).await.expect("sweep")
    }
}
