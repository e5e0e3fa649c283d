//! Writes one source's records in one transaction: adds, updates and removes exactly that
//! source's brands, portals and endpoints, and bumps the directory version when anything changed.
mod brands;
mod endpoints;
mod history;
mod keyed;

use super::run::Content;
use super::spooled::Batch;
use crate::server::entities::source;
use crate::server::services::moderation::history::{ChangeMeta, FieldChange};
use crate::server::services::moderation::reconcile;
use crate::types::proposals::ChangeOrigin;
use crate::types::validation::Finding;
use brands::BrandWriter;
use endpoints::EndpointWriter;
use history::History;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, Set, TransactionTrait,
};

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
    content: Content,
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
            let (findings, finding_counts) = read_batches(content, false, || false, |_| Ok(())).await?;
            return Ok(ImportSummary {
                source_id: src.id,
                finding_counts,
                findings,
                unchanged: true,
                ..Default::default()
            });
        }
    }
    let counts = content.counts();
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
    let meta = ChangeMeta {
        origin: ChangeOrigin::Import,
        actor_id: None,
        actor_label: name.clone(),
        proposal_id: None,
        source_id: Some(source_id),
        reason: format!("import of {name}"),
    };
    let stamp = now.timestamp();
    let mut history = History::new(&meta, stamp);
    // The records arrive in batches from a blocking thread (two batches ahead at most); an
    // error on either side drops the transaction, so nothing of a failed import is written.
    let (tx, rx) = tokio::sync::mpsc::channel::<Batch>(2);
    let closed = tx.clone();
    let reading = read_batches(
        content,
        true,
        move || closed.is_closed(),
        move |batch| tx.blocking_send(batch).map_err(|_| "the write stopped".into()),
    );
    let writing = async {
        // Owned here: a failed write drops it, which stops the reading thread.
        let mut rx = rx;
        let mut endpoints = Some(EndpointWriter::start(&txn, source_id).await?);
        let mut brands: Option<BrandWriter> = None;
        loop {
            // A channel closed before `End` is a reading that failed: its error is the one
            // to report, and the source's other rows must not be removed as gone.
            let Some(batch) = rx.recv().await else { return Ok(false) };
            if matches!(batch, Batch::Brands(_) | Batch::End)
                && let Some(done) = endpoints.take()
            {
                done.finish(&txn, &mut summary.endpoints, &mut history).await?;
                brands = Some(BrandWriter::start(&txn, source_id, now, first).await?);
            }
            match (batch, &mut endpoints, &mut brands) {
                (Batch::Endpoints(records), Some(w), _) => {
                    w.write(&txn, &records, &mut summary.endpoints, &mut history).await?
                }
                (Batch::Brands(records), _, Some(w)) => w.write(&txn, &records, &mut summary, &mut history).await?,
                (Batch::End, _, _) => break,
                _ => return Err(DbErr::Custom("an endpoint came after the brands".into())),
            }
        }
        if let Some(w) = brands {
            w.finish(&txn, &mut summary, &mut history).await?;
        }
        Ok::<_, DbErr>(true)
    };
    let (read, written) = tokio::join!(reading, writing);
    // A failed write is reported before the reading's "the write stopped".
    let ended = written?;
    let (findings, finding_counts) = read?;
    if !ended {
        return Err(DbErr::Custom("the source's reading stopped before its end".into()));
    }
    history.finish(&txn).await?;

    if summary.changed() {
        reconcile::restore_links(&txn, &foreign).await?;
        reconcile::reconcile(&txn, source_id, &name, stamp).await.map_err(|e| DbErr::Custom(e.to_string()))?;
        if summary.brands.removed > 0 || summary.endpoints.removed > 0 {
            reconcile::prune_orphans(&txn).await?;
        }
        crate::server::services::brands::bump_directory_version(&txn).await?;
    }
    txn.commit().await?;
    summary.finding_counts = finding_counts;
    summary.findings = findings;
    Ok(summary)
}

impl Content {
    /// Brands and endpoints, for the source's row.
    fn counts(&self) -> (i32, i32) {
        match self {
            Content::Read(dir) => (dir.brands.len() as i32, dir.endpoints.len() as i32),
            Content::Spooled(s) => (s.brands as i32, s.endpoints as i32),
        }
    }
}

/// Hands `on_batch` the records (endpoints first, then `Batch::End`) on a blocking thread,
/// unless `records` is false; then the findings and their counts. `stopped` ends the reading
/// early.
async fn read_batches(
    content: Content,
    records: bool,
    stopped: impl Fn() -> bool + Send + 'static,
    mut on_batch: impl FnMut(Batch) -> Result<(), String> + Send + 'static,
) -> Result<(Vec<Finding>, [u32; 3]), DbErr> {
    let read = tokio::task::spawn_blocking(move || match content {
        Content::Spooled(scanned) => scanned.read_records(records, CHUNK, stopped, on_batch),
        Content::Read(mut dir) => {
            let counts = dir.finding_counts();
            if records {
                for chunk in std::mem::take(&mut dir.endpoints).chunks(CHUNK) {
                    on_batch(Batch::Endpoints(chunk.to_vec()))?;
                }
                for chunk in std::mem::take(&mut dir.brands).chunks(CHUNK) {
                    on_batch(Batch::Brands(chunk.to_vec()))?;
                }
                on_batch(Batch::End)?;
            }
            Ok((dir.findings, counts))
        }
    });
    read.await
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .map_err(|e| DbErr::Custom(format!("could not read the source again: {e}")))
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
