//! Integration tests: the real server on port 0, a fresh database per test, both backends.

use crate::helpers::{Backend, TestApp, fixture, spawn_app, spawn_app_with};
use app::server::entities::{brand, endpoint, source};
use app::server::import::Format;
use app::server::import::run::ImportError;
use app::server::services::brands::directory_version;
use app::server::validate::validate_reader;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

on_both_databases!(
    imports_every_format_and_searches_them,
    reimport_is_idempotent_and_updates_exactly_its_records,
    a_broken_source_changes_nothing,
    brands_json_is_a_valid_bundle_with_etag_and_cors,
    source_bundle_and_csv_export,
    validation_api_and_page,
    pages_render_on_the_server,
    api_checks_its_parameters,
    demo_data_seeds_an_empty_database_once,
);

async fn count_brands(app: &TestApp) -> u64 {
    brand::Entity::find().count(&app.db).await.unwrap()
}

async fn names(app: &TestApp, query: &str) -> Vec<String> {
    let r = app.get_json(&format!("/api/v1/brands?{query}")).await;
    r["results"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap().to_string()).collect()
}

async fn imports_every_format_and_searches_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let ex2 = app.import_fixture("brands/smart-spec-example2.json").await;
    assert_eq!(ex2.format, Format::Brands);
    assert!(ex2.detected);
    assert_eq!((ex2.summary.brands.added, ex2.summary.endpoints.added, ex2.summary.portals.added), (3, 2, 1));
    let oracle = app.import_fixture("brands/oracle-millennium-patient-r4.json").await;
    assert_eq!((oracle.summary.brands.added, oracle.summary.endpoints.added), (1359, 1359));
    assert!(oracle.summary.findings.iter().any(|f| f.rule == "endpoint-contact"));
    let lantern = app.import_fixture("directories/lantern-cerner-endpoint-sources.json").await;
    assert_eq!(lantern.format, Format::Lantern);
    assert!(lantern.summary.brands.added > 3000, "{:?}", lantern.summary.brands);
    let sma = app.import_fixture("directories/cms-sma-endpoint-directory.csv").await;
    assert_eq!(sma.format, Format::SmaCsv);
    assert_eq!(sma.summary.brands.added, 56);

    // Name, alias, portal name, city, state, typo; exact and prefix first.
    assert_eq!(names(&app, "q=ExampleHealth").await[0], "ExampleHealth");
    assert!(names(&app, "q=GoodHealth+Mental").await.contains(&"ExampleHealth".to_string()));
    assert!(names(&app, "q=My+ExampleHealth+Portal").await.contains(&"ExampleHealth".to_string()));
    assert_eq!(names(&app, "q=alabma+medicaid").await[0], "Alabama Medicaid");
    assert!(names(&app, "q=newport+beach").await.contains(&"Oscar Matthews, MD".to_string()));
    assert_eq!(names(&app, "q=medicaid&state=TX&category=ins").await, vec!["Texas Medicaid"]);
    let r = app.get_json("/api/v1/brands?q=medicaid&per_page=5&page=2").await;
    assert!(r["total"].as_u64().unwrap() >= 56);
    assert_eq!(r["results"].as_array().unwrap().len(), 5);
    assert!(r["facets"]["state"].as_array().unwrap().iter().any(|f| f["value"] == "TX"));

    // The brand page data: portals, endpoints, parent and children, source.
    let id = app.get_json("/api/v1/brands?q=ExampleHealth").await["results"][0]["id"].as_i64().unwrap();
    let b = app.get_json(&format!("/api/v1/brands/{id}")).await;
    assert_eq!(b["portals"][0]["name"], "My ExampleHealth Portal");
    assert_eq!(b["portals"][0]["endpoints"].as_array().unwrap().len(), 2);
    assert_eq!(b["children"].as_array().unwrap().len(), 2);
    assert_eq!(b["source"]["format"], "brands");
}

async fn reimport_is_idempotent_and_updates_exactly_its_records(backend: Backend) {
    let app = spawn_app(backend).await;
    let original = fixture("brands/oracle-millennium-patient-r4.json");
    let first = app.import_bytes("test:oracle", None, original.clone()).await.unwrap();
    assert_eq!(first.summary.brands.added, 1359);
    app.import_fixture("brands/smart-spec-example1.json").await;
    let version = directory_version(&app.db).await.unwrap();

    let again = app.import_bytes("test:oracle", None, original.clone()).await.unwrap();
    assert!(again.summary.unchanged);
    assert_eq!(directory_version(&app.db).await.unwrap(), version, "no change, no new version");
    assert_eq!(count_brands(&app).await, 1360);

    // Same content re-serialized: not byte-identical, so it is compared record by record.
    let mut doc: Value = serde_json::from_slice(&original).unwrap();
    let again = app.import_bytes("test:oracle", None, serde_json::to_vec_pretty(&doc).unwrap()).await.unwrap();
    assert!(!again.summary.unchanged);
    assert!(!again.summary.changed(), "{:?}", again.summary);
    assert_eq!(directory_version(&app.db).await.unwrap(), version);

    // Drop the first Endpoint+Organization pair, rename one organization, add a new pair.
    let entries = doc["entry"].as_array_mut().unwrap();
    entries.drain(0..2);
    entries[1]["resource"]["name"] = json!("Renamed Clinic");
    let mut new_pair = vec![entries[0].clone(), entries[1].clone()];
    new_pair[0]["resource"]["id"] = json!("new-endpoint");
    new_pair[0]["resource"]["address"] = json!("https://fhir.example.org/r4/new");
    new_pair[1]["resource"]["id"] = json!("new-org");
    new_pair[1]["resource"]["endpoint"] = json!([{"reference": "Endpoint/new-endpoint"}]);
    entries.extend(new_pair);
    let changed = app.import_bytes("test:oracle", None, serde_json::to_vec(&doc).unwrap()).await.unwrap();
    let s = &changed.summary;
    assert_eq!((s.brands.added, s.brands.updated, s.brands.removed), (1, 1, 1));
    assert_eq!((s.endpoints.added, s.endpoints.updated, s.endpoints.removed), (1, 0, 1));
    assert!(directory_version(&app.db).await.unwrap() > version);
    assert_eq!(count_brands(&app).await, 1360, "the other source's brand is untouched");
    assert!(names(&app, "q=Renamed+Clinic").await.contains(&"Renamed Clinic".to_string()));
}

async fn a_broken_source_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_fixture("brands/smart-spec-example2.json").await;
    let version = directory_version(&app.db).await.unwrap();
    let mut truncated = fixture("brands/oracle-millennium-patient-r4.json");
    truncated.truncate(truncated.len() / 2);
    let err = app.import_bytes("test:broken", Some(Format::Brands), truncated).await.unwrap_err();
    match &err {
        ImportError::Unreadable(u) => assert!(u.message.contains("line"), "{}", u.message),
        other => panic!("expected Unreadable, got {other:?}"),
    }
    let err = app
        .import_bytes("test:patient", None, br#"{"resourceType": "Patient", "id": "x"}"#.to_vec())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("expected \"Bundle\""), "{err}");
    let err = app.import_bytes("test:junk", None, b"hello, world".to_vec()).await.unwrap_err();
    assert!(matches!(err, ImportError::UnknownFormat(_)), "{err}");
    assert_eq!(source::Entity::find().count(&app.db).await.unwrap(), 1);
    assert_eq!(count_brands(&app).await, 3);
    assert_eq!(endpoint::Entity::find().count(&app.db).await.unwrap(), 2);
    assert_eq!(directory_version(&app.db).await.unwrap(), version);
}

async fn brands_json_is_a_valid_bundle_with_etag_and_cors(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_fixture("brands/smart-spec-example2.json").await;
    app.import_fixture("brands/oracle-millennium-patient-r4.json").await;
    app.import_fixture("directories/cms-sma-endpoint-directory.csv").await;
    let r = app.client.get(app.url("/brands.json")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "application/fhir+json");
    assert_eq!(h["access-control-allow-origin"], "*");
    let etag = h["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with("W/\""), "{etag}");
    let body = r.bytes().await.unwrap();
    let report = validate_reader(&body[..]);
    assert!(report.fatal.is_none(), "{:?}", report.fatal);
    assert_eq!(
        report.errors,
        0,
        "{:?}",
        report
            .findings
            .iter()
            .filter(|f| f.severity == app::types::validation::Severity::Error)
            .take(5)
            .collect::<Vec<_>>()
    );
    // Oracle's organizations carry no category, and none can be made up: the only warning left.
    let other: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity == app::types::validation::Severity::Warning && f.rule != "org-category")
        .collect();
    assert!(other.is_empty(), "{other:?}");
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert!(doc["timestamp"].is_string() && doc["meta"]["lastUpdated"].is_string());
    // Oracle's endpoints lack a contact: marked unknown, never invented.
    let oracle_ep = doc["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"]["address"].as_str().is_some_and(|a| a.contains("fhir-myrecord.cerner.com")))
        .unwrap();
    assert_eq!(oracle_ep["resource"]["contact"][0]["_value"]["extension"][0]["valueCode"], "asked-unknown");
    assert_eq!(oracle_ep["resource"]["extension"][0]["valueCode"], "4.0.1");

    let r = app.client.get(app.url("/brands.json")).header("If-None-Match", &etag).send().await.unwrap();
    assert_eq!(r.status(), 304);
    assert!(r.bytes().await.unwrap().is_empty());
    app.import_fixture("brands/smart-spec-example1.json").await;
    let r = app.client.get(app.url("/brands.json")).header("If-None-Match", &etag).send().await.unwrap();
    assert_eq!(r.status(), 200, "new data, new ETag");
    assert_ne!(r.headers()["etag"].to_str().unwrap(), etag);
}

async fn source_bundle_and_csv_export(backend: Backend) {
    let app = spawn_app(backend).await;
    let ex = app.import_fixture("brands/smart-spec-example2.json").await;
    app.import_fixture("brands/oracle-millennium-patient-r4.json").await;
    let doc = app.get_json(&format!("/sources/{}/brands.json", ex.summary.source_id)).await;
    let entries = doc["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 5, "3 organizations and 2 endpoints of that source only");
    let r = app.client.get(app.url("/sources/999999/brands.json")).send().await.unwrap();
    assert_eq!(r.status(), 404);

    let r = app.client.get(app.url("/export/endpoints.csv")).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let text = r.text().await.unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "brand_id,brand_name,state,endpoint_id,address,fhir_versions,status,contact_url,source,\
         developer_portal,sandbox_url,self_service,test_patients,turnaround_days,lines_of_business"
    );
    assert_eq!(lines.count(), 1359 + 2);
    assert!(text.contains("https://fhir-myrecord.cerner.com/r4/-KzIoYV6gk-ILcHOWbsH2m9KsSdDgi12"));
}

async fn validation_api_and_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let ok = app.post_json("/api/v1/validate", fixture("brands/smart-spec-example1.json")).await;
    assert_eq!(ok["errors"], 0);
    let bad = app.post_json("/api/v1/validate", r#"{"resourceType":"Bundle","type":"batch"}"#).await;
    assert!(bad["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "bundle-type" && f["pointer"] == "/type"));
    let big = app.client.post(app.url("/api/v1/validate")).body(vec![b' '; 2 * 1024 * 1024]).send().await.unwrap();
    assert_eq!(big.status(), 413);

    // The page's server function, as the browser calls it; the size limit holds there too.
    let call = |bundle: String| {
        app.client
            .post(app.url("/api/validate_bundle"))
            .header("Accept", "application/json")
            .form(&[("bundle", bundle)])
            .send()
    };
    let r = call(String::from_utf8(fixture("brands/smart-spec-example2.json")).unwrap()).await.unwrap();
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        (report["organizations"].as_u64(), report["endpoints"].as_u64(), report["errors"].as_u64()),
        (Some(3), Some(2), Some(0))
    );
    let report: Value = call(" ".repeat(1024 * 1024 + 1)).await.unwrap().json().await.unwrap();
    assert!(report["fatal"].as_str().unwrap().contains("limit"), "{report}");

    let page = app.client.get(app.url("/validate")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Validate a brands bundle"));
}

async fn pages_render_on_the_server(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_fixture("directories/cms-sma-endpoint-directory.csv").await;
    let html = app.client.get(app.url("/?q=alabama")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Alabama Medicaid"), "search results are in the first HTML");
    let id = app.get_json("/api/v1/brands?q=alabama").await["results"][0]["id"].as_i64().unwrap();
    let html = app.client.get(app.url(&format!("/brands/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("https://fhir.alabamaonehealthrecord.com/csp/healthshare/hsod"));
    let r = app.client.get(app.url("/brands/99999999")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = app.client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let health = app.get_json("/healthz").await;
    assert_eq!(health["status"], "ok");
}

async fn api_checks_its_parameters(backend: Backend) {
    let app = spawn_app(backend).await;
    for bad in ["per_page=1000", "page=0", "page=abc"] {
        let r = app.client.get(app.url(&format!("/api/v1/brands?{bad}"))).send().await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("invalid input"), "{body}");
    }
    let r = app.client.get(app.url("/api/v1/brands/12345")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let empty = app.get_json("/api/v1/brands").await;
    assert_eq!(empty["total"], 0);
}

async fn demo_data_seeds_an_empty_database_once(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    assert_eq!(source::Entity::find().count(&app.db).await.unwrap(), 5);
    let n = count_brands(&app).await;
    assert!(n > 1400, "{n}");
    assert_eq!(names(&app, "q=examplelabs").await[0], "ExampleLabs");
    // The search box's own example finds the payer, with its production and sandbox endpoints.
    assert_eq!(names(&app, "q=aetna").await[0], "Aetna");
    let id = app.get_json("/api/v1/brands?q=aetna").await["results"][0]["id"].as_i64().unwrap();
    let aetna = app.get_json(&format!("/api/v1/brands/{id}")).await;
    let endpoints: Vec<String> = aetna["portals"][0]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(endpoints, ["Aetna Patient Access (production)", "Aetna Patient Access (sandbox)"]);
    assert_eq!(aetna["categories"], json!(["ins"]));
    // The demo payers carry their developer-portal facts from the same files.
    let dev = &aetna["developer"];
    assert_eq!(dev["facts"]["developer_portal"], "https://developerportal.aetna.com");
    assert_eq!(dev["facts"]["support_email"], "interoperabilitydevelopersupport@aetna.com");
    assert_eq!(dev["facts"]["sandbox_url"], "https://vteapif1.aetna.com/fhirdemo/v1/patientaccess");
    assert_eq!(dev["facts"]["turnaround_days"], 5, "the default turnaround");
    assert_eq!(dev["facts_origin"], "import");
    assert_eq!(dev["apis"][0]["kind"], "patient-access");
    for payer in ["cigna", "humana", "unitedhealthcare", "blue+button", "anthem"] {
        assert!(!names(&app, &format!("q={payer}")).await.is_empty(), "{payer}");
    }
    assert_eq!(app.get_json("/api/v1/brands?q=aetna&environment=sandbox").await["results"][0]["name"], "Aetna");
    // A second start on the same database does not import again.
    assert!(!signpost::demo::seed_if_empty(&app.db).await.unwrap());
    assert_eq!(count_brands(&app).await, n);
}
