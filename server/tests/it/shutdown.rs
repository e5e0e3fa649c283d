//! Stopping (issue 17): a stopping server takes no new connections, finishes the requests and
//! checks in flight within its grace period, aborts what is still running after it, and gives
//! the poller's leases back either way; `signpost serve` stops so on SIGTERM.
use crate::helpers::{Backend, TestApp, built_app, fake, import_urls, loopback_policy};
use crate::served::Served;
use app::server::entities::{endpoint_check, endpoint_health};
use app::server::services::polling::PollSettings;
use sea_orm::{EntityTrait, PaginatorTrait};
use signpost::config::PollConfig;
use signpost::fake_fhir::{CertKind, TestCa};
use std::time::Duration;

on_both_databases!(a_stopping_server_finishes_what_is_in_flight, what_outlasts_the_grace_period_is_stopped,);

async fn leased(app: &TestApp, id: i32) -> endpoint_health::Model {
    for _ in 0..300 {
        if let Some(h) = endpoint_health::Entity::find_by_id(id).one(&app.db).await.unwrap() {
            if h.lease_owner.is_some() {
                return h;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the poller never claimed endpoint {id}");
}

fn polling(c: &mut signpost::config::Config, grace: Duration) {
    c.poll = PollConfig {
        enabled: true,
        settings: PollSettings { interval_secs: 2, ..PollSettings::default() },
        concurrency: 2,
    };
    c.shutdown_grace = grace;
}

async fn a_stopping_server_finishes_what_is_in_flight(backend: Backend) {
    let ca = TestCa::new();
    // Each answer takes 700 ms: a check is several of them.
    let server = fake(&ca, CertKind::Valid, Duration::from_millis(700)).await;
    let url = server.https_base("ok");
    let (app, application) = built_app(backend, loopback_policy(&ca), |c| polling(c, Duration::from_secs(20))).await;
    assert!(application.workers().contains(&"poller") && application.workers().contains(&"housekeeping"));
    let addr = application.addr();
    let id = import_urls(&app, std::slice::from_ref(&url)).await[url.trim_end_matches('/')];
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(application.run_until(async move {
        let _ = stopped.await;
    }));
    let claimed = leased(&app, id).await;
    assert!(claimed.last_checked_at.is_none(), "the check is in flight");
    // A request in flight: the Check page runs a check of its own (several slow answers).
    let check = {
        let c = app.client.clone();
        let u = app.url(&format!("/check?url={}", url.replace(':', "%3A").replace('/', "%2F")));
        tokio::spawn(async move { c.get(u).send().await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.send(()).unwrap();
    // No new connections once stopping.
    let mut refused = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "a stopping server takes no new connections");
    let answered = check.await.unwrap().expect("the request in flight is answered");
    assert_eq!(answered.status(), 200);
    running.await.unwrap().expect("the server stops cleanly");
    let after = endpoint_health::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert!(after.last_checked_at.is_some(), "the check in flight was finished and recorded");
    assert_eq!(after.lease_owner, None, "and its lease given back");
    assert_eq!(endpoint_check::Entity::find().count(&app.db).await.unwrap(), 1);
}

async fn what_outlasts_the_grace_period_is_stopped(backend: Backend) {
    let ca = TestCa::new();
    // One answer takes longer than the whole grace period.
    let server = fake(&ca, CertKind::Valid, Duration::from_millis(2_500)).await;
    let url = server.https_base("ok");
    let (app, application) = built_app(backend, loopback_policy(&ca), |c| polling(c, Duration::from_millis(500))).await;
    let id = import_urls(&app, std::slice::from_ref(&url)).await[url.trim_end_matches('/')];
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(application.run_until(async move {
        let _ = stopped.await;
    }));
    leased(&app, id).await;
    stop.send(()).unwrap();
    running.await.unwrap().expect("the server stops at the deadline");
    let mut after = endpoint_health::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    for _ in 0..40 {
        if after.lease_owner.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        after = endpoint_health::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    }
    // The check needed 2.5 s at least: it was stopped, not waited for.
    assert!(after.last_checked_at.is_none(), "{after:?}");
    assert_eq!(after.lease_owner, None, "the lease is given back for another instance to take at once");
    assert_eq!(after.lease_until, None);
}

/// The binary: SIGTERM stops it cleanly (exit 0) once what it was doing is done.
#[tokio::test]
async fn serve_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Served::start(dir.path(), "term", &[]).await;
    server.signal("TERM");
    let status = server.exited_within(Duration::from_secs(10)).await;
    let log = server.log();
    let status = status.unwrap_or_else(|| panic!("still running 10 s after SIGTERM: {log}"));
    assert!(status.success(), "{status:?}: {log}");
    assert!(log.contains("stopping") && log.contains("worker stopped") && log.contains("stopped"), "{log}");
}
