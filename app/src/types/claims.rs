//! Claims: a payer organization's proof that it controls a brand's website domain, the states a
//! claim moves through, and the domain rules (which address or file proves which brand).
#[cfg(feature = "ssr")]
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};

/// How a claim was proven.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))"))]
pub enum ClaimMethod {
    /// A link mailed to an address at the domain (or a parent domain).
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "email"))]
    Email,
    /// A token placed at `https://{domain}/.well-known/signpost-verification.txt`.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "well-known"))]
    WellKnown,
    /// An admin granted it (or transferred it); not re-verified.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "granted"))]
    Granted,
}

impl ClaimMethod {
    pub fn parse(s: &str) -> Option<ClaimMethod> {
        match s {
            "email" => Some(ClaimMethod::Email),
            "well-known" => Some(ClaimMethod::WellKnown),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClaimMethod::Email => "an emailed link",
            ClaimMethod::WellKnown => "a well-known file",
            ClaimMethod::Granted => "an admin",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))"))]
pub enum ClaimState {
    /// Waiting for the link to be opened or the file to be found.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "pending"))]
    Pending,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "verified"))]
    Verified,
    /// A re-verification failed or is waiting on the mailed link; still in force until it lapses.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "flagged"))]
    Flagged,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "lapsed"))]
    Lapsed,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "revoked"))]
    Revoked,
}

/// What can happen to a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimEvent {
    /// The link was opened or the file found (first time or on a re-check).
    Proven,
    /// A re-check failed, or a re-check link was mailed and waits to be opened.
    RecheckPending,
    /// Flagged too long, or a pending claim never proven.
    Lapse,
    /// An admin revokes it, or another claim on the brand is granted; the organization withdraws it.
    Revoke,
}

impl ClaimState {
    /// The state machine: the next state, or `None` when the event does not apply. A lapsed or
    /// revoked claim stays ended (a new claim starts again).
    pub fn next(self, event: ClaimEvent) -> Option<ClaimState> {
        use ClaimEvent::*;
        use ClaimState::*;
        match (self, event) {
            (Pending | Verified | Flagged, Proven) => Some(Verified),
            (Verified | Flagged, RecheckPending) => Some(Flagged),
            (Pending | Flagged, Lapse) => Some(Lapsed),
            (Pending | Verified | Flagged, Revoke) => Some(Revoked),
            (Pending, RecheckPending) | (Verified, Lapse) | (Lapsed | Revoked, _) => None,
        }
    }

    /// The claim makes its organization the brand's maintainer.
    pub fn in_force(self) -> bool {
        matches!(self, ClaimState::Verified | ClaimState::Flagged)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimState::Pending => "pending",
            ClaimState::Verified => "verified",
            ClaimState::Flagged => "re-verification pending",
            ClaimState::Lapsed => "lapsed",
            ClaimState::Revoked => "revoked",
        }
    }
}

/// Where a verification file is looked for: `https://{authority}/.well-known/…`.
pub const WELL_KNOWN_PATH: &str = "/.well-known/signpost-verification.txt";

/// A lower-case host name (with its port when not the default), as claims compare them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain(String);

impl Domain {
    /// The host (and port) of a brand's website; `None` for a website that is not a web URL.
    #[cfg(feature = "ssr")]
    pub fn of_website(website: &str) -> Option<Domain> {
        let url = crate::types::link::WebUrl::parse(website).ok()?;
        let u = url::Url::parse(url.as_str()).ok()?;
        let host = u.host_str()?.trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() {
            return None;
        }
        Some(Domain(match u.port() {
            Some(p) => format!("{host}:{p}"),
            None => host,
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn host(&self) -> &str {
        // An IPv6 literal keeps its colons inside brackets.
        match self.0.rfind(':') {
            Some(i) if !self.0[i..].contains(']') => &self.0[..i],
            _ => &self.0,
        }
    }

    /// The same host, or one under it (`members.example.com` is under `example.com`); the port
    /// must match when this domain names one.
    pub fn covers(&self, other: &Domain) -> bool {
        let (mine, theirs) = (self.host(), other.host());
        let host_ok = theirs == mine || theirs.ends_with(&format!(".{mine}"));
        let port_ok = self.0.len() == mine.len() || self.0 == other.0;
        host_ok && port_ok
    }

    /// The domain an address proves for a brand at `website`: the address's own domain, which
    /// must be the website's host (or that host without `www.`), or a parent of it, and not a
    /// bare top-level name. At a parent domain only a role mailbox counts (`admin@`,
    /// `administrator@`, `hostmaster@`, `postmaster@`, `webmaster@`, as certificate authorities
    /// accept), since anyone at a large parent (`@state.gov`) does not speak for every host under it.
    pub fn for_email(email: &str, website: &Domain) -> Result<Domain, String> {
        let (local, d) = email.trim().rsplit_once('@').ok_or("give a whole email address")?;
        let d = d.trim_end_matches('.').to_ascii_lowercase();
        if d.split('.').filter(|l| !l.is_empty()).count() < 2 {
            return Err(format!("\"{d}\" is not a domain an organization controls"));
        }
        let host = website.host();
        let domain = Domain(d);
        if !domain.covers(&Domain(host.to_string())) {
            return Err(format!("the address must be at {host} or a parent domain of it, as the brand's website is"));
        }
        let own = domain.0 == host || host.strip_prefix("www.") == Some(domain.0.as_str());
        let role = ["admin", "administrator", "hostmaster", "postmaster", "webmaster"]
            .contains(&local.to_ascii_lowercase().as_str());
        if !own && !role {
            return Err(format!(
                "{} is a parent of the website's domain: only admin@, administrator@, hostmaster@, postmaster@ \
                 or webmaster@ there proves it (or use an address at {host})",
                domain.0
            ));
        }
        Ok(domain)
    }

    /// The file that proves a well-known claim.
    pub fn well_known_url(&self) -> String {
        format!("https://{}{WELL_KNOWN_PATH}", self.0)
    }
}

/// The organization that maintains a brand, as the brand page says it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Maintainer {
    pub organization_id: i32,
    pub organization: String,
    pub verified_at: Option<i64>,
    pub state: ClaimState,
}

/// A claim as its organization's members and admins see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimView {
    pub id: i32,
    pub organization_id: i32,
    pub organization: String,
    pub brand_id: i32,
    pub brand: String,
    pub domain: String,
    pub method: ClaimMethod,
    pub state: ClaimState,
    pub email: Option<String>,
    /// For a well-known claim: the line to place in the file, and where.
    pub file_line: Option<String>,
    pub file_url: Option<String>,
    pub created_at: i64,
    pub verified_at: Option<i64>,
    pub next_check_at: Option<i64>,
    pub last_error: Option<String>,
}

/// What the emailed link's page shows before it is confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimConfirmation {
    pub organization: String,
    pub brand: String,
    pub domain: String,
    pub email: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_states_move_only_as_the_machine_says() {
        use ClaimEvent::*;
        use ClaimState::*;
        assert_eq!(Pending.next(Proven), Some(Verified));
        assert_eq!(Verified.next(Proven), Some(Verified));
        assert_eq!(Verified.next(RecheckPending), Some(Flagged));
        assert_eq!(Flagged.next(Proven), Some(Verified));
        assert_eq!(Flagged.next(Lapse), Some(Lapsed));
        assert_eq!(Pending.next(Lapse), Some(Lapsed));
        assert_eq!(Verified.next(Lapse), None, "a verified claim is flagged first");
        assert_eq!(Pending.next(RecheckPending), None);
        for s in [Pending, Verified, Flagged] {
            assert_eq!(s.next(Revoke), Some(Revoked));
        }
        for s in [Lapsed, Revoked] {
            for e in [Proven, RecheckPending, Lapse, Revoke] {
                assert_eq!(s.next(e), None, "{s:?} {e:?}");
            }
        }
        assert!(Verified.in_force() && Flagged.in_force());
        assert!(!Pending.in_force() && !Lapsed.in_force() && !Revoked.in_force());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn domains_cover_their_subdomains_and_ports_match() {
        let site = Domain::of_website("https://WWW.Example.com/plans").unwrap();
        assert_eq!(site.as_str(), "www.example.com");
        let parent = Domain::for_email("api@example.com", &site).unwrap();
        assert!(parent.covers(&site));
        assert!(parent.covers(&Domain::of_website("https://members.example.com").unwrap()));
        assert!(!parent.covers(&Domain::of_website("https://example.com.evil.org").unwrap()));
        assert!(!parent.covers(&Domain::of_website("https://badexample.com").unwrap()));
        assert!(Domain::for_email("a@com", &site).is_err(), "a bare top-level name");
        assert!(Domain::for_email("a@other.org", &site).is_err());
        assert!(Domain::for_email("a@sub.www.example.com", &site).is_err(), "a child does not prove its parent");
        let medicaid = Domain::of_website("https://medicaid.state.gov/").unwrap();
        assert!(Domain::for_email("anyone@state.gov", &medicaid).is_err(), "anyone at a parent");
        assert!(Domain::for_email("Hostmaster@state.gov", &medicaid).is_ok(), "a role mailbox at a parent");
        assert!(Domain::for_email("anyone@medicaid.state.gov", &medicaid).is_ok(), "anyone at the host itself");
        assert!(Domain::for_email("no-at-sign", &medicaid).is_err());
        let local = Domain::of_website("https://127.0.0.1:8443/").unwrap();
        assert_eq!(local.as_str(), "127.0.0.1:8443");
        assert_eq!(local.well_known_url(), "https://127.0.0.1:8443/.well-known/signpost-verification.txt");
        assert!(local.covers(&local));
        assert!(!local.covers(&Domain::of_website("https://127.0.0.1:9000/").unwrap()));
        assert!(Domain::of_website("ftp://example.com").is_none());
        assert!(Domain::of_website("not a url").is_none());
    }
}
