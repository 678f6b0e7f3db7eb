//! All SQL of the bans register.

use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::GenericClient;
use serde::Serialize;
use tokio_postgres::Row;
use uuid::Uuid;
use zegel_contracts::ban::{Basis, OfficerRole};
use zegel_contracts::certificate::Ground;

use crate::error::Result;

/// The predicate "ban `b` is in force on `$d`" (lifted bans stop the day they are lifted).
const IN_FORCE: &str =
    "b.starts_on <= $DAY and (b.ends_on is null or b.ends_on >= $DAY) and (b.lifted_on is null or b.lifted_on > $DAY)";

fn in_force(day_param: &str) -> String {
    IN_FORCE.replace("$DAY", day_param)
}

/// Stores (or refreshes the name and birth date of) the person with this keyed BSN hash.
pub async fn upsert_person(
    c: &impl GenericClient,
    bsn_hash: &[u8],
    name: &str,
    date_of_birth: NaiveDate,
) -> Result<Uuid> {
    let stmt = c
        .prepare_cached(
            "insert into person (person_id, bsn_hash, name, date_of_birth) values ($1, $2, $3, $4)
             on conflict on constraint person_bsn_hash_key do update set name = $3, date_of_birth = $4
             returning person_id",
        )
        .await?;
    Ok(c.query_one(&stmt, &[&Uuid::now_v7(), &bsn_hash, &name, &date_of_birth]).await?.get(0))
}

/// The person with this keyed BSN hash, if known.
pub async fn person_by_hash(c: &impl GenericClient, bsn_hash: &[u8]) -> Result<Option<Uuid>> {
    let stmt = c.prepare_cached("select person_id from person where bsn_hash = $1").await?;
    Ok(c.query_opt(&stmt, &[&bsn_hash]).await?.map(|r| r.get(0)))
}

#[derive(Debug, Clone)]
pub struct NewOfficer {
    pub person_id: Uuid,
    pub role: OfficerRole,
    pub from_on: NaiveDate,
    /// Until (none: still).
    pub to_on: Option<NaiveDate>,
}

/// Records KvK's registration of the agency's officers on `today`, keeping history: a
/// term as registered (the same person, role and start) is stored or updated; a term that
/// was current and is no longer registered ends yesterday (the person left); a term that
/// had not begun is dropped; a term that ended before today stays as it was — a new
/// registration never erases who ran the agency (the phoenix radar reads those terms).
pub async fn register_officers(
    c: &impl GenericClient,
    kvk: &str,
    officers: &[NewOfficer],
    today: NaiveDate,
) -> Result<()> {
    let existing = c
        .prepare_cached(
            "select officer_id, person_id, role, from_on, to_on from officer where kvk_number = $1 for update",
        )
        .await?;
    let rows = c.query(&existing, &[&kvk]).await?;
    let update = c.prepare_cached("update officer set to_on = $2 where officer_id = $1").await?;
    let delete = c.prepare_cached("delete from officer where officer_id = $1").await?;
    let insert = c
        .prepare_cached("insert into officer (officer_id, kvk_number, person_id, role, from_on, to_on) values ($1, $2, $3, $4, $5, $6)")
        .await?;
    let mut matched = Vec::new();
    for o in officers {
        let same = rows.iter().find(|r| {
            r.get::<_, Uuid>(1) == o.person_id
                && r.get::<_, OfficerRole>(2) == o.role
                && r.get::<_, NaiveDate>(3) == o.from_on
        });
        match same {
            Some(r) => {
                let id: Uuid = r.get(0);
                c.execute(&update, &[&id, &o.to_on]).await?;
                matched.push(id);
            }
            None => {
                c.execute(&insert, &[&Uuid::now_v7(), &kvk, &o.person_id, &o.role, &o.from_on, &o.to_on]).await?;
            }
        }
    }
    let yesterday = today.pred_opt().unwrap_or(today);
    for r in rows.iter().filter(|r| !matched.contains(&r.get::<_, Uuid>(0))) {
        let (id, from_on, to_on): (Uuid, NaiveDate, Option<NaiveDate>) = (r.get(0), r.get(3), r.get(4));
        if from_on >= today {
            c.execute(&delete, &[&id]).await?;
        } else if to_on.is_none_or(|to| to >= today) {
            c.execute(&update, &[&id, &Some(yesterday)]).await?;
        }
    }
    Ok(())
}

/// A link of a current officer to another agency whose certificate ended with a waiting
/// period still running (`linked_officers` in V7): the contract the certificates register
/// reads. No name: who it is stays with those who may read the officers.
pub use zegel_contracts::ban::OfficerLink as Link;

fn link(r: &Row) -> Link {
    Link {
        role: r.get(1),
        linked_kvk: r.get(2),
        certificate_id: r.get(3),
        ground: r.get(4),
        ended_on: r.get(5),
        waits_until: r.get(6),
    }
}

/// The links of the agency's current officers on `day`.
pub async fn linked_officers(c: &impl GenericClient, kvk: &str, day: NaiveDate) -> Result<Vec<Link>> {
    let stmt = c
        .prepare_cached(
            "select person_id, role, linked_kvk, certificate_id, ground, ended_on, waits_until
             from linked_officers($1, $2) order by linked_kvk, role",
        )
        .await?;
    Ok(c.query(&stmt, &[&kvk, &day]).await?.iter().map(link).collect())
}

/// An ended certificate that starts a waiting period, as the certificates register
/// published it; false when it was known already.
pub async fn record_sanctioned_ending(c: &impl GenericClient, e: &SanctionedEnding) -> Result<bool> {
    let stmt = c
        .prepare_cached(
            "insert into sanctioned_ending (certificate_id, kvk_number, issued_on, ended_on, ground, waits_until)
             values ($1, $2, $3, $4, $5, $6) on conflict (certificate_id) do nothing",
        )
        .await?;
    Ok(c.execute(&stmt, &[&e.certificate_id, &e.kvk_number, &e.issued_on, &e.ended_on, &e.ground, &e.waits_until])
        .await?
        == 1)
}

/// What the certificates register publishes about an ending with a waiting period.
#[derive(Debug, Clone)]
pub struct SanctionedEnding {
    pub certificate_id: Uuid,
    pub kvk_number: String,
    pub issued_on: NaiveDate,
    pub ended_on: NaiveDate,
    pub ground: Ground,
    pub waits_until: NaiveDate,
}

/// The agencies (other than the ended one) where a person who ran the agency of ended
/// certificate `certificate_id` is a current officer on `day`: every one of them now has a
/// link.
pub async fn agencies_linked_to(c: &impl GenericClient, certificate_id: Uuid, day: NaiveDate) -> Result<Vec<String>> {
    let stmt = c
        .prepare_cached(
            "select distinct o.kvk_number
             from sanctioned_ending e
             join officer past on past.kvk_number = e.kvk_number
                  and past.from_on <= e.ended_on and (past.to_on is null or past.to_on >= e.issued_on)
             join officer o on o.person_id = past.person_id and o.kvk_number <> e.kvk_number
                  and o.from_on <= $2 and (o.to_on is null or o.to_on >= $2)
             where e.certificate_id = $1 and e.waits_until > $2
             order by 1",
        )
        .await?;
    Ok(c.query(&stmt, &[&certificate_id, &day]).await?.iter().map(|r| r.get(0)).collect())
}

/// The certification body that holds an application or a certificate of the agency.
pub async fn certifier_of(c: &impl GenericClient, kvk: &str) -> Result<Option<String>> {
    let stmt = c.prepare_cached("select certification_body_id from certifier where kvk_number = $1").await?;
    Ok(c.query_opt(&stmt, &[&kvk]).await?.map(|r| r.get(0)))
}

/// An officer with the personal data shown to authorised readers (never the BSN).
#[derive(Debug, Clone, Serialize)]
pub struct OfficerView {
    pub name: String,
    pub date_of_birth: NaiveDate,
    pub role: OfficerRole,
    pub from_on: NaiveDate,
    pub to_on: Option<NaiveDate>,
    /// Whether a ban covering this role is in force today.
    pub banned: bool,
}

/// The agency's officers, with whether each is banned on `day`.
pub async fn officers(c: &impl GenericClient, kvk: &str, day: NaiveDate) -> Result<Vec<OfficerView>> {
    let sql = format!(
        "select p.name, p.date_of_birth, o.role, o.from_on, o.to_on,
                exists (select 1 from ban b where b.person_id = o.person_id and o.role = any(b.roles_covered) and {})
         from officer o join person p on p.person_id = o.person_id
         where o.kvk_number = $1 order by o.from_on, p.name",
        in_force("$2")
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&kvk, &day])
        .await?
        .iter()
        .map(|r| OfficerView {
            name: r.get(0),
            date_of_birth: r.get(1),
            role: r.get(2),
            from_on: r.get(3),
            to_on: r.get(4),
            banned: r.get(5),
        })
        .collect())
}

/// Whether the person is an officer of the agency on `day` (any role).
pub async fn is_officer(c: &impl GenericClient, person_id: Uuid, kvk: &str, day: NaiveDate) -> Result<bool> {
    let stmt = c
        .prepare_cached(
            "select exists (select 1 from officer where person_id = $1 and kvk_number = $2
                            and from_on <= $3 and (to_on is null or to_on >= $3))",
        )
        .await?;
    Ok(c.query_one(&stmt, &[&person_id, &kvk, &day]).await?.get(0))
}

/// Whether KvK registered any officer for the agency.
pub async fn agency_known(c: &impl GenericClient, kvk: &str) -> Result<bool> {
    let stmt = c.prepare_cached("select exists (select 1 from officer where kvk_number = $1)").await?;
    Ok(c.query_one(&stmt, &[&kvk]).await?.get(0))
}

/// Bans in force on `day` that cover a current officer of the agency: (ban, role).
pub async fn banned_officers(c: &impl GenericClient, kvk: &str, day: NaiveDate) -> Result<Vec<(Uuid, OfficerRole)>> {
    let sql = format!(
        "select b.ban_id, o.role from officer o join ban b on b.person_id = o.person_id
         where o.kvk_number = $1 and o.from_on <= $2 and (o.to_on is null or o.to_on >= $2)
           and o.role = any(b.roles_covered) and {}",
        in_force("$2")
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&kvk, &day]).await?.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Agencies where the person is a current officer in a role the ban covers.
pub async fn agencies_hit(c: &impl GenericClient, ban_id: Uuid, day: NaiveDate) -> Result<Vec<(String, OfficerRole)>> {
    let stmt = c
        .prepare_cached(
            "select o.kvk_number, o.role from ban b join officer o on o.person_id = b.person_id
             where b.ban_id = $1 and o.from_on <= $2 and (o.to_on is null or o.to_on >= $2) and o.role = any(b.roles_covered)
             order by o.kvk_number",
        )
        .await?;
    Ok(c.query(&stmt, &[&ban_id, &day]).await?.iter().map(|r| (r.get(0), r.get(1))).collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct Ban {
    pub ban_id: Uuid,
    /// The person (an internal id, not a BSN).
    #[serde(skip)]
    pub person_id: Uuid,
    /// Who imposed it, which decides who may lift it and how long it may last.
    pub basis: Basis,
    pub roles_covered: Vec<OfficerRole>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub reason: String,
    pub lifted_on: Option<NaiveDate>,
    pub lift_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

const BAN_COLUMNS: &str =
    "ban_id, person_id, basis, roles_covered, starts_on, ends_on, reason, lifted_on, lift_reason, created_at";

fn ban(r: &Row) -> Ban {
    Ban {
        ban_id: r.get(0),
        person_id: r.get(1),
        basis: r.get(2),
        roles_covered: r.get(3),
        starts_on: r.get(4),
        ends_on: r.get(5),
        reason: r.get(6),
        lifted_on: r.get(7),
        lift_reason: r.get(8),
        created_at: r.get(9),
    }
}

pub async fn insert_ban(c: &impl GenericClient, b: &Ban, imposed_by: &str, imposed_role: &str) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into ban (ban_id, person_id, basis, roles_covered, starts_on, ends_on, reason, imposed_by, imposed_role)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &b.ban_id,
            &b.person_id,
            &b.basis,
            &b.roles_covered,
            &b.starts_on,
            &b.ends_on,
            &b.reason,
            &imposed_by,
            &imposed_role,
        ],
    )
    .await?;
    Ok(())
}

/// A ban by id; `lock` takes a row lock.
pub async fn ban_by_id(c: &impl GenericClient, id: Uuid, lock: bool) -> Result<Option<Ban>> {
    let sql = format!("select {BAN_COLUMNS} from ban where ban_id = $1{}", if lock { " for update" } else { "" });
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query_opt(&stmt, &[&id]).await?.as_ref().map(ban))
}

/// The bans not lifted that have not ended by `today` (in force, or starting later),
/// newest first, at most `limit`.
pub async fn current_bans(c: &impl GenericClient, today: NaiveDate, limit: i64) -> Result<Vec<Ban>> {
    let sql = format!(
        "select {BAN_COLUMNS} from ban where lifted_on is null and (ends_on is null or ends_on >= $1)
          order by created_at desc limit $2"
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&today, &limit]).await?.iter().map(ban).collect())
}

/// Lifts a ban (history stays).
pub async fn lift_ban(c: &impl GenericClient, id: Uuid, on: NaiveDate, reason: &str) -> Result<()> {
    let stmt = c.prepare_cached("update ban set lifted_on = $2, lift_reason = $3 where ban_id = $1").await?;
    c.execute(&stmt, &[&id, &on, &reason]).await?;
    Ok(())
}

/// Marks that a ban's start was published.
pub async fn mark_start_signalled(c: &impl GenericClient, id: Uuid) -> Result<()> {
    let stmt = c.prepare_cached("update ban set start_signalled = true where ban_id = $1").await?;
    c.execute(&stmt, &[&id]).await?;
    Ok(())
}

/// Bans whose start has come and was not yet published; locked for this transaction.
pub async fn bans_starting(c: &impl GenericClient, day: NaiveDate) -> Result<Vec<Ban>> {
    let sql = format!(
        "select {BAN_COLUMNS} from ban b where not start_signalled and {} order by starts_on for update skip locked",
        in_force("$1")
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&day]).await?.iter().map(ban).collect())
}

/// Every ban of a person, newest first.
pub async fn bans_of(c: &impl GenericClient, person_id: Uuid) -> Result<Vec<Ban>> {
    let sql = format!("select {BAN_COLUMNS} from ban where person_id = $1 order by starts_on desc, created_at desc");
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&person_id]).await?.iter().map(ban).collect())
}

pub async fn log_access(
    c: &impl GenericClient,
    actor: &platform::audit::Actor,
    purpose: &str,
    person_id: Option<Uuid>,
    kvk: Option<&str>,
    request_id: &str,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into access_log (actor, role, org, purpose, person_id, kvk_number, request_id) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    c.execute(&stmt, &[&actor.subject, &actor.role, &actor.org, &purpose, &person_id, &kvk, &request_id]).await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Access {
    pub occurred_at: DateTime<Utc>,
    pub actor: String,
    pub role: String,
    pub org: Option<String>,
    pub purpose: String,
    pub kvk_number: Option<String>,
}

/// The access log, newest first (for the inspectorate and admins).
pub async fn access_log(c: &impl GenericClient, limit: i64) -> Result<Vec<Access>> {
    let stmt = c
        .prepare_cached(
            "select occurred_at, actor, role, org, purpose, kvk_number from access_log order by access_log_id desc limit $1",
        )
        .await?;
    Ok(c.query(&stmt, &[&limit])
        .await?
        .iter()
        .map(|r| Access {
            occurred_at: r.get(0),
            actor: r.get(1),
            role: r.get(2),
            org: r.get(3),
            purpose: r.get(4),
            kvk_number: r.get(5),
        })
        .collect())
}

/// Whether `body` holds an application or certificate of agency `kvk` now.
pub async fn certifies(c: &impl GenericClient, body: &str, kvk: &str) -> Result<bool> {
    Ok(platform::certifier::certifies(c, body, kvk).await?)
}

/// The longest term of a civil ban in force on `day` (`ban_policy`), with its source.
pub async fn civil_ban_max_years(c: &impl GenericClient, day: NaiveDate) -> Result<Option<(u32, String)>> {
    let stmt = c
        .prepare_cached(
            "select civil_max_years, source from ban_policy where effective_from <= $1
             order by effective_from desc limit 1",
        )
        .await?;
    Ok(c.query_opt(&stmt, &[&day]).await?.map(|r| (u32::try_from(r.get::<_, i32>(0)).unwrap_or(0), r.get(1))))
}
