//! Writes one source's records in one transaction: adds, updates and removes exactly that
//! source's brands, portals and endpoints, and bumps the directory version when anything changed.
use crate::server::entities::{brand, brand_endpoint, endpoint, portal, record_change, source};
use crate::server::fhir::records::{BrandRecord, Directory, EndpointRecord, PortalRecord, content_hash};
use crate::server::services::moderation::drafts::{Loaded, draft_of, draft_of_record, endpoint_draft};
use crate::server::services::moderation::history::{ChangeMeta, FieldChange, changes, row as history_row};
use crate::server::services::moderation::reconcile;
use crate::types::proposals::ChangeOrigin;
use crate::types::validation::Finding;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::collections::{HashMap, HashSet};

/// A record the import changed, with its fields before and after, for its history.
type Changed = (&'static str, i32, Vec<FieldChange>);

/// Rows per multi-row INSERT: well under SQLite's and PostgreSQL's bind-parameter limits.
const CHUNK: usize = 500;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub added: u32,
    pub updated: u32,
    pub removed: u32,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "+{} ~{} -{}", self.added, self.updated, self.removed)
    }
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ImportSummary {
    pub source_id: i32,
    pub brands: Counts,
    pub portals: Counts,
    pub endpoints: Counts,
    pub findings: Vec<Finding>,
    /// Errors, warnings and notes found, also those `findings` leaves out (it lists at most
    /// 100 per rule and 1,000 in all for a brands bundle).
    pub finding_counts: [u32; 3],
    /// The source's content was byte-for-byte what was imported last time.
    pub unchanged: bool,
}

impl ImportSummary {
    pub fn changed(&self) -> bool {
        [self.brands, self.portals, self.endpoints].iter().any(|c| *c != Counts::default())
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

pub async fn store(
    db: &DatabaseConnection,
    location: &str,
    name: Option<&str>,
    format: &str,
    source_hash: &str,
    dir: Directory,
) -> Result<ImportSummary, DbErr> {
    if location == crate::server::services::moderation::apply::COMMUNITY {
        // The community's own records are written only through proposals.
        return Err(DbErr::Custom("the community source cannot be imported over".into()));
    }
    let name = name.map(str::to_string).unwrap_or_else(|| source::display_name(location));
    let txn = db.begin().await?;
    crate::server::services::sql::begin_writing(&txn).await?;
    let now = chrono::Utc::now();
    let existing = source::Entity::find().filter(source::Column::Location.eq(location)).one(&txn).await?;
    if let Some(src) = &existing {
        if src.content_hash == source_hash && src.format == format {
            txn.commit().await?;
            return Ok(ImportSummary {
                source_id: src.id,
                finding_counts: dir.finding_counts(),
                findings: dir.findings,
                unchanged: true,
                ..Default::default()
            });
        }
    }
    let counts = (dir.brands.len() as i32, dir.endpoints.len() as i32);
    let source_id = match existing {
        Some(src) => {
            let mut am: source::ActiveModel = src.into();
            am.format = Set(format.into());
            am.content_hash = Set(source_hash.into());
            am.imported_at = Set(now);
            am.brand_count = Set(counts.0);
            am.endpoint_count = Set(counts.1);
            am.name = Set(Some(name.clone()));
            am.update(&txn).await?.id
        }
        None => {
            source::ActiveModel {
                id: NotSet,
                location: Set(location.into()),
                format: Set(format.into()),
                content_hash: Set(source_hash.into()),
                imported_at: Set(now),
                brand_count: Set(counts.0),
                endpoint_count: Set(counts.1),
                name: Set(Some(name.clone())),
            }
            .insert(&txn)
            .await?
            .id
        }
    };

    let mut summary = ImportSummary { source_id, ..Default::default() };
    let foreign = reconcile::foreign_links(&txn, source_id).await?;
    let mut history = Vec::new();
    let endpoint_ids = store_endpoints(&txn, source_id, &dir.endpoints, &mut summary.endpoints, &mut history).await?;
    store_brands(&txn, source_id, &dir.brands, &endpoint_ids, now, &mut summary, &mut history).await?;
    let meta = ChangeMeta {
        origin: ChangeOrigin::Import,
        actor_id: None,
        actor_label: name.clone(),
        proposal_id: None,
        source_id: Some(source_id),
        reason: format!("import of {name}"),
    };
    let stamp = now.timestamp();
    history.retain(|(_, _, fields)| !fields.is_empty());
    insert_chunks::<_, record_change::Entity>(
        &txn,
        history.iter().map(|(kind, id, fields)| history_row(kind, *id, fields, &meta, stamp)),
    )
    .await?;

    if summary.changed() {
        reconcile::restore_links(&txn, &foreign).await?;
        reconcile::reconcile(&txn, source_id, &name, stamp).await.map_err(|e| DbErr::Custom(e.to_string()))?;
        if summary.brands.removed > 0 || summary.endpoints.removed > 0 {
            reconcile::prune_orphans(&txn).await?;
        }
        crate::server::services::brands::bump_directory_version(&txn).await?;
    }
    txn.commit().await?;
    summary.finding_counts = dir.finding_counts();
    summary.findings = dir.findings;
    Ok(summary)
}

async fn existing_rows<C: ConnectionTrait, E: EntityTrait>(
    txn: &C,
    source_col: E::Column,
    cols: [E::Column; 3],
    source_id: i32,
) -> Result<HashMap<String, (i32, String)>, DbErr> {
    let rows: Vec<(String, i32, String)> =
        E::find().select_only().columns(cols).filter(source_col.eq(source_id)).into_tuple().all(txn).await?;
    Ok(rows.into_iter().map(|(r, id, h)| (r, (id, h))).collect())
}

fn endpoint_model(source_id: i32, e: &EndpointRecord, hash: String) -> endpoint::ActiveModel {
    endpoint::ActiveModel {
        id: NotSet,
        source_id: Set(source_id),
        resource_id: Set(e.resource_id.clone()),
        address: Set(e.address.clone()),
        name: Set(e.name.clone()),
        connection_type: Set(e.connection_type.clone()),
        payload_types: Set(json(&e.payload_types)),
        fhir_versions: Set(json(&e.fhir_versions)),
        contact_url: Set(e.contact_url.clone()),
        status: Set(e.status.clone()),
        content_hash: Set(hash),
    }
}

/// Returns resource id → row id for every endpoint of the source after the write.
async fn store_endpoints<C: ConnectionTrait>(
    txn: &C,
    source_id: i32,
    records: &[EndpointRecord],
    counts: &mut Counts,
    history: &mut Vec<Changed>,
) -> Result<HashMap<String, i32>, DbErr> {
    use endpoint::Column as C;
    let mut old =
        existing_rows::<_, endpoint::Entity>(txn, C::SourceId, [C::ResourceId, C::Id, C::ContentHash], source_id)
            .await?;
    let mut new_rows = Vec::new();
    let mut updates = Vec::new();
    for e in records {
        let hash = content_hash(e);
        match old.remove(&e.resource_id) {
            None => new_rows.push((e, hash)),
            Some((_, h)) if h == hash => {}
            Some((id, _)) => updates.push((id, e, hash)),
        }
    }
    for chunk in updates.chunks(CHUNK) {
        let before: HashMap<i32, endpoint::Model> = endpoint::Entity::find()
            .filter(C::Id.is_in(chunk.iter().map(|(id, _, _)| *id).collect::<Vec<_>>()))
            .all(txn)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        for (id, e, hash) in chunk {
            let mut am = endpoint_model(source_id, e, hash.clone());
            am.id = Set(*id);
            let after = am.update(txn).await?;
            counts.updated += 1;
            if let Some(old_row) = before.get(id) {
                let fields = |m: &endpoint::Model| {
                    endpoint_draft(m, None)
                        .fields()
                        .into_iter()
                        .filter(|(f, _)| *f != "portal")
                        .map(|(f, v)| (f.to_string(), v))
                        .collect()
                };
                history.push(("endpoint", *id, changes(&fields(old_row), &fields(&after))));
            }
        }
    }
    counts.added = new_rows.len() as u32;
    counts.removed = old.len() as u32;
    insert_chunks::<_, endpoint::Entity>(txn, new_rows.into_iter().map(|(e, hash)| endpoint_model(source_id, e, hash)))
        .await?;
    let gone: Vec<i32> = old.values().map(|(id, _)| *id).collect();
    for chunk in gone.chunks(CHUNK) {
        brand_endpoint::Entity::delete_many()
            .filter(brand_endpoint::Column::EndpointId.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
        endpoint::Entity::delete_many().filter(C::Id.is_in(chunk.to_vec())).exec(txn).await?;
    }
    let rows: Vec<(String, i32)> = endpoint::Entity::find()
        .select_only()
        .columns([C::ResourceId, C::Id])
        .filter(C::SourceId.eq(source_id))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Inserts rows in multi-row statements; `rows` is consumed lazily, so only one chunk of
/// ActiveModels exists at a time.
async fn insert_chunks<C: ConnectionTrait, E: EntityTrait>(
    txn: &C,
    rows: impl IntoIterator<Item = E::ActiveModel>,
) -> Result<(), DbErr> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = rows.by_ref().take(CHUNK).collect();
        E::insert_many(chunk).exec_without_returning(txn).await?;
    }
    Ok(())
}

fn brand_model(
    source_id: i32,
    b: &BrandRecord,
    hash: String,
    now: chrono::DateTime<chrono::Utc>,
) -> brand::ActiveModel {
    brand::ActiveModel {
        id: NotSet,
        source_id: Set(source_id),
        resource_id: Set(b.resource_id.clone()),
        name: Set(b.name.clone()),
        aliases: Set(json(&b.aliases)),
        identifiers: Set(json(&b.identifiers)),
        categories: Set(json(&b.categories)),
        website: Set(b.website.clone()),
        addresses: Set(json(&b.addresses)),
        logo_url: Set(b.logo_url.clone()),
        logo_license: Set(b.logo_license.clone()),
        part_of: Set(b.part_of.clone()),
        active: Set(b.active),
        content_hash: Set(hash),
        updated_at: Set(now),
    }
}

fn portal_fields(p: &portal::Model) -> PortalRecord {
    PortalRecord {
        name: p.name.clone(),
        description: p.description.clone(),
        url: p.url.clone(),
        logo_url: p.logo_url.clone(),
        logo_license: p.logo_license.clone(),
        endpoint_refs: vec![],
    }
}

async fn store_brands<C: ConnectionTrait>(
    txn: &C,
    source_id: i32,
    records: &[BrandRecord],
    endpoint_ids: &HashMap<String, i32>,
    now: chrono::DateTime<chrono::Utc>,
    summary: &mut ImportSummary,
    history: &mut Vec<Changed>,
) -> Result<(), DbErr> {
    use brand::Column as C;
    let mut old =
        existing_rows::<_, brand::Entity>(txn, C::SourceId, [C::ResourceId, C::Id, C::ContentHash], source_id).await?;
    let mut new_rows = Vec::new();
    // Brands whose portals and endpoint links are (re)written below.
    let mut relink: HashSet<String> = HashSet::new();
    let mut changed_ids = Vec::new();
    for b in records {
        let hash = content_hash(b);
        match old.remove(&b.resource_id) {
            None => {
                new_rows.push((b, hash));
                relink.insert(b.resource_id.clone());
                summary.portals.added += b.portals.len() as u32;
            }
            Some((_, h)) if h == hash => {}
            Some((id, _)) => {
                summary.brands.updated += 1;
                relink.insert(b.resource_id.clone());
                changed_ids.push((id, b, hash));
            }
        }
    }
    // The brands as they were, for their history; then the import's values.
    let mut before: HashMap<i32, brand::Model> = HashMap::new();
    for chunk in changed_ids.chunks(CHUNK) {
        let ids: Vec<i32> = chunk.iter().map(|(id, _, _)| *id).collect();
        before.extend(brand::Entity::find().filter(C::Id.is_in(ids)).all(txn).await?.into_iter().map(|m| (m.id, m)));
        for (id, b, hash) in chunk {
            let mut am = brand_model(source_id, b, hash.clone(), now);
            am.id = Set(*id);
            am.update(txn).await?;
        }
    }
    summary.brands.added = new_rows.len() as u32;
    summary.brands.removed = old.len() as u32;
    insert_chunks::<_, brand::Entity>(txn, new_rows.into_iter().map(|(b, hash)| brand_model(source_id, b, hash, now)))
        .await?;

    // Changed brands: count portal changes against what was stored, then clear their links.
    for chunk in changed_ids.chunks(CHUNK) {
        let ids: Vec<i32> = chunk.iter().map(|(id, _, _)| *id).collect();
        let old_portals = portal::Entity::find()
            .filter(portal::Column::BrandId.is_in(ids.clone()))
            .order_by_asc(portal::Column::Position)
            .all(txn)
            .await?;
        for (id, b, _) in chunk {
            if let Some(old_brand) = before.get(id) {
                let portals: Vec<portal::Model> = old_portals.iter().filter(|p| p.brand_id == *id).cloned().collect();
                let was = draft_of(&Loaded { brand: old_brand.clone(), portals, links: vec![], endpoints: vec![] });
                history.push(("brand", *id, changes(&was.fields(), &draft_of_record(b).fields())));
            }
            let before: Vec<PortalRecord> =
                old_portals.iter().filter(|p| p.brand_id == *id).map(portal_fields).collect();
            let after: Vec<PortalRecord> =
                b.portals.iter().map(|p| PortalRecord { endpoint_refs: vec![], ..p.clone() }).collect();
            let common = before.len().min(after.len());
            summary.portals.updated += (0..common).filter(|i| before[*i] != after[*i]).count() as u32;
            summary.portals.added += after.len().saturating_sub(before.len()) as u32;
            summary.portals.removed += before.len().saturating_sub(after.len()) as u32;
        }
        clear_links(txn, &ids).await?;
    }
    let gone: Vec<i32> = old.values().map(|(id, _)| *id).collect();
    for chunk in gone.chunks(CHUNK) {
        let n = portal::Entity::find().filter(portal::Column::BrandId.is_in(chunk.to_vec())).count(txn).await?;
        summary.portals.removed += n as u32;
        clear_links(txn, chunk).await?;
        brand::Entity::delete_many().filter(C::Id.is_in(chunk.to_vec())).exec(txn).await?;
    }
    if relink.is_empty() {
        return Ok(());
    }

    let ids: HashMap<String, i32> = brand::Entity::find()
        .select_only()
        .columns([C::ResourceId, C::Id])
        .filter(C::SourceId.eq(source_id))
        .into_tuple::<(String, i32)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let to_link: Vec<(i32, &BrandRecord)> = records
        .iter()
        .filter(|b| relink.contains(&b.resource_id))
        .filter_map(|b| ids.get(&b.resource_id).map(|id| (*id, b)))
        .collect();
    let portal_rows = to_link.iter().flat_map(|(id, b)| {
        b.portals.iter().enumerate().map(move |(pos, p)| portal::ActiveModel {
            id: NotSet,
            brand_id: Set(*id),
            position: Set(pos as i32),
            name: Set(p.name.clone()),
            description: Set(p.description.clone()),
            url: Set(p.url.clone()),
            logo_url: Set(p.logo_url.clone()),
            logo_license: Set(p.logo_license.clone()),
        })
    });
    let has_portals = to_link.iter().any(|(_, b)| !b.portals.is_empty());
    insert_chunks::<_, portal::Entity>(txn, portal_rows).await?;

    let mut link_rows = Vec::new();
    for chunk in to_link.chunks(CHUNK) {
        let portal_ids: HashMap<(i32, i32), i32> = if has_portals {
            portal::Entity::find()
                .select_only()
                .columns([portal::Column::BrandId, portal::Column::Position, portal::Column::Id])
                .filter(portal::Column::BrandId.is_in(chunk.iter().map(|(id, _)| *id).collect::<Vec<_>>()))
                .into_tuple::<(i32, i32, i32)>()
                .all(txn)
                .await?
                .into_iter()
                .map(|(b, p, id)| ((b, p), id))
                .collect()
        } else {
            HashMap::new()
        };
        for (brand_id, b) in chunk {
            // Organization.endpoint first, then any portal endpoint it left out (uab-1 broken).
            let mut refs: Vec<&String> = b.endpoint_refs.iter().collect();
            for p in &b.portals {
                refs.extend(p.endpoint_refs.iter().filter(|r| !b.endpoint_refs.contains(r)));
            }
            let mut seen = HashSet::new();
            for r in refs {
                let Some(endpoint_id) = endpoint_ids.get(r) else { continue };
                if !seen.insert(*endpoint_id) {
                    continue;
                }
                let portal_pos = b.portals.iter().position(|p| p.endpoint_refs.contains(r));
                link_rows.push(brand_endpoint::ActiveModel {
                    brand_id: Set(*brand_id),
                    position: Set(seen.len() as i32 - 1),
                    endpoint_id: Set(*endpoint_id),
                    portal_id: Set(portal_pos.and_then(|p| portal_ids.get(&(*brand_id, p as i32)).copied())),
                });
            }
        }
    }
    insert_chunks::<_, brand_endpoint::Entity>(txn, link_rows).await?;
    Ok(())
}

async fn clear_links<C: ConnectionTrait>(txn: &C, brand_ids: &[i32]) -> Result<(), DbErr> {
    brand_endpoint::Entity::delete_many()
        .filter(brand_endpoint::Column::BrandId.is_in(brand_ids.to_vec()))
        .exec(txn)
        .await?;
    portal::Entity::delete_many().filter(portal::Column::BrandId.is_in(brand_ids.to_vec())).exec(txn).await?;
    Ok(())
}
