//! The source's endpoints, a batch at a time: added, updated (with each field's change for the
//! history) and, once all are seen, removed.
use super::brands::{links_where, listed_change};
use super::history::History;
use super::keyed::{Columns, Existing, same};
use super::{CHUNK, Counts, insert_chunks, json};
use crate::server::entities::{brand_endpoint, endpoint};
use crate::server::fhir::records::{EndpointRecord, content_hash};
use crate::server::services::moderation::drafts::endpoint_draft;
use crate::server::services::moderation::history::changes;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
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

pub(super) struct EndpointWriter {
    source_id: i32,
    /// The source's endpoints before the import that no batch has named yet.
    old: Existing<endpoint::Entity>,
}

impl EndpointWriter {
    pub async fn start<C: ConnectionTrait>(txn: &C, source_id: i32) -> Result<Self, DbErr> {
        use endpoint::Column as C;
        let cols = Columns { source: C::SourceId, resource_id: C::ResourceId, id: C::Id, hash: C::ContentHash };
        let old = Existing::start(txn, cols, source_id).await?;
        Ok(EndpointWriter { source_id, old })
    }

    pub async fn write<C: ConnectionTrait>(
        &mut self,
        txn: &C,
        records: &[EndpointRecord],
        counts: &mut Counts,
        history: &mut History<'_>,
    ) -> Result<(), DbErr> {
        use endpoint::Column as C;
        let source_id = self.source_id;
        let mut new_rows = Vec::new();
        let mut updates = Vec::new();
        let stored = self.old.take(txn, records.iter().map(|e| e.resource_id.as_str())).await?;
        for e in records {
            let hash = content_hash(e);
            match stored.get(&e.resource_id) {
                None => new_rows.push((e, hash)),
                Some((_, stored)) if same(*stored, &hash) => {}
                Some((id, _)) => updates.push((*id, e, hash)),
            }
        }
        let mut changed = Vec::new();
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
                    changed.push(("endpoint", *id, changes(&fields(old_row), &fields(&after))));
                }
            }
        }
        history.write(txn, changed).await?;
        counts.added += new_rows.len() as u32;
        insert_chunks::<_, endpoint::Entity>(
            txn,
            new_rows.into_iter().map(|(e, hash)| endpoint_model(source_id, e, hash)),
        )
        .await
    }

    /// Removes the endpoints no batch named.
    pub async fn finish<C: ConnectionTrait>(
        mut self,
        txn: &C,
        counts: &mut Counts,
        history: &mut History<'_>,
    ) -> Result<(), DbErr> {
        use endpoint::Column as C;
        counts.removed = self.old.len() as u32;
        loop {
            let chunk = self.old.next_unnamed(txn).await?;
            if chunk.is_empty() {
                return Ok(());
            }
            let chunk = &chunk[..];
            // The brands that listed them, for their history (written with the brand's own).
            let links = links_where(txn, brand_endpoint::Column::EndpointId, chunk).await?;
            history.defer(
                links
                    .into_iter()
                    .map(|(brand_id, endpoint_id)| ("brand", brand_id, vec![listed_change(endpoint_id, true, false)])),
            );
            brand_endpoint::Entity::delete_many()
                .filter(brand_endpoint::Column::EndpointId.is_in(chunk.to_vec()))
                .exec(txn)
                .await?;
            endpoint::Entity::delete_many().filter(C::Id.is_in(chunk.to_vec())).exec(txn).await?;
        }
    }
}
