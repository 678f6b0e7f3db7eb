//! Subscriptions (authenticated; each caller sees only its own), their delivery log, and
//! manual redelivery. The secret that signs the webhooks is shown once, at creation.

use bytes::Bytes;
use chrono::Utc;
use platform::audit::{self, Actor};
use platform::auth::{Principal, Role};
use platform::http::{Request, json, no_store, parse_json};
use platform::ids::KvkNumber;
use platform::problem::FieldError;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;

use super::authenticate;
use crate::state::AppState;
use crate::store::{self, Subscription};
use crate::{Error, Result, webhook};

/// Most agencies one subscription follows (a hirer's supplier list).
const MAX_AGENCIES: usize = 500;

/// The topics a caller may subscribe to: the parties its roles are.
fn allowed_topics(p: &Principal) -> Vec<String> {
    let mut topics = Vec::new();
    for (role, topic) in [
        (Role::Kvk, "kvk"),
        (Role::Inspectorate, "inspectorate"),
        (Role::Tax, "tax"),
        (Role::HousingInspector, "housing_inspector"),
        (Role::AdmissionAuthority, "admission_authority"),
    ] {
        if p.has(role) {
            topics.push(topic.to_string());
        }
    }
    // A municipality hears of its own territory only (filtered per event by its code).
    if p.has(Role::Municipality) && p.org.is_some() {
        topics.push("municipality".into());
    }
    if let (true, Some(org)) = (p.has(Role::CertificationBody), &p.org) {
        topics.push(format!("certification_body:{org}"));
    }
    // What concerns an agency or a hirer itself: an accident reported to the agency, the
    // safety check a hirer waits for (advice 2.1 G).
    if let (true, Some(org)) = (p.has(Role::Agency), &p.org) {
        topics.push(format!("agency:{org}"));
    }
    if let (true, Some(org)) = (p.has(Role::Hirer), &p.org) {
        topics.push(format!("hirer:{org}"));
    }
    topics
}

/// Whose a subscription is: the token's subject for its organisation (a client credential
/// may act for several organisations; each sees only its own).
fn owner_of(p: &Principal) -> String {
    format!("{}@{}", p.subject, p.org.as_deref().unwrap_or("-"))
}

fn id_from_path(raw: &str, what: &str) -> Result<Uuid> {
    Ok(platform::http::uuid_in_path(raw, what)?)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscriptionIn {
    url: String,
    #[serde(default)]
    agencies: Vec<String>,
    #[serde(default)]
    topics: Vec<String>,
}

impl SubscriptionIn {
    /// The agencies and topics to follow (sorted, without repeats), every field checked
    /// and every error reported at once.
    async fn validate(&self, principal: &Principal, targets: webhook::Targets) -> Result<(Vec<String>, Vec<String>)> {
        let mut errors = Vec::new();
        if self.agencies.is_empty() && self.topics.is_empty() {
            errors.push(FieldError::new("/agencies", "name agencies to follow, topics, or both"));
        }
        if self.agencies.len() > MAX_AGENCIES {
            errors.push(FieldError::new("/agencies", format!("at most {MAX_AGENCIES}")));
        }
        let mut agencies: Vec<String> = self
            .agencies
            .iter()
            .enumerate()
            .filter_map(|(i, k)| {
                KvkNumber::parse(k, &format!("/agencies/{i}"))
                    .map_err(|e| errors.push(e))
                    .ok()
                    .map(|k| k.as_str().to_string())
            })
            .collect();
        agencies.sort();
        agencies.dedup();
        let allowed = allowed_topics(principal);
        for (i, t) in self.topics.iter().enumerate() {
            if !allowed.contains(t) {
                let may = if allowed.is_empty() { "no topics".into() } else { allowed.join(", ") };
                errors.push(FieldError::new(format!("/topics/{i}"), format!("this caller may subscribe to: {may}")));
            }
        }
        if let Err(e) = webhook::check_target(&self.url, targets).await {
            errors.push(FieldError::new("/url", e.to_string()));
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let mut topics = self.topics.clone();
        topics.sort();
        topics.dedup();
        Ok((agencies, topics))
    }
}

const SUBSCRIBERS: [Role; 9] = [
    Role::Hirer,
    Role::Kvk,
    Role::Inspectorate,
    Role::Tax,
    Role::Municipality,
    Role::HousingInspector,
    Role::CertificationBody,
    Role::AdmissionAuthority,
    Role::Agency,
];

/// Whether the organisation of `sub` may have one more live subscription. One event is at
/// most this many POSTs of one organisation's: a cap, not a meter. The organisation's row is
/// locked so that two concurrent creations cannot both pass.
async fn room_for_one_more(
    state: &AppState,
    tx: &deadpool_postgres::Transaction<'_>,
    sub: &Subscription,
) -> Result<()> {
    let payer = sub.owner_org.clone().unwrap_or_else(|| sub.owner.clone());
    store::lock_payer(tx, &payer).await?;
    let max = state.settings.max_subscriptions;
    if store::live_subscriptions(tx, &payer).await? < i64::from(max) {
        return Ok(());
    }
    Err(Error::Invalid(vec![platform::problem::FieldError::new(
        "/url",
        format!("at most {max} live subscriptions per organisation: delete one first, or name several agencies in one"),
    )]))
}

pub(super) async fn create(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let role = SUBSCRIBERS.into_iter().find(|r| principal.has(*r)).ok_or_else(|| {
        Error::Forbidden("Hirers, agencies (for what concerns them) and authorities subscribe.".into())
    })?;
    let input: SubscriptionIn = parse_json(&req, &raw)?;
    if role == Role::Agency && !input.agencies.is_empty() {
        return Err(Error::Forbidden(
            "An agency subscribes to what is addressed to it (agency:<its KvK number>), not to agencies.".into(),
        ));
    }
    let (agencies, topics) = input.validate(&principal, state.targets).await?;
    let sub = Subscription {
        subscription_id: Uuid::now_v7(),
        owner: owner_of(&principal),
        owner_role: role.as_str().into(),
        owner_org: principal.org.clone(),
        agencies,
        topics,
        url: input.url,
        created_at: Utc::now(),
    };
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    room_for_one_more(&state, &tx, &sub).await?;
    store::insert_subscription(&tx, &sub).await?;
    let mut body = serde_json::to_value(&sub).unwrap_or_default();
    audit::Entry::new(Actor::of(&principal, role), "subscription.create", sub.subscription_id.to_string(), &req.id)
        .after(body.clone())
        .record(&tx)
        .await?;
    tx.commit().await?;
    body["secret"] = json!(state.secret_for(sub.subscription_id));
    body["signature"] = json!({
        "headers": [webhook::TIMESTAMP, webhook::SIGNATURE, webhook::EVENT_ID, webhook::DELIVERY_ID],
        "scheme": "v1 = hex HMAC-SHA256(secret, timestamp + '.' + body); reject timestamps older than 300 s; dedupe on the event id",
    });
    Ok(no_store(json(StatusCode::CREATED, &body)))
}

pub(super) async fn list(state: AppState, req: Request, _: ()) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let client = state.core.pool.get().await?;
    let subs = store::subscriptions_of(&client, &owner_of(&principal)).await?;
    Ok(no_store(json(StatusCode::OK, &json!({ "subscriptions": subs }))))
}

async fn own(state: &AppState, principal: &Principal, id: &str) -> Result<Subscription> {
    let id = id_from_path(id, "subscription")?;
    let client = state.core.pool.get().await?;
    store::subscription_of(&client, &owner_of(principal), id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("You have no subscription {id}.")))
}

pub(super) async fn one(state: AppState, req: Request, id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let sub = own(&state, &principal, &id).await?;
    Ok(no_store(json(StatusCode::OK, &sub)))
}

pub(super) async fn delete(state: AppState, req: Request, id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let sub = own(&state, &principal, &id).await?;
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    store::delete_subscription(&tx, sub.subscription_id, Utc::now()).await?;
    audit::Entry::new(
        Actor::of(&principal, Role::parse(&sub.owner_role).unwrap_or(Role::Hirer)),
        "subscription.delete",
        sub.subscription_id.to_string(),
        &req.id,
    )
    .before(serde_json::to_value(&sub).ok())
    .record(&tx)
    .await?;
    tx.commit().await?;
    let mut res = Response::new(Default::default());
    *res.status_mut() = StatusCode::NO_CONTENT;
    Ok(res)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogQuery {
    #[serde(default)]
    limit: Option<i64>,
}

/// GET /api/v1/subscriptions/{id}/deliveries — the delivery log, each attempt included.
pub(super) async fn deliveries(state: AppState, req: Request, id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let sub = own(&state, &principal, &id).await?;
    let q: LogQuery = serde_urlencoded::from_str(&req.query)
        .map_err(|e| Error::Client(platform::Problem::bad_request(format!("Bad query: {e}."))))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Error::Client(platform::Problem::bad_request("limit is 1 to 1000.")));
    }
    let client = state.core.pool.get().await?;
    let log = store::deliveries(&client, sub.subscription_id, limit).await?;
    Ok(no_store(json(StatusCode::OK, &json!({ "subscription_id": sub.subscription_id, "deliveries": log }))))
}

/// POST /api/v1/deliveries/{id}/redelivery — send a delivery (dead or not) again.
pub(super) async fn redeliver(state: AppState, req: Request, id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let id = id_from_path(&id, "delivery")?;
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    if !store::redeliver(&tx, &owner_of(&principal), id, Utc::now()).await? {
        return Err(Error::NotFound(format!("You have no delivery {id}.")));
    }
    let role = principal.roles.first().copied().unwrap_or(Role::Hirer);
    audit::Entry::new(Actor::of(&principal, role), "delivery.redeliver", id.to_string(), &req.id).record(&tx).await?;
    tx.commit().await?;
    state.wake.notify_one();
    Ok(no_store(json(
        StatusCode::ACCEPTED,
        &json!({ "delivery_id": id, "status": crate::store::DeliveryStatus::Pending }),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, org: Option<&str>) -> Principal {
        Principal { subject: "s".into(), roles: vec![role], org: org.map(str::to_string) }
    }

    #[test]
    fn each_party_subscribes_to_what_is_addressed_to_it_and_nothing_else() {
        assert_eq!(allowed_topics(&principal(Role::AdmissionAuthority, None)), ["admission_authority"]);
        assert_eq!(allowed_topics(&principal(Role::Agency, Some("11223344"))), ["agency:11223344"]);
        assert_eq!(allowed_topics(&principal(Role::Hirer, Some("87654321"))), ["hirer:87654321"]);
        assert!(allowed_topics(&principal(Role::Agency, None)).is_empty(), "an agency without its KvK number");
        assert!(allowed_topics(&principal(Role::WorkerSupport, Some("fairwork"))).is_empty());
    }
}
