//! The shared index of a running server, kept current with the directory. A change (an
//! import, an approved proposal) is indexed in the background, from the first search after
//! it: a search waits up to `SIGNPOST_SEARCH_WAIT` (`REBUILD_WAIT` by default) for the new
//! index, and past that is answered from the one before, marked `updating`. At national
//! scale a build takes a quarter of a minute (1,000,000 brands), and one moderator's approval
//! must not hold every search up for that long.
use super::health::HealthOverlay;
use super::index::SearchIndex;
use super::load::build_index;
use super::persist;
use crate::error::AppError;
use crate::server::services::brands::{directory_stamp, directory_version, is_earlier_change};
use crate::types::check::Health;
use crate::types::search::{SearchQuery, SearchResponse};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

/// How long after a change searches wait for its index before they are answered from the
/// previous one (counted from the rebuild's start, so only the searches of its first moments
/// wait). A 20,000-brand directory builds in well under a second in a release build, so
/// below national scale a search sees the change.
pub const REBUILD_WAIT: Duration = Duration::from_secs(2);

/// How long after a background rebuild failed (the database away) the next one
/// may start.
pub const RETRY_AFTER: Duration = Duration::from_secs(30);

/// The shared, lazily refreshed index of a running server.
#[derive(Clone)]
pub struct SearchState {
    /// Where the index is saved after a build and read from at the next one.
    file: Option<Arc<std::path::PathBuf>>,
    /// The connection background rebuilds read from (committed data only). Without one, a
    /// search after a change waits for the rebuild, whatever it takes.
    background: Option<DatabaseConnection>,
    wait: Duration,
    /// Until when searches wait for the background rebuild under way, if one is.
    deadline: Arc<std::sync::Mutex<Option<tokio::time::Instant>>>,
    /// When the last background rebuild failed, if it did.
    failed_at: Arc<std::sync::Mutex<Option<tokio::time::Instant>>>,
    current: Arc<RwLock<Arc<SearchIndex>>>,
    /// The version of `current`, for the searches waiting on a rebuild.
    swapped: Arc<watch::Sender<i64>>,
    rebuilding: Arc<Mutex<()>>,
    health: Arc<RwLock<Arc<HealthOverlay>>>,
    reloading_health: Arc<Mutex<()>>,
}

impl Default for SearchState {
    fn default() -> Self {
        SearchState::with_file(None)
    }
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

async fn overlay_for<C: ConnectionTrait>(db: &C, index: &Arc<SearchIndex>) -> Result<HealthOverlay, DbErr> {
    let rows = load_health(db).await?;
    let index = index.clone();
    tokio::task::spawn_blocking(move || HealthOverlay::build(&index, rows))
        .await
        .map_err(|e| DbErr::Custom(e.to_string()))
}

impl SearchState {
    /// An index saved to `file` (when given) after each build, and read back instead of
    /// building when the directory has not changed since (a restart).
    pub fn with_file(file: Option<std::path::PathBuf>) -> Self {
        SearchState {
            file: file.map(Arc::new),
            background: None,
            wait: REBUILD_WAIT,
            deadline: Default::default(),
            failed_at: Default::default(),
            current: Default::default(),
            swapped: Arc::new(watch::Sender::new(0)),
            rebuilding: Default::default(),
            health: Default::default(),
            reloading_health: Default::default(),
        }
    }

    /// Rebuilds after a change read from `db` in the background: searches wait for the new
    /// index until `wait` after its build began, then the previous index answers them until it
    /// is ready.
    pub fn in_background(mut self, db: DatabaseConnection, wait: Duration) -> Self {
        self.background = Some(db);
        self.wait = wait;
        self
    }

    fn current(&self) -> Arc<SearchIndex> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn overlay(&self) -> Arc<HealthOverlay> {
        self.health.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A search within the shared limits (`SearchQuery::check_limits`), with the poller's
    /// statuses and facets (at most `HEALTH_TTL` old), run on a blocking thread so a costly
    /// query never holds up the async threads serving other requests; its page of results is
    /// then read from `db`.
    pub async fn search<C: ConnectionTrait>(&self, db: &C, q: &SearchQuery) -> Result<SearchResponse, AppError> {
        q.check_limits().map_err(AppError::BadRequest)?;
        let (index, updating) = self.serving(db).await?;
        let health = self.health(db, &index).await?;
        let q = q.clone();
        let hits = crate::server::services::cpu::run("search", move || index.search_with(&q, &health)).await?;
        let summaries = super::summaries::summaries(db, &hits.brand_ids()).await?;
        let mut response = hits.with(summaries);
        response.updating = updating;
        Ok(response)
    }

    /// The index to answer from, and whether the directory has changed since it was built
    /// (its rebuild under way).
    async fn serving<C: ConnectionTrait>(&self, db: &C) -> Result<(Arc<SearchIndex>, bool), DbErr> {
        let version = directory_version(db).await?;
        let mut previous = self.current();
        if previous.version == version {
            return Ok((previous, false));
        }
        let Some(conn) = self.background.clone() else {
            return Ok((self.index_at(db, version).await?, false));
        };
        // Version 0 is the empty index a server starts with: there is nothing to answer from
        // but an index saved at an earlier version of this directory.
        if previous.version == 0 {
            match self.earlier_saved(db).await? {
                Some(earlier) if earlier.version == version => return Ok((earlier, false)),
                Some(earlier) => previous = earlier,
                None => return Ok((self.index_at(db, version).await?, false)),
            }
        }
        let mut swapped = self.swapped.subscribe();
        if !self.rebuild_in_background(conn) {
            return Ok((previous, true));
        }
        let deadline = self.rebuild_deadline().unwrap_or_else(|| tokio::time::Instant::now() + self.wait);
        let swapped_or_failed = swapped.wait_for(|v| *v != previous.version || self.rebuild_failed());
        let _ = tokio::time::timeout_at(deadline, swapped_or_failed).await;
        let now = self.current();
        let updating = now.version != version;
        Ok((now, updating))
    }

    /// Starts a rebuild on its own task, unless one is under way; a search that gives up
    /// waiting for it does not stop it. `false` when none is under way: the last one failed
    /// less than `RETRY_AFTER` ago, and searches are answered from the index there is rather
    /// than starting (and waiting for) a half-minute build that fails again at every search.
    fn rebuild_in_background(&self, db: DatabaseConnection) -> bool {
        let Ok(guard) = self.rebuilding.clone().try_lock_owned() else { return true };
        let now = tokio::time::Instant::now();
        let mut failed = self.failed_at.lock().unwrap_or_else(|e| e.into_inner());
        if failed.is_some_and(|at| now < at + RETRY_AFTER) {
            return false;
        }
        *failed = None;
        drop(failed);
        *self.deadline.lock().unwrap_or_else(|e| e.into_inner()) = Some(now + self.wait);
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(e) = this.rebuild_locked(&db).await {
                tracing::warn!("the search index could not be rebuilt (retried in {RETRY_AFTER:?}): {e}");
                *this.failed_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(tokio::time::Instant::now());
                // The searches waiting for it stop waiting.
                this.swapped.send_modify(|_| {});
            }
            *this.deadline.lock().unwrap_or_else(|e| e.into_inner()) = None;
            drop(guard);
        });
        true
    }

    fn rebuild_failed(&self) -> bool {
        self.failed_at.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    fn rebuild_deadline(&self) -> Option<tokio::time::Instant> {
        *self.deadline.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Puts in place, when nothing is yet, the index saved at an earlier version of this same
    /// directory (`brands::is_earlier_change`: not a restored backup's or another copy's), so
    /// a server started after other instances or a restore changed the directory answers at
    /// once, marked `updating`, while the current index is built. `None` when there is no
    /// such file; the index in place when there already is one.
    async fn earlier_saved<C: ConnectionTrait>(&self, db: &C) -> Result<Option<Arc<SearchIndex>>, DbErr> {
        let _guard = self.rebuilding.lock().await;
        let idx = self.current();
        if idx.version != 0 {
            return Ok(Some(idx));
        }
        let Some(path) = self.file.clone() else { return Ok(None) };
        let started = std::time::Instant::now();
        let header = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || persist::built_from(&path))
        };
        let built = match header.await.map_err(|e| DbErr::Custom(e.to_string()))? {
            Ok(Some(built)) if built.stamp != 0 => built,
            Ok(_) => return Ok(None),
            // `rebuild_locked` reports a damaged file when it comes to it.
            Err(_) => return Ok(None),
        };
        if !is_earlier_change(db, built.version, built.stamp).await? {
            return Ok(None);
        }
        let loaded = tokio::task::spawn_blocking(move || persist::load(&path, built))
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        let idx = match loaded {
            Ok(Some(idx)) => Arc::new(idx),
            Ok(None) => return Ok(None),
            Err(e) => {
                tracing::warn!("the saved search index is not used, it is built again: {e}");
                return Ok(None);
            }
        };
        let overlay = Arc::new(overlay_for(db, &idx).await?);
        tracing::info!(
            brands = idx.len(),
            version = idx.version,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "search index of an earlier version read; it answers while the current one is built"
        );
        self.put_in_place(idx.clone(), overlay).await;
        Ok(Some(idx))
    }

    async fn put_in_place(&self, idx: Arc<SearchIndex>, overlay: Arc<HealthOverlay>) {
        {
            let _health = self.reloading_health.lock().await;
            *self.current.write().unwrap_or_else(|e| e.into_inner()) = idx.clone();
            *self.health.write().unwrap_or_else(|e| e.into_inner()) = overlay;
        }
        self.swapped.send_replace(idx.version);
    }

    /// Keeps any rebuild from starting while the guard is held, so a test can search while
    /// one is "under way".
    #[doc(hidden)]
    pub async fn hold_rebuilds(&self) -> OwnedMutexGuard<()> {
        self.rebuilding.clone().lock_owned().await
    }

    /// The poller's overlay for `index`: refreshed on the request path only when there is
    /// none for it; one past `HEALTH_TTL` still answers while a new one is read.
    async fn health<C: ConnectionTrait>(&self, db: &C, index: &Arc<SearchIndex>) -> Result<Arc<HealthOverlay>, DbErr> {
        let h = self.overlay();
        if h.fresh_for(index) {
            return Ok(h);
        }
        if h.index_version == index.version
            && h.len() == index.len()
            && let Some(conn) = self.background.clone()
        {
            self.reload_health_in_background(conn, index.clone());
            return Ok(h);
        }
        let _guard = self.reloading_health.lock().await;
        let h = self.overlay();
        if h.fresh_for(index) {
            return Ok(h);
        }
        let built = Arc::new(overlay_for(db, index).await?);
        // A search that took the previous index just before a swap gets an overlay for it,
        // but the one in place stays the new index's.
        if Arc::ptr_eq(index, &self.current()) {
            *self.health.write().unwrap_or_else(|e| e.into_inner()) = built.clone();
        }
        Ok(built)
    }

    fn reload_health_in_background(&self, db: DatabaseConnection, index: Arc<SearchIndex>) {
        let Ok(guard) = self.reloading_health.clone().try_lock_owned() else { return };
        let this = self.clone();
        tokio::spawn(async move {
            let _guard = guard;
            match overlay_for(&db, &index).await {
                // Kept only while its index is still the one searched.
                Ok(built) if this.current().version == index.version => {
                    *this.health.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(built);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("the poller's statuses could not be reloaded for search: {e}"),
            }
        });
    }

    /// The version of the index in memory now (the directory's when it was last searched),
    /// without asking the database.
    pub fn version_in_memory(&self) -> i64 {
        self.current().version
    }

    /// Readies the index at start, off the request path: the saved one when it is current,
    /// else an earlier one of this directory while the current one is built in the
    /// background, else the one built now.
    pub async fn warm<C: ConnectionTrait>(&self, db: &C) -> Result<(), DbErr> {
        self.serving(db).await.map(|_| ())
    }

    /// The index for the directory as it is now, waiting for its rebuild if it changed.
    pub async fn index<C: ConnectionTrait>(&self, db: &C) -> Result<Arc<SearchIndex>, DbErr> {
        let version = directory_version(db).await?;
        self.index_at(db, version).await
    }

    async fn index_at<C: ConnectionTrait>(&self, db: &C, version: i64) -> Result<Arc<SearchIndex>, DbErr> {
        let idx = self.current();
        if idx.version == version {
            return Ok(idx);
        }
        let _guard = self.rebuilding.lock().await;
        self.rebuild_locked(db).await
    }

    /// Reads (from the saved file) or builds the index of the directory as it is, with its
    /// overlay, and puts both in place; the caller holds `rebuilding`.
    async fn rebuild_locked<C: ConnectionTrait>(&self, db: &C) -> Result<Arc<SearchIndex>, DbErr> {
        let (version, stamp) = directory_stamp(db).await?;
        let idx = self.current();
        if idx.version == version {
            return Ok(idx);
        }
        let started = std::time::Instant::now();
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
        // Read before the swap, so no search meets the new index without its overlay.
        let overlay = Arc::new(overlay_for(db, &idx).await?);
        tracing::info!(
            brands = idx.len(),
            version,
            from_file,
            elapsed_ms = started.elapsed().as_millis() as u64,
            heap_mb = idx.heap_bytes() / 1_000_000,
            "search index ready"
        );
        self.put_in_place(idx.clone(), overlay).await;
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
