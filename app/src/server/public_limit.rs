//! The limit on every public route (`SIGNPOST_RATE_LIMIT` requests a minute per client), which
//! also says what is left, so every response can carry `RateLimit-*` headers and a client can
//! slow down before it is refused. It sits in front of the per-action limits
//! (`rate_limit::ClientLimiter`), which stay much tighter for checks, mail and log-ins.
use super::rate_limit::client_key;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

type Limiter = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock, StateInformationMiddleware>;

/// Most clients remembered before the idle ones are forgotten at once.
const MAX_TRACKED: usize = 100_000;

#[derive(Clone)]
pub struct PublicLimiter {
    limiter: Arc<Limiter>,
    per_minute: u32,
}

/// What a client may still do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    /// Served; `remaining` more at once, and the whole allowance is back after `reset_secs`.
    Allowed { limit: u32, remaining: u32, reset_secs: u64 },
    /// Refused until `retry_after_secs` have passed.
    Refused { limit: u32, retry_after_secs: u64 },
}

impl PublicLimiter {
    /// `per_minute` requests at once, refilled evenly over a minute.
    pub fn per_minute(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let limiter = RateLimiter::keyed(Quota::per_minute(n)).with_middleware::<StateInformationMiddleware>();
        PublicLimiter { limiter: Arc::new(limiter), per_minute: n.get() }
    }

    pub fn limit(&self) -> u32 {
        self.per_minute
    }

    pub fn check(&self, client: IpAddr) -> Allowance {
        if self.limiter.len() > MAX_TRACKED {
            self.limiter.retain_recent();
        }
        let limit = self.per_minute;
        match self.limiter.check_key(&client_key(client)) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity().min(limit);
                // One request comes back every 60 / limit seconds.
                let used = u64::from(limit - remaining);
                Allowance::Allowed { limit, remaining, reset_secs: (used * 60).div_ceil(u64::from(limit)) }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Allowance::Refused { limit, retry_after_secs: (wait.as_millis().div_ceil(1000) as u64).max(1) }
            }
        }
    }

    /// Forgets clients whose allowance is full again (run on a schedule by the server).
    pub fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_allowance_counts_down_then_refuses_with_a_wait() {
        let l = PublicLimiter::per_minute(3);
        let a = ip("192.0.2.1");
        let remaining: Vec<u32> = (0..3)
            .map(|_| match l.check(a) {
                Allowance::Allowed { remaining, limit: 3, .. } => remaining,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(remaining, [2, 1, 0]);
        match l.check(a) {
            Allowance::Refused { limit: 3, retry_after_secs } => assert!((1..=20).contains(&retry_after_secs)),
            other => panic!("{other:?}"),
        }
        // Another client, and the same /64 of IPv6 as one.
        assert!(matches!(l.check(ip("192.0.2.2")), Allowance::Allowed { remaining: 2, .. }));
        assert!(matches!(l.check(ip("2001:db8::1")), Allowance::Allowed { remaining: 2, .. }));
        assert!(matches!(l.check(ip("2001:db8::2")), Allowance::Allowed { remaining: 1, .. }));
    }

    #[test]
    fn the_reset_is_the_time_to_refill_what_was_used() {
        let l = PublicLimiter::per_minute(60);
        let a = ip("198.51.100.1");
        for _ in 0..9 {
            l.check(a);
        }
        match l.check(a) {
            Allowance::Allowed { remaining: 50, reset_secs, .. } => {
                assert!((9..=10).contains(&reset_secs), "{reset_secs}")
            }
            other => panic!("{other:?}"),
        }
    }
}
