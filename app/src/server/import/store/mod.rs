//! Writes one source's records in one transaction: adds, updates and removes exactly that
//! source's brands, portals and endpoints, and bumps the directory version when anything changed.
mod brands;
mod endpoints;

use crate::server::entities::{record_change, source};
use crate::server::fhir::records::Directory;
use crate::server::services::moderation::history::{ChangeMeta, FieldChange, row as history_row};
use crate::server::services::moderation::reconcile;
use crate::types::proposals::ChangeOrigin;
use crate::types::validation::Finding;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QuerySelect, Set, TransactionTrait,
};
use std::collections::HashMap;

/// A record the import changed, with its fields before and after, for its history.
pub(super) type Changed = (&'static str, i32, Vec<FieldChange>);

/// Rows per multi-row INSERT: well under SQLite's and PostgreSQL's bind-parameter limits.
pub(super) const CHUNK: usize = 500;

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

pub(super) fn json<T: serde::Serialize>(v: &T) -> String {
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
    // A source's first import is its brands' origin, which the brand page names; later ones
    // record the brands they add and remove.
    let first = existing.is_none();
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
    let endpoint_ids =
        endpoints::store_endpoints(&txn, source_id, &dir.endpoints, &mut summary.endpoints, &mut history).await?;
    let written = brands::Written { source_id, endpoint_ids: &endpoint_ids, now, first };
    brands::store_brands(&txn, &written, &dir.brands, &mut summary, &mut history).await?;
    let meta = ChangeMeta {
        origin: ChangeOrigin::Import,
        actor_id: None,
        actor_label: name.clone(),
        proposal_id: None,
        source_id: Some(source_id),
        reason: format!("import of {name}"),
    };
    let stamp = now.timestamp();
    insert_chunks::<_, record_change::Entity>(
        &txn,
        one_per_record(history).iter().map(|(kind, id, fields)| history_row(kind, *id, fields, &meta, stamp)),
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

pub(super) async fn existing_rows<C: ConnectionTrait, E: EntityTrait>(
    txn: &C,
    source_col: E::Column,
    cols: [E::Column; 3],
    source_id: i32,
) -> Result<HashMap<String, (i32, String)>, DbErr> {
    let rows: Vec<(String, i32, String)> =
        E::find().select_only().columns(cols).filter(source_col.eq(source_id)).into_tuple().all(txn).await?;
    Ok(rows.into_iter().map(|(r, id, h)| (r, (id, h))).collect())
}

/// Inserts rows in multi-row statements; `rows` is consumed lazily, so only one chunk of
/// ActiveModels exists at a time.
pub(super) async fn insert_chunks<C: ConnectionTrait, E: EntityTrait>(
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
