//! Apps, by HTTP as a browser without JavaScript would: a developer organization registers an
//! app (every field checked, each error on its field), changes it (a new version naming what
//! changed; an unchanged save makes none), exports the RFC 7591 request and UDAP claims; nobody
//! outside the organization sees or edits it, by direct request; payer organizations register no
//! apps; each change is in the audit log.
use super::account_rules::admin;
use super::browser::Browser;
use super::claims::organization;
use super::helpers::{Backend, spawn_app};
use app::server::entities::{audit_log, client_app_version};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

on_both_databases!(developers_register_change_and_export_their_apps,);

pub(super) fn form(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![
        ("client_name", "Health Wallet"),
        ("description", "Keeps your claims in one place."),
        ("client_uri", "https://wallet.example.com"),
        ("policy_uri", "https://wallet.example.com/privacy"),
        ("redirect_uris", "https://wallet.example.com/callback\ncom.example.wallet:/oauth2redirect"),
        ("contacts", "dev@wallet.example.com"),
        ("token_endpoint_auth_method", "none"),
        ("grant_type", "authorization_code"),
        ("scopes", "launch/patient to know whose records\npatient/ExplanationOfBenefit.rs to show claims"),
        ("platform", "web"),
        ("platform", "ios"),
        ("fhir_versions", "4.0.1"),
    ];
    for (k, val) in extra {
        v.retain(|(n, _)| n != k);
        v.push((k, val));
    }
    v
}

async fn developers_register_change_and_export_their_apps(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut dev = Browser::new(&app);
    dev.sign_up_and_log_in("dev@wallet.example.com").await;
    let org = organization(&mut dev, "Wallet Inc", "developer").await;
    let mut payer = Browser::new(&app);
    payer.sign_up_and_log_in("pat@payer.example").await;
    let payer_org = organization(&mut payer, "Good Payer", "payer").await;
    let mut boss = admin(&app, "boss@example.org").await;

    // Each field's error on its field; nothing stored.
    let p = dev.post(&format!("/orgs/{org}/apps"), &form(&[("redirect_uris", "http://localhost:3000/cb")])).await;
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(p.body.contains("not localhost"), "{}", p.body);
    assert!(p.body.contains("Health Wallet"), "what was typed comes back");
    let p = dev.post(&format!("/orgs/{org}/apps"), &form(&[("scopes", "patient/Observation.read")])).await;
    assert!(p.body.contains("why the app needs it"));
    assert!(client_app_version::Entity::find().all(&app.db).await.unwrap().is_empty());

    // Registered: version 1.
    let p = dev.post(&format!("/orgs/{org}/apps"), &form(&[])).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = p.location.clone().unwrap();
    let id: i32 = page.rsplit('/').next().unwrap().parse().unwrap();
    let shown = dev.get(&page).await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("Version 1") && shown.body.contains("com.example.wallet:/oauth2redirect"));
    assert!(dev.get(&format!("/orgs/{org}")).await.body.contains("Health Wallet"), "listed on the organization page");

    // The exports.
    let r = dev.get(&format!("{page}/registration.json")).await;
    assert_eq!(r.status, 200);
    let doc: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(doc["client_name"], "Health Wallet");
    assert_eq!(doc["token_endpoint_auth_method"], "none");
    assert_eq!(doc["scope"], "launch/patient patient/ExplanationOfBenefit.rs");
    assert_eq!(doc["response_types"], serde_json::json!(["code"]));
    assert!(doc.get("client_secret").is_none());
    let udap: serde_json::Value =
        serde_json::from_str(&dev.get(&format!("{page}/udap-claims.json")).await.body).unwrap();
    assert_eq!(udap["iss"], "https://wallet.example.com");

    // A change is a new version naming what changed; an unchanged save makes none.
    let p = dev.post(&page, &form(&[("policy_uri", "https://wallet.example.com/privacy-2026")])).await;
    assert!(p.body.contains("Saved as version 2"), "{}", p.body);
    let p = dev.post(&page, &form(&[("policy_uri", "https://wallet.example.com/privacy-2026")])).await;
    assert!(p.body.contains("Nothing changed"), "{}", p.body);
    let versions =
        client_app_version::Entity::find().filter(client_app_version::Column::AppId.eq(id)).all(&app.db).await.unwrap();
    assert_eq!(versions.len(), 2);
    let v2 = versions.iter().find(|v| v.version == 2).unwrap();
    assert_eq!(v2.changed, r#"["privacy policy"]"#);
    assert!(dev.get(&page).await.body.contains("changed: privacy policy"));

    // Nobody else: not another organization's member (by direct request), not a visitor.
    assert_eq!(payer.get(&page).await.status, 403);
    assert_eq!(payer.get(&format!("{page}/registration.json")).await.status, 403);
    assert_eq!(payer.post(&page, &form(&[("client_name", "Hijacked")])).await.status, 403);
    assert_eq!(Browser::new(&app).get(&format!("{page}/registration.json")).await.status, 401);
    // Under an organization it is not a member of, the app's own developer is refused too.
    assert_eq!(dev.get(&format!("/orgs/{payer_org}/apps/{id}/registration.json")).await.status, 403);
    // Payer organizations register no apps.
    assert_eq!(payer.post(&format!("/orgs/{payer_org}/apps"), &form(&[])).await.status, 403);
    // Admins read it, and do not edit it.
    assert_eq!(boss.get(&page).await.status, 200);
    assert_eq!(boss.post(&page, &form(&[("client_name", "Admin's")])).await.status, 403);

    let actions: Vec<String> = audit_log::Entity::find()
        .filter(audit_log::Column::TargetKind.eq("app"))
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|e| e.action.name())
        .collect();
    assert_eq!(actions, ["app.create", "app.update"]);
}
