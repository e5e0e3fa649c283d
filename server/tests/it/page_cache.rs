//! The search page kept for visitors who are not signed in: each answer still has its own CSP
//! nonce, a weak ETag lets a browser revalidate (304, without a policy of its own), an import
//! shows at once, and a signed-in visitor's page is never kept or shown to others.
use crate::account_rules::admin;
use crate::helpers::{Backend, TestApp, spawn_app_with};
use serde_json::json;

on_both_databases!(the_search_page_is_kept_with_a_fresh_nonce_for_each_answer,);

fn nonce_of(csp: &str) -> String {
    csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).unwrap_or("").to_string()
}

async fn get(app: &TestApp, path: &str, etag: Option<&str>) -> (u16, reqwest::header::HeaderMap, String) {
    let mut r = app.client.get(app.url(path));
    if let Some(e) = etag {
        r = r.header("if-none-match", e);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.headers().clone(), r.text().await.unwrap())
}

fn bundle(name: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "resourceType": "Bundle", "type": "collection", "timestamp": "2026-12-01T00:00:00Z",
        "entry": [{"fullUrl": "https://x.example/Organization/z", "resource": {
            "resourceType": "Organization", "id": "z", "name": name, "active": true,
            "telecom": [{"system": "url", "value": "https://zebra.example"}]}}]
    }))
    .unwrap()
}

async fn the_search_page_is_kept_with_a_fresh_nonce_for_each_answer(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let (s1, h1, b1) = get(&app, "/?q=aetna", None).await;
    let (s2, h2, b2) = get(&app, "/?q=aetna", None).await;
    assert_eq!((s1, s2), (200, 200));
    let (n1, n2) = (
        nonce_of(h1["content-security-policy"].to_str().unwrap()),
        nonce_of(h2["content-security-policy"].to_str().unwrap()),
    );
    assert!(n1.len() == 32 && n2.len() == 32 && n1 != n2, "{n1} {n2}");
    assert!(b1.contains(&format!("nonce=\"{n1}\"")) && !b1.contains(&n2));
    assert!(b2.contains(&format!("nonce=\"{n2}\"")) && !b2.contains(&n1), "the kept page carries this answer's nonce");
    assert_eq!(b1.replace(&n1, "N"), b2.replace(&n2, "N"), "the same page");
    assert_eq!(h1["etag"], h2["etag"]);
    assert_eq!(h2["cache-control"], "no-cache");
    assert!(b2.contains("Aetna"));
    // Revalidation: 304, and no policy of its own (the stored page keeps the one matching it).
    let etag = h2["etag"].to_str().unwrap().to_string();
    let (s3, h3, b3) = get(&app, "/?q=aetna", Some(&etag)).await;
    assert_eq!(s3, 304);
    assert!(b3.is_empty() && h3.get("content-security-policy").is_none(), "{h3:?}");

    // An import changes what a kept address shows as soon as the index has it.
    let (_, _, before) = get(&app, "/?q=zebrafish", None).await;
    assert!(!before.contains("Zebrafish Health Plan"));
    app.import_bytes("test:zebra", None, bundle("Zebrafish Health Plan")).await.unwrap();
    assert_eq!(app.get_json("/api/v1/brands?q=zebrafish").await["results"][0]["name"], "Zebrafish Health Plan");
    let (_, _, after) = get(&app, "/?q=zebrafish", None).await;
    assert!(after.contains("Zebrafish Health Plan"), "the new brand is on the page at once");
    // The tag is of the page's content: a page the import did not change still revalidates.
    assert_eq!(get(&app, "/?q=aetna", Some(&etag)).await.0, 304);

    // A signed-in visitor's page is theirs: never kept, never shown to anyone else.
    let mut boss = admin(&app, "boss@example.org").await;
    let mine = boss.get("/?q=aetna").await;
    assert!(mine.body.contains("boss@example.org"), "the signed-in header");
    let (_, _, theirs) = get(&app, "/?q=aetna", None).await;
    assert!(!theirs.contains("boss@example.org"));
}
