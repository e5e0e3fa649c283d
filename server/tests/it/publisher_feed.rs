//! A payer publishes from its own address: a preview first, then "publish and follow"; the
//! hourly refetch sends `If-None-Match` (a `304` changes nothing), publishes a changed bundle,
//! and publishes nothing of a changed bundle that does not pass (the members are mailed once);
//! only the organization's members register, fetch or stop it, by direct request too.
use super::account_rules::admin;
use super::browser::{Browser, mails_to};
use super::claims::{brand_id, organization, setup};
use super::helpers::{Backend, loopback_policy};
use app::server::entities::{brand, publication, publisher_feed};
use app::server::net::client::SafeClient;
use app::server::services::publishing::feed::{REFETCH_SECS, Refetched, refetch_due};
use app::server::services::publishing::publications::bundle_of;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

on_both_databases!(a_payer_publishes_from_its_own_address,);

async fn name_of(app: &super::helpers::TestApp, id: i32) -> String {
    brand::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().name
}

/// The brand's bundle as Signpost publishes it, renamed.
async fn renamed(app: &super::helpers::TestApp, ids: &[i32], good: i32, name: &str) -> serde_json::Value {
    let mut b = bundle_of(&app.db, &app.base, ids, "2026-12-01T00:00:00Z").await.unwrap();
    for e in b["entry"].as_array_mut().unwrap() {
        if e["resource"]["id"] == format!("b{good}") {
            e["resource"]["name"] = name.into();
        }
    }
    b
}

async fn a_payer_publishes_from_its_own_address(backend: Backend) {
    let (app, server, ca) = setup(backend).await;
    let (good, kids, other) = (
        brand_id(&app, "Good Health Plan").await,
        brand_id(&app, "Good Health Kids").await,
        brand_id(&app, "Other Plan").await,
    );
    let mut payer = Browser::new(&app);
    payer.sign_up_and_log_in("pat@payer.example").await;
    let org = organization(&mut payer, "Good Payer", "payer").await;
    let mut dev = Browser::new(&app);
    dev.sign_up_and_log_in("dev@example.org").await;
    let mut boss = admin(&app, "boss@example.org").await;
    let (org_s, good_s) = (org.to_string(), good.to_string());
    assert_eq!(boss.post("/admin/claims", &[("organization", &org_s), ("brand", &good_s)]).await.status, 303);
    let url = server.https_base("publisher/brands.json");
    let feed_form = |intent: &str| format!("/orgs/{org}/publish/feed?intent={intent}");
    server.set_publisher_bundle(Some(renamed(&app, &[good, kids], good, "Good Health Plan Feed").await.to_string()));

    // Refused before anything is fetched: not https, not a member.
    let p = payer.post(&feed_form("preview"), &[("url", &server.http_base("publisher/brands.json"))]).await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("must be https"), "{}", p.body);
    let hits = server.hits();
    assert_eq!(dev.post(&feed_form("publish"), &[("url", &url)]).await.status, 403);
    assert_eq!(server.hits(), hits, "nothing fetched for someone who may not publish");

    // The preview publishes nothing and follows nothing.
    let p = payer.post(&feed_form("preview"), &[("url", &url)]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("What publishing would do") && p.body.contains("Good Health Plan Feed"));
    assert_eq!(name_of(&app, good).await, "Good Health Plan");
    assert!(publisher_feed::Entity::find().all(&app.db).await.unwrap().is_empty());

    // Publish and follow: version 1, from the feed.
    let p = payer.post(&feed_form("publish"), &[("url", &url)]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Published as version 1"), "{}", p.body);
    assert_eq!(name_of(&app, good).await, "Good Health Plan Feed");
    let row = publisher_feed::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert!(row.etag.is_some(), "the ETag kept for If-None-Match");
    let kinds: Vec<String> = publication::Entity::find()
        .filter(publication::Column::OrganizationId.eq(org))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.kind)
        .collect();
    assert_eq!(kinds, ["feed"]);

    // An hour on, unchanged: a 304.
    let client = SafeClient::new(loopback_policy(&ca)).unwrap();
    let t = chrono::Utc::now().timestamp() + REFETCH_SECS + 1;
    assert!(refetch_due(&app.db, &client, &app.base, t - 2 * REFETCH_SECS).await.unwrap().is_empty(), "not due yet");
    assert_eq!(refetch_due(&app.db, &client, &app.base, t).await.unwrap(), [(org, Refetched::NotModified)]);

    // Changed: published as version 2.
    server.set_publisher_bundle(Some(renamed(&app, &[good, kids], good, "Good Health Plan Feed 2").await.to_string()));
    let t = t + REFETCH_SECS + 1;
    assert_eq!(
        refetch_due(&app.db, &client, &app.base, t).await.unwrap(),
        [(org, Refetched::Published { version: 2 })]
    );
    assert_eq!(name_of(&app, good).await, "Good Health Plan Feed 2");

    // Changed to take another payer's brand: nothing published, the members told once.
    let mut stray = renamed(&app, &[good, kids], good, "Good Health Plan Feed 3").await;
    stray["entry"].as_array_mut().unwrap().push(serde_json::json!({"fullUrl": "https://payer.example/Organization/x",
        "resource": {"resourceType": "Organization", "id": format!("b{other}"), "active": true, "name": "Hijacked",
        "telecom": [{"system": "url", "value": "https://www.other.example"}]}}));
    server.set_publisher_bundle(Some(stray.to_string()));
    let t = t + REFETCH_SECS + 1;
    let done = refetch_due(&app.db, &client, &app.base, t).await.unwrap();
    assert!(
        matches!(&done[..], [(o, Refetched::Blocked(why))] if *o == org && why.contains("1 brands refused")),
        "{done:?}"
    );
    assert_eq!(
        (name_of(&app, good).await, name_of(&app, other).await),
        ("Good Health Plan Feed 2".into(), "Other Plan".into())
    );
    let t = t + REFETCH_SECS + 1;
    assert_eq!(refetch_due(&app.db, &client, &app.base, t).await.unwrap(), [(org, Refetched::NotModified)]);
    let told: Vec<_> =
        mails_to(&app, "pat@payer.example").await.into_iter().filter(|(s, _)| s.contains("did not publish")).collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].1.contains(&url));

    // The page says what happened; "Fetch now" tries again; only members stop it.
    let page = payer.get(&format!("/orgs/{org}")).await;
    assert!(page.body.contains("Following") && page.body.contains("unchanged (304)"), "{}", page.body);
    server.set_publisher_bundle(Some(renamed(&app, &[good, kids], good, "Good Health Plan Feed 4").await.to_string()));
    let p = payer.post(&feed_form("refetch"), &[]).await;
    assert!(p.body.contains("published as version 3"), "{}", p.body);
    assert_eq!(dev.post(&feed_form("stop"), &[]).await.status, 403);
    assert_eq!(payer.post(&feed_form("stop"), &[]).await.status, 200);
    assert!(publisher_feed::Entity::find().all(&app.db).await.unwrap().is_empty());
    assert_eq!(name_of(&app, good).await, "Good Health Plan Feed 4", "what it published stays");
}
