//! Brand bundles published at a URL, kept current: each feed is refetched on schedule with
//! `If-None-Match` (a `304` costs one small request and changes nothing) and re-imported when it
//! changed, through the SSRF-safe client. Feeds come from `signpost import URL` and from the
//! `user_access_brand_bundle` of checked smart-configurations.
use super::sql::lease_due;
use crate::server::entities::bundle_feed::{self, FeedState};
use crate::server::import::run::import_reader;
use crate::server::net::client::{Fetched, SafeClient};
use crate::server::net::error::FetchError;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set};
use url::Url;

/// A fetch that failed is tried again after this long, not a whole interval later.
const RETRY_SECS: i64 = 3600;
/// How long a fetch holds its feed (a big bundle takes a while to import).
const LEASE_SECS: i64 = 1800;

/// GETs a brands bundle (or another source file) within the bundle limits, the policy's
/// `bundle_max_bytes` and `bundle_timeout`, not the 5 MB and 30 s of a check.
pub async fn fetch_bundle(
    client: &SafeClient,
    url: &Url,
    headers: reqwest::header::HeaderMap,
) -> Result<Fetched, FetchError> {
    let policy = client.policy();
    client.get_within(url, headers, policy.bundle_max_bytes, policy.bundle_timeout).await
}

/// Records a bundle URL that a checked smart-configuration names: `Discovered`, never fetched
/// until an operator approves it (`signpost feeds approve ID`). Nothing happens if the URL is a
/// feed already.
pub async fn discovered<C: ConnectionTrait>(db: &C, url: &str, now: i64) -> Result<(), DbErr> {
    insert(db, url, now, FeedState::Discovered).await
}

/// Adds an approved feed, due now; a feed that was only discovered becomes approved.
pub async fn register<C: ConnectionTrait>(db: &C, url: &str, now: i64) -> Result<(), DbErr> {
    insert(db, url, now, FeedState::Approved).await?;
    bundle_feed::Entity::update_many()
        .col_expr(bundle_feed::Column::State, Expr::value(FeedState::Approved.as_str()))
        .filter(bundle_feed::Column::Url.eq(url))
        .exec(db)
        .await?;
    Ok(())
}

async fn insert<C: ConnectionTrait>(db: &C, url: &str, now: i64, state: FeedState) -> Result<(), DbErr> {
    bundle_feed::Entity::insert(bundle_feed::ActiveModel {
        state: Set(state),
        url: Set(url.to_string()),
        etag: Set(None),
        created_at: Set(now),
        next_fetch_at: Set(now),
        last_fetched_at: Set(None),
        last_status: Set(None),
        last_error: Set(None),
        lease_until: Set(None),
        ..Default::default()
    })
    .on_conflict(OnConflict::column(bundle_feed::Column::Url).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Records what an import by URL fetched, so the next refetch can ask `If-None-Match`.
pub async fn imported(
    db: &DatabaseConnection,
    url: &str,
    etag: Option<&str>,
    now: i64,
    interval: i64,
) -> Result<(), DbErr> {
    register(db, url, now).await?;
    bundle_feed::Entity::update_many()
        .col_expr(bundle_feed::Column::Etag, Expr::value(etag.map(str::to_string)))
        .col_expr(bundle_feed::Column::LastFetchedAt, Expr::value(now))
        .col_expr(bundle_feed::Column::LastStatus, Expr::value(200))
        .col_expr(bundle_feed::Column::LastError, Expr::value(Option::<String>::None))
        .col_expr(bundle_feed::Column::NextFetchAt, Expr::value(now + interval))
        .filter(bundle_feed::Column::Url.eq(url))
        .exec(db)
        .await?;
    Ok(())
}

async fn claim_due(db: &DatabaseConnection, now: i64, limit: u64) -> Result<Vec<bundle_feed::Model>, DbErr> {
    let ids: Vec<i32> =
        lease_due(db, "bundle_feed", "next_fetch_at", " AND state = 'approved'", now, LEASE_SECS, limit)
            .await?
            .into_iter()
            .filter_map(|id| i32::try_from(id).ok())
            .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    bundle_feed::Entity::find().filter(bundle_feed::Column::Id.is_in(ids)).all(db).await
}

/// What one feed's fetch came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedResult {
    /// `304`: unchanged, nothing imported.
    NotModified,
    /// Fetched and imported; `changed` is false when the content was identical.
    Imported {
        changed: bool,
    },
    Failed(String),
}

/// One feed: fetch (conditionally), import when changed, and record the outcome.
pub async fn refresh(
    db: &DatabaseConnection,
    client: &SafeClient,
    feed: &bundle_feed::Model,
    now: i64,
    interval: i64,
) -> Result<FeedResult, DbErr> {
    let result = fetch_and_import(db, client, feed).await;
    let (status, etag, error, next) = match &result {
        Ok((FeedResult::NotModified, _)) => (Some(304), feed.etag.clone(), None, now + interval),
        Ok((FeedResult::Imported { .. }, etag)) => (Some(200), etag.clone(), None, now + interval),
        Ok((FeedResult::Failed(why), status)) => (
            status.as_deref().and_then(|s| s.parse().ok()),
            feed.etag.clone(),
            Some(why.clone()),
            now + RETRY_SECS.min(interval),
        ),
        Err(why) => (None, feed.etag.clone(), Some(why.clone()), now + RETRY_SECS.min(interval)),
    };
    bundle_feed::Entity::update_many()
        .col_expr(bundle_feed::Column::Etag, Expr::value(etag))
        .col_expr(bundle_feed::Column::LastFetchedAt, Expr::value(now))
        .col_expr(bundle_feed::Column::LastStatus, Expr::value(status))
        .col_expr(bundle_feed::Column::LastError, Expr::value(error.clone()))
        .col_expr(bundle_feed::Column::NextFetchAt, Expr::value(next))
        .col_expr(bundle_feed::Column::LeaseUntil, Expr::value(Option::<i64>::None))
        .filter(bundle_feed::Column::Id.eq(feed.id))
        .exec(db)
        .await?;
    Ok(match result {
        Ok((r, _)) => r,
        Err(why) => FeedResult::Failed(why),
    })
}

/// `Ok((result, etag or the failed status))`; `Err` for a failure to get an answer at all.
async fn fetch_and_import(
    db: &DatabaseConnection,
    client: &SafeClient,
    feed: &bundle_feed::Model,
) -> Result<(FeedResult, Option<String>), String> {
    let url = Url::parse(&feed.url).map_err(|e| format!("not a URL: {e}"))?;
    let mut headers = crate::server::net::client::accept("application/fhir+json, application/json");
    if let Some(etag) = feed.etag.as_deref().and_then(|e| reqwest::header::HeaderValue::from_str(e).ok()) {
        headers.insert(reqwest::header::IF_NONE_MATCH, etag);
    }
    let fetched = fetch_bundle(client, &url, headers).await.map_err(|e| e.to_string())?;
    match fetched.status {
        304 => return Ok((FeedResult::NotModified, None)),
        200..=299 => {}
        s => return Ok((FeedResult::Failed(format!("HTTP {s}")), Some(s.to_string()))),
    }
    let etag = fetched.header("etag").map(str::to_string);
    // The import runs on a blocking thread of its own: it is heavy work, and its future holds
    // borrows the compiler cannot prove `Send` for inside the poller's spawned task.
    let (db2, location, body) = (db.clone(), feed.url.clone(), fetched.body);
    let handle = tokio::runtime::Handle::current();
    let import = tokio::task::spawn_blocking(move || {
        handle.block_on(import_reader(&db2, &location, None, std::io::Cursor::new(body), |_| {}))
    });
    let import = async {
        import.await.map_err(|e| crate::server::import::run::ImportError::Io(std::io::Error::other(e.to_string())))?
    };
    match import.await {
        Ok(outcome) => Ok((FeedResult::Imported { changed: !outcome.summary.unchanged }, etag)),
        Err(e) => Ok((FeedResult::Failed(format!("not imported: {e}")), Some("200".into()))),
    }
}

/// A shorter `SIGNPOST_POLL_INTERVAL` applies at once: a feed scheduled further out than its
/// last fetch plus the interval is brought forward (a longer one applies from the next fetch).
pub async fn follow_interval(db: &DatabaseConnection, interval: i64) -> Result<u64, DbErr> {
    use sea_orm::sea_query::ExprTrait;
    let latest = Expr::col(bundle_feed::Column::LastFetchedAt).add(interval);
    let r = bundle_feed::Entity::update_many()
        .col_expr(bundle_feed::Column::NextFetchAt, latest.clone())
        .filter(bundle_feed::Column::LastFetchedAt.is_not_null())
        .filter(Expr::col(bundle_feed::Column::NextFetchAt).gt(latest))
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}

/// Refreshes every due feed, one at a time (imports are single transactions that are best not
/// run side by side). Returns (url, result) per feed.
pub async fn refresh_due(
    db: &DatabaseConnection,
    client: &SafeClient,
    now: i64,
    interval: i64,
) -> Result<Vec<(String, FeedResult)>, DbErr> {
    follow_interval(db, interval).await?;
    let mut done = Vec::new();
    loop {
        let due = claim_due(db, now, 10).await?;
        if due.is_empty() {
            return Ok(done);
        }
        for feed in due {
            let r = refresh(db, client, &feed, now, interval).await?;
            done.push((feed.url, r));
        }
    }
}

/// Every feed, for `signpost feeds list`.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<bundle_feed::Model>, DbErr> {
    use sea_orm::QueryOrder;
    bundle_feed::Entity::find().order_by_asc(bundle_feed::Column::Id).all(db).await
}

/// Approves a feed: it is fetched and imported from now on. `false` when there is no such feed.
pub async fn approve<C: ConnectionTrait>(db: &C, id: i32, now: i64) -> Result<bool, DbErr> {
    let r = bundle_feed::Entity::update_many()
        .col_expr(bundle_feed::Column::State, Expr::value(FeedState::Approved.as_str()))
        .col_expr(bundle_feed::Column::NextFetchAt, Expr::value(now))
        .filter(bundle_feed::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(r.rows_affected > 0)
}

/// Forgets a feed (what it imported stays, as its source: `signpost source remove`). A URL
/// discovered again later comes back as discovered. `false` when there is no such feed.
pub async fn remove<C: ConnectionTrait>(db: &C, id: i32) -> Result<bool, DbErr> {
    Ok(bundle_feed::Entity::delete_by_id(id).exec(db).await?.rows_affected > 0)
}
