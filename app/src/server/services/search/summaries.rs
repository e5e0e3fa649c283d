//! A brand as a result card shows it, made the same way while the index is built (from the
//! rows it reads) and when a page of results is read from the database by brand id.
use crate::server::entities::{brand, brand_endpoint, endpoint};
use crate::server::fhir::records::Address;
use crate::server::services::brands::{parse_list, safe_logo};
use crate::types::link::WebUrl;
use crate::types::search::BrandSummary;
use crate::types::states::{state_code, state_name};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// A brand's endpoints as its card counts them: how many, and their FHIR versions, sorted.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Served {
    pub count: u32,
    pub fhir_versions: Vec<String>,
}

impl Served {
    /// `links` more endpoints, with these FHIR versions among them.
    pub fn add<'a>(&mut self, links: u32, versions: impl IntoIterator<Item = &'a String>) {
        self.count = self.count.saturating_add(links);
        for v in versions {
            if !self.fhir_versions.contains(v) {
                self.fhir_versions.push(v.clone());
            }
        }
    }
}

/// "City, ST" from the first address with a city or a state.
fn location(addresses: &[Address]) -> Option<String> {
    addresses.iter().find_map(|a| match (&a.city, a.state.as_deref().and_then(state_code)) {
        (Some(c), Some(s)) => Some(format!("{c}, {s}")),
        (None, Some(s)) => Some(state_name(s).unwrap_or(s).to_string()),
        (Some(c), None) => Some(c.clone()),
        (None, None) => None,
    })
}

/// A brand's card from its stored columns (lists as JSON) and the endpoints it shows.
pub(super) fn summary(
    id: i32,
    name: String,
    categories: &str,
    website: Option<&str>,
    addresses: &[Address],
    logo_url: Option<&str>,
    served: Served,
) -> BrandSummary {
    let Served { count, mut fhir_versions } = served;
    fhir_versions.sort();
    BrandSummary {
        id,
        name,
        categories: parse_list(categories),
        location: location(addresses),
        logo_url: safe_logo(logo_url),
        endpoint_count: count,
        fhir_versions,
        website: WebUrl::parse_opt(website),
        health: None,
        highlight: Vec::new(),
    }
}

type Row = (i32, i32, String, String, Option<String>, String, Option<String>, Option<String>);

/// The cards of the brands `ids` (at most a page of results) as the directory holds them now;
/// a brand no longer there is absent. A child brand without endpoints of its own shows its
/// parent's, as the index counts them.
pub async fn summaries<C: ConnectionTrait>(db: &C, ids: &[i32]) -> Result<HashMap<i32, BrandSummary>, DbErr> {
    use brand::Column as B;
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<Row> = brand::Entity::find()
        .select_only()
        .columns([B::Id, B::SourceId, B::Name, B::Categories, B::Website, B::Addresses, B::LogoUrl, B::PartOf])
        .filter(B::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    // A brand's `part_of` names its parent's resource id within the same source.
    let children = rows.iter().filter_map(|r| Some((r.0, r.1, r.7.clone()?))).collect::<Vec<_>>();
    let mut parents: HashMap<i32, i32> = HashMap::new();
    if !children.is_empty() {
        let of = children.iter().fold(Condition::any(), |c, (_, source, part_of)| {
            c.add(Condition::all().add(B::SourceId.eq(*source)).add(B::ResourceId.eq(part_of.as_str())))
        });
        let found: Vec<(i32, i32, String)> = brand::Entity::find()
            .select_only()
            .columns([B::Id, B::SourceId, B::ResourceId])
            .filter(of)
            .into_tuple()
            .all(db)
            .await?;
        for (child, source, part_of) in &children {
            if let Some((parent, ..)) = found.iter().find(|(_, s, rid)| s == source && rid == part_of) {
                parents.insert(*child, *parent);
            }
        }
    }
    let mut wanted: Vec<i32> = ids.iter().chain(parents.values()).copied().collect();
    wanted.sort_unstable();
    wanted.dedup();
    // Grouped by each distinct list of versions: a brand with thousands of endpoints is a few
    // rows, and the query binds only the page's brands and their parents (at most 200).
    let to_endpoint = brand_endpoint::Entity::belongs_to(endpoint::Entity)
        .from(brand_endpoint::Column::EndpointId)
        .to(endpoint::Column::Id)
        .into();
    let grouped: Vec<(i32, String, i64)> = brand_endpoint::Entity::find()
        .select_only()
        .column(brand_endpoint::Column::BrandId)
        .column(endpoint::Column::FhirVersions)
        .column_as(brand_endpoint::Column::EndpointId.count(), "links")
        .join(JoinType::InnerJoin, to_endpoint)
        .filter(brand_endpoint::Column::BrandId.is_in(wanted))
        .group_by(brand_endpoint::Column::BrandId)
        .group_by(endpoint::Column::FhirVersions)
        .into_tuple()
        .all(db)
        .await?;
    let mut served: HashMap<i32, Served> = HashMap::new();
    for (brand_id, versions, links) in grouped {
        let versions: Vec<String> = parse_list(&versions);
        served.entry(brand_id).or_default().add(u32::try_from(links).unwrap_or(u32::MAX), &versions);
    }
    Ok(rows
        .into_iter()
        .map(|(id, _source, name, categories, website, addresses, logo_url, _part_of)| {
            let own = served.get(&id).cloned();
            let used = own.or_else(|| parents.get(&id).and_then(|p| served.get(p)).cloned()).unwrap_or_default();
            let addresses: Vec<Address> = parse_list(&addresses);
            let card = summary(id, name, &categories, website.as_deref(), &addresses, logo_url.as_deref(), used);
            (id, card)
        })
        .collect())
}
