use super::link::WebUrl;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IdentifierView {
    pub system: Option<String>,
    pub value: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
        parts.extend(self.city.clone());
        let region =
            [self.state.as_deref(), self.postal_code.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        if !region.is_empty() {
            parts.push(region);
        }
        parts.join(", ")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BrandLink {
    pub id: i32,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EndpointView {
    pub id: i32,
    pub address: String,
    pub name: Option<String>,
    pub fhir_versions: Vec<String>,
    pub contact_url: Option<WebUrl>,
    pub status: String,
    pub connection_type: String,
    /// What the poller last found.
    pub health: crate::types::check::Health,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PortalView {
    pub name: Option<String>,
    pub description: Option<String>,
    pub url: Option<WebUrl>,
    /// An embedded `data:` image or a web address (see `types::link::logo_problem`).
    pub logo_url: Option<String>,
    pub endpoints: Vec<EndpointView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SourceView {
    pub id: i32,
    /// The file name, URL or label of the source (never a path on the server).
    pub name: String,
    pub format: String,
    pub imported_at: String,
}

/// Everything known about one brand, for its page and `GET /api/v1/brands/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BrandDetail {
    pub id: i32,
    pub name: String,
    pub aliases: Vec<String>,
    pub identifiers: Vec<IdentifierView>,
    pub categories: Vec<String>,
    pub website: Option<WebUrl>,
    pub addresses: Vec<AddressView>,
    /// An embedded `data:` image or a web address (see `types::link::logo_problem`).
    pub logo_url: Option<String>,
    pub logo_license: Option<WebUrl>,
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
    /// The fields the community changed over what the source gave (their labels); the
    /// history page says who and when.
    #[serde(default)]
    pub community_fields: Vec<String>,
    /// The payer organization whose claim is in force on the brand (or its parent).
    #[serde(default)]
    pub maintainer: Option<crate::types::claims::Maintainer>,
    /// Developer-portal facts, plans and API addresses, and the endpoints' smart-configuration.
    #[serde(default)]
    pub developer: crate::types::developer::ForDevelopers,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_address() {
        let a = AddressView {
            line: vec!["123 Main St".into()],
            city: Some("Madison".into()),
            state: Some("WI".into()),
            postal_code: Some("53726".into()),
            country: Some("US".into()),
        };
        assert_eq!(a.one_line(), "123 Main St, Madison, WI 53726");
        let b = AddressView { line: vec![], city: None, state: Some("IA".into()), postal_code: None, country: None };
        assert_eq!(b.one_line(), "IA");
    }
}
