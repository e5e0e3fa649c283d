//! Payers claim brands, by HTTP as a browser without JavaScript would: a well-known file on a
//! loopback TLS server (allowed only by the test's fetch policy), a mailed link; a claim on a
//! brand another organization maintains refused; re-verification on schedule (flagged, then
//! lapsed; a new link for a mail claim); the maintainer on the brand page and its children;
//! payer members moderating the brands they maintain, and nothing else; admins granting,
//! transferring and revoking, each in the audit log.
use super::account_rules::admin;
use super::browser::{Browser, last_mail, link_token, mails_to};
use super::helpers::{Backend, TestApp, fake, loopback_policy, spawn_app_fetching};
use app::server::entities::{audit_log, brand, brand_claim};
use app::server::import::Format;
use app::server::net::client::SafeClient;
use app::server::services::moderation::drafts;
use app::server::services::publishing::checks;
use app::types::claims::{ClaimMethod, ClaimState};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use signpost::fake_fhir::{CertKind, FakeServer, TestCa};
use std::time::Duration;

on_both_databases!(claims_by_file_and_by_mail_and_their_rechecks, maintainers_moderate_and_admins_manage_claims,);

/// Three payers: one at the fake server's address with a child brand there, one at
/// `other.example`, one without a website.
fn bundle(server: &FakeServer) -> Vec<u8> {
    let org = |id: &str, name: &str, site: Option<String>, part_of: Option<&str>| {
        let mut r = serde_json::json!({"resourceType": "Organization", "id": id, "active": true, "name": name,
            "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "ins"}]}],
            "address": [{"city": "Madison", "state": "WI"}],
            "endpoint": [{"reference": format!("Endpoint/{id}-ep")}]});
        if let Some(s) = site {
            r["telecom"] = serde_json::json!([{"system": "url", "value": s}]);
        }
        if let Some(p) = part_of {
            r["partOf"] = serde_json::json!({"reference": format!("Organization/{p}")});
        }
        serde_json::json!({"fullUrl": format!("https://plans.example/Organization/{id}"), "resource": r})
    };
    let ep = |id: &str| {
        serde_json::json!({"fullUrl": format!("https://plans.example/Endpoint/{id}-ep"), "resource": {
            "resourceType": "Endpoint", "id": format!("{id}-ep"), "status": "active",
            "address": format!("https://fhir.{id}.example/r4"),
            "connectionType": {"system": "http://terminology.hl7.org/CodeSystem/endpoint-connection-type", "code": "hl7-fhir-rest"},
            "payloadType": [{"coding": [{"code": "none"}]}]}})
    };
    serde_json::to_vec(&serde_json::json!({
        "resourceType": "Bundle", "type": "collection", "timestamp": "2026-11-01T00:00:00Z",
        "entry": [
            org("good", "Good Health Plan", Some(server.https_base("")), None), ep("good"),
            org("goodkids", "Good Health Kids", Some(server.https_base("kids")), Some("good")), ep("goodkids"),
            org("other", "Other Plan", Some("https://www.other.example".into()), None), ep("other"),
            org("bare", "Bare Plan", None, None), ep("bare"),
        ]
    }))
    .unwrap()
}

pub(super) async fn brand_id(app: &TestApp, name: &str) -> i32 {
    brand::Entity::find().filter(brand::Column::Name.eq(name)).one(&app.db).await.unwrap().expect(name).id
}

/// Creates an organization of `kind` and returns its id.
pub(super) async fn organization(b: &mut Browser<'_>, name: &str, kind: &str) -> i32 {
    let p = b.post("/orgs", &[("name", name), ("kind", kind)]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    p.location.as_deref().and_then(|l| l.strip_prefix("/orgs/")).and_then(|n| n.parse().ok()).expect("org page")
}

async fn claims_of(app: &TestApp, brand: i32) -> Vec<brand_claim::Model> {
    checks::of_brand(&app.db, brand).await.unwrap()
}

pub(super) async fn setup(backend: Backend) -> (TestApp, FakeServer, TestCa) {
    let ca = TestCa::new();
    let server = fake(&ca, CertKind::Valid, Duration::ZERO).await;
    let app = spawn_app_fetching(backend, false, loopback_policy(&ca)).await;
    app.import_bytes("test:payers", Some(Format::Brands), bundle(&server)).await.expect("import");
    (app, server, ca)
}

async fn claims_by_file_and_by_mail_and_their_rechecks(backend: Backend) {
    let (app, server, ca) = setup(backend).await;
    let (good, kids, other, bare) = (
        brand_id(&app, "Good Health Plan").await,
        brand_id(&app, "Good Health Kids").await,
        brand_id(&app, "Other Plan").await,
        brand_id(&app, "Bare Plan").await,
    );
    let mut payer = Browser::new(&app);
    payer.sign_up_and_log_in("pat@payer.example").await;
    let org = organization(&mut payer, "Good Payer", "payer").await;
    let mut dev = Browser::new(&app);
    dev.sign_up_and_log_in("dev@example.org").await;
    let devs = organization(&mut dev, "Dev Shop", "developer").await;

    // A developer organization claims nothing; nor does anyone for another's organization.
    let good_s = good.to_string();
    let p = dev.post(&format!("/orgs/{devs}/claims"), &[("brand", &good_s), ("method", "well-known")]).await;
    assert_eq!(p.status, 403, "{}", p.body);
    assert_eq!(
        dev.post(&format!("/orgs/{org}/claims"), &[("brand", &good_s), ("method", "well-known")]).await.status,
        403
    );
    assert!(claims_of(&app, good).await.is_empty());
    // A brand without a website has no domain to prove.
    let p = payer.post(&format!("/orgs/{org}/claims"), &[("brand", &bare.to_string()), ("method", "well-known")]).await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("no website"), "{}", p.body);

    // The well-known file: pending until the file holds the line.
    let page = format!("/brands/{good}");
    let p = payer.post(&format!("/orgs/{org}/claims"), &[("brand", &page), ("method", "well-known")]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let claim = claims_of(&app, good).await.remove(0);
    assert_eq!((claim.state, claim.method), (ClaimState::Pending, ClaimMethod::WellKnown));
    let token = claim.file_token.clone().expect("a file token");
    let line = format!("signpost-verification={token}");
    assert!(p.body.contains(&line) && p.body.contains("/.well-known/signpost-verification.txt"), "{}", p.body);
    let check = format!("/orgs/{org}/claims/{}/check", claim.id);
    let p = payer.post(&check, &[]).await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("Not verified yet") && p.body.contains("404"), "{}", p.body);
    server.set_verification(Some("signpost-verification=somebody-else\n".into()));
    assert_eq!(payer.post(&check, &[]).await.status, 400, "another token proves nothing");
    server.set_verification(Some(format!("# Signpost\n{line}\n")));
    assert_eq!(dev.post(&check, &[]).await.status, 403, "only its organization checks it");
    let p = payer.post(&check, &[]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Found it"));
    assert_eq!(claims_of(&app, good).await[0].state, ClaimState::Verified);
    let brand_page = Browser::new(&app).get(&format!("/brands/{good}")).await;
    assert!(brand_page.body.contains("Maintained by") && brand_page.body.contains("Good Payer, verified"));
    let child_page = Browser::new(&app).get(&format!("/brands/{kids}")).await;
    assert!(child_page.body.contains("Good Payer, verified"), "a child brand at the domain is covered");
    assert!(
        mails_to(&app, "pat@payer.example").await.iter().any(|(s, _)| s.contains("now maintains Good Health Plan"))
    );

    // Another payer cannot claim it while the claim is in force.
    let mut rival = Browser::new(&app);
    rival.sign_up_and_log_in("riv@rival.example").await;
    let rivals = organization(&mut rival, "Rival Payer", "payer").await;
    let p = rival.post(&format!("/orgs/{rivals}/claims"), &[("brand", &good_s), ("method", "well-known")]).await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("Good Payer maintains this brand"), "{}", p.body);

    // The mailed link: only an address at the domain or a parent of it.
    let other_s = other.to_string();
    let by_mail = |email: &'static str| {
        [("brand", other_s.clone()), ("method", "email".to_string()), ("email", email.to_string())]
    };
    for bad in ["api@evil.example", "api@example", "api@sub.www.other.example"] {
        let pairs = by_mail(bad);
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (*a, b.as_str())).collect();
        let p = payer.post(&format!("/orgs/{org}/claims"), &refs).await;
        assert_eq!(p.status, 400, "{bad}: {}", p.body);
    }
    let pairs = by_mail("api-team@other.example");
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let p = payer.post(&format!("/orgs/{org}/claims"), &refs).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(payer.post(&format!("/orgs/{org}/claims"), &refs).await.status, 400, "not twice in 10 minutes");
    let token = link_token(&last_mail(&app, "api-team@other.example").await, "/claims/confirm?token=");
    let confirm = Browser::new(&app).get(&format!("/claims/confirm?token={token}")).await;
    assert!(confirm.body.contains("Good Payer says it controls other.example"), "{}", confirm.body);
    assert_eq!(claims_of(&app, other).await[0].state, ClaimState::Pending, "seeing the page confirms nothing");
    let mut mailbox = Browser::new(&app);
    let p = mailbox.post("/claims/confirm", &[("token", &token)]).await;
    assert_eq!((p.status, p.location.as_deref()), (303, Some(format!("/brands/{other}").as_str())));
    assert_eq!(claims_of(&app, other).await[0].state, ClaimState::Verified);
    assert_eq!(mailbox.post("/claims/confirm", &[("token", &token)]).await.status, 404, "single use");

    // Re-verification, 31 days on: the file is gone, so the claim is flagged (still in force)
    // and the members told; the mail claim gets a new link.
    let client = SafeClient::new(loopback_policy(&ca)).unwrap();
    let now = chrono::Utc::now().timestamp();
    server.set_verification(None);
    let later = now + 31 * 86_400;
    let done = checks::recheck_due(&app.db, &client, &app.base, later).await.unwrap();
    assert_eq!(done.len(), 2, "{done:?}");
    assert_eq!(claims_of(&app, good).await[0].state, ClaimState::Flagged);
    assert!(Browser::new(&app).get(&format!("/brands/{good}")).await.body.contains("re-verification pending"));
    assert!(mails_to(&app, "pat@payer.example").await.iter().any(|(s, _)| s.contains("could not verify")));
    assert_eq!(claims_of(&app, other).await[0].state, ClaimState::Flagged);
    let again = link_token(&last_mail(&app, "api-team@other.example").await, "/claims/confirm?token=");
    assert_ne!(again, token);
    // Nothing is due a minute later.
    assert!(checks::recheck_due(&app.db, &client, &app.base, later + 60).await.unwrap().is_empty());
    // The new link is opened: verified again. The file stays missing: the claim lapses.
    assert_eq!(Browser::new(&app).post("/claims/confirm", &[("token", &again)]).await.status, 303);
    assert_eq!(claims_of(&app, other).await[0].state, ClaimState::Verified);
    let mut t = later;
    while claims_of(&app, good).await[0].state == ClaimState::Flagged && t < later + 20 * 86_400 {
        t += 86_400;
        checks::recheck_due(&app.db, &client, &app.base, t).await.unwrap();
    }
    assert_eq!(claims_of(&app, good).await[0].state, ClaimState::Lapsed, "after 14 days flagged");
    assert!(t - later >= 14 * 86_400);
    assert!(!Browser::new(&app).get(&format!("/brands/{good}")).await.body.contains("Maintained by"));
    assert!(mails_to(&app, "pat@payer.example").await.iter().any(|(s, _)| s.contains("lapsed")));
    // A lapsed claim can be made again, and the file proves it at once.
    server.set_verification(Some(line.clone()));
    let p = payer.post(&format!("/orgs/{org}/claims"), &[("brand", &good_s), ("method", "well-known")]).await;
    assert_eq!(p.status, 200);
    let fresh = claims_of(&app, good).await.remove(0);
    server.set_verification(Some(format!("signpost-verification={}", fresh.file_token.unwrap())));
    assert_eq!(payer.post(&format!("/orgs/{org}/claims/{}/check", fresh.id), &[]).await.status, 200);
    // The organization withdraws it.
    assert_eq!(payer.post(&format!("/orgs/{org}/claims/{}/withdraw", fresh.id), &[]).await.status, 303);
    assert_eq!(claims_of(&app, good).await[0].state, ClaimState::Revoked);
}

async fn maintainers_moderate_and_admins_manage_claims(backend: Backend) {
    let (app, _server, _ca) = setup(backend).await;
    let (good, kids, other) = (
        brand_id(&app, "Good Health Plan").await,
        brand_id(&app, "Good Health Kids").await,
        brand_id(&app, "Other Plan").await,
    );
    let mut payer = Browser::new(&app);
    payer.sign_up_and_log_in("pat@payer.example").await;
    let org = organization(&mut payer, "Good Payer", "payer").await;
    let mut second = Browser::new(&app);
    second.sign_up_and_log_in("sam@second.example").await;
    let org2 = organization(&mut second, "Second Payer", "payer").await;
    let mut dev = Browser::new(&app);
    dev.sign_up_and_log_in("dev@example.org").await;
    let devs = organization(&mut dev, "Dev Shop", "developer").await;
    let mut boss = admin(&app, "boss@example.org").await;

    // Only admins grant, transfer, revoke, or list.
    let (org_s, good_s) = (org.to_string(), good.to_string());
    let grant = [("organization", org_s.as_str()), ("brand", good_s.as_str())];
    assert_eq!(payer.post("/admin/claims", &grant).await.status, 403);
    assert_eq!(payer.post("/api/admin_claims", &[]).await.status, 403);
    let devs_s = devs.to_string();
    let p = boss.post("/admin/claims", &[("organization", devs_s.as_str()), ("brand", good_s.as_str())]).await;
    assert_eq!(p.status, 400, "a developer organization maintains nothing");
    assert_eq!(boss.post("/admin/claims", &grant).await.status, 303);
    assert!(boss.get("/admin/claims").await.body.contains("Good Payer (#"));
    assert!(Browser::new(&app).get(&format!("/brands/{good}")).await.body.contains("Good Payer, verified"));

    // A developer proposes changes to the maintained brand, its child and another brand.
    let propose = |b: i32, name: &'static str| {
        let app = &app;
        async move {
            let mut d = drafts::draft_of(&drafts::load(&app.db, b).await.unwrap().unwrap());
            d.name = name.into();
            let mut v = d.form_values();
            v.extend([("intent".to_string(), "submit".to_string()), ("comment".into(), String::new())]);
            (b, v)
        }
    };
    let mut ids = Vec::new();
    for (b, name) in [(good, "Good Health Plan Inc"), (kids, "Good Health Kids Inc"), (other, "Other Plan Inc")] {
        let (b, v) = propose(b, name).await;
        let refs: Vec<(&str, &str)> = v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let p = dev.post(&format!("/brands/{b}/propose"), &refs).await;
        assert_eq!(p.status, 303, "{}", p.body);
        ids.push(p.location.unwrap().trim_start_matches("/proposals/").parse::<i32>().unwrap());
    }
    // Its members are told; the other brand's proposal goes to the admins only.
    let told = mails_to(&app, "pat@payer.example").await;
    assert_eq!(told.iter().filter(|(s, _)| s.contains("waits for your organization")).count(), 2, "{told:?}");
    assert!(told.iter().any(|(s, b)| s.contains("Good Health Kids") && b.contains(&format!("/proposals/{}", ids[1]))));
    // The maintainer's queue holds its two brands' proposals, not the other one.
    let queue = payer.get("/moderation").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert!(queue.body.contains("Good Health Plan") && queue.body.contains("Good Health Kids"));
    assert!(!queue.body.contains("Other Plan"), "only the brands it maintains");
    assert_eq!(second.get("/moderation").await.status, 403, "a payer maintaining nothing moderates nothing");
    assert_eq!(dev.get("/moderation").await.status, 403);
    assert_eq!(payer.post(&format!("/proposals/{}/approve", ids[2]), &[]).await.status, 403, "not its brand");
    assert_eq!(payer.get(&format!("/proposals/{}", ids[2])).await.status, 403);
    assert_eq!(payer.post(&format!("/proposals/{}/approve", ids[1]), &[]).await.status, 303, "its child brand");
    assert_eq!(brand::Entity::find_by_id(kids).one(&app.db).await.unwrap().unwrap().name, "Good Health Kids Inc");
    // A child brand with a claim of its own is that claim's organization's, not its parent's.
    let (kids_s, org2_s) = (kids.to_string(), org2.to_string());
    assert_eq!(
        boss.post("/admin/claims", &[("organization", org2_s.as_str()), ("brand", kids_s.as_str())]).await.status,
        303
    );
    use app::server::services::publishing::claims::maintained_brands;
    assert_eq!(maintained_brands(&app.db, &[org]).await.unwrap(), vec![good]);
    assert_eq!(maintained_brands(&app.db, &[org2]).await.unwrap(), vec![kids]);

    // Transferred to the second payer: the moderation moves with it.
    let claim = checks::of_brand(&app.db, good).await.unwrap().remove(0);
    let org2_s = org2.to_string();
    let transfer = format!("/admin/claims/{}/transfer", claim.id);
    assert_eq!(payer.post(&transfer, &[("organization", org2_s.as_str())]).await.status, 403);
    assert_eq!(boss.post(&transfer, &[("organization", org2_s.as_str())]).await.status, 303);
    assert_eq!(payer.post(&format!("/proposals/{}/approve", ids[0]), &[]).await.status, 403);
    assert_eq!(second.post(&format!("/proposals/{}/approve", ids[0]), &[]).await.status, 303);
    assert!(Browser::new(&app).get(&format!("/brands/{good}")).await.body.contains("Second Payer, verified"));
    // Revoked: nobody maintains it; the admins moderate it alone again.
    let revoke = format!("/admin/claims/{}/revoke", claim.id);
    assert_eq!(second.post(&revoke, &[]).await.status, 403);
    assert_eq!(boss.post(&revoke, &[]).await.status, 303);
    assert!(!Browser::new(&app).get(&format!("/brands/{good}")).await.body.contains("Maintained by"));
    assert_eq!(second.get("/moderation").await.status, 200, "it still maintains the child brand it was granted");
    assert_eq!(second.post(&format!("/proposals/{}/approve", ids[2]), &[]).await.status, 403);
    assert_eq!(boss.post(&format!("/proposals/{}/approve", ids[2]), &[]).await.status, 303);

    // Every admin step is in the audit log, with the organizations before and after.
    let log = audit_log::Entity::find().order_by_asc(audit_log::Column::Id).all(&app.db).await.unwrap();
    let actions: Vec<String> = log.iter().map(|e| e.action.name()).collect();
    for a in ["claim.grant", "claim.transfer", "claim.revoke"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    let t = log.iter().find(|e| e.action.name() == "claim.transfer").unwrap();
    assert!(t.before.as_deref().unwrap_or_default().contains(&org.to_string()));
    assert!(t.after.as_deref().unwrap_or_default().contains(&org2.to_string()));
    let audit = boss.get("/admin/audit?action=claim.transfer").await;
    assert_eq!(audit.status, 200);
}
