use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentifierView {
    pub system: Option<String>,
    pub value: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AddressView {
    pub line: Vec<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

impl AddressView {
    pub fn one_line(&self) -> String {
        let mut parts: Vec<String> = self.line.clone();
        let locality = [self.city.as_deref(), self.state.as_deref(), self.postal_code.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !locality.is_empty() {
            parts.push(locality);
        }
        parts.join(", ")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BrandLink {
    pub id: i32,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointView {
    pub id: i32,
    pub address: String,
    pub name: Option<String>,
    pub fhir_versions: Vec<String>,
    pub contact_url: Option<String>,
    pub status: String,
    pub connection_type: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalView {
    pub name: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub logo_url: Option<String>,
    pub endpoints: Vec<EndpointView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceView {
    pub id: i32,
    pub location: String,
    pub format: String,
    pub imported_at: String,
}

/// Everything known about one brand, for its page and `GET /api/v1/brands/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BrandDetail {
    pub id: i32,
    pub name: String,
    pub aliases: Vec<String>,
    pub identifiers: Vec<IdentifierView>,
    pub categories: Vec<String>,
    pub website: Option<String>,
    pub addresses: Vec<AddressView>,
    pub logo_url: Option<String>,
    pub logo_license: Option<String>,
    pub active: bool,
    pub parent: Option<BrandLink>,
    pub children: Vec<BrandLink>,
    pub portals: Vec<PortalView>,
    /// Endpoints listed on the Organization but in no portal.
    pub endpoints: Vec<EndpointView>,
    /// Set when this brand has no endpoints of its own and uses its parent's.
    pub inherited_from: Option<BrandLink>,
    pub source: SourceView,
    pub updated_at: String,
}
