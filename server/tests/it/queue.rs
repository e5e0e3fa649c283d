//! The payer's queue and each request's thread: filters (state, age, assignee, app, past the target), sorting, and
//! assignment one at a time or in bulk, by HTTP; nobody outside the payer organization assigns,
//! nobody is assigned who is not a member, and each assignment is audited and mailed; both sides write in the thread with a checked
//! attachment, served only as a download, and nobody else does.
use super::account_rules::admin;
use super::attestations::registered;
use super::browser::{Browser, mails_to};
use super::helpers::{Backend, spawn_app_with};
use super::registration::payer;
use app::server::entities::{account, audit_log, registration_request};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

on_both_databases!(payers_filter_sort_and_assign_their_queue,);

async fn payers_filter_sort_and_assign_their_queue(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let mut dev = Browser::new(&app);
    let (dev_org, _, app_page) = registered(&mut dev, &[]).await;
    assert_eq!(dev.get(&format!("/orgs/{dev_org}/queue")).await.status, 403, "a developer organization has no queue");
    let mut boss = admin(&app, "boss@example.org").await;
    let (mut pat, org_a, aetna) = payer(&app, &mut boss, "pat@aetna.example", "Aetna Interop", "Aetna").await;
    let (mut other, org_c, cigna) = payer(&app, &mut boss, "pam@cigna.example", "Cigna Interop", "Cigna").await;
    // Several payers found at once, separated by commas.
    let picked = dev.get(&format!("{app_page}/requests?q=Aetna%2C%20Cigna")).await.body;
    assert!(
        picked.contains(&format!("id=\"pick-{aetna}\"")) && picked.contains(&format!("id=\"pick-{cigna}\"")),
        "{picked}"
    );
    let a = aetna.to_string();
    for env in ["production", "sandbox"] {
        let p = dev.post(&format!("{app_page}/requests"), &[("brand", a.as_str()), ("environment", env)]).await;
        assert!(p.body.contains("Requested from 1 payer"), "{}", p.body);
    }
    let rows =
        registration_request::Entity::find().order_by_asc(registration_request::Column::Id).all(&app.db).await.unwrap();
    let (r1, r2) = (rows[0].id.to_string(), rows[1].id.to_string());
    let queue = format!("/orgs/{org_a}/queue");
    let assign = format!("{queue}/assign");
    let pat_id = account::Entity::find()
        .filter(account::Column::Email.eq("pat@aetna.example"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let dev_id = account::Entity::find()
        .filter(account::Column::Email.eq("dev@wallet.example.com"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;

    let listed = pat.get(&queue).await;
    assert!(listed.status == 200 && listed.body.contains("2 requests"), "{}", listed.body);
    assert!(listed.body.contains("Assign the selected"));
    // Nobody outside the organization assigns; nobody outside it is assigned.
    let (pat_s, dev_s) = (pat_id.to_string(), dev_id.to_string());
    assert_eq!(other.post(&assign, &[("request", r1.as_str()), ("assignee", pat_s.as_str())]).await.status, 403);
    assert_eq!(dev.post(&assign, &[("request", r1.as_str()), ("assignee", dev_s.as_str())]).await.status, 403);
    assert_eq!(pat.post(&assign, &[("request", r1.as_str()), ("assignee", dev_s.as_str())]).await.status, 400);
    // Another payer's request is not assigned through this queue, nor this one through theirs.
    assert_eq!(
        other
            .post(&format!("/orgs/{org_c}/queue/assign"), &[("request", r1.as_str()), ("assignee", "none")])
            .await
            .status,
        403
    );
    assert_eq!(pat.post(&assign, &[("assignee", "none")]).await.status, 400);
    assert_eq!(pat.post(&assign, &[("request", "x"), ("assignee", "none")]).await.status, 400);

    // Bulk: both to Pat (by another member it would be mailed; to oneself it is not).
    let p =
        pat.post(&assign, &[("request", r1.as_str()), ("request", r2.as_str()), ("assignee", pat_s.as_str())]).await;
    assert!(p.status == 200 && p.body.contains("2 requests assigned"), "{}", p.body);
    let mine = pat.get(&format!("{queue}?assignee=me")).await;
    assert!(mine.body.contains("2 requests") && mine.body.contains("pat@aetna.example"), "{}", mine.body);
    assert!(pat.get(&format!("{queue}?assignee=none")).await.body.contains("0 requests"));
    // One back to nobody, from the request's page.
    let back = format!("/requests/{r2}");
    let p = pat.post(&assign, &[("request", r2.as_str()), ("assignee", "none"), ("back", back.as_str())]).await;
    assert!(p.body.contains("1 request unassigned") && p.body.contains("Request #"), "{}", p.body);
    assert!(pat.get(&format!("{queue}?assignee=none")).await.body.contains("1 request"));
    let audits = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(app::server::entities::audit_log::AuditAction::RequestAssign))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(audits.len(), 3);
    assert!(!mails_to(&app, "pat@aetna.example").await.iter().any(|(s, _)| s.contains("assigned to you")));

    // Filters and sorting.
    let p = pat.post(&format!("/requests/{r1}"), &[("intent", "ask"), ("question", "Which redirect URI?")]).await;
    assert!(p.body.contains("now waiting on the developer"), "{}", p.body);
    let waiting = pat.get(&format!("{queue}?state=needs_info")).await;
    assert!(waiting.body.contains("1 request") && waiting.body.contains(&format!("#{r1}")), "{}", waiting.body);
    assert!(
        pat.get(&format!("{queue}?breached=1")).await.body.contains("0 requests"),
        "nothing is past its target yet"
    );
    assert!(pat.get(&format!("{queue}?app=wallet")).await.body.contains("2 requests"));
    assert!(pat.get(&format!("{queue}?app=nothing-like-it")).await.body.contains("0 requests"));
    assert!(pat.get(&format!("{queue}?older_than_days=3")).await.body.contains("0 requests"));
    let oldest = pat.get(&format!("{queue}?sort=oldest&state=all")).await.body;
    let newest = pat.get(&format!("{queue}?sort=newest&state=all")).await.body;
    let pos = |b: &str, id: &str| b.find(&format!(">#{id}<")).unwrap();
    assert!(pos(&oldest, &r1) < pos(&oldest, &r2) && pos(&newest, &r2) < pos(&newest, &r1));
    assert_eq!(pat.get(&format!("{queue}?state=bogus")).await.status, 400);
    assert_eq!(pat.get(&format!("{queue}?sort=bogus")).await.status, 400);
    assert_eq!(other.get(&queue).await.status, 403);
    assert_eq!(Browser::new(&app).get(&queue).await.status, 401);
    assert_eq!(pat.get(&format!("{queue}?older_than_days=soon")).await.status, 400);
    assert_eq!(pat.get(&format!("{queue}?assignee=someone")).await.status, 400);
    assert_eq!(pat.post(&assign, &[("request", "999999"), ("assignee", "none")]).await.status, 404);
}

on_both_databases!(both_sides_write_in_the_thread_with_attachments,);

fn message(body: &str, file: Option<(&str, Vec<u8>)>) -> reqwest::multipart::Form {
    let form = reqwest::multipart::Form::new().text("body", body.to_string());
    match file {
        Some((name, bytes)) => form.part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string())),
        None => form,
    }
}

async fn both_sides_write_in_the_thread_with_attachments(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let mut dev = Browser::new(&app);
    let (_, _, app_page) = registered(&mut dev, &[]).await;
    let mut boss = admin(&app, "boss@example.org").await;
    let (mut pat, _, aetna) = payer(&app, &mut boss, "pat@aetna.example", "Aetna Interop", "Aetna").await;
    let (mut other, _, _) = payer(&app, &mut boss, "pam@cigna.example", "Cigna Interop", "Cigna").await;
    let a = aetna.to_string();
    dev.post(&format!("{app_page}/requests"), &[("brand", a.as_str()), ("environment", "production")]).await;
    let r = registration_request::Entity::find().one(&app.db).await.unwrap().unwrap();
    let (page, thread) = (format!("/requests/{}", r.id), format!("/requests/{}/messages", r.id));

    let p = dev
        .post_multipart(
            &thread,
            message(
                "Our redirect URI list, attached.",
                Some(("../uris list.txt", b"https://wallet.example/cb\n".to_vec())),
            ),
        )
        .await;
    assert!(p.status == 200 && p.body.contains("Sent"), "{}: {}", p.status, p.body);
    let mail = mails_to(&app, "pat@aetna.example").await;
    assert!(
        mail.iter().any(|(s, b)| s.starts_with("New message") && b.contains("Attached: uris_list.txt")),
        "{mail:?}"
    );
    let seen = pat.get(&page).await;
    assert!(
        seen.body.contains("Our redirect URI list, attached.") && seen.body.contains("Attachment: uris_list.txt"),
        "{}",
        seen.body
    );
    let id = app::server::entities::request_message::Entity::find().one(&app.db).await.unwrap().unwrap().id;
    let file = pat.get(&format!("{thread}/{id}/attachment")).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.body, "https://wallet.example/cb\n");
    assert_eq!(file.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(file.header("content-disposition"), "attachment; filename=\"uris_list.txt\"");
    assert_eq!(file.header("x-content-type-options"), "nosniff");
    assert!(file.header("content-security-policy").contains("sandbox"));

    // The payer answers with a PDF; an executable, an empty message and an oversized file are
    // refused; another payer, a visitor and an admin do not write.
    let p = pat
        .post_multipart(&thread, message("Signed terms attached.", Some(("terms.pdf", b"%PDF-1.4 terms".to_vec()))))
        .await;
    assert!(p.body.contains("Sent"), "{}", p.body);
    assert!(mails_to(&app, "dev@wallet.example.com").await.iter().any(|(s, _)| s.starts_with("New message")));
    let p = dev.post_multipart(&thread, message("", Some(("setup.exe", b"MZ\x90\x00\x03\x00".to_vec())))).await;
    assert!(p.status == 400 && p.body.contains("attach a PDF"), "{}: {}", p.status, p.body);
    assert_eq!(dev.post_multipart(&thread, message("  ", None)).await.status, 400);
    let big = vec![b'a'; 1024 * 1024 + 1];
    assert_eq!(dev.post_multipart(&thread, message("big", Some(("big.txt", big)))).await.status, 413);
    assert_eq!(dev.post(&thread, &[("body", "not multipart")]).await.status, 400);
    assert_eq!(other.post_multipart(&thread, message("Hello?", None)).await.status, 403);
    assert_eq!(other.get(&format!("{thread}/{id}/attachment")).await.status, 403);
    assert_eq!(Browser::new(&app).get(&format!("{thread}/{id}/attachment")).await.status, 401);
    assert_eq!(boss.post_multipart(&thread, message("Admin here", None)).await.status, 403);
    assert_eq!(boss.get(&format!("{thread}/{id}/attachment")).await.status, 200, "admins read");
    assert_eq!(pat.get(&format!("{thread}/999999/attachment")).await.status, 404);
    let all = app::server::entities::request_message::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(all.len(), 2, "nothing refused was stored");
}

on_both_databases!(payers_set_their_zone_notice_and_grounds,);

async fn payers_set_their_zone_notice_and_grounds(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let mut dev = Browser::new(&app);
    let (_, _, app_page) = registered(&mut dev, &[]).await;
    let mut boss = admin(&app, "boss@example.org").await;
    let (mut pat, org_a, aetna) = payer(&app, &mut boss, "pat@aetna.example", "Aetna Interop", "Aetna").await;
    let (mut other, _, _) = payer(&app, &mut boss, "pam@cigna.example", "Cigna Interop", "Cigna").await;
    let page = format!("/orgs/{org_a}/registration");
    let form = [
        ("time_zone", "America/Los_Angeles"),
        ("notice", "This app has not attested to its privacy practices; read its policy before connecting it."),
        ("reasons", "Needs a signed BAA\nUses an OAuth flow we do not run\nNeeds a signed BAA"),
    ];
    assert!(pat.get(&page).await.body.contains("Time zone of your business days"));
    assert_eq!(other.post(&page, &form).await.status, 403);
    assert_eq!(dev.post(&page, &form).await.status, 403);
    assert_eq!(dev.get(&page).await.status, 403);
    let p = pat.post(&page, &[("time_zone", "Europe/Paris")]).await;
    assert!(p.status == 400 && p.body.contains("US time zones"), "{}", p.body);
    let p = pat.post(&page, &[("time_zone", "America/New_York"), ("reasons", "Has not attested")]).await;
    assert!(p.status == 400 && p.body.contains("CMS-9115-F"), "{}", p.body);
    let p = pat.post(&page, &form).await;
    assert!(p.status == 200 && p.body.contains("Saved"), "{}", p.body);
    let saved = pat.get(&page).await.body;
    assert!(
        saved.contains("America/Los_Angeles\" selected") || saved.contains("selected>America/Los_Angeles"),
        "{saved}"
    );

    let a = aetna.to_string();
    dev.post(&format!("{app_page}/requests"), &[("brand", a.as_str()), ("environment", "production")]).await;
    let r = registration_request::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(r.time_zone.as_deref(), Some("America/Los_Angeles"), "the request keeps its payer's zone");
    let rp = format!("/requests/{}", r.id);
    let seen = pat.get(&rp).await.body;
    assert!(seen.contains("Needs a signed BAA") && seen.contains("ground-payer-needs-a-signed-baa"), "{seen}");
    assert!(seen.contains("read its policy before connecting it"), "the notice, for an app that has not attested");
    assert_eq!(seen.matches("id=\"ground-payer-needs-a-signed-baa\"").count(), 1, "a ground listed twice is kept once");
    assert!(dev.get(&rp).await.body.contains("read its policy before connecting it"), "the developer sees it too");
    let p = pat.post(&rp, &[("intent", "deny"), ("grounds", "payer-made-up"), ("text", "No.")]).await;
    assert_eq!(p.status, 400);
    let p =
        pat.post(&rp, &[("intent", "deny"), ("grounds", "payer-needs-a-signed-baa"), ("text", "Send the BAA.")]).await;
    assert!(p.body.contains("now denied"), "{}", p.body);
    let audits = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(app::server::entities::audit_log::AuditAction::PayerRegistrationSettings))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(audits.len(), 1);
}

on_both_databases!(dashboards_show_what_waits_on_each_side,);

async fn dashboards_show_what_waits_on_each_side(backend: Backend) {
    use app::server::services::accounts::sessions::viewer_of;
    let app = spawn_app_with(backend, true).await;
    let mut dev = Browser::new(&app);
    let (_, _, app_page) = registered(&mut dev, &[]).await;
    let mut boss = admin(&app, "boss@example.org").await;
    let (mut pat, _, aetna) = payer(&app, &mut boss, "pat@aetna.example", "Aetna Interop", "Aetna").await;
    let a = aetna.to_string();
    dev.post(&format!("{app_page}/requests"), &[("brand", a.as_str()), ("environment", "production")]).await;
    let r = registration_request::Entity::find().one(&app.db).await.unwrap().unwrap();

    assert_eq!(Browser::new(&app).get("/dashboard").await.status, 401);
    let d = dev.get("/dashboard").await.body;
    assert!(
        d.contains("Health Wallet")
            && d.contains("not attested")
            && d.contains("waiting on the payer: 5.0 business days left"),
        "{d}"
    );
    let p = pat.post(&format!("/requests/{}", r.id), &[("intent", "ask"), ("question", "Which redirect URI?")]).await;
    assert!(p.body.contains("now waiting on the developer"));
    let d = pat.get("/dashboard").await.body;
    assert!(d.contains("1 open") && d.contains("Asked of developers") && d.contains("Which redirect URI?"), "{d}");
    assert!(d.contains("Turnaround against target"), "{d}");
    assert!(dev.get("/dashboard").await.body.contains("answer the payer"), "the developer's next step");
    let d = boss.get("/dashboard").await.body;
    assert!(d.contains("For admins") && d.contains("Requests past their target across payers: 0"), "{d}");

    // Answered, then 30 days on: the admins see the breach.
    dev.post(&format!("/requests/{}", r.id), &[("intent", "answer"), ("answer", "https://wallet.example/cb")]).await;
    let b = app::server::entities::account::Entity::find()
        .filter(app::server::entities::account::Column::Email.eq("boss@example.org"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let actor = app::server::policy::Actor::account(viewer_of(&app.db, &b, None).await.unwrap(), "test");
    let cal = app::server::services::registration::calendar::Calendar::default();
    let later = chrono::Utc::now().timestamp() + 30 * 86_400;
    let board =
        app::server::services::dashboard::dashboard(&app.db, &Default::default(), &actor, &cal, later).await.unwrap();
    let admin = board.admin.unwrap();
    assert_eq!(
        (admin.breaches_total, admin.breaches[0].request_id, admin.breaches[0].brand.as_str()),
        (1, r.id, "Aetna")
    );
}
