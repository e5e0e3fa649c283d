//! The import's changes written to the records' history as the batches go, one row per record
//! and import: a brand's change found while its endpoints were written (an endpoint it listed
//! is gone) waits for the brand's own batch, or the end, and is written with it.
use super::{Changed, insert_chunks};
use crate::server::entities::record_change;
use crate::server::services::moderation::history::{ChangeMeta, FieldChange, row as history_row};
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::HashMap;

pub(super) struct History<'a> {
    meta: &'a ChangeMeta,
    stamp: i64,
    /// Brand changes waiting to be written with the brand's others, in the order found.
    pending: HashMap<i32, Vec<FieldChange>>,
    pending_order: Vec<i32>,
}

impl<'a> History<'a> {
    pub fn new(meta: &'a ChangeMeta, stamp: i64) -> Self {
        History { meta, stamp, pending: HashMap::new(), pending_order: Vec::new() }
    }

    /// Keeps brand changes until `write` has the brand's others (or `finish`).
    pub fn defer(&mut self, changes: impl IntoIterator<Item = Changed>) {
        for (_, id, fields) in changes {
            let entry = self.pending.entry(id).or_default();
            if entry.is_empty() {
                self.pending_order.push(id);
            }
            entry.extend(fields);
        }
    }

    /// Writes `changes` with any change kept for the same brands.
    pub async fn write<C: ConnectionTrait>(&mut self, txn: &C, changes: Vec<Changed>) -> Result<(), DbErr> {
        let mut all: Vec<Changed> = Vec::new();
        for (kind, id, _) in &changes {
            if *kind == "brand" {
                if let Some(fields) = self.pending.remove(id) {
                    all.push(("brand", *id, fields));
                }
            }
        }
        all.extend(changes);
        let (meta, stamp) = (self.meta, self.stamp);
        insert_chunks::<_, record_change::Entity>(
            txn,
            one_per_record(all).iter().map(|(kind, id, fields)| history_row(kind, *id, fields, meta, stamp)),
        )
        .await
    }

    /// Writes what is still kept.
    pub async fn finish<C: ConnectionTrait>(mut self, txn: &C) -> Result<(), DbErr> {
        let order = std::mem::take(&mut self.pending_order);
        let left: Vec<Changed> =
            order.into_iter().filter_map(|id| self.pending.remove(&id).map(|f| ("brand", id, f))).collect();
        self.write(txn, left).await
    }
}

/// One change per record (a brand's fields and the endpoints it lists are found apart), in
/// the order first found; records with no changed field left out.
fn one_per_record(history: Vec<Changed>) -> Vec<Changed> {
    let mut at: HashMap<(&'static str, i32), usize> = HashMap::new();
    let mut out: Vec<Changed> = Vec::new();
    for (kind, id, fields) in history.into_iter().filter(|(_, _, f)| !f.is_empty()) {
        match at.get(&(kind, id)) {
            Some(&i) => out[i].2.extend(fields),
            None => {
                at.insert((kind, id), out.len());
                out.push((kind, id, fields));
            }
        }
    }
    out
}
