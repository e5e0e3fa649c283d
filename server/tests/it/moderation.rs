//! The crowdsourced directory, by HTTP as a browser without JavaScript would use it: propose,
//! see duplicates, approve, find the change in search and the bundle and in the history; reject
//! with a reason and the thread's mails; two approvals of the same field; a re-import after a
//! community change; revert; trusted contributors; reports from visitors, rate-limited.
use super::account_rules::admin;
use super::browser::{Browser, mails_to};
use super::helpers::{Backend, TestApp, fake, loopback_policy, spawn_app, spawn_app_fetching};
use app::server::entities::{brand, endpoint_health, proposal, record_change};
use app::server::import::Format;
use app::server::services::moderation::drafts;
use app::types::proposals::{BrandDraft, EndpointDraft, ProposalState};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use signpost::fake_fhir::{CertKind, TestCa};
use std::time::Duration;

on_both_databases!(
    propose_see_duplicates_approve_and_find_it,
    a_thread_an_edit_and_a_rejection_with_mails,
    two_approvals_of_one_field_a_revert_and_trust,
    a_reimport_keeps_what_the_community_changed,
    visitors_report_problems_within_a_limit,
);

/// A brands bundle of two payers; `name` and `website` are the first one's.
fn bundle(name: &str, website: &str) -> Vec<u8> {
    let org = |id: &str, name: &str, site: &str, ep: &str| {
        serde_json::json!({"fullUrl": format!("https://plans.example/Organization/{id}"), "resource": {
            "resourceType": "Organization", "id": id, "active": true, "name": name,
            "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "ins"}]}],
            "telecom": [{"system": "url", "value": site}],
            "address": [{"city": "Madison", "state": "WI"}],
            "endpoint": [{"reference": format!("Endpoint/{ep}")}]}})
    };
    let ep = |id: &str, address: &str| {
        serde_json::json!({"fullUrl": format!("https://plans.example/Endpoint/{id}"), "resource": {
            "resourceType": "Endpoint", "id": id, "status": "active", "address": address,
            "connectionType": {"system": "http://terminology.hl7.org/CodeSystem/endpoint-connection-type", "code": "hl7-fhir-rest"},
            "payloadType": [{"coding": [{"code": "none"}]}],
            "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/endpoint-fhir-version", "valueCode": "4.0.1"}],
            "contact": [{"system": "url", "value": "https://plans.example/support"}]}})
    };
    serde_json::to_vec(&serde_json::json!({
        "resourceType": "Bundle", "type": "collection", "timestamp": "2026-11-01T00:00:00Z",
        "meta": {"lastUpdated": "2026-11-01T00:00:00Z"},
        "entry": [
            org("good", name, website, "good-ep"),
            ep("good-ep", "https://fhir.good.example/r4"),
            org("other", "Other Plan", "https://other.example", "other-ep"),
            ep("other-ep", "https://fhir.other.example/r4"),
        ]
    }))
    .unwrap()
}

async fn import(app: &TestApp, name: &str, website: &str) {
    app.import_bytes("test:plans", Some(Format::Brands), bundle(name, website)).await.expect("import");
}

async fn brand_named(app: &TestApp, name: &str) -> brand::Model {
    brand::Entity::find().filter(brand::Column::Name.eq(name)).one(&app.db).await.unwrap().expect(name)
}

async fn draft(app: &TestApp, id: i32) -> BrandDraft {
    drafts::draft_of(&drafts::load(&app.db, id).await.unwrap().unwrap())
}

fn form(d: &BrandDraft, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v = d.form_values();
    v.extend(extra.iter().map(|(a, b)| (a.to_string(), b.to_string())));
    v
}

async fn post_form(b: &mut Browser<'_>, path: &str, pairs: &[(String, String)]) -> super::browser::Page {
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    b.post(path, &refs).await
}

fn proposal_id(location: Option<&str>) -> i32 {
    location.and_then(|l| l.strip_prefix("/proposals/")).and_then(|n| n.parse().ok()).unwrap_or_else(|| {
        panic!("not a proposal page: {location:?}");
    })
}

async fn state_of(app: &TestApp, id: i32) -> ProposalState {
    proposal::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().state
}

/// Proposes `d` on brand `brand` and returns the proposal's id.
async fn propose(b: &mut Browser<'_>, brand: i32, d: &BrandDraft, comment: &str) -> i32 {
    let p = post_form(b, &format!("/brands/{brand}/propose"), &form(d, &[("intent", "submit"), ("comment", comment)]))
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    proposal_id(p.location.as_deref())
}

async fn propose_see_duplicates_approve_and_find_it(backend: Backend) {
    let ca = TestCa::new();
    let server = fake(&ca, CertKind::Valid, Duration::ZERO).await;
    let app = spawn_app_fetching(backend, false, loopback_policy(&ca)).await;
    import(&app, "Good Health Plan", "https://good.example").await;
    let good = brand_named(&app, "Good Health Plan").await;
    let mut dev = Browser::new(&app);
    dev.sign_up_and_log_in("dev@example.org").await;

    // The form is the brand's own fields, filled in.
    let page = dev.get(&format!("/brands/{}/propose", good.id)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Propose a change to Good Health Plan"));
    assert!(page.body.contains("value=\"https://fhir.good.example/r4\""), "the endpoint, pre-filled");

    // "Check" shows the changes and that another brand lists this address already.
    let mut d = draft(&app, good.id).await;
    let new_address = server.https_base("ok");
    d.endpoints.push(EndpointDraft {
        address: new_address.clone(),
        fhir_versions: vec!["4.0.1".into()],
        ..Default::default()
    });
    let mut with_dup = d.clone();
    with_dup.endpoints.push(EndpointDraft { address: "https://fhir.other.example/r4/".into(), ..Default::default() });
    let p =
        post_form(&mut dev, &format!("/brands/{}/propose", good.id), &form(&with_dup, &[("intent", "check")])).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("What the checks found") && p.body.contains("New endpoints"));
    assert!(p.body.contains("lists https://fhir.other.example/r4 already"), "a duplicate, by its normalized address");
    assert_eq!(proposal::Entity::find().all(&app.db).await.unwrap().len(), 0, "checking stores nothing");

    // A bad value is refused with its field named, and nothing is stored.
    let mut bad = d.clone();
    bad.website = "javascript:alert(1)".into();
    let p = post_form(&mut dev, &format!("/brands/{}/propose", good.id), &form(&bad, &[("intent", "submit")])).await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("scheme \"javascript\" is not allowed"), "the website field's error");
    assert_eq!(proposal::Entity::find().all(&app.db).await.unwrap().len(), 0);

    let id = propose(&mut dev, good.id, &d, "Their developer page lists a second endpoint.").await;
    let row = proposal::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.kind, app::types::proposals::ProposalKind::NewEndpoint);
    let checks = row.check_result.unwrap();
    assert!(checks.contains(&new_address) && checks.contains("\"health\":\"up\""), "checked once, at once: {checks}");
    assert!(
        mails_to(&app, "dev@example.org")
            .await
            .iter()
            .any(|(s, _)| s.contains(&format!("received your proposal #{id}")))
    );

    // Nobody but a moderator decides, by direct request too.
    assert_eq!(dev.post(&format!("/proposals/{id}/approve"), &[]).await.status, 403);
    assert_eq!(dev.post("/api/moderation_queue", &[("filter[older_than_days]", "0")]).await.status, 403);
    assert_eq!(dev.get("/moderation").await.status, 403);
    let mut other = Browser::new(&app);
    other.sign_up_and_log_in("other@example.org").await;
    assert_eq!(other.get(&format!("/proposals/{id}")).await.status, 403, "someone else's proposal");

    let mut boss = admin(&app, "boss@example.org").await;
    let queue = boss.get("/moderation").await;
    assert!(queue.body.contains(&format!("#{id} New endpoint for Good Health Plan")), "in the queue");
    let view = boss.get(&format!("/proposals/{id}")).await;
    assert!(view.body.contains(&new_address) && view.body.contains("Approve"));
    let version_before = app::server::services::brands::directory_version(&app.db).await.unwrap();
    let p = boss.post(&format!("/proposals/{id}/approve"), &[("note", "Confirmed on their site.")]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(state_of(&app, id).await, ProposalState::Approved);
    assert!(app::server::services::brands::directory_version(&app.db).await.unwrap() > version_before);
    assert!(mails_to(&app, "dev@example.org").await.iter().any(|(s, _)| s.contains(&format!("#{id} was approved"))));

    // Search, the bundle and the history follow; the poller has it due.
    let found = app.get_json(&format!("/api/v1/brands?q={}", urlencode(&new_address))).await;
    assert_eq!(found["results"][0]["id"].as_i64(), Some(i64::from(good.id)), "{found}");
    let bundle = app.client.get(app.url("/brands.json")).send().await.unwrap().text().await.unwrap();
    assert!(bundle.contains(new_address.trim_end_matches('/')), "in /brands.json");
    let history = Browser::new(&app).get(&format!("/brands/{}/history", good.id)).await;
    assert!(history.body.contains("approved proposal") && history.body.contains(&format!("proposal #{id}")));
    assert!(history.body.contains("contributor #"), "the proposer, by number, in public");
    assert!(!history.body.contains("@example.org"), "no address in public");
    assert!(!history.body.contains("Revert this and later changes"), "a visitor reverts nothing");
    assert!(
        boss.get(&format!("/brands/{}/history", good.id)).await.body.contains("dev@example.org"),
        "moderators see who"
    );
    let change =
        record_change::Entity::find().order_by_desc(record_change::Column::Id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(change.proposal_id, Some(id));
    let new_id = drafts::load(&app.db, good.id).await.unwrap().unwrap().endpoints.iter().map(|e| e.id).max().unwrap();
    let health = endpoint_health::Entity::find_by_id(new_id).one(&app.db).await.unwrap().expect("scheduled");
    assert!(health.next_check_at <= chrono::Utc::now().timestamp());
    assert_eq!(boss.post(&format!("/proposals/{id}/approve"), &[]).await.status, 409, "decided once");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn a_thread_an_edit_and_a_rejection_with_mails(backend: Backend) {
    let app = spawn_app(backend).await;
    import(&app, "Good Health Plan", "https://good.example").await;
    let good = brand_named(&app, "Good Health Plan").await;
    let mut dev = Browser::new(&app);
    dev.sign_up_and_log_in("dev@example.org").await;
    let mut d = draft(&app, good.id).await;
    d.name = "Good Health".into();
    let id = propose(&mut dev, good.id, &d, "Renamed.").await;
    let mut boss = admin(&app, "boss@example.org").await;

    // A question: the proposal waits for its proposer, who is mailed the question.
    let p = boss.post(&format!("/proposals/{id}/messages"), &[("body", "Where did you see the new name?")]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(state_of(&app, id).await, ProposalState::NeedsInfo);
    let mails = mails_to(&app, "dev@example.org").await;
    assert!(mails.iter().any(|(s, b)| s.contains("asks about") && b.contains("> Where did you see the new name?")));
    let page = dev.get(&format!("/proposals/{id}")).await;
    assert!(page.body.contains("Where did you see the new name?") && page.body.contains("A moderator"));
    assert!(!page.body.contains("boss@example.org"), "a moderator's address is for moderators");
    assert_eq!(dev.post(&format!("/proposals/{id}/messages"), &[("body", "On their home page.")]).await.status, 303);
    assert_eq!(state_of(&app, id).await, ProposalState::Pending, "answered");
    assert_eq!(dev.post(&format!("/proposals/{id}/messages"), &[("body", " ")]).await.status, 400, "empty");

    // The proposer edits it while open; the moderator sees the new draft.
    d.name = "Good Health Co".into();
    let p = post_form(&mut dev, &format!("/proposals/{id}/edit"), &form(&d, &[("intent", "submit")])).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(boss.get(&format!("/proposals/{id}")).await.body.contains("Good Health Co"));
    let mut other = Browser::new(&app);
    other.sign_up_and_log_in("other@example.org").await;
    let p = post_form(&mut other, &format!("/proposals/{id}/edit"), &form(&d, &[("intent", "submit")])).await;
    assert_eq!(p.status, 403, "only its proposer edits it");

    // A decision made on what the moderator saw: after the proposer's edit, an old page's
    // revision is refused.
    let p = boss.post(&format!("/proposals/{id}/reject"), &[("reason", "No."), ("seen", "an older revision")]).await;
    assert_eq!(p.status, 409, "{}", p.status);
    let p = boss.post(&format!("/proposals/{id}/approve"), &[("seen", "an older revision")]).await;
    assert_eq!(p.status, 409);
    assert_eq!(state_of(&app, id).await, ProposalState::Pending);
    // A rejection needs a reason, which the proposer reads and is mailed.
    assert_eq!(boss.post(&format!("/proposals/{id}/reject"), &[("reason", "")]).await.status, 400);
    assert_eq!(dev.post(&format!("/proposals/{id}/reject"), &[("reason", "mine")]).await.status, 403);
    let p = boss.post(&format!("/proposals/{id}/reject"), &[("reason", "That is not the plan's legal name.")]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(state_of(&app, id).await, ProposalState::Rejected);
    assert!(
        dev.get(&format!("/proposals/{id}")).await.body.contains("That is not the plan&#x27;s legal name.")
            || dev.get(&format!("/proposals/{id}")).await.body.contains("That is not the plan's legal name.")
    );
    let mails = mails_to(&app, "dev@example.org").await;
    assert!(mails.iter().any(|(s, b)| s.contains("not accepted") && b.contains("legal name")));
    assert_eq!(brand_named(&app, "Good Health Plan").await.name, "Good Health Plan", "nothing applied");
    assert_eq!(dev.post(&format!("/proposals/{id}/withdraw"), &[]).await.status, 409, "decided already");

    // Withdrawn by its proposer.
    let mut d2 = draft(&app, good.id).await;
    d2.aliases = vec!["GHP".into()];
    let second = propose(&mut dev, good.id, &d2, "").await;
    assert_eq!(dev.post(&format!("/proposals/{second}/withdraw"), &[]).await.status, 303);
    assert_eq!(state_of(&app, second).await, ProposalState::Withdrawn);
    let mine = dev.get("/proposals").await;
    assert!(mine.body.contains(&format!("#{id} Edit of Good Health Plan")) && mine.body.contains("Withdrawn"));
}

async fn two_approvals_of_one_field_a_revert_and_trust(backend: Backend) {
    let app = spawn_app(backend).await;
    import(&app, "Good Health Plan", "https://good.example").await;
    let good = brand_named(&app, "Good Health Plan").await;
    let (mut ana, mut ben) = (Browser::new(&app), Browser::new(&app));
    ana.sign_up_and_log_in("ana@example.org").await;
    ben.sign_up_and_log_in("ben@example.org").await;
    let base = draft(&app, good.id).await;
    let (mut a, mut b) = (base.clone(), base.clone());
    a.name = "Good Health A".into();
    b.name = "Good Health B".into();
    let first = propose(&mut ana, good.id, &a, "").await;
    let second = propose(&mut ben, good.id, &b, "").await;
    let mut boss = admin(&app, "boss@example.org").await;
    assert_eq!(boss.post(&format!("/proposals/{first}/approve"), &[]).await.status, 303);
    // The second one changed the same field: the moderator sees the conflict first.
    let p = boss.post(&format!("/proposals/{second}/approve"), &[]).await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("The record changed since") && p.body.contains("Good Health A"));
    assert!(p.body.contains("Approve anyway"));
    assert_eq!(state_of(&app, second).await, ProposalState::Pending, "nothing decided");
    assert!(boss.get(&format!("/proposals/{second}")).await.body.contains("Changed on the record since"));
    assert_eq!(boss.post(&format!("/proposals/{second}/approve"), &[("force", "1")]).await.status, 303);
    assert_eq!(brand_named(&app, "Good Health B").await.id, good.id);

    // Revert to before the first change: a change of its own, admins only.
    let changes = record_change::Entity::find()
        .filter(record_change::Column::RecordId.eq(good.id))
        .order_by_asc(record_change::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let first_change = changes.iter().find(|c| c.proposal_id == Some(first)).unwrap().id.to_string();
    assert_eq!(ana.post(&format!("/brands/{}/revert", good.id), &[("change", &first_change)]).await.status, 403);
    let p = boss.post(&format!("/brands/{}/revert", good.id), &[("change", &first_change)]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(brand::Entity::find_by_id(good.id).one(&app.db).await.unwrap().unwrap().name, "Good Health Plan");
    let history = boss.get(&format!("/brands/{}/history", good.id)).await;
    assert!(
        history.body.contains("reverted to before change") && history.body.contains("Revert this and later changes")
    );

    // Trust: after 2 accepted proposals (the tests' setting), an admin may trust Ben, whose
    // edits then apply at once.
    let ben_id = super::account_rules::member_id(&app, "ben@example.org").await.to_string();
    assert_eq!(boss.post(&format!("/admin/accounts/{ben_id}/trust"), &[("trusted", "1")]).await.status, 409);
    let mut c = draft(&app, good.id).await;
    c.website = "https://goodhealth.example".into();
    let third = propose(&mut ben, good.id, &c, "").await;
    assert_eq!(boss.post(&format!("/proposals/{third}/approve"), &[]).await.status, 303);
    assert_eq!(ana.post(&format!("/admin/accounts/{ben_id}/trust"), &[("trusted", "1")]).await.status, 403);
    assert_eq!(boss.post(&format!("/admin/accounts/{ben_id}/trust"), &[("trusted", "1")]).await.status, 303);
    let mut e = draft(&app, good.id).await;
    e.aliases = vec!["GHP".into()];
    let fourth = propose(&mut ben, good.id, &e, "").await;
    assert_eq!(state_of(&app, fourth).await, ProposalState::Approved, "applied at once");
    let aliases = brand::Entity::find_by_id(good.id).one(&app.db).await.unwrap().unwrap().aliases;
    assert!(aliases.contains("GHP"));
    assert!(boss.get(&format!("/brands/{}/history", good.id)).await.body.contains("trusted contributor"));
    assert!(mails_to(&app, "ben@example.org").await.iter().any(|(s, _)| s.contains("is in the directory")));
    assert!(ben.get("/account").await.body.contains("Directory proposals: 3 made, 3 accepted"));
    assert!(boss.get("/admin/accounts?q=ben").await.body.contains("3 (3) · trusted"));
}

async fn a_reimport_keeps_what_the_community_changed(backend: Backend) {
    let app = spawn_app(backend).await;
    import(&app, "Good Health Plan", "https://good.example").await;
    let good = brand_named(&app, "Good Health Plan").await;
    let mut dev = Browser::new(&app);
    dev.sign_up_and_log_in("dev@example.org").await;
    let mut d = draft(&app, good.id).await;
    d.website = "https://goodhealth.example".into();
    d.endpoints.push(EndpointDraft { address: "https://community.good.example/r4".into(), ..Default::default() });
    let id = propose(&mut dev, good.id, &d, "").await;
    let mut boss = admin(&app, "boss@example.org").await;
    assert_eq!(boss.post(&format!("/proposals/{id}/approve"), &[]).await.status, 303);
    let website = |app: &TestApp| {
        let db = app.db.clone();
        async move { brand::Entity::find_by_id(good.id).one(&db).await.unwrap().unwrap().website }
    };
    let addresses = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            drafts::load(&db, good.id)
                .await
                .unwrap()
                .unwrap()
                .endpoints
                .into_iter()
                .map(|e| e.address)
                .collect::<Vec<_>>()
        }
    };

    // The same bundle again: nothing to do.
    import(&app, "Good Health Plan", "https://good.example").await;
    assert_eq!(website(&app).await.as_deref(), Some("https://goodhealth.example"));
    // The bundle changes the name but not the website: the community's website stays, and so
    // does the endpoint the community added.
    import(&app, "Good Health Plan Inc", "https://good.example").await;
    let b = brand::Entity::find_by_id(good.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!((b.name.as_str(), b.website.as_deref()), ("Good Health Plan Inc", Some("https://goodhealth.example")));
    assert!(
        addresses(&app).await.contains(&"https://community.good.example/r4".to_string()),
        "{:?}",
        addresses(&app).await
    );
    assert!(boss.get("/moderation").await.body.contains("Import conflicts"));
    assert_eq!(app::server::entities::import_conflict::Entity::find().all(&app.db).await.unwrap().len(), 0);
    // The bundle changes the website too: the source's value wins, and moderators see the
    // conflict with the community's value, which they may restore.
    import(&app, "Good Health Plan Inc", "https://good-health.example").await;
    assert_eq!(website(&app).await.as_deref(), Some("https://good-health.example"));
    let conflicts = app::server::entities::import_conflict::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let queue = boss.get("/moderation").await;
    assert!(queue.body.contains("https://goodhealth.example") && queue.body.contains("https://good-health.example"));
    assert_eq!(dev.post(&format!("/moderation/conflicts/{}", conflicts[0].id), &[("restore", "1")]).await.status, 403);
    let p = boss.post(&format!("/moderation/conflicts/{}", conflicts[0].id), &[("restore", "1")]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(website(&app).await.as_deref(), Some("https://goodhealth.example"), "restored");
    let history = Browser::new(&app).get(&format!("/brands/{}/history", good.id)).await;
    assert!(
        history.body.contains("import of test:plans") && history.body.contains("Good Health Plan Inc"),
        "the import's change"
    );

    // The source lists another of its endpoints on the brand: the history says so.
    let mut v: serde_json::Value =
        serde_json::from_slice(&bundle("Good Health Plan Inc", "https://good-health.example")).unwrap();
    v["entry"][0]["resource"]["endpoint"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"reference": "Endpoint/other-ep"}));
    app.import_bytes("test:plans", Some(Format::Brands), serde_json::to_vec(&v).unwrap()).await.expect("import");
    let other_ep = app::server::entities::endpoint::Entity::find()
        .filter(app::server::entities::endpoint::Column::Address.eq("https://fhir.other.example/r4"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let history = boss.get(&format!("/brands/{}/history", good.id)).await;
    assert!(history.body.contains(&format!("Endpoint #{}: listed", other_ep.id)), "an endpoint put on the brand");
    assert!(addresses(&app).await.contains(&"https://community.good.example/r4".to_string()), "still there");
    // The community adds a portal and says the endpoint is reached through it; a re-import that
    // rewrites the brand's links keeps both.
    let mut d = draft(&app, good.id).await;
    d.portals.push(app::types::proposals::PortalDraft {
        name: "Member portal".into(),
        url: "https://members.good.example".into(),
        ..Default::default()
    });
    d.endpoints.iter_mut().filter(|e| e.id == Some(other_ep.id)).for_each(|e| e.portal = Some(0));
    let id = propose(&mut dev, good.id, &d, "the member portal is where it is").await;
    assert_eq!(boss.post(&format!("/proposals/{id}/approve"), &[]).await.status, 303);
    v["entry"][0]["resource"]["name"] = "Good Health Plan, Inc.".into();
    app.import_bytes("test:plans", Some(Format::Brands), serde_json::to_vec(&v).unwrap()).await.expect("import");
    let d = draft(&app, good.id).await;
    assert_eq!(d.name, "Good Health Plan, Inc.");
    assert_eq!(d.portals.len(), 1, "{d:?}");
    let portal_of = |d: &BrandDraft, id: i32| d.endpoints.iter().find(|e| e.id == Some(id)).and_then(|e| e.portal);
    assert_eq!(portal_of(&d, other_ep.id), Some(0), "{d:?}");

    // The source drops the brand: it goes, and the endpoint the community added to it with it.
    let mut v: serde_json::Value =
        serde_json::from_slice(&bundle("Good Health Plan Inc", "https://good.example")).unwrap();
    v["entry"].as_array_mut().unwrap().drain(0..2);
    app.import_bytes("test:plans", Some(Format::Brands), serde_json::to_vec(&v).unwrap()).await.expect("import");
    assert!(brand::Entity::find_by_id(good.id).one(&app.db).await.unwrap().is_none());
    let orphan = app::server::entities::endpoint::Entity::find()
        .filter(app::server::entities::endpoint::Column::Address.eq("https://community.good.example/r4"))
        .one(&app.db)
        .await
        .unwrap();
    assert!(orphan.is_none(), "no community endpoint left unlisted (and polled)");
    assert!(app::server::entities::community_field::Entity::find().all(&app.db).await.unwrap().is_empty());
    // Its history outlives it, ending with what it was.
    let last = record_change::Entity::find()
        .filter(record_change::Column::RecordKind.eq("brand"))
        .filter(record_change::Column::RecordId.eq(good.id))
        .order_by_desc(record_change::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("a last change");
    let fields = app::server::services::moderation::history::parse_fields(&last.fields);
    assert!(fields.iter().any(|f| f.path == "name" && f.after.is_null() && f.before == "Good Health Plan, Inc."));
    // A later import that adds a brand records it as added.
    import(&app, "Good Health Plan", "https://good.example").await;
    let again = brand_named(&app, "Good Health Plan").await;
    let history = Browser::new(&app).get(&format!("/brands/{}/history", again.id)).await;
    assert!(history.body.contains("import of test:plans") && history.body.contains("Good Health Plan"));
    assert!(history.body.contains("listed"), "with the endpoint it lists: {}", history.body);
    // The community's own source is not imported over.
    let err = app.import_bytes("community:", Some(Format::Brands), bundle("X", "https://x.example")).await;
    assert!(err.is_err());
}

async fn visitors_report_problems_within_a_limit(backend: Backend) {
    let app = spawn_app(backend).await;
    import(&app, "Good Health Plan", "https://good.example").await;
    let good = brand_named(&app, "Good Health Plan").await;
    let mut visitor = Browser::new(&app);
    let path = format!("/brands/{}/report", good.id);
    let page = visitor.get(&path).await;
    assert!(
        page.body.contains("Report a problem with Good Health Plan")
            && page.body.contains("https://fhir.good.example/r4")
    );
    let sent = visitor
        .post(&path, &[("kind", "broken"), ("comment", "Times out since Monday."), ("email", "Visitor@Example.org")])
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("Thank you: report #"));
    assert!(mails_to(&app, "visitor@example.org").await.is_empty(), "no mail to an address nobody confirmed, yet");
    let p = visitor.post(&path, &[("kind", "moved"), ("detail", "not a url"), ("comment", "Moved.")]).await;
    assert_eq!(p.status, 400, "the new address must be one");
    let p = visitor.post(&path, &[("kind", "duplicate"), ("detail", "/brands/999999"), ("comment", "Same.")]).await;
    assert_eq!(p.status, 400, "the other brand must exist");
    let p = visitor.post(&path, &[("kind", "broken"), ("comment", "Again.")]).await;
    assert_eq!(p.status, 429, "3 at once from one address");
    assert!(p.retry_after.is_some());

    let report = proposal::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(report.proposer_id, None);
    assert_eq!(report.reporter_email.as_deref(), Some("visitor@example.org"));
    let attention = Browser::new(&app).get("/needs-attention").await;
    assert!(attention.body.contains("Report on Good Health Plan: It is broken"));
    assert!(!attention.body.contains("visitor@example.org"), "who reported is not public");
    let mut boss = admin(&app, "boss@example.org").await;
    let view = boss.get(&format!("/proposals/{}", report.id)).await;
    assert!(view.body.contains("a visitor (visitor@example.org)") && view.body.contains("Times out since Monday."));
    let p = boss.post(&format!("/proposals/{}/messages", report.id), &[("body", "Which endpoint?")]).await;
    assert_eq!(p.status, 409, "a visitor cannot answer a question");
    assert_eq!(boss.post(&format!("/proposals/{}/approve", report.id), &[]).await.status, 303);
    assert!(mails_to(&app, "visitor@example.org").await.iter().any(|(s, _)| s.contains("was accepted")));
}
