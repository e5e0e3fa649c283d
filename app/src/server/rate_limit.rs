//! Per-client limits for expensive public actions (the Check page makes outbound requests).
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

#[derive(Clone)]
pub struct ClientLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl ClientLimiter {
    /// `burst` checks at once, refilled at `per_minute`.
    pub fn per_minute(per_minute: u32, burst: u32) -> Self {
        let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        ClientLimiter { limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))) }
    }

    /// `Err(seconds to wait)` when the client has used its share.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
            wait.as_secs().max(1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_has_its_own_allowance() {
        let l = ClientLimiter::per_minute(6, 2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(l.check(a).is_ok());
        assert!(l.check(a).is_ok());
        let wait = l.check(a).unwrap_err();
        assert!((1..=10).contains(&wait), "{wait}");
        assert!(l.check(b).is_ok());
    }
}
