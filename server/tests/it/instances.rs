//! Several instances on one PostgreSQL (issue 17): three `signpost serve` processes on one
//! database. One is killed (`kill -9`) while it holds the poll leases; the other two take them
//! over when they run out, and every endpoint is checked exactly once. A session made on one
//! instance is valid on another, and mails queued while two mailers run are each sent once.
use crate::browser::PASSWORD;
use crate::helpers::{Backend, database_url, fake, import_urls_into};
use crate::served::Served;
use app::server::entities::{endpoint_check, endpoint_health, mail_outbox};
use app::server::policy::Actor;
use app::server::services::accounts::admin::create_admin;
use app::server::services::outbox::{self, NewMail};
use app::server::services::polling::{self, PollSettings};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use signpost::fake_fhir::{CertKind, TestCa};
use std::collections::HashMap;
use std::time::Duration;

const ENDPOINTS: usize = 40;

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..600 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("gave up waiting: {what}");
}

#[tokio::test]
async fn three_instances_share_one_postgresql() {
    let ca = TestCa::new();
    // Each answer takes 300 ms, so a check (several answers) is in flight for a while.
    let server = fake(&ca, CertKind::Valid, Duration::from_millis(300)).await;
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let url = database_url(Backend::Postgres, dir.path()).await;
    let db = signpost::startup::connect(&url).await.unwrap();
    let urls: Vec<String> = (0..ENDPOINTS).map(|i| server.https_base(&format!("ok/{i}"))).collect();
    let ids: Vec<i32> = import_urls_into(&db, &urls).await.into_values().collect();
    assert_eq!(ids.len(), ENDPOINTS);
    // Every endpoint due now, and next in an hour: each is checked exactly once in this test.
    let now = chrono::Utc::now().timestamp();
    polling::schedule_new(&db, now, &PollSettings::default()).await.unwrap();
    db.execute_unprepared("UPDATE endpoint_health SET next_check_at = 0").await.unwrap();
    create_admin(&db, &Actor::command_line(), "http://x", "ops@example.org", Some(PASSWORD), now).await.unwrap();

    let env: Vec<(&str, String)> = vec![
        ("DATABASE_URL", url.clone()),
        ("SIGNPOST_POLL", "on".into()),
        ("SIGNPOST_POLL_INTERVAL", "1h".into()),
        ("SIGNPOST_POLL_LEASE", "3s".into()),
        ("SIGNPOST_POLL_CONCURRENCY", "4".into()),
        ("SIGNPOST_FETCH_ALLOW", "127.0.0.2/32".into()),
        ("SIGNPOST_FETCH_CA", ca_file.display().to_string()),
        ("SIGNPOST_FETCH_HOST_INTERVAL_MS", "0".into()),
        ("SIGNPOST_FEEDS", "off".into()),
        ("SIGNPOST_REMINDERS", "off".into()),
    ];
    // The first instance claims every endpoint, and dies with its checks in flight.
    let mut first = Served::start(dir.path(), "first", &env).await;
    let leased = endpoint_health::Entity::find().filter(endpoint_health::Column::LeaseOwner.is_not_null());
    wait_for("the first instance's leases", async || leased.clone().count(&db).await.unwrap() > 0).await;
    first.signal("KILL");
    first.exited_within(Duration::from_secs(5)).await.expect("killed");
    let recorded_by_first = endpoint_check::Entity::find().count(&db).await.unwrap();
    assert!(recorded_by_first < ENDPOINTS as u64, "killed mid-poll: {recorded_by_first} checks recorded");
    assert!(leased.clone().count(&db).await.unwrap() > 0, "the dead instance's leases are still held");

    let second = Served::start(dir.path(), "second", &env).await;
    let third = Served::start(dir.path(), "third", &env).await;
    let checked = endpoint_health::Entity::find().filter(endpoint_health::Column::LastCheckedAt.is_not_null());
    wait_for("every endpoint checked", async || checked.clone().count(&db).await.unwrap() == ENDPOINTS as u64).await;
    // Exactly once each: no check lost with the dead instance, none made twice by the others.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut per_endpoint: HashMap<i32, usize> = HashMap::new();
    for c in endpoint_check::Entity::find().all(&db).await.unwrap() {
        *per_endpoint.entry(c.endpoint_id).or_default() += 1;
    }
    assert_eq!(per_endpoint.len(), ENDPOINTS);
    assert!(per_endpoint.values().all(|n| *n == 1), "{per_endpoint:?}");
    assert_eq!(leased.clone().count(&db).await.unwrap(), 0, "no lease left behind");

    // A session made on one instance is valid on another.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let login = client
        .post(format!("{}/login", second.base))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "ops@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303, "{}", login.text().await.unwrap());
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .find(|c| c.contains("session="))
        .expect("a session cookie");
    let elsewhere = client.get(format!("{}/account", third.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(elsewhere.status(), 200);
    assert!(elsewhere.text().await.unwrap().contains("ops@example.org"));
    let anonymous = client.get(format!("{}/account", third.base)).send().await.unwrap();
    assert_ne!(anonymous.status(), 200, "only with the session");

    // Mails queued while two mailers run: each sent once.
    let before = std::fs::read_dir(dir.path().join("outbox")).map(|d| d.count()).unwrap_or(0);
    let mails: Vec<NewMail> = (0..20)
        .map(|i| NewMail {
            dedupe_key: format!("instances-test-{i}"),
            recipient: format!("reader{i}@example.org"),
            subject: format!("Test mail {i}"),
            body: "One of twenty.".into(),
            unsubscribe_url: None,
        })
        .collect();
    assert_eq!(outbox::enqueue(&db, &mails, chrono::Utc::now().timestamp()).await.unwrap(), 20);
    let unsent = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::DedupeKey.starts_with("instances-test-"))
        .filter(mail_outbox::Column::SentAt.is_null());
    wait_for("every mail sent", async || unsent.clone().count(&db).await.unwrap() == 0).await;
    let files: Vec<String> = std::fs::read_dir(dir.path().join("outbox"))
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    assert_eq!(files.len() - before, 20, "one file per mail");
    for i in 0..20 {
        let subject = format!("Subject: Test mail {i}\r\n");
        assert_eq!(files.iter().filter(|f| f.contains(&subject)).count(), 1, "mail {i} sent once");
    }
    drop((second, third, server));
}
