//! `signpost poll --once [--endpoint ID]`: one full poll now (every endpoint, or one), with a
//! progress bar, sharing leases with any running `serve`.
use crate::config::Config;
use crate::mailer::Mailer;
use crate::poller::Poller;
use crate::startup::{alert_context, connect};
use app::server::net::client::SafeClient;
use app::server::services::polling::Claim;
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;

pub async fn poll(once: bool, endpoint: Option<i32>) -> Result<ExitCode, super::Error> {
    if !once {
        return Err("only `poll --once` runs in the foreground; `serve` polls continuously".into());
    }
    let config = Config::from_env()?;
    let db = connect(&config.database_url).await?;
    let client = SafeClient::new(config.fetch.clone())?;
    let poller = Poller::new(
        db.clone(),
        client,
        config.poll.settings.clone(),
        config.poll.concurrency,
        config.public_url.clone(),
    );
    // Checks are stamped in whole seconds. Starting on a fresh second makes "not checked since
    // the run began" exact: a check from just before the run, in the same second, would
    // otherwise count as done and its endpoint be skipped.
    let subsec = chrono::Utc::now().timestamp_subsec_millis();
    tokio::time::sleep(std::time::Duration::from_millis(u64::from(1000 - subsec.min(999)))).await;
    let started = chrono::Utc::now().timestamp();
    let which = match endpoint {
        Some(id) => Claim::One(id),
        None => Claim::NotCheckedSince(started),
    };
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} checked {pos} endpoints ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let clock = std::time::Instant::now();
    let summary = poller.poll(which, |n| bar.inc(n as u64)).await?;
    bar.finish_and_clear();
    if summary.checked == 0 {
        if let Some(id) = endpoint {
            eprintln!(
                "endpoint {id} is not polled (unknown id, not an http(s) FHIR REST endpoint, or being checked now)"
            );
            return Ok(ExitCode::from(1));
        }
    }
    let changed = summary.transitions.iter().filter(|t| t.from != t.to).count();
    eprintln!(
        "checked {} endpoints in {:.1} s; {changed} changed status",
        summary.checked,
        clock.elapsed().as_secs_f64()
    );
    // The alerts this poll raised go out now rather than at the next `serve`.
    let alerts = alert_context(&config, &db).await?;
    let delivery = Mailer::new(db, alerts, &config.mail)?.run_once().await?;
    if delivery.sent + delivery.failed > 0 {
        eprintln!("mail: {} sent, {} not sent (kept in the outbox to retry)", delivery.sent, delivery.failed);
    }
    Ok(ExitCode::SUCCESS)
}
