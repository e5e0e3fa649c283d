//! A re-import against what the community changed, inside the import's transaction. The import
//! rewrites its own records; then:
//! - endpoints the community added to its brands are linked again (the import rewrote the
//!   brands' links);
//! - a field the community changed that the import left as it was upstream gets the
//!   community's value back;
//! - a field the import changed wins (the source owns the record), and the conflict is listed
//!   for moderators, with the community's value.
use super::apply::apply_to_brand;
use super::drafts::{self, endpoint_draft};
use super::history::ChangeMeta;
use crate::server::entities::{brand, brand_endpoint, community_field, endpoint, import_conflict, portal};
use crate::server::services::sql::statement;
use crate::types::proposals::{ChangeOrigin, same};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// A link from one of the source's brands to an endpoint of another source.
#[derive(Clone, Debug)]
pub struct ForeignLink {
    brand_id: i32,
    endpoint_id: i32,
    portal_position: Option<i32>,
}

/// The source's brands' links to endpoints it does not own, before the import rewrites them.
pub async fn foreign_links(db: &impl ConnectionTrait, source_id: i32) -> Result<Vec<ForeignLink>, DbErr> {
    let sql = "SELECT be.brand_id, be.endpoint_id, p.position FROM brand_endpoint be \
               JOIN brand b ON b.id = be.brand_id JOIN endpoint e ON e.id = be.endpoint_id \
               LEFT JOIN portal p ON p.id = be.portal_id \
               WHERE b.source_id = $1 AND e.source_id <> $1 ORDER BY be.brand_id, be.position";
    let rows = db.query_all_raw(statement(db, sql, vec![source_id.into()])).await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(ForeignLink {
                brand_id: r.try_get("", "brand_id").ok()?,
                endpoint_id: r.try_get("", "endpoint_id").ok()?,
                portal_position: r.try_get::<Option<i32>>("", "position").ok()?,
            })
        })
        .collect())
}

/// Links again, after the brand's own, what `foreign_links` found and the import took away.
pub async fn restore_links(db: &impl ConnectionTrait, links: &[ForeignLink]) -> Result<u64, DbErr> {
    let mut restored = 0;
    for l in links {
        let existing = brand_endpoint::Entity::find()
            .filter(brand_endpoint::Column::BrandId.eq(l.brand_id))
            .order_by_desc(brand_endpoint::Column::Position)
            .all(db)
            .await?;
        if existing.iter().any(|e| e.endpoint_id == l.endpoint_id) {
            continue;
        }
        if brand::Entity::find_by_id(l.brand_id).one(db).await?.is_none() {
            continue;
        }
        let portal_id = match l.portal_position {
            Some(pos) => portal::Entity::find()
                .filter(portal::Column::BrandId.eq(l.brand_id))
                .filter(portal::Column::Position.eq(pos))
                .one(db)
                .await?
                .map(|p| p.id),
            None => None,
        };
        brand_endpoint::Entity::insert(brand_endpoint::ActiveModel {
            brand_id: Set(l.brand_id),
            position: Set(existing.first().map_or(0, |e| e.position + 1)),
            endpoint_id: Set(l.endpoint_id),
            portal_id: Set(portal_id),
        })
        .exec_without_returning(db)
        .await?;
        restored += 1;
    }
    Ok(restored)
}

/// What reconciling did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reconciled {
    pub kept: u32,
    pub conflicts: u32,
}

/// Puts the community's values back where the import left a field as it was upstream, and
/// lists a conflict where the import changed it.
pub async fn reconcile(
    db: &impl ConnectionTrait,
    source_id: i32,
    source_name: &str,
    now: i64,
) -> Result<Reconciled, crate::error::AppError> {
    let rows = community_field::Entity::find().all(db).await?;
    if rows.is_empty() {
        return Ok(Reconciled::default());
    }
    let brand_ids: Vec<i32> = rows.iter().filter(|r| r.record_kind == "brand").map(|r| r.record_id).collect();
    let endpoint_ids: Vec<i32> = rows.iter().filter(|r| r.record_kind == "endpoint").map(|r| r.record_id).collect();
    let brands: HashMap<i32, brand::Model> = brand::Entity::find()
        .filter(brand::Column::Id.is_in(brand_ids))
        .filter(brand::Column::SourceId.eq(source_id))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let endpoints: HashMap<i32, endpoint::Model> = endpoint::Entity::find()
        .filter(endpoint::Column::Id.is_in(endpoint_ids))
        .filter(endpoint::Column::SourceId.eq(source_id))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let mut out = Reconciled::default();
    // Values to put back, by brand: (path, value, proposal).
    let mut keep: BTreeMap<i32, Vec<(String, Value, Option<i32>)>> = BTreeMap::new();
    for row in rows {
        let (now_value, brand_id, path) = match row.record_kind.as_str() {
            "brand" => {
                let Some(b) = brands.get(&row.record_id) else { continue };
                let loaded = drafts::load(db, b.id).await?;
                let fields = loaded.map(|l| drafts::draft_of(&l).fields()).unwrap_or_default();
                (fields.get(&row.field).cloned().unwrap_or(Value::Null), b.id, row.field.clone())
            }
            "endpoint" => {
                let Some(e) = endpoints.get(&row.record_id) else { continue };
                let listing = super::apply::brands_listing(db, e.id).await?;
                let Some(&brand_id) = listing.first() else { continue };
                let fields: BTreeMap<&str, Value> = endpoint_draft(e, None).fields().into_iter().collect();
                let v = fields.get(row.field.as_str()).cloned().unwrap_or(Value::Null);
                (v, brand_id, format!("endpoint/{}/{}", e.id, row.field))
            }
            _ => continue,
        };
        let value: Value = serde_json::from_str(&row.value).unwrap_or(Value::Null);
        let upstream: Value = serde_json::from_str(&row.upstream).unwrap_or(Value::Null);
        if same(&now_value, &value) {
            continue;
        }
        if same(&now_value, &upstream) {
            keep.entry(brand_id).or_default().push((path, value, row.proposal_id));
            continue;
        }
        import_conflict::Entity::insert(import_conflict::ActiveModel {
            record_kind: Set(row.record_kind.clone()),
            record_id: Set(row.record_id),
            brand_id: Set(brand_id),
            field: Set(row.field.clone()),
            community_value: Set(row.value.clone()),
            import_value: Set(now_value.to_string()),
            source_id: Set(source_id),
            proposal_id: Set(row.proposal_id),
            at: Set(now),
            resolved_at: Set(None),
            ..Default::default()
        })
        .exec_without_returning(db)
        .await?;
        community_field::Entity::delete_by_id((row.record_kind, row.record_id, row.field)).exec(db).await?;
        out.conflicts += 1;
    }
    for (brand_id, values) in keep {
        let Some(loaded) = drafts::load(db, brand_id).await? else { continue };
        let current = drafts::draft_of(&loaded);
        let mut target = current.clone();
        let proposal_id = values.iter().find_map(|(_, _, p)| *p);
        let mut kept = 0;
        for (path, value, _) in &values {
            if target.set_field(path, value) {
                kept += 1;
            }
        }
        // The community's values go back through the checks; if the brand would not pass them
        // with the import's other changes, the import's values stay.
        let listed: Vec<i32> = current.endpoints.iter().filter_map(|e| e.id).collect();
        let checked = drafts::check(&target, &listed);
        if checked.blocked() {
            tracing::warn!(brand_id, "community values not kept over a re-import: they no longer pass the checks");
            continue;
        }
        let target = checked.draft;
        out.kept += kept;
        let meta = ChangeMeta {
            origin: ChangeOrigin::Kept,
            actor_id: None,
            actor_label: "community".into(),
            proposal_id,
            source_id: None,
            reason: format!("community value kept over the re-import of {source_name}"),
        };
        apply_to_brand(db, brand_id, &target, &meta, now).await?;
    }
    Ok(out)
}

/// After a re-import removed brands: the community's endpoints no brand lists any more, and the
/// community's fields of records that are gone, go too (a brand its source removes takes the
/// community's changes to it along).
pub async fn prune_orphans(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let fields = "DELETE FROM community_field WHERE \
        (record_kind = 'brand' AND NOT EXISTS (SELECT 1 FROM brand b WHERE b.id = community_field.record_id)) OR \
        (record_kind = 'endpoint' AND NOT EXISTS (SELECT 1 FROM endpoint e WHERE e.id = community_field.record_id))";
    let endpoints = "DELETE FROM endpoint WHERE source_id IN (SELECT id FROM source WHERE location = $1) \
        AND NOT EXISTS (SELECT 1 FROM brand_endpoint be WHERE be.endpoint_id = endpoint.id)";
    let a = db.execute_raw(statement(db, fields, vec![])).await?.rows_affected();
    let b = db.execute_raw(statement(db, endpoints, vec![super::apply::COMMUNITY.into()])).await?.rows_affected();
    Ok(a + b)
}
