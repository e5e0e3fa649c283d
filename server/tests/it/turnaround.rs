//! Public turnaround from a fixed history: requests made and decided through the services with
//! `now` passed in (US Eastern business days, a weekend, a paused clock and Thanksgiving), the
//! statistics compared with figures worked out by hand below, and the same figures read back by
//! HTTP from the overview's JSON and CSV, the payer's page and the brand page.
use super::account_rules::admin;
use super::attestations::registered;
use super::browser::Browser;
use super::claims::brand_id;
use super::helpers::{Backend, TestApp, spawn_app_with};
use super::registration::payer;
use app::server::entities::account;
use app::server::policy::Actor;
use app::server::services::accounts::sessions::viewer_of;
use app::server::services::registration::calendar::{Calendar, UsZone};
use app::server::services::registration::overview::{self, TurnaroundCache};
use app::server::services::registration::requests::{self, Acted, Action, Asked};
use app::types::registration::Environment;
use app::types::turnaround::{SortBy, Window};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

on_both_databases!(turnaround_is_computed_from_the_clocks,);

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

pub(super) async fn actor(app: &TestApp, email: &str) -> Actor {
    let a = account::Entity::find().filter(account::Column::Email.eq(email)).one(&app.db).await.unwrap().unwrap();
    Actor::account(viewer_of(&app.db, &a, None).await.unwrap(), "test")
}

/// 2026-`m`-`d` at `h`:00 in New York.
fn at(m: u32, d: u32, h: i64) -> i64 {
    UsZone::Eastern.start_of(NaiveDate::from_ymd_opt(2026, m, d).unwrap()) + h * HOUR
}

async fn ask(app: &TestApp, dev: &Actor, org: i32, app_id: i32, brand: i32, env: Environment, now: i64) -> i32 {
    match requests::request_access(&app.db, dev, org, app_id, &[brand], env, "http://x", now).await.unwrap()[..] {
        [Asked::Requested { request_id, .. }] => request_id,
        ref other => panic!("{other:?}"),
    }
}

async fn act(app: &TestApp, who: &Actor, id: i32, action: Action, now: i64) {
    let done = requests::act(&app.db, who, id, action, &Calendar::default(), "http://x", now).await.unwrap();
    assert!(matches!(done, Acted::Done(_)), "{done:?}");
}

fn deny() -> Action {
    Action::Deny { grounds: vec!["incomplete".into()], text: "The redirect URI is missing.".into() }
}

async fn turnaround_is_computed_from_the_clocks(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let mut dev_browser = Browser::new(&app);
    let (org, app_id, _) = registered(&mut dev_browser, &[]).await;
    let mut boss = admin(&app, "boss@example.org").await;
    let humana = brand_id(&app, "Humana").await;
    let (_payer_browser, _, aetna) = payer(&app, &mut boss, "pat@aetna.example", "Aetna Interop", "Aetna").await;
    let dev = actor(&app, "dev@wallet.example.com").await;
    let payer = actor(&app, "pat@aetna.example").await;
    let prod = Environment::Production;

    // R0, in June: Monday 09:00 to Wednesday 09:00, 2 business days.
    let r = ask(&app, &dev, org, app_id, aetna, prod, at(6, 1, 9)).await;
    act(&app, &payer, r, deny(), at(6, 3, 9)).await;
    // R1: six hours on Monday 2 November, 0.25 days.
    let r = ask(&app, &dev, org, app_id, aetna, prod, at(11, 2, 9)).await;
    act(&app, &payer, r, deny(), at(11, 2, 15)).await;
    // R2: Tuesday 09:00 to Thursday 09:00, 2 days.
    let r = ask(&app, &dev, org, app_id, aetna, prod, at(11, 3, 9)).await;
    act(&app, &payer, r, deny(), at(11, 5, 9)).await;
    // R3: Friday 6 November 09:00, a question on Monday 09:00 (15 h + 9 h across the weekend),
    // answered Friday 13 November 09:00 (paused, Veterans Day among it), denied Monday 16
    // November 09:00 (another 15 h + 9 h): 2 days.
    let r = ask(&app, &dev, org, app_id, aetna, prod, at(11, 6, 9)).await;
    act(&app, &payer, r, Action::StartReview, at(11, 6, 10)).await;
    act(&app, &payer, r, Action::AskInfo { question: "Which redirect URI?".into() }, at(11, 9, 9)).await;
    act(&app, &dev, r, Action::Answer { text: "https://app.example/cb".into() }, at(11, 13, 9)).await;
    act(&app, &payer, r, deny(), at(11, 16, 9)).await;
    // R4: Monday 16 November 10:00 to Monday 23 November 10:00, exactly the 5-day target.
    let r = ask(&app, &dev, org, app_id, aetna, prod, at(11, 16, 10)).await;
    act(&app, &payer, r, deny(), at(11, 23, 10)).await;
    // R5: Monday 23 November 11:00 to Wednesday 2 December 11:00, Thanksgiving skipped: Tue,
    // Wed, Fri, Mon, Tue, Wed, 6 days, past the target.
    let r = ask(&app, &dev, org, app_id, aetna, prod, at(11, 23, 11)).await;
    act(&app, &payer, r, Action::Approve { client_id: "aetna-1".into(), notes: String::new() }, at(12, 2, 11)).await;
    // R6, open in sandbox: Thursday 3 December 09:00; at Monday 7 December 09:00 it has
    // waited 15 h + 24 h + 9 h, 2 days.
    ask(&app, &dev, org, app_id, aetna, Environment::Sandbox, at(12, 3, 9)).await;
    // Humana registers apps on its own portal: one self-reported decision, too few to count.
    let h = ask(&app, &dev, org, app_id, humana, prod, at(11, 2, 9)).await;
    act(&app, &dev, h, Action::Approve { client_id: "hum-1".into(), notes: String::new() }, at(11, 4, 9)).await;

    let now = at(12, 7, 9);
    let cal = Calendar::default();
    let page = overview::of_brand(&app.db, &TurnaroundCache::default(), aetna, &cal, now).await.unwrap();
    let (recent, all) = (&page.payer.recent, &page.payer.all_time);
    // Last 90 days: 0.25, 2, 2, 5 and 6 days. Median 2; 90th percentile the 5th of 5, 6; 4 of 5
    // within 5 days, 80%.
    assert_eq!(recent.decided, 5);
    assert_eq!(recent.median_secs, Some(2 * DAY));
    assert_eq!(recent.p90_secs, Some(6 * DAY));
    assert_eq!(recent.within_target_pct, Some(80));
    assert_eq!(recent.self_reported_pct, Some(0));
    assert_eq!((recent.open, recent.oldest_open_secs), (1, Some(2 * DAY)));
    // All time adds June's 2 days: 0.25, 2, 2, 2, 5, 6. Median (2 + 2) / 2; the 90th
    // percentile the 6th of 6; 5 of 6 within, 83%.
    assert_eq!(all.decided, 6);
    assert_eq!((all.median_secs, all.p90_secs, all.within_target_pct), (Some(2 * DAY), Some(6 * DAY), Some(83)));
    assert_eq!(page.payer.target_days, 5);
    // The trend: January to December 2026; November has 4 decisions (too few for a median).
    let months: Vec<(&str, u32)> = page.trend.iter().map(|m| (m.month.as_str(), m.decided)).collect();
    assert_eq!(months[0], ("2026-01", 0));
    assert_eq!(months[5], ("2026-06", 1));
    assert_eq!(months[10], ("2026-11", 4));
    assert_eq!(months[11], ("2026-12", 1));
    assert!(page.trend.iter().all(|m| m.median_secs.is_none()));

    // The overview: both payers; Humana's single self-reported decision gives no statistic.
    let cache = TurnaroundCache::default();
    let o = overview::overview(&app.db, &cache, &cal, SortBy::Median, Window::Recent, now).await.unwrap();
    let names: Vec<&str> = o.rows.iter().map(|r| r.brand.as_str()).collect();
    assert_eq!(names, ["Aetna", "Humana"], "missing statistics sort last");
    let hum = &o.rows[1].recent;
    assert_eq!((hum.decided, hum.median_secs, hum.self_reported_pct), (1, None, None));
    // Cached while nothing changes; a new event refreshes it at once.
    let again = overview::overview(&app.db, &cache, &cal, SortBy::Name, Window::AllTime, now + 60).await.unwrap();
    assert_eq!(again.as_of, now);
    let h2 = ask(&app, &dev, org, app_id, humana, Environment::Sandbox, now + 120).await;
    let fresh = overview::overview(&app.db, &cache, &cal, SortBy::Name, Window::AllTime, now + 180).await.unwrap();
    assert_eq!((fresh.as_of, fresh.rows[1].all_time.open), (now + 180, 1));
    // Within the 5 minutes only the changed requests are read again: a decision and a new
    // request fold in, and the figures are those of a cache read in full at the same time.
    let cigna = brand_id(&app, "Cigna").await;
    ask(&app, &dev, org, app_id, cigna, Environment::Production, now + 200).await;
    act(&app, &dev, h2, Action::Approve { client_id: "hum-2".into(), notes: String::new() }, now + 230).await;
    let folded = overview::overview(&app.db, &cache, &cal, SortBy::Name, Window::AllTime, now + 240).await.unwrap();
    let whole =
        overview::overview(&app.db, &TurnaroundCache::default(), &cal, SortBy::Name, Window::AllTime, now + 240)
            .await
            .unwrap();
    assert_eq!(folded, whole);
    let names: Vec<&str> = folded.rows.iter().map(|r| r.brand.as_str()).collect();
    assert_eq!(names, ["Aetna", "Cigna", "Humana"]);
    assert_eq!(
        (folded.rows[0].all_time.decided, folded.rows[1].all_time.open, folded.rows[2].all_time.decided),
        (6, 1, 2)
    );
    assert_eq!(folded.as_of, now + 240);

    // By HTTP, for anyone: the all-time figures (the recent window moves with the real date).
    let mut visitor = Browser::new(&app);
    let json = visitor.get("/api/v1/turnaround?window=all&sort=decided").await;
    assert_eq!(json.status, 200);
    let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    crate::openapi::assert_described("get", "/api/v1/turnaround", 200, &v);
    assert_eq!(v["rows"][0]["brand"], "Aetna");
    let one = visitor.get(&format!("/api/v1/turnaround/{aetna}")).await;
    assert_eq!(one.status, 200);
    let one: serde_json::Value = serde_json::from_str(&one.body).unwrap();
    crate::openapi::assert_described("get", "/api/v1/turnaround/{brand}", 200, &one);
    assert_eq!(one["payer"]["all_time"]["decided"], 6);
    assert_eq!(v["rows"][0]["all_time"]["median_secs"], 2 * DAY);
    assert_eq!(v["rows"][0]["all_time"]["within_target_pct"], 83);
    let csv = visitor.get("/turnaround.csv").await;
    assert_eq!(csv.status, 200);
    let aetna_row = csv.body.lines().find(|l| l.contains(",Aetna,")).unwrap().to_string();
    // All time: 6 decided, median 2.0, p90 6.0, 83% within, 0% self-reported, 1 open (its age
    // depends on the real date).
    assert!(aetna_row.contains(",6,2.0,6.0,83,0,1,"), "{aetna_row}");
    assert!(csv.body.starts_with("brand_id,brand,target_days,90d_decided"), "{}", csv.body);
    let p = visitor.get(&format!("/turnaround/{aetna}")).await;
    assert!(p.status == 200 && p.body.contains("Registration turnaround: Aetna"), "{}", p.body);
    assert!(p.body.contains("Decisions per month"), "the chart");
    let list = visitor.get("/turnaround?sort=p90&window=all").await;
    assert!(list.body.contains(&format!("/turnaround/{humana}")), "{}", list.body);
    assert_eq!(visitor.get("/api/v1/turnaround/999999").await.status, 404);
    let brand = visitor.get(&format!("/brands/{aetna}")).await;
    assert!(brand.body.contains("Turnaround on Signpost"), "{}", brand.body);
}
