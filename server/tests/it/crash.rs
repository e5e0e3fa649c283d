//! Crashes lose nothing (issue 17): `kill -9` of `signpost serve` in the middle of a burst of
//! writes (sign-ups, log-ins, subscriptions, proposals, registration requests and messages) and
//! of a `signpost import`. After a restart every write that was answered 2xx is there, the
//! import is all there or not at all, and every mail that was queued is sent.
use crate::account_rules::admin;
use crate::attestations::registered;
use crate::browser::{Browser, PASSWORD};
use crate::helpers::{Backend, TestApp, database_url, fixture_path};
use crate::registration::payer;
use crate::served::Served;
use app::server::entities::{account, brand, mail_outbox, proposal, registration_request, request_message, source};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::time::Duration;

on_both_databases!(a_killed_server_keeps_every_acknowledged_write,);

/// Writes that were answered 2xx, by kind.
#[derive(Default, Debug)]
struct Acked {
    sign_ups: Vec<String>,
    log_ins: Vec<String>,
    subscriptions: Vec<String>,
    proposals: Vec<String>,
    requests: Vec<i32>,
    messages: Vec<String>,
}

fn env(url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", url.to_string()),
        ("SIGNPOST_DEMO_DATA", "true".into()),
        ("SIGNPOST_PUBLIC_URL", "https://signpost.test".into()),
        // Each writer says it is another client, so the per-client limits let the burst through.
        ("SIGNPOST_TRUSTED_PROXIES", "127.0.0.1/32".into()),
        ("SIGNPOST_RATE_LIMIT", "off".into()),
        // Mail waits in the outbox until the restart sends it.
        ("SIGNPOST_MAILER", "off".into()),
    ]
}

async fn a_killed_server_keeps_every_acknowledged_write(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(backend, dir.path()).await;
    let mut server = Served::start(dir.path(), "before", &env(&url)).await;
    let db = signpost::startup::connect(&url).await.unwrap();
    let app = TestApp::of_process(server.base.clone(), db.clone(), dir.path().join("outbox")).await;
    let mut boss = admin(&app, "boss@example.org").await;
    let mut dev = Browser::new(&app);
    let (_, _, app_page) = registered(&mut dev, &[]).await;
    let (_, _, aetna) = payer(&app, &mut boss, "pat@aetna.example", "Aetna Interop", "Aetna").await;
    let a = aetna.to_string();
    let p = dev.post(&format!("{app_page}/requests"), &[("brand", a.as_str()), ("environment", "production")]).await;
    assert!(p.body.contains("Requested from 1 payer"), "{}", p.body);
    let first_request = registration_request::Entity::find().one(&db).await.unwrap().unwrap().id;
    let payers: Vec<i32> = brand::Entity::find()
        .filter(brand::Column::Name.is_in(["Cigna", "Humana", "UnitedHealthcare", "Anthem", "Medicare"]))
        .all(&db)
        .await
        .unwrap()
        .iter()
        .map(|b| b.id)
        .collect();
    assert!(payers.len() >= 3, "{payers:?}");

    // An import of a whole Lantern list, in its own process, killed too.
    let lantern = dir.path().join("lantern-copy.json");
    std::fs::copy(fixture_path("directories/lantern-cerner-endpoint-sources.json"), &lantern).unwrap();
    let mut import = std::process::Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(["import", lantern.to_str().unwrap()])
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();

    let acked = std::cell::RefCell::new(Acked::default());
    let raw = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |path: &str, n: usize, form: Vec<(&'static str, String)>| {
        raw.post(format!("{}{path}", app.base))
            .header("sec-fetch-site", "same-origin")
            .header("x-forwarded-for", format!("198.51.{}.{}", n / 250, n % 250 + 1))
            .form(&form)
            .send()
    };
    let sign_ups = async {
        for n in 0.. {
            let email = format!("new{n}@example.org");
            match post("/signup", n, vec![("email", email.clone()), ("password", PASSWORD.into())]).await {
                Ok(r) if r.status() == 200 => acked.borrow_mut().sign_ups.push(email),
                Ok(r) => panic!("sign-up {n}: {}", r.status()),
                Err(_) => return,
            }
        }
    };
    let log_ins = async {
        for n in 0.. {
            let form = vec![("email", "boss@example.org".into()), ("password", PASSWORD.into())];
            match post("/login", 1000 + n, form).await {
                Ok(r) if r.status() == 303 => {
                    let cookie = r
                        .headers()
                        .get_all("set-cookie")
                        .iter()
                        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
                        .find(|c| c.contains("session="));
                    acked.borrow_mut().log_ins.push(cookie.expect("a session cookie"));
                }
                Ok(r) if r.status() == 429 => tokio::time::sleep(Duration::from_millis(50)).await,
                Ok(r) => panic!("log-in {n}: {}", r.status()),
                Err(_) => return,
            }
        }
    };
    let subscriptions = async {
        for n in 0.. {
            let email = format!("watcher{n}@example.org");
            let form = vec![("email", email.clone()), ("kind", "brand".into()), ("id", aetna.to_string())];
            match post("/alerts/subscribe", 2000 + n, form).await {
                Ok(r) if r.status() == 303 => {
                    let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                    assert!(to.contains("alerts=pending"), "{to}");
                    acked.borrow_mut().subscriptions.push(email);
                }
                Ok(r) => panic!("subscription {n}: {}", r.status()),
                Err(_) => return,
            }
        }
    };
    let proposals = async {
        let mut b = Browser::new(&app);
        b.cookie = boss.cookie.clone();
        for n in 0.. {
            let name = format!("Crash Test Health Plan {n}");
            let form = [
                ("intent", "submit"),
                ("name", name.as_str()),
                ("website", "https://crash-test.example"),
                ("category", "ins"),
                ("comment", "A new plan."),
            ];
            match b.try_post("/propose", &form).await {
                Some(p) if p.status == 303 => acked.borrow_mut().proposals.push(name),
                Some(p) if p.status == 429 => tokio::time::sleep(Duration::from_millis(200)).await,
                Some(p) => panic!("proposal {n}: {} {}", p.status, p.body),
                None => return,
            }
        }
    };
    let requests_and_messages = async {
        let mut b = Browser::new(&app);
        b.cookie = dev.cookie.clone();
        for (n, brand) in payers.iter().enumerate() {
            let id = brand.to_string();
            match b.try_post(&format!("{app_page}/requests"), &[("brand", &id), ("environment", "production")]).await {
                Some(p) if p.status == 200 && p.body.contains("Requested from 1 payer") => {
                    acked.borrow_mut().requests.push(*brand)
                }
                Some(p) => panic!("request {n}: {} {}", p.status, p.body),
                None => return,
            }
        }
        for n in 0.. {
            let text = format!("Crash test message {n}.");
            let form = reqwest::multipart::Form::new().text("body", text.clone());
            match b.try_post_multipart(&format!("/requests/{first_request}/messages"), form).await {
                Some(p) if p.status == 200 && p.body.contains("Sent") => acked.borrow_mut().messages.push(text),
                Some(p) if p.status == 429 => tokio::time::sleep(Duration::from_millis(200)).await,
                Some(p) => panic!("message {n}: {} {}", p.status, p.body),
                None => return,
            }
        }
    };
    // Killed once every kind of write has been answered at least once (argon2 in a debug build
    // takes a while), in the middle of the rest.
    let kill = async {
        for _ in 0..600 {
            let a = acked.borrow();
            let each = [a.sign_ups.len(), a.log_ins.len(), a.subscriptions.len(), a.proposals.len(), a.messages.len()];
            if each.iter().all(|n| *n > 0) {
                break;
            }
            drop(a);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        server.signal("KILL");
        let _ = import.kill();
    };
    futures::join!(sign_ups, log_ins, subscriptions, proposals, requests_and_messages, kill);
    server.exited_within(Duration::from_secs(5)).await.expect("killed");
    let _ = import.wait();
    let acked = acked.into_inner();
    for (what, n) in [
        ("sign-ups", acked.sign_ups.len()),
        ("log-ins", acked.log_ins.len()),
        ("subscriptions", acked.subscriptions.len()),
        ("proposals", acked.proposals.len()),
        ("messages", acked.messages.len()),
    ] {
        assert!(n > 0, "the burst made {what} before the kill: {acked:?}");
    }

    // Restarted on the same database, mailing this time.
    let mut restart = env(&url);
    restart.retain(|(k, _)| *k != "SIGNPOST_MAILER");
    let server = Served::start(dir.path(), "after", &restart).await;
    for email in &acked.sign_ups {
        let mails = mail_outbox::Entity::find().filter(mail_outbox::Column::Recipient.eq(email)).count(&db).await;
        assert_eq!(mails.unwrap(), 1, "{email}: its confirmation mail was queued with the sign-up");
    }
    for cookie in &acked.log_ins {
        let r = raw.get(format!("{}/account", server.base)).header("cookie", cookie).send().await.unwrap();
        assert_eq!(r.status(), 200, "a session that was answered 303 still works");
    }
    let subscribed = app::server::entities::subscription::Entity::find().all(&db).await.unwrap();
    for email in &acked.subscriptions {
        assert!(subscribed.iter().any(|s| &s.email == email), "{email}");
    }
    let proposed = proposal::Entity::find().all(&db).await.unwrap();
    for name in &acked.proposals {
        assert!(proposed.iter().any(|p| p.draft.as_deref().unwrap_or("").contains(name.as_str())), "{name}");
    }
    let requested = registration_request::Entity::find().all(&db).await.unwrap();
    for brand in &acked.requests {
        assert!(requested.iter().any(|r| r.brand_id == *brand), "the request to brand {brand}");
    }
    let said = request_message::Entity::find().all(&db).await.unwrap();
    for text in &acked.messages {
        assert!(said.iter().any(|m| &m.body == text), "{text}");
    }
    assert!(account::Entity::find().count(&db).await.unwrap() as usize >= acked.sign_ups.len());
    // The import is all there or not at all.
    let imported =
        source::Entity::find().filter(source::Column::Location.contains("lantern-copy.json")).one(&db).await.unwrap();
    if let Some(s) = imported {
        let endpoints = app::server::entities::endpoint::Entity::find()
            .filter(app::server::entities::endpoint::Column::SourceId.eq(s.id))
            .count(&db)
            .await
            .unwrap();
        let full = std::process::Command::new(env!("CARGO_BIN_EXE_signpost"))
            .args(["import", lantern.to_str().unwrap()])
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&full.stdout).contains("unchanged"), "a whole import: {endpoints} endpoints");
    }
    // Every queued mail goes out after the restart (at least once: one being sent at the kill
    // may go twice).
    let unsent = mail_outbox::Entity::find().filter(mail_outbox::Column::SentAt.is_null());
    let mut left = u64::MAX;
    for _ in 0..600 {
        left = unsent.clone().count(&db).await.unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "every queued mail is sent after the restart");
    drop(server);
}
