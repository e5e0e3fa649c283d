//! A brand's developer-portal facts, plans and API addresses: edited by its maintainer and by
//! admins only (by direct request too), refused field by field when hostile (nothing stored),
//! shown on the brand page, in the JSON API, in the CSV and in the NDJSON export, and in the
//! audit log.
use super::account_rules::admin;
use super::browser::Browser;
use super::claims::{brand_id, organization, setup};
use super::helpers::Backend;
use app::server::entities::{audit_log, developer_facts};
use app::server::services::brands::directory_version;
use sea_orm::EntityTrait;

on_both_databases!(maintainers_state_their_developer_facts_and_plans,);

async fn maintainers_state_their_developer_facts_and_plans(backend: Backend) {
    let (app, _server, _ca) = setup(backend).await;
    let good = brand_id(&app, "Good Health Plan").await;
    let mut payer = Browser::new(&app);
    payer.sign_up_and_log_in("pat@payer.example").await;
    let org = organization(&mut payer, "Good Payer", "payer").await;
    let mut dev = Browser::new(&app);
    dev.sign_up_and_log_in("dev@example.org").await;
    let mut boss = admin(&app, "boss@example.org").await;
    let page = format!("/brands/{good}/developer");

    // Before the claim, the payer is nobody's maintainer.
    assert_eq!(payer.get(&page).await.status, 403);
    let (org_s, good_s) = (org.to_string(), good.to_string());
    assert_eq!(boss.post("/admin/claims", &[("organization", &org_s), ("brand", &good_s)]).await.status, 303);
    let form = payer.get(&page).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Registration turnaround") && form.body.contains("New plan"));
    assert!(Browser::new(&app).get(&page).await.status == 401, "signed out");
    assert_eq!(dev.get(&page).await.status, 403);
    let good_fields = [
        ("developer_portal", "https://developer.good.example"),
        ("registration_url", "https://developer.good.example/register"),
        ("self_service", "yes"),
        ("sandbox_url", "https://sandbox.good.example/fhir/r4"),
        ("test_patients", "yes"),
        ("test_patients_note", "Ten members with claims"),
        ("turnaround_days", "3"),
        ("scopes", "launch/patient openid fhirUser patient/*.read"),
        ("support_email", "api@good.example"),
        ("api-patient-access", "https://fhir.good.example/r4"),
        ("plan-0-name", "Good Medicare Advantage"),
        ("plan-0-lob", "medicare-advantage"),
        ("plan-0-formulary", "https://fhir.good.example/formulary/ma"),
        ("plan-1-name", "Good Medicaid"),
        ("plan-1-lob", "medicaid"),
    ];
    // By direct request, a developer is refused, and nothing is stored.
    assert_eq!(dev.post(&page, &good_fields).await.status, 403);
    assert!(developer_facts::Entity::find().all(&app.db).await.unwrap().is_empty());

    // Hostile values: each refused with its field named, nothing stored.
    let mut bad = good_fields.to_vec();
    bad[0] = ("developer_portal", "javascript:alert(document.cookie)");
    bad.push(("plan-2-name", "Mystery plan"));
    bad.push(("plan-2-lob", "timeshare"));
    let p = payer.post(&page, &bad).await;
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(p.body.contains("Mystery plan"), "the typed values come back");
    assert!(
        p.body.contains("Choose the plan&#39;s line of business")
            || p.body.contains("Choose the plan's line of business")
    );
    assert!(developer_facts::Entity::find().all(&app.db).await.unwrap().is_empty());
    let many: Vec<(String, String)> = (0..401).map(|i| (format!("x{i}"), String::new())).collect();
    let refs: Vec<(&str, &str)> = many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(payer.post(&page, &refs).await.status, 413);

    // Saved: the directory version moves (search filters on some facts), and it is audited.
    let version = directory_version(&app.db).await.unwrap();
    let p = payer.post(&page, &good_fields).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(directory_version(&app.db).await.unwrap() > version);
    let brand_page = Browser::new(&app).get(&format!("/brands/{good}")).await;
    for text in [
        "For developers",
        "https://developer.good.example",
        "3 business days",
        "Good Medicare Advantage",
        "Medicare Advantage",
        "https://fhir.good.example/formulary/ma",
        "Stated by the maintainer",
    ] {
        assert!(brand_page.body.contains(text), "{text}");
    }
    assert!(!brand_page.body.contains("Edit the developer facts"), "not for a visitor");
    assert!(payer.get(&format!("/brands/{good}")).await.body.contains("Edit the developer facts"));
    let api = app.get_json(&format!("/api/v1/brands/{good}")).await;
    let d = &api["developer"];
    assert_eq!(d["facts"]["self_service"], true);
    assert_eq!(d["facts"]["turnaround_days"], 3);
    assert_eq!(d["plans"][0]["line_of_business"], "medicare-advantage");
    assert_eq!(d["plans"][0]["apis"][0]["kind"], "formulary");
    assert_eq!(d["plans"][1]["name"], "Good Medicaid");
    // Search filters on the plans' lines of business and on what the payer offers developers.
    let found = app.get_json("/api/v1/brands?line_of_business=medicare-advantage").await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["results"][0]["id"], good);
    let offers = &found["facets"]["developer"];
    for v in ["sandbox", "self-service", "test-patients"] {
        assert!(offers.as_array().unwrap().iter().any(|f| f["value"] == v), "{v} in {offers}");
    }
    assert_eq!(app.get_json("/api/v1/brands?developer=self-service").await["total"], 1);
    assert_eq!(app.get_json("/api/v1/brands?line_of_business=chip").await["total"], 0);
    let search_page = Browser::new(&app).get("/?developer=test-patients").await;
    assert!(search_page.body.contains("Offers test patients") && search_page.body.contains("Good Health Plan"));
    let csv = app.client.get(app.url("/export/endpoints.csv")).send().await.unwrap().text().await.unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with("developer_portal,sandbox_url,self_service,test_patients,turnaround_days,lines_of_business")
    );
    let row = csv.lines().find(|l| l.contains("Good Health Plan,")).expect("a row");
    assert!(
        row.ends_with(
            "https://developer.good.example,https://sandbox.good.example/fhir/r4,yes,yes,3,medicaid medicare-advantage"
        ),
        "{row}"
    );
    let ndjson = app.client.get(app.url("/export/developer-facts.ndjson")).send().await.unwrap().text().await.unwrap();
    let line: serde_json::Value = serde_json::from_str(ndjson.lines().next().unwrap()).unwrap();
    assert_eq!(line["brand_id"], good);
    assert_eq!(line["developer"]["facts"]["support_email"], "api@good.example");

    // An admin edits too; a plan row left empty removes the plan.
    let mut fewer = good_fields.to_vec();
    fewer.retain(|(n, _)| !n.starts_with("plan-1"));
    assert_eq!(boss.post(&page, &fewer).await.status, 303);
    let api = app.get_json(&format!("/api/v1/brands/{good}")).await;
    assert_eq!(api["developer"]["plans"].as_array().unwrap().len(), 1);
    assert_eq!(api["developer"]["facts_origin"], "admin");
    let log = audit_log::Entity::find().all(&app.db).await.unwrap();
    let edits: Vec<_> = log.iter().filter(|e| e.action.name() == "brand.developer-facts").collect();
    assert_eq!(edits.len(), 2);
    assert!(edits[1].before.as_deref().unwrap_or_default().contains("Good Medicaid"));
    assert!(!edits[1].after.as_deref().unwrap_or_default().contains("Good Medicaid"));
}
