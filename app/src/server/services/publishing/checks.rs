//! Proving a claim by its well-known file, and re-verifying claims on schedule: a file is
//! fetched again; an email claim gets a new link. A claim that fails is flagged (still in
//! force), then lapses after `LAPSE_AFTER`; a pending claim nobody proves lapses too.
use super::claims::{LAPSE_AFTER, LINK_SECS, advance, org_of, own_claim, prove};
use super::mails::{ClaimMail, send_to, send_to_members};
use crate::error::AppError;
use crate::server::entities::{brand, brand_claim};
use crate::server::net::client::{SafeClient, accept};
use crate::server::policy::Actor;
use crate::server::services::accounts::tokens::Token;
use crate::server::services::sql::{begin_writing, lease_due};
use crate::types::claims::{ClaimEvent, ClaimMethod, ClaimState, Domain};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

/// The largest verification file read.
const FILE_MAX_BYTES: usize = 4096;
/// A failed re-check is tried again after this long.
const RETRY_SECS: i64 = 86_400;

/// Fetches the claim's well-known file through the SSRF-safe client; `Ok` when a line of it
/// is exactly the claim's `signpost-verification=` line and the answer came from the domain
/// itself (a redirect elsewhere proves nothing about this domain).
pub async fn file_holds_token(client: &SafeClient, domain: &str, token: &str) -> Result<(), String> {
    let d = Domain::of_website(&format!("https://{domain}/")).ok_or("the claimed domain is not a host name")?;
    let url = url::Url::parse(&d.well_known_url()).map_err(|e| e.to_string())?;
    let fetched = client.get(&url, accept("text/plain"), FILE_MAX_BYTES).await.map_err(|e| e.to_string())?;
    if fetched.url.scheme() != "https"
        || fetched.url.host_str() != url.host_str()
        || fetched.url.port_or_known_default() != url.port_or_known_default()
    {
        return Err(format!("{url} redirected to another host ({})", fetched.url));
    }
    if fetched.status != 200 {
        return Err(format!("{url} answered HTTP {}", fetched.status));
    }
    let text = String::from_utf8_lossy(&fetched.body);
    let wanted = format!("signpost-verification={token}");
    if text.lines().any(|l| l.trim() == wanted) {
        Ok(())
    } else {
        Err(format!("{url} does not hold the line {wanted}"))
    }
}

/// What a "check the file now" came to.
pub enum FileOutcome {
    Verified { brand_id: i32 },
    NotYet(String),
}

/// A member asks Signpost to look for the file now.
pub async fn check_file<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    client: &SafeClient,
    actor: &Actor,
    org_id: i32,
    claim_id: i32,
    now: i64,
) -> Result<FileOutcome, AppError> {
    let c = own_claim(db, actor, org_id, claim_id).await?;
    let token = match (&c.file_token, c.method, c.state) {
        (Some(t), ClaimMethod::WellKnown, ClaimState::Pending | ClaimState::Flagged) => t.clone(),
        _ => return Err(AppError::Conflict("this claim is not waiting for its file".into())),
    };
    // The fetch runs outside any transaction: it may take seconds.
    let found = file_holds_token(client, &c.domain, &token).await;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let c = own_claim(&txn, actor, org_id, claim_id).await?;
    if !matches!(c.state, ClaimState::Pending | ClaimState::Flagged) {
        return Err(AppError::Conflict("this claim changed meanwhile; look at it again".into()));
    }
    let outcome = match found {
        Ok(()) => FileOutcome::Verified { brand_id: prove(&txn, actor, c, now).await?.brand_id },
        Err(e) => {
            let mut am: brand_claim::ActiveModel = c.into();
            am.last_error = Set(Some(e.chars().take(500).collect()));
            sea_orm::ActiveModelTrait::update(am, &txn).await?;
            FileOutcome::NotYet(e)
        }
    };
    txn.commit().await?;
    Ok(outcome)
}

/// Re-verifies the claims that are due (leased, so several instances share them); returns each
/// claim's id with the state it reached.
pub async fn recheck_due(
    db: &DatabaseConnection,
    client: &SafeClient,
    base: &str,
    now: i64,
) -> Result<Vec<(i32, ClaimState)>, AppError> {
    // A derived claim is proven by the claim it came under, which is the one re-verified.
    let extra = " AND state IN ('pending', 'verified', 'flagged') AND method <> 'granted' AND derived_from IS NULL";
    let ids = lease_due(db, "brand_claim", "next_check_at", extra, now, 300, 20).await?;
    let mut out = Vec::new();
    for id in ids.into_iter().filter_map(|id| i32::try_from(id).ok()) {
        let Some(c) = brand_claim::Entity::find_by_id(id).one(db).await? else { continue };
        let found = match (c.method, c.state, &c.file_token) {
            (ClaimMethod::WellKnown, ClaimState::Verified | ClaimState::Flagged, Some(t)) => {
                Some(file_holds_token(client, &c.domain, t).await)
            }
            _ => None,
        };
        let txn = db.begin().await?;
        begin_writing(&txn).await?;
        let Some(c) = brand_claim::Entity::find_by_id(id).lock_exclusive().one(&txn).await? else { continue };
        let state = recheck_one(&txn, c, found, base, now).await?;
        txn.commit().await?;
        out.push((id, state));
    }
    Ok(out)
}

async fn recheck_one(
    db: &impl ConnectionTrait,
    c: brand_claim::Model,
    found: Option<Result<(), String>>,
    base: &str,
    now: i64,
) -> Result<ClaimState, AppError> {
    let brand = brand::Entity::find_by_id(c.brand_id).one(db).await?.map(|b| b.name).unwrap_or_default();
    let (org, key) = (c.organization_id, format!("claim:{}:{now}", c.id));
    let flagged_for = c.flagged_at.map_or(0, |f| now - f);
    let row = match (c.state, found) {
        (ClaimState::Pending, _) => advance(db, c, ClaimEvent::Lapse, Some("never proven".into()), now).await?,
        (_, Some(Ok(()))) => {
            let row = advance(db, c, ClaimEvent::Proven, None, now).await?;
            return Ok(row.state);
        }
        (ClaimState::Flagged, _) if flagged_for >= LAPSE_AFTER => {
            let row = advance(db, c, ClaimEvent::Lapse, Some("re-verification failed for 14 days".into()), now).await?;
            send_to_members(db, org, &key, ClaimMail::Lapsed { brand: &brand }, now).await?;
            row
        }
        (_, Some(Err(e))) => {
            let first = c.state == ClaimState::Verified;
            let mut row = advance(db, c, ClaimEvent::RecheckPending, Some(e.clone()), now).await?;
            let mut am: brand_claim::ActiveModel = row.clone().into();
            am.next_check_at = Set(now + RETRY_SECS);
            row = sea_orm::ActiveModelTrait::update(am, db).await?;
            if first {
                send_to_members(db, org, &key, ClaimMail::Flagged { brand: &brand, problem: &e }, now).await?;
            }
            row
        }
        (ClaimState::Verified, None) => {
            // An email claim: a new link to the same address; it lapses unless opened.
            let token = Token::generate();
            let email = c.email.clone().unwrap_or_default();
            let domain = c.domain.clone();
            let mut row = advance(db, c, ClaimEvent::RecheckPending, None, now).await?;
            let mut am: brand_claim::ActiveModel = row.clone().into();
            am.token_hash = Set(Some(token.hash()));
            am.token_expires_at = Set(Some(now + LAPSE_AFTER.max(LINK_SECS)));
            am.next_check_at = Set(now + LAPSE_AFTER);
            row = sea_orm::ActiveModelTrait::update(am, db).await?;
            let organization = org_of(db, org).await?.name;
            let link = format!("{base}/claims/confirm?token={}", token.expose());
            let days = LAPSE_AFTER.max(LINK_SECS) / 86_400;
            let mail =
                ClaimMail::Confirm { organization: &organization, brand: &brand, domain: &domain, link: &link, days };
            send_to(db, &email, &key, mail, now).await?;
            send_to_members(
                db,
                org,
                &key,
                ClaimMail::Flagged {
                    brand: &brand,
                    problem: &format!("it is time to confirm the domain again: a link went to {email}"),
                },
                now,
            )
            .await?;
            row
        }
        (ClaimState::Flagged, None) => {
            // Still waiting for the mailed link: look again when it lapses.
            let mut am: brand_claim::ActiveModel = c.into();
            am.lease_until = Set(None);
            am.next_check_at = Set(now + (LAPSE_AFTER - flagged_for).max(60));
            sea_orm::ActiveModelTrait::update(am, db).await?
        }
        (s @ (ClaimState::Lapsed | ClaimState::Revoked), _) => return Ok(s),
    };
    Ok(row.state)
}

/// For tests and the command line: every claim of the brand, newest first.
pub async fn of_brand(db: &impl ConnectionTrait, brand_id: i32) -> Result<Vec<brand_claim::Model>, AppError> {
    Ok(brand_claim::Entity::find()
        .filter(brand_claim::Column::BrandId.eq(brand_id))
        .order_by_desc(brand_claim::Column::Id)
        .all(db)
        .await?)
}
