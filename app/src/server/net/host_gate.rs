//! Politeness and load: at most one request per host per interval (Oracle's 1,359 endpoints all
//! live on one host, so the limit is per host, not per endpoint), and at most N requests in
//! flight overall. Checks waiting for their host's turn hold no request slot, so a busy host
//! never idles the others.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

pub struct HostGate {
    interval: Duration,
    next: Mutex<HashMap<String, Instant>>,
    in_flight: Arc<Semaphore>,
}

/// Held while a request is in flight.
pub struct Turn {
    _permit: OwnedSemaphorePermit,
}

impl HostGate {
    pub fn new(interval: Duration, max_in_flight: usize) -> Self {
        HostGate {
            interval,
            next: Mutex::new(HashMap::new()),
            in_flight: Arc::new(Semaphore::new(max_in_flight.max(1))),
        }
    }

    fn free_at(&self, host: &str) -> Option<Instant> {
        let next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        next.get(host).copied().filter(|t| *t > Instant::now())
    }

    /// Takes the host's turn if it is free now; otherwise says when it will be.
    fn try_take(&self, host: &str) -> Result<(), Instant> {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if next.len() > 10_000 {
            next.retain(|_, t| *t > now);
        }
        match next.get(host) {
            Some(t) if *t > now => Err(*t),
            _ => {
                next.insert(host.to_string(), now + self.interval);
                Ok(())
            }
        }
    }

    /// A request slot only, for connections that are not requests to the host.
    pub async fn slot(&self) -> Turn {
        match self.in_flight.clone().acquire_owned().await {
            Ok(p) => Turn { _permit: p },
            Err(_) => unreachable!("the semaphore is never closed"),
        }
    }

    /// Waits until this host may be asked again and a request slot is free, then takes both.
    /// The host's clock starts when the request actually goes out, so two requests to one host
    /// are never closer than the interval.
    pub async fn turn(&self, host: &str) -> Turn {
        loop {
            if let Some(at) = self.free_at(host) {
                tokio::time::sleep_until(at).await;
            }
            let turn = self.slot().await;
            if self.interval.is_zero() {
                return turn;
            }
            match self.try_take(host) {
                Ok(()) => return turn,
                Err(at) => {
                    drop(turn);
                    tokio::time::sleep_until(at).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_to_one_host_are_spaced_and_other_hosts_are_not_held_up() {
        let gate = HostGate::new(Duration::from_secs(1), 8);
        let start = Instant::now();
        drop(gate.turn("a").await);
        drop(gate.turn("b").await);
        assert!(start.elapsed() < Duration::from_millis(10));
        drop(gate.turn("a").await);
        assert!(start.elapsed() >= Duration::from_secs(1));
        drop(gate.turn("a").await);
        assert!(start.elapsed() >= Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn no_more_than_the_limit_are_in_flight() {
        let gate = HostGate::new(Duration::ZERO, 2);
        let a = gate.turn("a").await;
        let _b = gate.turn("b").await;
        let third = tokio::time::timeout(Duration::from_secs(5), gate.turn("c")).await;
        assert!(third.is_err(), "a third request waits for a slot");
        drop(a);
        assert!(tokio::time::timeout(Duration::from_secs(5), gate.turn("c")).await.is_ok());
    }
}
