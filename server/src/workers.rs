//! The background workers of `serve` under one supervisor: each runs until the shutdown signal,
//! then finishes what it holds (a check in flight, a mail being sent) and stops; one that is
//! still busy when the grace period ends is aborted. Workers sleep through `Shutdown::sleep`, so
//! a stop never waits out a pause.
use std::future::Future;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The stop signal as a worker sees it.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    /// A signal that never comes (`signpost poll --once`, tests).
    pub fn never() -> Self {
        // One sender kept for the process, so `wait` pends instead of seeing a closed channel.
        static NEVER: std::sync::OnceLock<watch::Sender<bool>> = std::sync::OnceLock::new();
        Shutdown(NEVER.get_or_init(|| watch::channel(false).0).subscribe())
    }

    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// Returns once the stop is signalled.
    pub async fn wait(&self) {
        let mut rx = self.0.clone();
        // A dropped sender means the supervisor is gone: stop too.
        let _ = rx.wait_for(|stop| *stop).await;
    }

    /// Sleeps for `d`; `false` when the stop came first.
    pub async fn sleep(&self, d: Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(d) => true,
            _ = self.wait() => false,
        }
    }
}

pub struct Supervisor {
    tx: watch::Sender<bool>,
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

impl Default for Supervisor {
    fn default() -> Self {
        Supervisor { tx: watch::channel(false).0, tasks: Vec::new() }
    }
}

impl Supervisor {
    pub fn signal(&self) -> Shutdown {
        Shutdown(self.tx.subscribe())
    }

    /// Starts a worker, given its stop signal.
    pub fn spawn<F, Fut>(&mut self, name: &'static str, worker: F)
    where
        F: FnOnce(Shutdown) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        tracing::info!(worker = name, "worker started");
        self.tasks.push((name, tokio::spawn(worker(self.signal()))));
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.tasks.iter().map(|(n, _)| *n).collect()
    }

    /// Signals every worker and waits until `deadline` for them; the ones still running then are
    /// aborted, and their names returned.
    pub async fn stop(self, deadline: tokio::time::Instant) -> Vec<&'static str> {
        let _ = self.tx.send(true);
        let mut aborted = Vec::new();
        for (name, mut task) in self.tasks {
            match tokio::time::timeout_at(deadline, &mut task).await {
                Ok(Ok(())) => tracing::info!(worker = name, "worker stopped"),
                Ok(Err(e)) => tracing::warn!(worker = name, "worker ended with an error: {e}"),
                Err(_) => {
                    task.abort();
                    // Gone once this returns, so nothing it was doing lands after the caller's
                    // clean-up (the poller's leases given back).
                    let _ = task.await;
                    tracing::warn!(worker = name, "worker still busy at the deadline: aborted");
                    aborted.push(name);
                }
            }
        }
        aborted
    }
}
