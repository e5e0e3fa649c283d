//! The audit log: every privileged change is written here by the service that makes it, in the
//! same transaction, so a change and its record commit or roll back together.
use crate::error::AppError;
use crate::server::entities::{audit_log, audit_log::AuditAction, organization};
use crate::server::policy::{self, Actor};
use crate::types::accounts::AuditEntry;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use std::collections::HashMap;

/// The record a change applies to, as `kind` and id.
pub struct Target<'a> {
    pub kind: &'a str,
    pub id: String,
}

impl<'a> Target<'a> {
    pub fn new(kind: &'a str, id: impl ToString) -> Self {
        Target { kind, id: id.to_string() }
    }
}

pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: AuditAction,
    target: Target<'_>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    now: i64,
) -> Result<(), AppError> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        at: Set(now),
        actor_id: Set(actor.account_id()),
        actor_email: Set(actor.label().chars().take(254).collect()),
        organization_id: Set(actor.acting_org()),
        action: Set(action),
        target_kind: Set(target.kind.to_string()),
        target_id: Set(target.id.chars().take(64).collect()),
        before: Set(before.map(|v| v.to_string())),
        after: Set(after.map(|v| v.to_string())),
        client: Set(actor.client.chars().take(64).collect()),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Organization names by id, for lists that show them.
pub(crate) async fn organization_names(
    db: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> Result<HashMap<i32, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = organization::Entity::find().filter(organization::Column::Id.is_in(ids)).all(db).await?;
    Ok(rows.into_iter().map(|o| (o.id, o.name)).collect())
}

/// What the log page filters by; every part optional.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    /// An address or part of one.
    pub actor: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    /// Entries before this id (the next page).
    pub before_id: Option<i64>,
}

pub const PAGE: u64 = 100;

/// The newest entries that pass the filter, for admins.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor, filter: &AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
    policy::read_audit_log(actor)?;
    let mut q = audit_log::Entity::find();
    if let Some(a) = filter.action.as_deref().filter(|a| !a.is_empty()) {
        match AuditAction::from_name(a) {
            Some(action) => q = q.filter(audit_log::Column::Action.eq(action)),
            None => return Ok(Vec::new()),
        }
    }
    if let Some(who) = filter.actor.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        // Only admins get here; a `%` or `_` they type is a wildcard, which does no harm.
        q = q.filter(audit_log::Column::ActorEmail.contains(who.to_lowercase()));
    }
    if let Some(k) = filter.target_kind.as_deref().filter(|k| !k.is_empty()) {
        q = q.filter(audit_log::Column::TargetKind.eq(k));
    }
    if let Some(id) = filter.target_id.as_deref().filter(|i| !i.is_empty()) {
        q = q.filter(audit_log::Column::TargetId.eq(id));
    }
    if let Some(before) = filter.before_id {
        q = q.filter(audit_log::Column::Id.lt(before));
    }
    let rows = q.order_by_desc(audit_log::Column::Id).limit(PAGE).all(db).await?;
    let names = organization_names(db, rows.iter().filter_map(|r| r.organization_id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at,
            actor: r.actor_email,
            organization: r.organization_id.map(|id| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))),
            action: r.action.name(),
            target: format!("{} {}", r.target_kind, r.target_id),
            before: r.before,
            after: r.after,
            client: r.client,
        })
        .collect())
}
