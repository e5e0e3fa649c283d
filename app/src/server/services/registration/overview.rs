//! The public overview of every payer's turnaround, kept per process. It is read in full once
//! per 5-minute bucket; in between, when a request changes (a newer request event than the
//! cache has seen; every instance reads the newest id from the database), only the requests
//! with newer events are read again, so a change shows at once without reading every decision
//! or history (the open requests' clocks are read from their histories kept here). One refresh runs at a time; others wait for its figures.
//! A change whose transaction commits after a newer event's shows at the next full read.
use super::calendar::Calendar;
use super::turnaround::{
    Decision, OpenRequest, Scope, Waiting, brief_of, decisions, open_requests, page_of, payer_rows,
};
use crate::error::AppError;
use crate::server::entities::{brand, request_event};
use crate::types::turnaround::{Overview, PayerPage, PayerTurnaround, SortBy, TurnaroundBrief, Window};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;
use std::sync::Arc;

/// Longest the overview's figures are reused while no request changes (the open requests'
/// clocks move on meanwhile), and how often every decision is read again.
pub const CACHE_SECS: i64 = 300;

/// The overview's figures, shared by the page, the CSV and the API.
#[derive(Clone, Default)]
pub struct TurnaroundCache(Arc<tokio::sync::Mutex<Option<Cached>>>);

struct Cached {
    bucket: i64,
    /// The newest request event folded in.
    event: i32,
    decisions: HashMap<i32, Decision>,
    open: HashMap<i32, OpenRequest>,
    names: HashMap<i32, String>,
    rows: Arc<Vec<PayerTurnaround>>,
    as_of: i64,
}

async fn newest_event(db: &impl ConnectionTrait) -> Result<Option<i32>, AppError> {
    Ok(request_event::Entity::find()
        .select_only()
        .expr(Func::max(Expr::col(request_event::Column::Id)))
        .into_tuple::<Option<i32>>()
        .one(db)
        .await?
        .flatten())
}

fn sort(rows: &mut [PayerTurnaround], by: SortBy, window: Window) {
    let t = |r: &PayerTurnaround| match window {
        Window::Recent => r.recent.clone(),
        Window::AllTime => r.all_time.clone(),
    };
    rows.sort_by_key(|r| r.brand.to_lowercase());
    // Missing statistics go last, whichever the order.
    match by {
        SortBy::Name => {}
        SortBy::Decided => rows.sort_by_key(|r| std::cmp::Reverse(t(r).decided)),
        SortBy::Median => rows.sort_by_key(|r| t(r).median_secs.map_or((1, 0), |s| (0, s))),
        SortBy::P90 => rows.sort_by_key(|r| t(r).p90_secs.map_or((1, 0), |s| (0, s))),
        SortBy::Within => rows.sort_by_key(|r| t(r).within_target_pct.map_or((1, 0), |p| (0, -i64::from(p)))),
        SortBy::Open => rows.sort_by_key(|r| std::cmp::Reverse(t(r).open)),
    }
}

/// The cache brought up to date with the database's newest request event.
async fn current<'a>(
    db: &impl ConnectionTrait,
    cache: &'a TurnaroundCache,
    calendar: &Calendar,
    now: i64,
) -> Result<tokio::sync::MappedMutexGuard<'a, Cached>, AppError> {
    let newest = newest_event(db).await?.unwrap_or(0);
    let bucket = now.div_euclid(CACHE_SECS);
    let mut slot = cache.0.lock().await;
    let current = match slot.take() {
        Some(c) if c.bucket == bucket && c.event == newest => c,
        Some(c) if c.bucket == bucket && c.event < newest => refresh(db, c, newest, calendar, now).await?,
        // A new bucket, or events deleted with their requests.
        _ => full(db, newest, bucket, calendar, now).await?,
    };
    *slot = Some(current);
    Ok(tokio::sync::MutexGuard::map(slot, |c| c.as_mut().expect("just stored")))
}

/// Every payer brand that has had a request, sorted.
pub async fn overview(
    db: &impl ConnectionTrait,
    cache: &TurnaroundCache,
    calendar: &Calendar,
    by: SortBy,
    window: Window,
    now: i64,
) -> Result<Overview, AppError> {
    let c = current(db, cache, calendar, now).await?;
    let (rows, as_of) = (c.rows.clone(), c.as_of);
    drop(c);
    let mut rows = rows.as_ref().clone();
    sort(&mut rows, by, window);
    Ok(Overview { rows, sort: by, window, as_of })
}

/// One brand's decisions and open requests (their clocks at `now`).
async fn of_one(
    db: &impl ConnectionTrait,
    cache: &TurnaroundCache,
    brand_id: i32,
    calendar: &Calendar,
    now: i64,
) -> Result<(Vec<Decision>, Vec<Waiting>), AppError> {
    let c = current(db, cache, calendar, now).await?;
    let mut decisions: Vec<Decision> = c.decisions.values().filter(|d| d.brand_id == brand_id).copied().collect();
    decisions.sort_by_key(|d| d.id);
    let waiting = c.open.values().filter(|o| o.brand_id == brand_id).map(|o| o.waiting(calendar, now)).collect();
    Ok((decisions, waiting))
}

/// One payer brand's public page (also for a brand nobody has asked yet).
pub async fn of_brand(
    db: &impl ConnectionTrait,
    cache: &TurnaroundCache,
    brand_id: i32,
    calendar: &Calendar,
    now: i64,
) -> Result<PayerPage, AppError> {
    let b = brand::Entity::find_by_id(brand_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no brand {brand_id}")))?;
    let (decisions, waiting) = of_one(db, cache, brand_id, calendar, now).await?;
    Ok(page_of(brand_id, b.name, &decisions, &waiting, now))
}

/// What the brand page shows; `None` when nobody has asked the brand yet.
pub async fn brief(
    db: &impl ConnectionTrait,
    cache: &TurnaroundCache,
    brand_id: i32,
    calendar: &Calendar,
    now: i64,
) -> Result<Option<TurnaroundBrief>, AppError> {
    let (decisions, waiting) = of_one(db, cache, brand_id, calendar, now).await?;
    Ok(brief_of(&decisions, &waiting, now))
}

/// Every open request, with its clock at `now`.
pub async fn waiting_all(
    db: &impl ConnectionTrait,
    cache: &TurnaroundCache,
    calendar: &Calendar,
    now: i64,
) -> Result<Vec<Waiting>, AppError> {
    let c = current(db, cache, calendar, now).await?;
    let mut out: Vec<Waiting> = c.open.values().map(|o| o.waiting(calendar, now)).collect();
    out.sort_by_key(|w| w.id);
    Ok(out)
}

async fn full(
    db: &impl ConnectionTrait,
    newest: i32,
    bucket: i64,
    calendar: &Calendar,
    now: i64,
) -> Result<Cached, AppError> {
    let decisions = decisions(db, Scope::All, calendar).await?.into_iter().map(|d| (d.id, d)).collect();
    let open = open_requests(db, Scope::All).await?.into_iter().map(|o| (o.id, o)).collect();
    let c =
        Cached { bucket, event: newest, decisions, open, names: HashMap::new(), rows: Default::default(), as_of: now };
    recompute(db, c, calendar, now).await
}

/// Folds in the requests with events newer than the cache's.
async fn refresh(
    db: &impl ConnectionTrait,
    mut c: Cached,
    newest: i32,
    calendar: &Calendar,
    now: i64,
) -> Result<Cached, AppError> {
    let changed: Vec<i32> = request_event::Entity::find()
        .select_only()
        .column(request_event::Column::RequestId)
        .distinct()
        .filter(request_event::Column::Id.gt(c.event))
        .filter(request_event::Column::Id.lte(newest))
        .into_tuple()
        .all(db)
        .await?;
    for id in &changed {
        c.decisions.remove(id);
        c.open.remove(id);
    }
    c.decisions.extend(decisions(db, Scope::Requests(&changed), calendar).await?.into_iter().map(|d| (d.id, d)));
    c.open.extend(open_requests(db, Scope::Requests(&changed)).await?.into_iter().map(|o| (o.id, o)));
    c.event = newest;
    recompute(db, c, calendar, now).await
}

async fn recompute(
    db: &impl ConnectionTrait,
    mut c: Cached,
    calendar: &Calendar,
    now: i64,
) -> Result<Cached, AppError> {
    let waiting: Vec<Waiting> = c.open.values().map(|o| o.waiting(calendar, now)).collect();
    let mut unnamed: Vec<i32> = c
        .decisions
        .values()
        .map(|d| d.brand_id)
        .chain(waiting.iter().map(|w| w.brand_id))
        .filter(|b| !c.names.contains_key(b))
        .collect();
    unnamed.sort_unstable();
    unnamed.dedup();
    c.names.extend(brand_names(db, &unnamed).await?);
    c.rows = Arc::new(payer_rows(c.decisions.values(), &waiting, &c.names, now));
    c.as_of = now;
    Ok(c)
}

async fn brand_names(db: &impl ConnectionTrait, ids: &[i32]) -> Result<HashMap<i32, String>, AppError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(900) {
        let rows: Vec<(i32, String)> = brand::Entity::find()
            .select_only()
            .columns([brand::Column::Id, brand::Column::Name])
            .filter(brand::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}
