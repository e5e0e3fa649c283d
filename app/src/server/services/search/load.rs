//! What the index is built from, read from the database in a few whole-table queries.
use super::index::{IndexInput, environment_of};
use crate::server::entities::{brand, brand_endpoint, brand_plan, developer_facts, endpoint, portal};
use crate::server::fhir::records::Address;
use crate::server::services::brands::{parse_list, safe_logo};
use crate::types::developer::LineOfBusiness;
use crate::types::link::WebUrl;
use crate::types::search::BrandSummary;
use crate::types::states::{state_code, state_name};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect};
use std::collections::HashMap;

/// A brand's endpoints, in sum.
#[derive(Clone, Default)]
struct OwnEndpoints {
    count: u32,
    fhir_versions: Vec<String>,
    environments: Vec<String>,
    addresses: Vec<String>,
}

/// Reads everything the index needs from the database.
pub async fn load_inputs<C: ConnectionTrait>(db: &C) -> Result<Vec<IndexInput>, DbErr> {
    use brand::Column as B;
    type BrandRow =
        (i32, i32, String, String, String, String, String, Option<String>, String, Option<String>, Option<String>);
    let brands: Vec<BrandRow> = brand::Entity::find()
        .select_only()
        .columns([
            B::Id,
            B::SourceId,
            B::ResourceId,
            B::Name,
            B::Aliases,
            B::Identifiers,
            B::Categories,
            B::Website,
            B::Addresses,
            B::LogoUrl,
            B::PartOf,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let links: Vec<(i32, i32)> = brand_endpoint::Entity::find()
        .select_only()
        .columns([brand_endpoint::Column::BrandId, brand_endpoint::Column::EndpointId])
        .into_tuple()
        .all(db)
        .await?;
    let endpoints: HashMap<i32, (Vec<String>, &'static str, String)> = endpoint::Entity::find()
        .select_only()
        .columns([
            endpoint::Column::Id,
            endpoint::Column::FhirVersions,
            endpoint::Column::Name,
            endpoint::Column::Address,
        ])
        .into_tuple::<(i32, String, Option<String>, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, v, name, address)| (id, (parse_list(&v), environment_of(name.as_deref()), address)))
        .collect();
    let mut portal_names: HashMap<i32, Vec<String>> = HashMap::new();
    for (brand_id, name) in portal::Entity::find()
        .select_only()
        .columns([portal::Column::BrandId, portal::Column::Name])
        .into_tuple::<(i32, Option<String>)>()
        .all(db)
        .await?
    {
        portal_names.entry(brand_id).or_default().extend(name);
    }
    let mut own: HashMap<i32, OwnEndpoints> = HashMap::new();
    for (brand_id, endpoint_id) in links {
        let e = own.entry(brand_id).or_default();
        e.count += 1;
        if let Some((vs, env, address)) = endpoints.get(&endpoint_id) {
            for v in vs {
                if !e.fhir_versions.contains(v) {
                    e.fhir_versions.push(v.clone());
                }
            }
            if !e.environments.iter().any(|x| x == env) {
                e.environments.push(env.to_string());
            }
            e.addresses.push(address.clone());
        }
    }
    let mut lines_of_business: HashMap<i32, Vec<String>> = HashMap::new();
    for (brand_id, lob) in brand_plan::Entity::find()
        .select_only()
        .columns([brand_plan::Column::BrandId, brand_plan::Column::LineOfBusiness])
        .into_tuple::<(i32, LineOfBusiness)>()
        .all(db)
        .await?
    {
        let list = lines_of_business.entry(brand_id).or_default();
        if !list.iter().any(|l| l == lob.as_str()) {
            list.push(lob.as_str().to_string());
        }
    }
    let mut developer: HashMap<i32, Vec<String>> = HashMap::new();
    for (brand_id, sandbox, self_service, test_patients) in developer_facts::Entity::find()
        .select_only()
        .columns([
            developer_facts::Column::BrandId,
            developer_facts::Column::HasSandbox,
            developer_facts::Column::SelfService,
            developer_facts::Column::TestPatients,
        ])
        .into_tuple::<(i32, bool, Option<bool>, Option<bool>)>()
        .all(db)
        .await?
    {
        let offers = [
            (sandbox, "sandbox"),
            (self_service == Some(true), "self-service"),
            (test_patients == Some(true), "test-patients"),
        ];
        developer.insert(brand_id, offers.iter().filter(|(on, _)| *on).map(|(_, v)| v.to_string()).collect());
    }
    let by_resource: HashMap<(i32, &str), i32> = brands.iter().map(|b| ((b.1, b.2.as_str()), b.0)).collect();
    let mut inputs = Vec::with_capacity(brands.len());
    for (id, source_id, _rid, name, aliases, identifiers, categories, website, addresses, logo_url, part_of) in &brands
    {
        // A child brand without endpoints of its own uses its parent's.
        let parent = part_of.as_deref().and_then(|p| by_resource.get(&(*source_id, p)));
        let OwnEndpoints { count, mut fhir_versions, environments, addresses: endpoint_addresses } =
            own.get(id).or_else(|| parent.and_then(|p| own.get(p))).cloned().unwrap_or_default();
        fhir_versions.sort();
        let health_from = if own.contains_key(id) { Some(*id) } else { parent.copied() };
        let addresses: Vec<Address> = parse_list(addresses);
        let location = addresses.iter().find_map(|a| match (&a.city, a.state.as_deref().and_then(state_code)) {
            (Some(c), Some(s)) => Some(format!("{c}, {s}")),
            (None, Some(s)) => Some(state_name(s).unwrap_or(s).to_string()),
            (Some(c), None) => Some(c.clone()),
            (None, None) => None,
        });
        inputs.push(IndexInput {
            summary: BrandSummary {
                id: *id,
                name: name.clone(),
                categories: parse_list(categories),
                location,
                logo_url: safe_logo(logo_url.as_deref()),
                endpoint_count: count,
                fhir_versions,
                website: WebUrl::parse_opt(website.as_deref()),
                health: None,
                highlight: Vec::new(),
            },
            aliases: parse_list(aliases),
            portal_names: portal_names.remove(id).unwrap_or_default(),
            addresses,
            identifiers: parse_list(identifiers),
            health_from,
            environments,
            endpoint_addresses,
            lines_of_business: lines_of_business.remove(id).unwrap_or_default(),
            developer: developer.remove(id).unwrap_or_default(),
        });
    }
    Ok(inputs)
}
