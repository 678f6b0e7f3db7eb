//! A database that goes away under a request is a 503 `unavailable` the client may retry,
//! never a 500 (found by `just soak`: payouts in flight when Postgres restarted were
//! answered 500). The rule is `platform::error::database_problem`, which every service's
//! error mapping calls.

use platform::error::{database_gone, database_problem};
use zegel_testkit::TestDb;

#[tokio::test]
async fn a_statement_on_a_connection_the_server_closed_is_unavailable_and_a_bad_statement_is_internal() {
    let db = TestDb::empty().await;
    let (client, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(connection);
    let pid: i32 = client.query_one("select pg_backend_pid()", &[]).await.expect("pid").get(0);

    let bad = client.query_one("select no_such_column from pg_class", &[]).await.expect_err("a bad statement");
    assert!(!database_gone(&bad), "{bad}");
    let problem = database_problem(&bad, "req-1");
    assert_eq!((problem.status, problem.type_uri.as_str()), (500, "urn:zegel:problem:internal"));
    assert!(problem.detail.is_none_or(|d| !d.contains("no_such_column")), "no internal detail reaches a client");

    // The server ends the session, as a restart does (SQLSTATE 57P01 to the session).
    let (admin, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(connection);
    admin.execute("select pg_terminate_backend($1)", &[&pid]).await.expect("terminate");
    let gone = client.query_one("select 1", &[]).await.expect_err("the session was ended");
    assert!(database_gone(&gone), "{gone:?}");
    let problem = database_problem(&gone, "req-2");
    assert_eq!((problem.status, problem.type_uri.as_str()), (503, "urn:zegel:problem:unavailable"));
}
