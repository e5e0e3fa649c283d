//! The source's rows as the import matches records against them, keyed by a 128-bit key of
//! the resource id rather than the id itself (`fhir::references::Keys`): 40-odd bytes a row, so
//! re-importing a national directory holds tens of megabytes, not a copy of every id and hash.
use crate::server::entities::endpoint;
use crate::server::fhir::references::Keys;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Rows read per query while loading, so no query's answer holds the whole source.
const PAGE: u64 = 10_000;

/// A stored content hash (32 hex digits) as a number; `None` for anything else, which then
/// matches no record.
fn hash_value(hex: &str) -> Option<u128> {
    (hex.len() == 32).then(|| u128::from_str_radix(hex, 16).ok()).flatten()
}

/// Two stored ids of one source (unique in the table) with one key: about 2^-100 at a
/// national directory's size, and the key is random per import, so a retry succeeds. Failing
/// beats matching a record to another's row.
fn collision() -> DbErr {
    DbErr::Custom("two stored resource ids share a 128-bit key; import again".into())
}

/// The rows (id and content hash) of one source, by resource id.
pub(super) struct Existing {
    keys: Keys,
    rows: HashMap<u128, (i32, Option<u128>)>,
}

impl Existing {
    /// `cols` are the resource id, row id and content hash; `id` the row id (for paging).
    pub async fn load<C: ConnectionTrait, E: EntityTrait>(
        txn: &C,
        source_col: E::Column,
        cols: [E::Column; 3],
        id: E::Column,
        source_id: i32,
    ) -> Result<Self, DbErr> {
        let keys = Keys::default();
        let mut rows = HashMap::new();
        let mut after = i32::MIN;
        loop {
            let page: Vec<(String, i32, String)> = E::find()
                .select_only()
                .columns(cols)
                .filter(source_col.eq(source_id))
                .filter(id.gt(after))
                .order_by_asc(id)
                .limit(PAGE)
                .into_tuple()
                .all(txn)
                .await?;
            let Some(last) = page.last().map(|(_, row, _)| *row) else { break };
            for (resource_id, row, hash) in &page {
                if rows.insert(keys.of(resource_id), (*row, hash_value(hash))).is_some() {
                    return Err(collision());
                }
            }
            after = last;
        }
        Ok(Existing { keys, rows })
    }

    /// The row a record of this resource id updates, if there is one; taken, so what is left
    /// at the end is what the source no longer has.
    pub fn take(&mut self, resource_id: &str) -> Option<(i32, Option<u128>)> {
        self.rows.remove(&self.keys.of(resource_id))
    }

    /// Whether a stored content hash is `hash`.
    pub fn same(stored: Option<u128>, hash: &str) -> bool {
        stored.is_some() && stored == hash_value(hash)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The ids of the rows not taken.
    pub fn ids(&self) -> Vec<i32> {
        let mut ids: Vec<i32> = self.rows.values().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids
    }
}

/// The source's endpoints after the write: resource id → row id.
pub(super) struct EndpointIds {
    keys: Keys,
    ids: HashMap<u128, i32>,
}

impl EndpointIds {
    pub async fn load<C: ConnectionTrait>(txn: &C, source_id: i32) -> Result<Self, DbErr> {
        use endpoint::Column as C;
        let keys = Keys::default();
        let mut ids = HashMap::new();
        let mut after = i32::MIN;
        loop {
            let page: Vec<(String, i32)> = endpoint::Entity::find()
                .select_only()
                .columns([C::ResourceId, C::Id])
                .filter(C::SourceId.eq(source_id))
                .filter(C::Id.gt(after))
                .order_by_asc(C::Id)
                .limit(PAGE)
                .into_tuple()
                .all(txn)
                .await?;
            let Some(last) = page.last().map(|(_, row)| *row) else { break };
            for (resource_id, row) in &page {
                if ids.insert(keys.of(resource_id), *row).is_some() {
                    return Err(collision());
                }
            }
            after = last;
        }
        Ok(EndpointIds { keys, ids })
    }

    pub fn get(&self, resource_id: &str) -> Option<i32> {
        self.ids.get(&self.keys.of(resource_id)).copied()
    }

    pub fn rows(&self) -> impl Iterator<Item = i32> + '_ {
        self.ids.values().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_compare_as_numbers_and_odd_ones_match_nothing() {
        let h = "0123456789abcdef0123456789abcdef";
        assert!(Existing::same(hash_value(h), h));
        assert!(!Existing::same(hash_value(h), "0123456789abcdef0123456789abcdee"));
        assert!(!Existing::same(None, h));
        assert_eq!(hash_value("xyz"), None);
        assert_eq!(hash_value("0123456789abcdef0123456789abcdef0"), None);
    }
}
