//! Accounts end to end over HTTP, on both databases: sign-up, the verification mail, log-in
//! and out, reset, address change, sessions and their ids.
use super::browser::{Browser, COOKIE, PASSWORD, last_mail, link_token, mails_to};
use super::helpers::{Backend, TestApp, spawn_app};
use app::server::entities::{account, login_session};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use signpost::mailer::{MailConfig, MailTransport, Mailer};

async fn sessions_of(app: &TestApp, email: &str) -> u64 {
    let a = account::Entity::find().filter(account::Column::Email.eq(email)).one(&app.db).await.unwrap().unwrap();
    login_session::Entity::find().filter(login_session::Column::AccountId.eq(a.id)).count(&app.db).await.unwrap()
}

on_both_databases!(
    sign_up_verify_log_in_and_out,
    a_stranger_who_signs_up_first_never_sets_the_password,
    reset_by_link,
    change_email,
    session_ids_change_and_password_change_ends_other_sessions,
);

async fn sign_up_verify_log_in_and_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    let email = "ana@example.org";
    let p = b.get("/signup").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains(r#"id="signup-email""#) && p.body.contains(r#"for="signup-email""#), "labelled fields");
    let p = b.post("/signup", &[("email", "Ana@Example.org"), ("password", PASSWORD)]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Check your inbox at ana@example.org"), "{}", p.body);
    assert!(b.cookie.is_none(), "signing up does not sign in");

    let token = link_token(&last_mail(&app, email).await, "/verify?token=");
    assert_eq!(token.len(), 64, "256-bit token");
    let stored = app::server::entities::account_token::Entity::find().all(&app.db).await.unwrap();
    assert!(stored.iter().all(|t| t.token_hash != token), "only the hash is stored");

    // The verification mail reaches the outbox folder, and the outbox row keeps no link.
    let mail = MailConfig { transport: MailTransport::Folder(app.mail_dir.clone()), from: "t@signpost.test".into() };
    Mailer::new(app.db.clone(), app.alerts.clone(), &mail).unwrap().run_once().await.unwrap();
    let files: Vec<String> = std::fs::read_dir(&app.mail_dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(files.iter().any(|f| f.contains("To: ana@example.org") && f.contains("Confirm your address")), "{files:?}");
    assert!(!last_mail(&app, email).await.contains(&token), "the sent mail's text is not kept");

    // Before the address is confirmed, the right password does not sign in.
    let p = b.post("/login", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(p.status, 403, "{}", p.body);
    assert!(p.body.contains("Confirm your address first"));

    // Opening the link changes nothing; its button, with the password chosen, does.
    let p = b.get(&format!("/verify?token={token}")).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("Confirm my address"), "{}", p.body);
    let p = b.post("/verify", &[("token", &token), ("password", "not the one chosen")]).await;
    assert_eq!(p.status, 401, "the link needs the password chosen with it");
    let p = b.post("/verify", &[("token", &token), ("password", PASSWORD)]).await;
    assert_eq!((p.status, p.location.as_deref()), (303, Some("/account?welcome=1")), "{}", p.body);
    assert!(b.cookie.is_some(), "confirming signs in");
    assert!(b.get("/account?welcome=1").await.body.contains("Your address is confirmed"));
    let p = b.post("/verify", &[("token", &token), ("password", PASSWORD)]).await;
    assert_eq!(p.status, 404, "a link works once");
    b.post("/logout", &[]).await;

    let p = b.post("/login", &[("email", email), ("password", PASSWORD), ("next", "//evil.example/x")]).await;
    assert_eq!((p.status, p.location.as_deref()), (303, Some("/account")), "no redirect off the site");
    let cookie = p.set_cookie.iter().find(|c| c.starts_with(COOKIE)).expect("a session cookie");
    for part in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    let p = b.get("/account").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Signed in as") && p.body.contains(email));
    assert!(p.body.contains("TestBrowser/1"), "the session list");
    let p = b.get("/").await;
    assert!(p.body.contains("account-nav") && p.body.contains(email), "the header says who is signed in");

    let old = b.cookie.clone();
    let p = b.post("/logout", &[]).await;
    assert_eq!(p.status, 303);
    assert!(p.set_cookie.iter().any(|c| c.contains("Max-Age=0")), "{:?}", p.set_cookie);
    b.cookie = old;
    let p = b.get("/account").await;
    assert_eq!(p.status, 401, "the old cookie is dead");
    assert_eq!(sessions_of(&app, email).await, 0);
}

async fn reset_by_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = "ben@example.org";
    let mut b = Browser::new(&app);
    b.sign_up_and_log_in(email).await;
    let mut other = Browser::new(&app);
    other.log_in(email, PASSWORD).await;
    assert_eq!(sessions_of(&app, email).await, 2);

    let mut anon = Browser::new(&app);
    let p = anon.post("/forgot", &[("email", email)]).await;
    assert_eq!(p.status, 200);
    let token = link_token(&last_mail(&app, email).await, "/reset?token=");
    let p = anon.post("/reset", &[("token", &token), ("password", "password123")]).await;
    assert_eq!(p.status, 400, "a weak password is refused");
    assert!(p.body.contains("too easy to guess"), "with a reason");
    let p = anon.post("/reset", &[("token", &token), ("password", "a new and longer passphrase")]).await;
    assert_eq!(
        (p.status, p.location.as_deref()),
        (303, Some("/login?reset=1")),
        "the refused try did not spend the link"
    );
    assert_eq!(sessions_of(&app, email).await, 0, "every session ended");
    let p = anon.post("/reset", &[("token", &token), ("password", "yet another good passphrase")]).await;
    assert_eq!(p.status, 404, "once");
    let p = anon.post("/login", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(p.status, 401);
    anon.log_in(email, "a new and longer passphrase").await;
    assert!(mails_to(&app, email).await.iter().any(|(s, _)| s.contains("password was changed")));

    // A reset link lasts an hour (fixed clocks).
    use app::server::services::accounts::recovery::{forgot, preview_reset};
    use app::server::services::accounts::signup::LinkOutcome;
    let asked = chrono::Utc::now().timestamp() + 600;
    forgot(&app.db, "https://signpost.test", email, asked).await.unwrap();
    let fresh = link_token(&last_mail(&app, email).await, "/reset?token=");
    assert_ne!(fresh, token);
    assert!(matches!(preview_reset(&app.db, &fresh, asked + 3599).await.unwrap(), LinkOutcome::Done { .. }));
    assert_eq!(preview_reset(&app.db, &fresh, asked + 3600).await.unwrap(), LinkOutcome::Invalid);
}

async fn change_email(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut b = Browser::new(&app);
    b.sign_up_and_log_in("cara@example.org").await;
    let p = b.post("/account/email", &[("email", "cara@new.example"), ("current_password", "wrong")]).await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("not your current password"));
    let p = b.post("/account/email", &[("email", "cara@new.example"), ("current_password", PASSWORD)]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        mails_to(&app, "cara@example.org").await.iter().any(|(s, _)| s.contains("being changed")),
        "the old address is told"
    );
    let token = link_token(&last_mail(&app, "cara@new.example").await, "/account/email/confirm?token=");
    let p = b.get("/account").await;
    assert!(p.body.contains("Waiting for") && p.body.contains("cara@new.example"));
    let p = b.post("/account/email/confirm", &[("token", &token)]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = b.get("/account").await;
    assert!(p.body.contains("cara@new.example") && !p.body.contains("Waiting for"), "{}", p.body);
    let mut fresh = Browser::new(&app);
    fresh.log_in("cara@new.example", PASSWORD).await;
    let p = Browser::new(&app).post("/login", &[("email", "cara@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(p.status, 401, "the old address no longer logs in");
    assert!(mails_to(&app, "cara@example.org").await.iter().any(|(s, _)| s.contains("address was changed")));
}

async fn session_ids_change_and_password_change_ends_other_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = "dee@example.org";
    let mut a = Browser::new(&app);
    a.sign_up_and_log_in(email).await;
    let first = a.cookie.clone().unwrap();
    a.log_in(email, PASSWORD).await;
    let second = a.cookie.clone().unwrap();
    assert_ne!(first, second, "a new session id on log-in");
    let mut stale = Browser::new(&app);
    stale.cookie = Some(first);
    assert_eq!(stale.get("/account").await.status, 401, "the session it replaced is gone");

    // Creating an organization changes the session's privileges, and so its id.
    let p = a.post("/orgs", &[("name", "Dee Apps"), ("kind", "developer")]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let third = a.cookie.clone().unwrap();
    assert_ne!(second, third);
    assert!(a.get("/").await.body.contains("for Dee Apps"), "the header names the organization acted for");

    let mut b = Browser::new(&app);
    b.log_in(email, PASSWORD).await;
    let p = a
        .post("/account/password", &[("current_password", PASSWORD), ("new_password", "another fine passphrase")])
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_ne!(a.cookie.as_deref(), Some(third.as_str()), "a new id for the session that changed it");
    assert_eq!(a.get("/account").await.status, 200, "it stays signed in");
    assert_eq!(b.get("/account").await.status, 401, "every other session ended");

    let p = a.post("/account/sessions/end", &[]).await;
    assert_eq!(p.status, 303);
    assert_eq!(sessions_of(&app, email).await, 0, "log out everywhere");
}

/// Someone signs up first with another's address and a password of their own: whatever link the
/// address's owner opens, the stranger's password never becomes the account's.
async fn a_stranger_who_signs_up_first_never_sets_the_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = "owner@example.org";
    let mut stranger = Browser::new(&app);
    let p = stranger.post("/signup", &[("email", email), ("password", "the strangers own passphrase")]).await;
    assert_eq!(p.status, 200);
    let strangers_link = link_token(&last_mail(&app, email).await, "/verify?token=");
    let mut owner = Browser::new(&app);
    let p = owner.post("/signup", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(p.status, 200);
    let owners_link = link_token(&last_mail(&app, email).await, "/verify?token=");
    assert_ne!(strangers_link, owners_link);
    // The owner opens the first mail with their own password: refused, and nothing changes.
    let p = owner.post("/verify", &[("token", &strangers_link), ("password", PASSWORD)]).await;
    assert_eq!(p.status, 401);
    let p = owner.post("/verify", &[("token", &owners_link), ("password", PASSWORD)]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = stranger.post("/login", &[("email", email), ("password", "the strangers own passphrase")]).await;
    assert_eq!(p.status, 401, "the stranger's password never worked");
    let p = stranger.post("/verify", &[("token", &strangers_link), ("password", "the strangers own passphrase")]).await;
    assert_eq!(p.status, 404, "and the stranger's link died with the confirmation");
    Browser::new(&app).log_in(email, PASSWORD).await;
}
