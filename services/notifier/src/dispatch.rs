//! From the stream to the receivers. The consumer records a delivery per matching
//! subscription, then acknowledges the event; the dispatcher claims due deliveries with a
//! lease, sends them signed, and records the outcome: delivered, retried later with
//! exponential backoff and jitter, or dead after the last attempt.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use platform::outbox::Event;
use serde_json::Value;
use tokio::sync::Notify;

use crate::state::AppState;
use crate::store::DeliveryStatus;
use crate::{routing, store, webhook};

/// Records the deliveries `event` causes (before its acknowledgement on the stream).
pub async fn record(state: &AppState, event: Event) -> anyhow::Result<()> {
    let agencies = routing::agencies(&event);
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    let candidates = store::matching(&tx, &agencies, &event.addressed_to).await?;
    let now = Utc::now();
    let mut recorded = 0;
    for (sub, reach) in candidates.iter().filter_map(|s| routing::receives(s, &event, &agencies).map(|r| (s, r))) {
        let body = routing::body(sub, &event, reach, &agencies);
        store::insert_delivery(&tx, sub.subscription_id, event.event_id, &event.event_type, &body, now).await?;
        recorded += 1;
    }
    tx.commit().await?;
    if recorded > 0 {
        state.wake.notify_one();
    }
    Ok(())
}

/// Sends due deliveries until the task is aborted.
pub async fn run(state: AppState, wake: Arc<Notify>) {
    let poll = Duration::from_millis(state.settings.poll_ms);
    loop {
        match round(&state).await {
            // A full batch: there may be more due at once.
            Ok(n) if n >= state.settings.concurrency => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = format!("{e:#}"), "delivery round failed; retrying"),
        }
        let _ = tokio::time::timeout(poll, wake.notified()).await;
    }
}

/// One round: claims and sends what is due; returns how many were claimed.
pub async fn round(state: &AppState) -> anyhow::Result<usize> {
    let now = Utc::now();
    // The lease outlasts the longest attempt; a delivery whose sender died falls due after it.
    let lease = chrono::Duration::milliseconds(i64::try_from(state.settings.timeout_ms).unwrap_or(10_000) + 1_000);
    let due = {
        let client = state.core.pool.get().await?;
        store::claim_due(&client, now, now + lease, i64::try_from(state.settings.concurrency).unwrap_or(16)).await?
    };
    let n = due.len();
    // Each followed agency's public check is asked once per round, however many of its
    // followers are due, and is as fresh as the round.
    let checks = public_checks(state, &due).await;
    let checks = &checks;
    futures::stream::iter(due)
        .for_each_concurrent(state.settings.concurrency, |d| async move {
            if let Err(e) = send(state, d, checks).await {
                tracing::error!(error = format!("{e:#}"), "delivery outcome not recorded; it falls due again");
            }
        })
        .await;
    Ok(n)
}

/// The public check of every agency a due follower's webhook names (none without a lookup).
async fn public_checks(state: &AppState, due: &[store::Due]) -> HashMap<String, Result<Value, String>> {
    let base = state.settings.lookup_url.trim_end_matches('/');
    if base.is_empty() {
        return HashMap::new();
    }
    let mut agencies: Vec<String> = due.iter().filter_map(|d| routing::follower_agencies(&d.body)).flatten().collect();
    agencies.sort();
    agencies.dedup();
    futures::stream::iter(agencies)
        .map(|kvk| async move {
            let check = async {
                let res = state
                    .lookup
                    .get(format!("{base}/api/v1/agencies/{kvk}/check"))
                    .send()
                    .await
                    .map_err(|_| "the public check is unavailable".to_string())?;
                if !res.status().is_success() {
                    return Err(format!("the public check answered {}", res.status()));
                }
                let check: Value = res.json().await.map_err(|_| "the public check is unreadable".to_string())?;
                Ok(routing::public_verdict(&check))
            }
            .await;
            (kvk, check)
        })
        .buffer_unordered(state.settings.concurrency.max(1))
        .collect()
        .await
}

/// What goes out: a follower's body with each of its agencies' public checks from
/// `checks`; an authority's body, or any body when there is no lookup, as recorded.
fn as_sent(body: &Value, checks: &HashMap<String, Result<Value, String>>, with_checks: bool) -> Result<Value, String> {
    let Some(agencies) = routing::follower_agencies(body).filter(|_| with_checks) else {
        return Ok(body.clone());
    };
    let mut found = Vec::with_capacity(agencies.len());
    for kvk in agencies {
        match checks.get(&kvk) {
            Some(Ok(check)) => found.push(check.clone()),
            Some(Err(e)) => return Err(e.clone()),
            None => return Err("the public check was not asked".into()),
        }
    }
    let mut body = body.clone();
    body["checks"] = Value::Array(found);
    Ok(body)
}

/// One signed POST of `body` to the receiver: the status it answered, and what went wrong.
async fn post(
    state: &AppState,
    d: &store::Due,
    url: reqwest::Url,
    at: chrono::DateTime<Utc>,
    body: Vec<u8>,
) -> (Option<i32>, Option<String>) {
    let ts = at.timestamp();
    let res = state
        .http
        .post(url)
        .header("content-type", "application/json")
        .header(webhook::TIMESTAMP, ts.to_string())
        .header(webhook::SIGNATURE, webhook::sign(&state.secret_for(d.subscription_id), ts, &body))
        .header(webhook::EVENT_ID, d.event_id.to_string())
        .header(webhook::DELIVERY_ID, d.delivery_id.to_string())
        .body(body)
        .send()
        .await;
    match res {
        Ok(r) if r.status().is_success() => (Some(i32::from(r.status().as_u16())), None),
        Ok(r) => (Some(i32::from(r.status().as_u16())), Some(format!("receiver answered {}", r.status()))),
        Err(e) if e.is_timeout() => (None, Some("receiver timed out".into())),
        Err(_) => (None, Some("receiver unreachable".into())),
    }
}

async fn send(state: &AppState, d: store::Due, checks: &HashMap<String, Result<Value, String>>) -> anyhow::Result<()> {
    let started = Instant::now();
    let at = Utc::now();
    // The notifier must not be an amplifier: one organisation's subscriptions cause at most
    // its budget of POSTs an hour. Over it, the delivery waits; nothing is dropped.
    if let Err(over) = state.delivery_budget.charge_key(&d.payer) {
        let wait = over.retry_after.unwrap_or(60);
        let client = state.core.pool.get().await?;
        store::postpone(&client, d.delivery_id, at + chrono::Duration::seconds(i64::try_from(wait).unwrap_or(60)))
            .await?;
        state.deliveries.with_label_values(&["over_budget"]).inc();
        return Ok(());
    }
    let sent = as_sent(&d.body, checks, !state.settings.lookup_url.is_empty());
    let body = serde_json::to_vec(sent.as_ref().unwrap_or(&d.body))?;
    let target = match sent {
        // Not sent without the verdict it must carry: tried again like a failed receiver.
        Err(e) => Err(e),
        Ok(_) => webhook::check_target(&d.url, state.targets).await.map_err(|e| e.to_string()),
    };
    let (status, error) = match target {
        Err(e) => (None, Some(e)),
        Ok(url) => post(state, &d, url, at, body).await,
    };
    let attempts = d.attempts + 1;
    let (outcome, retry_at) = match &error {
        None => (DeliveryStatus::Delivered, at),
        Some(_) if attempts >= state.settings.max_attempts => (DeliveryStatus::Dead, at),
        Some(_) => {
            let wait = webhook::backoff(
                attempts,
                Duration::from_millis(state.settings.retry_base_ms),
                Duration::from_millis(state.settings.retry_max_ms),
            );
            (DeliveryStatus::Pending, at + chrono::Duration::from_std(wait).unwrap_or_default())
        }
    };
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let client = state.core.pool.get().await?;
    store::record_attempt(&client, d.delivery_id, at, status, error.as_deref(), duration_ms, outcome, retry_at).await?;
    let label = if outcome == DeliveryStatus::Pending { "retrying" } else { outcome.as_str() };
    state.deliveries.with_label_values(&[label]).inc();
    if outcome == DeliveryStatus::Dead {
        tracing::warn!(delivery.id = %d.delivery_id, event.id = %d.event_id, "delivery dead after {attempts} attempts");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_follower_s_body_goes_out_with_the_checks_of_its_agencies_or_not_at_all() {
        let follower = json!({"type": "ban.officer_banned", "agencies": ["11223344", "22334455"]});
        let mut checks = HashMap::new();
        checks.insert("11223344".to_string(), Ok(json!({"kvk_number": "11223344", "may_hire": false})));
        checks.insert("22334455".to_string(), Ok(json!({"kvk_number": "22334455", "may_hire": true})));
        let sent = as_sent(&follower, &checks, true).unwrap();
        assert_eq!(sent["checks"][0]["may_hire"], false);
        assert_eq!(sent["checks"][1]["kvk_number"], "22334455");
        checks.insert("22334455".to_string(), Err("the public check answered 503".into()));
        assert_eq!(as_sent(&follower, &checks, true).unwrap_err(), "the public check answered 503", "retried");
        assert!(as_sent(&follower, &HashMap::new(), true).is_err(), "never sent without it");
        let authority = json!({"type": "ban.officer_banned", "payload": {}, "agencies": ["11223344"]});
        assert_eq!(as_sent(&authority, &HashMap::new(), true).unwrap(), authority);
        assert_eq!(as_sent(&follower, &HashMap::new(), false).unwrap(), follower, "no lookup configured");
    }
}
