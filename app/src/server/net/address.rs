//! Which IP addresses a fetch of a public URL may reach. Endpoint URLs come from the public, so
//! anything that is not a globally routed unicast address is refused unless the operator exempts
//! it (`SIGNPOST_FETCH_ALLOW`).
use ipnet::IpNet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not public.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Blocked {
    Unspecified,
    Loopback,
    Private,
    LinkLocal,
    Cgnat,
    Multicast,
    Broadcast,
    Documentation,
    Reserved,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Blocked::Unspecified => "unspecified",
            Blocked::Loopback => "loopback",
            Blocked::Private => "private",
            Blocked::LinkLocal => "link-local",
            Blocked::Cgnat => "carrier-grade NAT",
            Blocked::Multicast => "multicast",
            Blocked::Broadcast => "broadcast",
            Blocked::Documentation => "documentation",
            Blocked::Reserved => "reserved",
        })
    }
}

/// The IPv4 address hidden in an IPv6 form that routes to it: IPv4-mapped (`::ffff:a.b.c.d`),
/// IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`).
pub fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(low),
        [0, 0, 0, 0, 0, 0, _, _] if !(s[6] == 0 && s[7] <= 1) => Some(low),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        [0x2002, a, b, ..] => Some(Ipv4Addr::new((a >> 8) as u8, a as u8, (b >> 8) as u8, b as u8)),
        _ => None,
    }
}

/// The address with IPv4 forms written as IPv6 turned back into IPv4, so one allow list and one
/// block list cover both spellings.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => embedded_ipv4(v6).map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
    (u32::from(ip) & mask) == (u32::from(Ipv4Addr::from(net)) & mask)
}

fn classify_v4(ip: Ipv4Addr) -> Option<Blocked> {
    use Blocked::*;
    const RANGES: &[([u8; 4], u32, Blocked)] = &[
        ([255, 255, 255, 255], 32, Broadcast),
        ([0, 0, 0, 0], 8, Unspecified),
        ([10, 0, 0, 0], 8, Private),
        ([100, 64, 0, 0], 10, Cgnat),
        ([127, 0, 0, 0], 8, Loopback),
        ([169, 254, 0, 0], 16, LinkLocal),
        ([172, 16, 0, 0], 12, Private),
        ([192, 0, 0, 0], 24, Reserved),
        ([192, 0, 2, 0], 24, Documentation),
        ([192, 88, 99, 0], 24, Reserved),
        ([192, 168, 0, 0], 16, Private),
        ([198, 18, 0, 0], 15, Reserved),
        ([198, 51, 100, 0], 24, Documentation),
        ([203, 0, 113, 0], 24, Documentation),
        ([224, 0, 0, 0], 4, Multicast),
        ([240, 0, 0, 0], 4, Reserved),
    ];
    RANGES.iter().find(|(net, prefix, _)| in_v4(ip, *net, *prefix)).map(|(_, _, why)| *why)
}

fn classify_v6(ip: Ipv6Addr) -> Option<Blocked> {
    use Blocked::*;
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some(Unspecified);
    }
    if ip.is_loopback() {
        return Some(Loopback);
    }
    if let Some(v4) = embedded_ipv4(ip) {
        return classify_v4(v4);
    }
    match s[0] {
        0xff00..=0xffff => Some(Multicast),
        0xfe80..=0xfebf => Some(LinkLocal),
        0xfec0..=0xfeff => Some(Private),                 // deprecated site-local
        0xfc00..=0xfdff => Some(Private),                 // unique local
        0x0064 if s[1] == 0xff9b => Some(Reserved),       // 64:ff9b:1::/48, local-use NAT64
        0x0100 if s[1..4] == [0, 0, 0] => Some(Reserved), // discard-only
        0x2001 if s[1] == 0x0db8 => Some(Documentation),
        0x2001 if s[1] < 0x0200 => Some(Reserved), // IETF protocol assignments, Teredo
        0x3fff if s[1] < 0x1000 => Some(Documentation),
        // Only 2000::/3 is allocated for global unicast.
        x if !(0x2000..=0x3fff).contains(&x) => Some(Reserved),
        _ => None,
    }
}

/// `None` when the address is public; otherwise the kind of range it is in.
pub fn classify(ip: IpAddr) -> Option<Blocked> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// `Err` with the reason when `ip` may not be fetched: a blocked range not exempted by `allow`.
pub fn permit(ip: IpAddr, allow: &[IpNet]) -> Result<(), Blocked> {
    let Some(why) = classify(ip) else { return Ok(()) };
    let canon = canonical(ip);
    if allow.iter().any(|net| net.contains(&ip) || net.contains(&canon)) { Ok(()) } else { Err(why) }
}

/// Parses `SIGNPOST_FETCH_ALLOW`: CIDRs (or single addresses) separated by commas or spaces.
pub fn parse_allow_list(text: &str) -> Result<Vec<IpNet>, String> {
    text.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("\"{s}\" is not a CIDR such as 127.0.0.2/32"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Option<Blocked> {
        classify(s.parse().unwrap())
    }

    #[test]
    fn public_addresses_pass() {
        for ip in
            ["8.8.8.8", "1.1.1.1", "151.101.1.69", "2606:4700::1111", "2a00:1450:4001:80b::200e", "64:ff9b::808:808"]
        {
            assert_eq!(c(ip), None, "{ip}");
        }
    }

    #[test]
    fn every_non_public_ipv4_range_is_refused() {
        use Blocked::*;
        for (ip, why) in [
            ("0.0.0.0", Unspecified),
            ("0.1.2.3", Unspecified),
            ("10.0.0.1", Private),
            ("10.255.255.255", Private),
            ("100.64.0.1", Cgnat),
            ("100.127.255.254", Cgnat),
            ("127.0.0.1", Loopback),
            ("127.255.0.9", Loopback),
            ("169.254.169.254", LinkLocal),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("192.0.0.8", Reserved),
            ("192.0.2.1", Documentation),
            ("192.88.99.1", Reserved),
            ("192.168.1.1", Private),
            ("198.18.0.1", Reserved),
            ("198.19.255.1", Reserved),
            ("198.51.100.7", Documentation),
            ("203.0.113.9", Documentation),
            ("224.0.0.1", Multicast),
            ("239.255.255.250", Multicast),
            ("240.0.0.1", Reserved),
            ("255.255.255.255", Broadcast),
        ] {
            assert_eq!(c(ip), Some(why), "{ip}");
        }
        for edge in ["100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0", "11.0.0.0", "126.255.255.255"] {
            assert_eq!(c(edge), None, "{edge}");
        }
    }

    #[test]
    fn every_non_public_ipv6_form_is_refused() {
        use Blocked::*;
        for (ip, why) in [
            ("::", Unspecified),
            ("::1", Loopback),
            ("::ffff:127.0.0.1", Loopback),
            ("::ffff:7f00:1", Loopback),
            ("::ffff:10.1.2.3", Private),
            ("::ffff:169.254.169.254", LinkLocal),
            ("::127.0.0.1", Loopback),
            ("64:ff9b::127.0.0.1", Loopback),
            ("64:ff9b::a00:1", Private),
            ("64:ff9b:1::1", Reserved),
            ("2002:7f00:1::", Loopback),
            ("2002:c0a8:101::1", Private),
            ("fe80::1", LinkLocal),
            ("fec0::1", Private),
            ("fc00::1", Private),
            ("fd12:3456::1", Private),
            ("ff02::1", Multicast),
            ("100::1", Reserved),
            ("2001:db8::1", Documentation),
            ("2001::1", Reserved),
            ("3fff::1", Documentation),
            ("4000::1", Reserved),
        ] {
            assert_eq!(c(ip), Some(why), "{ip}");
        }
    }

    #[test]
    fn url_spellings_of_loopback_are_caught_after_parsing() {
        // The WHATWG parser (the `url` crate) turns decimal, hex and short forms into 127.0.0.1.
        for u in [
            "http://2130706433/",
            "http://0x7f.1/",
            "http://127.1/",
            "http://[::ffff:127.0.0.1]/",
            "http://0177.0.0.1/",
        ] {
            let url = url::Url::parse(u).unwrap();
            let ip: IpAddr = match url.host().unwrap() {
                url::Host::Ipv4(v4) => v4.into(),
                url::Host::Ipv6(v6) => v6.into(),
                url::Host::Domain(d) => panic!("{u} parsed as domain {d}"),
            };
            assert_eq!(classify(ip), Some(Blocked::Loopback), "{u}");
        }
    }

    #[test]
    fn the_allow_list_exempts_only_what_it_names() {
        let allow = parse_allow_list("127.0.0.2/32, 10.1.0.0/16").unwrap();
        assert_eq!(permit("127.0.0.2".parse().unwrap(), &allow), Ok(()));
        assert_eq!(permit("::ffff:127.0.0.2".parse().unwrap(), &allow), Ok(()));
        assert_eq!(permit("127.0.0.1".parse().unwrap(), &allow), Err(Blocked::Loopback));
        assert_eq!(permit("10.1.200.3".parse().unwrap(), &allow), Ok(()));
        assert_eq!(permit("10.2.0.1".parse().unwrap(), &allow), Err(Blocked::Private));
        assert_eq!(permit("8.8.8.8".parse().unwrap(), &[]), Ok(()));
        assert!(parse_allow_list("").unwrap().is_empty());
        assert_eq!(parse_allow_list("::1").unwrap().len(), 1);
        assert!(parse_allow_list("localhost").unwrap_err().contains("localhost"));
    }
}
