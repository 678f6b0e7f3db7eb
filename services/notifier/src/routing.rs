//! Which subscriptions an event goes to: a hirer's, when the event concerns one of its
//! agencies (by KvK number as subject, or named in the payload — a building's provider);
//! an authority's, when the event is addressed to its party — a municipality only for
//! events about its own territory.

use platform::outbox::Event;
use serde_json::{Value, json};

use crate::store::Subscription;

/// The agencies (KvK numbers) an event concerns.
pub fn agencies(event: &Event) -> Vec<String> {
    let is_kvk = |s: &str| s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit());
    let mut out: Vec<String> =
        [Some(event.subject.as_str()), event.payload["kvk_number"].as_str(), event.payload["provider_kvk"].as_str()]
            .into_iter()
            .flatten()
            .filter(|s| is_kvk(s))
            .map(str::to_string)
            .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether `sub` receives `event`.
pub fn receives(sub: &Subscription, event: &Event, agencies: &[String]) -> bool {
    if sub.agencies.iter().any(|a| agencies.contains(a)) {
        return true;
    }
    sub.topics.iter().any(|topic| {
        event.addressed_to.iter().any(|p| p == topic)
            && (topic != "municipality" || event.payload["municipality"].as_str() == sub.owner_org.as_deref())
    })
}

/// The webhook body for `event` to `sub`.
pub fn body(sub: &Subscription, event: &Event) -> Value {
    json!({
        "subscription_id": sub.subscription_id,
        "event_id": event.event_id,
        "type": event.event_type,
        "subject": event.subject,
        "addressed_to": event.addressed_to,
        "occurred_at": event.occurred_at,
        "payload": event.payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(agencies: &[&str], topics: &[&str], org: Option<&str>) -> Subscription {
        Subscription {
            subscription_id: uuid::Uuid::nil(),
            owner: "o".into(),
            owner_role: "r".into(),
            owner_org: org.map(str::to_string),
            agencies: agencies.iter().map(|s| s.to_string()).collect(),
            topics: topics.iter().map(|s| s.to_string()).collect(),
            url: "http://x".into(),
            created_at: chrono::Utc::now(),
        }
    }

    fn event(kind: &str, subject: &str, to: &[&str], payload: Value) -> Event {
        Event::new(kind, subject, to, payload, chrono::Utc::now())
    }

    #[test]
    fn hirers_get_their_agencies_and_authorities_their_topics() {
        let revoked = event("certificate.revoked", "11223344", &["kvk"], json!({"kvk_number": "11223344"}));
        let mark = event(
            "housing.mark_revoked",
            "0363010000123456",
            &["municipality", "certificates"],
            json!({"provider_kvk": "11223344", "municipality": "0363"}),
        );
        let hirer = sub(&["11223344"], &[], Some("55555555"));
        let other_hirer = sub(&["99999999"], &[], None);
        let kvk = sub(&[], &["kvk"], None);
        let amsterdam = sub(&[], &["municipality"], Some("0363"));
        let rotterdam = sub(&[], &["municipality"], Some("0599"));
        for (s, e, expected, case) in [
            (&hirer, &revoked, true, "the hirer's agency"),
            (&hirer, &mark, true, "a building of the hirer's agency"),
            (&other_hirer, &revoked, false, "another agency"),
            (&kvk, &revoked, true, "addressed to KvK"),
            (&kvk, &mark, false, "not addressed to KvK"),
            (&amsterdam, &mark, true, "its own territory"),
            (&rotterdam, &mark, false, "another municipality's building"),
        ] {
            assert_eq!(receives(s, e, &agencies(e)), expected, "{case}");
        }
        assert_eq!(agencies(&mark), vec!["11223344"]);
    }
}
