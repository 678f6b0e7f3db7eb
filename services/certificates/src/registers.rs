//! Live checks in the other registers at certification (advice 2.1: no banned director,
//! a G-account in use, the guarantee deposit paid and topped up; advice 4: every building
//! the agency houses workers in certified). The register's own public answer is asked at the moment of
//! certification; a recorded checkbox no longer decides these requirements. When a
//! register is not configured (its URL empty) the recorded requirement still decides,
//! and the service warns at start: that is for running this register alone.

use std::time::Duration;

use serde_json::Value;

use crate::domain::RequirementCode;
use crate::domain::requirement::HOUSING_NOT_REGISTERED;

/// Why a live check could not be made.
#[derive(Debug, thiserror::Error)]
#[error("the {register} register could not be asked: {reason}")]
pub struct Unreachable {
    /// Which register.
    pub register: &'static str,
    /// What went wrong.
    pub reason: String,
}

/// The other registers this one asks.
#[derive(Debug, Clone)]
pub struct Registers {
    http: reqwest::Client,
    bans: Option<String>,
    gaccounts: Option<String>,
    deposits: Option<String>,
    housing: Option<String>,
}

impl Registers {
    /// Asks the registers at these base URLs (empty: not configured).
    pub fn new(bans: &str, gaccounts: &str, deposits: &str, housing: &str) -> Self {
        let configured = |u: &str| (!u.trim().is_empty()).then(|| u.trim_end_matches('/').to_string());
        let http = reqwest::Client::builder().timeout(Duration::from_secs(3)).build().unwrap_or_default();
        let registers = Self {
            http,
            bans: configured(bans),
            gaccounts: configured(gaccounts),
            deposits: configured(deposits),
            housing: configured(housing),
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

    /// The requirements decided live, each `None` when met or `Some(reason)` when not.
    pub async fn check(&self, kvk: &str) -> Result<Vec<(RequirementCode, Option<String>)>, Unreachable> {
        let mut out = Vec::new();
        if let Some(base) = &self.bans {
            let (status, body) = self.get("bans", &format!("{base}/api/v1/agencies/{kvk}/ban-status")).await?;
            let verdict = match (status, body["clear"].as_bool()) {
                (200, Some(true)) => None,
                (200, Some(false)) => {
                    Some("an owner, director or de facto manager is under a ban (bans register)".to_string())
                }
                (404, _) => Some("KvK has registered no officers for this agency (bans register)".to_string()),
                (s, _) => return Err(Unreachable { register: "bans", reason: format!("answered {s}") }),
            };
            out.push((RequirementCode::NoBannedDirector, verdict));
        }
        if let Some(base) = &self.gaccounts {
            let (status, body) = self.get("gaccounts", &format!("{base}/api/v1/agencies/{kvk}/g-account")).await?;
            let verdict = match (status, body["status"].as_str()) {
                (200, Some("active")) => None,
                (200, Some(other)) => Some(format!("the G-account is {other} (G-account register)")),
                (s, _) => return Err(Unreachable { register: "gaccounts", reason: format!("answered {s}") }),
            };
            out.push((RequirementCode::GAccountInUse, verdict));
        }
        if let Some(base) = &self.deposits {
            let (status, body) = self.get("deposits", &format!("{base}/api/v1/agencies/{kvk}/deposit")).await?;
            let verdict = match (status, body["status"].as_str()) {
                (200, Some("adequate")) => None,
                (200, Some("none")) => Some("no guarantee deposit has been paid (deposits register)".to_string()),
                (200, Some(other)) => Some(format!("the guarantee deposit is in {other} (deposits register)")),
                (s, _) => return Err(Unreachable { register: "deposits", reason: format!("answered {s}") }),
            };
            out.push((RequirementCode::DepositPaid, verdict));
        }
        if let Some(base) = &self.housing {
            let (status, body) = self.get("housing", &format!("{base}/api/v1/providers/{kvk}/buildings")).await?;
            let buildings = match (status, body["buildings"].as_array()) {
                (200, Some(b)) => b.clone(),
                (s, _) => return Err(Unreachable { register: "housing", reason: format!("answered {s}") }),
            };
            // An agency with buildings in the housing register meets the requirement only if
            // every one is certified now. One with none there meets it only when it houses no
            // one (recorded as not applicable; settled by `settle_housing`).
            if buildings.is_empty() {
                out.push((RequirementCode::HousingCertified, Some(HOUSING_NOT_REGISTERED.to_string())));
            } else {
                let not: Vec<&str> =
                    buildings.iter().filter(|b| b["certified"] != true).filter_map(|b| b["bag_id"].as_str()).collect();
                let verdict = (!not.is_empty()).then(|| {
                    format!(
                        "{} of its {} buildings have no valid quality mark: {} (housing register)",
                        not.len(),
                        buildings.len(),
                        not.join(", ")
                    )
                });
                out.push((RequirementCode::HousingCertified, verdict));
            }
        }
        Ok(out)
    }

    async fn get(&self, register: &'static str, url: &str) -> Result<(u16, Value), Unreachable> {
        let res = self.http.get(url).send().await.map_err(|e| Unreachable { register, reason: e.to_string() })?;
        let status = res.status().as_u16();
        Ok((status, res.json().await.unwrap_or_default()))
    }
}
