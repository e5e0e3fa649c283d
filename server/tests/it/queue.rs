//! The payer's queue: filters (state, age, assignee, app, past the target), sorting, and
//! assignment one at a time or in bulk, by HTTP; nobody outside the payer organization assigns,
//! nobody is assigned who is not a member, and each assignment is audited and mailed.
use super::account_rules::admin;
use super::attestations::registered;
use super::browser::{Browser, mails_to};
use super::helpers::{Backend, spawn_app_with};
use super::registration::payer;
use app::server::entities::{account, audit_log, registration_request};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

on_both_databases!(payers_filter_sort_and_assign_their_queue,);

async fn payers_filter_sort_and_assign_their_queue(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let mut dev = Browser::new(&app);
    let (_, _, app_page) = registered(&mut dev, &[]).await;
    let mut boss = admin(&app, "boss@example.org").await;
    let (mut pat, org_a, aetna) = payer(&app, &mut boss, "pat@aetna.example", "Aetna Interop", "Aetna").await;
    let (mut other, org_c, _) = payer(&app, &mut boss, "pam@cigna.example", "Cigna Interop", "Cigna").await;
    let a = aetna.to_string();
    for env in ["production", "sandbox"] {
        let p = dev.post(&format!("{app_page}/requests"), &[("brand", a.as_str()), ("environment", env)]).await;
        assert!(p.body.contains("Requested from 1 payer"), "{}", p.body);
    }
    let rows =
        registration_request::Entity::find().order_by_asc(registration_request::Column::Id).all(&app.db).await.unwrap();
    let (r1, r2) = (rows[0].id.to_string(), rows[1].id.to_string());
    let queue = format!("/orgs/{org_a}/queue");
    let assign = format!("{queue}/assign");
    let pat_id = account::Entity::find()
        .filter(account::Column::Email.eq("pat@aetna.example"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let dev_id = account::Entity::find()
        .filter(account::Column::Email.eq("dev@wallet.example.com"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;

    let listed = pat.get(&queue).await;
    assert!(listed.status == 200 && listed.body.contains("2 requests"), "{}", listed.body);
    assert!(listed.body.contains("Assign the selected"));
    // Nobody outside the organization assigns; nobody outside it is assigned.
    let (pat_s, dev_s) = (pat_id.to_string(), dev_id.to_string());
    assert_eq!(other.post(&assign, &[("request", r1.as_str()), ("assignee", pat_s.as_str())]).await.status, 403);
    assert_eq!(dev.post(&assign, &[("request", r1.as_str()), ("assignee", dev_s.as_str())]).await.status, 403);
    assert_eq!(pat.post(&assign, &[("request", r1.as_str()), ("assignee", dev_s.as_str())]).await.status, 400);
    // Another payer's request is not assigned through this queue, nor this one through theirs.
    assert_eq!(
        other
            .post(&format!("/orgs/{org_c}/queue/assign"), &[("request", r1.as_str()), ("assignee", "none")])
            .await
            .status,
        403
    );
    assert_eq!(pat.post(&assign, &[("assignee", "none")]).await.status, 400);
    assert_eq!(pat.post(&assign, &[("request", "x"), ("assignee", "none")]).await.status, 400);

    // Bulk: both to Pat (by another member it would be mailed; to oneself it is not).
    let p =
        pat.post(&assign, &[("request", r1.as_str()), ("request", r2.as_str()), ("assignee", pat_s.as_str())]).await;
    assert!(p.status == 200 && p.body.contains("2 requests assigned"), "{}", p.body);
    let mine = pat.get(&format!("{queue}?assignee=me")).await;
    assert!(mine.body.contains("2 requests") && mine.body.contains("pat@aetna.example"), "{}", mine.body);
    assert!(pat.get(&format!("{queue}?assignee=none")).await.body.contains("0 requests"));
    // One back to nobody, from the request's page.
    let back = format!("/requests/{r2}");
    let p = pat.post(&assign, &[("request", r2.as_str()), ("assignee", "none"), ("back", back.as_str())]).await;
    assert!(p.body.contains("1 request unassigned") && p.body.contains("Request #"), "{}", p.body);
    assert!(pat.get(&format!("{queue}?assignee=none")).await.body.contains("1 request"));
    let audits = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(app::server::entities::audit_log::AuditAction::RequestAssign))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(audits.len(), 3);
    assert!(!mails_to(&app, "pat@aetna.example").await.iter().any(|(s, _)| s.contains("assigned to you")));

    // Filters and sorting.
    let p = pat.post(&format!("/requests/{r1}"), &[("intent", "ask"), ("question", "Which redirect URI?")]).await;
    assert!(p.body.contains("now waiting on the developer"), "{}", p.body);
    let waiting = pat.get(&format!("{queue}?state=needs_info")).await;
    assert!(waiting.body.contains("1 request") && waiting.body.contains(&format!("#{r1}")), "{}", waiting.body);
    assert!(
        pat.get(&format!("{queue}?breached=1")).await.body.contains("0 requests"),
        "nothing is past its target yet"
    );
    assert!(pat.get(&format!("{queue}?app=wallet")).await.body.contains("2 requests"));
    assert!(pat.get(&format!("{queue}?app=nothing-like-it")).await.body.contains("0 requests"));
    assert!(pat.get(&format!("{queue}?older_than_days=3")).await.body.contains("0 requests"));
    let oldest = pat.get(&format!("{queue}?sort=oldest&state=all")).await.body;
    let newest = pat.get(&format!("{queue}?sort=newest&state=all")).await.body;
    let pos = |b: &str, id: &str| b.find(&format!(">#{id}<")).unwrap();
    assert!(pos(&oldest, &r1) < pos(&oldest, &r2) && pos(&newest, &r2) < pos(&newest, &r1));
    assert_eq!(pat.get(&format!("{queue}?state=bogus")).await.status, 400);
    assert_eq!(pat.get(&format!("{queue}?sort=bogus")).await.status, 400);
    assert_eq!(other.get(&queue).await.status, 403);
}
