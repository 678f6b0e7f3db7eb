//! All SQL of the lookup: reading a seal's live status from the register that issued it.
//!
//! Each register publishes a view `<schema>.seal_status (seal_id, subject, status, facts)`
//! as its read contract; the register's own row is the truth, read at the moment of the
//! scan, so a revocation that has returned is visible to the very next scan.

use deadpool_postgres::Pool;
use serde_json::Value;
use uuid::Uuid;
use zegel_attest::Register;

/// A register's answer about one seal.
#[derive(Debug, Clone, PartialEq)]
pub enum Live {
    /// The register knows the seal: `good`, `suspended` or `revoked`, with display facts.
    Known {
        /// Status.
        status: String,
        /// Facts the verifier may show.
        facts: Value,
    },
    /// The register has no record of it.
    Unknown,
}

/// Reads the live status of `seal_id` about `subject` in `register`.
pub async fn live_status(pool: &Pool, register: Register, seal_id: Uuid, subject: &str) -> anyhow::Result<Live> {
    let client = pool.get().await?;
    // The schema name comes from a closed enum, never from input.
    let sql =
        format!("select status, facts from {}.seal_status where seal_id = $1 and subject = $2", register.service());
    let stmt = client.prepare_cached(&sql).await?;
    Ok(match client.query_opt(&stmt, &[&seal_id, &subject]).await? {
        Some(row) => Live::Known { status: row.get(0), facts: row.get(1) },
        None => Live::Unknown,
    })
}
