//! At most one request per host per interval. Oracle's 1,359 endpoints all live on one host, so
//! politeness is per host, not per endpoint.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

pub struct HostGate {
    interval: Duration,
    next: Mutex<HashMap<String, Instant>>,
}

impl HostGate {
    pub fn new(interval: Duration) -> Self {
        HostGate { interval, next: Mutex::new(HashMap::new()) }
    }

    /// Waits for this host's next free slot and takes it.
    pub async fn wait(&self, host: &str) {
        if self.interval.is_zero() {
            return;
        }
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let now = Instant::now();
            if next.len() > 10_000 {
                next.retain(|_, t| *t > now);
            }
            let slot = next.get(host).copied().filter(|t| *t > now).unwrap_or(now);
            next.insert(host.to_string(), slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_to_one_host_are_spaced_and_other_hosts_are_not_held_up() {
        let gate = HostGate::new(Duration::from_secs(1));
        let start = Instant::now();
        gate.wait("a").await;
        gate.wait("b").await;
        assert!(start.elapsed() < Duration::from_millis(10));
        gate.wait("a").await;
        assert!(start.elapsed() >= Duration::from_secs(1));
        gate.wait("a").await;
        assert!(start.elapsed() >= Duration::from_secs(2));
    }
}
