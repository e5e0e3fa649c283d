//! The rules around accounts, by direct request: no account enumeration, cross-site requests
//! refused, admin functions and routes closed to developers, invitations used once, log-in
//! limits.
use super::browser::{Browser, PASSWORD, last_mail, link_token, mails_to, normalized};
use super::helpers::{Backend, TestApp, spawn_app};
use app::server::entities::audit_log;
use app::server::policy::Actor;
use app::server::services::accounts::admin::create_admin;
use sea_orm::EntityTrait;

on_both_databases!(
    answers_do_not_tell_whether_an_address_has_an_account,
    cross_site_posts_are_refused,
    developers_cannot_reach_admin_functions_or_routes,
    an_invitation_works_once,
    log_in_is_limited_per_account_and_per_client,
);

async fn answers_do_not_tell_whether_an_address_has_an_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let known = "known@example.org";
    Browser::new(&app).sign_up_and_log_in(known).await;
    let mut b = Browser::new(&app);
    for (i, (path, form)) in [
        ("/signup", vec![("password", "an unrelated long passphrase")]),
        ("/login", vec![("password", "not the right one at all")]),
        ("/forgot", vec![]),
    ]
    .into_iter()
    .enumerate()
    {
        // A new unknown address each time (signing up makes one known).
        let unknown = format!("nobody{i}@example.org");
        let unknown = unknown.as_str();
        let mut answers = Vec::new();
        for email in [known, unknown] {
            let mut fields = form.clone();
            fields.push(("email", email));
            let p = b.post(path, &fields).await;
            answers.push((p.status, normalized(&p.body, &[known, unknown])));
        }
        assert_eq!(answers[0].0, answers[1].0, "{path}: the same status");
        assert!(answers[0].1 == answers[1].1, "{path}: the same page for a known and an unknown address");
    }
    let mails = mails_to(&app, known).await;
    assert!(mails.iter().any(|(s, _)| s == "Someone tried to sign up with your address"), "{mails:?}");
    assert!(mails.iter().any(|(s, _)| s.contains("new Signpost password")));
    assert_eq!(mails_to(&app, "nobody0@example.org").await.len(), 1, "a new address gets its verification mail");
    assert!(mails_to(&app, "nobody1@example.org").await.is_empty(), "a failed log-in mails nobody");
    assert!(mails_to(&app, "nobody2@example.org").await.is_empty(), "no reset mail to an unknown address");
}

async fn cross_site_posts_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    b.sign_up_and_log_in("eve@example.org").await;
    b.fetch_site = Some("cross-site");
    let p = b.post("/account/sessions/end", &[]).await;
    assert_eq!(p.status, 403, "Sec-Fetch-Site: cross-site");
    let p = b.post("/api/my_account", &[]).await;
    assert_eq!(p.status, 403, "server functions too");
    b.fetch_site = Some("same-site");
    assert_eq!(b.post("/logout", &[]).await.status, 403, "another origin on the same site");
    // Older browsers send only Origin.
    let r = b.client.post(app.url("/logout")).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = b.client.post(app.url("/api/my_account")).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(r.status(), 403, "a server function, by Origin");
    let r = b.client.post(app.url("/logout")).header("origin", "http://signpost.test").send().await.unwrap();
    assert_eq!(r.status(), 403, "the site's host with another scheme");
    let r = b.client.post(app.url("/logout")).header("origin", "https://signpost.test").send().await.unwrap();
    assert_eq!(r.status(), 303, "the site's own origin");
    assert_eq!(b.get("/account").await.status, 200, "nothing changed: still signed in");
    b.fetch_site = Some("same-origin");
    assert_eq!(b.post("/logout", &[]).await.status, 303);
    // Mail programs post the one-click unsubscribe from anywhere.
    let r = b.client.post(app.url("/alerts/unsubscribe/one-click?token=1.00")).header("sec-fetch-site", "cross-site");
    assert_eq!(r.send().await.unwrap().status(), 404, "reached the handler");
}

pub async fn admin<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let now = chrono::Utc::now().timestamp();
    create_admin(&app.db, &Actor::command_line(), "https://signpost.test", email, Some(PASSWORD), now).await.unwrap();
    let mut b = Browser::new(app);
    b.log_in(email, PASSWORD).await;
    b
}

async fn developers_cannot_reach_admin_functions_or_routes(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut dev = Browser::new(&app);
    dev.sign_up_and_log_in("dev@example.org").await;
    let mut boss = admin(&app, "boss@example.org").await;
    let dev_id = app::server::entities::account::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.email == "dev@example.org")
        .unwrap()
        .id
        .to_string();

    for (path, form) in [
        ("/api/admin_accounts", vec![("query", "")]),
        ("/api/audit_entries", vec![("action", ""), ("actor", ""), ("target_kind", ""), ("target_id", "")]),
    ] {
        assert_eq!(dev.post(path, &form).await.status, 403, "{path} for a developer");
        assert_eq!(Browser::new(&app).post(path, &form).await.status, 401, "{path} signed out");
        assert_eq!(boss.post(path, &form).await.status, 200, "{path} for an admin");
    }
    assert_eq!(dev.get("/admin/accounts").await.status, 403);
    let p = dev.post(&format!("/admin/accounts/{dev_id}/disable"), &[]).await;
    assert_eq!(p.status, 403, "{}", p.body);

    let p = boss.get("/admin/accounts?q=dev").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("<td>dev@example.org</td>") && !p.body.contains("<td>boss@example.org</td>"), "search");
    let p = boss.post(&format!("/admin/accounts/{dev_id}/disable"), &[]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(dev.get("/account").await.status, 401, "a disabled account's sessions end");
    let p = Browser::new(&app).post("/login", &[("email", "dev@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(p.status, 403);
    assert!(p.body.contains("disabled"));
    assert_eq!(boss.post(&format!("/admin/accounts/{dev_id}/enable"), &[]).await.status, 303);
    Browser::new(&app).log_in("dev@example.org", PASSWORD).await;

    let log = audit_log::Entity::find().all(&app.db).await.unwrap();
    let actions: Vec<String> = log.iter().map(|e| e.action.name()).collect();
    for a in ["account.make-admin", "account.disable", "account.enable"] {
        assert!(actions.contains(&a.to_string()), "{a} in {actions:?}");
    }
    let disable = log.iter().find(|e| e.action.name() == "account.disable").unwrap();
    assert_eq!(disable.actor_email, "boss@example.org");
    assert_eq!(disable.before.as_deref(), Some(r#"{"state":"active"}"#));
    assert_eq!(disable.after.as_deref(), Some(r#"{"state":"disabled"}"#));
    assert_eq!(disable.client, "127.0.0.1");
    let p = boss.get("/admin/audit?action=account.disable").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("account.disable") && !p.body.contains("account.enable"), "filtered");
}

async fn an_invitation_works_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut owner = Browser::new(&app);
    owner.sign_up_and_log_in("owner@example.org").await;
    let p = owner.post("/orgs", &[("name", "Good Apps"), ("kind", "developer")]).await;
    let org = p.location.clone().unwrap();
    assert!(org.starts_with("/orgs/"), "{org}");
    let p = owner.post(&format!("{org}/invitations"), &[("email", "joiner@example.org")]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Invitation sent to joiner@example.org"));
    let token = link_token(&last_mail(&app, "joiner@example.org").await, "/invitations?token=");

    let mut outsider = Browser::new(&app);
    outsider.sign_up_and_log_in("outsider@example.org").await;
    assert_eq!(outsider.get(&org).await.status, 403, "not a member");
    let p = outsider.post(&format!("{org}/invitations"), &[("email", "x@example.org")]).await;
    assert_eq!(p.status, 403, "only members invite");
    let p = outsider.post("/invitations", &[("token", &token)]).await;
    assert_eq!(p.status, 403, "the invitation is for another address");

    let mut joiner = Browser::new(&app);
    joiner.sign_up_and_log_in("joiner@example.org").await;
    let p = joiner.get(&format!("/invitations?token={token}")).await;
    assert!(p.body.contains("Good Apps") && p.body.contains("Accept the invitation"), "{}", p.body);
    let p = joiner.post("/invitations", &[("token", &token)]).await;
    assert_eq!(p.location.as_deref(), Some(org.as_str()), "{}", p.body);
    let p = joiner.get(&org).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("joiner@example.org") && p.body.contains("owner@example.org"));
    let p = joiner.post("/invitations", &[("token", &token)]).await;
    assert_eq!(p.status, 404, "an invitation works once");

    // A member cannot remove others; the owner can, but not leave as the last owner.
    let joiner_id = member_id(&app, "joiner@example.org").await;
    let owner_id = member_id(&app, "owner@example.org").await;
    assert_eq!(joiner.post(&format!("{org}/members/{owner_id}/remove"), &[]).await.status, 403);
    assert_eq!(owner.post(&format!("{org}/members/{owner_id}/remove"), &[]).await.status, 409);
    let p = owner.post(&format!("{org}/owner"), &[("account_id", &joiner_id.to_string())]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(owner.post(&format!("{org}/members/{joiner_id}/remove"), &[]).await.status, 403, "no longer the owner");
    assert_eq!(owner.post(&format!("{org}/members/{owner_id}/remove"), &[]).await.status, 303, "leaving");
}

pub async fn member_id(app: &TestApp, email: &str) -> i32 {
    app::server::entities::account::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.email == email)
        .unwrap()
        .id
}

async fn log_in_is_limited_per_account_and_per_client(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    // The client's allowance refills one log-in every 6 s of real time, so a slow run (a debug
    // build beside other tests) may earn one more before the limit.
    let started = std::time::Instant::now();
    for _ in 0..5 {
        let p = b.post("/login", &[("email", "target@example.org"), ("password", "guess")]).await;
        assert_eq!(p.status, 401);
    }
    let p = b.post("/login", &[("email", "target@example.org"), ("password", "guess")]).await;
    assert_eq!(p.status, 429, "per account");
    let wait: u64 = p.retry_after.as_deref().and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((60..=120).contains(&wait), "{wait}");
    assert!(p.body.contains("try again in 2 minutes"), "{}", p.body);
    // Other accounts from the same client, until the client's own limit.
    let mut statuses = Vec::new();
    for i in 0..6 {
        let email = format!("other{i}@example.org");
        statuses.push(b.post("/login", &[("email", &email), ("password", "guess")]).await.status);
    }
    let refilled = (started.elapsed().as_secs() / 6) as usize;
    let allowed = statuses.iter().take_while(|s| **s == 401).count();
    assert!((4..=4 + refilled).contains(&allowed) && allowed < 6, "per client: 10 at once: {statuses:?}");
    assert!(statuses[allowed..].iter().all(|s| *s == 429), "per client: 10 at once: {statuses:?}");
    // An account form's body is small: 16 KB at most.
    let big = "x".repeat(17 * 1024);
    let p = Browser::new(&app).post("/signup", &[("email", "a@example.org"), ("password", &big)]).await;
    assert_eq!(p.status, 413);
}

on_both_databases!(organizations_acting_withdrawing_and_deleting_an_account);

/// Switching the organization acted for, withdrawing an invitation, the re-invite wait, session
/// expiry by fixed clocks, and what deleting an account hands on.
async fn organizations_acting_withdrawing_and_deleting_an_account(backend: Backend) {
    use app::server::entities::{invitation, membership, organization};
    use app::server::services::accounts::sessions;
    use sea_orm::{ColumnTrait, QueryFilter};
    let app = spawn_app(backend).await;
    let mut ana = Browser::new(&app);
    ana.sign_up_and_log_in("ana@example.org").await;
    let shared = ana.post("/orgs", &[("name", "Shared Apps"), ("kind", "developer")]).await.location.unwrap();
    let solo = ana.post("/orgs", &[("name", "Solo Payer"), ("kind", "payer")]).await.location.unwrap();
    let mut ben = Browser::new(&app);
    ben.sign_up_and_log_in("ben@example.org").await;
    let other = ben.post("/orgs", &[("name", "Ben Only"), ("kind", "developer")]).await.location.unwrap();

    // Acting for: a member's organization, none, or (refused) someone else's.
    let shared_id = shared.trim_start_matches("/orgs/");
    assert_eq!(ana.post("/account/acting", &[("organization", shared_id)]).await.status, 303);
    assert!(ana.get("/").await.body.contains("for Shared Apps"));
    assert!(ana.get("/account").await.body.contains("payer"), "a payer organization makes a payer");
    assert_eq!(ana.post("/account/acting", &[("organization", "")]).await.status, 303);
    assert!(!ana.get("/").await.body.contains("for Shared Apps"));
    let p = ana.post("/account/acting", &[("organization", other.trim_start_matches("/orgs/"))]).await;
    assert_eq!(p.status, 403);

    // Invite, the 10-minute wait, withdraw (the link dies), invite Ben for real.
    ana.post(&format!("{shared}/invitations"), &[("email", "cara@example.org")]).await;
    let cara_link = link_token(&last_mail(&app, "cara@example.org").await, "/invitations?token=");
    // (Through the service: the test's one client address has 5 account mails a minute.)
    let now = chrono::Utc::now().timestamp();
    let session = sessions::load(&app.db, ana.cookie.as_deref().unwrap(), now).await.unwrap().unwrap();
    let actor = Actor::account(session.viewer, "127.0.0.1");
    let org_id: i32 = shared.trim_start_matches("/orgs/").parse().unwrap();
    let again = app::server::services::organizations::invite(
        &app.db,
        &actor,
        "https://signpost.test",
        org_id,
        "cara@example.org",
        now,
    )
    .await
    .unwrap();
    assert!(matches!(again, app::server::services::organizations::InviteOutcome::Invalid(_)), "re-invited too soon");
    let inv = invitation::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(ana.post(&format!("{shared}/invitations/{}/revoke", inv.id), &[]).await.status, 303);
    let p = Browser::new(&app).get(&format!("/invitations?token={cara_link}")).await;
    assert!(p.body.contains("This invitation is not valid"), "withdrawn");
    ana.post(&format!("{shared}/invitations"), &[("email", "ben@example.org")]).await;
    let ben_link = link_token(&last_mail(&app, "ben@example.org").await, "/invitations?token=");
    assert_eq!(ben.post("/invitations", &[("token", &ben_link)]).await.status, 303);

    // Ben invites Ana elsewhere: her address is in that entry's "after".
    assert_eq!(ben.post(&format!("{other}/invitations"), &[("email", "ana@example.org")]).await.status, 200);

    // Sessions end after 7 idle days (fixed clocks).
    let cookie = ana.cookie.clone().unwrap();
    assert!(sessions::load(&app.db, &cookie, now + 6 * 86_400).await.unwrap().is_some());
    let mut other_browser = Browser::new(&app);
    other_browser.log_in("ana@example.org", PASSWORD).await;
    let second = other_browser.cookie.clone().unwrap();
    assert!(sessions::load(&app.db, &second, now + 7 * 86_400 + 1).await.unwrap().is_none(), "idle a week");
    // ... and after 30 days however often they are used.
    let mut third = Browser::new(&app);
    third.log_in("ana@example.org", PASSWORD).await;
    let third = third.cookie.clone().unwrap();
    for day in [6, 12, 18, 24, 29] {
        assert!(sessions::load(&app.db, &third, now + day * 86_400).await.unwrap().is_some(), "day {day}");
    }
    assert!(sessions::load(&app.db, &third, now + 30 * 86_400 + 1).await.unwrap().is_none(), "30 days in all");

    // Ana deletes her account: Ben owns Shared Apps now, Solo Payer is gone, her entries stay
    // without her address.
    let p = ana.post("/account/delete", &[("delete_password", "wrong")]).await;
    assert_eq!(p.status, 400);
    let p = ana.post("/account/delete", &[("delete_password", PASSWORD)]).await;
    assert_eq!(p.location.as_deref(), Some("/login?deleted=1"), "{}", p.body);
    let orgs: Vec<String> =
        organization::Entity::find().all(&app.db).await.unwrap().into_iter().map(|o| o.name).collect();
    assert!(orgs.contains(&"Shared Apps".to_string()) && !orgs.contains(&"Solo Payer".to_string()), "{orgs:?}");
    let shared_members = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(shared_id.parse::<i32>().unwrap()))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(shared_members.len(), 1);
    assert_eq!(shared_members[0].role, app::types::accounts::MemberRole::Owner, "handed to the other member");
    let log = audit_log::Entity::find().all(&app.db).await.unwrap();
    assert!(!log.iter().any(|e| e.actor_email == "ana@example.org"), "anonymised actor");
    let texts: Vec<String> = log
        .iter()
        .map(|e| format!("{} {}", e.before.clone().unwrap_or_default(), e.after.clone().unwrap_or_default()))
        .collect();
    assert!(!texts.iter().any(|t| t.contains("ana@example.org")), "and before/after: {texts:?}");
    assert!(texts.iter().any(|t| t.contains("deleted account #")), "{texts:?}");
    assert!(log.iter().any(|e| e.actor_email.starts_with("deleted account #")));
    assert!(
        invitation::Entity::find()
            .filter(invitation::Column::Email.eq("ana@example.org"))
            .all(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
    let p = Browser::new(&app).post("/login", &[("email", "ana@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(p.status, 401);
    assert_eq!(ben.get(&solo).await.status, 403, "gone, and Ben was never in it");
}

on_both_databases!(ceilings_and_a_password_changed_during_log_in);

/// The 50-open-invitations cap, the 50-attempts ceiling per account across clients, and a
/// log-in whose password check raced a password change.
async fn ceilings_and_a_password_changed_during_log_in(backend: Backend) {
    use app::server::services::accounts::login::{Attempt, LogInOutcome, LoginLimits, log_in};
    use app::server::services::accounts::password::PasswordHashString;
    use app::server::services::accounts::sessions;
    use app::server::services::organizations::{InviteOutcome, invite};
    let app = spawn_app(backend).await;
    let mut ana = Browser::new(&app);
    ana.sign_up_and_log_in("ana@example.org").await;
    let org = ana.post("/orgs", &[("name", "Busy Apps"), ("kind", "developer")]).await.location.unwrap();
    let org_id: i32 = org.trim_start_matches("/orgs/").parse().unwrap();
    let now = chrono::Utc::now().timestamp();
    let session = sessions::load(&app.db, ana.cookie.as_deref().unwrap(), now).await.unwrap().unwrap();
    let actor = Actor::account(session.viewer, "127.0.0.1");
    for i in 0..50 {
        let out = invite(&app.db, &actor, "https://signpost.test", org_id, &format!("p{i}@example.org"), now).await;
        assert!(matches!(out.unwrap(), InviteOutcome::Sent { .. }), "invitation {i}");
    }
    let out = invite(&app.db, &actor, "https://signpost.test", org_id, "p50@example.org", now).await.unwrap();
    let InviteOutcome::Invalid(errors) = out else { panic!("the 51st open invitation") };
    assert!(format!("{errors:?}").contains("50 open invitations"), "{errors:?}");

    // 50 wrong guesses at one account from 50 addresses; the 51st address waits too, even with
    // the right password.
    // The standard ceiling of 50, refilled slowly enough that 50 debug-build password hashes on
    // a loaded machine (which can take longer than its 20 seconds) cannot refill it mid-test.
    let limits = LoginLimits {
        per_address: app::server::rate_limit::AccountLimiter::new(50, std::time::Duration::from_secs(3600)),
        ..LoginLimits::standard()
    };
    let attempt = |client: std::net::IpAddr, password: &'static str| Attempt {
        email: "ana@example.org",
        password,
        client,
        user_agent: "t",
    };
    for i in 0..50u8 {
        let client = std::net::IpAddr::from([10, 0, 1, i]);
        let out = log_in(&app.db, &limits, "https://signpost.test", attempt(client, "wrong guess"), now).await;
        assert!(matches!(out.unwrap(), LogInOutcome::Failed), "guess {i}");
    }
    let fresh = std::net::IpAddr::from([10, 0, 2, 1]);
    let out = log_in(&app.db, &limits, "https://signpost.test", attempt(fresh, PASSWORD), now).await.unwrap();
    assert!(matches!(out, LogInOutcome::Limited(w) if w >= 1), "the ceiling across clients");

    // A log-in checked the old password, then the password changed before its session began:
    // no session for the old password.
    let account = app::server::entities::account::Entity::find_by_id(actor.account_id().unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let old = PasswordHashString(account.password_hash.clone().unwrap());
    let p = ana
        .post("/account/password", &[("current_password", PASSWORD), ("new_password", "another horse battery staple")])
        .await;
    assert!(p.status == 200 && p.body.contains("Your password is changed"), "{}", p.status);
    let late = sessions::start(&app.db, account.id, &old, None, "127.0.0.1", "t", now).await.unwrap();
    assert!(late.is_none(), "a session for a password that no longer is");
    let changed = app::server::entities::account::Entity::find_by_id(account.id).one(&app.db).await.unwrap().unwrap();
    let new = PasswordHashString(changed.password_hash.unwrap());
    assert!(sessions::start(&app.db, account.id, &new, None, "127.0.0.1", "t", now).await.unwrap().is_some());
}
