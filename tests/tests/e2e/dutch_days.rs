//! A day is a day in the Netherlands: the advice's dates (a ban from, a fine for, a permit
//! until) are Dutch calendar days, and between midnight in Amsterdam and midnight UTC the
//! UTC calendar is a day behind. The services' clock and the registers' views count the
//! same, Dutch, days whatever the hour and whatever zone the database session is in.

use chrono::{Duration, Timelike, Utc};
use platform::auth::Role;
use platform::clock::dutch_date;
use serde_json::json;
use zegel_e2e::Suite;

#[tokio::test]
async fn the_services_and_the_views_count_dutch_days() {
    let suite = Suite::start().await;

    // No view or function of any register counts by the session's day.
    let by_session_day: Vec<String> = suite
        .db
        .value(
            "select coalesce(array_agg(name order by name), '{}') from (
               select n.nspname || '.' || c.relname as name
                 from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where c.relkind in ('v', 'm') and pg_get_viewdef(c.oid) ilike '%current_date%'
               union all
               select n.nspname || '.' || p.proname
                 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                where n.nspname not in ('pg_catalog', 'information_schema')
                  and p.prosrc ilike '%current_date%' and p.proname <> 'count_dutch_days_in_views') found",
        )
        .await;
    assert!(by_session_day.is_empty(), "counting UTC (session) days: {by_session_day:?}");

    // `dutch_today()` is the Dutch day in a session set to any zone, and the lookup, which
    // reads the views that call it, may call it.
    let client = suite.lookup.state.core.pool.get().await.expect("lookup connection");
    for zone in ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"] {
        client.batch_execute(&format!("set timezone to '{zone}'")).await.expect("zone");
        let before = dutch_date(Utc::now());
        let row = client.query_one("select bans.dutch_today(), housing.dutch_today()", &[]).await.expect(zone);
        let after = dutch_date(Utc::now());
        for day in [row.get::<_, chrono::NaiveDate>(0), row.get(1)] {
            assert!(day == before || day == after, "{zone}: {day}, Dutch day {before}");
        }
    }
    client.batch_execute("set timezone to 'UTC'").await.expect("zone back");
    drop(client);

    // At 23:30 UTC it is already tomorrow in Amsterdam: a case up to that Dutch day is not
    // "in the future" (the certificates register once judged it by the UTC date), the day
    // after is.
    let agency = "61000002";
    suite.certified(agency).await;
    let clock = &suite.certificates.state.clock;
    let now = clock.now();
    let to_half_past_eleven =
        Duration::minutes(i64::from((23 * 60 + 30 + 24 * 60 - now.hour() * 60 - now.minute()) % (24 * 60)));
    clock.advance(to_half_past_eleven);
    let utc_day = clock.now().date_naive();
    let dutch_day = clock.today();
    assert_eq!(dutch_day, utc_day.succ_opt().expect("tomorrow"), "at {}", clock.now());
    let inspectorate = suite.token(Role::Inspectorate, None);
    let case = |to: chrono::NaiveDate| json!({"hirer_kvk": "62000002", "agency_kvk": agency, "from": utc_day, "to": to, "workers": 2, "receipts": []});
    let url = format!("{}/api/v1/hirer-fine-computations", suite.certificates.address);
    let (status, computed) = suite.send(reqwest::Method::POST, url.clone(), Some(&inspectorate), case(dutch_day)).await;
    assert_eq!(status, 200, "{computed}");
    let (status, refused) =
        suite.send(reqwest::Method::POST, url, Some(&inspectorate), case(dutch_day.succ_opt().expect("day"))).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["errors"][0]["pointer"], "/to", "{refused}");
}
