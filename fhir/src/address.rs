use std::fmt;

/// A FHIR base URL in its one normal form: lower-case scheme and host, no default port, no
/// trailing slash, no fragment. Two spellings of the same endpoint compare equal.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EndpointAddress(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AddressError {
    #[error("address is empty")]
    Empty,
    #[error("address is not a URL: {0}")]
    NotUrl(String),
    #[error("address must use http or https, not {0}")]
    Scheme(String),
    #[error("address has no host")]
    NoHost,
}

impl EndpointAddress {
    pub fn parse(raw: &str) -> Result<Self, AddressError> {
        let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}');
        if trimmed.is_empty() {
            return Err(AddressError::Empty);
        }
        let mut url = url::Url::parse(trimmed).map_err(|e| AddressError::NotUrl(e.to_string()))?;
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(AddressError::Scheme(other.to_string())),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(AddressError::NoHost);
        }
        url.set_fragment(None);
        let mut s = url.to_string();
        // The url crate already lower-cases scheme and host and drops default ports.
        if url.query().is_none() {
            while s.ends_with('/') {
                s.pop();
            }
        }
        Ok(EndpointAddress(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    pub fn host(&self) -> &str {
        let rest = self.0.split_once("://").map_or("", |(_, r)| r);
        let end = rest.find(['/', '?', ':']).unwrap_or(rest.len());
        &rest[..end]
    }
}

impl fmt::Display for EndpointAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_case_port_and_trailing_slash() {
        let a = EndpointAddress::parse(" HTTPS://FHIR-MyRecord.Cerner.com:443/r4/Abc/ ").unwrap();
        assert_eq!(a.as_str(), "https://fhir-myrecord.cerner.com/r4/Abc");
        assert_eq!(a.host(), "fhir-myrecord.cerner.com");
        assert!(a.is_https());
        assert_eq!(EndpointAddress::parse("http://x.org:80/").unwrap().as_str(), "http://x.org");
        assert_eq!(EndpointAddress::parse("https://x.org:8443/fhir//").unwrap().as_str(), "https://x.org:8443/fhir");
    }

    #[test]
    fn refuses_what_is_not_a_base_url() {
        assert_eq!(EndpointAddress::parse(" \u{a0}"), Err(AddressError::Empty));
        assert!(matches!(EndpointAddress::parse("fhir.example.org/r4"), Err(AddressError::NotUrl(_))));
        assert_eq!(EndpointAddress::parse("ftp://x.org/"), Err(AddressError::Scheme("ftp".into())));
    }
}
