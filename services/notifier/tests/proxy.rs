//! The webhook client never goes through a system proxy: a proxy would resolve and reach
//! the receiver itself, past the address checks. The test runs this binary again with the
//! proxy variables set (they are read from the process's environment).

use std::time::Duration;

const CHILD: &str = "ZEGEL_PROXY_TEST_CHILD";

#[tokio::test]
async fn webhooks_never_go_through_a_system_proxy() {
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").expect("a proxy port");
    proxy.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}", proxy.local_addr().expect("address"));
    let mut child = std::process::Command::new(std::env::current_exe().expect("this test binary"));
    child.args(["--exact", "sends_one_webhook", "--nocapture"]).env(CHILD, "1").env_remove("NO_PROXY");
    child.env_remove("no_proxy");
    for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"] {
        child.env(name, &url);
    }
    let out = child.output().expect("the child runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"), "the child sent");
    assert!(proxy.accept().is_err(), "the proxy was never asked");
}

/// In the child: one webhook to a public address (TEST-NET-3). Through the proxy it would
/// reach the proxy; directly it is not routable and times out.
#[tokio::test]
async fn sends_one_webhook() {
    if std::env::var(CHILD).is_err() {
        return;
    }
    let targets = zegel_notifier::webhook::Targets { allow_private: false, https_only: false };
    let client = zegel_notifier::webhook::client(Duration::from_millis(500), targets).expect("client");
    let _ = client.post("http://203.0.113.7/hook").body("{}").send().await;
}
