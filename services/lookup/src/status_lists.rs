//! The status lists of the registers, for verifiers without a connection (issue 18): every
//! `ZEGEL_LOOKUP_STATUS_LIST_SECS` the lookup reads each register's seals with their
//! indexes and live statuses in one statement, judges each by the rule a scan uses
//! ([`crate::verify::known`], with the agency's standing for a certificate seal), and
//! signs the list as the status issuer (`zegel_attest::status`). With several lookups one
//! makes each list per interval and the others take it ([`take_turn`]). The lists are kept
//! in memory and served as they are; a scan never reads them — the page at the door and the
//! verify API still read the register live.

use std::collections::HashMap;
use std::time::Instant;

use zegel_attest::Register;
use zegel_attest::status::{self, StatusList};
use zegel_contracts::Standing;
use zegel_contracts::agency::Reason;

use crate::state::AppState;
use crate::store;

/// The registers whose seals have a place in a list (the lookup's receipts prove a past
/// check and have none).
pub const COVERED: [Register; 4] = [Register::Certificates, Register::Deposits, Register::Gaccounts, Register::Housing];

/// How long a verifier may use a list at all (its `exp`): a day. Past it, an offline
/// verifier has no status to give, only the signature.
pub const LIFETIME_SECS: i64 = 86_400;

pub use crate::published::{Lists, Published};

/// A list being made: its statuses, the standings of the sealed agencies, and a count.
struct Making {
    list: StatusList,
    standings: HashMap<String, Vec<Reason>>,
    seals: usize,
    not_valid: usize,
}

/// Reads, judges and signs `register`'s list now.
pub async fn build(state: &AppState, register: Register) -> anyhow::Result<Published> {
    let started = Instant::now();
    let mut standings_ms = 0;
    let made = store::read_list(
        &state.fresh,
        register,
        |len, facts| {
            // A certificate seal means what the hirer check says: its agency's standing counts.
            let standings = facts.into_iter().map(|(kvk, facts)| (kvk, Standing::of(&facts).reasons())).collect();
            standings_ms = started.elapsed().as_millis();
            Ok(Making { list: StatusList::new(usize::try_from(len)?), standings, seals: 0, not_valid: 0 })
        },
        |making, seal| {
            let verdict = match seal.status {
                Some(s) => crate::verify::known(s, making.standings.get(seal.subject).map_or(&[], Vec::as_slice)),
                // No status in the register: a scan says revoked.
                None => zegel_attest::Verdict::Revoked,
            };
            let listed = status::listed(verdict);
            making.seals += 1;
            making.not_valid += usize::from(listed != status::Status::Valid);
            making.list.set(usize::try_from(seal.index)?, listed);
            Ok(())
        },
    )
    .await?;
    // Indexes no seal in the snapshot holds (a seal whose transaction rolled back, or had
    // not committed yet) are left valid: a seal is issued only while what it attests holds,
    // and the next list has it as it is then.
    let now = state.clock.now().timestamp();
    let ttl = i64::try_from(state.settings.status_list_secs)?;
    let token = state.desk.status_list(register, &made.list, (now, ttl, now + LIFETIME_SECS))?;
    let etag = crate::published::etag_of(&token);
    Ok(Published {
        token,
        etag,
        issued_at: now,
        ttl,
        seals: made.seals,
        not_valid: made.not_valid,
        build_ms: started.elapsed().as_millis(),
        standings_ms,
        made_here: true,
    })
}

/// The publication's round in a suite of several lookups, every interval: a list another
/// lookup published less than half an interval ago is taken as it is; otherwise the
/// lookup that takes the turn first makes it and publishes it for all (`published_list`)
/// while the others keep theirs. So each list is read and signed at most about twice an
/// interval whatever the number of lookups, and a lookup serves a list at most one and a
/// half intervals old (each list says its age).
pub async fn take_turn(state: &AppState) -> anyhow::Result<()> {
    let mut failed = Vec::new();
    for register in COVERED {
        if let Err(e) = turn(state, register).await {
            failed.push(format!("{}: {e:#}", register.service()));
        }
    }
    anyhow::ensure!(failed.is_empty(), "status lists not made: {}", failed.join("; "));
    Ok(())
}

async fn turn(state: &AppState, register: Register) -> anyhow::Result<()> {
    let pool = &state.core.pool;
    let now = state.clock.now().timestamp();
    let ttl = i64::try_from(state.settings.status_list_secs)?;
    let shared = store::shared_list(pool, register).await?.and_then(|l| signed(state, register, l, now));
    if let Some(shared) = shared.as_ref().filter(|l| now - l.issued_at < ttl.div_euclid(2).max(1)) {
        take(state, register, shared);
        return Ok(());
    }
    // The turn lasts an interval at most: a lookup that dies while making the list loses it.
    if !store::claim_list(pool, register, now, now + ttl).await? {
        if let Some(shared) = &shared {
            take(state, register, shared);
        }
        return Ok(());
    }
    make_and_share(state, register).await
}

/// Makes `register`'s list here, now, and publishes it for every lookup: the shared row is
/// always the newest list any lookup made, so that a lookup taking it never replaces a
/// newer one of its own with an older one. No lookup makes the next before half an
/// interval has passed.
async fn make_and_share(state: &AppState, register: Register) -> anyhow::Result<()> {
    let list = build(state, register).await?;
    let sharing = store::SharedList {
        token: list.token.clone(),
        issued_at: list.issued_at,
        ttl: list.ttl,
        seals: i64::try_from(list.seals)?,
        not_valid: i64::try_from(list.not_valid)?,
        build_ms: i64::try_from(list.build_ms)?,
    };
    let next_turn = list.issued_at + list.ttl.div_euclid(2).max(1);
    store::share_list(&state.core.pool, register, &sharing, next_turn).await?;
    tracing::debug!(
        register = register.service(),
        seals = list.seals,
        bytes = list.token.len(),
        build_ms = list.build_ms as u64,
        "status list published"
    );
    state.lists.put(register, list);
    Ok(())
}

/// `shared` as its signature says it is: a list of `register` under the trust list in
/// force, with the time it was made and its `ttl` from the token, not from the table's
/// columns (whoever could write the table must not pass an old list off as new). One that
/// does not verify is not served.
fn signed(state: &AppState, register: Register, shared: store::SharedList, now: i64) -> Option<store::SharedList> {
    match status::receive(&shared.token, &state.trust(), now) {
        Ok(received) if received.register == register => {
            Some(store::SharedList { issued_at: received.issued_at, ttl: received.ttl, ..shared })
        }
        Ok(_) => {
            tracing::warn!(register = register.service(), "a shared status list covers another register; not served");
            None
        }
        Err(e) => {
            tracing::warn!(register = register.service(), error = %e, "a shared status list does not verify; not served");
            None
        }
    }
}

/// Serves `shared` unless this lookup already has it or a newer list (made in a later
/// second: within one second the shared one wins, so that all lookups serve the same).
fn take(state: &AppState, register: Register, shared: &store::SharedList) {
    if state.lists.get(register).is_some_and(|mine| mine.issued_at > shared.issued_at || mine.token == shared.token) {
        return;
    }
    let as_count = |n: i64| usize::try_from(n).unwrap_or(0);
    state.lists.put(
        register,
        Published {
            etag: crate::published::etag_of(&shared.token),
            token: shared.token.clone(),
            issued_at: shared.issued_at,
            ttl: shared.ttl,
            seals: as_count(shared.seals),
            not_valid: as_count(shared.not_valid),
            build_ms: u128::try_from(shared.build_ms).unwrap_or(0),
            standings_ms: 0,
            made_here: false,
        },
    );
}

/// Makes every covered register's list afresh, here, now (a test's or an operator's
/// publication; the task takes turns with the other lookups, [`take_turn`]). A register
/// whose list fails keeps its previous one (its age says so); the others are still made.
pub async fn publish(state: &AppState) -> anyhow::Result<()> {
    let mut failed = Vec::new();
    for register in COVERED {
        if let Err(e) = make_and_share(state, register).await {
            failed.push(format!("{}: {e:#}", register.service()));
        }
    }
    anyhow::ensure!(failed.is_empty(), "status lists not made: {}", failed.join("; "));
    Ok(())
}
