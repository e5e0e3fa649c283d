use super::check::Health;
use serde::{Deserialize, Serialize};

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;
/// The limits of one search, the same for the page, the server function and the JSON API: each
/// distinct term costs a pass over the index, so their number and length are bounded. Words
/// past `MAX_QUERY_TERMS` (stop words and repeats not counted, a web address counted as one)
/// are not searched for, and the answer lists them as relaxed.
pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_QUERY_TERMS: usize = 10;
/// Longer terms are cut to this length, in the index and in queries alike.
pub const MAX_TERM_CHARS: usize = 64;
pub const MAX_FILTER_CHARS: usize = 64;
/// The deepest page served (with `MAX_PER_PAGE`, 100,000 results in).
pub const MAX_PAGE: u32 = 1000;

/// A directory search as it appears in the URL (`/?q=aetna&category=ins&state=TX`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fhir_version: Option<String>,
    /// `production` or `sandbox` (brands with an endpoint of that kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// A brand's endpoint status: `up`, `degraded`, `down` or `unknown` (not checked yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Brands with an endpoint whose certificate expires within this many days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_days: Option<String>,
    /// `yes`: brands with an endpoint that passes the whole CARIN scorecard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carin: Option<String>,
    /// `yes`: brands with an endpoint whose CapabilityStatement offers ExplanationOfBenefit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eob: Option<String>,
    /// Brands with a plan in this line of business (`medicare-advantage`, `medicaid`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_of_business: Option<String>,
    /// What the payer states it offers developers: `sandbox`, `self-service`, `test-patients`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
}

/// The filter parameters of a search, as named in URLs.
pub const FILTERS: [&str; 10] = [
    "category",
    "state",
    "fhir_version",
    "environment",
    "status",
    "cert_days",
    "carin",
    "eob",
    "line_of_business",
    "developer",
];

impl SearchQuery {
    fn filter_slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "category" => &mut self.category,
            "state" => &mut self.state,
            "fhir_version" => &mut self.fhir_version,
            "environment" => &mut self.environment,
            "status" => &mut self.status,
            "cert_days" => &mut self.cert_days,
            "carin" => &mut self.carin,
            "eob" => &mut self.eob,
            "line_of_business" => &mut self.line_of_business,
            "developer" => &mut self.developer,
            _ => return None,
        })
    }

    /// The value of a filter (one of `FILTERS`).
    pub fn filter(&self, name: &str) -> Option<&str> {
        match name {
            "category" => self.category.as_deref(),
            "state" => self.state.as_deref(),
            "fhir_version" => self.fhir_version.as_deref(),
            "environment" => self.environment.as_deref(),
            "status" => self.status.as_deref(),
            "cert_days" => self.cert_days.as_deref(),
            "carin" => self.carin.as_deref(),
            "eob" => self.eob.as_deref(),
            "line_of_business" => self.line_of_business.as_deref(),
            "developer" => self.developer.as_deref(),
            _ => None,
        }
    }

    /// Sets (or with `None` clears) a filter; empty values count as none.
    pub fn set_filter(&mut self, name: &str, value: Option<String>) {
        if let Some(slot) = self.filter_slot(name) {
            *slot = value.filter(|v| !v.is_empty());
        }
    }

    /// Whether this search is within the limits every way into search shares; the message says
    /// which limit it passed.
    pub fn check_limits(&self) -> Result<(), String> {
        let chars = self.q.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(format!("the search text is {chars} characters long; the limit is {MAX_QUERY_CHARS}"));
        }
        for name in FILTERS {
            if self.filter(name).is_some_and(|v| v.chars().count() > MAX_FILTER_CHARS) {
                return Err(format!("{name} is longer than {MAX_FILTER_CHARS} characters"));
            }
        }
        if self.page.is_some_and(|p| p > MAX_PAGE) {
            return Err(format!("page is at most {MAX_PAGE}"));
        }
        if self.per_page.is_some_and(|p| p > MAX_PER_PAGE) {
            return Err(format!("per_page is at most {MAX_PER_PAGE}"));
        }
        Ok(())
    }

    pub fn any_filter(&self) -> bool {
        FILTERS.iter().any(|f| self.filter(f).is_some())
    }

    pub fn page(&self) -> u32 {
        self.page.unwrap_or(1).max(1)
    }

    pub fn per_page(&self) -> u32 {
        self.per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE)
    }

    /// The query string for this search, without the leading `?`; empty parts are left out so
    /// URLs stay short and shareable.
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        let mut push = |k: &str, v: &str| {
            if !v.is_empty() {
                parts.push(format!("{k}={}", encode_component(v)));
            }
        };
        push("q", self.q.trim());
        for name in FILTERS {
            push(name, self.filter(name).unwrap_or(""));
        }
        if let Some(p) = self.page.filter(|p| *p > 1) {
            push("page", &p.to_string());
        }
        if let Some(p) = self.per_page.filter(|p| *p != DEFAULT_PER_PAGE) {
            push("per_page", &p.to_string());
        }
        parts.join("&")
    }

    /// The site URL of this search.
    pub fn href(&self) -> String {
        let qs = self.to_query_string();
        if qs.is_empty() { "/".to_string() } else { format!("/?{qs}") }
    }
}

/// Percent-encodes a query-string value (form style: a space is `+`).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One brand in a result list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BrandSummary {
    pub id: i32,
    pub name: String,
    pub categories: Vec<String>,
    pub location: Option<String>,
    pub logo_url: Option<String>,
    pub endpoint_count: u32,
    pub fhir_versions: Vec<String>,
    pub website: Option<crate::types::link::WebUrl>,
    /// Of its endpoints, from the poller: up when all checked ones are up, down when all are
    /// down, degraded in between; `None` when it has no polled endpoint.
    #[serde(default)]
    pub health: Option<Health>,
    /// Byte ranges of `name` that the query matched, in order and not overlapping (see
    /// `name_parts`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Vec<u32>>))]
    pub highlight: Vec<[u32; 2]>,
}

impl BrandSummary {
    /// The name cut into (text, matched) pieces. Ranges that are out of order, out of bounds
    /// or inside a character are ignored rather than trusted.
    pub fn name_parts(&self) -> Vec<(&str, bool)> {
        let name = self.name.as_str();
        let mut parts = Vec::new();
        let mut at = 0;
        for [s, e] in &self.highlight {
            let (s, e) = (*s as usize, *e as usize);
            if s < at || e <= s || e > name.len() || !name.is_char_boundary(s) || !name.is_char_boundary(e) {
                continue;
            }
            if s > at {
                parts.push((&name[at..s], false));
            }
            parts.push((&name[s..e], true));
            at = e;
        }
        if at < name.len() || parts.is_empty() {
            parts.push((&name[at..], false));
        }
        parts
    }
}

/// What a web address in a query was found as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AddressKind {
    /// The address of an endpoint (a base URL, or a URL under it).
    Endpoint,
    /// The host of an endpoint or a website.
    Host,
    /// The registrable domain of one.
    Domain,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AddressMatch {
    pub kind: AddressKind,
    /// The endpoint key (host and path), host or domain that matched.
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Facets {
    pub category: Vec<FacetValue>,
    pub state: Vec<FacetValue>,
    pub fhir_version: Vec<FacetValue>,
    pub environment: Vec<FacetValue>,
    pub status: Vec<FacetValue>,
    pub cert_days: Vec<FacetValue>,
    pub carin: Vec<FacetValue>,
    pub eob: Vec<FacetValue>,
    #[serde(default)]
    pub line_of_business: Vec<FacetValue>,
    #[serde(default)]
    pub developer: Vec<FacetValue>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SearchResponse {
    pub total: u32,
    pub page: u32,
    pub per_page: u32,
    pub results: Vec<BrandSummary>,
    pub facets: Facets,
    /// Words of the query no longer required, because no brand matched all of them: the
    /// results match the others.
    #[serde(default)]
    pub relaxed: Vec<String>,
    /// When words were relaxed: the words (and addresses) the results do match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<String>,
    /// The query with a likely typo corrected to a word brands have.
    #[serde(default)]
    pub did_you_mean: Option<String>,
    /// A web address in the query, and what it matched.
    #[serde(default)]
    pub address: Option<AddressMatch>,
    /// The directory changed and its new index is still being built: these results are of
    /// the directory as it was before the change.
    #[serde(default)]
    pub updating: bool,
}

impl SearchResponse {
    pub fn page_count(&self) -> u32 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

/// Human label for a category code of the SMART user-access-brand value set.
pub fn category_label(code: &str) -> &'static str {
    match code {
        "prov" => "Provider",
        "ins" => "Health plan",
        "laboratory" => "Laboratory",
        "imaging" => "Imaging",
        "pharmacy" => "Pharmacy",
        "health-information-network" => "Health information network",
        "health-data-aggregator" => "Health data aggregator",
        _ => "Other",
    }
}

/// Human label for a FHIR version code ("4.0.1" → "R4").
pub fn fhir_release_label(version: &str) -> String {
    let release = match version.split('.').next().unwrap_or("") {
        "1" if version.starts_with("1.0") => "DSTU2",
        "1" => "STU3 draft",
        "3" => "STU3",
        "4" if version.starts_with("4.0") => "R4",
        "4" => "R4B",
        "5" => "R5",
        _ => return version.to_string(),
    };
    format!("{release} ({version})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_the_same_for_every_caller() {
        let q = |text: &str| SearchQuery { q: text.into(), ..Default::default() };
        assert!(q("blue cross blue shield of texas").check_limits().is_ok());
        assert!(q(&"a".repeat(MAX_QUERY_CHARS + 1)).check_limits().unwrap_err().contains("characters"));
        assert!(SearchQuery { page: Some(u32::MAX), ..Default::default() }.check_limits().is_err());
        assert!(SearchQuery { per_page: Some(101), ..Default::default() }.check_limits().is_err());
        let mut long_filter = SearchQuery::default();
        long_filter.set_filter("state", Some("x".repeat(65)));
        assert!(long_filter.check_limits().is_err());
    }

    #[test]
    fn query_string_leaves_out_defaults_and_encodes() {
        let q = SearchQuery {
            q: "blue cross & shield".into(),
            category: Some("ins".into()),
            page: Some(1),
            ..Default::default()
        };
        assert_eq!(q.href(), "/?q=blue+cross+%26+shield&category=ins");
        assert_eq!(SearchQuery::default().href(), "/");
    }

    #[test]
    fn name_parts_follow_valid_highlights_only() {
        let mut b = BrandSummary {
            id: 1,
            name: "Café Health".into(),
            categories: vec![],
            location: None,
            logo_url: None,
            endpoint_count: 0,
            fhir_versions: vec![],
            website: None,
            health: None,
            highlight: vec![[0, 5], [6, 12]],
        };
        assert_eq!(b.name_parts(), [("Café", true), (" ", false), ("Health", true)]);
        // Inside "é", then a valid one, then one overlapping it and one past the end.
        b.highlight = vec![[0, 4], [2, 3], [2, 8], [6, 99]];
        assert_eq!(b.name_parts(), [("Ca", false), ("f", true), ("é Health", false)]);
        b.highlight = vec![];
        assert_eq!(b.name_parts(), [("Café Health", false)]);
    }

    #[test]
    fn paging_is_clamped() {
        let q = SearchQuery { page: Some(0), per_page: Some(10_000), ..Default::default() };
        assert_eq!((q.page(), q.per_page()), (1, MAX_PER_PAGE));
    }
}
