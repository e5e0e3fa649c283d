//! A payer organization claims a brand by proving control of the brand's website domain: a
//! link mailed to an address at that domain (or a parent domain), or a token in a well-known
//! file (`checks`). A claim in force makes the organization the brand's maintainer, and of its
//! child brands (`partOf`) at the same domain.
use super::mails::{ClaimMail, send_to, send_to_members};
use crate::error::AppError;
use crate::server::alerts::email::EmailAddress;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{brand, brand_claim, organization};
use crate::server::policy::{self, Actor};
use crate::server::services::accounts::tokens::{Token, hash_token};
use crate::server::services::audit::{self, Target};
use crate::server::services::sql::begin_writing;
use crate::types::accounts::FormErrors;
use crate::types::claims::{ClaimConfirmation, ClaimEvent, ClaimMethod, ClaimState, ClaimView, Domain, Maintainer};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionSession, TransactionTrait,
};
use std::collections::HashMap;

/// A claim in force is verified again after this long.
pub const CHECK_EVERY: i64 = 30 * 86_400;
/// A mailed link works this long.
pub const LINK_SECS: i64 = 3 * 86_400;
/// A pending claim that nobody proves lapses after this long; so does a flagged one.
pub const LAPSE_AFTER: i64 = 14 * 86_400;
/// Open (pending) claims per organization.
pub const MAX_PENDING: u64 = 20;
/// A granted claim is not re-verified: its next check is this far off.
const NEVER: i64 = 100 * 365 * 86_400;

pub enum StartOutcome {
    Mailed { email: String },
    FileReady { claim_id: i32 },
    Invalid(FormErrors),
}

pub(super) async fn org_of(db: &impl ConnectionTrait, id: i32) -> Result<organization::Model, AppError> {
    organization::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no organization {id}")))
}

/// A brand named by its id or its page's address (`/brands/12`, `https://…/brands/12`).
pub fn parse_brand_ref(text: &str) -> Option<i32> {
    let t = text.trim().trim_end_matches('/');
    let id = t.rsplit('/').next().unwrap_or(t);
    id.parse::<i32>().ok().filter(|n| *n > 0)
}

/// Starts a claim: mails the link, or readies the file's token. A new claim by the same
/// organization on the same brand replaces its pending one.
#[allow(clippy::too_many_arguments)]
pub async fn start<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    base: &str,
    org_id: i32,
    brand_ref: &str,
    method: &str,
    email: &str,
    now: i64,
) -> Result<StartOutcome, AppError> {
    let org = org_of(db, org_id).await?;
    policy::claim_brand(actor, org_id, org.kind)?;
    let Some(brand_id) = parse_brand_ref(brand_ref) else {
        return Ok(StartOutcome::Invalid(FormErrors::field("brand", "Give the brand's number or its page's address.")));
    };
    let Some(method) = ClaimMethod::parse(method) else {
        return Ok(StartOutcome::Invalid(FormErrors::field("method", "Choose how to prove the domain.")));
    };
    let Some(b) = brand::Entity::find_by_id(brand_id).one(db).await? else {
        return Ok(StartOutcome::Invalid(FormErrors::field("brand", format!("There is no brand {brand_id}."))));
    };
    let Some(site) = b.website.as_deref().and_then(Domain::of_website) else {
        return Ok(StartOutcome::Invalid(FormErrors::field(
            "brand",
            "This brand has no website, so there is no domain to prove: propose its website first, or ask an admin.",
        )));
    };
    let address = match method {
        ClaimMethod::Email => match EmailAddress::parse(email) {
            Ok(a) => Some(a),
            Err(e) => return Ok(StartOutcome::Invalid(FormErrors::field("email", e))),
        },
        _ => None,
    };
    let domain = match &address {
        Some(a) => match Domain::for_email(a.as_str(), &site) {
            Ok(d) => d,
            Err(e) => return Ok(StartOutcome::Invalid(FormErrors::field("email", e))),
        },
        None => site,
    };
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    if let Some(m) = maintainer(&txn, brand_id).await? {
        let message = if m.organization_id == org_id {
            "Your organization maintains this brand already.".to_string()
        } else {
            format!("{} maintains this brand; an admin can transfer it if that is wrong.", m.organization)
        };
        return Ok(StartOutcome::Invalid(FormErrors::field("brand", message)));
    }
    let pending = brand_claim::Entity::find()
        .filter(brand_claim::Column::OrganizationId.eq(org_id))
        .filter(brand_claim::Column::State.eq(ClaimState::Pending))
        .filter(brand_claim::Column::BrandId.ne(brand_id))
        .count(&txn)
        .await?;
    if pending >= MAX_PENDING {
        return Ok(StartOutcome::Invalid(FormErrors::whole(format!(
            "This organization has {pending} claims waiting to be proven; finish or withdraw some first."
        ))));
    }
    // One mail per brand and organization every 10 minutes: claiming again cannot flood a mailbox.
    let recent = brand_claim::Entity::find()
        .filter(brand_claim::Column::OrganizationId.eq(org_id))
        .filter(brand_claim::Column::BrandId.eq(brand_id))
        .filter(brand_claim::Column::Method.eq(ClaimMethod::Email))
        .filter(brand_claim::Column::CreatedAt.gt(now - 600))
        .count(&txn)
        .await?;
    if address.is_some() && recent > 0 {
        return Ok(StartOutcome::Invalid(FormErrors::field(
            "email",
            "A link for this brand was mailed less than 10 minutes ago; it still works.",
        )));
    }
    // The pending claim it replaces ends (kept, so the mail limit above still counts it).
    brand_claim::Entity::update_many()
        .col_expr(brand_claim::Column::State, Expr::value(ClaimState::Revoked))
        .col_expr(brand_claim::Column::EndedAt, Expr::value(now))
        .col_expr(brand_claim::Column::TokenHash, Expr::value(Option::<String>::None))
        .filter(brand_claim::Column::OrganizationId.eq(org_id))
        .filter(brand_claim::Column::BrandId.eq(brand_id))
        .filter(brand_claim::Column::State.eq(ClaimState::Pending))
        .exec(&txn)
        .await?;
    let token = Token::generate();
    let file_token = Token::generate();
    let row = brand_claim::ActiveModel {
        organization_id: Set(org_id),
        brand_id: Set(brand_id),
        domain: Set(domain.as_str().to_string()),
        method: Set(method),
        state: Set(ClaimState::Pending),
        email: Set(address.as_ref().map(|a| a.as_str().to_string())),
        token_hash: Set(address.as_ref().map(|_| token.hash())),
        token_expires_at: Set(address.as_ref().map(|_| now + LINK_SECS)),
        file_token: Set((method == ClaimMethod::WellKnown).then(|| file_token.expose().to_string())),
        created_by: Set(actor.account_id()),
        created_at: Set(now),
        verified_at: Set(None),
        next_check_at: Set(now + LAPSE_AFTER),
        flagged_at: Set(None),
        ended_at: Set(None),
        last_error: Set(None),
        lease_until: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if let Some(a) = &address {
        let link = format!("{base}/claims/confirm?token={}", token.expose());
        let days = LINK_SECS / 86_400;
        let mail =
            ClaimMail::Confirm { organization: &org.name, brand: &b.name, domain: domain.as_str(), link: &link, days };
        send_to(&txn, a.as_str(), &format!("claim:{}:{now}", row.id), mail, now).await?;
    }
    audit::record(
        &txn,
        actor,
        AuditAction::ClaimStart,
        Target::new("brand_claim", row.id),
        None,
        Some(serde_json::json!({"organization": org_id, "brand": brand_id, "domain": domain.as_str(),
            "method": format!("{method:?}"), "email": row.email})),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(match address {
        Some(a) => StartOutcome::Mailed { email: a.as_str().to_string() },
        None => StartOutcome::FileReady { claim_id: row.id },
    })
}

/// Moves a claim (locked by the caller's transaction) by `event`, stamping what the move means.
pub(super) async fn advance(
    db: &impl ConnectionTrait,
    claim: brand_claim::Model,
    event: ClaimEvent,
    error: Option<String>,
    now: i64,
) -> Result<brand_claim::Model, AppError> {
    let next = claim.state.next(event).ok_or_else(|| {
        AppError::Conflict(format!("this claim is {} and cannot change that way", claim.state.as_str()))
    })?;
    let was = claim.state;
    let mut am: brand_claim::ActiveModel = claim.into();
    am.state = Set(next);
    am.last_error = Set(error.map(|e| e.chars().take(500).collect()));
    am.lease_until = Set(None);
    match next {
        ClaimState::Verified => {
            am.verified_at = Set(Some(now));
            am.next_check_at = Set(now + CHECK_EVERY);
            am.flagged_at = Set(None);
            am.token_hash = Set(None);
            am.token_expires_at = Set(None);
        }
        ClaimState::Flagged => {
            if was != ClaimState::Flagged {
                am.flagged_at = Set(Some(now));
            }
        }
        ClaimState::Lapsed | ClaimState::Revoked => {
            am.ended_at = Set(Some(now));
            am.token_hash = Set(None);
        }
        ClaimState::Pending => {}
    }
    let row = am.update(db).await?;
    if matches!(next, ClaimState::Lapsed | ClaimState::Revoked) {
        end_derived(db, row.id, now).await?;
    }
    Ok(row)
}

/// Ends the claims that brands published at the ended claim's domain hold under it.
async fn end_derived(db: &impl ConnectionTrait, root: i32, now: i64) -> Result<(), AppError> {
    brand_claim::Entity::update_many()
        .col_expr(brand_claim::Column::State, Expr::value(ClaimState::Revoked))
        .col_expr(brand_claim::Column::EndedAt, Expr::value(now))
        .col_expr(brand_claim::Column::LastError, Expr::value(format!("claim {root}, which proved the domain, ended")))
        .filter(brand_claim::Column::DerivedFrom.eq(root))
        .filter(brand_claim::Column::State.is_in([ClaimState::Verified, ClaimState::Flagged]))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks a claim proven, refusing (`409`) when another organization's claim is in force on the
/// brand. Runs inside the caller's transaction.
pub(super) async fn prove(
    db: &impl ConnectionTrait,
    actor: &Actor,
    claim: brand_claim::Model,
    now: i64,
) -> Result<brand_claim::Model, AppError> {
    let other = brand_claim::Entity::find()
        .filter(brand_claim::Column::BrandId.eq(claim.brand_id))
        .filter(brand_claim::Column::Id.ne(claim.id))
        .filter(brand_claim::Column::State.is_in([ClaimState::Verified, ClaimState::Flagged]))
        .one(db)
        .await?;
    if other.is_some() {
        return Err(AppError::Conflict("another organization maintains this brand now; ask an admin".into()));
    }
    let first = claim.state == ClaimState::Pending;
    let row = advance(db, claim, ClaimEvent::Proven, None, now).await?;
    if first {
        audit::record(
            db,
            actor,
            AuditAction::ClaimVerify,
            Target::new("brand_claim", row.id),
            None,
            Some(serde_json::json!({"organization": row.organization_id, "brand": row.brand_id, "domain": row.domain})),
            now,
        )
        .await?;
        let brand = brand_name(db, row.brand_id).await?;
        send_to_members(
            db,
            row.organization_id,
            &format!("claim:{}:verified", row.id),
            ClaimMail::Verified { brand: &brand },
            now,
        )
        .await?;
    }
    Ok(row)
}

async fn brand_name(db: &impl ConnectionTrait, id: i32) -> Result<String, AppError> {
    Ok(brand::Entity::find_by_id(id).one(db).await?.map(|b| b.name).unwrap_or_else(|| format!("brand {id}")))
}

async fn by_token(db: &impl ConnectionTrait, token: &str, now: i64) -> Result<brand_claim::Model, AppError> {
    brand_claim::Entity::find()
        .filter(brand_claim::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
        .filter(|c| {
            c.token_expires_at.is_some_and(|t| now < t) && matches!(c.state, ClaimState::Pending | ClaimState::Flagged)
        })
        .ok_or_else(|| AppError::NotFound("this link has expired or was used already; claim the brand again".into()))
}

/// What the mailed link's page shows; anyone with the link may see and confirm it (it went to
/// the domain's mailbox, which is the proof).
pub async fn confirmation(db: &impl ConnectionTrait, token: &str, now: i64) -> Result<ClaimConfirmation, AppError> {
    let c = by_token(db, token, now).await?;
    Ok(ClaimConfirmation {
        organization: org_of(db, c.organization_id).await?.name,
        brand: brand_name(db, c.brand_id).await?,
        domain: c.domain,
        email: c.email.unwrap_or_default(),
    })
}

/// The mailed link, confirmed: the claim is proven. Returns the brand's id.
pub async fn confirm<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    token: &str,
    now: i64,
) -> Result<i32, AppError> {
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let found = by_token(&txn, token, now).await?;
    // Locked and read again: a withdrawal, a revocation or a lapse that committed meanwhile wins.
    let c = brand_claim::Entity::find_by_id(found.id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|c| c.token_hash == found.token_hash && matches!(c.state, ClaimState::Pending | ClaimState::Flagged))
        .ok_or_else(|| AppError::NotFound("this link has expired or was used already; claim the brand again".into()))?;
    let row = prove(&txn, actor, c, now).await?;
    txn.commit().await?;
    Ok(row.brand_id)
}

/// The claim in force on the brand itself, or on its parent (`partOf`, same source) when the
/// parent's claimed domain covers the child's website.
pub async fn maintainer(db: &impl ConnectionTrait, brand_id: i32) -> Result<Option<Maintainer>, AppError> {
    maintainer_read(db, brand_id, false).await
}

/// `shared`: the claim is read `FOR SHARE` (PostgreSQL), for the checks a change runs in its
/// transaction, so that a revoke waits for the change instead of landing in between.
async fn maintainer_read(
    db: &impl ConnectionTrait,
    brand_id: i32,
    shared: bool,
) -> Result<Option<Maintainer>, AppError> {
    let in_force = |id: i32| {
        let q = brand_claim::Entity::find()
            .filter(brand_claim::Column::BrandId.eq(id))
            .filter(brand_claim::Column::State.is_in([ClaimState::Verified, ClaimState::Flagged]));
        if shared { q.lock_shared() } else { q }.one(db)
    };
    let mut claim = in_force(brand_id).await?;
    if claim.is_none() {
        let Some(b) = brand::Entity::find_by_id(brand_id).one(db).await? else { return Ok(None) };
        if let Some(parent_ref) = &b.part_of {
            let parent = brand::Entity::find()
                .filter(brand::Column::SourceId.eq(b.source_id))
                .filter(brand::Column::ResourceId.eq(parent_ref.as_str()))
                .one(db)
                .await?;
            if let Some(p) = parent {
                let site = b.website.as_deref().and_then(Domain::of_website);
                claim = in_force(p.id).await?.filter(|c| site.as_ref().is_some_and(|s| covers(&c.domain, s)));
            }
        }
    }
    let Some(c) = claim else { return Ok(None) };
    Ok(Some(Maintainer {
        organization_id: c.organization_id,
        organization: org_of(db, c.organization_id).await?.name,
        verified_at: c.verified_at,
        state: c.state,
    }))
}

fn covers(claimed: &str, site: &Domain) -> bool {
    Domain::of_website(&format!("https://{claimed}/")).is_some_and(|d| d.covers(site))
}

/// The organization that moderates the brand's proposals with the admins, if any.
pub async fn maintainer_org(db: &impl ConnectionTrait, brand_id: Option<i32>) -> Result<Option<i32>, AppError> {
    match brand_id {
        Some(id) => Ok(maintainer_read(db, id, false).await?.map(|m| m.organization_id)),
        None => Ok(None),
    }
}

/// The same, read inside a change's transaction: the claim is locked `FOR SHARE` until the
/// transaction ends, so a revoke waits for the change instead of landing in between.
pub async fn maintainer_org_for_change(
    db: &impl ConnectionTrait,
    brand_id: Option<i32>,
) -> Result<Option<i32>, AppError> {
    match brand_id {
        Some(id) => Ok(maintainer_read(db, id, true).await?.map(|m| m.organization_id)),
        None => Ok(None),
    }
}

/// The brands the organizations maintain: claimed ones and their children at the domain.
pub async fn maintained_brands(db: &impl ConnectionTrait, orgs: &[i32]) -> Result<Vec<i32>, AppError> {
    maintained(db, orgs, false).await
}

/// The same inside a publish's transaction: the claims are read `FOR SHARE` (PostgreSQL), so a
/// revoke waits for the publish rather than landing between the check and the writes.
pub async fn maintained_brands_for_change(db: &impl ConnectionTrait, orgs: &[i32]) -> Result<Vec<i32>, AppError> {
    maintained(db, orgs, true).await
}

/// Children one claimed brand may bring (a payer's plans, not a directory).
const MAX_CHILDREN: u64 = 10_000;

async fn maintained(db: &impl ConnectionTrait, orgs: &[i32], shared: bool) -> Result<Vec<i32>, AppError> {
    if orgs.is_empty() {
        return Ok(Vec::new());
    }
    let lock = |q: sea_orm::Select<brand_claim::Entity>| if shared { q.lock_shared() } else { q };
    let claims = lock(
        brand_claim::Entity::find()
            .filter(brand_claim::Column::OrganizationId.is_in(orgs.to_vec()))
            .filter(brand_claim::Column::State.is_in([ClaimState::Verified, ClaimState::Flagged])),
    )
    .all(db)
    .await?;
    let mut out: Vec<i32> = claims.iter().map(|c| c.brand_id).collect();
    let parents = brand::Entity::find().filter(brand::Column::Id.is_in(out.clone())).all(db).await?;
    let mut sources: Vec<i32> = parents.iter().map(|p| p.source_id).collect();
    sources.sort_unstable();
    sources.dedup();
    let children = brand::Entity::find()
        .filter(brand::Column::SourceId.is_in(sources))
        .filter(brand::Column::PartOf.is_in(parents.iter().map(|p| p.resource_id.clone()).collect::<Vec<_>>()))
        .order_by_asc(brand::Column::Id)
        .limit(MAX_CHILDREN * parents.len().max(1) as u64)
        .all(db)
        .await?;
    // Children at a parent's claimed domain, of the same source.
    let covered: Vec<&brand::Model> = children
        .iter()
        .filter(|c| {
            let site = c.website.as_deref().and_then(Domain::of_website);
            parents.iter().any(|p| {
                p.source_id == c.source_id
                    && c.part_of.as_deref() == Some(p.resource_id.as_str())
                    && claims.iter().any(|k| k.brand_id == p.id && site.as_ref().is_some_and(|s| covers(&k.domain, s)))
            })
        })
        .collect();
    // A child with a claim of its own belongs to that claim's organization.
    let own: HashMap<i32, i32> = lock(
        brand_claim::Entity::find()
            .filter(brand_claim::Column::BrandId.is_in(covered.iter().map(|c| c.id).collect::<Vec<_>>()))
            .filter(brand_claim::Column::State.is_in([ClaimState::Verified, ClaimState::Flagged])),
    )
    .all(db)
    .await?
    .into_iter()
    .map(|c| (c.brand_id, c.organization_id))
    .collect();
    out.extend(covered.iter().filter(|c| own.get(&c.id).is_none_or(|org| orgs.contains(org))).map(|c| c.id));
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

pub(super) fn view(c: brand_claim::Model, orgs: &HashMap<i32, String>, brands: &HashMap<i32, String>) -> ClaimView {
    let domain = Domain::of_website(&format!("https://{}/", c.domain));
    let file = c.method == ClaimMethod::WellKnown && c.state != ClaimState::Revoked;
    ClaimView {
        id: c.id,
        organization_id: c.organization_id,
        organization: orgs.get(&c.organization_id).cloned().unwrap_or_default(),
        brand_id: c.brand_id,
        brand: brands.get(&c.brand_id).cloned().unwrap_or_default(),
        method: c.method,
        state: c.state,
        email: c.email,
        file_line: c.file_token.filter(|_| file).map(|t| format!("signpost-verification={t}")),
        file_url: domain.filter(|_| file).map(|d| d.well_known_url()),
        domain: c.domain,
        created_at: c.created_at,
        verified_at: c.verified_at,
        next_check_at: (c.method != ClaimMethod::Granted && c.derived_from.is_none() && c.state.in_force())
            .then_some(c.next_check_at),
        last_error: c.last_error,
    }
}

/// Claims as views, with their organizations' and brands' names.
pub(super) async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<brand_claim::Model>,
) -> Result<Vec<ClaimView>, AppError> {
    let org_ids: Vec<i32> = rows.iter().map(|c| c.organization_id).collect();
    let brand_ids: Vec<i32> = rows.iter().map(|c| c.brand_id).collect();
    let orgs: HashMap<i32, String> = organization::Entity::find()
        .filter(organization::Column::Id.is_in(org_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let brands: HashMap<i32, String> = brand::Entity::find()
        .filter(brand::Column::Id.is_in(brand_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    Ok(rows.into_iter().map(|c| view(c, &orgs, &brands)).collect())
}

/// An organization's claims, newest first (ended ones too, the last 100).
pub async fn of_org(db: &impl ConnectionTrait, org_id: i32) -> Result<Vec<ClaimView>, AppError> {
    let rows = brand_claim::Entity::find()
        .filter(brand_claim::Column::OrganizationId.eq(org_id))
        .order_by_desc(brand_claim::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    views(db, rows).await
}

/// Loads a claim of `org_id` for a change by its member, locked in the caller's transaction.
pub(super) async fn own_claim(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org_id: i32,
    claim_id: i32,
) -> Result<brand_claim::Model, AppError> {
    let org = org_of(db, org_id).await?;
    policy::claim_brand(actor, org_id, org.kind)?;
    brand_claim::Entity::find_by_id(claim_id)
        .lock_exclusive()
        .one(db)
        .await?
        .filter(|c| c.organization_id == org_id)
        .ok_or_else(|| AppError::NotFound("there is no such claim".into()))
}

/// The organization gives up a claim (pending or in force).
pub async fn withdraw<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    org_id: i32,
    claim_id: i32,
    now: i64,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let c = own_claim(&txn, actor, org_id, claim_id).await?;
    let before = serde_json::json!({"state": c.state.as_str()});
    let row = advance(&txn, c, ClaimEvent::Revoke, None, now).await?;
    audit::record(
        &txn,
        actor,
        AuditAction::ClaimRevoke,
        Target::new("brand_claim", row.id),
        Some(before),
        Some(serde_json::json!({"state": "revoked", "by": "organization"})),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Ends whatever claim is in force on the brand (an admin's grant replaces it).
pub(super) async fn end_in_force(db: &impl ConnectionTrait, brand_id: i32, now: i64) -> Result<(), AppError> {
    let rows = brand_claim::Entity::find()
        .filter(brand_claim::Column::BrandId.eq(brand_id))
        .filter(brand_claim::Column::State.is_in([ClaimState::Verified, ClaimState::Flagged]))
        .lock_exclusive()
        .all(db)
        .await?;
    for c in rows {
        advance(db, c, ClaimEvent::Revoke, None, now).await?;
    }
    Ok(())
}

/// A verified claim made by an admin: it is not re-verified.
pub(super) fn granted(org_id: i32, brand_id: i32, domain: &str, actor: &Actor, now: i64) -> brand_claim::ActiveModel {
    brand_claim::ActiveModel {
        organization_id: Set(org_id),
        brand_id: Set(brand_id),
        domain: Set(domain.to_string()),
        method: Set(ClaimMethod::Granted),
        state: Set(ClaimState::Verified),
        created_by: Set(actor.account_id()),
        created_at: Set(now),
        verified_at: Set(Some(now)),
        next_check_at: Set(now + NEVER),
        ..Default::default()
    }
}
