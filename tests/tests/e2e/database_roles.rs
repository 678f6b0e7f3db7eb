//! Each service acts as its own database role: it reads and writes its own schema only,
//! cannot change or empty an append-only table nor turn its guard off, and the lookup
//! reads the registers' read contracts and nothing else of theirs.

use zegel_e2e::Suite;

async fn denied(pool: &deadpool_postgres::Pool, sql: &str) -> String {
    let client = pool.get().await.expect("connection");
    let err = client.batch_execute(sql).await.expect_err(sql);
    format!("{err:?}")
}

#[tokio::test]
async fn every_service_acts_as_its_own_role_with_only_what_it_needs() {
    let suite = Suite::start().await;
    suite.certified("11223344").await;
    let certificates = &suite.certificates.state.core.pool;
    let client = certificates.get().await.expect("connection");
    let row = client.query_one("select current_user::text, session_user::text", &[]).await.expect("who");
    assert_eq!(row.get::<_, String>(0), "zegel_certificates", "the service acts as its runtime role");

    // Append-only stays append-only, even for the service that writes it.
    for sql in [
        "update audit_log set reason = 'rewritten'",
        "delete from audit_log",
        "truncate audit_log",
        "update certificate_status_change set to_status = 'certified'",
        "alter table audit_log disable trigger all",
        "drop table audit_log",
    ] {
        let err = denied(certificates, sql).await;
        assert!(err.contains("permission denied") || err.contains("must be owner"), "{sql}: {err}");
    }
    // Its own tables it reads and writes; another register's it cannot even see.
    client.query_one("select count(*) from certificate", &[]).await.expect("its own table");
    let err = denied(certificates, "select count(*) from housing.building").await;
    assert!(err.contains("permission denied for schema housing"), "{err}");

    // The lookup reads the read contracts, not the registers' tables.
    let lookup = suite.lookup.state.core.pool.get().await.expect("connection");
    for view in
        ["certificates.seal_status", "certificates.agency_status", "bans.agency_status", "housing.agency_buildings"]
    {
        lookup
            .query_one(&format!("select count(*) from {view}"), &[])
            .await
            .unwrap_or_else(|e| panic!("{view}: {e:?}"));
    }
    for table in ["certificates.certificate", "bans.person", "deposits.claim", "housing.complaint"] {
        let err = denied(&suite.lookup.state.core.pool, &format!("select count(*) from {table}")).await;
        assert!(err.contains("permission denied"), "{table}: {err}");
    }
}

/// Every replica of a release runs the migrations at start; they take turns under an
/// advisory lock instead of racing to create the same tables.
#[tokio::test]
async fn replicas_starting_together_migrate_once_without_racing() {
    let db = zegel_testkit::TestDb::empty().await;
    let mut common = platform::config::CommonSettings::local();
    common.database_url = secrecy::SecretString::from(db.url.clone());
    let replicas = (0..4).map(|_| {
        let common = common.clone();
        tokio::spawn(async move { platform::shell::migrate::<zegel_certificates::Certificates>(&common).await })
    });
    for result in futures::future::join_all(replicas).await {
        result.expect("task").expect("every replica's migration succeeds");
    }
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../services/certificates/migrations"))
        .expect("migrations")
        .count() as i64;
    let applied: i64 = db.value("select count(*) from certificates.zegel_certificates_history").await;
    assert_eq!(applied, files, "each migration applied once");
}
