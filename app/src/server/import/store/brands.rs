//! The source's brands with their portals and endpoint links: added, updated and removed, each
//! change kept for the brand's history.
use super::history::History;
use super::keyed::{Columns, Existing, endpoint_ids, own_endpoints, same};
use super::{Changed, ImportSummary, insert_chunks, json};
use crate::server::entities::{brand, brand_endpoint, portal};
use crate::server::fhir::records::{BrandRecord, PortalRecord, content_hash};
use crate::server::services::moderation::drafts::{Loaded, draft_of, draft_of_record, portal_record};
use crate::server::services::moderation::history::{FieldChange, changes};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

/// An endpoint taken off a brand or put on it, as a field of the brand's history.
pub(super) fn listed_change(endpoint_id: i32, before: bool, after: bool) -> FieldChange {
    let v = |listed: bool| if listed { serde_json::Value::Bool(true) } else { serde_json::Value::Null };
    FieldChange { path: format!("endpoint/{endpoint_id}/listed"), before: v(before), after: v(after) }
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

/// (brand, endpoint) of the links whose `column` is one of `ids`.
pub(super) async fn links_where<C: ConnectionTrait>(
    txn: &C,
    column: brand_endpoint::Column,
    ids: &[i32],
) -> Result<Vec<(i32, i32)>, DbErr> {
    brand_endpoint::Entity::find()
        .select_only()
        .columns([brand_endpoint::Column::BrandId, brand_endpoint::Column::EndpointId])
        .filter(column.is_in(ids.to_vec()))
        .into_tuple()
        .all(txn)
        .await
}

/// A brand's fields, with its portals, as the history and the proposal form name them.
fn fields_of(b: &brand::Model, portals: &[portal::Model]) -> BTreeMap<String, Value> {
    let portals = portals.iter().filter(|p| p.brand_id == b.id).cloned().collect();
    draft_of(&Loaded { brand: b.clone(), portals, links: vec![], endpoints: vec![] }).fields()
}

/// Writes the source's brands a batch at a time, after all its endpoints.
pub(super) struct BrandWriter {
    source_id: i32,
    now: chrono::DateTime<chrono::Utc>,
    /// The source's first import: the brands it adds are not each recorded as added.
    first: bool,
    /// The source's brands before the import that no batch has named yet.
    old: Existing<brand::Entity>,
}

impl BrandWriter {
    pub async fn start<C: ConnectionTrait>(
        txn: &C,
        source_id: i32,
        now: chrono::DateTime<chrono::Utc>,
        first: bool,
    ) -> Result<Self, DbErr> {
        use brand::Column as C;
        let cols = Columns { source: C::SourceId, resource_id: C::ResourceId, id: C::Id, hash: C::ContentHash };
        let old = Existing::start(txn, cols, source_id).await?;
        Ok(BrandWriter { source_id, now, first, old })
    }

    pub async fn write<C: ConnectionTrait>(
        &mut self,
        txn: &C,
        records: &[BrandRecord],
        summary: &mut ImportSummary,
        history: &mut History<'_>,
    ) -> Result<(), DbErr> {
        use brand::Column as C;
        let (source_id, now) = (self.source_id, self.now);
        let mut changed: Vec<Changed> = Vec::new();
        let mut new_rows = Vec::new();
        // Brands whose portals and endpoint links are (re)written below.
        let mut relink: HashSet<&str> = HashSet::new();
        let mut changed_ids = Vec::new();
        let mut added: HashSet<&str> = HashSet::new();
        let stored = self.old.take(txn, records.iter().map(|b| b.resource_id.as_str())).await?;
        for b in records {
            let hash = content_hash(b);
            match stored.get(&b.resource_id) {
                None => {
                    added.insert(&b.resource_id);
                    new_rows.push((b, hash));
                    relink.insert(&b.resource_id);
                    summary.portals.added += b.portals.len() as u32;
                }
                Some((_, stored)) if same(*stored, &hash) => {}
                Some((id, _)) => {
                    summary.brands.updated += 1;
                    relink.insert(&b.resource_id);
                    changed_ids.push((*id, b, hash));
                }
            }
        }
        // The brands as they were, for their history; then the import's values.
        let mut before: HashMap<i32, brand::Model> = HashMap::new();
        let mut listed_before: HashMap<i32, HashSet<i32>> = HashMap::new();
        if !changed_ids.is_empty() {
            let ids: Vec<i32> = changed_ids.iter().map(|(id, _, _)| *id).collect();
            before
                .extend(brand::Entity::find().filter(C::Id.is_in(ids)).all(txn).await?.into_iter().map(|m| (m.id, m)));
            for (id, b, hash) in &changed_ids {
                let mut am = brand_model(source_id, b, hash.clone(), now);
                am.id = Set(*id);
                am.update(txn).await?;
            }
        }
        summary.brands.added += new_rows.len() as u32;
        insert_chunks::<_, brand::Entity>(
            txn,
            new_rows.into_iter().map(|(b, hash)| brand_model(source_id, b, hash, now)),
        )
        .await?;

        // Changed brands: count portal changes against what was stored, then clear their links.
        if !changed_ids.is_empty() {
            let ids: Vec<i32> = changed_ids.iter().map(|(id, _, _)| *id).collect();
            let old_portals = portal::Entity::find()
                .filter(portal::Column::BrandId.is_in(ids.clone()))
                .order_by_asc(portal::Column::Position)
                .all(txn)
                .await?;
            for (id, b, _) in &changed_ids {
                if let Some(old_brand) = before.get(id) {
                    changed.push((
                        "brand",
                        *id,
                        changes(&fields_of(old_brand, &old_portals), &draft_of_record(b).fields()),
                    ));
                }
                let before: Vec<PortalRecord> =
                    old_portals.iter().filter(|p| p.brand_id == *id).map(portal_record).collect();
                let after: Vec<PortalRecord> =
                    b.portals.iter().map(|p| PortalRecord { endpoint_refs: vec![], ..p.clone() }).collect();
                let common = before.len().min(after.len());
                summary.portals.updated += (0..common).filter(|i| before[*i] != after[*i]).count() as u32;
                summary.portals.added += after.len().saturating_sub(before.len()) as u32;
                summary.portals.removed += before.len().saturating_sub(after.len()) as u32;
            }
            let links = links_where(txn, brand_endpoint::Column::BrandId, &ids).await?;
            // Links to the community's endpoints are kept apart (`reconcile`).
            let linked: Vec<i32> = links.iter().map(|(_, e)| *e).collect();
            let own = own_endpoints(txn, source_id, &linked).await?;
            for (brand_id, endpoint_id) in links.into_iter().filter(|(_, e)| own.contains(e)) {
                listed_before.entry(brand_id).or_default().insert(endpoint_id);
            }
            clear_links(txn, &ids).await?;
        }
        if relink.is_empty() {
            return history.write(txn, changed).await;
        }

        let ids: HashMap<String, i32> = brand::Entity::find()
            .select_only()
            .columns([C::ResourceId, C::Id])
            .filter(C::SourceId.eq(source_id))
            .filter(C::ResourceId.is_in(relink.iter().map(|r| r.to_string()).collect::<Vec<_>>()))
            .into_tuple::<(String, i32)>()
            .all(txn)
            .await?
            .into_iter()
            .collect();
        if !self.first {
            for b in records.iter().filter(|b| added.contains(b.resource_id.as_str())) {
                if let Some(id) = ids.get(&b.resource_id) {
                    changed.push(("brand", *id, changes(&BTreeMap::new(), &draft_of_record(b).fields())));
                }
            }
        }
        let to_link: Vec<(i32, &BrandRecord)> = records
            .iter()
            .filter(|b| relink.contains(b.resource_id.as_str()))
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

        let portal_ids: HashMap<(i32, i32), i32> = if has_portals {
            portal::Entity::find()
                .select_only()
                .columns([portal::Column::BrandId, portal::Column::Position, portal::Column::Id])
                .filter(portal::Column::BrandId.is_in(to_link.iter().map(|(id, _)| *id).collect::<Vec<_>>()))
                .into_tuple::<(i32, i32, i32)>()
                .all(txn)
                .await?
                .into_iter()
                .map(|(b, p, id)| ((b, p), id))
                .collect()
        } else {
            HashMap::new()
        };
        let refs = to_link.iter().flat_map(|(_, b)| {
            b.endpoint_refs.iter().chain(b.portals.iter().flat_map(|p| p.endpoint_refs.iter())).map(String::as_str)
        });
        let endpoint_ids = endpoint_ids(txn, source_id, refs).await?;
        let mut link_rows = Vec::new();
        for (brand_id, b) in &to_link {
            // Organization.endpoint first, then any portal endpoint it left out (uab-1 broken).
            let mut refs: Vec<&String> = b.endpoint_refs.iter().collect();
            for p in &b.portals {
                refs.extend(p.endpoint_refs.iter().filter(|r| !b.endpoint_refs.contains(r)));
            }
            let mut seen = HashSet::new();
            for r in refs {
                let Some(&endpoint_id) = endpoint_ids.get(r.as_str()) else { continue };
                if !seen.insert(endpoint_id) {
                    continue;
                }
                let portal_pos = b.portals.iter().position(|p| p.endpoint_refs.contains(r));
                link_rows.push(brand_endpoint::ActiveModel {
                    brand_id: Set(*brand_id),
                    position: Set(seen.len() as i32 - 1),
                    endpoint_id: Set(endpoint_id),
                    portal_id: Set(portal_pos.and_then(|p| portal_ids.get(&(*brand_id, p as i32)).copied())),
                });
            }
        }
        // Endpoints the changed brands list now and did not, or listed and do not.
        let mut listed_after: HashMap<i32, HashSet<i32>> = HashMap::new();
        for l in &link_rows {
            if let (sea_orm::ActiveValue::Set(b), sea_orm::ActiveValue::Set(e)) = (&l.brand_id, &l.endpoint_id) {
                listed_after.entry(*b).or_default().insert(*e);
            }
        }
        let empty = HashSet::new();
        let mut tracked: Vec<i32> = changed_ids.iter().map(|(id, _, _)| *id).collect();
        if !self.first {
            tracked.extend(added.iter().filter_map(|r| ids.get(*r)));
        }
        for id in &tracked {
            let (was, is) = (listed_before.get(id).unwrap_or(&empty), listed_after.get(id).unwrap_or(&empty));
            let mut fields: Vec<FieldChange> = is.difference(was).map(|e| listed_change(*e, false, true)).collect();
            fields.extend(was.difference(is).map(|e| listed_change(*e, true, false)));
            fields.sort_by(|a, b| a.path.cmp(&b.path));
            if !fields.is_empty() {
                changed.push(("brand", *id, fields));
            }
        }
        insert_chunks::<_, brand_endpoint::Entity>(txn, link_rows).await?;
        history.write(txn, changed).await
    }

    /// Removes the brands no batch named.
    pub async fn finish<C: ConnectionTrait>(
        mut self,
        txn: &C,
        summary: &mut ImportSummary,
        history: &mut History<'_>,
    ) -> Result<(), DbErr> {
        use brand::Column as C;
        summary.brands.removed = self.old.len() as u32;
        loop {
            let chunk = self.old.next_unnamed(txn).await?;
            if chunk.is_empty() {
                return Ok(());
            }
            let chunk = &chunk[..];
            // What the brands were, for the record: their history outlives them.
            let portals = portal::Entity::find().filter(portal::Column::BrandId.is_in(chunk.to_vec())).all(txn).await?;
            summary.portals.removed += portals.len() as u32;
            let mut gone = Vec::new();
            for b in brand::Entity::find().filter(C::Id.is_in(chunk.to_vec())).all(txn).await? {
                gone.push(("brand", b.id, changes(&fields_of(&b, &portals), &BTreeMap::new())));
            }
            history.write(txn, gone).await?;
            clear_links(txn, chunk).await?;
            brand::Entity::delete_many().filter(C::Id.is_in(chunk.to_vec())).exec(txn).await?;
        }
    }
}

async fn clear_links<C: ConnectionTrait>(txn: &C, brand_ids: &[i32]) -> Result<(), DbErr> {
    brand_endpoint::Entity::delete_many()
        .filter(brand_endpoint::Column::BrandId.is_in(brand_ids.to_vec()))
        .exec(txn)
        .await?;
    portal::Entity::delete_many().filter(portal::Column::BrandId.is_in(brand_ids.to_vec())).exec(txn).await?;
    Ok(())
}
