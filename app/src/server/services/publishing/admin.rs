//! What admins do to claims: list them, grant one (it replaces any claim in force on the brand),
//! transfer one to another payer organization, revoke one. Each is in the audit log.
use super::claims::{advance, end_in_force, granted, org_of, views};
use crate::error::AppError;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{brand, brand_claim};
use crate::server::policy::{self, Actor};
use crate::server::services::audit::{self, Target};
use crate::server::services::sql::begin_writing;
use crate::types::accounts::OrgKind;
use crate::types::claims::{ClaimEvent, ClaimState, ClaimView, Domain};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

/// The newest 200 claims, in every state.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<ClaimView>, AppError> {
    policy::manage_claims(actor)?;
    let rows = brand_claim::Entity::find().order_by_desc(brand_claim::Column::Id).limit(200).all(db).await?;
    views(db, rows).await
}

async fn payer(db: &impl ConnectionTrait, org_id: i32) -> Result<(), AppError> {
    if org_of(db, org_id).await?.kind != OrgKind::Payer {
        return Err(AppError::BadRequest(format!("organization {org_id} is not a payer organization")));
    }
    Ok(())
}

/// Makes `org_id` the brand's maintainer.
pub async fn grant<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    org_id: i32,
    brand_id: i32,
    now: i64,
) -> Result<i32, AppError> {
    policy::manage_claims(actor)?;
    payer(db, org_id).await?;
    let b = brand::Entity::find_by_id(brand_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no brand {brand_id}")))?;
    let domain = b.website.as_deref().and_then(Domain::of_website).map(|d| d.as_str().to_string()).unwrap_or_default();
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    end_in_force(&txn, brand_id, now).await?;
    let row = granted(org_id, brand_id, &domain, actor, now).insert(&txn).await?;
    audit::record(
        &txn,
        actor,
        AuditAction::ClaimGrant,
        Target::new("brand_claim", row.id),
        None,
        Some(serde_json::json!({"organization": org_id, "brand": brand_id, "domain": domain})),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(row.id)
}

async fn locked(db: &impl ConnectionTrait, id: i32) -> Result<brand_claim::Model, AppError> {
    brand_claim::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("there is no such claim".into()))
}

/// Hands a claim in force to another payer organization, as it stands.
pub async fn transfer<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    claim_id: i32,
    org_id: i32,
    now: i64,
) -> Result<(), AppError> {
    policy::manage_claims(actor)?;
    payer(db, org_id).await?;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let c = locked(&txn, claim_id).await?;
    if !c.state.in_force() {
        return Err(AppError::Conflict("only a claim in force is transferred".into()));
    }
    if let Some(root) = c.derived_from {
        return Err(AppError::Conflict(format!(
            "this claim holds under claim {root}, which proves the domain: transfer that one (this one goes with it)"
        )));
    }
    let before = c.organization_id;
    let mut am: brand_claim::ActiveModel = c.into();
    am.organization_id = Set(org_id);
    am.update(&txn).await?;
    // The brands published under the claim's domain go with it.
    brand_claim::Entity::update_many()
        .col_expr(brand_claim::Column::OrganizationId, Expr::value(org_id))
        .filter(brand_claim::Column::DerivedFrom.eq(claim_id))
        .filter(brand_claim::Column::State.is_in([ClaimState::Verified, ClaimState::Flagged]))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        AuditAction::ClaimTransfer,
        Target::new("brand_claim", claim_id),
        Some(serde_json::json!({"organization": before})),
        Some(serde_json::json!({"organization": org_id})),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn revoke<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    claim_id: i32,
    now: i64,
) -> Result<(), AppError> {
    policy::manage_claims(actor)?;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let c = locked(&txn, claim_id).await?;
    let before = serde_json::json!({"state": c.state.as_str(), "organization": c.organization_id});
    advance(&txn, c, ClaimEvent::Revoke, None, now).await?;
    audit::record(
        &txn,
        actor,
        AuditAction::ClaimRevoke,
        Target::new("brand_claim", claim_id),
        Some(before),
        Some(serde_json::json!({"state": "revoked", "by": "admin"})),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
