//! Work that keeps a core busy (a search, a validation) runs on the blocking pool, a few at a
//! time: the async threads stay free to answer everything else, and a burst of costly requests
//! waits its turn instead of starting hundreds of threads that share two cores.
use crate::error::AppError;
use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// Costly jobs at once: two per core.
fn gate() -> &'static Semaphore {
    static GATE: OnceLock<Semaphore> = OnceLock::new();
    GATE.get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()) * 2))
}

pub async fn run<T: Send + 'static>(what: &str, job: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let _permit = gate().acquire().await.map_err(|_| AppError::Unavailable("shutting down".into()))?;
    tokio::task::spawn_blocking(job).await.map_err(|e| AppError::Internal(format!("{what} stopped: {e}")))
}
