//! Web addresses in the index and in queries: a pasted endpoint URL ("whose endpoint is
//! this?"), a host or a domain finds the brands whose endpoints or websites are there.
use super::text::words;

/// Path segments of a pasted URL that are looked at (a resource path after the base is cut
/// away one segment at a time until an endpoint's address is found).
const MAX_SEGMENTS: usize = 16;

/// Words of an address searched for when nothing is at it.
const MAX_FALLBACK_WORDS: usize = 3;

/// Words of a typed address that no brand is known by.
const WEB_NOISE: [&str; 10] = ["www", "http", "https", "com", "org", "net", "gov", "edu", "fhir", "api"];

pub fn is_web_noise(word: &str) -> bool {
    WEB_NOISE.contains(&word)
}

/// Host and path of an address, lower-cased, without scheme, default port, query, fragment or
/// trailing slash: the key two spellings of one endpoint share.
pub fn endpoint_key(address: &str) -> Option<String> {
    let a = split(address)?;
    Some(key(&a.authority(), &a.segments))
}

fn key(host: &str, segments: &[String]) -> String {
    if segments.is_empty() { host.to_string() } else { format!("{host}/{}", segments.join("/")) }
}

/// An address taken apart.
struct Parts {
    /// Lower case; an IPv6 address in brackets.
    host: String,
    port: Option<u16>,
    segments: Vec<String>,
}

impl Parts {
    /// The host, and the port when it is not the scheme's default.
    fn authority(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }
}

/// Host, port and path segments of an absolute or scheme-less address.
fn split(address: &str) -> Option<Parts> {
    let text = address.trim();
    let with_scheme = if text.contains("://") { text.to_string() } else { format!("https://{text}") };
    let url = url::Url::parse(&with_scheme).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.trim_end_matches('.').to_lowercase();
    if host.is_empty() {
        return None;
    }
    let segments = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).take(MAX_SEGMENTS).map(str::to_lowercase).collect())
        .unwrap_or_default();
    Some(Parts { host, port: url.port(), segments })
}

fn without_www(host: &str) -> &str {
    host.strip_prefix("www.").unwrap_or(host)
}

/// The host of an address, without "www." and port.
pub fn host_of(address: &str) -> Option<String> {
    Some(without_www(&split(address)?.host).to_string())
}

/// The part of a host an organization registers: "fhir.hhs.texas.gov" → "texas.gov",
/// "portal.nhs.co.uk" → "nhs.co.uk".
pub fn registrable(host: &str) -> String {
    if host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok() {
        return host.to_string();
    }
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    let n = labels.len();
    let second_level = n >= 3
        && labels[n - 1].len() == 2
        && matches!(labels[n - 2], "co" | "com" | "org" | "net" | "gov" | "ac" | "edu" | "nhs");
    let keep = if second_level { 3 } else { 2 };
    labels[n.saturating_sub(keep)..].join(".")
}

/// An address typed or pasted into the search box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryAddress {
    /// As typed.
    pub text: String,
    pub host: String,
    /// Endpoint keys to look for, longest first: the whole address, then with one path segment
    /// fewer each time, down to the host.
    pub keys: Vec<String>,
    /// The words to search for instead when no endpoint, host or domain is there.
    pub fallback: Vec<String>,
}

/// Whether a piece of a query (no spaces) is a web address: it has a scheme, or starts with a
/// host name ("fhir.example.org", "example.org/r4"). "St.", "U.S." and "e.g." are not.
pub fn parse_query_address(chunk: &str) -> Option<QueryAddress> {
    let has_scheme = chunk.contains("://");
    if !has_scheme {
        let host = chunk.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once(':').filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit())).map_or(host, |h| h.0);
        let labels: Vec<&str> = host.split('.').collect();
        let looks_like_host = labels.len() >= 2
            && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            && labels.last().is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
        if !looks_like_host && host.parse::<std::net::Ipv4Addr>().is_err() {
            return None;
        }
    }
    let parts = split(chunk)?;
    let authority = parts.authority();
    let mut keys: Vec<String> =
        (0..=parts.segments.len()).rev().map(|n| key(&authority, &parts.segments[..n])).collect();
    keys.dedup();
    let bare = without_www(&parts.host);
    let segments = &parts.segments;
    // Without a scheme or path it may be words run together ("St.Louis"); with them, only the
    // organization's part of the host says anything.
    let fallback_from = if has_scheme || !segments.is_empty() {
        let reg = registrable(bare);
        reg.split('.').next().unwrap_or("").to_string()
    } else {
        bare.to_string()
    };
    // A few words at most: each costs a pass over the index, and the URL counted as one term.
    let fallback = words(&fallback_from)
        .into_iter()
        .filter(|w| !w.part && !is_web_noise(&w.text))
        .map(|w| w.text)
        .take(MAX_FALLBACK_WORDS)
        .collect();
    Some(QueryAddress { text: chunk.to_string(), host: bare.to_string(), keys, fallback })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keys_ignore_scheme_case_port_and_trailing_slash() {
        let k = endpoint_key("https://FHIR.Example.org:443/R4/").unwrap();
        assert_eq!(k, "fhir.example.org/r4");
        assert_eq!(endpoint_key("http://fhir.example.org/r4?x=1#y").unwrap(), k);
        assert_eq!(endpoint_key("https://fhir.example.org:8443/r4").unwrap(), "fhir.example.org:8443/r4");
        assert_eq!(endpoint_key("javascript:alert(1)"), None);
    }

    #[test]
    fn pasted_urls_try_shorter_paths_down_to_the_host() {
        let a = parse_query_address("https://apif1.aetna.com/fhir/v1/patientaccess/Patient/123").unwrap();
        assert_eq!(a.keys.first().unwrap(), "apif1.aetna.com/fhir/v1/patientaccess/patient/123");
        assert!(a.keys.contains(&"apif1.aetna.com/fhir/v1/patientaccess".to_string()));
        assert_eq!(a.keys.last().unwrap(), "apif1.aetna.com");
        assert_eq!(a.host, "apif1.aetna.com");
        assert_eq!(a.fallback, ["aetna"]);
        let bare = parse_query_address("fhir.example.org/r4/metadata").unwrap();
        assert_eq!(bare.keys[1], "fhir.example.org/r4");
    }

    #[test]
    fn only_host_like_pieces_are_addresses() {
        for not in ["St.", "U.S.", "e.g.", "aetna", "3.5", "blue-cross"] {
            assert_eq!(parse_query_address(not), None, "{not}");
        }
        let host = parse_query_address("www.Kaiser.com").unwrap();
        assert_eq!((host.host.as_str(), host.fallback.clone()), ("kaiser.com", vec!["kaiser".to_string()]));
        assert_eq!(parse_query_address("St.Louis").unwrap().fallback, ["st", "louis"]);
        assert!(parse_query_address("10.1.2.3:8080/fhir").is_some());
        let v6 = parse_query_address("https://[2001:db8::1]:8443/r4/metadata").unwrap();
        assert_eq!((v6.host.as_str(), v6.keys[1].as_str()), ("[2001:db8::1]", "[2001:db8::1]:8443/r4"));
        assert_eq!(registrable("[2001:db8::1]"), "[2001:db8::1]");
    }

    #[test]
    fn registrable_domains() {
        assert_eq!(registrable("fhir.hhs.texas.gov"), "texas.gov");
        assert_eq!(registrable("portal.nhs.co.uk"), "nhs.co.uk");
        assert_eq!(registrable("example.org"), "example.org");
        assert_eq!(registrable("127.0.0.1"), "127.0.0.1");
        assert_eq!(host_of("https://www.aetna.com/x").as_deref(), Some("aetna.com"));
    }
}
