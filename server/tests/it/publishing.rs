//! A payer publishes: its own edits apply at once and publish a version; an uploaded bundle is
//! previewed (findings, per-brand changes, refusals) and published atomically or not at all;
//! new brands only at its verified domains; rollback; `/publishers/{slug}/brands.json` with the
//! same HTTP semantics as `/brands.json`; nobody else can publish or roll back.
use super::account_rules::admin;
use super::browser::Browser;
use super::claims::{brand_id, organization, setup};
use super::helpers::Backend;
use app::server::entities::{audit_log, brand, brand_claim, publication};
use app::server::services::moderation::drafts;
use app::server::services::publishing::claims::maintainer;
use app::server::services::publishing::publications::slug;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

on_both_databases!(a_payer_publishes_previews_and_rolls_back, logos_are_checked_reencoded_and_cached,);

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
        "which this organization does not maintain",
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

    // The brand published at the verified domain holds under the claim on the domain: when an
    // admin revokes that claim, the organization maintains neither.
    let root = brand_claim::Entity::find()
        .filter(brand_claim::Column::BrandId.eq(good))
        .filter(brand_claim::Column::OrganizationId.eq(org))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let derived = brand_claim::Entity::find()
        .filter(brand_claim::Column::BrandId.eq(dental_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(derived.derived_from, Some(root.id));
    let p = boss.post(&format!("/admin/claims/{}/transfer", derived.id), &[("organization", &org_s)]).await;
    assert_eq!(p.status, 409, "it moves only with the domain's claim");
    assert_eq!(boss.post(&format!("/admin/claims/{}/revoke", root.id), &[]).await.status, 303);
    assert!(maintainer(&app.db, good).await.unwrap().is_none());
    assert!(maintainer(&app.db, dental_id).await.unwrap().is_none(), "the derived claim ended with it");
    let p = post(&mut payer, org, "publish", upload.to_string()).await;
    assert_eq!(p.status, 400, "its brands are no longer its to publish");
    assert!(p.body.contains("which this organization does not maintain"), "{}", p.body);
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A grayscale PNG of `w`×`h` pixels whose IDAT holds `rows` rows of real data, in stored
/// (uncompressed) deflate blocks: a real image when `rows == h`, a decompression bomb's header
/// when the size it declares is huge.
pub(super) fn png(w: u32, h: u32, rows: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..rows {
        raw.push(0u8);
        raw.extend((0..w).map(|x| ((x * 7 + y * 3) % 256) as u8));
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        z.extend_from_slice(&(block.len() as u16).to_le_bytes());
        z.extend_from_slice(&(!(block.len() as u16)).to_le_bytes());
        z.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for x in &raw {
        a = (a + u32::from(*x)) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"tEXt", b"Comment\0kept out of the stored file"));
    out.extend(chunk(b"IDAT", &z));
    out.extend(chunk(b"IEND", &[]));
    out
}

async fn logos_are_checked_reencoded_and_cached(backend: Backend) {
    let (app, _server, _ca) = setup(backend).await;
    let mut payer = Browser::new(&app);
    payer.sign_up_and_log_in("pat@payer.example").await;
    let org = organization(&mut payer, "Good Payer", "payer").await;
    let mut dev = Browser::new(&app);
    dev.sign_up_and_log_in("dev@example.org").await;
    let devs = organization(&mut dev, "Dev Shop", "developer").await;
    let form = |bytes: Vec<u8>, name: &str| {
        reqwest::multipart::Form::new().part("logo", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()))
    };
    let path = format!("/orgs/{org}/logos");

    // Refused: by someone outside the organization, a text file named .png, an SVG, a file over
    // 1 MB, and a PNG whose header declares 60,000² pixels. A developer organization's members
    // upload logos for their apps, and nobody else does for them.
    assert_eq!(dev.post_multipart(&path, form(png(32, 32, 32), "a.png")).await.status, 403);
    let p = dev.post_multipart(&format!("/orgs/{devs}/logos"), form(png(32, 32, 32), "a.png")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("/logos/"), "{}", p.body);
    assert_eq!(payer.post_multipart(&format!("/orgs/{devs}/logos"), form(png(32, 32, 32), "a.png")).await.status, 403);
    let p = payer.post_multipart(&path, form(b"this is not a picture".to_vec(), "logo.png")).await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("this is not an image"), "{}", p.body);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
    let p = payer.post_multipart(&path, form(svg, "logo.svg")).await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("SVG logos are not accepted"));
    assert_eq!(payer.post_multipart(&path, form(vec![0u8; 1024 * 1024 + 1], "big.png")).await.status, 413);
    let bomb = png(60_000, 60_000, 1);
    assert!(bomb.len() < 200_000, "a small file");
    let p = payer.post_multipart(&path, form(bomb, "bomb.png")).await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("could not be read"), "{}", p.body);
    let tiny = payer.post_multipart(&path, form(png(4, 4, 4), "tiny.png")).await;
    assert_eq!(tiny.status, 400, "too small to show");
    let stored = app::server::entities::logo::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(stored.iter().map(|l| l.organization_id).collect::<Vec<_>>(), [Some(devs)], "only the developer's");

    // Accepted: re-encoded (its text chunk gone), under a hashed name, cached for a year.
    let original = png(600, 300, 300);
    let p = payer.post_multipart(&path, form(original.clone(), "../../etc/passwd.png")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let at = p.body.find("/logos/").expect("the address");
    let name: String = p.body[at + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
    assert_eq!(name.len(), 36, "{name}");
    let r = app.client.get(app.url(&format!("/logos/{name}"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let stored = r.bytes().await.unwrap();
    assert_ne!(stored.as_ref(), original.as_slice());
    assert!(!stored.windows(7).any(|w| w == b"Comment"), "nothing but pixels survives");
    // 512 pixels a side at most: the IHDR width and height.
    assert_eq!(u32::from_be_bytes([stored[16], stored[17], stored[18], stored[19]]), 512);
    assert_eq!(u32::from_be_bytes([stored[20], stored[21], stored[22], stored[23]]), 256);
    for bad in ["nope.png", "../logo.png", &format!("{}.svg", &name[..32])] {
        assert_eq!(app.client.get(app.url(&format!("/logos/{bad}"))).send().await.unwrap().status(), 404, "{bad}");
    }
}
