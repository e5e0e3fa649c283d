//! A payer that works no queue on Signpost but states a registration contact: the request is
//! mailed there with a signed link; the contact reviews, asks and approves without an account,
//! each link once (a used, an expired, an unknown link refused; a form error leaves it usable);
//! the developer hears of each step and the contact gets a new link when it is its turn. And the
//! SLA reminders: one business day before the target and on breach, each once.
use super::account_rules::admin;
use super::attestations::registered;
use super::browser::{Browser, link_token, mails_to};
use super::claims::brand_id;
use super::helpers::{Backend, spawn_app_with};
use super::registration::payer;
use app::server::entities::{account, audit_log, brand_claim, mail_outbox, registration_request, request_link};
use app::server::policy::Actor;
use app::server::services::accounts::sessions::viewer_of;
use app::server::services::registration::calendar::{Calendar, UsZone};
use app::server::services::registration::reminders;
use app::server::services::registration::requests::{self, Asked};
use app::types::registration::{Channel, Environment, RequestState};
use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

on_both_databases!(email_only_payers_answer_by_signed_links, payers_are_reminded_before_and_at_the_target);

const CONTACT: &str = "registrations@humana.example";

async fn email_only_payers_answer_by_signed_links(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let mut dev = Browser::new(&app);
    let (_, _, app_page) = registered(&mut dev, &[]).await;
    let mut boss = admin(&app, "boss@example.org").await;
    let humana = brand_id(&app, "Humana").await;
    let facts = format!("/brands/{humana}/developer");
    let p = boss.post(&facts, &[("registration_email", CONTACT), ("turnaround_days", "4")]).await;
    assert!(p.status == 303 || p.status == 200, "{}: {}", p.status, p.body);
    assert!(
        boss.post(&facts, &[("registration_email", "a@b.c\r\nBcc: x@y.z")])
            .await
            .body
            .contains("is not an email address")
    );

    let h = humana.to_string();
    let p = dev.post(&format!("{app_page}/requests"), &[("brand", h.as_str()), ("environment", "production")]).await;
    assert!(p.body.contains("Requested from 1 payer"), "{}", p.body);
    let r = registration_request::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!((r.channel, r.payer_org_id, r.target_days), (Channel::Email, None, 4));
    let mails = mails_to(&app, CONTACT).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].0.contains("asks Humana for production access"), "{:?}", mails[0]);
    let first = link_token(&mails[0].1, "/respond?token=");
    let stored = request_link::Entity::find().all(&app.db).await.unwrap();
    assert!(stored.iter().all(|l| l.token_hash != first && l.token_hash.len() == 64), "only the hash is stored");

    // Anyone with the link sees the request and the app's registration; nothing else does.
    let mut contact = Browser::new(&app);
    let page = contact.get(&format!("/respond?token={first}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Health Wallet") && page.body.contains("redirect_uris"), "{}", page.body);
    assert_eq!(contact.get(&format!("/requests/{}", r.id)).await.status, 401);
    assert_eq!(contact.get(&format!("/respond?token={}", "0".repeat(64))).await.status, 404);
    assert_eq!(contact.post("/respond", &[("token", "nonsense"), ("intent", "review")]).await.status, 404);

    // Starting the review spends the link; a new one is mailed for the next step.
    let p = contact.post("/respond", &[("token", first.as_str()), ("intent", "review")]).await;
    assert!(p.status == 200 && p.body.contains("now in review"), "{}", p.body);
    assert!(p.body.contains("used already"), "the page now says the link is spent");
    assert_eq!(
        contact.post("/respond", &[("token", first.as_str()), ("intent", "approve"), ("client_id", "x")]).await.status,
        409
    );
    let mails = mails_to(&app, CONTACT).await;
    let second = link_token(&mails.last().unwrap().1, "/respond?token=");
    assert_ne!(first, second);

    // An expired link is refused.
    let mut old: request_link::ActiveModel = request_link::Entity::find()
        .order_by_desc(request_link::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    let keep = old.expires_at.clone().unwrap();
    old.expires_at = Set(1);
    let old = old.update(&app.db).await.unwrap();
    assert_eq!(
        contact.post("/respond", &[("token", second.as_str()), ("intent", "ask"), ("question", "Which?")]).await.status,
        403
    );
    let mut back: request_link::ActiveModel = old.into();
    back.expires_at = Set(keep);
    back.update(&app.db).await.unwrap();

    // A denial citing only the attestation is refused, and the link stays usable.
    let p = contact
        .post(
            "/respond",
            &[("token", second.as_str()), ("intent", "deny"), ("grounds", "attestation"), ("text", "No.")],
        )
        .await;
    assert!(p.body.contains("may not deny access because of"), "{}", p.body);
    let p = contact
        .post(
            "/respond",
            &[("token", second.as_str()), ("intent", "ask"), ("question", "Which redirect URI for production?")],
        )
        .await;
    assert!(p.body.contains("now waiting on the developer"), "{}", p.body);
    assert!(
        mails_to(&app, "dev@wallet.example.com")
            .await
            .iter()
            .any(|(_, b)| b.contains("Which redirect URI for production?")),
        "the developer hears of it"
    );
    // While the developer is asked, the contact holds a link that can still deny.
    let waiting = link_token(&mails_to(&app, CONTACT).await.last().unwrap().1, "/respond?token=");
    let page = contact.get(&format!("/respond?token={waiting}")).await.body;
    assert!(page.contains("Grounds for denying") && !page.contains("Ask for information"), "{page}");
    // The developer answers on Signpost; the contact gets the answer and a new link.
    let before = mails_to(&app, CONTACT).await.len();
    let p = dev
        .post(&format!("/requests/{}", r.id), &[("intent", "answer"), ("answer", "https://wallet.example/cb")])
        .await;
    assert!(p.body.contains("now in review"), "{}", p.body);
    let mails = mails_to(&app, CONTACT).await;
    assert_eq!(mails.len(), before + 1);
    assert!(mails.last().unwrap().1.contains("https://wallet.example/cb"));
    let third = link_token(&mails.last().unwrap().1, "/respond?token=");
    let p = contact
        .post(
            "/respond",
            &[("token", third.as_str()), ("intent", "approve"), ("client_id", "humana-77"), ("notes", "")],
        )
        .await;
    assert!(p.body.contains("now approved"), "{}", p.body);
    let r = registration_request::Entity::find_by_id(r.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!((r.state, r.client_id.as_deref(), r.self_reported), (RequestState::Approved, Some("humana-77"), false));
    assert!(r.decision_secs.is_some());
    let audit = audit_log::Entity::find().order_by_desc(audit_log::Column::Id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(audit.actor_email, format!("{CONTACT} (signed link)"));
    assert!(mails_to(&app, "dev@wallet.example.com").await.iter().any(|(s, _)| s.contains("approved")));
    // Nothing more is asked of the contact once decided.
    assert_eq!(contact.post("/respond", &[("token", third.as_str()), ("intent", "review")]).await.status, 409);
    // Once sent, a link mail's text is not kept (the database holds no working token).
    let queued = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::DedupeKey.starts_with("link:"))
        .all(&app.db)
        .await
        .unwrap();
    assert!(queued.len() >= 3 && queued.iter().all(|m| m.body.contains("/respond?token=")));
    app::server::services::outbox::mark_sent(&app.db, queued[0].id, 1).await.unwrap();
    let sent = mail_outbox::Entity::find_by_id(queued[0].id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(sent.body, app::server::services::outbox::SENT_ACCOUNT_MAIL);

    // A request mailed before the brand is claimed: once it is, the link no longer answers and
    // the maintainer works the request in its queue.
    let p = dev.post(&format!("{app_page}/requests"), &[("brand", h.as_str()), ("environment", "sandbox")]).await;
    assert!(p.body.contains("Requested from 1 payer"), "{}", p.body);
    let link = link_token(&mails_to(&app, CONTACT).await.last().unwrap().1, "/respond?token=");
    let (mut hum, hum_org, _) = payer(&app, &mut boss, "pat@humana.example", "Humana Interop", "Humana").await;
    assert!(contact.get(&format!("/respond?token={link}")).await.body.contains("no longer answers"));
    assert_eq!(contact.post("/respond", &[("token", link.as_str()), ("intent", "review")]).await.status, 403);
    assert!(hum.get(&format!("/orgs/{hum_org}/queue")).await.body.contains("1 request"));
    let sandbox =
        registration_request::Entity::find().order_by_desc(registration_request::Column::Id).one(&app.db).await;
    let sandbox = sandbox.unwrap().unwrap();
    let p = hum.post(&format!("/requests/{}", sandbox.id), &[("intent", "review")]).await;
    assert!(p.body.contains("now in review"), "{}", p.body);

    // An address the maintainer set does not outlive its claim: after the revocation, nothing
    // is mailed there.
    let p = hum.post(&facts, &[("registration_email", "someone@elsewhere.example"), ("turnaround_days", "4")]).await;
    assert!(p.status == 303 || p.status == 200, "{}", p.body);
    let claim = brand_claim::Entity::find().filter(brand_claim::Column::BrandId.eq(humana)).one(&app.db).await;
    let claim = claim.unwrap().unwrap();
    assert_eq!(boss.post(&format!("/admin/claims/{}/revoke", claim.id), &[]).await.status, 303);
    hum.post(&format!("/requests/{}", sandbox.id), &[("intent", "withdraw")]).await;
    dev.post(&format!("/requests/{}", sandbox.id), &[("intent", "withdraw")]).await;
    let before = registration_request::Entity::find().all(&app.db).await.unwrap().len();
    let p = dev.post(&format!("{app_page}/requests"), &[("brand", h.as_str()), ("environment", "sandbox")]).await;
    // The facts the maintainer left name no portal either: the brand cannot be asked now.
    assert!(p.body.contains("takes no requests through Signpost"), "{}", p.body);
    assert!(mails_to(&app, "someone@elsewhere.example").await.is_empty());
    assert_eq!(registration_request::Entity::find().all(&app.db).await.unwrap().len(), before);
}

async fn payers_are_reminded_before_and_at_the_target(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let mut dev = Browser::new(&app);
    let (org, app_id, _) = registered(&mut dev, &[]).await;
    let mut boss = admin(&app, "boss@example.org").await;
    let (_pat, _, aetna) = payer(&app, &mut boss, "pat@aetna.example", "Aetna Interop", "Aetna").await;
    let a = account::Entity::find().filter(account::Column::Email.eq("dev@wallet.example.com")).one(&app.db).await;
    let actor = Actor::account(viewer_of(&app.db, &a.unwrap().unwrap(), None).await.unwrap(), "test");
    // Submitted Monday 2026-11-23 at 09:00 in New York, on a 5-day target; Thanksgiving skipped.
    let at =
        |m: u32, d: u32, h: i64| UsZone::Eastern.start_of(NaiveDate::from_ymd_opt(2026, m, d).unwrap()) + h * 3_600;
    let asked = requests::request_access(
        &app.db,
        &actor,
        org,
        app_id,
        &[aetna],
        Environment::Production,
        "http://x",
        at(11, 23, 9),
    )
    .await
    .unwrap();
    let [Asked::Requested { request_id, .. }] = asked[..] else { panic!("{asked:?}") };
    let cal = Calendar::default();
    let subjects = |mails: Vec<(String, String)>| {
        mails.into_iter().map(|(s, _)| s).filter(|s| s.contains("target") || s.contains("Due")).collect::<Vec<_>>()
    };
    // Friday 27th: 3 business days, nothing due.
    assert!(reminders::run_due(&app.db, &cal, "http://x", at(11, 27, 10)).await.unwrap().is_empty());
    // Monday 30th at 10:00: 4 days and 1 hour, within a business day of the target. Three
    // instances pass at once: each reminder is a conditional update, so one of them sends it.
    let due = || reminders::run_due(&app.db, &cal, "http://x", at(11, 30, 10));
    let (a, b, c) = tokio::join!(due(), due(), due());
    assert_eq!([a.unwrap(), b.unwrap(), c.unwrap()].concat(), [(request_id, reminders::DUE_SOON)]);
    assert!(reminders::run_due(&app.db, &cal, "http://x", at(11, 30, 11)).await.unwrap().is_empty(), "once");
    // Tuesday 1 December at 10:00: past the target.
    assert_eq!(
        reminders::run_due(&app.db, &cal, "http://x", at(12, 1, 10)).await.unwrap(),
        [(request_id, reminders::BREACHED)]
    );
    assert!(reminders::run_due(&app.db, &cal, "http://x", at(12, 2, 10)).await.unwrap().is_empty(), "once");
    let got = subjects(mails_to(&app, "pat@aetna.example").await);
    assert_eq!(
        got,
        ["Due within a business day: Health Wallet at Aetna", "Past its target: Health Wallet at Aetna"],
        "{got:?}"
    );
}
