//! The source's rows as the import matches records against them: looked up a batch at a time
//! by the unique (source, resource id) index, with one bit a row id to mark those a record
//! named. What the import holds does not grow with the source's records (a national directory
//! of a million brands costs about 125 KB of bits), and what is left unmarked at the end is
//! what the source no longer has.
use super::CHUNK;
use crate::server::entities::endpoint;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Row ids read per query while looking for the rows no record named.
const PAGE: u64 = 10_000;

/// A stored content hash (32 hex digits) as a number; `None` for anything else, which then
/// matches no record.
fn hash_value(hex: &str) -> Option<u128> {
    (hex.len() == 32).then(|| u128::from_str_radix(hex, 16).ok()).flatten()
}

/// Whether a stored content hash is `hash`.
pub(super) fn same(stored: Option<u128>, hash: &str) -> bool {
    stored.is_some() && stored == hash_value(hash)
}

/// The columns `Existing` reads of a table: the source, the resource id, the row id and the
/// content hash.
pub(super) struct Columns<E: EntityTrait> {
    pub source: E::Column,
    pub resource_id: E::Column,
    pub id: E::Column,
    pub hash: E::Column,
}

/// The rows one source had before the import, and which of them a record has named.
pub(super) struct Existing<E: EntityTrait> {
    cols: Columns<E>,
    source_id: i32,
    /// The lowest row id of the source's rows before the import, and the highest: rows the
    /// import adds come after `last`, so they are never taken for old ones.
    first: i32,
    last: i32,
    /// One bit a row id in `first..=last`, set when a record named that row.
    named: Vec<u64>,
    left: usize,
    /// Where the search for rows no record named has got to.
    after: i32,
}

impl<E: EntityTrait> Existing<E> {
    pub async fn start<C: ConnectionTrait>(txn: &C, cols: Columns<E>, source_id: i32) -> Result<Self, DbErr> {
        let (first, last, count) = E::find()
            .select_only()
            .expr(Func::min(Expr::col(cols.id)))
            .expr(Func::max(Expr::col(cols.id)))
            .expr(Func::count(Expr::col(cols.id)))
            .filter(cols.source.eq(source_id))
            .into_tuple::<(Option<i32>, Option<i32>, i64)>()
            .one(txn)
            .await?
            .unwrap_or((None, None, 0));
        let (first, last) = match (first, last) {
            (Some(f), Some(l)) => (f, l),
            _ => (0, -1),
        };
        let span = (i64::from(last) - i64::from(first) + 1).max(0) as usize;
        Ok(Existing {
            cols,
            source_id,
            first,
            last,
            named: vec![0; span.div_ceil(64)],
            left: count as usize,
            after: first.saturating_sub(1),
        })
    }

    /// The rows (id and content hash) these resource ids name, by resource id, each marked as
    /// named: a record of the batch updates it, or leaves it as it is.
    pub async fn take<C: ConnectionTrait>(
        &mut self,
        txn: &C,
        resource_ids: impl IntoIterator<Item = &str>,
    ) -> Result<HashMap<String, (i32, Option<u128>)>, DbErr> {
        let mut found = HashMap::new();
        if self.left == 0 {
            return Ok(found);
        }
        let wanted: Vec<String> = resource_ids.into_iter().map(str::to_string).collect();
        for chunk in wanted.chunks(CHUNK) {
            let rows: Vec<(String, i32, String)> = E::find()
                .select_only()
                .columns([self.cols.resource_id, self.cols.id, self.cols.hash])
                .filter(self.cols.source.eq(self.source_id))
                .filter(self.cols.resource_id.is_in(chunk.to_vec()))
                .filter(self.cols.id.lte(self.last))
                .into_tuple()
                .all(txn)
                .await?;
            for (resource_id, id, hash) in rows {
                if self.mark(id) {
                    found.insert(resource_id, (id, hash_value(&hash)));
                }
            }
        }
        Ok(found)
    }

    /// Marks a row named; false if it was already (a record named it before).
    fn mark(&mut self, id: i32) -> bool {
        let Some((word, bit)) = self.slot(id) else { return false };
        let was = self.named[word] & bit != 0;
        self.named[word] |= bit;
        if !was {
            self.left -= 1;
        }
        !was
    }

    fn slot(&self, id: i32) -> Option<(usize, u64)> {
        if id < self.first || id > self.last {
            return None;
        }
        let n = (i64::from(id) - i64::from(self.first)) as usize;
        Some((n / 64, 1 << (n % 64)))
    }

    fn is_named(&self, id: i32) -> bool {
        self.slot(id).is_some_and(|(word, bit)| self.named[word] & bit != 0)
    }

    /// The rows no record has named.
    pub fn len(&self) -> usize {
        self.left
    }

    /// The next ids (in order, at most `CHUNK`) of rows no record named; empty at the end.
    /// The caller may delete each chunk before asking for the next.
    pub async fn next_unnamed<C: ConnectionTrait>(&mut self, txn: &C) -> Result<Vec<i32>, DbErr> {
        let mut out = Vec::new();
        while out.len() < CHUNK && self.after < self.last {
            let page: Vec<i32> = E::find()
                .select_only()
                .column(self.cols.id)
                .filter(self.cols.source.eq(self.source_id))
                .filter(self.cols.id.gt(self.after))
                .filter(self.cols.id.lte(self.last))
                .order_by_asc(self.cols.id)
                .limit(PAGE)
                .into_tuple()
                .all(txn)
                .await?;
            let Some(&end) = page.last() else {
                self.after = self.last;
                break;
            };
            for id in page {
                if !self.is_named(id) {
                    out.push(id);
                    if out.len() == CHUNK {
                        self.after = id;
                        return Ok(out);
                    }
                }
            }
            self.after = end;
        }
        Ok(out)
    }
}

/// The row ids of the source's endpoints these resource ids name (after the endpoints are
/// written), for a batch of brands' links.
pub(super) async fn endpoint_ids<C: ConnectionTrait>(
    txn: &C,
    source_id: i32,
    resource_ids: impl IntoIterator<Item = &str>,
) -> Result<HashMap<String, i32>, DbErr> {
    use endpoint::Column as C;
    let mut wanted: Vec<String> = resource_ids.into_iter().map(str::to_string).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut ids = HashMap::new();
    for chunk in wanted.chunks(CHUNK) {
        let rows: Vec<(String, i32)> = endpoint::Entity::find()
            .select_only()
            .columns([C::ResourceId, C::Id])
            .filter(C::SourceId.eq(source_id))
            .filter(C::ResourceId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(txn)
            .await?;
        ids.extend(rows);
    }
    Ok(ids)
}

/// Which of these endpoint rows are the source's own (the others are the community's).
pub(super) async fn own_endpoints<C: ConnectionTrait>(
    txn: &C,
    source_id: i32,
    ids: &[i32],
) -> Result<std::collections::HashSet<i32>, DbErr> {
    use endpoint::Column as C;
    let mut own = std::collections::HashSet::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<i32> = endpoint::Entity::find()
            .select_only()
            .column(C::Id)
            .filter(C::SourceId.eq(source_id))
            .filter(C::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(txn)
            .await?;
        own.extend(rows);
    }
    Ok(own)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_compare_as_numbers_and_odd_ones_match_nothing() {
        let h = "0123456789abcdef0123456789abcdef";
        assert!(same(hash_value(h), h));
        assert!(!same(hash_value(h), "0123456789abcdef0123456789abcdee"));
        assert!(!same(None, h));
        assert_eq!(hash_value("xyz"), None);
        assert_eq!(hash_value("0123456789abcdef0123456789abcdef0"), None);
    }
}
