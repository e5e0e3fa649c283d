//! What the index is built from, read from the database a page of brands at a time.
use super::index::{IndexBuilder, IndexInput, SearchIndex, environment_of};
use super::summaries::{Served, summary};
use crate::server::entities::{brand, brand_endpoint, brand_plan, developer_facts, endpoint, portal};
use crate::server::fhir::records::Address;
use crate::server::services::brands::parse_list;
use crate::types::developer::LineOfBusiness;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// A brand's endpoints, in sum.
#[derive(Clone, Default)]
struct OwnEndpoints {
    served: Served,
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
            let found = self.endpoints.get(endpoint_id);
            e.served.add(1, found.into_iter().flat_map(|(vs, ..)| vs));
            if let Some((_, env, address)) = found {
                if !e.environments.iter().any(|x| x == env) {
                    e.environments.push(env.to_string());
                }
                e.addresses.push(address.clone());
            }
        }
        (e.served.count > 0).then_some(e)
    }
}

/// Builds the index of the directory as it is, a page of brands at a time: each page is
/// indexed on a thread of its own while the next one is read, so reading the database and
/// indexing share the machine's cores rather than taking turns.
pub async fn build_index<C: ConnectionTrait>(db: &C, version: i64) -> Result<SearchIndex, DbErr> {
    use brand::Column as B;
    let shared = Shared::load(db).await?;
    // One page waits while another is indexed and a third is read: never more than three.
    let (pages, mut inbox) = tokio::sync::mpsc::channel::<Page>(1);
    let (built, done) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("search-index".into())
        .spawn(move || {
            yield_to_searches();
            let mut builder = IndexBuilder::new(version);
            while let Some(page) = inbox.blocking_recv() {
                page.inputs(&shared).into_iter().for_each(|i| builder.add(i));
            }
            // Nobody waits for an index whose reading failed.
            if !built.is_closed() {
                let _ = built.send(builder.finish());
            }
        })
        .map_err(|e| DbErr::Custom(format!("the search index's thread: {e}")))?;
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
        let page = read_page(db, brands, first, last).await?;
        pages.send(page).await.map_err(|_| DbErr::Custom("the search index's thread stopped".into()))?;
        after = last;
    }
    drop(pages);
    done.await.map_err(|_| DbErr::Custom("the search index's thread stopped".into()))
}

/// A rebuild runs while the index before it answers searches: its thread gives way to theirs
/// (10 nicer than the server, which Linux sets per thread) rather than share the cores evenly.
/// Failing that, it runs as it is.
fn yield_to_searches() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        let me = Some(rustix::thread::gettid());
        if let Err(e) = getpriority_process(me).and_then(|now| setpriority_process(me, (now + 10).min(19))) {
            tracing::debug!(error = %e, "the search index's thread keeps its priority");
        }
    }
}

/// One page of brands as read (ids `first..=last`), with what other tables say of them.
struct Page {
    brands: Vec<BrandRow>,
    portal_names: HashMap<i32, Vec<String>>,
    lines_of_business: HashMap<i32, Vec<String>>,
    developer: HashMap<i32, Vec<String>>,
}

/// Reads the rest of a page of brands; what is made of it (`Page::inputs`) is left to the
/// builder's thread, which gives way to searches.
async fn read_page<C: ConnectionTrait>(db: &C, brands: Vec<BrandRow>, first: i32, last: i32) -> Result<Page, DbErr> {
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
    Ok(Page { brands, portal_names, lines_of_business, developer })
}

impl Page {
    /// The index inputs of the page's brands.
    fn inputs(self, shared: &Shared) -> Vec<IndexInput> {
        let Page { brands, mut portal_names, mut lines_of_business, mut developer } = self;
        let mut inputs = Vec::with_capacity(brands.len());
        for (id, _source_id, _rid, name, aliases, identifiers, categories, website, addresses, logo_url, part_of) in
            brands
        {
            // A child brand without endpoints of its own uses its parent's.
            let parent = part_of.and(shared.parents.get(&id).copied());
            let own = shared.own(id);
            let health_from = if own.is_some() { Some(id) } else { parent };
            let OwnEndpoints { served, environments, addresses: endpoint_addresses } =
                own.or_else(|| parent.and_then(|p| shared.own(p))).unwrap_or_default();
            let addresses: Vec<Address> = parse_list(&addresses);
            let card = summary(id, name, &categories, website.as_deref(), &addresses, logo_url.as_deref(), served);
            inputs.push(IndexInput {
                summary: card,
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
        inputs
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn the_builders_thread_gives_way_and_no_other_does() {
        let me = || rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
        let before = me();
        let builder = std::thread::spawn(move || {
            super::yield_to_searches();
            me()
        });
        assert_eq!(builder.join().unwrap(), (before + 10).min(19));
        assert_eq!(me(), before, "only the builder's own thread");
    }
}
