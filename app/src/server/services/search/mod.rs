//! The directory search: an in-memory index over names, aliases, portal names, places,
//! identifiers, endpoint addresses and web domains, rebuilt when the directory version changes.
//! Matching and ranking happen here, in Rust, so SQLite and PostgreSQL give identical answers.
mod address;
mod compact;
mod facets;
mod health;
mod index;
mod load;
mod matching;
mod persist;
mod query;
mod requirement;
#[cfg(test)]
mod tests;
mod text;

pub use address::host_of;
pub use health::HealthOverlay;
pub use index::{IndexBuilder, IndexInput, SearchIndex, environment_of};
pub use load::build_index;
pub use matching::edit_distance;
pub use query::QueryPlan;
pub use text::phrase;

use super::brands::{directory_stamp, directory_version};
use crate::error::AppError;
use crate::types::check::Health;
use crate::types::search::{SearchQuery, SearchResponse};
use sea_orm::{ConnectionTrait, DbErr};
use std::sync::{Arc, RwLock};

/// The shared, lazily refreshed index of a running server.
#[derive(Clone, Default)]
pub struct SearchState {
    /// Where the index is saved after a build and read from at the next one.
    file: Option<Arc<std::path::PathBuf>>,
    current: Arc<RwLock<Arc<SearchIndex>>>,
    rebuilding: Arc<tokio::sync::Mutex<()>>,
    health: Arc<RwLock<Arc<HealthOverlay>>>,
    reloading_health: Arc<tokio::sync::Mutex<()>>,
}

/// Every polled endpoint of every brand: (brand id, health, certificate days left, CARIN
/// conformant, offers EOB).
async fn load_health<C: ConnectionTrait>(db: &C) -> Result<Vec<(i32, Health, Option<i32>, bool, bool)>, DbErr> {
    let sql = "SELECT be.brand_id, h.health, h.cert_days_left, h.carin_conformant, h.supports_eob \
               FROM brand_endpoint be JOIN endpoint_health h ON h.endpoint_id = be.endpoint_id";
    let rows = db.query_all_raw(crate::server::services::sql::statement(db, sql, vec![])).await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some((
                r.try_get::<i32>("", "brand_id").ok()?,
                Health::parse(&r.try_get::<String>("", "health").ok()?),
                r.try_get::<Option<i32>>("", "cert_days_left").ok()?,
                r.try_get::<bool>("", "carin_conformant").ok()?,
                r.try_get::<bool>("", "supports_eob").ok()?,
            ))
        })
        .collect())
}

impl SearchState {
    /// An index saved to `file` (when given) after each build, and read back instead of
    /// building when the directory has not changed since (a restart).
    pub fn with_file(file: Option<std::path::PathBuf>) -> Self {
        SearchState { file: file.map(Arc::new), ..Default::default() }
    }

    /// A search over the current index, with the poller's statuses and facets (at most
    /// `HEALTH_TTL` old).
    /// A search within the shared limits (`SearchQuery::check_limits`), run on a blocking
    /// thread so a costly query never holds up the async threads serving other requests.
    pub async fn search<C: ConnectionTrait>(&self, db: &C, q: &SearchQuery) -> Result<SearchResponse, AppError> {
        q.check_limits().map_err(AppError::BadRequest)?;
        let index = self.index(db).await?;
        let health = self.health(db, &index).await?;
        let q = q.clone();
        crate::server::services::cpu::run("search", move || index.search_with(&q, &health)).await
    }

    async fn health<C: ConnectionTrait>(&self, db: &C, index: &Arc<SearchIndex>) -> Result<Arc<HealthOverlay>, DbErr> {
        let current = || self.health.read().unwrap_or_else(|e| e.into_inner()).clone();
        let h = current();
        if h.fresh_for(index) {
            return Ok(h);
        }
        let _guard = self.reloading_health.lock().await;
        let h = current();
        if h.fresh_for(index) {
            return Ok(h);
        }
        let rows = load_health(db).await?;
        let index = index.clone();
        let built = Arc::new(
            tokio::task::spawn_blocking(move || HealthOverlay::build(&index, rows))
                .await
                .map_err(|e| DbErr::Custom(e.to_string()))?,
        );
        *self.health.write().unwrap_or_else(|e| e.into_inner()) = built.clone();
        Ok(built)
    }

    /// The version of the index in memory now (the directory's when it was last searched),
    /// without asking the database.
    pub fn version_in_memory(&self) -> i64 {
        self.current.read().unwrap_or_else(|e| e.into_inner()).version
    }

    /// The index for the directory as it is now, rebuilt first if an import changed it.
    pub async fn index<C: ConnectionTrait>(&self, db: &C) -> Result<Arc<SearchIndex>, DbErr> {
        let version = directory_version(db).await?;
        // An index of version 0 is the empty one a server starts with; the database is at 0
        // only before its first import, when it is empty too.
        let fresh = |s: &Self| {
            let idx = s.current.read().unwrap_or_else(|e| e.into_inner()).clone();
            (idx.version == version).then_some(idx)
        };
        if let Some(idx) = fresh(self) {
            return Ok(idx);
        }
        let _guard = self.rebuilding.lock().await;
        if let Some(idx) = fresh(self) {
            return Ok(idx);
        }
        let started = std::time::Instant::now();
        let (version, stamp) = directory_stamp(db).await?;
        let expected = persist::Built { version, stamp };
        // A directory never changed since stamps began has none (0): it could match a file
        // from a copy that went its own way, so it is neither read nor saved until it has one.
        let saved = match self.file.clone().filter(|_| stamp != 0) {
            Some(path) => tokio::task::spawn_blocking(move || persist::load(&path, expected))
                .await
                .map_err(|e| DbErr::Custom(e.to_string()))?
                .unwrap_or_else(|e| {
                    tracing::warn!("the saved search index is not used, it is built again: {e}");
                    None
                }),
            None => None,
        };
        let from_file = saved.is_some();
        let idx = Arc::new(match saved {
            Some(idx) => idx,
            None => build_index(db, version).await?,
        });
        tracing::info!(
            brands = idx.len(),
            version,
            from_file,
            elapsed_ms = started.elapsed().as_millis() as u64,
            heap_mb = idx.heap_bytes() / 1_000_000,
            "search index ready"
        );
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = idx.clone();
        if !from_file
            && stamp != 0
            && let Some(path) = self.file.clone()
        {
            // Saved only when nothing changed while it was built (its pages were read over
            // several statements), in the background: the search waiting for it need not.
            if matches!(directory_stamp(db).await, Ok(now) if now == (version, stamp)) {
                let idx = idx.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = persist::save(&idx, stamp, &path) {
                        tracing::warn!(path = %path.display(), "the search index could not be saved: {e}");
                    }
                });
            }
        }
        Ok(idx)
    }
}
