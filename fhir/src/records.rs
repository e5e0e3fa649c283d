//! The directory as plain records, independent of where it was read from. A record's
//! `content_hash` covers everything stored for it, so a re-import can tell changed from same.
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    pub system: Option<String>,
    pub value: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(default)]
    pub line: Vec<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalRecord {
    pub name: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub logo_url: Option<String>,
    pub logo_license: Option<String>,
    /// Resource ids of the portal's endpoints.
    pub endpoint_refs: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandRecord {
    pub resource_id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub identifiers: Vec<Identifier>,
    pub categories: Vec<String>,
    pub website: Option<String>,
    pub addresses: Vec<Address>,
    pub logo_url: Option<String>,
    pub logo_license: Option<String>,
    /// Resource id of the parent brand in the same source.
    pub part_of: Option<String>,
    pub active: bool,
    pub portals: Vec<PortalRecord>,
    /// Resource ids of `Organization.endpoint`.
    pub endpoint_refs: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRecord {
    pub resource_id: String,
    /// Normalized when it parsed as a URL; the raw text otherwise.
    pub address: String,
    pub name: Option<String>,
    pub connection_type: String,
    pub payload_types: Vec<String>,
    pub fhir_versions: Vec<String>,
    pub contact_url: Option<String>,
    pub status: String,
}

pub fn content_hash<T: Serialize>(record: &T) -> String {
    let bytes = serde_json::to_vec(record).unwrap_or_default();
    hex::encode(&Sha256::digest(&bytes)[..16])
}

/// A whole source read into records, with what was found wrong along the way.
#[derive(Debug, Default)]
pub struct Directory {
    pub brands: Vec<BrandRecord>,
    pub endpoints: Vec<EndpointRecord>,
    pub findings: Vec<crate::validation::Finding>,
    /// Every finding by severity (error, warning, info) when `findings` was capped.
    pub counts: Option<[u32; 3]>,
}

impl Directory {
    /// Errors, warnings and notes, counting those the capped list leaves out.
    pub fn finding_counts(&self) -> [u32; 3] {
        use crate::validation::Severity;
        self.counts.unwrap_or_else(|| {
            let n = |s| self.findings.iter().filter(|f| f.severity == s).count() as u32;
            [n(Severity::Error), n(Severity::Warning), n(Severity::Info)]
        })
    }
}
