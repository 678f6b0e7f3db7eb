//! Live checks in the other registers at certification (advice 2.1: no banned director,
//! a G-account in use, the guarantee deposit paid and topped up; advice 4: every building
//! the agency houses workers in certified). The register's own public answer is asked at the moment of
//! certification; a recorded checkbox no longer decides these requirements. The answers are
//! decoded into the standing's facts and judged by `zegel_contracts` — the same rule the
//! lookup applies to the hirer check and to the agency's certificate seal. When a
//! register is not configured (its URL empty) the recorded requirement still decides,
//! and the service warns at start: that is for running this register alone.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use zegel_contracts::agency::{self, Part, Reason};
use zegel_contracts::{Facts, Housed, Housing};

use crate::domain::RequirementCode;
use crate::domain::fine::Receipt;

/// A register's status word as the standing's type; a word it does not know means the
/// register answered something this one cannot judge.
fn decode<T: DeserializeOwned>(register: &'static str, v: &Value) -> Result<T, Unreachable> {
    serde_json::from_value(v.clone()).map_err(|e| Unreachable { register, reason: format!("unknown status: {e}") })
}

/// Why a live check could not be made.
#[derive(Debug, thiserror::Error)]
#[error("the {register} register could not be asked: {reason}")]
pub struct Unreachable {
    pub register: &'static str,
    pub reason: String,
}

fn requirement_of(part: Part) -> Option<RequirementCode> {
    match part {
        Part::Officers => Some(RequirementCode::NoBannedDirector),
        Part::Deposit => Some(RequirementCode::DepositPaid),
        Part::GAccount => Some(RequirementCode::GAccountInUse),
        Part::Housing => Some(RequirementCode::HousingCertified),
        // The certificate is this register's own; safety concerns one hirer's check.
        Part::Certificate | Part::Safety => None,
    }
}

#[derive(Debug, Clone)]
pub struct Registers {
    http: reqwest::Client,
    bans: Option<String>,
    gaccounts: Option<String>,
    deposits: Option<String>,
    housing: Option<String>,
    /// Where seals verify (the lookup): receipts of the hirer check shown as a defence.
    lookup: Option<String>,
}

impl Registers {
    /// Asks the registers at these base URLs (empty: not configured).
    pub fn new(bans: &str, gaccounts: &str, deposits: &str, housing: &str, lookup: &str) -> Self {
        let configured = |u: &str| (!u.trim().is_empty()).then(|| u.trim_end_matches('/').to_string());
        let http = reqwest::Client::builder().timeout(Duration::from_secs(3)).build().unwrap_or_default();
        let registers = Self {
            http,
            bans: configured(bans),
            gaccounts: configured(gaccounts),
            deposits: configured(deposits),
            housing: configured(housing),
            lookup: configured(lookup),
        };
        if registers.bans.is_none()
            || registers.gaccounts.is_none()
            || registers.deposits.is_none()
            || registers.housing.is_none()
        {
            tracing::warn!("a register URL is not configured: its requirement is decided by the recorded checkbox");
        }
        registers
    }

    /// The requirements decided live, each `None` when met or `Some(reason)` when not: the
    /// registers' public answers decoded into the standing's facts and judged by the one
    /// standing (`zegel_contracts::agency`), as the lookup judges them.
    /// `request_id` goes along on every call, so that each register's log names the request.
    pub async fn check(
        &self,
        kvk: &str,
        request_id: &str,
    ) -> Result<Vec<(RequirementCode, Option<Reason>)>, Unreachable> {
        let (facts, asked) = self.facts(kvk, request_id).await?;
        Ok(asked.into_iter().filter_map(|part| Some((requirement_of(part)?, agency::judge(part, &facts)))).collect())
    }

    /// The starter's entry test (`zegel_contracts::agency::entry`) on the registers' answers
    /// now: each failing part as its requirement and reason; empty when it passes. A
    /// register that is not configured is not asked.
    pub async fn entry(&self, kvk: &str, request_id: &str) -> Result<Vec<(RequirementCode, Reason)>, Unreachable> {
        let (facts, asked) = self.facts(kvk, request_id).await?;
        Ok(agency::entry(&facts)
            .into_iter()
            .filter(|reason| asked.contains(&reason.part()))
            .filter_map(|reason| Some((requirement_of(reason.part())?, reason)))
            .collect())
    }

    /// The phoenix radar of the bans register for `kvk` (`GET …/officer-links`), asked with
    /// the caller's own token (`authorization`): the bans register logs the body as the
    /// reader, with the purpose. Empty when the bans register is not configured.
    pub async fn officer_links(
        &self,
        kvk: &str,
        request_id: &str,
        authorization: &str,
    ) -> Result<Vec<crate::domain::reentry::Link>, Unreachable> {
        let Some(base) = &self.bans else {
            return Ok(Vec::new());
        };
        let url =
            format!("{base}/api/v1/agencies/{kvk}/officer-links?purpose=entry%20test%20of%20a%20new%20certificate");
        let unreachable = |reason: String| Unreachable { register: "bans", reason };
        let (status, body) = self.get_as("bans", &url, request_id, Some(authorization)).await?;
        if status != 200 {
            return Err(unreachable(format!("answered {status}")));
        }
        serde_json::from_value(body["links"].clone()).map_err(|e| unreachable(format!("unreadable links: {e}")))
    }

    /// Whether a claim on `kvk`'s guarantee deposit is not settled (filed, accepted or partly
    /// paid), asked of the deposits register with the agency's own token (`authorization`):
    /// the agency reads its own claims' status there, and nobody else's. `false` when the
    /// deposits register is not configured or holds no deposit for it.
    pub async fn pending_claims(&self, kvk: &str, request_id: &str, authorization: &str) -> Result<bool, Unreachable> {
        let Some(base) = &self.deposits else {
            return Ok(false);
        };
        let unreachable = |reason: String| Unreachable { register: "deposits", reason };
        let url = format!("{base}/api/v1/agencies/{kvk}/deposit/ledger");
        let (status, body) = self.get_as("deposits", &url, request_id, Some(authorization)).await?;
        match status {
            404 => return Ok(false),
            200 => {}
            s => return Err(unreachable(format!("answered {s}"))),
        }
        let claims = body["claims"].as_array().ok_or_else(|| unreachable("no claims in the ledger".into()))?;
        Ok(claims.iter().any(|c| matches!(c["status"].as_str(), Some("filed" | "accepted" | "partly_paid"))))
    }

    /// What the configured registers say about `kvk` now, and which parts they decide.
    async fn facts(&self, kvk: &str, request_id: &str) -> Result<(Facts, Vec<Part>), Unreachable> {
        let get = async |register: &'static str, url: String| self.get(register, &url, request_id).await;
        let mut facts = Facts::default();
        let mut asked = Vec::new();
        if let Some(base) = &self.bans {
            let (status, body) = get("bans", format!("{base}/api/v1/agencies/{kvk}/ban-status")).await?;
            facts.officers_clear = match (status, body["clear"].as_bool()) {
                (200, Some(clear)) => Some(clear),
                (404, _) => None,
                (s, _) => return Err(Unreachable { register: "bans", reason: format!("answered {s}") }),
            };
            asked.push(Part::Officers);
        }
        if let Some(base) = &self.gaccounts {
            let (status, body) = get("gaccounts", format!("{base}/api/v1/agencies/{kvk}/g-account")).await?;
            facts.g_account = match (status, body["status"].as_str()) {
                (200, Some("none")) => None,
                (200, _) => Some(decode("gaccounts", &body["status"])?),
                (s, _) => return Err(Unreachable { register: "gaccounts", reason: format!("answered {s}") }),
            };
            asked.push(Part::GAccount);
        }
        if let Some(base) = &self.deposits {
            let (status, body) = get("deposits", format!("{base}/api/v1/agencies/{kvk}/deposit")).await?;
            facts.deposit = match (status, body["status"].as_str()) {
                (200, Some("none")) => None,
                (200, _) => Some(decode("deposits", &body["status"])?),
                (s, _) => return Err(Unreachable { register: "deposits", reason: format!("answered {s}") }),
            };
            asked.push(Part::Deposit);
        }
        if let Some(base) = &self.housing {
            let (status, body) = get("housing", format!("{base}/api/v1/agencies/{kvk}/housing")).await?;
            let buildings = match (status, body["buildings"].as_array()) {
                (200, Some(b)) => b
                    .iter()
                    .map(|b| {
                        // The housing register names no building here; the standing needs only the marks.
                        Ok(Housed {
                            bag_id: String::new(),
                            mark: decode("housing", &b["mark_status"])?,
                            certified: b["certified"] == true,
                        })
                    })
                    .collect::<Result<Vec<_>, Unreachable>>()?,
                (s, _) => return Err(Unreachable { register: "housing", reason: format!("answered {s}") }),
            };
            // Without buildings, what the agency declared decides (or, settled by
            // `settle_housing`, what its certification body recorded as not applicable).
            facts.housing = Housing::of(buildings, body["houses_no_one"] == true);
            asked.push(Part::Housing);
        }
        Ok((facts, asked))
    }

    /// A receipt of the hirer check, as the lookup verifies it now: signed by the lookup,
    /// not expired, about which agency, what it said and when (Dutch date). One that does
    /// not verify is returned unverified (it is shown, and covers nothing).
    pub async fn receipt(&self, seal: &str, request_id: &str) -> Result<Receipt, Unreachable> {
        use sha2::Digest;
        let receipt_id = platform::keyed::hex(&sha2::Sha256::digest(seal.as_bytes())[..8]);
        let unverified = |kvk: String| Receipt {
            receipt_id: String::new(),
            kvk_number: kvk,
            checked_on: None,
            may_hire: false,
            verified: false,
        };
        let Some(base) = &self.lookup else {
            return Err(Unreachable { register: "lookup", reason: "no verify URL is configured".into() });
        };
        // A seal is URL-safe base64 and dots; anything else cannot be one.
        if seal.is_empty()
            || seal.len() > 4096
            || !seal.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return Ok(Receipt { receipt_id, ..unverified(String::new()) });
        }
        let (status, body) = self.get("lookup", &format!("{base}/api/v1/verify/{seal}"), request_id).await?;
        if status != 200 {
            return Err(Unreachable { register: "lookup", reason: format!("answered {status}") });
        }
        let kvk = body["subject"].as_str().unwrap_or_default().to_string();
        let checked_on = body["facts"]["checked_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| platform::clock::dutch_date(t.with_timezone(&chrono::Utc)));
        match (body["verdict"].as_str(), body["register"].as_str(), checked_on) {
            (Some("valid"), Some("lookup"), Some(checked_on)) => Ok(Receipt {
                receipt_id,
                kvk_number: kvk,
                checked_on: Some(checked_on),
                may_hire: body["facts"]["may_hire"] == true,
                verified: true,
            }),
            _ => Ok(Receipt { receipt_id, ..unverified(kvk) }),
        }
    }

    async fn get(&self, register: &'static str, url: &str, request_id: &str) -> Result<(u16, Value), Unreachable> {
        self.get_as(register, url, request_id, None).await
    }

    /// A GET of another register, with the caller's own token where the read is the
    /// caller's (`authorization`), so that register logs who read what.
    async fn get_as(
        &self,
        register: &'static str,
        url: &str,
        request_id: &str,
        authorization: Option<&str>,
    ) -> Result<(u16, Value), Unreachable> {
        use platform::http::ForwardRequestId;
        let mut request = self.http.get(url).request_id(request_id);
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        let res = request.send().await.map_err(|e| Unreachable { register, reason: e.to_string() })?;
        let status = res.status().as_u16();
        Ok((status, res.json().await.unwrap_or_default()))
    }
}
