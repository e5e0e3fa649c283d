//! A payer publishes: its own edits apply at once and publish a version; an uploaded bundle is
//! previewed (findings, per-brand changes, refusals) and published atomically or not at all;
//! new brands only at its verified domains; rollback; `/publishers/{slug}/brands.json` with the
//! same HTTP semantics as `/brands.json`; nobody else can publish or roll back.
use super::account_rules::admin;
use super::browser::Browser;
use super::claims::{brand_id, organization, setup};
use super::helpers::Backend;
use app::server::entities::{audit_log, brand, publication};
use app::server::services::moderation::drafts;
use app::server::services::publishing::claims::maintainer;
use app::server::services::publishing::publications::slug;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

on_both_databases!(a_payer_publishes_previews_and_rolls_back,);

async fn post(b: &mut Browser<'_>, org: i32, intent: &str, body: String) -> super::browser::Page {
    b.post(&format!("/orgs/{org}/publish?intent={intent}"), &[("bundle", body.as_str())]).await
}

async fn name_of(app: &super::helpers::TestApp, id: i32) -> String {
    brand::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().name
}

async fn a_payer_publishes_previews_and_rolls_back(backend: Backend) {
    let (app, server, _ca) = setup(backend).await;
    let (good, other) = (brand_id(&app, "Good Health Plan").await, brand_id(&app, "Other Plan").await);
    let mut payer = Browser::new(&app);
    payer.sign_up_and_log_in("pat@payer.example").await;
    let org = organization(&mut payer, "Good Payer", "payer").await;
    let mut dev = Browser::new(&app);
    dev.sign_up_and_log_in("dev@example.org").await;
    let mut boss = admin(&app, "boss@example.org").await;
    let (org_s, good_s) = (org.to_string(), good.to_string());
    assert_eq!(boss.post("/admin/claims", &[("organization", &org_s), ("brand", &good_s)]).await.status, 303);
    let bundle_url = format!("/publishers/{}/brands.json", slug(org, "Good Payer"));
    assert_eq!(bundle_url, format!("/publishers/{org}-good-payer/brands.json"));
    assert_eq!(app.client.get(app.url(&bundle_url)).send().await.unwrap().status(), 404, "nothing published yet");

    // The maintainer's own edit applies at once and is published as version 1.
    let mut d = drafts::draft_of(&drafts::load(&app.db, good).await.unwrap().unwrap());
    d.name = "Good Health Plan Inc".into();
    let mut v = d.form_values();
    v.extend([("intent".to_string(), "submit".to_string()), ("comment".to_string(), String::new())]);
    let refs: Vec<(&str, &str)> = v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(payer.post(&format!("/brands/{good}/propose"), &refs).await.status, 303);
    assert_eq!(name_of(&app, good).await, "Good Health Plan Inc", "applied without a moderator");
    let history = Browser::new(&app).get(&format!("/brands/{good}/history")).await;
    assert!(history.body.contains("the brand&#39;s maintainer") || history.body.contains("the brand's maintainer"));
    let r = app.client.get(app.url(&bundle_url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/fhir+json");
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(tag.starts_with("W/\"p1-"), "{tag}");
    let published: serde_json::Value = r.json().await.unwrap();
    let orgs: Vec<&serde_json::Value> = published["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"]["resourceType"] == "Organization")
        .collect();
    assert_eq!(orgs.len(), 2, "the brand and its child at the domain");
    assert!(orgs.iter().any(|o| o["resource"]["name"] == "Good Health Plan Inc"));
    let r = app
        .client
        .get(app.url(&bundle_url))
        .header("If-None-Match", tag.trim_start_matches("W/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);

    // An upload: the brand renamed, a new brand at the verified domain, another payer's brand.
    let mut upload = published.clone();
    for e in upload["entry"].as_array_mut().unwrap() {
        if e["resource"]["id"] == format!("b{good}") {
            e["resource"]["name"] = "Good Health Plan 2".into();
        }
    }
    let dental = serde_json::json!({"fullUrl": "https://payer.example/Organization/dental", "resource": {
        "resourceType": "Organization", "id": "dental", "active": true, "name": "Good Dental",
        "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "ins"}]}],
        "telecom": [{"system": "url", "value": server.https_base("dental")}],
        "address": [{"city": "Madison", "state": "WI"}],
        "endpoint": [{"reference": "Endpoint/dental-ep"}]}});
    let dental_ep = serde_json::json!({"fullUrl": "https://payer.example/Endpoint/dental-ep", "resource": {
        "resourceType": "Endpoint", "id": "dental-ep", "status": "active", "address": "https://fhir.dental.example/r4",
        "connectionType": {"system": "http://terminology.hl7.org/CodeSystem/endpoint-connection-type", "code": "hl7-fhir-rest"},
        "payloadType": [{"coding": [{"code": "none"}]}],
        "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/endpoint-fhir-version", "valueCode": "4.0.1"}],
        "contact": [{"system": "url", "value": "https://payer.example/support"}]}});
    upload["entry"].as_array_mut().unwrap().extend([dental, dental_ep]);
    let mut stray = upload.clone();
    stray["entry"].as_array_mut().unwrap().push(serde_json::json!({"fullUrl": "https://payer.example/Organization/x",
        "resource": {"resourceType": "Organization", "id": format!("b{other}"), "active": true, "name": "Other Plan Hijacked",
        "telecom": [{"system": "url", "value": "https://www.other.example"}]}}));
    let p = post(&mut payer, org, "preview", stray.to_string()).await;
    assert_eq!(p.status, 200, "{}", p.body);
    for text in [
        "What blocks publishing",
        "refused",
        "new brand",
        "Good Health Plan 2",
        "not a brand this organization maintains",
    ] {
        assert!(p.body.contains(text), "{text}");
    }
    let p = post(&mut payer, org, "publish", stray.to_string()).await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("Nothing was published"));
    assert_eq!(name_of(&app, good).await, "Good Health Plan Inc", "atomic: nothing of it was applied");
    assert_eq!(name_of(&app, other).await, "Other Plan");
    // A bundle the validator finds an error in is blocked too.
    let mut batch = upload.clone();
    batch["type"] = "batch".into();
    let p = post(&mut payer, org, "publish", batch.to_string()).await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("/type"), "the finding's pointer");
    assert_eq!(post(&mut payer, org, "publish", "not json".into()).await.status, 400);
    // Nobody else publishes, by direct request.
    assert_eq!(post(&mut dev, org, "publish", upload.to_string()).await.status, 403);
    assert_eq!(publication::Entity::find().all(&app.db).await.unwrap().len(), 1);

    // Published: one transaction, version 2.
    let p = post(&mut payer, org, "publish", upload.to_string()).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Published as version 2"));
    assert_eq!(name_of(&app, good).await, "Good Health Plan 2");
    let dental_id = brand_id(&app, "Good Dental").await;
    assert_eq!(maintainer(&app.db, dental_id).await.unwrap().unwrap().organization, "Good Payer");
    let r = app.client.get(app.url(&bundle_url)).send().await.unwrap();
    assert!(r.headers()["etag"].to_str().unwrap().starts_with("W/\"p2-"));
    let text = r.text().await.unwrap();
    assert!(text.contains("Good Dental") && text.contains("Good Health Plan 2"));
    assert!(app.get_json("/api/v1/brands?q=good+dental").await["total"].as_u64().unwrap() >= 1, "in search");

    // Rollback to version 1: the name comes back, as version 3; others may not roll back.
    let rollback = format!("/orgs/{org}/publications/1/rollback");
    assert_eq!(dev.post(&rollback, &[]).await.status, 403);
    let p = payer.post(&rollback, &[]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("published as version 3"));
    assert_eq!(name_of(&app, good).await, "Good Health Plan Inc");
    let page = payer.get(&format!("/orgs/{org}")).await;
    assert!(page.body.contains("Version 3") && page.body.contains("rollback") && page.body.contains(&bundle_url));
    let actions: Vec<String> = audit_log::Entity::find()
        .filter(audit_log::Column::TargetKind.eq("organization"))
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|e| e.action.name())
        .collect();
    assert!(
        actions.contains(&"publication.upload".to_string()) && actions.contains(&"publication.rollback".to_string())
    );
}
