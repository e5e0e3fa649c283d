use crate::server::entities::{brand, brand_endpoint, directory_change, endpoint, meta, portal, source};
use crate::server::fhir::records::{Address, Identifier};
use crate::types::brand::{AddressView, BrandDetail, BrandLink, EndpointView, IdentifierView, PortalView, SourceView};
use crate::types::check::Health;
use crate::types::link::{WebUrl, logo_problem};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// The directory version: goes up with every import that changed data.
pub async fn directory_version<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    Ok(meta::Entity::find_by_id("directory_version".to_string()).one(db).await?.map_or(0, |m| m.value))
}

/// A stored logo, kept only when it is still an allowed image or web address (rows written
/// before the check, or by hand, are filtered here too).
pub fn safe_logo(text: Option<&str>) -> Option<String> {
    text.filter(|t| logo_problem(t).is_none()).map(|t| t.trim().to_string())
}

/// Marks a change of the directory (in the caller's transaction): caches keyed by the version
/// (the search index, ETags) are then stale.
pub async fn bump_directory_version<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
    meta::Entity::update_many()
        .col_expr(meta::Column::Value, Expr::col(meta::Column::Value).add(1))
        .filter(meta::Column::Key.eq("directory_version"))
        .exec(db)
        .await?;
    // A new random stamp with every change: a database restored from a backup, or a copy that
    // went its own way, can reach a version number again, but not with the same stamp, so an
    // index saved from another history is never taken for this one.
    let stamp = rand::random::<i64>();
    meta::Entity::insert(meta::ActiveModel { key: Set(DIRECTORY_STAMP.into()), value: Set(stamp) })
        .on_conflict(OnConflict::column(meta::Column::Key).update_column(meta::Column::Value).to_owned())
        .exec_without_returning(db)
        .await?;
    // The history of stamps, so an index saved at an earlier version of this history can be
    // told from one saved in another (`is_earlier_change`).
    let version = directory_version(db).await?;
    directory_change::Entity::insert(directory_change::ActiveModel { version: Set(version), stamp: Set(stamp) })
        .on_conflict(
            OnConflict::column(directory_change::Column::Version)
                .update_column(directory_change::Column::Stamp)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    directory_change::Entity::delete_many()
        .filter(directory_change::Column::Version.lte(version - KEPT_CHANGES))
        .exec(db)
        .await?;
    Ok(())
}

/// How many of the directory's last versions keep their stamp: an index saved longer ago than
/// that many changes is built again rather than answering while the current one is built.
pub const KEPT_CHANGES: i64 = 1000;

/// Whether `(version, stamp)` is an earlier version of this directory's own history (within
/// the last `KEPT_CHANGES`), not the current one and not one from another history.
pub async fn is_earlier_change<C: ConnectionTrait>(db: &C, version: i64, stamp: i64) -> Result<bool, DbErr> {
    let (current, _) = directory_stamp(db).await?;
    if version <= 0 || version >= current {
        return Ok(false);
    }
    Ok(directory_change::Entity::find_by_id(version).one(db).await?.is_some_and(|c| c.stamp == stamp))
}

const DIRECTORY_STAMP: &str = "directory_stamp";

/// The directory's version and stamp, read together (one statement, one snapshot).
pub async fn directory_stamp<C: ConnectionTrait>(db: &C) -> Result<(i64, i64), DbErr> {
    let rows =
        meta::Entity::find().filter(meta::Column::Key.is_in(["directory_version", DIRECTORY_STAMP])).all(db).await?;
    let value = |key: &str| rows.iter().find(|m| m.key == key).map_or(0, |m| m.value);
    Ok((value("directory_version"), value(DIRECTORY_STAMP)))
}

pub fn parse_list<T: serde::de::DeserializeOwned>(json: &str) -> Vec<T> {
    serde_json::from_str(json).unwrap_or_default()
}

impl EndpointView {
    pub fn from_model(e: &endpoint::Model) -> Self {
        EndpointView {
            id: e.id,
            address: e.address.clone(),
            name: e.name.clone(),
            fhir_versions: parse_list(&e.fhir_versions),
            contact_url: WebUrl::parse_opt(e.contact_url.as_deref()),
            status: e.status.clone(),
            connection_type: e.connection_type.clone(),
            health: Health::Unknown,
        }
    }
}

impl AddressView {
    pub fn from_record(a: Address) -> Self {
        AddressView { line: a.line, city: a.city, state: a.state, postal_code: a.postal_code, country: a.country }
    }
}

impl SourceView {
    pub fn from_model(s: &source::Model) -> Self {
        SourceView {
            id: s.id,
            name: s.public_name(),
            format: s.format.clone(),
            imported_at: s.imported_at.to_rfc3339(),
        }
    }
}

fn link(b: &brand::Model) -> BrandLink {
    BrandLink { id: b.id, name: b.name.clone() }
}

/// A brand's portals, its endpoint links in the order of `Organization.endpoint`, and those
/// endpoints: what its page and its published Organization are made of.
pub(crate) async fn parts_of<C: ConnectionTrait>(
    db: &C,
    brand_id: i32,
) -> Result<(Vec<portal::Model>, Vec<brand_endpoint::Model>, Vec<endpoint::Model>), DbErr> {
    let portals = portal::Entity::find()
        .filter(portal::Column::BrandId.eq(brand_id))
        .order_by_asc(portal::Column::Position)
        .all(db)
        .await?;
    let links = brand_endpoint::Entity::find()
        .filter(brand_endpoint::Column::BrandId.eq(brand_id))
        .order_by_asc(brand_endpoint::Column::Position)
        .all(db)
        .await?;
    let endpoints = endpoint::Entity::find()
        .filter(endpoint::Column::Id.is_in(links.iter().map(|l| l.endpoint_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    Ok((portals, links, endpoints))
}

/// Portals and endpoints of one brand, in the order of `Organization.endpoint`.
async fn portals_and_endpoints<C: ConnectionTrait>(
    db: &C,
    brand_id: i32,
) -> Result<(Vec<PortalView>, Vec<EndpointView>), DbErr> {
    let (portals, links, endpoints) = parts_of(db, brand_id).await?;
    let health = super::endpoint_status::health_of(db, &endpoints.iter().map(|e| e.id).collect::<Vec<_>>()).await?;
    let view = |id: i32| {
        endpoints.iter().find(|e| e.id == id).map(|e| EndpointView {
            health: health.get(&id).copied().unwrap_or(Health::Unknown),
            ..EndpointView::from_model(e)
        })
    };
    let portal_views = portals
        .iter()
        .map(|p| PortalView {
            name: p.name.clone(),
            description: p.description.clone(),
            url: WebUrl::parse_opt(p.url.as_deref()),
            logo_url: safe_logo(p.logo_url.as_deref()),
            endpoints: links.iter().filter(|l| l.portal_id == Some(p.id)).filter_map(|l| view(l.endpoint_id)).collect(),
        })
        .collect();
    let loose = links.iter().filter(|l| l.portal_id.is_none()).filter_map(|l| view(l.endpoint_id)).collect();
    Ok((portal_views, loose))
}

/// The labels of the brand's fields that the community changed over its source's values.
async fn community_fields<C: ConnectionTrait>(db: &C, brand_id: i32) -> Result<Vec<String>, DbErr> {
    use crate::server::entities::community_field;
    Ok(community_field::Entity::find()
        .filter(community_field::Column::RecordKind.eq("brand"))
        .filter(community_field::Column::RecordId.eq(brand_id))
        .all(db)
        .await?
        .iter()
        .map(|f| crate::types::proposals::field_label(&f.field))
        .collect())
}

pub async fn brand_detail<C: ConnectionTrait>(db: &C, id: i32) -> Result<Option<BrandDetail>, DbErr> {
    let Some(b) = brand::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    let Some(src) = source::Entity::find_by_id(b.source_id).one(db).await? else { return Ok(None) };
    let parent = match &b.part_of {
        Some(rid) => {
            brand::Entity::find()
                .filter(brand::Column::SourceId.eq(b.source_id))
                .filter(brand::Column::ResourceId.eq(rid.as_str()))
                .one(db)
                .await?
        }
        None => None,
    };
    let children = brand::Entity::find()
        .filter(brand::Column::SourceId.eq(b.source_id))
        .filter(brand::Column::PartOf.eq(b.resource_id.as_str()))
        .order_by_asc(brand::Column::Name)
        .all(db)
        .await?;
    let (mut portals, mut endpoints) = portals_and_endpoints(db, b.id).await?;
    let mut inherited_from = None;
    // A child brand without endpoints of its own is reached through its parent's (SMART 2.2).
    if portals.iter().all(|p| p.endpoints.is_empty()) && endpoints.is_empty() {
        if let Some(p) = &parent {
            let (pp, pe) = portals_and_endpoints(db, p.id).await?;
            if !pp.is_empty() || !pe.is_empty() {
                if portals.is_empty() {
                    portals = pp;
                }
                endpoints = pe;
                inherited_from = Some(link(p));
            }
        }
    }
    Ok(Some(BrandDetail {
        id: b.id,
        name: b.name.clone(),
        aliases: parse_list(&b.aliases),
        identifiers: parse_list::<Identifier>(&b.identifiers)
            .into_iter()
            .map(|i| IdentifierView { system: i.system, value: i.value })
            .collect(),
        categories: parse_list(&b.categories),
        website: WebUrl::parse_opt(b.website.as_deref()),
        addresses: parse_list::<Address>(&b.addresses).into_iter().map(AddressView::from_record).collect(),
        logo_url: safe_logo(b.logo_url.as_deref()),
        logo_license: WebUrl::parse_opt(b.logo_license.as_deref()),
        active: b.active,
        parent: parent.as_ref().map(link),
        children: children.iter().map(link).collect(),
        portals,
        endpoints,
        inherited_from,
        source: SourceView::from_model(&src),
        updated_at: b.updated_at.to_rfc3339(),
        community_fields: community_fields(db, b.id).await?,
        maintainer: crate::server::services::publishing::claims::maintainer(db, b.id)
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?,
        developer: crate::server::services::publishing::facts::for_developers(db, b.id)
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?,
    }))
}
