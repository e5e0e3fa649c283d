//! What the index is built from, read from the database a page of brands at a time.
use super::index::{IndexBuilder, IndexInput, SearchIndex, environment_of};
use crate::server::entities::{brand, brand_endpoint, brand_plan, developer_facts, endpoint, portal};
use crate::server::fhir::records::Address;
use crate::server::services::brands::{parse_list, safe_logo};
use crate::types::developer::LineOfBusiness;
use crate::types::link::WebUrl;
use crate::types::search::BrandSummary;
use crate::types::states::{state_code, state_name};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// A brand's endpoints, in sum.
#[derive(Clone, Default)]
struct OwnEndpoints {
    count: u32,
    fhir_versions: Vec<String>,
    environments: Vec<String>,
    addresses: Vec<String>,
}

/// Brands read and indexed per page: the builder holds the index, never the whole directory.
const PAGE: u64 = 10_000;

type BrandRow =
    (i32, i32, String, String, String, String, String, Option<String>, String, Option<String>, Option<String>);

/// What every page needs, read once: each endpoint's facts and every brand's endpoint ids
/// (a few bytes a link), and each child brand's parent.
struct Shared {
    endpoints: HashMap<i32, (Vec<String>, &'static str, String)>,
    /// (brand id, endpoint id), sorted.
    links: Vec<(i32, i32)>,
    parents: HashMap<i32, i32>,
}

impl Shared {
    async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, DbErr> {
        let mut links: Vec<(i32, i32)> = brand_endpoint::Entity::find()
            .select_only()
            .columns([brand_endpoint::Column::BrandId, brand_endpoint::Column::EndpointId])
            .into_tuple()
            .all(db)
            .await?;
        links.sort_unstable();
        let endpoints = endpoint::Entity::find()
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
        // A brand's `part_of` names its parent's resource id within the same source.
        let sql = "SELECT c.id AS child, p.id AS parent FROM brand c \
                   JOIN brand p ON p.source_id = c.source_id AND p.resource_id = c.part_of \
                   WHERE c.part_of IS NOT NULL";
        let rows = db.query_all_raw(crate::server::services::sql::statement(db, sql, vec![])).await?;
        let parents = rows
            .iter()
            .filter_map(|r| Some((r.try_get::<i32>("", "child").ok()?, r.try_get::<i32>("", "parent").ok()?)))
            .collect();
        Ok(Shared { endpoints, links, parents })
    }

    /// A brand's own endpoints, in sum; `None` when it has none.
    fn own(&self, brand_id: i32) -> Option<OwnEndpoints> {
        let start = self.links.partition_point(|l| l.0 < brand_id);
        let mine = self.links[start..].iter().take_while(|l| l.0 == brand_id);
        let mut e = OwnEndpoints::default();
        for (_, endpoint_id) in mine {
            e.count += 1;
            if let Some((vs, env, address)) = self.endpoints.get(endpoint_id) {
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
        (e.count > 0).then_some(e)
    }
}

/// Builds the index of the directory as it is, a page of brands at a time: each page is
/// indexed on a blocking thread while the next one is read, so reading the database and
/// indexing share the machine's cores rather than taking turns.
pub async fn build_index<C: ConnectionTrait>(db: &C, version: i64) -> Result<SearchIndex, DbErr> {
    use brand::Column as B;
    let shared = Shared::load(db).await?;
    let mut indexing = tokio::task::spawn_blocking(move || IndexBuilder::new(version));
    let mut after = i32::MIN;
    loop {
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
            .filter(B::Id.gt(after))
            .order_by_asc(B::Id)
            .limit(PAGE)
            .into_tuple()
            .all(db)
            .await?;
        let (Some(first), Some(last)) = (brands.first().map(|b| b.0), brands.last().map(|b| b.0)) else { break };
        let inputs = page_inputs(db, &shared, brands, first, last).await?;
        let mut builder = joined(indexing).await?;
        indexing = tokio::task::spawn_blocking(move || {
            inputs.into_iter().for_each(|i| builder.add(i));
            builder
        });
        after = last;
    }
    let builder = joined(indexing).await?;
    joined(tokio::task::spawn_blocking(move || builder.finish())).await
}

async fn joined<T>(task: tokio::task::JoinHandle<T>) -> Result<T, DbErr> {
    task.await.map_err(|e| DbErr::Custom(e.to_string()))
}

/// The index inputs of one page of brands (ids `first..=last`).
async fn page_inputs<C: ConnectionTrait>(
    db: &C,
    shared: &Shared,
    brands: Vec<BrandRow>,
    first: i32,
    last: i32,
) -> Result<Vec<IndexInput>, DbErr> {
    let mut portal_names: HashMap<i32, Vec<String>> = HashMap::new();
    for (brand_id, name) in portal::Entity::find()
        .select_only()
        .columns([portal::Column::BrandId, portal::Column::Name])
        .filter(portal::Column::BrandId.between(first, last))
        .into_tuple::<(i32, Option<String>)>()
        .all(db)
        .await?
    {
        portal_names.entry(brand_id).or_default().extend(name);
    }
    let mut lines_of_business: HashMap<i32, Vec<String>> = HashMap::new();
    for (brand_id, lob) in brand_plan::Entity::find()
        .select_only()
        .columns([brand_plan::Column::BrandId, brand_plan::Column::LineOfBusiness])
        .filter(brand_plan::Column::BrandId.between(first, last))
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
        .filter(developer_facts::Column::BrandId.between(first, last))
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
    let mut inputs = Vec::with_capacity(brands.len());
    for (id, _source_id, _rid, name, aliases, identifiers, categories, website, addresses, logo_url, part_of) in brands
    {
        // A child brand without endpoints of its own uses its parent's.
        let parent = part_of.and(shared.parents.get(&id).copied());
        let own = shared.own(id);
        let health_from = if own.is_some() { Some(id) } else { parent };
        let OwnEndpoints { count, mut fhir_versions, environments, addresses: endpoint_addresses } =
            own.or_else(|| parent.and_then(|p| shared.own(p))).unwrap_or_default();
        fhir_versions.sort();
        let addresses: Vec<Address> = parse_list(&addresses);
        let location = addresses.iter().find_map(|a| match (&a.city, a.state.as_deref().and_then(state_code)) {
            (Some(c), Some(s)) => Some(format!("{c}, {s}")),
            (None, Some(s)) => Some(state_name(s).unwrap_or(s).to_string()),
            (Some(c), None) => Some(c.clone()),
            (None, None) => None,
        });
        inputs.push(IndexInput {
            summary: BrandSummary {
                id,
                name,
                categories: parse_list(&categories),
                location,
                logo_url: safe_logo(logo_url.as_deref()),
                endpoint_count: count,
                fhir_versions,
                website: WebUrl::parse_opt(website.as_deref()),
                health: None,
                highlight: Vec::new(),
            },
            aliases: parse_list(&aliases),
            portal_names: portal_names.remove(&id).unwrap_or_default(),
            addresses,
            identifiers: parse_list(&identifiers),
            health_from,
            environments,
            endpoint_addresses,
            lines_of_business: lines_of_business.remove(&id).unwrap_or_default(),
            developer: developer.remove(&id).unwrap_or_default(),
        });
    }
    Ok(inputs)
}
