//! Links taken from data (bundles, feeds, forms). Every value that becomes an `href` or an
//! `<img src>` is one of these types, parsed when the data is read and again when it is turned
//! into a wire type, so a `javascript:` value cannot reach a page even from an old database row.
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest URL kept: longer ones are not links anyone types, and they bloat every page.
pub const MAX_URL_LEN: usize = 2048;
/// Largest `data:` logo kept (the whole URL, base64 included).
pub const MAX_DATA_LOGO_LEN: usize = 256 * 1024;
/// The image types a `data:` logo may have. SVG is only ever rendered inside `<img>`, where it
/// cannot run script.
pub const LOGO_MEDIA_TYPES: [&str; 5] = ["image/png", "image/jpeg", "image/webp", "image/gif", "image/svg+xml"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkProblem {
    Empty,
    TooLong {
        len: usize,
        max: usize,
    },
    /// A control character or a space inside the URL.
    Characters,
    Scheme(String),
    NoHost,
    Credentials,
    NotAUrl(String),
    LogoType(String),
    LogoEncoding,
}

impl fmt::Display for LinkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkProblem::Empty => write!(f, "it is empty"),
            LinkProblem::TooLong { len, max } => write!(f, "it is {len} characters long; at most {max} are kept"),
            LinkProblem::Characters => write!(f, "it contains spaces or control characters"),
            LinkProblem::Scheme(s) => write!(f, "scheme \"{s}\" is not allowed; only https and http links are kept"),
            LinkProblem::NoHost => write!(f, "it has no host"),
            LinkProblem::Credentials => write!(f, "it carries a user name or password"),
            LinkProblem::NotAUrl(e) => write!(f, "it is not a URL ({e})"),
            LinkProblem::LogoType(t) => {
                write!(f, "a data: logo of type \"{t}\" is not allowed (only {})", LOGO_MEDIA_TYPES.join(", "))
            }
            LinkProblem::LogoEncoding => {
                write!(f, "a data: logo must be base64, or percent-encoded text without spaces or quotes")
            }
        }
    }
}

fn scheme_of(text: &str) -> Option<&str> {
    let colon = text.find(':')?;
    let scheme = &text[..colon];
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))).then_some(scheme)
}

/// An absolute `https` or `http` URL with a host and no credentials: the only kind of link to
/// another site that Signpost renders.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(value_type = String, format = "uri"))]
#[serde(try_from = "String", into = "String")]
pub struct WebUrl(String);

impl WebUrl {
    pub fn parse(text: &str) -> Result<WebUrl, LinkProblem> {
        let t = text.trim();
        if t.is_empty() {
            return Err(LinkProblem::Empty);
        }
        if t.len() > MAX_URL_LEN {
            return Err(LinkProblem::TooLong { len: t.len(), max: MAX_URL_LEN });
        }
        if t.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(LinkProblem::Characters);
        }
        let scheme = scheme_of(t).ok_or_else(|| LinkProblem::NotAUrl("no scheme".into()))?.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(LinkProblem::Scheme(scheme));
        }
        let rest = &t[scheme.len() + 1..];
        let authority = rest.strip_prefix("//").ok_or(LinkProblem::NoHost)?;
        let authority = authority.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(LinkProblem::Credentials);
        }
        if authority.is_empty() || authority.starts_with(':') {
            return Err(LinkProblem::NoHost);
        }
        Ok(WebUrl(Self::normalize(t)?))
    }

    /// On the server the URL also goes through a full WHATWG parse. The text is kept as given
    /// (trimmed), so data reads back as it was imported and re-imports stay unchanged.
    #[cfg(feature = "ssr")]
    fn normalize(t: &str) -> Result<String, LinkProblem> {
        let u = url::Url::parse(t).map_err(|e| LinkProblem::NotAUrl(e.to_string()))?;
        match u.scheme() {
            "https" | "http" => {}
            other => return Err(LinkProblem::Scheme(other.to_string())),
        }
        if u.host_str().is_none_or(str::is_empty) {
            return Err(LinkProblem::NoHost);
        }
        if !u.username().is_empty() || u.password().is_some() {
            return Err(LinkProblem::Credentials);
        }
        Ok(t.to_string())
    }

    #[cfg(not(feature = "ssr"))]
    fn normalize(t: &str) -> Result<String, LinkProblem> {
        Ok(t.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value of an optional text column or field, kept only when it is a safe link.
    pub fn parse_opt(text: Option<&str>) -> Option<WebUrl> {
        text.and_then(|t| WebUrl::parse(t).ok())
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for WebUrl {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        WebUrl::parse(&s).map_err(|e| e.to_string())
    }
}

impl From<WebUrl> for String {
    fn from(u: WebUrl) -> String {
        u.0
    }
}

/// A logo embedded as a `data:image/...` URL (base64 or percent-encoded text) of an allowed type
/// and size: the only logo a page shows (remote logos would tell third parties who looks at which health plan).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DataLogo(String);

impl DataLogo {
    pub fn parse(text: &str) -> Result<DataLogo, LinkProblem> {
        let t = text.trim();
        if t.len() > MAX_DATA_LOGO_LEN {
            return Err(LinkProblem::TooLong { len: t.len(), max: MAX_DATA_LOGO_LEN });
        }
        let Some(rest) = t.get(..5).filter(|p| p.eq_ignore_ascii_case("data:")).map(|_| &t[5..]) else {
            return Err(LinkProblem::Scheme(scheme_of(t).unwrap_or("").to_ascii_lowercase()));
        };
        let (meta, payload) = rest.split_once(',').ok_or(LinkProblem::LogoEncoding)?;
        let media = meta.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if !LOGO_MEDIA_TYPES.contains(&media.as_str()) {
            return Err(LinkProblem::LogoType(media));
        }
        let base64 = meta.split(';').skip(1).any(|p| p.trim().eq_ignore_ascii_case("base64"));
        if payload.is_empty() {
            return Err(LinkProblem::LogoEncoding);
        }
        // Base64, or percent-encoded text (the SMART examples' SVGs: `data:image/svg+xml;utf8,
        // <svg%20…>`, and a base64 one shortened with "..."): visible ASCII only, no quotes or
        // backslashes. It is only ever an `<img src>`, where even SVG runs no script, and a
        // payload that does not decode is just a broken image.
        if !payload.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\\' | b'`')) {
            return Err(LinkProblem::LogoEncoding);
        }
        if base64 {
            return Ok(DataLogo(format!("data:{media};base64,{payload}")));
        }
        Ok(DataLogo(format!("data:{}", &t[5..])))
    }

    pub fn parse_opt(text: Option<&str>) -> Option<DataLogo> {
        text.and_then(|t| DataLogo::parse(t).ok())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DataLogo {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        DataLogo::parse(&s).map_err(|e| e.to_string())
    }
}

impl From<DataLogo> for String {
    fn from(u: DataLogo) -> String {
        u.0
    }
}

/// What a bundle may give as a logo: an embedded image, or a web address (kept for the data,
/// never loaded by visitors' browsers).
pub fn logo_problem(text: &str) -> Option<LinkProblem> {
    let t = text.trim();
    if t.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("data:")) {
        DataLogo::parse(t).err()
    } else {
        WebUrl::parse(t).err()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_links_keep_only_http_and_https() {
        assert_eq!(WebUrl::parse(" https://health.example.com ").unwrap().as_str(), "https://health.example.com");
        assert!(WebUrl::parse("http://example.org/a?b#c").is_ok());
        assert!(WebUrl::parse("HTTPS://EXAMPLE.ORG").is_ok());
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "java\tscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "file:///etc/passwd",
            "//example.org",
            "/relative",
            "https:/example.org",
            "https://",
            "https://user:pw@example.org/",
            "https://exa mple.org/",
        ] {
            assert!(WebUrl::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(WebUrl::parse("javascript:alert(1)").unwrap_err(), LinkProblem::Scheme("javascript".into()));
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_LEN));
        assert!(matches!(WebUrl::parse(&long), Err(LinkProblem::TooLong { .. })));
    }

    #[test]
    fn deserializing_goes_through_the_parse() {
        assert!(serde_json::from_str::<WebUrl>("\"javascript:alert(1)\"").is_err());
        assert!(serde_json::from_str::<WebUrl>("\"https://example.org/\"").is_ok());
        assert!(serde_json::from_str::<DataLogo>("\"data:text/html;base64,PHNjcmlwdD4=\"").is_err());
    }

    #[test]
    fn data_logos_only_of_image_types_and_capped() {
        assert_eq!(
            DataLogo::parse("data:image/png;base64,iVBORw0KGgo=").unwrap().as_str(),
            "data:image/png;base64,iVBORw0KGgo="
        );
        assert!(DataLogo::parse("DATA:image/SVG+XML;base64,PHN2Zz4=").is_ok());
        assert!(matches!(DataLogo::parse("data:text/html;base64,PHNjcmlwdD4="), Err(LinkProblem::LogoType(_))));
        assert!(matches!(DataLogo::parse("data:image/png,<svg onload=x>"), Err(LinkProblem::LogoEncoding)), "a space");
        assert!(matches!(DataLogo::parse("data:image/svg+xml,<svg%20a=\"x\">"), Err(LinkProblem::LogoEncoding)));
        // The SMART spec example's form.
        let svg = "data:image/svg+xml;utf8,<svg%20xmlns='http://www.w3.org/2000/svg'%20width='1024'></svg>";
        assert_eq!(DataLogo::parse(svg).unwrap().as_str(), svg);
        assert!(matches!(DataLogo::parse("data:image/png;base64,\"><script>"), Err(LinkProblem::LogoEncoding)));
        assert!(
            DataLogo::parse("data:image/svg+xml;base64,PHN2ZyB0aXRsZT0i...+IDwvc3ZnPgo").is_ok(),
            "the spec's example"
        );
        let big = format!("data:image/png;base64,{}", "A".repeat(MAX_DATA_LOGO_LEN));
        assert!(matches!(DataLogo::parse(&big), Err(LinkProblem::TooLong { .. })));
        assert!(logo_problem("https://example.org/logo.png").is_none());
        assert!(logo_problem("javascript:alert(1)").is_some());
        assert!(logo_problem("data:text/html,hi").is_some());
    }
}
