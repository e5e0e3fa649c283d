//! A queue longer than one page: every open request is on its clock, so the oldest ones (least
//! time left, past the target) come first however many newer requests there are; the counts
//! are of every matching request, and the page says how many it shows.
use super::account_rules::admin;
use super::attestations::registered;
use super::browser::Browser;
use super::helpers::{Backend, spawn_app_with};
use super::registration::payer;
use super::turnaround::actor;
use app::server::entities::{registration_request as request, request_event};
use app::server::services::registration::{calendar::Calendar, queue};
use app::types::registration::{QueueFilter, RequestState};
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, EntityTrait, Set, TransactionTrait};

on_both_databases!(a_long_queue_is_ordered_and_counted_in_full,);

const DAY: i64 = 86_400;

async fn a_long_queue_is_ordered_and_counted_in_full(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let mut dev = Browser::new(&app);
    let (_, _, app_page) = registered(&mut dev, &[]).await;
    let mut boss = admin(&app, "boss@example.org").await;
    let (mut pat, org, aetna) = payer(&app, &mut boss, "pat@aetna.example", "Aetna Interop", "Aetna").await;
    let a = aetna.to_string();
    let p = dev.post(&format!("{app_page}/requests"), &[("brand", a.as_str()), ("environment", "production")]).await;
    assert!(p.body.contains("Requested from 1 payer"), "{}", p.body);
    let template = request::Entity::find().one(&app.db).await.unwrap().unwrap();
    let now = chrono::Utc::now().timestamp();

    // Three requests a month old (past the 5-day target) made first, then 550 made in the last
    // hours, then 10 decided: the newest 500 by id hold none of the three.
    let txn = app.db.begin().await.unwrap();
    let add = async |created: i64, state: RequestState| {
        let mut m: request::ActiveModel = template.clone().into();
        m.id = NotSet;
        m.created_at = Set(created);
        m.state = Set(state);
        if !state.is_open() {
            m.decided_at = Set(Some(created + DAY));
            m.decision_secs = Set(Some(DAY));
        }
        let r = m.insert(&txn).await.unwrap();
        for (at, s) in
            [(created, RequestState::Submitted)].into_iter().chain((!state.is_open()).then_some((created + DAY, state)))
        {
            request_event::ActiveModel {
                id: NotSet,
                request_id: Set(r.id),
                at: Set(at),
                state: Set(s),
                actor_id: Set(None),
                note: Set(None),
            }
            .insert(&txn)
            .await
            .unwrap();
        }
        r.id
    };
    let mut old = Vec::new();
    for k in 0..3 {
        old.push(add(now - 30 * DAY - k * 3_600, RequestState::Submitted).await);
    }
    for k in 0..550 {
        add(now - 60 * (k + 1), RequestState::Submitted).await;
    }
    for k in 0..10 {
        add(now - 10 * DAY + k * 3_600, RequestState::Approved).await;
    }
    txn.commit().await.unwrap();

    let queue_url = format!("/orgs/{org}/queue");
    let page = pat.get(&queue_url).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("554 requests, the first 500 shown, 3 past the target"), "{}", page.body);
    for id in &old {
        assert!(page.body.contains(&format!("Request #{id}\"")), "the month-old request {id} is on the first page");
    }
    let late = pat.get(&format!("{queue_url}?breached=1")).await.body;
    assert!(late.contains("3 requests, 3 past the target"), "{late}");

    let cal = Calendar::new(Default::default(), []);
    let actor = actor(&app, "pat@aetna.example").await;
    let q = |f: QueueFilter| queue::queue(&app.db, &actor, org, f, &cal, now);
    let first = q(QueueFilter::default()).await.unwrap();
    assert_eq!((first.total, first.rows.len(), first.breached), (554, 500, 3));
    // Least time left first: the oldest of the three.
    assert_eq!(first.rows.iter().take(3).map(|r| r.id).collect::<Vec<_>>(), vec![old[2], old[1], old[0]]);
    assert!(first.rows.windows(2).all(|w| w[0].left_secs <= w[1].left_secs), "ordered by time left");
    let all = q(QueueFilter { state: "all".into(), ..Default::default() }).await.unwrap();
    assert_eq!((all.total, all.rows.len()), (564, 500));
    let oldest = q(QueueFilter { state: "all".into(), sort: "oldest".into(), ..Default::default() }).await.unwrap();
    assert_eq!(oldest.rows[0].id, old[2]);
    assert!(oldest.rows.windows(2).all(|w| w[0].created_at <= w[1].created_at), "oldest first");
    assert_eq!(
        oldest.rows.iter().filter(|r| r.state == RequestState::Approved).count(),
        10,
        "decided ones in their place"
    );
    let decided = q(QueueFilter { state: "approved".into(), ..Default::default() }).await.unwrap();
    assert_eq!((decided.total, decided.rows.len()), (10, 10));
    assert!(decided.rows.windows(2).all(|w| w[0].decided_at >= w[1].decided_at), "the latest decisions first");
    let newest = q(QueueFilter { sort: "newest".into(), ..Default::default() }).await.unwrap();
    assert!(newest.rows.windows(2).all(|w| w[0].created_at >= w[1].created_at), "newest first");
    assert!(!newest.rows.iter().any(|r| old.contains(&r.id)), "the oldest are past the first 500 newest");
}
