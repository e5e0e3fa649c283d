//! A brand's history page, reverting it to an earlier version, and settling the conflicts a
//! re-import left: each a change of its own, recorded and audited.
use super::apply::{Applied, apply_to_brand};
use super::drafts;
use super::history::{self, ChangeMeta, parse_fields};
use crate::error::AppError;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{brand, import_conflict, source};
use crate::server::policy::{self, Actor};
use crate::server::services::audit::{self, Target};
use crate::server::services::sql::begin_writing;
use crate::types::brand::BrandLink;
use crate::types::proposals::{BrandDraft, ChangeOrigin, HistoryPage};
use crate::types::validation::Severity;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionSession, TransactionTrait,
};
use serde_json::{Value, json};

/// Every recorded change of a brand, newest first. Public: the directory is.
pub async fn history_page(db: &impl ConnectionTrait, actor: &Actor, brand_id: i32) -> Result<HistoryPage, AppError> {
    let b = brand::Entity::find_by_id(brand_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("there is no such brand".into()))?;
    let source = source::Entity::find_by_id(b.source_id).one(db).await?.map(|s| s.public_name()).unwrap_or_default();
    let rows = history::of_brand(db, brand_id).await?;
    Ok(HistoryPage {
        brand: BrandLink { id: b.id, name: b.name },
        source,
        entries: history::entries(db, &rows, super::scope::may_moderate(db, actor, Some(brand_id)).await.is_ok())
            .await?,
        can_revert: policy::revert_record(actor).is_ok(),
    })
}

/// Puts the brand back as it was before change `change_id` (undoing it and every later change),
/// as a change of its own.
pub async fn revert<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    brand_id: i32,
    change_id: i64,
    now: i64,
) -> Result<Applied, AppError> {
    policy::revert_record(actor)?;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    brand::Entity::find_by_id(brand_id).lock_exclusive().one(&txn).await?;
    let loaded =
        drafts::load(&txn, brand_id).await?.ok_or_else(|| AppError::NotFound("there is no such brand".into()))?;
    let later: Vec<_> = history::of_brand(&txn, brand_id).await?.into_iter().filter(|c| c.id >= change_id).collect();
    if !later.iter().any(|c| c.id == change_id) {
        return Err(AppError::NotFound("that change is not in this brand's history".into()));
    }
    let current = drafts::draft_of(&loaded);
    let mut target = current.clone();
    for change in &later {
        for f in parse_fields(&change.fields) {
            // A field that cannot be set back (an endpoint no longer listed) stays as it is.
            target.set_field(&f.path, &f.before);
        }
    }
    let target = checked(&current, &target)?;
    let meta = ChangeMeta {
        origin: ChangeOrigin::Revert,
        actor_id: actor.account_id(),
        actor_label: actor.label(),
        proposal_id: None,
        source_id: None,
        reason: format!("reverted to before change #{change_id}"),
    };
    let applied = apply_to_brand(&txn, brand_id, &target, &meta, now).await?;
    let fields: Vec<&str> = applied.fields.iter().map(|f| f.path.as_str()).collect();
    audit::record(
        &txn,
        actor,
        AuditAction::RecordRevert,
        Target::new("brand", brand_id),
        Some(json!({"to_before_change": change_id})),
        Some(json!({"fields": fields})),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(applied)
}

/// A draft built from stored values, through the same checks as a proposal (the values were
/// checked once, but the rules may have grown since): its normalized form, or `409` with why.
fn checked(current: &BrandDraft, target: &BrandDraft) -> Result<BrandDraft, AppError> {
    let listed: Vec<i32> = current.endpoints.iter().filter_map(|e| e.id).collect();
    let c = drafts::check(target, &listed);
    if c.blocked() {
        let mut why: Vec<String> = c.errors.fields.iter().map(|(_, m)| m.clone()).collect();
        why.extend(c.findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.message.clone()));
        return Err(AppError::Conflict(format!("the result would not pass the checks: {}", why.join(" "))));
    }
    Ok(c.draft)
}

/// Settles an import conflict: `restore` puts the community's value back over the import's
/// (a change of its own); otherwise the import's value stays.
pub async fn settle_conflict<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
    restore: bool,
    now: i64,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let c = import_conflict::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|c| c.resolved_at.is_none())
        .ok_or_else(|| AppError::NotFound("there is no such open conflict".into()))?;
    super::scope::may_moderate(&txn, actor, Some(c.brand_id)).await?;
    if restore {
        brand::Entity::find_by_id(c.brand_id).lock_exclusive().one(&txn).await?;
        let loaded =
            drafts::load(&txn, c.brand_id).await?.ok_or_else(|| AppError::NotFound("the brand is gone".into()))?;
        let current = drafts::draft_of(&loaded);
        let path =
            if c.record_kind == "endpoint" { format!("endpoint/{}/{}", c.record_id, c.field) } else { c.field.clone() };
        let import_value: Value = serde_json::from_str(&c.import_value).unwrap_or(Value::Null);
        let now_value = current.fields().get(&path).cloned().unwrap_or(Value::Null);
        if !crate::types::proposals::same(&now_value, &import_value) {
            return Err(AppError::Conflict(
                "that field changed again since the import: look at the brand first".into(),
            ));
        }
        let mut target = current.clone();
        let value: Value = serde_json::from_str(&c.community_value).unwrap_or(Value::Null);
        if !target.set_field(&path, &value) {
            return Err(AppError::Conflict("that field is no longer on the brand".into()));
        }
        let target = checked(&current, &target)?;
        let meta = ChangeMeta {
            origin: ChangeOrigin::Revert,
            actor_id: actor.account_id(),
            actor_label: actor.label(),
            proposal_id: c.proposal_id,
            source_id: None,
            reason: format!("community value restored over the import (conflict #{id})"),
        };
        apply_to_brand(&txn, c.brand_id, &target, &meta, now).await?;
    }
    import_conflict::Entity::update_many()
        .col_expr(import_conflict::Column::ResolvedAt, Expr::value(now))
        .filter(import_conflict::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        AuditAction::ConflictSettle,
        Target::new("import_conflict", id),
        None,
        Some(json!({"restored": restore})),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
