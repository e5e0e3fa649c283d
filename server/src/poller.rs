//! The background poller: claims due endpoints through database leases, checks them with the
//! SSRF-safe client at bounded concurrency, and records each result. Runs inside `serve` and as
//! `signpost poll --once`.
use app::server::check::{CheckOptions, Checked, check_endpoint_raw, parse_base, refused_report};
use app::server::net::client::SafeClient;
use app::server::services::feeds;
use app::server::services::polling::{self, CheckResult, Claim, PollSettings, Transition};
use app::server::services::publishing::checks as claim_checks;
use app::server::services::publishing::feed as publisher_feed;
use futures::StreamExt;
use sea_orm::{DatabaseConnection, DbErr};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct Poller {
    db: DatabaseConnection,
    client: SafeClient,
    pub settings: PollSettings,
    pub concurrency: usize,
    owner: Arc<str>,
    options: CheckOptions,
    /// The SLA clock's calendar, for registration reminders.
    calendar: app::server::services::registration::calendar::Calendar,
}

#[derive(Debug, Default, Clone)]
pub struct PollSummary {
    pub checked: usize,
    pub transitions: Vec<Transition>,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Poller {
    pub fn new(
        db: DatabaseConnection,
        client: SafeClient,
        settings: PollSettings,
        concurrency: usize,
        origin: String,
    ) -> Self {
        let owner = format!("{}-{}-{:08x}", hostname(), std::process::id(), rand_u32());
        Poller {
            db,
            client,
            settings,
            concurrency: concurrency.max(1),
            owner: owner.into(),
            options: CheckOptions { origin },
            calendar: Default::default(),
        }
    }

    /// The calendar the SLA reminders count business days with (`SIGNPOST_CLOSURES`).
    pub fn with_calendar(mut self, calendar: app::server::services::registration::calendar::Calendar) -> Self {
        self.calendar = calendar;
        self
    }

    /// Checks started at once. Most of them wait for their host's turn, which costs nothing;
    /// requests actually in flight are bounded by the client (`concurrency`). Enough are started
    /// that every host always has one waiting, so no host's one-request-a-second goes unused.
    fn checks_in_flight(&self) -> usize {
        self.concurrency * 64
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// One endpoint: check it (nothing is stored yet).
    async fn run_check(&self, endpoint_id: i32, address: String) -> CheckResult {
        let started = std::time::Instant::now();
        let checked: Checked = match parse_base(&address) {
            Ok(base) => match check_endpoint_raw(&self.client, &base, &self.options).await {
                Ok(c) => c,
                Err(refusal) => refused_report(&address, &refusal),
            },
            Err(bad) => refused_report(&address, &bad),
        };
        metrics::histogram!("signpost_check_duration_seconds").record(started.elapsed().as_secs_f64());
        metrics::counter!("signpost_poll_checks_total", "health" => checked.report.health.as_str()).increment(1);
        let now = now();
        let spread = (self.settings.interval_secs / 20).max(1);
        let jitter = (rand_u32() as i64 % (2 * spread + 1)) - spread;
        CheckResult { endpoint_id, checked, now, next_due: now + self.settings.interval_secs + jitter }
    }

    /// Claims and checks until nothing matching `which` is left; `progress` is told after each
    /// stored group. Claiming runs ahead of checking (a new batch is leased while the last one is
    /// still being checked), checks run as their own tasks, and finished results are stored in
    /// groups (one commit each), so hosts never wait on a batch's slowest check or on the disk.
    pub async fn poll(&self, which: Claim, progress: impl Fn(usize) + Sync) -> Result<PollSummary, DbErr> {
        let mut summary = PollSummary::default();
        polling::schedule_new(&self.db, now(), &self.settings).await?;
        let in_flight = self.checks_in_flight();
        let (tx, rx) = tokio::sync::mpsc::channel::<(i32, String)>(in_flight);
        let claimer = {
            let poller = self.clone();
            async move {
                loop {
                    let limit = (in_flight / 2).max(1) as u64;
                    let batch =
                        polling::claim(&poller.db, &poller.owner, now(), limit, which, &poller.settings).await?;
                    let last = batch.is_empty() || matches!(which, Claim::One(_));
                    for item in batch {
                        // Blocks while the checks in flight are at their limit.
                        if tx.send(item).await.is_err() {
                            return Ok(());
                        }
                    }
                    if last {
                        return Ok::<(), DbErr>(());
                    }
                }
            }
        };
        let checks = async {
            let finished = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|i| (i, rx)) })
                .map(|(id, address)| {
                    let poller = self.clone();
                    tokio::spawn(async move { poller.run_check(id, address).await })
                })
                .buffer_unordered(in_flight)
                .ready_chunks(64);
            let mut finished = std::pin::pin!(finished);
            while let Some(group) = finished.next().await {
                // A check task that panicked leaves its lease to expire; it is checked again then.
                let done: Vec<CheckResult> = group.into_iter().filter_map(Result::ok).collect();
                match polling::record_many(&self.db, &self.owner, &done, &self.settings).await {
                    Ok(transitions) => {
                        summary.checked += done.len();
                        summary.transitions.extend(transitions.into_iter().flatten());
                    }
                    Err(e) => {
                        tracing::warn!("could not record {} checks: {e}", done.len());
                        for r in &done {
                            let _ = polling::release(&self.db, &self.owner, r.endpoint_id).await;
                        }
                    }
                }
                progress(done.len());
            }
        };
        let (claimed, ()) = tokio::join!(claimer, checks);
        claimed?;
        Ok(summary)
    }

    /// Runs until the process ends: due endpoints are checked as they come due.
    pub async fn run_forever(self) {
        tracing::info!(owner = %self.owner, "poller started");
        let mut last_prune = 0;
        let mut last_reminders = 0;
        loop {
            match self.poll(Claim::Due, |_| {}).await {
                Ok(s) if s.checked > 0 => tracing::info!(checked = s.checked, "poll round done"),
                Ok(_) => {}
                Err(e) => tracing::warn!("poll round failed: {e}"),
            }
            // Published brand bundles due for a refetch (a 304 when unchanged).
            match feeds::refresh_due(&self.db, &self.client, now(), self.settings.interval_secs).await {
                Ok(done) => {
                    for (url, result) in done {
                        tracing::info!(%url, ?result, "brand bundle refetched");
                    }
                }
                Err(e) => tracing::warn!("refetching brand bundles failed: {e}"),
            }
            // Payers' own bundle addresses due for a refetch, published when they changed.
            match publisher_feed::refetch_due(&self.db, &self.client, self.options.origin.trim_end_matches('/'), now())
                .await
            {
                Ok(done) => {
                    for (organization, result) in done {
                        tracing::info!(organization, ?result, "publisher bundle refetched");
                    }
                }
                Err(e) => tracing::warn!("refetching publisher bundles failed: {e}"),
            }
            // Claims due for re-verification (a file fetched again, or a new link mailed).
            match claim_checks::recheck_due(&self.db, &self.client, &self.options.origin, now()).await {
                Ok(done) => {
                    for (claim, state) in done {
                        tracing::info!(claim, ?state, "claim re-verified");
                    }
                }
                Err(e) => tracing::warn!("re-verifying claims failed: {e}"),
            }
            // Attestation reminders (30 and 7 days before) and lapses.
            match app::server::services::apps::lifecycle::run_due(&self.db, &self.options.origin, now()).await {
                Ok(done) => {
                    for (attestation, step) in done {
                        tracing::info!(attestation, ?step, "attestation reminder or lapse");
                    }
                }
                Err(e) => tracing::warn!("attestation reminders failed: {e}"),
            }
            // Registration requests near or past their target (once a minute: each pass reads
            // every open request's clock).
            if now() - last_reminders >= 60 {
                last_reminders = now();
                let reminded = app::server::services::registration::reminders::run_due(
                    &self.db,
                    &self.calendar,
                    &self.options.origin,
                    now(),
                )
                .await;
                match reminded {
                    Ok(done) => {
                        for (request, stage) in done {
                            tracing::info!(request, stage, "registration reminder");
                        }
                    }
                    Err(e) => tracing::warn!("registration reminders failed: {e}"),
                }
            }
            if now() - last_prune > 3600 {
                last_prune = now();
                if let Err(e) = polling::prune(&self.db, now(), &self.settings).await {
                    tracing::warn!("pruning history failed: {e}");
                }
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    }
}

fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    h.finish() as u32
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|s| s.trim().to_string()).unwrap_or_else(|_| "signpost".into())
}
