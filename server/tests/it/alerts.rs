//! Email alerts end to end, on SQLite and PostgreSQL: subscribing through the site's server
//! function (double opt-in), the poller's transitions against a real HTTPS fake, the outbox,
//! mail written by the app, and the unsubscribe links. One test sends through a real SMTP server
//! process (Python's aiosmtpd) on loopback and reads the message back from its maildir.

use crate::helpers::{
    Backend, TestApp, fake, import_urls, loopback_policy, spawn_app, spawn_app_mailing, spawn_app_with,
};
use app::server::entities::{alert_event, brand_endpoint, mail_outbox, subscription};
use app::server::net::client::SafeClient;
use app::server::services::polling::{Claim, PollSettings};
use app::server::services::{outbox, subscriptions};
use app::types::alerts::{SubscribeOutcome, TargetKind};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use signpost::fake_fhir::{CertKind, TestCa};
use signpost::mailer::{MailConfig, MailTransport, Mailer};
use signpost::poller::Poller;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A mail as read back from a file: unfolded headers (lower-case names) and the decoded body.
#[derive(Debug)]
struct Mail {
    headers: BTreeMap<String, String>,
    body: String,
}

impl Mail {
    fn parse(raw: &str) -> Mail {
        let raw = raw.replace("\r\n", "\n");
        let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
        let mut headers = BTreeMap::new();
        let mut last: Option<String> = None;
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some(name) = &last {
                    headers
                        .entry(name.clone())
                        .and_modify(|v: &mut String| v.push_str(line.trim_start_matches(['\t'])));
                }
            } else if let Some((name, value)) = line.split_once(':') {
                let name = name.trim().to_ascii_lowercase();
                headers.insert(name.clone(), value.trim().to_string());
                last = Some(name);
            }
        }
        let qp = headers.get("content-transfer-encoding").is_some_and(|e| e.eq_ignore_ascii_case("quoted-printable"));
        let body = if qp { decode_quoted_printable(body) } else { body.to_string() };
        Mail { headers, body }
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or_default()
    }

    /// The first link in the body that starts with `prefix`.
    fn link(&self, prefix: &str) -> String {
        let start = self.body.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in:\n{}", self.body));
        self.body[start..].split_whitespace().next().unwrap_or_default().to_string()
    }
}

fn decode_quoted_printable(s: &str) -> String {
    let joined = s.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let Some(hex) = joined.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Mails that appeared in `dir` since the last call.
fn new_mails(dir: &Path, seen: &mut HashSet<PathBuf>) -> Vec<Mail> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    paths.sort();
    for path in paths {
        if seen.insert(path.clone()) {
            out.push(Mail::parse(&std::fs::read_to_string(&path).expect("a readable mail")));
        }
    }
    out
}

fn to(mails: &[Mail], address: &str) -> Vec<String> {
    mails.iter().filter(|m| m.header("to").contains(address)).map(|m| m.header("subject").to_string()).collect()
}

/// Sends everything due, and waits for the app's own background mailer to finish any mail it
/// had taken (both share the outbox through leases).
async fn deliver(app: &TestApp, mail: &MailConfig) {
    Mailer::new(app.db.clone(), app.alerts.clone(), mail).unwrap().run_once().await.expect("mail round");
    let pending =
        mail_outbox::Entity::find().filter(mail_outbox::Column::SentAt.is_null()).count(&app.db).await.unwrap();
    assert_eq!(pending, 0, "every queued mail is sent in one round");
}

fn poller(app: &TestApp, ca: &TestCa) -> Poller {
    let settings = PollSettings { interval_secs: 3600, down_after: 2, ..PollSettings::default() };
    Poller::new(
        app.db.clone(),
        SafeClient::new(loopback_policy(ca)).unwrap(),
        settings,
        2,
        "https://signpost.test".into(),
    )
}

async fn poll_one(p: &Poller, id: i32) {
    assert_eq!(p.poll(Claim::One(id), |_| {}).await.unwrap().checked, 1);
}

async fn subscribe_on_site(app: &TestApp, email: &str, kind: &str, id: i32) -> reqwest::Response {
    let id = id.to_string();
    app.client
        .post(app.url("/api/subscribe"))
        .header("Accept", "application/json")
        .form(&[("email", email), ("kind", kind), ("id", id.as_str())])
        .send()
        .await
        .unwrap()
}

/// Opens a link from a mail on the test app (mails carry the configured public address).
/// Opens a link from a mail as a person does: the GET shows a page with a button (and does
/// nothing, since mail scanners open links too), then the button posts the form.
async fn open(app: &TestApp, link: &str) -> (u16, String) {
    let local = link.replace("https://signpost.test", &app.base);
    let r = app.client.get(&local).send().await.unwrap();
    let (status, page) = (r.status().as_u16(), r.text().await.unwrap());
    let form = "<form method=\"post\" action=\"";
    let Some(at) = page.find(form) else { return (status, page) };
    let action = &page[at + form.len()..];
    let action = &action[..action.find('"').unwrap()];
    let token = local.split("token=").nth(1).unwrap_or_default();
    let r = app.client.post(app.url(action)).form(&[("token", token)]).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn subscribers_hear_each_transition_once_and_can_leave(backend: Backend) {
    let app = spawn_app_with(backend, false).await;
    let mail = MailConfig {
        transport: MailTransport::Folder(app.mail_dir.clone()),
        from: "Signpost <s@signpost.test>".into(),
    };
    let ca = TestCa::new();
    let server = fake(&ca, CertKind::Valid, Duration::ZERO).await;
    let url = server.https_base("ok");
    let eid = import_urls(&app, std::slice::from_ref(&url)).await[url.trim_end_matches('/')];
    let brand_id = brand_endpoint::Entity::find()
        .filter(brand_endpoint::Column::EndpointId.eq(eid))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the endpoint's brand")
        .brand_id;

    // Three subscriptions through the site; the fourth request in a row is rate-limited.
    for (email, kind, id) in [
        ("Ana@Example.org", "endpoint", eid),
        ("bo@example.org", "brand", brand_id),
        ("cy@example.org", "endpoint", eid),
    ] {
        let r = subscribe_on_site(&app, email, kind, id).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<SubscribeOutcome>().await.unwrap(), SubscribeOutcome::Pending);
    }
    let limited = subscribe_on_site(&app, "dee@example.org", "endpoint", eid).await;
    assert_eq!(limited.status(), 429);
    assert!(matches!(limited.json::<SubscribeOutcome>().await.unwrap(), SubscribeOutcome::RateLimited(_)));
    // What the server refuses (the service behind the form).
    let now = chrono::Utc::now().timestamp();
    let bad = subscriptions::subscribe(&app.db, &app.alerts, "not an address", TargetKind::Endpoint, eid, now).await;
    assert!(matches!(bad.unwrap(), SubscribeOutcome::InvalidEmail(_)));
    let missing = subscriptions::subscribe(&app.db, &app.alerts, "e@example.org", TargetKind::Endpoint, 999_999, now);
    assert_eq!(missing.await.unwrap(), SubscribeOutcome::NotFound);
    // Asking again at once sends no second confirmation.
    subscriptions::subscribe(&app.db, &app.alerts, "ana@example.org", TargetKind::Endpoint, eid, now).await.unwrap();

    deliver(&app, &mail).await;
    let mut seen = HashSet::new();
    let confirmations = new_mails(&app.mail_dir, &mut seen);
    assert_eq!(confirmations.len(), 3, "{confirmations:#?}");
    for who in ["ana@example.org", "bo@example.org"] {
        let m = confirmations.iter().find(|m| m.header("to").contains(who)).expect("a confirmation");
        assert!(m.header("subject").starts_with("Confirm Signpost alerts"), "{}", m.header("subject"));
        assert!(m.header("list-unsubscribe").contains("/alerts/unsubscribe/one-click?token="));
        let (status, page) = open(&app, &m.link("https://signpost.test/alerts/confirm?token=")).await;
        assert_eq!(status, 200);
        assert!(page.contains("are on"), "{page}");
    }
    // A forged or altered token confirms nothing.
    let (_, page) = open(&app, "https://signpost.test/alerts/confirm?token=1.00ff").await;
    assert!(page.contains("not valid"), "{page}");

    // Up: nothing to say. Down after two failures: one mail to each confirmed subscriber (the
    // brand's too), none to the unconfirmed one, and no repeat while it stays down.
    let p = poller(&app, &ca);
    poll_one(&p, eid).await;
    server.set_outage(true);
    poll_one(&p, eid).await;
    deliver(&app, &mail).await;
    assert!(new_mails(&app.mail_dir, &mut seen).is_empty(), "one failure is not down yet");
    poll_one(&p, eid).await;
    poll_one(&p, eid).await;
    deliver(&app, &mail).await;
    let down = new_mails(&app.mail_dir, &mut seen);
    assert_eq!(down.len(), 2, "{down:#?}");
    assert!(to(&down, "ana@example.org")[0].ends_with("is down"));
    assert!(to(&down, "bo@example.org")[0].ends_with("is down"));
    assert!(down[0].body.contains("HTTP 500") || down[0].body.contains("500"), "{}", down[0].body);

    server.set_outage(false);
    poll_one(&p, eid).await;
    deliver(&app, &mail).await;
    let recovered = new_mails(&app.mail_dir, &mut seen);
    assert_eq!(recovered.len(), 2);
    assert!(recovered.iter().all(|m| m.header("subject").ends_with("has recovered")));

    // The smart-configuration stops offering standalone launch: a conformance regression.
    let smart = crate::helpers::fixture("smart/cerner-smart-configuration.json");
    let mut smart: serde_json::Value = serde_json::from_slice(&smart).unwrap();
    smart["capabilities"].as_array_mut().unwrap().retain(|c| c != "launch-standalone");
    server.set_smart(Some(smart.to_string()));
    poll_one(&p, eid).await;
    deliver(&app, &mail).await;
    let regression = new_mails(&app.mail_dir, &mut seen);
    assert_eq!(regression.len(), 2);
    assert!(regression[0].header("subject").contains("no longer passes part of the CARIN scorecard"));
    assert!(regression[0].body.contains("capability:launch-standalone"), "{}", regression[0].body);

    // Every event is stored once, and each was fanned out.
    let kinds: Vec<String> =
        alert_event::Entity::find().all(&app.db).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["down", "recovered", "regression"]);

    // Leaving: Ana by the link in the mail body, Bo by the one-click POST of RFC 8058.
    let ana = regression.iter().find(|m| m.header("to").contains("ana@example.org")).unwrap();
    let (status, page) = open(&app, &ana.link("https://signpost.test/alerts/unsubscribe?token=")).await;
    assert_eq!(status, 200);
    assert!(page.contains("You are unsubscribed"), "{page}");
    let bo = regression.iter().find(|m| m.header("to").contains("bo@example.org")).unwrap();
    let one_click = bo.header("list-unsubscribe").trim_matches(['<', '>']).replace("https://signpost.test", &app.base);
    let r = app.client.post(&one_click).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let again = app.client.post(&one_click).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(again.status(), 404, "a used link is gone");
    let left: Vec<String> =
        subscription::Entity::find().all(&app.db).await.unwrap().into_iter().map(|s| s.email).collect();
    assert_eq!(left, ["cy@example.org"], "the addresses that left are deleted");

    server.set_outage(true);
    poll_one(&p, eid).await;
    poll_one(&p, eid).await;
    deliver(&app, &mail).await;
    assert!(new_mails(&app.mail_dir, &mut seen).is_empty(), "no mail after unsubscribing");
    assert_eq!(alert_event::Entity::find().count(&app.db).await.unwrap(), 4, "the event is still recorded");
}

/// A free loopback port for a child process to bind.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct SmtpServer {
    child: std::process::Child,
    maildir: tempfile::TempDir,
    url: String,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Python's aiosmtpd (Debian's python3-aiosmtpd, installed by `scripts/setup --test`), storing
/// what it receives in a maildir.
async fn spawn_smtp() -> SmtpServer {
    let maildir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = std::process::Command::new("/usr/bin/python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        // Python's Maildir makes its cur/new/tmp only when it creates the folder itself.
        .arg(maildir.path().join("mail"))
        .spawn()
        .expect("run /usr/bin/python3 -m aiosmtpd (scripts/setup --test installs python3-aiosmtpd)");
    let server = SmtpServer { child, maildir, url: format!("smtp://127.0.0.1:{port}") };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("aiosmtpd did not start listening on {port}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_warning_goes_through_a_real_smtp_server() {
    let smtp = spawn_smtp().await;
    let ca = TestCa::new();
    let app = spawn_app_mailing(Backend::Sqlite, false, loopback_policy(&ca), Some(smtp.url.clone())).await;
    let mail =
        MailConfig { transport: MailTransport::Smtp(smtp.url.clone()), from: "Signpost <s@signpost.test>".into() };
    let server = fake(&ca, CertKind::ExpiresIn(5), Duration::ZERO).await;
    let url = server.https_base("ok");
    let eid = import_urls(&app, std::slice::from_ref(&url)).await[url.trim_end_matches('/')];

    let r = subscribe_on_site(&app, "ops@payer.example", "endpoint", eid).await;
    assert_eq!(r.json::<SubscribeOutcome>().await.unwrap(), SubscribeOutcome::Pending);
    deliver(&app, &mail).await;
    let inbox = smtp.maildir.path().join("mail").join("new");
    let mut seen = HashSet::new();
    let confirmation = new_mails(&inbox, &mut seen);
    assert_eq!(confirmation.len(), 1, "the confirmation went through SMTP");
    assert!(confirmation[0].header("x-rcptto").contains("ops@payer.example"), "{:?}", confirmation[0].headers);
    let (status, _) = open(&app, &confirmation[0].link("https://signpost.test/alerts/confirm?token=")).await;
    assert_eq!(status, 200);

    let p = poller(&app, &ca);
    poll_one(&p, eid).await;
    // Checked again with the same certificate: the 7-day warning is not repeated.
    poll_one(&p, eid).await;
    deliver(&app, &mail).await;
    let warnings = new_mails(&inbox, &mut seen);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let w = &warnings[0];
    assert!(w.header("subject").ends_with("has a TLS certificate expiring within 7 days"), "{}", w.header("subject"));
    assert!(w.body.contains("(5 days left)"), "{}", w.body);
    assert!(w.header("list-unsubscribe").starts_with("<https://signpost.test/alerts/unsubscribe/one-click?token="));
    assert_eq!(w.header("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
    assert!(w.header("message-id").starts_with("<outbox-"));
    let sent =
        mail_outbox::Entity::find().filter(mail_outbox::Column::SentAt.is_not_null()).count(&app.db).await.unwrap();
    assert_eq!(sent, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_mail_stays_in_the_outbox_to_retry() {
    // Nothing listens on this port: the mail is kept with the error, to be tried again later.
    let dead = format!("smtp://127.0.0.1:{}", free_port());
    let ca = TestCa::new();
    let app = spawn_app_mailing(Backend::Sqlite, false, loopback_policy(&ca), Some(dead.clone())).await;
    let server = fake(&ca, CertKind::Valid, Duration::ZERO).await;
    let url = server.https_base("ok");
    let eid = import_urls(&app, std::slice::from_ref(&url)).await[url.trim_end_matches('/')];
    let now = chrono::Utc::now().timestamp();
    subscriptions::subscribe(&app.db, &app.alerts, "ops@payer.example", TargetKind::Endpoint, eid, now).await.unwrap();
    let mail = MailConfig { transport: MailTransport::Smtp(dead), from: "Signpost <s@signpost.test>".into() };
    let failed = || {
        let text = signpost::telemetry::metrics().render();
        text.lines()
            .find_map(|l| l.strip_prefix(r#"signpost_mails_total{result="failed"} "#)?.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let before = failed();
    Mailer::new(app.db.clone(), app.alerts.clone(), &mail).unwrap().run_once().await.unwrap();
    assert!(failed() >= before + 1.0, "the failed attempt is counted");
    let row = mail_outbox::Entity::find().one(&app.db).await.unwrap().expect("the mail is kept");
    assert_eq!(row.sent_at, None);
    assert!(row.attempts >= 1);
    assert!(row.next_attempt_at > now, "retried later, not in a loop");
    assert!(row.last_error.as_deref().is_some_and(|e| !e.is_empty()));
}

/// Without JavaScript the browser posts the form itself and asks for HTML: it is sent back to the
/// target's page, which says what happened (the hydrated form shows the same answer in place).
async fn a_form_posted_without_javascript_returns_to_its_page_with_the_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let ca = TestCa::new();
    let server = fake(&ca, CertKind::Valid, Duration::ZERO).await;
    let url = server.https_base("ok");
    let eid = import_urls(&app, std::slice::from_ref(&url)).await[url.trim_end_matches('/')];
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |email: &'static str| {
        let id = eid.to_string();
        browser
            .post(app.url("/alerts/subscribe"))
            .header("Accept", "text/html,application/xhtml+xml")
            .header("Referer", app.url("/somewhere/else"))
            .form(&[("email", email), ("kind", "endpoint"), ("id", id.as_str())])
            .send()
    };
    // The form says where it posts.
    let page = app.client.get(app.url(&format!("/endpoints/{eid}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<form method=\"post\" action=\"/alerts/subscribe\""), "{page}");
    for (email, code, says) in [
        ("dev@example.org", "pending", "Check your inbox"),
        ("not an address", "invalid", "not an email address we can send to"),
    ] {
        let r = post(email).await.unwrap();
        assert_eq!(r.status(), 303);
        assert!(r.headers().get("content-type").is_none(), "a redirect with no body to mistake for a page");
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(to, format!("/endpoints/{eid}?alerts={code}#alerts-heading"));
        let page = app.client.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(says), "{code}: {page}");
    }
    assert_eq!(subscription::Entity::find().count(&app.db).await.unwrap(), 1, "only the valid address");
    // A target that is not in the directory: back to the search page, which says so.
    let gone = browser
        .post(app.url("/alerts/subscribe"))
        .form(&[("email", "dev@example.org"), ("kind", "brand"), ("id", "999999")])
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 303);
    let to = gone.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, "/?alerts=gone");
    let page = app.client.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("no longer in the directory"), "{page}");
    // The page without the parameter says nothing.
    let plain = app.client.get(app.url(&format!("/endpoints/{eid}"))).send().await.unwrap().text().await.unwrap();
    assert!(!plain.contains("Check your inbox"));
}

/// Sent and given-up mails go after 30 days; a mail still to send stays however old it is.
/// On a bare database: a running app's own mailer would prune and send these rows too.
async fn old_sent_mail_is_pruned_and_unsent_mail_kept(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = signpost::startup::connect(&crate::helpers::database_url(backend, dir.path()).await).await.unwrap();
    let day = 86_400;
    let now = chrono::Utc::now().timestamp();
    let mail = |key: &str| outbox::NewMail {
        dedupe_key: key.into(),
        recipient: "ops@payer.example".into(),
        subject: "s".into(),
        body: "b".into(),
        unsubscribe_url: None,
    };
    let old = now - 40 * day;
    outbox::enqueue(&db, &["sent-old", "sent-new", "gave-up", "waiting"].map(mail), old).await.unwrap();
    let rows = mail_outbox::Entity::find().all(&db).await.unwrap();
    let id = |key: &str| rows.iter().find(|m| m.dedupe_key == key).unwrap().id;
    outbox::mark_sent(&db, id("sent-old"), old).await.unwrap();
    outbox::mark_sent(&db, id("sent-new"), now - day).await.unwrap();
    let gave_up = rows.iter().find(|m| m.dedupe_key == "gave-up").unwrap();
    outbox::mark_failed(&db, gave_up, old, "550 no such user", true).await.unwrap();

    assert_eq!(outbox::prune(&db, now).await.unwrap(), 2);
    let mut left: Vec<String> =
        mail_outbox::Entity::find().all(&db).await.unwrap().into_iter().map(|m| m.dedupe_key).collect();
    left.sort();
    assert_eq!(left, ["sent-new", "waiting"]);
}

on_both_databases!(subscribers_hear_each_transition_once_and_can_leave);
on_both_databases!(opening_a_link_does_nothing_until_its_button_and_confirmations_expire);
on_both_databases!(old_sent_mail_is_pruned_and_unsent_mail_kept);
on_both_databases!(a_form_posted_without_javascript_returns_to_its_page_with_the_answer);

async fn opening_a_link_does_nothing_until_its_button_and_confirmations_expire(backend: Backend) {
    let app = spawn_app_with(backend, false).await;
    app.import_fixture("brands/smart-spec-example2.json").await;
    let brand = app.get_json("/api/v1/brands?q=ExampleHealth").await["results"][0]["id"].as_i64().unwrap() as i32;
    let now = chrono::Utc::now().timestamp();
    let out =
        subscriptions::subscribe(&app.db, &app.alerts, "cy@example.org", TargetKind::Brand, brand, now).await.unwrap();
    assert_eq!(out, SubscribeOutcome::Pending);
    let sub = subscription::Entity::find().one(&app.db).await.unwrap().unwrap();
    let link = app.alerts.confirm_url(&sub).replace("https://signpost.test", &app.base);

    // A scanner's GET (twice, as some do) shows the button and confirms nothing.
    for _ in 0..2 {
        let page = app.client.get(&link).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("<button type=\"submit\">Confirm alerts</button>"), "{page}");
    }
    let unchanged = subscription::Entity::find_by_id(sub.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(unchanged.confirmed_at, None, "a GET must not confirm");

    // Eight days later the link has expired: the page says so and the button would do nothing.
    let later = now + 8 * 86_400;
    let token = link.split("token=").nth(1).unwrap().to_string();
    let preview = subscriptions::preview(&app.db, &app.alerts, true, &token, later).await.unwrap();
    assert_eq!(preview, app::types::alerts::LinkPreview::Expired);
    let pressed = subscriptions::confirm(&app.db, &app.alerts, &token, later).await.unwrap();
    assert_eq!(pressed, app::types::alerts::LinkOutcome::Expired);
    let still = subscription::Entity::find_by_id(sub.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(still.confirmed_at, None);

    // Within the week the button confirms, and the page then says alerts are on.
    let (status, page) = open(&app, &link).await;
    assert_eq!(status, 200);
    assert!(page.contains("are on"), "{page}");
    let confirmed = subscription::Entity::find_by_id(sub.id).one(&app.db).await.unwrap().unwrap();
    assert!(confirmed.confirmed_at.is_some());

    // The unsubscribe link: the GET asks, the button deletes.
    let unsub = app.alerts.unsubscribe_url(&confirmed).replace("https://signpost.test", &app.base);
    let page = app.client.get(&unsub).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<button type=\"submit\">Unsubscribe</button>"), "{page}");
    assert_eq!(subscription::Entity::find().count(&app.db).await.unwrap(), 1, "a GET must not unsubscribe");
    let (_, page) = open(&app, &unsub).await;
    assert!(page.contains("You are unsubscribed"), "{page}");
    assert_eq!(subscription::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[test]
fn old_eml_files_are_pruned_and_other_files_kept() {
    let dir = tempfile::tempdir().unwrap();
    let now = std::time::SystemTime::now();
    let old = now - Duration::from_secs(31 * 86_400);
    let write = |name: &str, modified: std::time::SystemTime| {
        let f = std::fs::File::create(dir.path().join(name)).unwrap();
        f.set_modified(modified).unwrap();
    };
    write("old.eml", old);
    write("new.eml", now);
    write("old-notes.txt", old);
    let removed = signpost::mailer::prune_mail_folder(dir.path(), now, signpost::mailer::KEEP_SENT).unwrap();
    assert_eq!(removed, 1);
    let mut left: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, vec!["new.eml", "old-notes.txt"]);
}
