//! Per-client limits for expensive public actions (checks make outbound requests, validation
//! and subscriptions cost CPU and mail), keyed by the real client: the peer address, or the
//! address a trusted proxy says it forwarded for; an IPv6 client by its /64, since one host
//! commonly holds a whole /64.
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;

#[derive(Clone)]
pub struct ClientLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

/// Most clients a limiter remembers before it forgets the idle ones at once (it also forgets
/// them on the schedule of `prune`).
const MAX_TRACKED: usize = 100_000;

impl ClientLimiter {
    /// `burst` actions at once, refilled at `per_minute`.
    pub fn per_minute(per_minute: u32, burst: u32) -> Self {
        let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        ClientLimiter { limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))) }
    }

    /// `Err(seconds to wait)` when the client has used its share.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        if self.limiter.len() > MAX_TRACKED {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&client_key(client)).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
            wait.as_secs().max(1)
        })
    }

    /// Forgets clients whose allowance is full again (run on a schedule by the server).
    pub fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Clients remembered now.
    pub fn tracked(&self) -> usize {
        self.limiter.len()
    }
}

/// A limit per account (by its lower-cased address), for log-in attempts: `burst` at once, then
/// one more every `period`. Like `ClientLimiter`, it lives in one instance's memory.
#[derive(Clone)]
pub struct AccountLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
}

impl AccountLimiter {
    pub fn new(burst: u32, period: std::time::Duration) -> Self {
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period.max(std::time::Duration::from_millis(1)))
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(burst);
        AccountLimiter { limiter: Arc::new(RateLimiter::keyed(quota)) }
    }

    /// `Err(seconds to wait)` when this account has had its share of attempts.
    pub fn check(&self, account: &str) -> Result<(), u64> {
        if self.limiter.len() > MAX_TRACKED {
            self.limiter.retain_recent();
        }
        let key: String = account.trim().to_lowercase().chars().take(254).collect();
        self.limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
            // Rounded up, so "try again in 2 minutes" is never early.
            (wait.as_millis().div_ceil(1000) as u64).max(1)
        })
    }

    pub fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// The key a client is limited by: an IPv4 address as it is (also when written IPv4-mapped),
/// an IPv6 address by its /64.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// `SIGNPOST_TRUSTED_PROXIES`: comma- or space-separated CIDRs (or single addresses) of the
/// proxies whose `X-Forwarded-For` is believed.
pub fn parse_trusted_proxies(text: &str) -> Result<Vec<IpNet>, String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<IpNet>()
                .or_else(|_| t.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("\"{t}\" is not an address or CIDR"))
        })
        .collect()
}

/// The client a request came from. Only a peer inside `trusted` may name another: its
/// `X-Forwarded-For` is read from the right (the hop nearest us), skipping trusted proxies, and
/// the first address that is not one is the client. Anyone else's header is ignored.
pub fn real_client(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    // A dual-stack listener sees IPv4 peers as `::ffff:a.b.c.d`.
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else { return peer };
    let mut client = peer;
    for hop in header.rsplit(',') {
        let Ok(ip) = hop.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()) else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// The real client of a request: `real_client` over every `X-Forwarded-For` line, joined in
/// order (a proxy may add its own line after the client's).
pub fn client_of(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let lines: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let joined = lines.join(",");
    real_client(peer, (!lines.is_empty()).then_some(joined.as_str()), trusted)
}

/// The real client of the request a server function is handling.
pub async fn client_of_request() -> Result<IpAddr, crate::error::AppError> {
    use crate::error::AppError;
    let peer = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .map(|c| c.0.ip())
        .map_err(|e| AppError::Internal(format!("no client address: {e}")))?;
    let state = crate::server::state::app_state()?;
    let headers = leptos::prelude::use_context::<axum::http::request::Parts>().map(|p| p.headers).unwrap_or_default();
    Ok(client_of(peer, &headers, &state.settings.trusted_proxies))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn each_client_has_its_own_allowance() {
        let l = ClientLimiter::per_minute(6, 2);
        let a = ip("192.0.2.1");
        let b = ip("192.0.2.2");
        assert!(l.check(a).is_ok());
        assert!(l.check(a).is_ok());
        let wait = l.check(a).unwrap_err();
        assert!((1..=10).contains(&wait), "{wait}");
        assert!(l.check(b).is_ok());
    }

    #[test]
    fn each_account_has_its_own_allowance() {
        let l = AccountLimiter::new(2, std::time::Duration::from_secs(120));
        assert!(l.check("ana@example.org").is_ok());
        assert!(l.check(" ANA@example.org").is_ok(), "one account however it is typed");
        let wait = l.check("ana@example.org").unwrap_err();
        assert!((60..=120).contains(&wait), "{wait}");
        assert!(l.check("ben@example.org").is_ok());
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        let l = ClientLimiter::per_minute(6, 1);
        assert!(l.check(ip("2001:db8:1:2::1")).is_ok());
        assert!(l.check(ip("2001:db8:1:2:ffff::9")).is_err(), "same /64");
        assert!(l.check(ip("2001:db8:1:3::1")).is_ok(), "another /64");
        assert_eq!(client_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
    }

    #[test]
    fn pruning_forgets_idle_clients() {
        let l = ClientLimiter::per_minute(60_000, 1);
        l.check(ip("192.0.2.1")).unwrap();
        assert_eq!(l.tracked(), 1);
        // One action every millisecond: after a few the allowance is full again.
        std::thread::sleep(std::time::Duration::from_millis(5));
        l.prune();
        assert_eq!(l.tracked(), 0);
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = parse_trusted_proxies("10.0.0.0/8, 192.0.2.10").unwrap();
        let xff = Some("203.0.113.9, 198.51.100.4, 10.1.1.1");
        // A direct client cannot pick its own key.
        assert_eq!(real_client(ip("198.51.100.77"), xff, &trusted), ip("198.51.100.77"));
        // Through the proxies: the nearest untrusted hop is the client, not the leftmost
        // (which the client could have written itself).
        assert_eq!(real_client(ip("10.2.2.2"), xff, &trusted), ip("198.51.100.4"));
        assert_eq!(real_client(ip("192.0.2.10"), Some("203.0.113.9"), &trusted), ip("203.0.113.9"));
        assert_eq!(real_client(ip("10.2.2.2"), None, &trusted), ip("10.2.2.2"));
        assert_eq!(real_client(ip("10.2.2.2"), Some("garbage"), &trusted), ip("10.2.2.2"));
        // A dual-stack listener's view of an IPv4 proxy, and a client line before the proxy's own.
        assert_eq!(real_client(ip("::ffff:10.2.2.2"), Some("203.0.113.9"), &trusted), ip("203.0.113.9"));
        let mut headers = axum::http::HeaderMap::new();
        headers.append("x-forwarded-for", "6.6.6.6".parse().unwrap());
        headers.append("x-forwarded-for", "198.51.100.4".parse().unwrap());
        assert_eq!(
            client_of(ip("10.2.2.2"), &headers, &trusted),
            ip("198.51.100.4"),
            "the forged first line is not believed"
        );
        assert!(parse_trusted_proxies("10.0.0.0/33").is_err());
        assert!(parse_trusted_proxies("").unwrap().is_empty());
    }
}
