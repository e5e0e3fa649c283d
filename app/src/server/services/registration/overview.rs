//! The public overview of every payer's turnaround, kept per process. It is read in full once
//! per 5-minute bucket; in between, when a request changes (a newer request event than the
//! cache has seen; every instance reads the newest id from the database), only the requests
//! with newer events are read again, with the open requests' clocks, so a change shows at once
//! without reading every decision. One refresh runs at a time; others wait for its figures.
//! A change whose transaction commits after a newer event's shows at the next full read.
use super::calendar::Calendar;
use super::turnaround::{Decision, Scope, decisions, payer_rows, waiting};
use crate::error::AppError;
use crate::server::entities::{brand, request_event};
use crate::types::turnaround::{Overview, PayerTurnaround, SortBy, Window};
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

/// Every payer brand that has had a request, sorted.
pub async fn overview(
    db: &impl ConnectionTrait,
    cache: &TurnaroundCache,
    calendar: &Calendar,
    by: SortBy,
    window: Window,
    now: i64,
) -> Result<Overview, AppError> {
    let newest = newest_event(db).await?.unwrap_or(0);
    let bucket = now.div_euclid(CACHE_SECS);
    let mut slot = cache.0.lock().await;
    let current = match slot.take() {
        Some(c) if c.bucket == bucket && c.event == newest => c,
        Some(c) if c.bucket == bucket && c.event < newest => refresh(db, c, newest, calendar, now).await?,
        // A new bucket, or events deleted with their requests.
        _ => full(db, newest, bucket, calendar, now).await?,
    };
    let (rows, as_of) = (current.rows.clone(), current.as_of);
    *slot = Some(current);
    drop(slot);
    let mut rows = rows.as_ref().clone();
    sort(&mut rows, by, window);
    Ok(Overview { rows, sort: by, window, as_of })
}

async fn full(
    db: &impl ConnectionTrait,
    newest: i32,
    bucket: i64,
    calendar: &Calendar,
    now: i64,
) -> Result<Cached, AppError> {
    let decisions: HashMap<i32, Decision> =
        decisions(db, Scope::All, calendar).await?.into_iter().map(|d| (d.id, d)).collect();
    let c = Cached { bucket, event: newest, decisions, names: HashMap::new(), rows: Default::default(), as_of: now };
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
    }
    c.decisions.extend(decisions(db, Scope::Requests(&changed), calendar).await?.into_iter().map(|d| (d.id, d)));
    c.event = newest;
    recompute(db, c, calendar, now).await
}

async fn recompute(
    db: &impl ConnectionTrait,
    mut c: Cached,
    calendar: &Calendar,
    now: i64,
) -> Result<Cached, AppError> {
    let waiting = waiting(db, None, calendar, now).await?;
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
