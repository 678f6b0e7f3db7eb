//! Which subscriptions an event goes to: a hirer's, when the event concerns one of its
//! agencies (by KvK number as subject, or named in the payload — a building's provider);
//! an authority's, when the event is addressed to its party — a municipality only for
//! events about its own territory.

use platform::event::EventType;
use platform::outbox::Event;
use serde_json::{Value, json};

use crate::store::Subscription;

/// The agencies (KvK numbers) an event concerns.
pub fn agencies(event: &Event) -> Vec<String> {
    let is_kvk = |s: &str| platform::ids::KvkNumber::parse(s, "").is_ok_and(|k| k.as_str() == s);
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

/// Changes a follower of an agency (a hirer) may hear of: each turns a part of the public
/// check (certificate, officers clear, deposit, G-account, housing). Requests, audits,
/// deficiencies, payouts, complaints, appointments and deregistration signals stay with
/// the authorities they are addressed to.
pub const PUBLIC_CHANGES: [EventType; 19] = [
    EventType::CertificateProvisionalIssued,
    EventType::CertificateIssuedFull,
    EventType::CertificateCertified,
    EventType::CertificateExtended,
    EventType::CertificateSuspended,
    EventType::CertificateReinstated,
    EventType::CertificateRevoked,
    EventType::CertificateLapsed,
    EventType::CertificateWithdrawn,
    EventType::BanOfficerBanned,
    EventType::BanLifted,
    EventType::DepositAdequate,
    EventType::DepositShortfall,
    EventType::DepositShortfallOverdue,
    EventType::GaccountActivated,
    EventType::GaccountBlocked,
    EventType::GaccountClosed,
    EventType::HousingMarkRevoked,
    EventType::HousingMarkExpired,
];

/// Why a subscription receives an event, which decides what it is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The event is addressed to the subscriber's party: all of it.
    Addressed,
    /// It follows an agency the event concerns: that a public part changed, nothing more.
    Follower,
}

/// Whether (and why) `sub` receives `event`.
pub fn receives(sub: &Subscription, event: &Event, agencies: &[String]) -> Option<Reach> {
    let addressed = sub.topics.iter().any(|topic| {
        event.addressed_to.iter().any(|p| p == topic)
            && (topic != "municipality" || event.payload["municipality"].as_str() == sub.owner_org.as_deref())
    });
    if addressed {
        return Some(Reach::Addressed);
    }
    let follows = sub.agencies.iter().any(|a| agencies.contains(a));
    (follows && event.kind().is_some_and(|kind| PUBLIC_CHANGES.contains(&kind))).then_some(Reach::Follower)
}

/// The agencies of a follower's body (the body without a payload), whose fresh public
/// checks the dispatcher adds when it sends it; `None` for an authority's body.
pub fn follower_agencies(body: &Value) -> Option<Vec<String>> {
    if body.get("payload").is_some() {
        return None;
    }
    body["agencies"].as_array().map(|a| a.iter().filter_map(|k| k.as_str().map(str::to_string)).collect())
}

/// What a follower is told of an agency's public check: the verdict, the reasons and each
/// part's status — none of the parts' details (an IBAN, the addresses of buildings).
pub fn public_verdict(check: &Value) -> Value {
    let parts: serde_json::Map<String, Value> = check["parts"]
        .as_object()
        .map(|parts| {
            parts
                .iter()
                .map(|(name, p)| {
                    (name.clone(), json!({ "ok": p["ok"], "status": p["status"], "changed_at": p["changed_at"] }))
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "kvk_number": check["kvk_number"],
        "may_hire": check["may_hire"],
        "reasons": check["reasons"],
        "reason_codes": check["reason_codes"],
        "parts": parts,
        "checked_at": check["checked_at"],
    })
}

/// The webhook body for `event` to `sub`. A follower learns which of its agencies changed
/// and the kind of change, never the payload (an inspector's reason, a director's role, an
/// amount); the dispatcher adds each agency's public check as it is when the webhook goes
/// out (`checks`).
pub fn body(sub: &Subscription, event: &Event, reach: Reach, agencies: &[String]) -> Value {
    match reach {
        Reach::Addressed => json!({
            "subscription_id": sub.subscription_id,
            "event_id": event.event_id,
            "type": event.event_type,
            "subject": event.subject,
            "addressed_to": event.addressed_to,
            "occurred_at": event.occurred_at,
            "payload": event.payload,
        }),
        Reach::Follower => json!({
            "subscription_id": sub.subscription_id,
            "event_id": event.event_id,
            "type": event.event_type,
            "agencies": agencies.iter().filter(|a| sub.agencies.contains(a)).collect::<Vec<_>>(),
            "occurred_at": event.occurred_at,
        }),
    }
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
        // The wire as it may carry any payload: routing reads what every event has.
        Event {
            event_id: uuid::Uuid::now_v7(),
            event_type: kind.into(),
            subject: subject.into(),
            addressed_to: to.iter().map(|s| s.to_string()).collect(),
            payload,
            occurred_at: chrono::Utc::now(),
        }
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
            assert_eq!(receives(s, e, &agencies(e)).is_some(), expected, "{case}");
        }
        assert_eq!(agencies(&mark), vec!["11223344"]);
    }

    #[test]
    fn a_follower_hears_only_that_a_public_part_changed() {
        let hirer = sub(&["11223344"], &[], Some("55555555"));
        let inspectorate = sub(&[], &["inspectorate"], None);
        let request = event(
            "certificate.suspension_requested",
            "11223344",
            &["certification_body", "inspectorate"],
            json!({"kvk_number": "11223344", "reason": "the inspector's confidential reason"}),
        );
        let banned = event(
            "ban.officer_banned",
            "11223344",
            &["certificates", "inspectorate"],
            json!({"kvk_number": "11223344", "role": "director", "starts_on": "2026-12-01"}),
        );
        let payout = event("deposit.payout", "11223344", &["inspectorate"], json!({"amount_cents": 509947}));
        let deregistration = event("kvk.unjustified_deregistration", "11223344", &["inspectorate", "tax"], json!({}));
        for private in [&request, &payout, &deregistration] {
            assert_eq!(receives(&hirer, private, &agencies(private)), None, "{}", private.event_type);
        }
        assert_eq!(receives(&inspectorate, &request, &agencies(&request)), Some(Reach::Addressed));
        let reach = receives(&hirer, &banned, &agencies(&banned)).expect("a ban turns the public check");
        assert_eq!(reach, Reach::Follower);
        let told = body(&hirer, &banned, reach, &agencies(&banned)).to_string();
        assert!(told.contains("ban.officer_banned") && told.contains("11223344"), "{told}");
        for secret in ["director", "2026-12-01", "payload", "addressed_to"] {
            assert!(!told.contains(secret), "{secret} in {told}");
        }
        // The follower's body is the one the dispatcher adds the public checks to.
        let followed = body(&hirer, &banned, reach, &agencies(&banned));
        assert_eq!(follower_agencies(&followed), Some(vec!["11223344".to_string()]));
        let addressed = body(&inspectorate, &request, Reach::Addressed, &agencies(&request));
        assert_eq!(follower_agencies(&addressed), None);
        let check = json!({"kvk_number": "11223344", "may_hire": false, "reasons": ["r"], "reason_codes": ["officer_banned"],
            "parts": {"g_account": {"ok": true, "status": "active", "changed_at": null, "detail": {"iban": "NL02ABNA0123456789"}},
                      "housing": {"ok": true, "status": "all_certified", "detail": {"buildings": [{"address": "Markt 2"}]}}},
            "checked_at": "2026-12-02T00:00:00Z", "receipt": {"seal": "x"}});
        let verdict = public_verdict(&check).to_string();
        assert!(verdict.contains("officer_banned") && verdict.contains("all_certified"), "{verdict}");
        for detail in ["NL02ABNA", "Markt", "receipt"] {
            assert!(!verdict.contains(detail), "{detail} in {verdict}");
        }
    }

    /// What issue 16 added to the stream stays with the parties it is addressed to: a
    /// follower of the agency (a hirer) hears of neither, a body only of its own agencies.
    #[test]
    fn expired_evidence_and_final_fines_reach_only_their_parties() {
        let hirer = sub(&["11223344"], &[], Some("55555555"));
        let body_a = sub(&[], &["certification_body:cb-a"], Some("cb-a"));
        let body_b = sub(&[], &["certification_body:cb-b"], Some("cb-b"));
        let authority = sub(&[], &["admission_authority"], None);
        let expired = event(
            "certificate.evidence_expired",
            "11223344",
            &["certification_body:cb-a"],
            json!({"kvk_number": "11223344", "requirement": "auditor_statement"}),
        );
        let fine = event(
            "certificate.fine_irrevocable",
            "11223344",
            &["certification_body:cb-a", "admission_authority"],
            json!({"kvk_number": "11223344", "amount_cents": 2400000}),
        );
        for e in [&expired, &fine] {
            assert_eq!(receives(&hirer, e, &agencies(e)), None, "{}", e.event_type);
            assert_eq!(receives(&body_b, e, &agencies(e)), None, "{}", e.event_type);
            assert_eq!(receives(&body_a, e, &agencies(e)), Some(Reach::Addressed), "{}", e.event_type);
        }
        assert_eq!(receives(&authority, &fine, &agencies(&fine)), Some(Reach::Addressed));
        assert_eq!(receives(&authority, &expired, &agencies(&expired)), None);
    }
}
