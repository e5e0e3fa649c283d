//! Attestations, by HTTP as a browser without JavaScript would: a developer answers the
//! questionnaire (drafts, then submits), an admin asks for changes on one answer, the developer
//! resubmits, the admin approves, and the public list, the app's page, its attestation.json and
//! badge show it; nobody else writes or reads it by direct request and a non-admin cannot
//! decide; a changed privacy policy flags it for re-review. Then time, passed in: reminders 30
//! and 7 days before it lapses, once each, the lapse, and a new questionnaire version's grace.
use super::account_rules::admin;
use super::apps::form as app_form;
use super::browser::{Browser, mails_to};
use super::claims::organization;
use super::helpers::{Backend, TestApp, spawn_app};
use app::server::entities::{attestation, audit_log};
use app::server::services::apps::lifecycle::{Step, run_due};
use app::server::services::apps::public::{self, Status};
use app::types::attestation::{AttestationState, Question};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

on_both_databases!(attest_review_and_publish, time_reminds_and_lapses_attestations,);

const DAY: i64 = 86_400;

fn questions() -> Vec<Question> {
    serde_json::from_str(include_str!("../../../migrations/src/data/questionnaire_v1.json")).unwrap()
}

/// Every question answered: yes with evidence, except that the app does not sell data and
/// does read other device data.
fn answers(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for q in questions() {
        let a = match q.key.as_str() {
            "sells-data" => "no",
            "coppa" => "na",
            _ => "yes",
        };
        v.push((format!("answer-{}", q.key), a.to_string()));
        v.push((format!("evidence_url-{}", q.key), format!("https://wallet.example.com/privacy#{}", q.key)));
    }
    v.push(("cert_kind-0".into(), "my_health_application".into()));
    v.push(("cert_url-0".into(), "https://myhealthapplication.com/apps/wallet".into()));
    for (k, val) in extra {
        v.retain(|(n, _)| n != k);
        v.push((k.to_string(), val.to_string()));
    }
    v
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

async fn the_attestation(app: &TestApp) -> attestation::Model {
    let mut all = attestation::Entity::find().all(&app.db).await.unwrap();
    all.sort_by_key(|a| a.id);
    all.pop().expect("an attestation")
}

/// A developer organization with one app; returns (org, app id, the app's page).
pub(super) async fn registered(dev: &mut Browser<'_>, fields: &[(&'static str, &'static str)]) -> (i32, i32, String) {
    dev.sign_up_and_log_in("dev@wallet.example.com").await;
    let org = organization(dev, "Wallet Inc", "developer").await;
    let p = dev.post(&format!("/orgs/{org}/apps"), &app_form(fields)).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = p.location.unwrap();
    let id: i32 = page.rsplit('/').next().unwrap().parse().unwrap();
    (org, id, page)
}

async fn attest_review_and_publish(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut dev = Browser::new(&app);
    let (org, id, app_page) = registered(&mut dev, &[("logo_uri", "https://cdn.example.com/logo.png")]).await;
    let page = format!("{app_page}/attestation");
    let mut other = Browser::new(&app);
    other.sign_up_and_log_in("eve@other.example").await;
    let eve_org = organization(&mut other, "Other Apps", "developer").await;
    let mut boss = admin(&app, "boss@example.org").await;

    let shown = dev.get(&page).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body.contains("sell, or may it in the future sell"), "the questionnaire is asked");
    // Nobody else, by direct request; and nothing is public before an approval.
    assert_eq!(other.get(&page).await.status, 403);
    assert_eq!(other.post(&page, &pairs(&answers(&[("intent", "submit")]))).await.status, 403);
    // The app asked for under another organization, by one of its members: not found there.
    let elsewhere = format!("/orgs/{eve_org}/apps/{id}/attestation");
    assert_eq!(other.get(&elsewhere).await.status, 404);
    assert_eq!(other.post(&elsewhere, &pairs(&answers(&[("intent", "submit")]))).await.status, 404);
    assert!(attestation::Entity::find().all(&app.db).await.unwrap().is_empty(), "nothing made");
    assert_eq!(Browser::new(&app).get(&page).await.status, 401);
    assert_eq!(Browser::new(&app).get(&format!("/apps/{id}/attestation.json")).await.status, 404);
    assert_eq!(Browser::new(&app).get(&format!("/apps/{id}")).await.status, 404);
    assert!(Browser::new(&app).get(&format!("/apps/{id}/badge.svg")).await.body.contains("not attested"));

    // A draft may leave answers out; submitting may not, and says which.
    let p = dev.post(&page, &[("intent", "save"), ("answer-sells-data", "no")]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("The draft is saved"));
    assert_eq!(the_attestation(&app).await.state, AttestationState::Draft);
    let p = dev.post(&page, &[("intent", "submit"), ("answer-sells-data", "no")]).await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("answer yes, no or not applicable"));
    // Evidence is parsed: no script links.
    let bad = answers(&[("intent", "submit"), ("evidence_url-public-policy", "javascript:alert(1)")]);
    assert_eq!(dev.post(&page, &pairs(&bad)).await.status, 400);

    let p = dev.post(&page, &pairs(&answers(&[("intent", "submit")]))).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Submitted: an admin reviews it"), "said on the page, now without its form");
    assert_eq!(the_attestation(&app).await.state, AttestationState::Submitted);
    let att = the_attestation(&app).await.id;
    assert!(
        mails_to(&app, "boss@example.org")
            .await
            .iter()
            .any(|(s, b)| s.contains("waits for review") && b.contains(&format!("/admin/attestations/{att}")))
    );
    // Waiting for review: it does not change, and nothing is public.
    assert_eq!(dev.post(&page, &pairs(&answers(&[("intent", "save")]))).await.status, 409);
    assert_eq!(Browser::new(&app).get(&format!("/apps/{id}")).await.status, 404);
    assert_eq!(Browser::new(&app).get(&format!("/apps/{id}/attestation.json")).await.status, 404);

    // Only admins decide, and see the queue.
    let review = format!("/admin/attestations/{att}");
    assert_eq!(dev.get("/admin/attestations").await.status, 403);
    assert_eq!(dev.get(&review).await.status, 403);
    assert_eq!(dev.post(&review, &[("intent", "approve")]).await.status, 403);
    assert_eq!(the_attestation(&app).await.state, AttestationState::Submitted);
    assert!(boss.get("/admin/attestations").await.body.contains("Health Wallet"));

    // Changes asked for need a comment; the one on an answer reaches the developer.
    assert_eq!(boss.post(&review, &[("intent", "changes")]).await.status, 400);
    let p = boss
        .post(
            &review,
            &[("intent", "changes"), ("comment-device-data", "Which device data, and why? Link the section.")],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(the_attestation(&app).await.state, AttestationState::ChangesRequested);
    let (_, body) = mails_to(&app, "dev@wallet.example.com").await.pop().unwrap();
    assert!(body.contains("Which device data"), "{body}");
    assert!(dev.get(&page).await.body.contains("Which device data"), "shown at the answer");
    assert_eq!(Browser::new(&app).get(&format!("/apps/{id}")).await.status, 404, "still not public");

    // Resubmitted and approved: valid for 12 months, and public.
    let fixed = answers(&[("intent", "submit"), ("evidence_text-device-data", "Location, to find nearby pharmacies.")]);
    assert_eq!(dev.post(&page, &pairs(&fixed)).await.status, 200);
    let p = boss.post(&review, &[("intent", "approve")]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let a = the_attestation(&app).await;
    assert_eq!(a.state, AttestationState::Approved);
    let valid_until = a.valid_until.unwrap();
    assert_eq!(valid_until - a.approved_at.unwrap(), 365 * DAY);
    assert_eq!(boss.post(&review, &[("intent", "approve")]).await.status, 409, "decided once");

    let visitor = &mut Browser::new(&app);
    let list = visitor.get("/apps").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Health Wallet") && list.body.contains("Wallet Inc"), "{}", list.body);
    assert!(list.body.contains("Reads other device data"), "highlighted in the list");
    assert!(!visitor.get("/apps?q=no-such-app").await.body.contains("Health Wallet"));
    assert!(visitor.get("/apps?q=wallet%20inc").await.body.contains("Health Wallet"));
    let public_page = visitor.get(&format!("/apps/{id}")).await;
    assert_eq!(public_page.status, 200);
    assert!(public_page.body.contains("Does not sell the user"), "answers in plain language");
    assert!(public_page.body.contains("Location, to find nearby pharmacies."));
    assert!(public_page.body.contains("may not refuse"), "the law, where a payer meets it");
    let doc: serde_json::Value =
        serde_json::from_str(&visitor.get(&format!("/apps/{id}/attestation.json")).await.body).unwrap();
    assert_eq!(doc["status"], "current");
    assert_eq!(doc["client_name"], "Health Wallet");
    assert_eq!(doc["highlights"], serde_json::json!(["Reads other device data"]));
    assert_eq!(doc["answers"].as_array().unwrap().len(), questions().len());
    assert_eq!(doc["certifications"][0]["kind"], "my_health_application");
    assert!(doc["notice"].as_str().unwrap().contains("CMS-9115-F"));
    assert!(visitor.get(&format!("/apps/{id}/badge.svg")).await.body.contains("attested until"));

    // The list loads only logos stored here: an address elsewhere would tell a third party who
    // reads the list.
    assert!(!list.body.contains("cdn.example.com"));
    // Changes after the approval are not shown as attested: the list shows the version reviewed.
    let upload = reqwest::multipart::Form::new()
        .part("logo", reqwest::multipart::Part::bytes(super::publishing::png(32, 32, 32)).file_name("logo.png"));
    let p = dev.post_multipart(&format!("/orgs/{org}/logos"), upload).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let at = p.body.find("https://signpost.test/logos/").expect("the stored logo's address");
    // The app form's helper takes `'static` values.
    let logo: &'static str = p.body[at..at + "https://signpost.test/logos/".len() + 36].to_string().leak();
    let path = logo.trim_start_matches("https://signpost.test");
    let p = dev
        .post(&app_page, &app_form(&[("logo_uri", logo), ("description", "Now sells nothing, shows everything.")]))
        .await;
    assert!(p.body.contains("Saved as version 2"), "{}", p.body);
    assert_eq!(the_attestation(&app).await.state, AttestationState::Approved, "not a re-review change");
    let listed = visitor.get("/apps").await.body;
    assert!(!listed.contains(path) && !listed.contains("shows everything"), "the reviewed version only");

    // A changed privacy policy address flags it for re-review; it stays public meanwhile.
    let changed = [
        ("logo_uri", logo),
        ("description", "Now sells nothing, shows everything."),
        ("policy_uri", "https://wallet.example.com/privacy-v2"),
    ];
    let p = dev.post(&app_page, &app_form(&changed)).await;
    assert!(p.body.contains("Saved as version 3"), "{}", p.body);
    let a = the_attestation(&app).await;
    assert_eq!(a.state, AttestationState::ReviewDue);
    assert!(a.review_reason.unwrap().contains("privacy policy address changed in version 3"));
    assert!(boss.get("/admin/attestations").await.body.contains("privacy policy address changed"));
    assert!(visitor.get("/apps").await.body.contains("re-review due"));
    // The admin confirms it still holds: for the app as it is now, and no longer than before.
    assert!(boss.get(&review).await.body.contains("Confirm it still holds"));
    assert_eq!(boss.post(&review, &[("intent", "approve")]).await.status, 200);
    let a = the_attestation(&app).await;
    assert_eq!((a.state, a.app_version, a.valid_until), (AttestationState::Approved, 3, Some(valid_until)));
    assert!(visitor.get("/apps").await.body.contains(&format!("src=\"{path}\"")), "the stored logo, now reviewed");

    let actions: Vec<String> = audit_log::Entity::find()
        .filter(audit_log::Column::TargetKind.eq("attestation"))
        .order_by_asc(audit_log::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|e| e.action.name())
        .collect();
    assert_eq!(
        actions,
        [
            "attestation.submit",
            "attestation.request-changes",
            "attestation.submit",
            "attestation.approve",
            "attestation.approve"
        ]
    );
}

async fn time_reminds_and_lapses_attestations(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut dev = Browser::new(&app);
    let (_, id, app_page) = registered(&mut dev, &[]).await;
    let page = format!("{app_page}/attestation");
    let mut boss = admin(&app, "boss@example.org").await;
    assert_eq!(dev.post(&page, &pairs(&answers(&[("intent", "submit")]))).await.status, 200);
    let att = the_attestation(&app).await.id;
    assert_eq!(boss.post(&format!("/admin/attestations/{att}"), &[("intent", "approve")]).await.status, 200);
    let until = the_attestation(&app).await.valid_until.unwrap();
    let reminders = |mails: Vec<(String, String)>| {
        mails.into_iter().filter(|(s, _)| s.contains("lapses in")).map(|(s, _)| s).collect::<Vec<_>>()
    };

    assert!(run_due(&app.db, &app.base, until - 31 * DAY).await.unwrap().is_empty());
    assert_eq!(run_due(&app.db, &app.base, until - 30 * DAY).await.unwrap(), [(att, Step::Reminded(30))]);
    assert!(run_due(&app.db, &app.base, until - 29 * DAY).await.unwrap().is_empty(), "once");
    assert_eq!(run_due(&app.db, &app.base, until - 7 * DAY).await.unwrap(), [(att, Step::Reminded(7))]);
    assert!(run_due(&app.db, &app.base, until - DAY).await.unwrap().is_empty());
    assert_eq!(
        reminders(mails_to(&app, "dev@wallet.example.com").await),
        ["The attestation of Health Wallet lapses in 30 days", "The attestation of Health Wallet lapses in 7 days"]
    );
    // Still listed the second before it lapses; then gone, and the document says so.
    assert_eq!(public::list(&app.db, "", &app.base, until - 1).await.unwrap().apps.len(), 1);
    assert_eq!(run_due(&app.db, &app.base, until).await.unwrap(), [(att, Step::Expired)]);
    assert!(run_due(&app.db, &app.base, until + DAY).await.unwrap().is_empty());
    assert_eq!(the_attestation(&app).await.state, AttestationState::Expired);
    assert!(mails_to(&app, "dev@wallet.example.com").await.iter().any(|(s, _)| s.contains("lapsed")));
    assert!(public::list(&app.db, "", &app.base, until).await.unwrap().apps.is_empty());
    assert_eq!(public::status(&app.db, id, until).await.unwrap().0, Status::Lapsed);
    let now = chrono::Utc::now().timestamp();
    assert_eq!(Browser::new(&app).get(&format!("/apps/{id}")).await.status, 404);
    let doc: serde_json::Value =
        serde_json::from_str(&Browser::new(&app).get(&format!("/apps/{id}/attestation.json")).await.body).unwrap();
    assert_eq!(doc["status"], "not_current");
    assert!(doc.get("answers").is_none());

    // Attest again (the last answers fill the form), approved: then a new questionnaire
    // version asks for re-attestation within its grace period.
    let shown = dev.get(&page).await;
    assert!(shown.body.contains("https://wallet.example.com/privacy#sells-data"), "filled from the last answers");
    assert_eq!(dev.post(&page, &pairs(&answers(&[("intent", "submit")]))).await.status, 200);
    let again = the_attestation(&app).await.id;
    assert_ne!(again, att, "a new attestation");
    assert_eq!(boss.post(&format!("/admin/attestations/{again}"), &[("intent", "approve")]).await.status, 200);

    // Re-attesting while approved: the new answers wait for review, the approved one stays.
    assert_eq!(dev.post(&page, &pairs(&answers(&[("intent", "submit")]))).await.status, 200);
    let third = the_attestation(&app).await.id;
    assert_eq!(public::list(&app.db, "", &app.base, now).await.unwrap().apps.len(), 1);

    // Only admins publish questionnaire versions.
    let body = serde_json::json!({"questions": questions(), "grace_days": 30});
    let anonymous = app.client.post(app.url("/admin/questionnaires")).json(&body).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(dev.post_json("/admin/questionnaires", &body).await.status, 403);
    let mut v2 = questions();
    v2.push(Question {
        key: "ai-training".into(),
        text: "Is the user's data used to train AI models?".into(),
        highlight: None,
        highlight_when: None,
        ..v2[0].clone()
    });
    let twice = serde_json::json!({"questions": [v2[0].clone(), v2[0].clone()], "grace_days": 30});
    assert_eq!(boss.post_json("/admin/questionnaires", &twice).await.status, 400, "a key used twice");
    let p = boss.post_json("/admin/questionnaires", &serde_json::json!({"questions": v2, "grace_days": 30})).await;
    assert_eq!(p.status, 201, "{}", p.body);
    assert!(p.body.contains("\"version\":2"), "{}", p.body);
    let rows = attestation::Entity::find().all(&app.db).await.unwrap();
    let row = |i: i32| rows.iter().find(|a| a.id == i).unwrap().clone();
    // The approved one is flagged, valid for the grace period at most; the submitted one, answered
    // to version 1, goes back to its developer.
    assert_eq!(row(again).state, AttestationState::ReviewDue);
    assert!(row(again).valid_until.unwrap() <= now + 31 * DAY);
    assert_eq!(row(third).state, AttestationState::ChangesRequested);
    let mails = mails_to(&app, "dev@wallet.example.com").await;
    assert!(mails.iter().any(|(s, _)| s.contains("questionnaire version 2")));
    assert!(mails.iter().any(|(_, b)| b.contains("Questionnaire version 2 was published")));
    // An admin cannot confirm answers to the old version; the developer answers the new one.
    assert_eq!(boss.post(&format!("/admin/attestations/{again}"), &[("intent", "approve")]).await.status, 409);
    assert!(dev.get(&page).await.body.contains("train AI models"));
    let mut v2_answers = answers(&[("intent", "submit")]);
    v2_answers.push(("answer-ai-training".into(), "no".into()));
    assert_eq!(dev.post(&page, &pairs(&v2_answers)).await.status, 200);
    assert_eq!(the_attestation(&app).await.id, third, "the same attestation, resubmitted");
    assert_eq!(boss.post(&format!("/admin/attestations/{third}"), &[("intent", "approve")]).await.status, 200);
    let rows = attestation::Entity::find().all(&app.db).await.unwrap();
    let state_of = |i: i32| rows.iter().find(|a| a.id == i).unwrap().state;
    assert_eq!(state_of(again), AttestationState::Superseded);
    assert_eq!(state_of(third), AttestationState::Approved);
    assert_eq!(public::list(&app.db, "", &app.base, now).await.unwrap().apps.len(), 1);

    // A changed set of scopes flags it; an admin rejects it on re-review (with a reason), and it
    // leaves the public list.
    let scopes = "launch/patient to know whose records\npatient/Coverage.rs to show the plan";
    let p = dev.post(&app_page, &app_form(&[("scopes", scopes)])).await;
    assert!(p.body.contains("Saved as version 2"), "{}", p.body);
    let a = the_attestation(&app).await;
    assert_eq!(a.state, AttestationState::ReviewDue);
    assert!(a.review_reason.unwrap().contains("the scopes it requests changed"));
    assert_eq!(boss.post(&format!("/admin/attestations/{third}"), &[("intent", "reject")]).await.status, 400);
    let p = boss
        .post(
            &format!("/admin/attestations/{third}"),
            &[("intent", "reject"), ("comment", "Coverage is not explained.")],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(the_attestation(&app).await.state, AttestationState::Rejected);
    assert!(public::list(&app.db, "", &app.base, now).await.unwrap().apps.is_empty());
    assert_eq!(public::status(&app.db, id, now).await.unwrap().0, Status::Lapsed);
    assert!(
        mails_to(&app, "dev@wallet.example.com")
            .await
            .iter()
            .any(|(s, b)| s.contains("rejected") && b.contains("Coverage is not explained."))
    );
    assert!(dev.get(&page).await.body.contains("Coverage is not explained."), "the reason, on the developer's page");
}
