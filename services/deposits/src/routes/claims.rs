//! A worker's own wage claim (advice 2.1 C, 6.2 A, 7.2 D), its assessment by the admission
//! authority, and payouts that share a short deposit fairly.
//!
//! A worker files alone — the lookup's form at `/claim`, in the eight languages and without
//! JavaScript, or this API without a token — or through a worker support organisation
//! (role `worker_support`). The answer is a claim number and a private status link; the
//! register keeps only the hash of the link's token. The worker's name, contact and BSN (a
//! keyed hash only) are for the admission authority and the inspectorate: never in an
//! event, never to the agency.

use bytes::Bytes;
use chrono::{Months, NaiveDate};
use platform::audit::{self, Actor};
use platform::auth::{Principal, Role};
use platform::http::{Request, json, no_store, parse_json};
use platform::problem::{Checks, FieldError, Kind};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, require_idempotency_key, write};
use crate::domain::{Cents, ClaimStatus, ClaimType, EntryKind, KvkNumber, Presumption, distribute};
use crate::error::{Error, Result};
use crate::events;
use crate::ledger;
use crate::state::AppState;
use crate::store::{self, Claim};

/// How far back a claimed period may start.
const MAX_YEARS_BACK: u32 = 5;
/// Most evidence references one claim carries.
const MAX_EVIDENCE: usize = 20;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkerClaimIn {
    name: String,
    #[serde(default)]
    contact: Option<String>,
    #[serde(default)]
    bsn: Option<String>,
    period_from: String,
    period_to: String,
    /// What the worker was paid in the period, cents (0 when nothing).
    #[serde(default)]
    paid_cents: Option<Value>,
    /// What the worker claims, cents, if they know.
    #[serde(default)]
    claimed_cents: Option<Value>,
    description: String,
    #[serde(default)]
    evidence: Vec<String>,
    #[serde(default)]
    language: Option<String>,
}

/// Claims one address may file in an hour without a token (docs/authorization.md).
pub const WORKER_CLAIMS_PER_HOUR: u32 = 10;

/// The lookup's form, as a browser posts it (amounts in euros as typed).
#[derive(Debug, Deserialize)]
struct WorkerClaimForm {
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    bsn: String,
    period_from: String,
    period_to: String,
    #[serde(default)]
    paid_eur: String,
    description: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    lang: String,
    /// A fresh id the form carries, so that posting it twice files one claim.
    #[serde(default)]
    nonce: String,
}

/// Euros as typed in a form to cents ([`zegel_contracts::deposit::cents_of_euros`]).
fn euros(raw: &str, pointer: &str) -> std::result::Result<Option<i64>, FieldError> {
    zegel_contracts::deposit::cents_of_euros(raw)
        .map_err(|()| FieldError::new(pointer, "an amount in euros, e.g. 1200.50"))
}

struct Filed {
    claim: Claim,
    name: String,
    contact: Option<String>,
    bsn_hash: Option<Vec<u8>>,
}

fn date(raw: &str, pointer: &str, checks: &mut Checks) -> Option<NaiveDate> {
    checks.check(
        NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map_err(|_| FieldError::new(pointer, "a date is written YYYY-MM-DD")),
    )
}

impl WorkerClaimIn {
    /// The period the wages were due for: in order, not in the future, and at most
    /// `MAX_YEARS_BACK` years ago.
    fn period(&self, today: NaiveDate, checks: &mut Checks) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let from = date(&self.period_from, "/period_from", checks);
        let to = date(&self.period_to, "/period_to", checks);
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                checks.fail("/period_to", "not before period_from");
            }
            if to > today {
                checks.fail("/period_to", "not in the future: a claim is for wages that were due");
            }
            if today.checked_sub_months(Months::new(12 * MAX_YEARS_BACK)).is_some_and(|limit| from < limit) {
                checks.fail("/period_from", format!("at most {MAX_YEARS_BACK} years ago"));
            }
        }
        (from, to)
    }

    fn validate(self, state: &AppState, kvk: &KvkNumber) -> Result<Filed> {
        let today = state.clock.today();
        let mut checks = Checks::default();
        let name = checks.check(platform::http::bounded_text(&self.name, "/name", 200, true));
        let contact = self
            .contact
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .and_then(|c| checks.check(platform::http::bounded_text(c, "/contact", 200, true)));
        let bsn = self
            .bsn
            .as_deref()
            .filter(|b| !b.trim().is_empty())
            .and_then(|b| checks.check(platform::ids::Bsn::parse(b.trim(), "/bsn")));
        let (from, to) = self.period(today, &mut checks);
        let paid = match &self.paid_cents {
            None => Some(0),
            Some(Value::Number(n)) if n.as_i64() == Some(0) => Some(0),
            Some(v) => checks.check(Cents::parse(v, "/paid_cents")).map(Cents::get),
        };
        let claimed =
            self.claimed_cents.as_ref().and_then(|v| checks.check(Cents::parse(v, "/claimed_cents"))).map(Cents::get);
        let description = checks.check(platform::http::bounded_text(&self.description, "/description", 2000, true));
        if self.evidence.len() > MAX_EVIDENCE {
            checks.fail("/evidence", format!("at most {MAX_EVIDENCE} references"));
        }
        let evidence: Vec<String> = self
            .evidence
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.trim().is_empty())
            .filter_map(|(i, e)| checks.check(platform::http::bounded_text(e, &format!("/evidence/{i}"), 200, true)))
            .collect();
        let language = self.language.unwrap_or_else(|| "nl".into());
        // A claim remembers the language it was filed in, for its status page.
        if !zegel_contracts::language::supported(&language) {
            let codes: Vec<&str> = zegel_contracts::language::codes().collect();
            checks.fail("/language", format!("one of {}", codes.join(", ")));
        }
        checks.finish().map_err(Error::Invalid)?;
        let (Some(name), Some(from), Some(to), Some(paid), Some(description)) = (name, from, to, paid, description)
        else {
            return Err(Error::Corrupt("a checked field is missing"));
        };
        let mut claim =
            Claim::new(kvk.as_str(), ClaimType::UnpaidWages, description, ClaimStatus::Filed, state.clock.now());
        claim.amount_cents = claimed;
        claim.period_from = Some(from);
        claim.period_to = Some(to);
        claim.paid_during_cents = Some(paid);
        claim.evidence = evidence;
        claim.language = Some(language);
        let bsn_hash = bsn.map(|b| b.keyed_hash(state.settings.bsn_key.expose_secret().as_bytes()));
        Ok(Filed { claim, name, contact, bsn_hash })
    }
}

impl WorkerClaimForm {
    fn into_claim(self) -> std::result::Result<(WorkerClaimIn, Option<String>), Vec<FieldError>> {
        let paid = euros(&self.paid_eur, "/paid_eur").map_err(|e| vec![e])?;
        let lang = Some(self.lang).filter(|l| !l.is_empty());
        Ok((
            WorkerClaimIn {
                name: self.name,
                contact: Some(self.contact),
                bsn: Some(self.bsn),
                period_from: self.period_from,
                period_to: self.period_to,
                paid_cents: paid.map(|p| json!(p)),
                claimed_cents: None,
                description: self.description,
                evidence: self.evidence.lines().map(str::to_string).collect(),
                language: lang,
            },
            Some(self.nonce).filter(|n| !n.is_empty()),
        ))
    }
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// 16 bytes that only this register can derive from `what` (HMAC-SHA256 under its key).
fn keyed_bytes(state: &AppState, what: &str) -> [u8; 16] {
    let full = platform::keyed::mac(state.settings.bsn_key.expose_secret().as_bytes(), &[what.as_bytes()]);
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// A token only this register can derive from `what`, as hex.
fn keyed(state: &AppState, what: &str) -> String {
    platform::keyed::hex(&keyed_bytes(state, what))
}

/// The value of `name` in a query string.
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('='))).map(str::to_string)
}

/// The worker's private status page on the lookup, in their language.
fn status_url(state: &AppState, claim_id: Uuid, token: &str, language: &str) -> String {
    format!("{}/claims/{claim_id}?t={token}&lang={language}", state.desk.verify_url())
}

/// POST /api/v1/agencies/{kvk}/deposit/worker-claims — a worker, without an account, or a
/// worker support organisation for them. JSON answers with the claim number and the
/// status link; the lookup's form (`application/x-www-form-urlencoded`) is answered with a
/// redirect to that link, in the worker's language.
pub(super) async fn worker_claim(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let form = req.is_form();
    if !form {
        return file_worker_claim(&state, req, &kvk, &raw, false).await;
    }
    // A browser's form: whatever happens, the worker lands on a page in their language.
    let lang = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&raw)
        .ok()
        .and_then(|fields| fields.into_iter().find(|(k, _)| k == "lang").map(|(_, v)| v))
        .filter(|l| zegel_contracts::language::supported(l))
        .unwrap_or_else(|| "nl".into());
    match file_worker_claim(&state, req, &kvk, &raw, true).await {
        Ok(res) => Ok(res),
        Err(e) => {
            let error = match e {
                Error::NotFound(_) => "unknown_agency",
                Error::Invalid(_) | Error::Client(_) => "invalid",
                _ => "unavailable",
            };
            // Only a well-formed number goes back into the form's address.
            let kvk = platform::ids::KvkNumber::parse(&kvk, "/kvk").map(|k| k.as_str().to_string()).unwrap_or_default();
            Ok(platform::http::see_other(&format!(
                "{}/claim?kvk={kvk}&lang={lang}&error={error}",
                state.desk.verify_url()
            )))
        }
    }
}

/// Who files, when a token is sent: it must be a worker support organisation's (a worker
/// files without one).
fn support_organisation(state: &AppState, req: &Request) -> Result<Option<Principal>> {
    if req.authorization.is_none() {
        return Ok(None);
    }
    let p = authenticate(state, req)?;
    if !p.has(Role::WorkerSupport) || p.org.is_none() {
        return Err(Error::Forbidden(
            "A claim is filed by the worker, or by a worker support organisation for them (org = its id); an \
             authority files on its own route."
                .into(),
        ));
    }
    Ok(Some(p))
}

/// The token of the claim's private status link. A form's second post must lead to the
/// first post's page: the claim number follows from the form's nonce and a secret, its link
/// from the nonce and the form's content. The same form sent twice (a double click, a
/// reload) finds its claim; the nonce with any other content is refused — it never hands
/// the first worker's link to whoever posts it next. An API client's link is random.
fn status_link(state: &AppState, nonce: Option<&str>, raw: &Bytes, claim: &mut Claim) -> String {
    let Some(nonce) = nonce else { return Uuid::new_v4().simple().to_string() };
    let content = platform::keyed::hex(&Sha256::digest(raw));
    claim.claim_id = uuid::Builder::from_random_bytes(keyed_bytes(state, &format!("claim-id:{nonce}"))).into_uuid();
    keyed(state, &format!("claim-link:{nonce}:{content}"))
}

/// What happens next, told to whoever filed.
fn next_step(no_deposit: bool) -> &'static str {
    if no_deposit {
        "The agency holds no guarantee deposit, so nothing can be paid from one: your claim is kept and sent to the \
         admission authority and the Labour Authority (0800 5151, free), who act on it. Follow it at status_url; \
         keep that link private."
    } else {
        "The admission authority assesses the claim: it accepts it (in full or in part) or rejects it with a reason. \
         Follow it at status_url; keep that link private."
    }
}

/// The claim as posted: a form (with its nonce) or JSON.
fn claim_input(req: &Request, raw: &Bytes, form: bool) -> Result<(WorkerClaimIn, Option<String>)> {
    if !form {
        return Ok((parse_json::<WorkerClaimIn>(req, raw)?, None));
    }
    let parsed: WorkerClaimForm = serde_urlencoded::from_bytes(raw)
        .map_err(|_| Error::Client(platform::Problem::bad_request("The form is incomplete.")))?;
    parsed.into_claim().map_err(Error::Invalid)
}

/// A worker filing alone: no idempotency scope (a key one of them sent would hand another
/// the first one's status link; a form posted twice names the same claim by its nonce), and
/// a budget of claims per address (a worker files one claim, a household behind one address
/// a few). A support organisation's key is its own, and its claims count against its own
/// budget of writes.
fn anonymous_worker(state: &AppState, mut req: Request, anonymous: bool) -> Result<Request> {
    if anonymous {
        req.idempotency_key = None;
        state.core.budget("worker_claims", WORKER_CLAIMS_PER_HOUR).charge_caller(&req, None)?;
    }
    Ok(req)
}

/// Whether the form with this claim number was filed before with the same content (its
/// link's token); the same nonce with other content is refused.
async fn filed_before(tx: &deadpool_postgres::Transaction<'_>, claim_id: Uuid, token: &str) -> Result<bool> {
    if store::claim_by_id(tx, claim_id).await?.is_none() {
        return Ok(false);
    }
    if store::claim_by_token(tx, claim_id, &token_hash(token)).await?.is_none() {
        return Err(Error::Client(platform::Problem::of(Kind::IdempotencyKeyReused).with_detail(
            "This form was sent before with other content. Open the claim form again to file another claim.",
        )));
    }
    Ok(true)
}

async fn file_worker_claim(state: &AppState, req: Request, kvk: &str, raw: &Bytes, form: bool) -> Result<Response> {
    let state = state.clone();
    let raw = raw.clone();
    state.core.limiter.check(&req)?;
    let kvk = KvkNumber::from_path(kvk)?;
    let principal = support_organisation(&state, &req)?;
    let (input, nonce) = claim_input(&req, &raw, form)?;
    let mut filed = input.validate(&state, &kvk)?;
    let token = status_link(&state, nonce.as_deref(), &raw, &mut filed.claim);
    let language = filed.claim.language.clone().unwrap_or_else(|| "nl".into());
    let support_org = principal.as_ref().and_then(|p| p.org.clone());
    let role = if principal.is_some() { "worker_support" } else { "worker" };
    let actor = principal.clone().unwrap_or(Principal { subject: "worker".into(), roles: Vec::new(), org: None });
    let req = anonymous_worker(&state, req, principal.is_none())?;
    let claim_id = filed.claim.claim_id;
    let url = status_url(&state, claim_id, &token, &language);
    let answered = write(&state, &req, &actor, &raw, async |tx| {
        if nonce.is_some() && filed_before(tx, claim_id, &token).await? {
            return Ok((StatusCode::OK, json!({ "claim_id": claim_id, "status_url": url })));
        }
        // An agency without a deposit is where a worker needs help most: the claim is kept
        // and routed all the same, marked so (nothing can be paid from here).
        let mut claim = filed.claim.clone();
        claim.no_deposit = store::account(tx, kvk.as_str()).await?.is_none();
        store::insert_claim(tx, &claim, role, role, Some(&token_hash(&token))).await?;
        store::insert_claimant(
            tx,
            claim_id,
            &filed.name,
            filed.contact.as_deref(),
            filed.bsn_hash.as_deref(),
            support_org.as_deref(),
        )
        .await?;
        audit::Entry::new(Actor::system(role), "deposit.worker_claim.file", kvk.as_str(), &req.id)
            .after(json!({ "claim_id": claim_id, "support_org": support_org, "no_deposit": claim.no_deposit }))
            .publishes(events::worker_claim_filed(&claim, state.clock.now()))
            .record(tx)
            .await?;
        let next = next_step(claim.no_deposit);
        Ok((
            StatusCode::CREATED,
            json!({
                "claim_id": claim_id,
                "status": ClaimStatus::Filed,
                "status_url": url,
                "no_deposit": claim.no_deposit,
                "next": next,
            }),
        ))
    })
    .await?;
    if !form {
        return Ok(no_store(answered));
    }
    Ok(platform::http::see_other(&format!("{url}&filed=1")))
}

/// GET /api/v1/worker-claims/{id}?token= — the claim's status for whoever holds its link.
pub(super) async fn worker_claim_status(state: AppState, req: Request, id: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let not_found = || Error::NotFound("No claim with this number and link.".into());
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    let token = query_param(&req.query, "token").ok_or_else(not_found)?;
    let client = state.core.pool.get().await?;
    let claim = store::claim_by_token(&client, id, &token_hash(&token)).await?.ok_or_else(not_found)?;
    Ok(no_store(json(
        StatusCode::OK,
        &json!({
            "claim_id": claim.claim_id,
            "kvk_number": claim.kvk_number,
            "status": claim.status,
            "filed_at": claim.created_at,
            "assessed_at": claim.assessed_at,
            "accepted_cents": claim.accepted_cents,
            "paid_cents": claim.paid_cents,
            "reason": claim.rejection_reason,
        }),
    )))
}

use zegel_contracts::deposit::Decision;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssessmentIn {
    decision: Decision,
    /// The amount accepted, unless a presumption decides it.
    #[serde(default)]
    amount_cents: Option<Value>,
    #[serde(default)]
    presumption: Option<Presumption>,
    #[serde(default)]
    reason: Option<String>,
}

/// POST /api/v1/claims/{id}/assessment — the admission authority accepts a worker's claim
/// (with an amount, or the amount a presumption gives at the minimum wage in force on the
/// claim's period), accepts it in part, or rejects it, with a reason for either.
/// An assessment's amount and reason, checked against its decision: a rejection gives a
/// reason and no amount; an acceptance either an amount or a presumption; an acceptance in
/// part also a reason.
fn assessment_checked(input: &AssessmentIn) -> Result<(Option<Cents>, Option<String>)> {
    let mut checks = Checks::default();
    let amount = input.amount_cents.as_ref().and_then(|v| checks.check(Cents::parse(v, "/amount_cents")));
    let reason =
        input.reason.as_deref().and_then(|r| checks.check(platform::http::bounded_text(r, "/reason", 2000, true)));
    match input.decision {
        Decision::Reject if reason.is_none() => checks.fail("/reason", "a rejection gives its reason"),
        Decision::Reject if amount.is_some() || input.presumption.is_some() => {
            checks.fail("/amount_cents", "a rejection accepts no amount")
        }
        Decision::AcceptInPart if reason.is_none() => checks.fail("/reason", "accepting in part gives its reason"),
        Decision::Accept | Decision::AcceptInPart if amount.is_some() == input.presumption.is_some() => {
            checks.fail("/amount_cents", "either an amount or a presumption decides what is accepted")
        }
        _ => {}
    }
    checks.finish().map_err(Error::Invalid)?;
    Ok((amount, reason))
}

pub(super) async fn assess(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::AdmissionAuthority], "Only the admission authority assesses claims.")?;
    let id = platform::http::uuid_in_path(&id, "claim")?;
    let input: AssessmentIn = parse_json(&req, &raw)?;
    let (amount, reason) = assessment_checked(&input)?;
    let assessment = (&input, amount, reason.as_deref());
    write(&state, &req, &principal, &raw, async |tx| assessed(tx, (&state, &principal, &req), id, assessment).await)
        .await
}

/// Most claims the list of claims to assess holds (the oldest).
const TO_ASSESS: i64 = 500;

/// GET /api/v1/claims?status=filed|accepted — the claims that wait for the admission
/// authority: to be assessed, or accepted and not yet paid in full; oldest first; the
/// admission authority only.
pub(super) async fn to_assess(state: AppState, req: Request, _: ()) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::AdmissionAuthority], "Only the admission authority lists the claims to assess.")?;
    let client = state.core.pool.get().await?;
    let (status, claims) = match req.param("status") {
        Some("filed") => ("filed", store::claims_filed(&client, TO_ASSESS).await?),
        Some("accepted") => ("accepted", store::claims_to_pay(&client, TO_ASSESS).await?),
        _ => {
            return Err(Error::Client(platform::Problem::bad_request(
                "The lists there are: ?status=filed, ?status=accepted.",
            )));
        }
    };
    Ok(no_store(json(StatusCode::OK, &json!({ "status": status, "claims": claims }))))
}

/// GET /api/v1/claims/{id} — one claim as the admission authority assesses it (who filed
/// it is asked apart, audited: `…/claimant`).
pub(super) async fn claim_get(state: AppState, req: Request, id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::AdmissionAuthority], "Only the admission authority reads a claim here.")?;
    let id = platform::http::uuid_in_path(&id, "claim")?;
    let client = state.core.pool.get().await?;
    let claim = store::claim_by_id(&client, id).await?.ok_or_else(|| Error::NotFound(format!("No claim {id}.")))?;
    Ok(no_store(json(StatusCode::OK, &claim)))
}

/// POST /api/v1/claims/{id}/assessment-previews — what this assessment would accept: the
/// amount, and where a presumption decides it, its computation step by step. Computed by
/// the code that records an assessment, in a transaction rolled back: nothing is kept, no
/// event leaves.
pub(super) async fn preview(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::AdmissionAuthority], "Only the admission authority assesses claims.")?;
    let id = platform::http::uuid_in_path(&id, "claim")?;
    let input: AssessmentIn = parse_json(&req, &raw)?;
    let (amount, reason) = assessment_checked(&input)?;
    // A preview runs the write path (and takes its locks): it is charged as a write.
    state.core.writes.charge_caller(&req, Some(&principal))?;
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    let (_, mut answer) = assessed(&tx, (&state, &principal, &req), id, (&input, amount, reason.as_deref())).await?;
    tx.rollback().await?;
    answer["preview"] = json!(true);
    Ok(no_store(json(StatusCode::OK, &answer)))
}

/// Records the assessment of claim `id` in `tx`: its status, what it accepts (and how a
/// presumption computed it), the audit entry and the event; the claim as it is after.
async fn assessed(
    tx: &deadpool_postgres::Transaction<'_>,
    (state, principal, req): (&AppState, &Principal, &Request),
    id: Uuid,
    (input, amount, reason): (&AssessmentIn, Option<Cents>, Option<&str>),
) -> Result<(StatusCode, Value)> {
    let claim = store::claim_by_id(tx, id).await?.ok_or_else(|| Error::NotFound(format!("No claim {id}.")))?;
    store::lock_account(tx, &claim.kvk_number).await?;
    let claim = store::claim_by_id(tx, id).await?.ok_or(Error::Corrupt("claim vanished"))?;
    if claim.status != ClaimStatus::Filed {
        return Err(Error::Conflict { kind: Kind::ClaimSettled, detail: format!("Claim {id} is {}.", claim.status) });
    }
    let (status, accepted, computation) = match input.decision {
        Decision::Reject => (ClaimStatus::Rejected, None, None),
        Decision::Accept | Decision::AcceptInPart => {
            let (cents, computation) = accepted_amount(tx, &claim, input.decision, amount, input.presumption).await?;
            (ClaimStatus::Accepted, Some(cents), computation)
        }
    };
    let presumption = input.presumption.map(|p| p.as_str());
    let now = state.clock.now();
    store::assess(tx, id, status, accepted, presumption, computation.as_ref(), reason, &principal.subject, now).await?;
    let after = store::claim_by_id(tx, id).await?.ok_or(Error::Corrupt("claim vanished"))?;
    audit::Entry::new(
        Actor::of(principal, Role::AdmissionAuthority),
        format!("deposit.claim.{status}"),
        &after.kvk_number,
        &req.id,
    )
    .reason(reason.map(str::to_string))
    .after(json!({ "claim_id": id, "accepted_cents": accepted, "presumption": presumption }))
    .publishes(events::claim_assessed(&after, now))
    .record(tx)
    .await?;
    Ok((StatusCode::OK, json!(after)))
}

/// What an acceptance of `claim` accepts: the amount given, or what the presumption makes
/// owed (with its computation) — never nothing, and never less than the worker claims
/// unless accepted in part.
async fn accepted_amount(
    tx: &deadpool_postgres::Transaction<'_>,
    claim: &Claim,
    decision: Decision,
    amount: Option<Cents>,
    presumption: Option<crate::domain::Presumption>,
) -> Result<(i64, Option<serde_json::Value>)> {
    let (cents, computation) = match (amount, presumption) {
        (Some(a), _) => (a.get(), None),
        (None, Some(p)) => {
            let day = claim.period_to.unwrap_or_else(|| platform::clock::dutch_date(claim.created_at));
            let paid = claim.paid_during_cents.unwrap_or(0);
            let (cents, computation) = crate::presumption::presume(tx, p, day, paid, "/presumption").await?;
            (cents, Some(computation))
        }
        (None, None) => return Err(Error::Corrupt("an accepted claim without an amount")),
    };
    if cents <= 0 {
        return Err(Error::Invalid(vec![FieldError::new(
            "/presumption",
            "the presumption leaves nothing owed after what was paid; reject the claim with a reason",
        )]));
    }
    if decision == Decision::Accept && claim.amount_cents.is_some_and(|c| cents < c) {
        return Err(Error::Invalid(vec![FieldError::new(
            "/decision",
            "less than the worker claims: accept_in_part, with a reason",
        )]));
    }
    Ok((cents, computation))
}

/// GET /api/v1/claims/{id}/claimant — who filed a worker's claim: the admission authority
/// and the inspectorate only, every read audited.
pub(super) async fn claimant(state: AppState, req: Request, id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let role = if principal.has(Role::AdmissionAuthority) {
        Role::AdmissionAuthority
    } else if principal.has(Role::Inspectorate) {
        Role::Inspectorate
    } else {
        return Err(Error::Forbidden(
            "Only the admission authority and the inspectorate see who filed a claim.".into(),
        ));
    };
    let id = platform::http::uuid_in_path(&id, "claim")?;
    let client = state.core.pool.get().await?;
    let claimant =
        store::claimant(&client, id).await?.ok_or_else(|| Error::NotFound(format!("No worker's claim {id}.")))?;
    audit::record(
        &client,
        &audit::Entry::new(Actor::of(&principal, role), "deposit.claimant.read", id.to_string(), &req.id),
    )
    .await?;
    Ok(no_store(json(StatusCode::OK, &json!({ "claim_id": id, "claimant": claimant }))))
}

/// POST /api/v1/agencies/{kvk}/deposit/payouts — the admission authority pays out what
/// the deposit holds to the accepted claims, in the order of the advice (`distribute`):
/// wages first, what an earlier payout left unpaid first within its rank, pro rata where
/// the money does not cover a rank; never overdrawn. With an `Idempotency-Key`.
pub(super) async fn payouts(state: AppState, req: Request, kvk: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::AdmissionAuthority], "Only the admission authority pays out of a deposit.")?;
    let kvk = KvkNumber::from_path(&kvk)?;
    require_idempotency_key(&req)?;
    write(&state, &req, &principal, &[], async |tx| paid_out(tx, (&state, &principal, &req), &kvk).await).await
}

/// POST /api/v1/agencies/{kvk}/deposit/payout-previews — what a payout would pay to each
/// accepted claim now, and what would stay owed: the code that books a payout, in a
/// transaction rolled back (nothing booked, no event). The admission authority only.
pub(super) async fn payout_preview(state: AppState, req: Request, kvk: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::AdmissionAuthority], "Only the admission authority pays out of a deposit.")?;
    let kvk = KvkNumber::from_path(&kvk)?;
    // A preview runs the write path (and takes its locks): it is charged as a write.
    state.core.writes.charge_caller(&req, Some(&principal))?;
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    let (_, mut answer) = paid_out(&tx, (&state, &principal, &req), &kvk).await?;
    tx.rollback().await?;
    answer["preview"] = json!(true);
    Ok(no_store(json(StatusCode::OK, &answer)))
}

/// Books the payout of `kvk`'s deposit in `tx`: each accepted claim's share, the ledger's
/// standing after, the audit entry and the events; the answer.
async fn paid_out(
    tx: &deadpool_postgres::Transaction<'_>,
    (state, principal, req): (&AppState, &Principal, &Request),
    kvk: &KvkNumber,
) -> Result<(StatusCode, Value)> {
    let opened_on = store::lock_account(tx, kvk.as_str())
        .await?
        .ok_or_else(|| Error::NotFound(format!("Agency {kvk} has no deposit.")))?;
    let balance = store::balance(tx, kvk.as_str()).await?;
    let owed: Vec<_> = store::owed(tx, kvk.as_str()).await?.into_iter().map(|(o, _)| o).collect();
    let shares = distribute(balance, &owed);
    let now = state.clock.now();
    let mut paid = Vec::new();
    for (claim_id, cents) in &shares {
        store::book(
            tx,
            kvk.as_str(),
            EntryKind::Payout,
            *cents,
            Some(*claim_id),
            &format!("claim {claim_id}"),
            &principal.subject,
        )
        .await?;
        let status = store::pay_claim(tx, *claim_id, *cents, now).await?;
        platform::outbox::enqueue(tx, &events::payout(kvk.as_str(), *claim_id, *cents, now)).await?;
        paid.push(json!({ "claim_id": claim_id, "amount_cents": cents, "status": status }));
    }
    let standing = ledger::settle(tx, state, kvk.as_str(), opened_on, ledger::Cause::Payout, now).await?;
    let unpaid: i64 = owed.iter().map(|o| o.cents).sum::<i64>() - shares.iter().map(|(_, c)| c).sum::<i64>();
    audit::record(
        tx,
        &audit::Entry::new(Actor::of(principal, Role::AdmissionAuthority), "deposit.payouts", kvk.as_str(), &req.id)
            .after(json!({ "payouts": paid, "still_owed_cents": unpaid })),
    )
    .await?;
    Ok((StatusCode::OK, json!({ "payouts": paid, "still_owed_cents": unpaid, "standing": standing })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_as_typed_become_cents() {
        assert_eq!(euros("1200", "/p"), Ok(Some(120_000)));
        assert_eq!(euros("1200,5", "/p"), Ok(Some(120_050)));
        assert_eq!(euros(" 0.07 ", "/p"), Ok(Some(7)));
        assert_eq!(euros("", "/p"), Ok(None));
        for bad in ["-5", "12.345", "1e3", "abc", ".5", "123456789"] {
            assert!(euros(bad, "/p").is_err(), "{bad}");
        }
    }
}
