//! A payer's bundle at its own URL. The payer previews what the URL holds, then publishes it
//! and has Signpost follow it: refetched hourly with `If-None-Match` (a `304` changes nothing),
//! and a changed bundle is published as an upload is, with the powers of the member who
//! registered it as they are at that moment. A changed bundle that does not pass the checks
//! publishes nothing; the organization's members get a mail saying why.
use super::claims::org_of;
use super::mails::{ClaimMail, send_to_members};
use super::upload::{UploadOutcome, Via, upload};
use crate::error::AppError;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{account, publisher_feed};
use crate::server::net::client::SafeClient;
use crate::server::policy::{self, Actor};
use crate::server::services::accounts::sessions::viewer_of;
use crate::server::services::audit::{self, Target};
use crate::server::services::sql::lease_due;
use crate::types::accounts::AccountState;
use crate::types::link::WebUrl;
use crate::types::publishing::{FeedInfo, UploadPreview};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

/// How often a followed bundle is fetched again.
pub const REFETCH_SECS: i64 = 3600;
/// A fetch that failed is tried again sooner.
const RETRY_SECS: i64 = 900;
/// How long one refetch holds its row (another instance leaves it alone meanwhile): longer
/// than a fetch may take (`total_timeout`, 30 s by default) and the publish after it.
const LEASE_SECS: i64 = 1800;
/// The largest bundle fetched from a payer's address: an upload's limit (the Validate page's
/// default), not the 128 MB a directory feed may have.
pub const MAX_FEED_BYTES: usize = 5 * 1024 * 1024;

pub enum FeedOutcome {
    /// What publishing the URL's bundle would do (or, when asked to publish, why it did not).
    Preview(UploadPreview),
    /// Published, and followed from now on.
    Following { version: i32 },
}

/// What one refetch came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refetched {
    NotModified,
    Unchanged,
    Published { version: i32 },
    Blocked(String),
    Failed(String),
}

impl Refetched {
    /// As the organization's page says it.
    pub fn describe(&self) -> String {
        match self {
            Refetched::NotModified => "unchanged (304)".into(),
            Refetched::Unchanged => "unchanged".into(),
            Refetched::Published { version } => format!("changed: published as version {version}"),
            Refetched::Blocked(why) => format!("changed, not published: {why}"),
            Refetched::Failed(why) => format!("could not fetch: {why}"),
        }
    }
}

/// The URL as a payer types it: an absolute https URL.
fn parse_url(text: &str) -> Result<url::Url, AppError> {
    let web = WebUrl::parse(text).map_err(|e| AppError::BadRequest(format!("the bundle's address: {e}")))?;
    let url = url::Url::parse(web.as_str()).map_err(|e| AppError::BadRequest(format!("the bundle's address: {e}")))?;
    if url.scheme() != "https" {
        return Err(AppError::BadRequest("the bundle's address must be https".into()));
    }
    Ok(url)
}

/// Fetches the bundle: `Ok(None)` for a `304`.
async fn fetch(
    client: &SafeClient,
    url: &url::Url,
    etag: Option<&str>,
) -> Result<Option<(Vec<u8>, Option<String>)>, String> {
    let mut headers = crate::server::net::client::accept("application/fhir+json, application/json");
    if let Some(v) = etag.and_then(|e| reqwest::header::HeaderValue::from_str(e).ok()) {
        headers.insert(reqwest::header::IF_NONE_MATCH, v);
    }
    let timeout = client.policy().total_timeout;
    let fetched = client.get_within(url, headers, MAX_FEED_BYTES, timeout).await.map_err(|e| e.to_string())?;
    if fetched.url.scheme() != "https" {
        return Err(format!("the address redirected to {}, which is not https", fetched.url));
    }
    match fetched.status {
        304 if etag.is_some() => Ok(None),
        200..=299 => {
            let etag = fetched.header("etag").map(|e| e.chars().take(256).collect());
            Ok(Some((fetched.body.into(), etag)))
        }
        s => Err(format!("the address answered HTTP {s}")),
    }
}

fn hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Previews the bundle at `url_text`, or (`publish`) publishes it and follows the URL from now
/// on (one URL per organization: a new one replaces the old).
#[allow(clippy::too_many_arguments)]
pub async fn register(
    db: &DatabaseConnection,
    client: &SafeClient,
    actor: &Actor,
    org_id: i32,
    url_text: &str,
    base_url: &str,
    publish: bool,
    now: i64,
) -> Result<FeedOutcome, AppError> {
    let org = org_of(db, org_id).await?;
    policy::publish(actor, org_id, org.kind)?;
    let url = parse_url(url_text)?;
    let (body, etag) = fetch(client, &url, None)
        .await
        .map_err(|why| AppError::BadRequest(format!("could not fetch {url}: {why}")))?
        .ok_or_else(|| AppError::BadRequest(format!("could not fetch {url}")))?;
    let version = match upload(db, actor, org_id, base_url, &body, publish, Via::Feed, now).await? {
        UploadOutcome::Preview(preview) => return Ok(FeedOutcome::Preview(preview)),
        UploadOutcome::Published { version, .. } => version,
    };
    let account = actor.account_id().ok_or_else(|| AppError::Unauthorized("sign in to publish".into()))?;
    publisher_feed::Entity::insert(publisher_feed::ActiveModel {
        organization_id: Set(org_id),
        url: Set(url.to_string()),
        etag: Set(etag),
        content_hash: Set(Some(hash(&body))),
        registered_by: Set(account),
        created_at: Set(now),
        next_fetch_at: Set(now + REFETCH_SECS),
        last_fetched_at: Set(Some(now)),
        last_status: Set(Some(200)),
        last_outcome: Set(Some(Refetched::Published { version }.describe())),
        lease_until: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(publisher_feed::Column::OrganizationId)
            .update_columns([
                publisher_feed::Column::Url,
                publisher_feed::Column::Etag,
                publisher_feed::Column::ContentHash,
                publisher_feed::Column::RegisteredBy,
                publisher_feed::Column::CreatedAt,
                publisher_feed::Column::NextFetchAt,
                publisher_feed::Column::LastFetchedAt,
                publisher_feed::Column::LastStatus,
                publisher_feed::Column::LastOutcome,
                publisher_feed::Column::LeaseUntil,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    audit::record(
        db,
        actor,
        AuditAction::PublicationFeed,
        Target::new("organization", org_id),
        None,
        Some(serde_json::json!({"url": url.as_str(), "version": version})),
        now,
    )
    .await?;
    Ok(FeedOutcome::Following { version })
}

/// Stops following the organization's URL (what it published stays).
pub async fn remove(db: &impl ConnectionTrait, actor: &Actor, org_id: i32, now: i64) -> Result<(), AppError> {
    let org = org_of(db, org_id).await?;
    policy::publish(actor, org_id, org.kind)?;
    let gone = publisher_feed::Entity::find().filter(publisher_feed::Column::OrganizationId.eq(org_id)).one(db).await?;
    let Some(gone) = gone else { return Ok(()) };
    publisher_feed::Entity::delete_by_id(gone.id).exec(db).await?;
    audit::record(
        db,
        actor,
        AuditAction::PublicationFeed,
        Target::new("organization", org_id),
        Some(serde_json::json!({"url": gone.url})),
        None,
        now,
    )
    .await?;
    Ok(())
}

/// The followed URL, for the organization's page.
pub async fn info(db: &impl ConnectionTrait, org_id: i32) -> Result<Option<FeedInfo>, AppError> {
    Ok(publisher_feed::Entity::find().filter(publisher_feed::Column::OrganizationId.eq(org_id)).one(db).await?.map(
        |f| FeedInfo {
            url: f.url,
            last_fetched_at: f.last_fetched_at,
            next_fetch_at: f.next_fetch_at,
            last_outcome: f.last_outcome.unwrap_or_default(),
        },
    ))
}

/// The registering member as an actor, with the organizations they belong to now, when they
/// may still publish for the organization (checked before anything is fetched).
async fn publisher(db: &DatabaseConnection, feed: &publisher_feed::Model) -> Result<Option<Actor>, AppError> {
    let Some(a) = account::Entity::find_by_id(feed.registered_by).one(db).await? else { return Ok(None) };
    if a.state != AccountState::Active {
        return Ok(None);
    }
    let org = org_of(db, feed.organization_id).await?;
    let viewer = viewer_of(db, &a, Some(feed.organization_id)).await?;
    let actor = Actor::account(viewer, "bundle refetch");
    Ok(policy::publish(&actor, feed.organization_id, org.kind).is_ok().then_some(actor))
}

/// One refetch of a leased row. `by` (the payer's "Fetch now", with that member's powers)
/// also skips `If-None-Match` and the unchanged-body shortcut, so a bundle that was blocked is
/// tried again; the schedule acts with the registering member's powers.
async fn refetch(
    db: &DatabaseConnection,
    client: &SafeClient,
    feed: &publisher_feed::Model,
    base_url: &str,
    by: Option<&Actor>,
    now: i64,
) -> Result<Refetched, AppError> {
    let force = by.is_some();
    let mut etag = feed.etag.clone();
    let mut content_hash = feed.content_hash.clone();
    let acting = match by {
        Some(a) => Some(a.clone()),
        None => publisher(db, feed).await?,
    };
    let outcome = match acting {
        None => Refetched::Failed("the member who registered the address can no longer publish".into()),
        Some(actor) => match parse_url(&feed.url) {
            Err(e) => Refetched::Failed(e.to_string()),
            Ok(url) => match fetch(client, &url, if force { None } else { feed.etag.as_deref() }).await {
                Err(why) => Refetched::Failed(why),
                Ok(None) => Refetched::NotModified,
                Ok(Some((body, new_etag))) => {
                    let h = hash(&body);
                    etag = new_etag;
                    if !force && content_hash.as_deref() == Some(h.as_str()) {
                        Refetched::Unchanged
                    } else {
                        content_hash = Some(h.clone());
                        match upload(db, &actor, feed.organization_id, base_url, &body, true, Via::Feed, now).await {
                            Ok(UploadOutcome::Published { version, .. }) => Refetched::Published { version },
                            Ok(UploadOutcome::Preview(p)) => {
                                let [errors, _, _] = p.finding_counts;
                                let refused = p.brands.iter().filter(|b| b.problem.is_some()).count();
                                let why = format!("{errors} errors, {refused} brands refused");
                                mail_blocked(db, feed, &h, &why, base_url, now).await?;
                                Refetched::Blocked(why)
                            }
                            Err(e @ (AppError::Internal(_) | AppError::Unavailable(_))) => {
                                tracing::warn!(
                                    organization = feed.organization_id,
                                    "publishing the fetched bundle failed: {e}"
                                );
                                Refetched::Failed("Signpost could not publish it just now; it tries again".into())
                            }
                            Err(e) => {
                                let why = e.to_string();
                                mail_blocked(db, feed, &h, &why, base_url, now).await?;
                                Refetched::Blocked(why)
                            }
                        }
                    }
                }
            },
        },
    };
    record(db, feed, etag, content_hash, &outcome, now).await?;
    Ok(outcome)
}

/// Writes what a refetch came to and ends its lease, unless the URL was replaced meanwhile.
async fn record(
    db: &DatabaseConnection,
    feed: &publisher_feed::Model,
    etag: Option<String>,
    content_hash: Option<String>,
    outcome: &Refetched,
    now: i64,
) -> Result<(), AppError> {
    let (status, next) = match outcome {
        Refetched::NotModified => (Some(304), now + REFETCH_SECS),
        Refetched::Failed(_) => (None, now + RETRY_SECS),
        _ => (Some(200), now + REFETCH_SECS),
    };
    publisher_feed::Entity::update_many()
        .col_expr(publisher_feed::Column::Etag, Expr::value(etag))
        .col_expr(publisher_feed::Column::ContentHash, Expr::value(content_hash))
        .col_expr(publisher_feed::Column::LastFetchedAt, Expr::value(now))
        .col_expr(publisher_feed::Column::LastStatus, Expr::value(status))
        .col_expr(publisher_feed::Column::LastOutcome, Expr::value(outcome.describe()))
        .col_expr(publisher_feed::Column::NextFetchAt, Expr::value(next))
        .col_expr(publisher_feed::Column::LeaseUntil, Expr::value(Option::<i64>::None))
        .filter(publisher_feed::Column::Id.eq(feed.id))
        .filter(publisher_feed::Column::Url.eq(feed.url.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Mails the members once per blocked body (the key holds its hash).
async fn mail_blocked(
    db: &DatabaseConnection,
    feed: &publisher_feed::Model,
    body_hash: &str,
    why: &str,
    base_url: &str,
    now: i64,
) -> Result<(), AppError> {
    let link = format!("{base_url}/orgs/{}#publishing", feed.organization_id);
    let mail = ClaimMail::FeedBlocked { url: &feed.url, problem: why, link: &link };
    send_to_members(db, feed.organization_id, &format!("feed-blocked:{}:{}", feed.id, &body_hash[..16]), mail, now)
        .await
}

/// The payer's "Fetch now".
pub async fn refetch_now(
    db: &DatabaseConnection,
    client: &SafeClient,
    actor: &Actor,
    org_id: i32,
    base_url: &str,
    now: i64,
) -> Result<Refetched, AppError> {
    let org = org_of(db, org_id).await?;
    policy::publish(actor, org_id, org.kind)?;
    let feed = publisher_feed::Entity::find()
        .filter(publisher_feed::Column::OrganizationId.eq(org_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("this organization follows no bundle address".into()))?;
    // The same lease the schedule takes, so the two never publish the same fetch twice.
    let leased = publisher_feed::Entity::update_many()
        .col_expr(publisher_feed::Column::LeaseUntil, Expr::value(now + LEASE_SECS))
        .filter(publisher_feed::Column::Id.eq(feed.id))
        .filter(
            sea_orm::Condition::any()
                .add(publisher_feed::Column::LeaseUntil.is_null())
                .add(publisher_feed::Column::LeaseUntil.lt(now)),
        )
        .exec(db)
        .await?;
    if leased.rows_affected == 0 {
        return Err(AppError::Conflict("a fetch of this address is running; try again in a minute".into()));
    }
    refetch(db, client, &feed, base_url, Some(actor), now).await
}

/// Every followed URL that is due, each leased so that several instances share the work.
/// Returns (organization, outcome) per URL.
pub async fn refetch_due(
    db: &DatabaseConnection,
    client: &SafeClient,
    base_url: &str,
    now: i64,
) -> Result<Vec<(i32, Refetched)>, AppError> {
    let mut done = Vec::new();
    loop {
        // One at a time: each lease then covers its own fetch and publish, however long the
        // ones before it took.
        let ids: Vec<i32> = lease_due(db, "publisher_feed", "next_fetch_at", "", now, LEASE_SECS, 1)
            .await?
            .into_iter()
            .filter_map(|id| i32::try_from(id).ok())
            .collect();
        if ids.is_empty() {
            return Ok(done);
        }
        let due = publisher_feed::Entity::find().filter(publisher_feed::Column::Id.is_in(ids)).all(db).await?;
        for feed in due {
            // A failure of one address (the database, a hostile bundle) is recorded on it and
            // does not hold up the others.
            let r = match refetch(db, client, &feed, base_url, None, now).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(organization = feed.organization_id, "refetching the bundle failed: {e}");
                    let r = Refetched::Failed("Signpost could not finish the fetch; it tries again".into());
                    record(db, &feed, feed.etag.clone(), feed.content_hash.clone(), &r, now).await?;
                    r
                }
            };
            done.push((feed.organization_id, r));
        }
    }
}
