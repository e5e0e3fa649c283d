//! Registration requests, by HTTP: a developer asks three payers at once (two that work a queue
//! on Signpost, one that registers apps on its own portal) and a brand that does not exist; the
//! payers' members work their queues (review, ask, the developer answers, approve with a client
//! id; a denial citing only attestation answers refused, one on a technical ground taken); the
//! developer records the outside payer's answer; nobody else reads or acts on a request; and
//! the clock, read from the stored history with a fixed `now`, skips Thanksgiving and the weekend.
use super::account_rules::admin;
use super::attestations::registered;
use super::browser::{Browser, mails_to};
use super::claims::{brand_id, organization};
use super::helpers::{Backend, TestApp, spawn_app_with};
use app::server::entities::{audit_log, registration_request, request_event};
use app::server::policy::Actor;
use app::server::services::registration::calendar::{Calendar, UsZone};
use app::server::services::registration::{queue, views};
use app::types::registration::{Channel, RequestState};
use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

on_both_databases!(requests_run_on_the_payers_clocks,);

/// A payer's member signed in, its organization, and the named brand granted to it by `boss`.
pub(super) async fn payer<'a>(
    app: &'a TestApp,
    boss: &mut Browser<'_>,
    email: &str,
    org_name: &str,
    brand: &str,
) -> (Browser<'a>, i32, i32) {
    let b = brand_id(app, brand).await;
    let mut member = Browser::new(app);
    member.sign_up_and_log_in(email).await;
    let org = organization(&mut member, org_name, "payer").await;
    let (o, bs) = (org.to_string(), b.to_string());
    assert_eq!(boss.post("/admin/claims", &[("organization", o.as_str()), ("brand", bs.as_str())]).await.status, 303);
    (member, org, b)
}

const HOUR: i64 = 3_600;

async fn requests_run_on_the_payers_clocks(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let mut dev = Browser::new(&app);
    let (org, app_id, app_page) = registered(&mut dev, &[]).await;
    let mut boss = admin(&app, "boss@example.org").await;
    let (aetna, cigna, humana) =
        (brand_id(&app, "Aetna").await, brand_id(&app, "Cigna").await, brand_id(&app, "Humana").await);
    let mut payer_a = Browser::new(&app);
    payer_a.sign_up_and_log_in("pat@aetna.example").await;
    let org_a = organization(&mut payer_a, "Aetna Interop", "payer").await;
    let mut payer_b = Browser::new(&app);
    payer_b.sign_up_and_log_in("pam@cigna.example").await;
    let org_b = organization(&mut payer_b, "Cigna Interop", "payer").await;
    for (o, b) in [(org_a, aetna), (org_b, cigna)] {
        let (o, b) = (o.to_string(), b.to_string());
        assert_eq!(
            boss.post("/admin/claims", &[("organization", o.as_str()), ("brand", b.as_str())]).await.status,
            303
        );
    }

    // One request to several payers, and a brand that does not exist.
    let page = format!("{app_page}/requests");
    let (a, c, h) = (aetna.to_string(), cigna.to_string(), humana.to_string());
    let ask = [
        ("brand", a.as_str()),
        ("brand", c.as_str()),
        ("brand", h.as_str()),
        ("brand", "999999"),
        ("environment", "production"),
    ];
    let p = dev.post(&page, &ask).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        p.body.contains("Requested from 3 payers") && p.body.contains("Brand 999999: there is no brand"),
        "{}",
        p.body
    );
    assert!(dev.post(&page, &ask).await.body.contains("3 already had an open or approved request"), "not asked twice");
    assert_eq!(dev.post(&page, &[("brand", a.as_str()), ("environment", "staging")]).await.status, 400);
    let rows =
        registration_request::Entity::find().order_by_asc(registration_request::Column::Id).all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 3);
    let of = |b: i32| rows.iter().find(|r| r.brand_id == b).unwrap().clone();
    let (req_a, req_b, req_h) = (of(aetna), of(cigna), of(humana));
    assert_eq!(
        (req_a.channel, req_a.payer_org_id, req_a.state),
        (Channel::Queue, Some(org_a), RequestState::Submitted)
    );
    assert_eq!((req_h.channel, req_h.payer_org_id), (Channel::External, None));
    assert_eq!(req_a.attestation_status, "none");
    assert!(
        mails_to(&app, "pat@aetna.example").await.iter().any(|(s, _)| s.contains("asks Aetna for production access"))
    );
    assert!(dev.get(&page).await.body.contains("Aetna"), "listed for the developer");

    // Each side sees its own; nobody else, by direct request.
    let (ra, rb, rh) =
        (format!("/requests/{}", req_a.id), format!("/requests/{}", req_b.id), format!("/requests/{}", req_h.id));
    assert!(payer_a.get(&format!("/orgs/{org_a}/queue")).await.body.contains("Health Wallet"));
    assert_eq!(payer_b.get(&format!("/orgs/{org_a}/queue")).await.status, 403);
    assert_eq!(payer_b.get(&ra).await.status, 403);
    assert_eq!(payer_b.post(&ra, &[("intent", "review")]).await.status, 403);
    let mut eve = Browser::new(&app);
    eve.sign_up_and_log_in("eve@other.example").await;
    organization(&mut eve, "Other Apps", "developer").await;
    assert_eq!(eve.get(&ra).await.status, 403);
    assert_eq!(eve.post(&format!("/orgs/{org}/apps/{app_id}/requests"), &ask).await.status, 403);
    assert_eq!(Browser::new(&app).get(&ra).await.status, 401);
    assert_eq!(dev.get(&ra).await.status, 200);
    assert_eq!(boss.get(&ra).await.status, 200, "admins read");
    // A developer does not decide its own request; a payer does not withdraw it.
    assert_eq!(dev.post(&ra, &[("intent", "approve"), ("client_id", "mine")]).await.status, 403);
    assert_eq!(payer_a.post(&ra, &[("intent", "withdraw")]).await.status, 403);

    // The lifecycle: review, a question, the answer, the approval with the client id issued.
    assert!(payer_a.post(&ra, &[("intent", "review")]).await.body.contains("now in review"));
    assert_eq!(payer_a.post(&ra, &[("intent", "ask"), ("question", "")]).await.status, 400);
    let p = payer_a.post(&ra, &[("intent", "ask"), ("question", "Which redirect URI do you use in production?")]).await;
    assert!(p.body.contains("now waiting on the developer"), "{}", p.body);
    assert!(mails_to(&app, "dev@wallet.example.com").await.iter().any(|(_, b)| b.contains("Which redirect URI")));
    assert_eq!(
        payer_a.post(&ra, &[("intent", "approve"), ("client_id", "abc")]).await.status,
        409,
        "waiting on the developer"
    );
    assert!(
        dev.post(&ra, &[("intent", "answer"), ("answer", "https://wallet.example.com/callback")])
            .await
            .body
            .contains("now in review")
    );
    assert!(mails_to(&app, "pat@aetna.example").await.iter().any(|(_, b)| b.contains("wallet.example.com/callback")));
    assert_eq!(payer_a.post(&ra, &[("intent", "approve"), ("client_id", "has spaces")]).await.status, 400);
    let p = payer_a.post(&ra, &[("intent", "approve"), ("client_id", "wallet-prod-01"), ("notes", "Welcome.")]).await;
    assert!(p.body.contains("now approved"), "{}", p.body);
    assert!(dev.get(&ra).await.body.contains("wallet-prod-01"));

    // A denial that cites only the attestation is refused (CMS-9115-F); a technical one is taken.
    let p =
        payer_b.post(&rb, &[("intent", "deny"), ("grounds", "attestation"), ("text", "The app may sell data.")]).await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("CMS-9115-F"), "{}", p.body);
    assert_eq!(payer_b.post(&rb, &[("intent", "deny"), ("grounds", "made-up"), ("text", "x")]).await.status, 400);
    // Every ground at once, one twice: each is stored once.
    let mut deny = vec![("intent", "deny"), ("text", "We do not offer patient/Coverage.")];
    for (code, _) in app::types::registration::DENIAL_REASONS {
        deny.push(("grounds", code));
    }
    deny.extend([("grounds", "attestation"), ("grounds", "scopes")]);
    let p = payer_b.post(&rb, &deny).await;
    assert!(p.body.contains("now denied"), "{}", p.body);

    // The payer outside Signpost: the developer records its answer, marked self-reported.
    assert_eq!(dev.post(&rh, &[("intent", "review")]).await.status, 409, "only a decision is recorded");
    assert!(dev.post(&rh, &[("intent", "approve"), ("client_id", "hum-1")]).await.body.contains("now approved"));
    // An approved request is not asked for again; revoked, it may be.
    assert!(
        dev.post(&page, &[("brand", a.as_str()), ("environment", "production")]).await.body.contains("1 already had")
    );
    assert_eq!(payer_a.post(&ra, &[("intent", "revoke"), ("text", "")]).await.status, 400);
    assert!(
        payer_a.post(&ra, &[("intent", "revoke"), ("text", "Key compromised.")]).await.body.contains("now revoked")
    );
    assert!(
        dev.post(&page, &[("brand", a.as_str()), ("environment", "production")])
            .await
            .body
            .contains("Requested from 1 payer.")
    );
    // The brand's claim moves to another payer: its open request goes with it.
    let again = registration_request::Entity::find()
        .filter(registration_request::Column::BrandId.eq(aetna))
        .filter(registration_request::Column::State.eq(RequestState::Submitted))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the new request");
    let claim = app::server::services::publishing::checks::of_brand(&app.db, aetna).await.unwrap().remove(0);
    let org_b_s = org_b.to_string();
    let transfer = format!("/admin/claims/{}/transfer", claim.id);
    assert_eq!(boss.post(&transfer, &[("organization", org_b_s.as_str())]).await.status, 303);
    let moved = format!("/requests/{}", again.id);
    assert_eq!(payer_a.post(&moved, &[("intent", "review")]).await.status, 403, "no longer the maintainer");
    assert!(!payer_a.get(&format!("/orgs/{org_a}/queue")).await.body.contains(&format!("#{}", again.id)));
    assert!(payer_b.get(&format!("/orgs/{org_b}/queue")).await.body.contains(&format!("#{}", again.id)));
    assert!(payer_b.post(&moved, &[("intent", "review")]).await.body.contains("now in review"));
    let rows = registration_request::Entity::find().all(&app.db).await.unwrap();
    let state_of = |id: i32| rows.iter().find(|r| r.id == id).map(|r| (r.state, r.self_reported)).unwrap();
    assert_eq!(state_of(req_a.id), (RequestState::Revoked, false));
    assert_eq!(state_of(req_b.id), (RequestState::Denied, false));
    assert_eq!(state_of(req_h.id), (RequestState::Approved, true));
    let actions: Vec<String> = audit_log::Entity::find()
        .filter(audit_log::Column::TargetKind.eq("registration_request"))
        .order_by_asc(audit_log::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|e| e.action.name())
        .collect();
    assert_eq!(actions, ["request.approve", "request.deny", "request.approve", "request.revoke"]);
    let denied = rows.iter().find(|r| r.id == req_b.id).unwrap();
    assert_eq!(
        denied.denial_reason.as_deref().map(|g| g.split(',').count()),
        Some(7),
        "six grounds and the attestation, once each"
    );

    // The clock from the stored history, with `now` passed in: submitted Monday 2026-11-23 at
    // 09:00 in New York on a 5-day target, Thanksgiving and the weekend skipped.
    let z = UsZone::Eastern;
    let at = |d: u32, h: i64, m: u32| z.start_of(NaiveDate::from_ymd_opt(2026, m, d).unwrap()) + h * HOUR;
    request_event::Entity::delete_many()
        .filter(request_event::Column::RequestId.eq(req_b.id))
        .exec(&app.db)
        .await
        .unwrap();
    request_event::ActiveModel {
        request_id: Set(req_b.id),
        at: Set(at(23, 9, 11)),
        state: Set(RequestState::Submitted),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let mut open: registration_request::ActiveModel =
        registration_request::Entity::find_by_id(req_b.id).one(&app.db).await.unwrap().unwrap().into();
    open.state = Set(RequestState::Submitted);
    open.update(&app.db).await.unwrap();
    let cal = Calendar::default();
    let before = views::page(&app.db, &Actor::command_line(), req_b.id, &cal, at(30, 10, 11)).await.unwrap().summary;
    assert_eq!((before.elapsed_secs, before.breached, before.due_soon), (4 * 86_400 + HOUR, false, true));
    let after = views::page(&app.db, &Actor::command_line(), req_b.id, &cal, at(1, 10, 12)).await.unwrap().summary;
    assert_eq!((after.elapsed_secs, after.breached), (5 * 86_400 + HOUR, true));
    let queue = queue::queue(&app.db, &Actor::command_line(), org_b, Default::default(), &cal, at(1, 10, 12)).await;
    assert!(queue.is_err(), "the queue is its members' only");
}
