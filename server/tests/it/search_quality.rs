//! Search quality over the demo data (issue 11): queries of every kind an app developer types,
//! each with the brand that must be among the first three, on both databases. The README
//! states the recall measured here.
use crate::helpers::{Backend, spawn_app_with};
use serde_json::Value;

on_both_databases!(ordinary_queries_find_their_brand_in_the_top_three, the_page_marks_matches_relaxes_and_suggests,);

/// (kind, query, a brand that must be in the top three).
const CASES: &[(&str, &str, &str)] = &[
    ("typo", "texs medicaid", "Texas Medicaid"),
    ("typo", "aetan", "Aetna"),
    ("typo", "humnaa", "Humana"),
    ("typo", "cigan", "Cigna"),
    ("typo", "wellmrk blue cross", "Wellmark Blue Cross Blue Shield"),
    ("typo", "excelus", "Excellus BlueCross BlueShield"),
    ("typo", "jupiter medcal center", "Jupiter Medical Center"),
    ("typo", "calfornia medicaid", "California Medicaid"),
    ("typo", "mosaic mentl health", "Mosaic Mental Health"),
    ("typo", "lake regoin healthcare", "Lake Region Healthcare Corporation"),
    ("prefix", "unitedhealthcar", "UnitedHealthcare"),
    ("prefix", "huma", "Humana"),
    ("prefix", "jupiter med", "Jupiter Medical Center"),
    ("prefix", "anthem blue cr", "Anthem Blue Cross Blue Shield"),
    ("url", "https://apif1.aetna.com/fhir/v1/patientaccess", "Aetna"),
    ("url", "apif1.aetna.com/fhir/v1/patientaccess/metadata", "Aetna"),
    ("url", "https://fhir.humana.com/api/Patient/123", "Humana"),
    ("url", "https://cmsinterop.tmhp.com/tmhp/fhir/R4/", "Texas Medicaid"),
    (
        "url",
        "https://fhir-myrecord.cerner.com/r4/6f2341d3-c614-4a71-9cef-bdca1a222d48/metadata",
        "St. Joseph's Regional Medical Center",
    ),
    ("url", "https://public.fhir.flex.optum.com/.well-known/smart-configuration", "UnitedHealthcare"),
    ("url", "api.bluebutton.cms.gov/v2/fhir", "Medicare"),
    ("host", "fhir.humana.com", "Humana"),
    ("host", "humana.com", "Humana"),
    ("host", "bluekc.com", "Blue Cross Blue Shield of Kansas City"),
    ("equiv", "saint josephs regional medical center", "St. Joseph's Regional Medical Center"),
    ("equiv", "st thomas health", "Saint Thomas Health"),
    ("equiv", "blue cross & blue shield of kansas", "Blue Cross and Blue Shield of Kansas"),
    ("equiv", "blue cross and blue shield of arizona", "Blue Cross Blue Shield of Arizona"),
    ("equiv", "united healthcare", "UnitedHealthcare"),
    ("equiv", "bluecross blueshield south carolina", "BlueCross BlueShield of South Carolina"),
    ("equiv", "capital blue cross", "Capital BlueCross"),
    ("equiv", "tricity medical center", "Tri-City Medical Center"),
    ("equiv", "hospital español auxilio mutuo", "Hospital Espanol Auxilio Mutuo de Puerto Rico Inc."),
    ("equiv", "orthopaedic sports medicine green bay", "Orthopedic & Sports Medicine Specialists of Green Bay"),
    ("equiv", "the heart and vascular specialists of south texas", "Heart & Vascular Specialists of South Texas"),
    ("id", "60054", "Aetna"),
    ("id", "87726", "UnitedHealthcare"),
    ("id", "1154735488", "Edgar Sandoval, MD"),
    ("id", "41-0730602", "Lake Region Healthcare Corporation"),
    ("id", "262402365", "Cleveland Family Care"),
    ("alias", "uhc", "UnitedHealthcare"),
    ("alias", "bcbs arizona", "Blue Cross Blue Shield of Arizona"),
    ("alias", "blue button", "Medicare"),
    ("alias", "cvs", "Aetna"),
    ("place", "fergus falls", "Lake Region Healthcare Corporation"),
    ("relaxed", "aetna dental insurance", "Aetna"),
    ("relaxed", "jupiter medical center florida hospital", "Jupiter Medical Center"),
    ("relaxed", "texas medicaid chip program", "Texas Medicaid"),
    ("relaxed", "humana medicare advantage", "Humana"),
    ("equiv", "mount ascutney hospital", "Mt. Ascutney Hospital & Health Center"),
    ("equiv", "mt desert island hospital", "Mount Desert Island Hospital"),
    ("equiv", "dr bob health center", "Dr. Bob Health Centre"),
    ("equiv", "paediatrics drumhill", "DrumHill Pediatrics"),
    ("equiv", "drum hill pediatrics", "DrumHill Pediatrics"),
    ("equiv", "capital region healthcare", "Capital Region Health Care"),
    ("equiv", "beebe health care", "BEEBE HEALTHCARE"),
    ("equiv", "gillette childrens specialty healthcare", "Gillette Children's Specialty Healthcare"),
    ("typo", "gillete children", "Gillette Children's Specialty Healthcare"),
    ("typo", "arkansas blue cross and blue sheild", "Arkansas Blue Cross and Blue Shield"),
    ("prefix", "wellm", "Wellmark Blue Cross Blue Shield"),
    ("host", "ehr.example.com", "ExampleHealth"),
    ("url", "https://ehr.example.com/ProdFHIR/api/FHIR/R4/Patient?name=x", "ExampleHealth"),
    ("place", "alaska medicaid", "Alaska Medicaid"),
    ("place", "medicaid wi", "Wisconsin Medicaid"),
];

async fn ordinary_queries_find_their_brand_in_the_top_three(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let mut misses = Vec::new();
    for (kind, q, want) in CASES {
        let r = app.client.get(app.url("/api/v1/brands")).query(&[("q", *q), ("per_page", "3")]).send().await.unwrap();
        assert_eq!(r.status(), 200, "{q}");
        let body: Value = r.json().await.unwrap();
        let names: Vec<&str> = body["results"].as_array().unwrap().iter().filter_map(|b| b["name"].as_str()).collect();
        if !names.contains(want) {
            misses.push(format!("{kind} {q:?}: wanted {want:?}, got {names:?} (relaxed {})", body["relaxed"]));
        }
    }
    assert!(CASES.len() >= 40);
    assert!(misses.is_empty(), "{} of {} missed:\n{}", misses.len(), CASES.len(), misses.join("\n"));
}

async fn the_page_marks_matches_relaxes_and_suggests(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let page = |q: &'static str| {
        let app = &app;
        async move { app.client.get(app.url("/")).query(&[("q", q)]).send().await.unwrap().text().await.unwrap() }
    };
    // Matched words are marked in the server-rendered page.
    let p = page("texs medicaid").await;
    assert!(p.contains("<mark>Texas</mark> <mark>Medicaid</mark>"), "{p}");
    assert!(p.contains("Did you mean <a href=\"/?q=texas+medicaid\">texas medicaid</a>"), "{p}");
    // A word no brand has is let go, and the page says so.
    let p = page("aetna dental insurance").await;
    assert!(p.contains("No brand matches all of “aetna dental insurance”"), "{p}");
    assert!(p.contains("<strong>“aetna”</strong>"), "{p}");
    assert!(!p.contains("Did you mean"), "no correction that matches nothing: {p}");
    // A pasted endpoint says whose it is.
    let p = page("https://apif1.aetna.com/fhir/v1/patientaccess/metadata").await;
    assert!(p.contains("Brands using the endpoint"), "{p}");
    assert!(p.contains("apif1.aetna.com/fhir/v1/patientaccess</code>"), "{p}");
    // Nothing at all: never a bare dead end.
    let p = page("qqqqxxxx").await;
    assert!(p.contains("No brands match."), "{p}");
    assert!(p.contains("browse every brand"), "{p}");
    // The API reports the same.
    let r = app.get_json("/api/v1/brands?q=aetna+dental+insurance").await;
    assert_eq!(r["relaxed"], serde_json::json!(["dental", "insurance"]));
    assert_eq!(r["kept"], serde_json::json!(["aetna"]));
    assert_eq!(app.get_json("/api/v1/brands?q=texs+medicaid").await["did_you_mean"], "texas medicaid");
    let r = app.get_json("/api/v1/brands?q=apif1.aetna.com/fhir/v1/patientaccess").await;
    assert_eq!(r["address"], serde_json::json!({"kind": "endpoint", "value": "apif1.aetna.com/fhir/v1/patientaccess"}));
    assert_eq!(r["results"][0]["highlight"], Value::Null, "an address marks no words");
}
