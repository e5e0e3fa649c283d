//! Proposals to the directory as the browser sees them: what kind, in which state, the draft a
//! proposer typed (a brand's own fields), the field-by-field differences a moderator reads, and
//! the thread. The enums are stored in the database as their short names (`ssr` derives).
#[cfg(feature = "ssr")]
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))"))]
pub enum ProposalKind {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "new_brand"))]
    NewBrand,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "edit"))]
    Edit,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "new_endpoint"))]
    NewEndpoint,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "report"))]
    Report,
}

impl ProposalKind {
    pub const ALL: [ProposalKind; 4] =
        [ProposalKind::NewBrand, ProposalKind::Edit, ProposalKind::NewEndpoint, ProposalKind::Report];

    pub fn as_str(self) -> &'static str {
        match self {
            ProposalKind::NewBrand => "new_brand",
            ProposalKind::Edit => "edit",
            ProposalKind::NewEndpoint => "new_endpoint",
            ProposalKind::Report => "report",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ProposalKind::NewBrand => "New brand",
            ProposalKind::Edit => "Edit",
            ProposalKind::NewEndpoint => "New endpoint",
            ProposalKind::Report => "Report",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))"))]
pub enum ProposalState {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "pending"))]
    Pending,
    /// A moderator asked the proposer a question; waiting on the proposer.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "needs_info"))]
    NeedsInfo,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "approved"))]
    Approved,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rejected"))]
    Rejected,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "withdrawn"))]
    Withdrawn,
}

/// What can happen to a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProposalEvent {
    /// A moderator asks the proposer a question.
    Ask,
    /// The proposer answers in the thread.
    Answer,
    /// The proposer changes the draft.
    Edit,
    Approve,
    Reject,
    Withdraw,
}

impl ProposalState {
    pub const ALL: [ProposalState; 5] = [
        ProposalState::Pending,
        ProposalState::NeedsInfo,
        ProposalState::Approved,
        ProposalState::Rejected,
        ProposalState::Withdrawn,
    ];

    /// The state machine: the next state, or `None` when the event does not apply. Only an open
    /// proposal (pending, or waiting on its proposer) moves; a decided one stays decided.
    pub fn next(self, event: ProposalEvent) -> Option<ProposalState> {
        use ProposalEvent::*;
        use ProposalState::*;
        match (self, event) {
            (Pending, Ask) | (NeedsInfo, Ask) => Some(NeedsInfo),
            (NeedsInfo, Answer) | (NeedsInfo, Edit) => Some(Pending),
            (Pending, Answer) | (Pending, Edit) => Some(Pending),
            (Pending | NeedsInfo, Approve) => Some(Approved),
            (Pending | NeedsInfo, Reject) => Some(Rejected),
            (Pending | NeedsInfo, Withdraw) => Some(Withdrawn),
            (Approved | Rejected | Withdrawn, _) => None,
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, ProposalState::Pending | ProposalState::NeedsInfo)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProposalState::Pending => "pending",
            ProposalState::NeedsInfo => "needs_info",
            ProposalState::Approved => "approved",
            ProposalState::Rejected => "rejected",
            ProposalState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ProposalState::Pending => "Pending review",
            ProposalState::NeedsInfo => "Waiting for the proposer",
            ProposalState::Approved => "Approved",
            ProposalState::Rejected => "Rejected",
            ProposalState::Withdrawn => "Withdrawn",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))"))]
pub enum ReportKind {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "broken"))]
    Broken,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "moved"))]
    Moved,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "duplicate"))]
    Duplicate,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "not_patient_access"))]
    NotPatientAccess,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "other"))]
    Other,
}

impl ReportKind {
    pub const ALL: [ReportKind; 5] =
        [ReportKind::Broken, ReportKind::Moved, ReportKind::Duplicate, ReportKind::NotPatientAccess, ReportKind::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Broken => "broken",
            ReportKind::Moved => "moved",
            ReportKind::Duplicate => "duplicate",
            ReportKind::NotPatientAccess => "not_patient_access",
            ReportKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportKind::Broken => "It is broken",
            ReportKind::Moved => "It moved to another address",
            ReportKind::Duplicate => "It is a duplicate of another brand",
            ReportKind::NotPatientAccess => "It is not a patient-access endpoint",
            ReportKind::Other => "Something else",
        }
    }
}

/// Where an applied change came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))"))]
pub enum ChangeOrigin {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "import"))]
    Import,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "proposal"))]
    Proposal,
    /// A trusted contributor's edit, applied at once.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "trusted"))]
    Trusted,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "revert"))]
    Revert,
    /// The community's value put back after a re-import that left the field as it was.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "kept"))]
    Kept,
    /// A member of the payer organization that maintains the brand, applied at once.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "maintainer"))]
    Maintainer,
}

impl ChangeOrigin {
    pub fn label(self) -> &'static str {
        match self {
            ChangeOrigin::Import => "import",
            ChangeOrigin::Proposal => "approved proposal",
            ChangeOrigin::Trusted => "trusted contributor",
            ChangeOrigin::Revert => "revert",
            ChangeOrigin::Kept => "community value kept over a re-import",
            ChangeOrigin::Maintainer => "the brand's maintainer",
        }
    }
}

/// The limits on what one proposal may hold; a form past them is refused with a clear error.
pub const MAX_TEXT: usize = 2048;
pub const MAX_ITEMS: usize = 20;
pub const MAX_ENDPOINTS: usize = 100;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifierDraft {
    pub system: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressDraft {
    /// Street lines, one per line.
    pub line: Vec<String>,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
}

impl AddressDraft {
    fn is_blank(&self) -> bool {
        self.line.is_empty() && self.city.is_empty() && self.state.is_empty() && self.postal_code.is_empty()
    }

    pub fn one_line(&self) -> String {
        let mut parts: Vec<String> = self.line.clone();
        parts.extend([self.city.clone(), format!("{} {}", self.state, self.postal_code).trim().to_string()]);
        parts.extend([self.country.clone()]);
        parts.retain(|p| !p.is_empty());
        parts.join(", ")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalDraft {
    pub name: String,
    pub url: String,
    pub description: String,
    pub logo_url: String,
    pub logo_license: String,
}

impl PortalDraft {
    fn is_blank(&self) -> bool {
        self.name.is_empty() && self.url.is_empty() && self.description.is_empty() && self.logo_url.is_empty()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointDraft {
    /// The listed endpoint this row edits; `None` for a new one.
    pub id: Option<i32>,
    pub address: String,
    pub name: String,
    pub fhir_versions: Vec<String>,
    /// FHIR `Endpoint.status`: active, suspended, error, off, entered-in-error, test.
    pub status: String,
    pub contact_url: String,
    /// Which of the brand's portals lists it (by position).
    pub portal: Option<usize>,
}

pub const ENDPOINT_STATUSES: [&str; 6] = ["active", "suspended", "error", "off", "entered-in-error", "test"];

/// A brand as a proposal holds it: its own fields, as typed (the server parses each one into
/// its type before anything is stored).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandDraft {
    pub name: String,
    pub aliases: Vec<String>,
    pub identifiers: Vec<IdentifierDraft>,
    pub categories: Vec<String>,
    pub website: String,
    pub logo_url: String,
    pub logo_license: String,
    pub active: bool,
    pub addresses: Vec<AddressDraft>,
    pub portals: Vec<PortalDraft>,
    pub endpoints: Vec<EndpointDraft>,
}

fn capped(s: &str) -> String {
    let t = s.trim();
    // Control characters never belong in a directory value (a newline splits lines upstream).
    t.chars().filter(|c| !c.is_control()).take(MAX_TEXT).collect()
}

/// A logo may be an embedded image: up to the `data:` logo limit, not the limit of other text.
fn logo_text(s: &str) -> String {
    s.trim().chars().filter(|c| !c.is_control()).take(crate::types::link::MAX_DATA_LOGO_LEN).collect()
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(capped).filter(|l| !l.is_empty()).take(MAX_ITEMS).collect()
}

/// What was wrong with the form itself (before any value is checked as a directory value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooMuch(pub String);

impl BrandDraft {
    /// Reads the proposal form: `name`, `aliases` (one per line), `identifiers` (`system|value`
    /// per line), `category` (repeated), `website`, `logo_url`, `logo_license`, `active`, and
    /// the groups `address-N-*`, `portal-N-*`, `endpoint-N-*`. Blank groups are dropped; a form
    /// with more groups than the limits is refused.
    pub fn from_form(pairs: &[(String, String)]) -> Result<BrandDraft, TooMuch> {
        let one = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or("");
        let mut d = BrandDraft {
            name: capped(one("name")),
            aliases: lines(one("aliases")),
            identifiers: one("identifiers")
                .lines()
                .filter_map(|l| {
                    let (system, value) = l.split_once('|').unwrap_or(("", l));
                    let id = IdentifierDraft { system: capped(system), value: capped(value) };
                    (!id.value.is_empty()).then_some(id)
                })
                .take(MAX_ITEMS)
                .collect(),
            categories: pairs.iter().filter(|(n, _)| n == "category").map(|(_, v)| capped(v)).take(MAX_ITEMS).collect(),
            website: capped(one("website")),
            logo_url: logo_text(one("logo_url")),
            logo_license: capped(one("logo_license")),
            active: one("active") != "false",
            ..Default::default()
        };
        let groups = group_fields(pairs);
        for (prefix, limit) in [("address", MAX_ITEMS), ("portal", MAX_ITEMS), ("endpoint", MAX_ENDPOINTS)] {
            let n = groups.keys().filter(|(p, _)| p == prefix).count();
            if n > limit + 1 {
                return Err(TooMuch(format!("a proposal holds at most {limit} {prefix}s")));
            }
        }
        for ((prefix, _), fields) in &groups {
            let f = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
            match prefix.as_str() {
                "address" => {
                    let a = AddressDraft {
                        line: lines(f("line")),
                        city: capped(f("city")),
                        state: capped(f("state")),
                        postal_code: capped(f("postal_code")),
                        country: capped(f("country")),
                    };
                    if !a.is_blank() {
                        d.addresses.push(a);
                    }
                }
                "portal" => {
                    let p = PortalDraft {
                        name: capped(f("name")),
                        url: capped(f("url")),
                        description: capped(f("description")),
                        logo_url: logo_text(f("logo_url")),
                        logo_license: capped(f("logo_license")),
                    };
                    if !p.is_blank() {
                        d.portals.push(p);
                    }
                }
                _ => {
                    let e = EndpointDraft {
                        id: f("id").parse().ok(),
                        address: capped(f("address")),
                        name: capped(f("name")),
                        fhir_versions: f("fhir_versions")
                            .split([',', ' '])
                            .map(capped)
                            .filter(|v| !v.is_empty())
                            .take(MAX_ITEMS)
                            .collect(),
                        status: capped(f("status")),
                        contact_url: capped(f("contact_url")),
                        portal: f("portal").parse().ok(),
                    };
                    if e.id.is_some() || !e.address.is_empty() {
                        d.endpoints.push(e);
                    }
                }
            }
        }
        d.categories.dedup();
        Ok(d)
    }

    /// The form values that show this draft (the inverse of `from_form`).
    pub fn form_values(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("name".to_string(), self.name.clone()),
            ("aliases".into(), self.aliases.join("\n")),
            (
                "identifiers".into(),
                self.identifiers.iter().map(|i| format!("{}|{}", i.system, i.value)).collect::<Vec<_>>().join("\n"),
            ),
            ("website".into(), self.website.clone()),
            ("logo_url".into(), self.logo_url.clone()),
            ("logo_license".into(), self.logo_license.clone()),
            ("active".into(), if self.active { "true" } else { "false" }.into()),
        ];
        v.extend(self.categories.iter().map(|c| ("category".to_string(), c.clone())));
        for (i, a) in self.addresses.iter().enumerate() {
            v.extend([
                (format!("address-{i}-line"), a.line.join("\n")),
                (format!("address-{i}-city"), a.city.clone()),
                (format!("address-{i}-state"), a.state.clone()),
                (format!("address-{i}-postal_code"), a.postal_code.clone()),
                (format!("address-{i}-country"), a.country.clone()),
            ]);
        }
        for (i, p) in self.portals.iter().enumerate() {
            v.extend([
                (format!("portal-{i}-name"), p.name.clone()),
                (format!("portal-{i}-url"), p.url.clone()),
                (format!("portal-{i}-description"), p.description.clone()),
                (format!("portal-{i}-logo_url"), p.logo_url.clone()),
                (format!("portal-{i}-logo_license"), p.logo_license.clone()),
            ]);
        }
        for (i, e) in self.endpoints.iter().enumerate() {
            v.extend([
                (format!("endpoint-{i}-id"), e.id.map(|n| n.to_string()).unwrap_or_default()),
                (format!("endpoint-{i}-address"), e.address.clone()),
                (format!("endpoint-{i}-name"), e.name.clone()),
                (format!("endpoint-{i}-fhir_versions"), e.fhir_versions.join(", ")),
                (format!("endpoint-{i}-status"), e.status.clone()),
                (format!("endpoint-{i}-contact_url"), e.contact_url.clone()),
                (format!("endpoint-{i}-portal"), e.portal.map(|n| n.to_string()).unwrap_or_default()),
            ]);
        }
        v
    }

    /// The draft as fields a diff compares and a merge sets, one value each: the brand's own
    /// fields by name, each listed endpoint's as `endpoint/{id}/{field}` (with `listed`, true),
    /// and the new endpoints together as `endpoints/new`.
    pub fn fields(&self) -> BTreeMap<String, Value> {
        let mut m = BTreeMap::new();
        m.insert("name".into(), j(&self.name));
        m.insert("aliases".into(), j(&self.aliases));
        m.insert("identifiers".into(), j(&self.identifiers));
        m.insert("categories".into(), j(&self.categories));
        m.insert("website".into(), j(&self.website));
        m.insert("logo_url".into(), j(&self.logo_url));
        m.insert("logo_license".into(), j(&self.logo_license));
        m.insert("active".into(), j(&self.active));
        m.insert("addresses".into(), j(&self.addresses));
        m.insert("portals".into(), j(&self.portals));
        let mut new = Vec::new();
        for e in &self.endpoints {
            match e.id {
                Some(id) => {
                    m.insert(format!("endpoint/{id}/listed"), Value::Bool(true));
                    for (field, value) in e.fields() {
                        m.insert(format!("endpoint/{id}/{field}"), value);
                    }
                }
                None => new.push(e.clone()),
            }
        }
        m.insert("endpoints/new".into(), j(&new));
        m
    }

    /// Sets one field (named as `fields` names it); `false` for a name it does not know or a
    /// value of the wrong shape.
    pub fn set_field(&mut self, name: &str, value: &Value) -> bool {
        fn put<T: serde::de::DeserializeOwned>(slot: &mut T, v: &Value) -> bool {
            match serde_json::from_value(v.clone()) {
                Ok(x) => {
                    *slot = x;
                    true
                }
                Err(_) => false,
            }
        }
        match name {
            "name" => put(&mut self.name, value),
            "aliases" => put(&mut self.aliases, value),
            "identifiers" => put(&mut self.identifiers, value),
            "categories" => put(&mut self.categories, value),
            "website" => put(&mut self.website, value),
            "logo_url" => put(&mut self.logo_url, value),
            "logo_license" => put(&mut self.logo_license, value),
            "active" => put(&mut self.active, value),
            "addresses" => put(&mut self.addresses, value),
            "portals" => put(&mut self.portals, value),
            "endpoints/new" => {
                let mut new: Vec<EndpointDraft> = Vec::new();
                if !put(&mut new, value) {
                    return false;
                }
                self.endpoints.retain(|e| e.id.is_some());
                self.endpoints.extend(new.into_iter().map(|e| EndpointDraft { id: None, ..e }));
                true
            }
            other => {
                let Some((id, field)) = other.strip_prefix("endpoint/").and_then(|r| r.split_once('/')) else {
                    return false;
                };
                let Ok(id) = id.parse::<i32>() else { return false };
                if field == "listed" {
                    // An endpoint can be taken off the brand (a revert of its addition), not put
                    // back from nothing.
                    if value.as_bool() == Some(true) {
                        return self.endpoints.iter().any(|e| e.id == Some(id));
                    }
                    let before = self.endpoints.len();
                    self.endpoints.retain(|e| e.id != Some(id));
                    return self.endpoints.len() < before;
                }
                match self.endpoints.iter_mut().find(|e| e.id == Some(id)) {
                    Some(e) => e.set_field(field, value),
                    None => false,
                }
            }
        }
    }

    /// Endpoints this draft adds.
    pub fn new_endpoints(&self) -> impl Iterator<Item = &EndpointDraft> {
        self.endpoints.iter().filter(|e| e.id.is_none())
    }
}

impl EndpointDraft {
    pub fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("address", Value::from(self.address.clone())),
            ("name", Value::from(self.name.clone())),
            ("fhir_versions", Value::from(self.fhir_versions.clone())),
            ("status", Value::from(self.status.clone())),
            ("contact_url", Value::from(self.contact_url.clone())),
            ("portal", self.portal.map(Value::from).unwrap_or(Value::Null)),
        ]
    }

    pub fn set_field(&mut self, field: &str, v: &Value) -> bool {
        let text = |v: &Value| v.as_str().map(str::to_string);
        match field {
            "address" => text(v).map(|s| self.address = s).is_some(),
            "name" => text(v).map(|s| self.name = s).is_some(),
            "status" => text(v).map(|s| self.status = s).is_some(),
            "contact_url" => text(v).map(|s| self.contact_url = s).is_some(),
            "fhir_versions" => serde_json::from_value::<Vec<String>>(v.clone()).map(|x| self.fhir_versions = x).is_ok(),
            "portal" => {
                self.portal = v.as_u64().map(|n| n as usize);
                v.is_null() || v.is_u64()
            }
            _ => false,
        }
    }
}

/// A field's value as JSON (a value that cannot be written reads as null; none of the field
/// types can fail).
fn j<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `address-3-city` → (("address", 3), "city"), grouped, in index order.
fn group_fields(pairs: &[(String, String)]) -> BTreeMap<(String, usize), BTreeMap<String, String>> {
    let mut groups: BTreeMap<(String, usize), BTreeMap<String, String>> = BTreeMap::new();
    for (name, value) in pairs {
        let mut parts = name.splitn(3, '-');
        let (Some(prefix), Some(index), Some(field)) = (parts.next(), parts.next(), parts.next()) else { continue };
        if !matches!(prefix, "address" | "portal" | "endpoint") {
            continue;
        }
        let Ok(index) = index.parse::<usize>() else { continue };
        if index > MAX_ENDPOINTS + 1 {
            continue;
        }
        groups.entry((prefix.to_string(), index)).or_default().insert(field.to_string(), value.clone());
    }
    groups
}

/// A field's value as a moderator reads it.
pub fn display_value(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Array(items) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; ")
        }
        Value::Array(items) => items.iter().map(display_value).collect::<Vec<_>>().join("; "),
        Value::Object(map) => map.values().map(display_value).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// A field's name as a moderator reads it.
pub fn field_label(path: &str) -> String {
    match path {
        "name" => "Name".into(),
        "aliases" => "Also known as".into(),
        "identifiers" => "Identifiers".into(),
        "categories" => "Categories".into(),
        "website" => "Website".into(),
        "logo_url" => "Logo".into(),
        "logo_license" => "Logo licence".into(),
        "active" => "Active".into(),
        "addresses" => "Addresses".into(),
        "portals" => "Patient portals".into(),
        "endpoints/new" => "New endpoints".into(),
        other => match other.strip_prefix("endpoint/").and_then(|r| r.split_once('/')) {
            Some((id, field)) => format!("Endpoint #{id}: {}", field.replace('_', " ")),
            None => other.to_string(),
        },
    }
}

/// One field that differs: its path, its label, and both values as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDiff {
    pub path: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

/// The fields in which `after` differs from `before`.
pub fn diff(before: &BTreeMap<String, Value>, after: &BTreeMap<String, Value>) -> Vec<FieldDiff> {
    let mut paths: Vec<&String> = before.keys().chain(after.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter_map(|p| {
            let (b, a) = (before.get(p).unwrap_or(&Value::Null), after.get(p).unwrap_or(&Value::Null));
            (!same(b, a)).then(|| FieldDiff {
                path: p.clone(),
                label: field_label(p),
                before: display_value(b),
                after: display_value(a),
            })
        })
        .collect()
}

/// Equal, counting an empty list, an empty string and null as the same (nothing).
pub fn same(a: &Value, b: &Value) -> bool {
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(x) => x.is_empty(),
        _ => false,
    };
    a == b || (empty(a) && empty(b))
}

/// A record another one looks like, shown before submitting and to the moderator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    pub brand_id: i32,
    pub brand_name: String,
    /// Why it looks the same, in words ("lists https://… already").
    pub reason: String,
}

/// One message of a proposal's thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalMessageView {
    pub author: String,
    pub from_moderator: bool,
    pub body: String,
    pub at: i64,
}

/// The result of the one public check of a proposal's new endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSummary {
    pub address: String,
    /// `up`, `degraded`, `down`, or `refused` when the address could not be checked.
    pub health: String,
    pub problems: Vec<String>,
}

/// A proposal as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProposalView {
    pub id: i32,
    pub kind: ProposalKind,
    pub state: ProposalState,
    pub brand: Option<crate::types::brand::BrandLink>,
    pub endpoint_id: Option<i32>,
    pub proposer: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub comment: String,
    pub report_kind: Option<ReportKind>,
    pub report_detail: Option<String>,
    /// What the proposal changes, against the record as it was when proposed.
    pub changes: Vec<FieldDiff>,
    /// Fields of the record that changed since the proposal was made, among those it changes:
    /// approving overwrites them.
    pub changed_since: Vec<FieldDiff>,
    pub findings: Vec<crate::types::validation::Finding>,
    pub checks: Vec<CheckSummary>,
    pub duplicates: Vec<Duplicate>,
    pub messages: Vec<ProposalMessageView>,
    pub decision_reason: Option<String>,
    /// What the viewer may do.
    pub can_moderate: bool,
    pub can_edit: bool,
    /// The draft as the page shows it: a decision posted with it is refused (409) if the
    /// proposer changed the draft since.
    pub revision: String,
}

/// One row of the moderation queue or of a proposer's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalRow {
    pub id: i32,
    pub kind: ProposalKind,
    pub state: ProposalState,
    pub brand: Option<crate::types::brand::BrandLink>,
    pub title: String,
    pub proposer: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The moderation queue's filters, as its GET form sends them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    pub kind: Option<ProposalKind>,
    pub state: Option<ProposalState>,
    pub brand: Option<i32>,
    /// Only proposals older than this many days.
    pub older_than_days: Option<u32>,
}

/// One change in a record's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub at: i64,
    pub origin: ChangeOrigin,
    /// The account's address, or the import source's name.
    pub by: String,
    pub proposal_id: Option<i32>,
    pub reason: String,
    pub fields: Vec<FieldDiff>,
}

/// A record's history page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub brand: crate::types::brand::BrandLink,
    pub source: String,
    pub entries: Vec<HistoryEntry>,
    pub can_revert: bool,
}

/// What the proposal form shows: the draft to edit, and, after "Check", what was found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProposalForm {
    pub brand: Option<crate::types::brand::BrandLink>,
    /// The proposal being edited, if any.
    pub proposal_id: Option<i32>,
    pub draft: BrandDraft,
    /// For a moderator's edits: the proposal's and the record's revisions the form was made
    /// from (approving is refused if either changed since).
    pub revision: String,
    pub record_revision: String,
}

/// What "Check" found, rendered with the form posted without JavaScript.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalPreview {
    pub changes: Vec<FieldDiff>,
    pub findings: Vec<crate::types::validation::Finding>,
    pub duplicates: Vec<Duplicate>,
}

/// A re-import that changed a field the community had changed: the import's value is in the
/// directory now; moderators decide whether to put the community's back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictView {
    pub id: i32,
    pub brand: crate::types::brand::BrandLink,
    pub label: String,
    pub community_value: String,
    pub import_value: String,
    pub source: String,
    pub at: i64,
}

/// The moderators' page: the queue with its filters, and open import conflicts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<ProposalRow>,
    pub conflicts: Vec<ConflictView>,
}

/// An endpoint the poller has found down for a while.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownEndpoint {
    pub brand: crate::types::brand::BrandLink,
    pub endpoint_id: i32,
    pub address: String,
    pub down_since: i64,
}

/// The public "needs attention" list: each entry a place to propose a fix.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttentionPage {
    pub down: Vec<DownEndpoint>,
    /// Brands whose checked endpoints are all down.
    pub without_working: Vec<crate::types::brand::BrandLink>,
    /// Brands that list no endpoint (and have no parent brand to inherit one from).
    pub without_endpoints: Vec<crate::types::brand::BrandLink>,
    pub reports: Vec<ProposalRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proposal_state_machine() {
        use ProposalEvent::*;
        use ProposalState::*;
        assert_eq!(Pending.next(Ask), Some(NeedsInfo));
        assert_eq!(NeedsInfo.next(Answer), Some(Pending));
        assert_eq!(NeedsInfo.next(Edit), Some(Pending));
        assert_eq!(Pending.next(Edit), Some(Pending));
        assert_eq!(NeedsInfo.next(Approve), Some(Approved));
        assert_eq!(Pending.next(Reject), Some(Rejected));
        assert_eq!(Pending.next(Withdraw), Some(Withdrawn));
        for decided in [Approved, Rejected, Withdrawn] {
            for e in [Ask, Answer, Edit, Approve, Reject, Withdraw] {
                assert_eq!(decided.next(e), None, "{decided:?} {e:?}");
            }
        }
    }

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn the_form_reads_into_a_draft_and_back() {
        let pairs = form(&[
            ("name", "  Good Health  "),
            ("aliases", "GH\n\nGood\u{7}Health Plan"),
            ("identifiers", "http://hl7.org/fhir/sid/us-npi|1234567893"),
            ("category", "ins"),
            ("website", "https://good.example"),
            ("address-0-city", "Madison"),
            ("address-0-state", "WI"),
            ("address-1-city", ""),
            ("portal-0-name", "Member portal"),
            ("portal-0-url", "https://portal.good.example"),
            ("endpoint-0-id", "12"),
            ("endpoint-0-address", "https://fhir.good.example/r4"),
            ("endpoint-0-fhir_versions", "4.0.1, 4.0.0"),
            ("endpoint-0-portal", "0"),
            ("endpoint-1-address", "https://new.good.example/r4"),
            ("endpoint-2-address", ""),
        ]);
        let d = BrandDraft::from_form(&pairs).unwrap();
        assert_eq!(d.name, "Good Health");
        assert_eq!(d.aliases, vec!["GH", "GoodHealth Plan"], "control characters dropped");
        assert_eq!(d.addresses.len(), 1, "a blank group is no address");
        assert_eq!(d.endpoints.len(), 2);
        assert_eq!(d.endpoints[0].fhir_versions, vec!["4.0.1", "4.0.0"]);
        assert_eq!(d.endpoints[0].portal, Some(0));
        assert!(d.active);
        let again = BrandDraft::from_form(&d.form_values()).unwrap();
        assert_eq!(again, d);
    }

    #[test]
    fn a_form_with_too_many_groups_is_refused() {
        let pairs: Vec<(String, String)> =
            (0..30).map(|i| (format!("portal-{i}-name"), format!("Portal {i}"))).collect();
        assert!(BrandDraft::from_form(&pairs).is_err());
        let long = "x".repeat(10 * MAX_TEXT);
        let d = BrandDraft::from_form(&form(&[("name", &long)])).unwrap();
        assert_eq!(d.name.len(), MAX_TEXT);
    }

    #[test]
    fn fields_diff_and_set_back() {
        let mut a = BrandDraft { name: "A".into(), ..Default::default() };
        a.endpoints.push(EndpointDraft { id: Some(5), address: "https://a.example/r4".into(), ..Default::default() });
        let mut b = a.clone();
        b.name = "B".into();
        b.endpoints[0].status = "off".into();
        b.endpoints.push(EndpointDraft { address: "https://n.example/r4".into(), ..Default::default() });
        let d = diff(&a.fields(), &b.fields());
        let paths: Vec<&str> = d.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, vec!["endpoint/5/status", "endpoints/new", "name"]);
        let mut gone = a.clone();
        assert!(gone.set_field("endpoint/5/listed", &Value::Bool(false)));
        assert!(gone.endpoints.is_empty(), "taken off the brand");
        let mut c = a.clone();
        for (path, value) in b.fields() {
            assert!(c.set_field(&path, &value), "{path}");
        }
        assert_eq!(c, b);
        assert!(!c.set_field("nonsense", &Value::Null));
        assert!(!c.set_field("endpoint/99/address", &Value::from("x")), "no such endpoint");
    }
}
