//! Hostile data and the promises the README makes about storage (issue 10).
use crate::helpers::{Backend, TestApp, spawn_app};
use app::server::entities::brand;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set, Statement};
use serde_json::{Value, json};

on_both_databases!(
    links_from_data_are_only_ever_http_or_https,
    every_way_into_search_has_the_same_limits,
    validation_is_capped_and_rate_limited,
    pages_and_published_data_answer_as_http_says,
    removing_a_source_takes_what_only_it_provided,
    feeds_follow_a_shorter_interval_and_discovered_ones_wait,
    an_empty_directory_publishes_a_bundle_its_validator_accepts,
    garbage_sent_to_a_server_function_is_a_bad_request,
    json_nested_past_the_limit_is_refused_not_followed,
    headers_past_the_limits_are_refused,
);

/// A brands bundle whose links are scripts in every place a link can be.
fn hostile_bundle() -> Value {
    let js = "javascript:alert(document.cookie)";
    let html = "data:text/html,<script>alert(1)</script>";
    let vbs = "vbscript:msgbox(1)";
    json!({
        "resourceType": "Bundle", "type": "collection", "timestamp": "2026-11-30T00:00:00Z",
        "entry": [
            {"fullUrl": "https://x.example/Organization/evil", "resource": {
                "resourceType": "Organization", "id": "evil", "name": "Evil Health Plan", "active": true,
                "type": [{"coding": [{"code": "ins"}]}],
                "telecom": [{"system": "url", "value": js}],
                "extension": [
                    {"url": "http://hl7.org/fhir/StructureDefinition/organization-brand", "extension": [
                        {"url": "brandLogo", "valueUrl": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="},
                        {"url": "brandLogoLicense", "valueUrl": vbs}
                    ]},
                    {"url": "http://hl7.org/fhir/StructureDefinition/organization-portal", "extension": [
                        {"url": "portalName", "valueString": "Evil portal"},
                        {"url": "portalUrl", "valueUrl": html},
                        {"url": "portalLogo", "valueUrl": js},
                        {"url": "portalEndpoint", "valueReference": {"reference": "Endpoint/evil-r4"}}
                    ]}
                ],
                "endpoint": [{"reference": "Endpoint/evil-r4"}]
            }},
            {"fullUrl": "https://x.example/Endpoint/evil-r4", "resource": {
                "resourceType": "Endpoint", "id": "evil-r4", "status": "active", "name": "Evil R4",
                "connectionType": {"system": "http://terminology.hl7.org/CodeSystem/endpoint-connection-type", "code": "hl7-fhir-rest"},
                "address": "https://fhir.evil.example/r4",
                "contact": [{"system": "url", "value": "JaVaScRiPt:alert(2)"}]
            }}
        ]
    })
}

fn assert_no_script_links(what: &str, body: &str) {
    let lower = body.to_ascii_lowercase();
    for bad in ["javascript:", "vbscript:", "data:text/html"] {
        assert!(!lower.contains(bad), "{what} contains {bad}:\n{}", &body[..body.len().min(4000)]);
    }
}

async fn text(app: &TestApp, path: &str) -> String {
    let r = app.client.get(app.url(path)).send().await.unwrap();
    assert!(r.status().is_success(), "GET {path}: {}", r.status());
    r.text().await.unwrap()
}

async fn links_from_data_are_only_ever_http_or_https(backend: Backend) {
    let app = spawn_app(backend).await;
    let outcome =
        app.import_bytes("test:hostile", None, serde_json::to_vec(&hostile_bundle()).unwrap()).await.expect("imports");
    let unsafe_links: Vec<_> = outcome.summary.findings.iter().filter(|f| f.rule == "unsafe-link").collect();
    let pointers: Vec<&str> = unsafe_links.iter().map(|f| f.pointer.as_str()).collect();
    for p in [
        "/entry/0/resource/telecom/0/value",
        "/entry/0/resource/extension/0/extension/0",
        "/entry/0/resource/extension/0/extension/1",
        "/entry/0/resource/extension/1/extension/1",
        "/entry/0/resource/extension/1/extension/2",
        "/entry/1/resource/contact/0/value",
    ] {
        assert!(pointers.contains(&p), "no unsafe-link finding at {p}: {pointers:?}");
    }
    assert_eq!(outcome.summary.brands.added, 1, "the rest of the brand is kept");

    let row = brand::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!((row.website.as_deref(), row.logo_url.as_deref(), row.logo_license.as_deref()), (None, None, None));
    let id = row.id;
    let pages = [
        format!("/brands/{id}"),
        format!("/api/v1/brands/{id}"),
        "/?q=evil".to_string(),
        "/api/v1/brands?q=evil".to_string(),
        "/brands.json".to_string(),
        "/export/endpoints.csv".to_string(),
    ];
    for p in &pages {
        assert_no_script_links(p, &text(&app, p).await);
    }
    assert!(text(&app, &format!("/brands/{id}")).await.contains("Evil portal"));

    // A row written before the check (or by hand) is filtered when it is read.
    let mut old: brand::ActiveModel = row.into();
    old.website = Set(Some("javascript:alert(3)".into()));
    old.logo_url = Set(Some("data:text/html,<b>x</b>".into()));
    old.logo_license = Set(Some("vbscript:x".into()));
    old.update(&app.db).await.unwrap();
    for p in &pages[..2] {
        assert_no_script_links(p, &text(&app, p).await);
    }
    let r = app.client.get(app.url("/brands.json")).header("Cache-Control", "no-cache").send().await.unwrap();
    assert_no_script_links("/brands.json after a bad row", &r.text().await.unwrap());

    // A safe website is still a link.
    let mut good: brand::ActiveModel = brand::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().into();
    good.website = Set(Some("https://evil.example/plans".into()));
    good.update(&app.db).await.unwrap();
    assert!(text(&app, &format!("/brands/{id}")).await.contains("href=\"https://evil.example/plans\""));
}

async fn pragma(app: &TestApp, name: &str) -> String {
    let row = app
        .db
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, format!("PRAGMA {name}")))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("PRAGMA {name} answered nothing"));
    row.try_get_by_index::<String>(0)
        .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
        .unwrap_or_else(|e| panic!("PRAGMA {name}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_runs_in_wal_with_full_sync_foreign_keys_and_a_busy_timeout() {
    let app = spawn_app(Backend::Sqlite).await;
    // Several rounds, so more than one of the pool's connections answers.
    for _ in 0..6 {
        assert_eq!(pragma(&app, "journal_mode").await, "wal");
        assert_eq!(pragma(&app, "synchronous").await, "2", "2 is FULL");
        assert_eq!(pragma(&app, "foreign_keys").await, "1");
        assert_eq!(pragma(&app, "busy_timeout").await, signpost::startup::SQLITE_BUSY_TIMEOUT.as_millis().to_string());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_url_without_mode_creates_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.db");
    let db = signpost::startup::connect(&format!("sqlite://{}", path.display())).await.expect("connects");
    db.execute_unprepared("SELECT 1").await.unwrap();
    assert!(path.exists());
}

async fn every_way_into_search_has_the_same_limits(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_fixture("brands/smart-spec-example2.json").await;
    // 12 words: within the length limit, two past the limit on words. They are not searched
    // for, and every way in says so.
    let many: Vec<String> = (0..12).map(|i| format!("w{i}")).collect();
    let many = many.join(" ");
    // The JSON API.
    let r = app.get_json(&format!("/api/v1/brands?q={}", many.replace(' ', "+"))).await;
    assert_eq!(r["total"], 0);
    let relaxed: Vec<&str> = r["relaxed"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    assert!(relaxed.ends_with(&["w10", "w11"]), "{relaxed:?}");
    let r = app.client.get(app.url("/api/v1/brands?page=4294967295")).send().await.unwrap();
    assert_eq!(r.status(), 400, "page beyond u32 bounds is refused, not overflowed");
    // The page.
    let r = app.client.get(app.url("/")).query(&[("q", many.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // The words past the limit, ignored, with a way on: the page suggests what to try.
    let long_name = "examplehealth w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11";
    let page = app.client.get(app.url("/")).query(&[("q", long_name)]).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("No brand matches all of"), "{page}");
    assert!(page.contains("ExampleHealth"), "{page}");
    let long = "a".repeat(5000);
    let r = app.client.get(app.url("/")).query(&[("q", long.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 400);
    // The server function called directly, as an attacker would.
    let ok =
        app.client.post(app.url("/api/search_brands")).form(&[("query[q]", "examplehealth")]).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.text().await.unwrap().contains("ExampleHealth"));
    let long = "a".repeat(201);
    let r = app.client.post(app.url("/api/search_brands")).form(&[("query[q]", long.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("characters"));
    // Within the limits, search still answers.
    assert_eq!(app.get_json("/api/v1/brands?q=examplehealth").await["results"][0]["name"], "ExampleHealth");
}

async fn validation_is_capped_and_rate_limited(backend: Backend) {
    let app = spawn_app(backend).await;
    // 200,000 bytes of `0,` entries: every one an error, but the report stays small.
    let entries = vec!["0"; 100_000].join(",");
    let doc = format!(
        r#"{{"resourceType":"Bundle","type":"collection","timestamp":"2026-01-01T00:00:00Z","entry":[{entries}]}}"#
    );
    let r = app.client.post(app.url("/api/v1/validate")).body(doc.clone()).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(body.len() < 100_000, "report of {} bytes", body.len());
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["errors"], 100_000);
    assert_eq!(report["findings"].as_array().unwrap().last().unwrap()["rule"], "findings-truncated");
    // A burst, then the limit: the API and the page share it.
    let burst = signpost::startup::VALIDATE_BURST as usize;
    let mut statuses = Vec::new();
    for _ in 0..burst {
        statuses.push(app.client.post(app.url("/api/v1/validate")).body("{}").send().await.unwrap().status().as_u16());
    }
    let mut expected = vec![200; burst - 1];
    expected.push(429);
    assert_eq!(statuses, expected, "the first request used one of {burst}");
    let r = app.client.post(app.url("/api/v1/validate")).body("{}").send().await.unwrap();
    assert!(r.headers().contains_key("retry-after"));
    let page = app.client.post(app.url("/validate")).form(&[("bundle", "{}")]).send().await.unwrap();
    assert_eq!(page.status(), 429);
    assert!(page.headers().contains_key("retry-after"));
    assert!(page.text().await.unwrap().contains("Too many validations"));
}

async fn pages_and_published_data_answer_as_http_says(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_fixture("brands/smart-spec-example2.json").await;
    // Weak comparison: the strong form of the tag matches too.
    let r = app.client.get(app.url("/brands.json")).send().await.unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let bundle: Value = r.json().await.unwrap();
    let strong = etag.trim_start_matches("W/").to_string();
    let r = app.client.get(app.url("/brands.json")).header("If-None-Match", &strong).send().await.unwrap();
    assert_eq!(r.status(), 304, "{strong}");
    // The CORS preflight of a browser app that sends If-None-Match.
    let r = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/brands.json"))
        .header("Origin", "https://app.example")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "if-none-match")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert!(r.headers()["access-control-allow-headers"].to_str().unwrap().contains("If-None-Match"));
    // Every fullUrl in the published bundle resolves to its resource.
    for entry in bundle["entry"].as_array().unwrap() {
        let full = entry["fullUrl"].as_str().unwrap();
        let path = full.strip_prefix("https://signpost.test").expect("fullUrls are on the public address");
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], "application/fhir+json");
        let read: Value = r.json().await.unwrap();
        assert_eq!(read, entry["resource"], "{path}");
    }
    assert_eq!(app.client.get(app.url("/fhir/Endpoint/e999999")).send().await.unwrap().status(), 404);
    assert_eq!(app.client.get(app.url("/fhir/Patient/1")).send().await.unwrap().status(), 404);
    // Ids that are not numbers are not found, with the status to say so.
    for path in ["/brands/abc", "/endpoints/abc", "/brands/999999"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    // Headers on pages and data alike.
    for path in ["/", "/brands.json", "/api/v1/brands"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        let script = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
        assert!(!script.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
        assert!(h["strict-transport-security"].to_str().unwrap().contains("max-age="), "the public URL is https");
    }
    // Every script on a page carries the nonce of its policy.
    let r = app.client.get(app.url("/")).send().await.unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string();
    let html = r.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "{html}");
    // The Validate page states the limit the server enforces (1 MB in the tests).
    let page = app.client.get(app.url("/validate")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Up to 1 MB here"), "{page}");
    assert!(page.contains("action=\"/validate\"") && page.contains("name=\"file\""));
    // The form posted without JavaScript: the page comes back with the report.
    let bundle_text = String::from_utf8(crate::helpers::fixture("brands/smart-spec-example2.json")).unwrap();
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::text(bundle_text).file_name("brands.json"))
        .text("bundle", "");
    let r = app.client.post(app.url("/validate")).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("organizations, ") && page.contains("report"), "{page}");
}

async fn removing_a_source_takes_what_only_it_provided(backend: Backend) {
    use app::server::entities::{endpoint, source};
    use app::server::services::sources;
    use sea_orm::PaginatorTrait;
    let app = spawn_app(backend).await;
    let keep = app.import_fixture("brands/smart-spec-example1.json").await.summary.source_id;
    let gone = app.import_fixture("brands/smart-spec-example2.json").await.summary.source_id;
    let before = app::server::services::brands::directory_version(&app.db).await.unwrap();
    let kept_brands = brand::Entity::find().filter(brand::Column::SourceId.eq(keep)).count(&app.db).await.unwrap();
    let removed = sources::remove(&app.db, gone).await.unwrap().expect("the source exists");
    assert_eq!((removed.brands, removed.endpoints), (3, 2));
    assert!(source::Entity::find_by_id(gone).one(&app.db).await.unwrap().is_none());
    assert_eq!(brand::Entity::find().count(&app.db).await.unwrap(), kept_brands);
    assert_eq!(endpoint::Entity::find().filter(endpoint::Column::SourceId.eq(gone)).count(&app.db).await.unwrap(), 0);
    assert!(app::server::services::brands::directory_version(&app.db).await.unwrap() > before);
    assert!(app.get_json("/api/v1/brands?q=ExampleHealth").await["results"].as_array().unwrap().is_empty());
    assert_eq!(sources::remove(&app.db, gone).await.unwrap(), None);
    assert_eq!(sources::list(&app.db).await.unwrap().len(), 1);
}

async fn feeds_follow_a_shorter_interval_and_discovered_ones_wait(backend: Backend) {
    use app::server::entities::bundle_feed::{self, FeedState};
    use app::server::services::feeds;
    let app = spawn_app(backend).await;
    let t = 1_800_000_000;
    feeds::imported(&app.db, "https://payer.example/brands.json", None, t, 6 * 3600).await.unwrap();
    feeds::discovered(&app.db, "https://other.example/brands.json", t).await.unwrap();
    // The interval drops to 30 minutes: the approved feed is due 30 minutes after its fetch.
    feeds::follow_interval(&app.db, 1800).await.unwrap();
    let all = feeds::list(&app.db).await.unwrap();
    let approved = all.iter().find(|f| f.state == FeedState::Approved).unwrap();
    assert_eq!(approved.next_fetch_at, t + 1800);
    let waiting = all.iter().find(|f| f.state == FeedState::Discovered).unwrap();
    // Approving makes it due now; an import by hand of a discovered URL approves it too.
    assert!(feeds::approve(&app.db, waiting.id, t).await.unwrap());
    let now = bundle_feed::Entity::find_by_id(waiting.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!((now.state, now.next_fetch_at), (FeedState::Approved, t));
    assert!(feeds::remove(&app.db, waiting.id).await.unwrap());
    assert!(!feeds::approve(&app.db, waiting.id, t).await.unwrap());
}

async fn an_empty_directory_publishes_a_bundle_its_validator_accepts(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = app.client.get(app.url("/brands.json")).send().await.unwrap().bytes().await.unwrap();
    let report = app::server::validate::validate_reader(&body[..]);
    assert_eq!(report.errors, 0, "{:?}", report.findings);
    assert!(report.findings.iter().any(|f| f.rule == "bundle-empty"), "said as a warning");
}

/// A server function's arguments that cannot be read are the sender's fault: 400 with the
/// error, not the framework's 500.
async fn garbage_sent_to_a_server_function_is_a_bad_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let form = "application/x-www-form-urlencoded";
    let bodies: [(&str, &[u8]); 5] = [
        ("empty", b""),
        ("not a form", b"\xff\xfe%%%&&=="),
        ("wrong type", b"id=not-a-number"),
        ("a field too many", b"id=1&id=2"),
        ("json to a form function", b"{\"id\": [[[[[[1]]]]]]}"),
    ];
    for (what, body) in bodies {
        let r = app
            .client
            .post(app.url("/api/public_app"))
            .header("content-type", form)
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{what}");
        let error: app::error::AppError = r.json().await.expect("the error, encoded");
        assert!(matches!(error, app::error::AppError::BadRequest(_)), "{what}: {error:?}");
    }
    // A well-formed call still reaches the function: an app that is not there.
    let r =
        app.client.post(app.url("/api/public_app")).header("content-type", form).body("id=999").send().await.unwrap();
    assert_eq!(r.status(), 404);
}

/// JSON is read with serde_json's depth limit (128): a document nested far deeper is refused
/// with a clear error by the validator and by imports, instead of exhausting the stack.
async fn json_nested_past_the_limit_is_refused_not_followed(backend: Backend) {
    let app = spawn_app(backend).await;
    let deep = |n: usize| {
        format!(r#"{{"resourceType":"Bundle","type":"collection","entry":{}1{}}}"#, "[".repeat(n), "]".repeat(n))
    };
    let r = app.client.post(app.url("/api/v1/validate")).body(deep(100_000)).send().await.unwrap();
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    assert!(status == 200 || status == 400, "{status}: {body}");
    assert!(body.contains("recursion limit"), "{body}");
    let imported = app.import_bytes("upload:deep.json", None, deep(100_000).into_bytes()).await;
    let error = imported.expect_err("a document nested 100,000 deep is not imported").to_string();
    assert!(error.contains("recursion limit"), "{error}");
    assert_eq!(brand::Entity::find().all(&app.db).await.unwrap().len(), 0, "nothing of it is kept");
    // Within the limit, the same shape is just a bundle with odd entries.
    let r = app.client.post(app.url("/api/v1/validate")).body(deep(100)).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

/// The HTTP server's own limits on headers (hyper's: 100 headers, about 400 KB of them) answer
/// 431 and leave the server serving.
async fn headers_past_the_limits_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut many = reqwest::header::HeaderMap::new();
    for i in 0..150 {
        let name = reqwest::header::HeaderName::from_bytes(format!("x-filler-{i}").as_bytes()).unwrap();
        many.insert(name, reqwest::header::HeaderValue::from_static("1"));
    }
    let r = app.client.get(app.url("/healthz")).headers(many).send().await.unwrap();
    assert_eq!(r.status(), 431, "150 headers");
    let huge = "a".repeat(600 * 1024);
    let r = app.client.get(app.url("/healthz")).header("x-filler", huge).send().await;
    match r {
        Ok(r) => assert_eq!(r.status(), 431, "a header of 600 KB"),
        // The server may close the connection before the client has sent it all.
        Err(e) => assert!(e.is_request() || e.is_connect() || e.is_body(), "{e:?}"),
    }
    let r = app.client.get(app.url("/healthz")).header("x-filler", "a".repeat(8 * 1024)).send().await.unwrap();
    assert_eq!(r.status(), 200, "ordinary headers are fine");
}
