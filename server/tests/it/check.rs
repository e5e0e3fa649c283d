//! One check against real HTTPS servers on loopback: certificates made in the test, the real
//! CapabilityStatements and smart-configurations, and every way a server can fail. Also the SSRF
//! refusals, end to end, with loopback addresses outside the allowed set.
use app::server::check::{CheckOptions, check_endpoint, parse_base};
use app::server::net::client::SafeClient;
use app::server::net::error::FetchError;
use app::server::net::policy::FetchPolicy;
use app::types::check::{CheckReport, FailureKind, Health, Verdict};
use signpost::fake_fhir::{CertKind, FakeServer, TestCa, spawn_http, spawn_https};
use std::net::IpAddr;
use std::process::Command;
use std::time::Duration;

const ALLOWED: &str = "127.0.0.2";

fn ip() -> IpAddr {
    ALLOWED.parse().unwrap()
}

fn policy(ca: &TestCa) -> FetchPolicy {
    let mut p = FetchPolicy::default().with_allow_list("127.0.0.2/32").unwrap();
    p.extra_roots.push(ca.pem().into_bytes());
    p.per_host_interval = Duration::ZERO;
    p.total_timeout = Duration::from_secs(4);
    p.connect_timeout = Duration::from_secs(2);
    p
}

async fn https(ca: &TestCa, kind: CertKind) -> FakeServer {
    let (cert, key) = ca.leaf(ip(), &[], kind);
    spawn_https(ip(), cert, key, Duration::ZERO).await.unwrap()
}

async fn check(ca: &TestCa, url: &str) -> Result<CheckReport, FetchError> {
    let client = SafeClient::new(policy(ca)).unwrap();
    check_endpoint(&client, &parse_base(url)?, &CheckOptions::default()).await
}

fn failure_kind(r: &CheckReport) -> Option<FailureKind> {
    r.metadata.failure.as_ref().map(|f| f.kind)
}

#[tokio::test]
async fn a_healthy_endpoint_is_up_with_every_fact() {
    let ca = TestCa::new();
    let server = https(&ca, CertKind::Valid).await;
    let r = check(&ca, &server.https_base("ok")).await.unwrap();
    assert_eq!(r.health, Health::Up, "{:?}", r.problems);
    let m = r.metadata.facts.as_ref().unwrap();
    assert_eq!(m.fhir_version.as_deref(), Some("4.0.1"));
    assert_eq!(r.metadata.http.as_ref().unwrap().status, 200);
    let tls = r.tls.as_ref().unwrap().as_ref().unwrap();
    assert!(tls.trusted, "{tls:?}");
    assert_eq!(tls.host_matches, Some(true));
    assert!(tls.protocol.starts_with("TLS 1."), "{}", tls.protocol);
    assert!((198..=200).contains(&tls.days_left.unwrap()), "{tls:?}");
    assert!(tls.issuer.as_deref().unwrap().contains("Signpost Test CA"));
    assert_eq!(r.cors, Some(true));
    let item = |k: &str| r.scorecard.iter().find(|i| i.key == k).unwrap().verdict;
    assert_eq!(item("capability:launch-standalone"), Verdict::Pass);
    assert_eq!(item("resource:Patient"), Verdict::Pass);
    assert_eq!(item("resource:ExplanationOfBenefit"), Verdict::Fail);
}

#[tokio::test]
async fn certificate_problems_are_told_apart() {
    let ca = TestCa::new();
    let soon = https(&ca, CertKind::ExpiresIn(5)).await;
    let r = check(&ca, &soon.https_base("ok")).await.unwrap();
    assert_eq!(r.health, Health::Degraded);
    assert_eq!(r.tls.as_ref().unwrap().as_ref().unwrap().days_left, Some(5));
    assert!(r.problems.iter().any(|p| p.contains("expires in 5 days")), "{:?}", r.problems);

    for (kind, words) in [
        (CertKind::Expired, "certificate expired"),
        (CertKind::WrongHost, "does not match the host name"),
        (CertKind::SelfSigned, "not trusted"),
    ] {
        let server = https(&ca, kind).await;
        let r = check(&ca, &server.https_base("ok")).await.unwrap();
        assert_eq!(r.health, Health::Down, "{kind:?}");
        assert_eq!(failure_kind(&r), Some(FailureKind::Tls), "{kind:?}: {:?}", r.metadata.failure);
        assert!(r.metadata.failure.as_ref().unwrap().detail.contains(words), "{kind:?}: {:?}", r.metadata.failure);
        // The inspection handshake still reads the certificate.
        let tls = r.tls.as_ref().unwrap().as_ref().unwrap();
        assert!(!tls.trusted);
        assert!(tls.trust_error.as_deref().unwrap().contains(words), "{kind:?}: {tls:?}");
        assert!(tls.days_left.is_some());
        if let CertKind::Expired = kind {
            assert!(tls.days_left.unwrap() < 0);
        }
        if let CertKind::WrongHost = kind {
            assert_eq!(tls.host_matches, Some(false));
        }
    }
}

#[tokio::test]
async fn each_way_of_failing_is_stored_with_its_reason() {
    let ca = TestCa::new();
    let server = https(&ca, CertKind::Valid).await;
    for (scenario, kind, words) in [
        ("error", FailureKind::HttpStatus, "HTTP 500"),
        ("text", FailureKind::NotJson, "not JSON"),
        ("big", FailureKind::TooLarge, "larger than 5242880 bytes"),
        ("loop", FailureKind::Redirects, "more than 3 redirects"),
        ("stall", FailureKind::Timeout, "timed out"),
        ("missing", FailureKind::HttpStatus, "HTTP 404"),
    ] {
        let r = check(&ca, &server.https_base(scenario)).await.unwrap();
        assert_eq!(r.health, Health::Down, "{scenario}");
        let f = r.metadata.failure.as_ref().unwrap();
        assert_eq!(f.kind, kind, "{scenario}: {f:?}");
        assert!(f.detail.contains(words), "{scenario}: {f:?}");
    }
    let r = check(&ca, &server.https_base("nosmart")).await.unwrap();
    assert_eq!(r.health, Health::Degraded);
    assert_eq!(r.smart.http.as_ref().unwrap().status, 404);
    assert!(r.scorecard.iter().filter(|i| i.key.starts_with("capability:")).all(|i| i.verdict == Verdict::Fail));

    // Nothing listens on port 1 of 127.0.0.2.
    let r = check(&ca, "https://127.0.0.2:1/fhir").await.unwrap();
    assert_eq!(failure_kind(&r), Some(FailureKind::Connect), "{:?}", r.metadata.failure);
}

#[tokio::test]
async fn slow_and_rate_limited_servers_are_waited_for() {
    let ca = TestCa::new();
    let server = https(&ca, CertKind::Valid).await;
    let r = check(&ca, &server.https_base("slow")).await.unwrap();
    assert_eq!(r.health, Health::Up);
    assert!(r.metadata.http.as_ref().unwrap().latency_ms >= 2000);

    let before = server.hits();
    let r = check(&ca, &server.https_base("busy")).await.unwrap();
    assert_eq!(r.health, Health::Up, "{:?}", r.metadata.failure);
    // One 429 with Retry-After: 1, then the answer (plus one smart-configuration request).
    assert_eq!(server.hits() - before, 3);
    assert!(r.metadata.http.as_ref().unwrap().latency_ms >= 1000);
}

/// A retry and its wait come out of the request's total time: after a 429 and a 1 s wait, the
/// second attempt has only what is left of 2.5 s, not another 2.5 s.
#[tokio::test]
async fn retries_stay_within_the_total_time() {
    let ca = TestCa::new();
    let server = https(&ca, CertKind::Valid).await;
    let mut p = policy(&ca);
    p.total_timeout = Duration::from_millis(2500);
    let client = SafeClient::new(p).unwrap();
    let url = url::Url::parse(&format!("{}/metadata", server.https_base("busyslow"))).unwrap();
    let started = std::time::Instant::now();
    let r = client.get(&url, reqwest::header::HeaderMap::new(), 1024 * 1024).await;
    let took = started.elapsed();
    assert!(matches!(r, Err(FetchError::Timeout(_))), "{:?}", r.map(|f| f.status));
    assert_eq!(server.hits(), 2, "one 429, then the slow answer that does not fit");
    assert!(took < Duration::from_millis(2900), "{took:?}: the second attempt got a whole total of its own");
}

#[tokio::test]
async fn real_dstu2_and_stu3_statements_are_read() {
    let ca = TestCa::new();
    let server = https(&ca, CertKind::Valid).await;
    let r = check(&ca, &server.https_base("dstu2")).await.unwrap();
    assert_eq!(r.metadata.facts.as_ref().unwrap().resource_type, "Conformance");
    let r = check(&ca, &server.https_base("epic")).await.unwrap();
    assert_eq!(r.metadata.facts.as_ref().unwrap().software_version.as_deref(), Some("8.7.0.1"));
    assert_eq!(r.cors, Some(false));
}

#[tokio::test]
async fn addresses_outside_the_allowed_set_are_refused_directly_and_after_redirects() {
    let ca = TestCa::new();
    let server = spawn_http(ip(), Duration::ZERO).await.unwrap();
    let port = server.addr.port();
    for direct in [
        format!("http://127.0.0.1:{port}/ok"),
        format!("http://localhost:{port}/ok"),
        format!("http://[::ffff:127.0.0.1]:{port}/ok"),
        format!("http://2130706433:{port}/ok"),
        format!("http://[::1]:{port}/ok"),
    ] {
        match check(&ca, &direct).await {
            Err(FetchError::Refused { why, .. }) => assert_eq!(why.to_string(), "loopback", "{direct}"),
            other => panic!("{direct}: {other:?}"),
        }
    }
    for target in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::ffff:127.0.0.1]:{port}"),
        format!("2130706433:{port}"),
    ] {
        let r = check(&ca, &server.http_base(&format!("redirect/{target}"))).await.unwrap();
        let f = r.metadata.failure.as_ref().unwrap();
        assert_eq!(f.kind, FailureKind::Refused, "{target}: {f:?}");
        assert!(f.detail.contains("loopback"), "{f:?}");
    }
    for bad in ["ftp://127.0.0.2/x", "not a url", "http://user:pw@127.0.0.2/x"] {
        assert!(matches!(check(&ca, bad).await, Err(FetchError::BadUrl(_))), "{bad}");
    }
}

#[tokio::test]
async fn names_that_resolve_to_nothing_are_a_dns_failure() {
    let ca = TestCa::new();
    let mut p = policy(&ca);
    p.hosts = std::sync::Arc::new([("gone.example".to_string(), vec![])].into_iter().collect());
    let client = SafeClient::new(p).unwrap();
    let r = check_endpoint(&client, &parse_base("https://gone.example/fhir").unwrap(), &CheckOptions::default())
        .await
        .unwrap();
    assert_eq!(failure_kind(&r), Some(FailureKind::Dns));
}

#[tokio::test]
async fn the_check_command_exits_by_health() {
    let ca = TestCa::new();
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("ca.pem");
    std::fs::write(&ca_path, ca.pem()).unwrap();
    let good = https(&ca, CertKind::Valid).await;
    let expired = https(&ca, CertKind::Expired).await;
    let run = |url: String, json: bool| {
        let ca_path = ca_path.clone();
        tokio::task::spawn_blocking(move || {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_signpost"));
            cmd.arg("check").arg(&url);
            if json {
                cmd.arg("--json");
            }
            cmd.env("SIGNPOST_FETCH_ALLOW", "127.0.0.2/32")
                .env("SIGNPOST_FETCH_CA", &ca_path)
                .env("SIGNPOST_FETCH_HOST_INTERVAL_MS", "0")
                .output()
                .unwrap()
        })
    };
    let out = run(good.https_base("ok"), false).await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("UP"), "{text}");
    assert!(text.contains("CARIN scorecard:"), "{text}");

    let out = run(expired.https_base("ok"), true).await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: CheckReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.health, Health::Down);
    assert!(report.tls.unwrap().unwrap().days_left.unwrap() < 0);

    let out = run(format!("http://127.0.0.1:{}/ok", good.addr.port()), false).await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
    let out = run("gopher://example.org/".into(), false).await.unwrap();
    assert_eq!(out.status.code(), Some(2));
}
