//! The poller against real HTTPS fakes on loopback, on SQLite and PostgreSQL: results and
//! status stored, history kept compactly, and two pollers sharing one database through leases.

use crate::helpers::{Backend, TestApp, fake, import_urls, loopback_policy, spawn_app_with};
use app::server::entities::{endpoint, endpoint_check, endpoint_health, endpoint_snapshot};
use app::server::net::client::SafeClient;
use app::server::services::polling::{self, Claim, PollSettings};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use signpost::fake_fhir::{CertKind, TestCa};
use signpost::poller::Poller;
use std::collections::HashMap;
use std::time::Duration;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn poller(app: &TestApp, ca: &TestCa, concurrency: usize) -> Poller {
    let settings = PollSettings { interval_secs: 3600, down_after: 2, ..PollSettings::default() };
    Poller::new(
        app.db.clone(),
        SafeClient::new(loopback_policy(ca)).unwrap(),
        settings,
        concurrency,
        "https://signpost.test".into(),
    )
}

async fn health_of(app: &TestApp, id: i32) -> endpoint_health::Model {
    endpoint_health::Entity::find_by_id(id).one(&app.db).await.unwrap().expect("scheduled")
}

async fn results_are_stored_with_status_and_compact_history(backend: Backend) {
    let app = spawn_app_with(backend, false).await;
    let ca = TestCa::new();
    let good = fake(&ca, CertKind::Valid, Duration::ZERO).await;
    let soon = fake(&ca, CertKind::ExpiresIn(5), Duration::ZERO).await;
    let urls = vec![good.https_base("ok"), good.https_base("error"), soon.https_base("ok"), good.https_base("text")];
    let ids = import_urls(&app, &urls).await;
    let id = |u: &String| ids[u.trim_end_matches('/')];

    let p = poller(&app, &ca, 4);
    let first = p.poll(Claim::NotCheckedSince(now()), |_| {}).await.unwrap();
    assert_eq!(first.checked, 4);
    let ok = health_of(&app, id(&urls[0])).await;
    assert_eq!(ok.health, "up");
    assert!(ok.raw_metadata.as_deref().unwrap().contains("CapabilityStatement"));
    assert!(ok.raw_smart.as_deref().unwrap().contains("capabilities"));
    assert!(ok.next_check_at > chrono::Utc::now().timestamp() + 3000);
    assert_eq!(ok.lease_owner, None);
    // Never seen up, failed once: not down before the threshold (2 here).
    let failing = health_of(&app, id(&urls[1])).await;
    assert_eq!((failing.health.as_str(), failing.consecutive_failures), ("unknown", 1));
    p.poll(Claim::One(id(&urls[1])), |_| {}).await.unwrap();
    assert_eq!(health_of(&app, id(&urls[1])).await.health, "down");
    let expiring = health_of(&app, id(&urls[2])).await;
    assert_eq!(expiring.health, "degraded");
    assert_eq!(expiring.cert_days_left, Some(5));
    let text = endpoint_check::Entity::find()
        .filter(endpoint_check::Column::EndpointId.eq(id(&urls[3])))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(text.failure_kind.as_deref(), Some("not-json"));

    // A second round with the same answers adds history rows but no snapshots. Check times are
    // in whole seconds, so start it in the next second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = p.poll(Claim::NotCheckedSince(now()), |_| {}).await.unwrap();
    assert_eq!(second.checked, 4);
    // 4 + 1 (the failing one's second check above) + 4.
    assert_eq!(endpoint_check::Entity::find().count(&app.db).await.unwrap(), 9);
    assert_eq!(endpoint_snapshot::Entity::find().count(&app.db).await.unwrap(), 4);

    // One endpoint by id; nothing else is touched.
    let one = p.poll(Claim::One(id(&urls[0])), |_| {}).await.unwrap();
    assert_eq!(one.checked, 1);
    assert_eq!(endpoint_check::Entity::find().count(&app.db).await.unwrap(), 10);
}

async fn two_pollers_share_the_work_and_never_check_an_endpoint_twice(backend: Backend) {
    let app = spawn_app_with(backend, false).await;
    let ca = TestCa::new();
    let server = fake(&ca, CertKind::Valid, Duration::from_millis(30)).await;
    let urls: Vec<String> = (0..400).map(|i| server.https_base(&format!("ok-{i}"))).collect();
    import_urls(&app, &urls).await;
    // At concurrency 1 a poller leases at most about 160 ahead of its checks (32 a claim, 64
    // waiting to start, 64 running), so neither can take all 400 before the other starts.
    let a = poller(&app, &ca, 1);
    let b = poller(&app, &ca, 1);
    assert_ne!(a.owner(), b.owner());
    let start = now();
    let (ra, rb) =
        tokio::join!(a.poll(Claim::NotCheckedSince(start), |_| {}), b.poll(Claim::NotCheckedSince(start), |_| {}));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.checked + rb.checked, 400, "a {} b {}", ra.checked, rb.checked);
    assert!(ra.checked > 0 && rb.checked > 0, "both pollers worked: a {} b {}", ra.checked, rb.checked);
    let rows = endpoint_check::Entity::find().all(&app.db).await.unwrap();
    let mut per_endpoint: HashMap<i32, usize> = HashMap::new();
    for r in rows {
        *per_endpoint.entry(r.endpoint_id).or_default() += 1;
    }
    assert_eq!(per_endpoint.len(), 400);
    assert!(per_endpoint.values().all(|n| *n == 1), "{per_endpoint:?}");
}

async fn a_dead_pollers_leases_expire_and_are_taken_over(backend: Backend) {
    let app = spawn_app_with(backend, false).await;
    let ca = TestCa::new();
    let server = fake(&ca, CertKind::Valid, Duration::ZERO).await;
    import_urls(&app, &[server.https_base("ok"), server.https_base("epic")]).await;
    let settings = PollSettings::default();
    let now = chrono::Utc::now().timestamp();
    polling::schedule_new(&app.db, now, &settings).await.unwrap();
    // The "dead" instance claims everything and never reports back.
    let taken = polling::claim(&app.db, "dead", now, 100, Claim::NotCheckedSince(i64::MAX), &settings).await.unwrap();
    assert_eq!(taken.len(), 2);
    assert!(
        polling::claim(&app.db, "alive", now, 100, Claim::NotCheckedSince(i64::MAX), &settings)
            .await
            .unwrap()
            .is_empty()
    );
    // After the lease time, another instance takes them.
    let later = now + settings.lease_secs + 1;
    let retaken =
        polling::claim(&app.db, "alive", later, 100, Claim::NotCheckedSince(i64::MAX), &settings).await.unwrap();
    assert_eq!(retaken.len(), 2);
    // The dead instance's late result is not stored: it no longer holds the lease.
    let client = SafeClient::new(loopback_policy(&ca)).unwrap();
    let base = app::server::check::parse_base(&server.https_base("ok")).unwrap();
    let checked = app::server::check::check_endpoint_raw(&client, &base, &Default::default()).await.unwrap();
    let stored = polling::record(&app.db, "dead", taken[0].0, &checked, later, later + 60, &settings).await.unwrap();
    assert_eq!(stored, None);
    assert_eq!(endpoint_check::Entity::find().count(&app.db).await.unwrap(), 0);
}

async fn an_endpoint_goes_down_only_after_the_threshold(backend: Backend) {
    let app = spawn_app_with(backend, false).await;
    let ca = TestCa::new();
    let server = fake(&ca, CertKind::Valid, Duration::ZERO).await;
    let url = server.https_base("ok");
    let ids = import_urls(&app, &[url.clone()]).await;
    let id = ids[url.trim_end_matches('/')];
    let p = poller(&app, &ca, 1);
    let r = p.poll(Claim::One(id), |_| {}).await.unwrap();
    assert_eq!(r.checked, 1);
    assert_eq!(health_of(&app, id).await.health, "up", "{r:?}");
    // The same address now refuses connections: stop the server by pointing at a closed port.
    drop(server);
    endpoint::Entity::update_many()
        .col_expr(endpoint::Column::Address, sea_orm::sea_query::Expr::value("https://127.0.0.2:1/ok"))
        .exec(&app.db)
        .await
        .unwrap();
    // Each check is counted by its result and timed, in the process's metrics.
    let count = |series: &str| {
        let text = signpost::telemetry::metrics().render();
        text.lines().find_map(|l| l.strip_prefix(series)?.trim().parse::<f64>().ok()).unwrap_or(0.0)
    };
    let (down_before, timed_before) =
        (count(r#"signpost_poll_checks_total{health="down"} "#), count("signpost_check_duration_seconds_count "));
    let first = p.poll(Claim::One(id), |_| {}).await.unwrap();
    assert_eq!(health_of(&app, id).await.health, "up", "one failure is not down yet");
    assert_eq!(first.transitions[0].to, app::types::check::Health::Up);
    let second = p.poll(Claim::One(id), |_| {}).await.unwrap();
    assert_eq!(health_of(&app, id).await.health, "down");
    assert_eq!(second.transitions[0].from, app::types::check::Health::Up);
    assert_eq!(second.transitions[0].to, app::types::check::Health::Down);
    // Other tests share the registry, so at least these two.
    assert!(count(r#"signpost_poll_checks_total{health="down"} "#) >= down_before + 2.0);
    assert!(count("signpost_check_duration_seconds_count ") >= timed_before + 2.0);
}

async fn the_endpoint_page_and_api_show_what_the_poller_found(backend: Backend) {
    let app = spawn_app_with(backend, false).await;
    let ca = TestCa::new();
    let server = fake(&ca, CertKind::ExpiresIn(20), Duration::ZERO).await;
    let url = server.https_base("ok");
    let ids = import_urls(&app, &[url.clone()]).await;
    let id = ids[url.trim_end_matches('/')];
    let page = app.client.get(app.url(&format!("/endpoints/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Not checked yet"), "before any check");
    poller(&app, &ca, 1).poll(Claim::One(id), |_| {}).await.unwrap();

    let r = app.client.get(app.url(&format!("/endpoints/{id}"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    for needle in [
        "badge-up",
        "certificate: 20 days left",
        "cert-warn",
        "CARIN Blue Button scorecard",
        "TLS 1.3",
        "/metadata.json",
        "100.0%",
    ] {
        assert!(page.contains(needle), "{needle} missing from the endpoint page");
    }
    // "Check it now" opens the Check page on this endpoint's address.
    let link = app::types::check::check_href(&url);
    assert!(page.contains(&format!("href=\"{link}\"")), "no link to {link}");
    let check_page = app.client.get(app.url(&link)).send().await.unwrap().text().await.unwrap();
    assert!(check_page.contains(&format!("value=\"{url}\"")), "the Check page shows the address");
    let api = app.get_json(&format!("/api/v1/endpoints/{id}")).await;
    crate::openapi::assert_described("get", "/api/v1/endpoints/{id}", 200, &api);
    assert_eq!(api["health"], "up");
    assert_eq!(api["report"]["tls"]["days_left"], 20);
    let raw = app.client.get(app.url(&format!("/endpoints/{id}/metadata.json"))).send().await.unwrap();
    assert_eq!(raw.headers()["content-type"], "application/fhir+json");
    assert!(raw.text().await.unwrap().contains("\"fhirVersion\""));
    let smart = app.client.get(app.url(&format!("/endpoints/{id}/smart-configuration.json"))).send().await.unwrap();
    assert_eq!(smart.status(), 200);
    assert_eq!(app.client.get(app.url("/endpoints/99999")).send().await.unwrap().status(), 404);
    assert_eq!(app.client.get(app.url("/api/v1/endpoints/99999")).send().await.unwrap().status(), 404);

    // The brand page shows each endpoint's status and links to it.
    let search = app.get_json("/api/v1/brands?q=plan").await;
    let brand = search["results"][0]["id"].as_i64().unwrap();
    let page = app.client.get(app.url(&format!("/brands/{brand}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("badge-up") && page.contains(&format!("/endpoints/{id}")), "brand page shows status");
}

async fn the_check_page_runs_a_check_and_is_rate_limited(backend: Backend) {
    let ca = TestCa::new();
    let app = crate::helpers::spawn_app_fetching(backend, false, loopback_policy(&ca)).await;
    let server = fake(&ca, CertKind::Valid, Duration::ZERO).await;
    let page = |url: String| {
        let app_url = app.url("/check");
        let client = app.client.clone();
        async move { client.get(app_url).query(&[("url", url)]).send().await.unwrap() }
    };
    let r = page(server.https_base("ok")).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("badge-up") && html.contains("CARIN Blue Button scorecard"), "report shown");
    // A name that resolves to an internal address: refused, without saying which address.
    let html = page("http://localhost:9/".into()).await.text().await.unwrap();
    assert!(
        html.contains("refused: loopback address"),
        "refusal shown: {}",
        &html[html.find("Check an endpoint</h1>").unwrap_or(0)..]
    );
    assert!(!html.contains("127.0.0.1") && !html.contains("::1"), "the resolved address leaked");
    // Two at once, then the per-client limit.
    let r = page(server.https_base("ok")).await;
    assert_eq!(r.status(), 429);
    assert!(r.text().await.unwrap().contains("Too many checks from your address"));
}

async fn search_shows_status_and_filters_by_the_pollers_facets(backend: Backend) {
    let app = spawn_app_with(backend, false).await;
    let ca = TestCa::new();
    let good = fake(&ca, CertKind::Valid, Duration::ZERO).await;
    let soon = fake(&ca, CertKind::ExpiresIn(5), Duration::ZERO).await;
    // Plan 0: up, CARIN, EOB. Plan 1: a 500 (down). Plan 2: certificate 5 days from expiry.
    let urls = vec![good.https_base("ok"), good.https_base("error"), soon.https_base("ok")];
    let ids = import_urls(&app, &urls).await;
    // The fixture's smart-configuration misses part of the CARIN profile; this one has it all.
    let resources = ["ExplanationOfBenefit", "Coverage", "Patient", "Organization", "Practitioner"];
    let mut scopes = vec!["openid".to_string(), "fhirUser".into(), "launch/patient".into()];
    scopes.extend(resources.iter().flat_map(|r| [format!("patient/{r}.read"), format!("user/{r}.read")]));
    let carin = serde_json::json!({
        "authorization_endpoint": "https://auth.example.org/authorize",
        "token_endpoint": "https://auth.example.org/token",
        "capabilities": ["launch-standalone", "client-public", "client-confidential-symmetric", "sso-openid-connect",
            "context-standalone-patient", "permission-offline", "permission-patient", "permission-user"],
        "scopes_supported": scopes,
        "user_access_brand_bundle": "https://brands.example.org/brands.json",
    });
    good.set_smart(Some(carin.to_string()));
    // The real R4 sample offers Patient and Condition; a payer's also offers claims and coverage.
    let mut metadata: serde_json::Value =
        serde_json::from_slice(&crate::helpers::fixture("capability/r4-sample.json")).unwrap();
    for r in ["ExplanationOfBenefit", "Coverage"] {
        metadata["rest"][0]["resource"].as_array_mut().unwrap().push(serde_json::json!({ "type": r }));
    }
    good.set_metadata(Some(metadata.to_string()));
    let p = poller(&app, &ca, 2);
    p.poll(Claim::NotCheckedSince(now()), |_| {}).await.unwrap();
    // Plan 1 fails a second time: down (the threshold is 2).
    p.poll(Claim::One(ids[urls[1].trim_end_matches('/')]), |_| {}).await.unwrap();

    // The brand bundle the endpoint points to is recorded as discovered, not fetched: an
    // operator approves it first, so the lease query never hands it out.
    use app::server::entities::bundle_feed::{self, FeedState};
    let feeds: Vec<(String, FeedState)> =
        bundle_feed::Entity::find().all(&app.db).await.unwrap().into_iter().map(|f| (f.url, f.state)).collect();
    assert_eq!(feeds, [("https://brands.example.org/brands.json".to_string(), FeedState::Discovered)]);
    let client = SafeClient::new(loopback_policy(&ca)).unwrap();
    let refreshed = app::server::services::feeds::refresh_due(&app.db, &client, now() + 86_400, 3600).await.unwrap();
    assert!(refreshed.is_empty(), "a discovered feed was fetched: {refreshed:?}");

    let names = |r: &serde_json::Value| -> Vec<String> {
        let mut v: Vec<String> =
            r["results"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap().to_string()).collect();
        v.sort();
        v
    };
    let all = app.get_json("/api/v1/brands").await;
    let status: HashMap<String, String> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["name"].as_str().unwrap().to_string(), b["health"].as_str().unwrap_or("none").to_string()))
        .collect();
    assert_eq!(status["Plan 0"], "up");
    assert_eq!(status["Plan 1"], "down");
    assert_eq!(status["Plan 2"], "degraded");
    let facet = |name: &str| all["facets"][name].as_array().unwrap().clone();
    assert!(facet("status").iter().any(|f| f["value"] == "down" && f["count"] == 1), "{:?}", facet("status"));
    assert!(facet("cert_days").iter().any(|f| f["value"] == "7" && f["count"] == 1));
    assert_eq!(names(&app.get_json("/api/v1/brands?status=down").await), ["Plan 1"]);
    assert_eq!(names(&app.get_json("/api/v1/brands?cert_days=10").await), ["Plan 2"]);
    assert_eq!(names(&app.get_json("/api/v1/brands?carin=yes").await), ["Plan 0"]);
    assert_eq!(names(&app.get_json("/api/v1/brands?eob=yes").await), ["Plan 0"]);
    let bad = app.client.get(app.url("/api/v1/brands?cert_days=soon")).send().await.unwrap();
    assert_eq!(bad.status(), 400, "a number of days is required");

    // The search page shows each brand's status and the new facets, without JavaScript.
    let page = app.client.get(app.url("/?status=down")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Plan 1") && !page.contains("Plan 0"), "filtered");
    assert!(page.contains("badge badge-down"));
    assert!(!page.contains("Within 7 days"), "facet counts follow the other filters");
    let page = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Certificate expires") && page.contains("Within 7 days"));
    assert!(page.contains("Passes the CARIN scorecard") && page.contains("cert_days=7"));
}

on_both_databases!(
    search_shows_status_and_filters_by_the_pollers_facets,
    the_check_page_runs_a_check_and_is_rate_limited,
    the_endpoint_page_and_api_show_what_the_poller_found,
    results_are_stored_with_status_and_compact_history,
    two_pollers_share_the_work_and_never_check_an_endpoint_twice,
    a_dead_pollers_leases_expire_and_are_taken_over,
    an_endpoint_goes_down_only_after_the_threshold,
    a_slow_bundle_feed_gets_the_bundle_time_limit,
);

/// A bundle that takes longer than a check may is still fetched and imported (a real one can be
/// 90 MB), until the bundle limit runs out.
async fn a_slow_bundle_feed_gets_the_bundle_time_limit(backend: Backend) {
    use app::server::entities::{brand, bundle_feed};
    use app::server::services::feeds::{self, FeedResult};
    let ca = TestCa::new();
    let fake = fake(&ca, CertKind::Valid, Duration::ZERO).await;
    let app = spawn_app_with(backend, false).await;
    let mut policy = loopback_policy(&ca);
    policy.total_timeout = Duration::from_secs(1);
    policy.bundle_timeout = Duration::from_secs(20);
    let client = SafeClient::new(policy.clone()).unwrap();

    let slow_check = client.get(&fake.https_base("slow/metadata").parse().unwrap(), Default::default(), 1024).await;
    assert!(
        matches!(slow_check, Err(app::server::net::error::FetchError::Timeout(_))),
        "a check's request still has 1 s: {slow_check:?}"
    );
    let url = fake.https_base("slow") + "/brands.json";
    feeds::register(&app.db, &url, now()).await.unwrap();
    let feed = bundle_feed::Entity::find().one(&app.db).await.unwrap().expect("the feed");
    let r = feeds::refresh(&app.db, &client, &feed, now(), 3600).await.unwrap();
    assert_eq!(r, FeedResult::Imported { changed: true });
    assert!(brand::Entity::find().count(&app.db).await.unwrap() > 0);

    policy.bundle_timeout = Duration::from_secs(1);
    let impatient = SafeClient::new(policy).unwrap();
    let feed = bundle_feed::Entity::find().one(&app.db).await.unwrap().unwrap();
    match feeds::refresh(&app.db, &impatient, &feed, now(), 3600).await.unwrap() {
        FeedResult::Failed(why) => assert!(why.contains("timed out waiting for the answer (after 1 s)"), "{why}"),
        other => panic!("a bundle slower than its limit fails, got {other:?}"),
    }
    let feed = bundle_feed::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert!(feed.last_error.is_some(), "the failure is stored");
}
