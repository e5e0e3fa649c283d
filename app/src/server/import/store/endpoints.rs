//! The source's endpoints: added, updated (with each field's change for the history) and removed.
use super::brands::{links_where, listed_change};
use super::{CHUNK, Changed, Counts, existing_rows, insert_chunks, json};
use crate::server::entities::{brand_endpoint, endpoint};
use crate::server::fhir::records::{EndpointRecord, content_hash};
use crate::server::services::moderation::drafts::endpoint_draft;
use crate::server::services::moderation::history::changes;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Set,
};
use std::collections::HashMap;

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
pub(super) async fn store_endpoints<C: ConnectionTrait>(
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
        // The brands that listed them, for their history.
        let links = links_where(txn, brand_endpoint::Column::EndpointId, chunk).await?;
        for (brand_id, endpoint_id) in links {
            history.push(("brand", brand_id, vec![listed_change(endpoint_id, true, false)]));
        }
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
