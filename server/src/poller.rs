//! The background poller: claims due endpoints through database leases, checks them with the
//! SSRF-safe client at bounded concurrency, and records each result. Runs inside `serve` and as
//! `signpost poll --once`.
use crate::workers::Shutdown;
use app::server::check::{CheckOptions, Checked, check_endpoint_raw, parse_base, refused_report};
use app::server::net::client::SafeClient;
use app::server::services::polling::{self, CheckResult, Claim, PollSettings, Transition};
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
        }
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
        self.poll_until(which, progress, &Shutdown::never()).await
    }

    /// `poll`, until `stop`: then nothing more is claimed or started, the checks in flight are
    /// finished and recorded, and the leases of endpoints claimed but not checked are given back.
    pub async fn poll_until(
        &self,
        which: Claim,
        progress: impl Fn(usize) + Sync,
        stop: &Shutdown,
    ) -> Result<PollSummary, DbErr> {
        let mut summary = PollSummary::default();
        polling::schedule_new(&self.db, now(), &self.settings).await?;
        let in_flight = self.checks_in_flight();
        let (tx, rx) = tokio::sync::mpsc::channel::<(i32, String)>(in_flight);
        let claimer = {
            let poller = self.clone();
            async move {
                loop {
                    if stop.is_set() {
                        return Ok(());
                    }
                    let limit = (in_flight / 2).max(1) as u64;
                    let batch =
                        polling::claim(&poller.db, &poller.owner, now(), limit, which, &poller.settings).await?;
                    let last = batch.is_empty() || matches!(which, Claim::One(_));
                    for item in batch {
                        // Blocks while the checks in flight are at their limit.
                        let sent = tokio::select! {
                            sent = tx.send(item) => sent.is_ok(),
                            _ = stop.wait() => false,
                        };
                        if !sent {
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
                .take_until(stop.wait())
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
        if stop.is_set() {
            let released = polling::release_all(&self.db, &self.owner).await?;
            tracing::info!(released, "poll stopped: unchecked leases given back");
        }
        claimed?;
        Ok(summary)
    }

    /// Until `stop`: due endpoints are checked as they come due, and old history is pruned
    /// hourly. Leases still held at the end are given back.
    pub async fn run(self, stop: Shutdown) {
        let mut last_prune = 0;
        loop {
            match self.poll_until(Claim::Due, |_| {}, &stop).await {
                Ok(s) if s.checked > 0 => tracing::info!(checked = s.checked, "poll round done"),
                Ok(_) => {}
                Err(e) => tracing::warn!("poll round failed: {e}"),
            }
            if now() - last_prune > 3600 {
                last_prune = now();
                if let Err(e) = polling::prune(&self.db, now(), &self.settings).await {
                    tracing::warn!("pruning history failed: {e}");
                }
            }
            if !stop.sleep(Duration::from_secs(5)).await {
                break;
            }
        }
        if let Err(e) = polling::release_all(&self.db, &self.owner).await {
            tracing::warn!("giving back leases failed: {e}");
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
