//! The payer's assigned inbox: a member of the payer organization assigns requests of its queue
//! to one of its members (or to nobody), one or up to `MAX_ASSIGN` at once. The assignee hears
//! of it by mail; each assignment is in the audit log.
use super::requests::current_payer;
use crate::error::AppError;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{client_app, membership, registration_request as request};
use crate::server::policy::{self, Actor};
use crate::server::services::audit::{self, Target};
use crate::server::services::notify;
use crate::server::services::sql::begin_writing;
use crate::types::registration::MAX_ASSIGN;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession, TransactionTrait};

/// The organization's members who may be assigned requests: (account id, address).
pub async fn members(db: &impl ConnectionTrait, org: i32) -> Result<Vec<(i32, String)>, AppError> {
    let ids: Vec<i32> = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(org))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.account_id)
        .collect();
    let mut out: Vec<(i32, String)> =
        crate::server::services::lookup::account_emails(db, ids).await?.into_iter().collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// Assigns the requests to `assignee` (`None`: to nobody). Every request must be in the
/// organization's queue now; the assignee must be one of its members.
pub async fn assign<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    payer_org: i32,
    request_ids: &[i32],
    assignee: Option<i32>,
    base: &str,
    now: i64,
) -> Result<usize, AppError> {
    let mut ids = request_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(AppError::BadRequest("choose at least one request".into()));
    }
    if ids.len() > MAX_ASSIGN {
        return Err(AppError::TooLarge(format!("at most {MAX_ASSIGN} requests at once")));
    }
    if !policy::member_of(actor, payer_org) {
        return Err(AppError::Forbidden("only the payer organization's members assign its requests".into()));
    }
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    if let Some(a) = assignee {
        let member = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(payer_org))
            .filter(membership::Column::AccountId.eq(a))
            .one(&txn)
            .await?;
        if member.is_none() {
            return Err(AppError::BadRequest("requests are assigned to a member of the organization".into()));
        }
    }
    let rows = request::Entity::find().filter(request::Column::Id.is_in(ids.clone())).all(&txn).await?;
    if rows.len() != ids.len() {
        return Err(AppError::NotFound("one of the requests does not exist".into()));
    }
    let mut names = Vec::new();
    for r in &rows {
        let app = client_app::Entity::find_by_id(r.app_id)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("there is no request {}", r.id)))?;
        let payer = current_payer(&txn, r).await?;
        if payer != Some(payer_org) {
            return Err(AppError::Forbidden(format!("request {} is not in this organization's queue", r.id)));
        }
        policy::work_request(actor, payer, app.organization_id)?;
        names.push(format!("#{} {}", r.id, app.client_name));
    }
    request::Entity::update_many()
        .col_expr(request::Column::AssigneeId, Expr::value(assignee))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    for r in &rows {
        audit::record(
            &txn,
            actor,
            AuditAction::RequestAssign,
            Target::new("registration_request", r.id),
            Some(serde_json::json!({"assignee": r.assignee_id})),
            Some(serde_json::json!({"assignee": assignee})),
            now,
        )
        .await?;
    }
    if let Some(a) = assignee.filter(|a| Some(*a) != actor.account_id()) {
        let subject =
            format!("{} registration request{} assigned to you", rows.len(), if rows.len() == 1 { "" } else { "s" });
        let body = format!(
            "{} assigned to you:\n\n{}\n\n{}/orgs/{payer_org}/queue?assignee=me\n",
            actor.label(),
            names.join("\n"),
            base.trim_end_matches('/')
        );
        notify::accounts(&txn, &[a], &format!("request-assign:{payer_org}:{a}:{now}"), &subject, &body, now).await?;
    }
    txn.commit().await?;
    Ok(rows.len())
}
