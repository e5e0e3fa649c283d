//! The admins' side of attestations: the queue, the review page, the decision (approve, ask for
//! changes with comments on answers, reject), new questionnaire versions, and flagging an
//! approved attestation for re-review when its app changes what it was approved for.
use super::attestations::{VALID_SECS, comments_of, info, latest, version};
use super::mails::{AttestationMail, day};
use super::metadata_at;
use crate::error::AppError;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{attestation, client_app, questionnaire};
use crate::server::policy::{self, Actor};
use crate::server::services::audit::{self, Target};
use crate::server::services::sql::begin_writing;
use crate::server::services::{lookup, notify};
use crate::types::accounts::FormErrors;
use crate::types::app_metadata::AppMetadata;
use crate::types::attestation::{Answered, AttestationEvent, AttestationState, Question, check_questions};
use crate::types::attestation_pages::{AnsweredQuestion, Certification, ReviewComments, ReviewItem, ReviewPage};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};
use std::collections::BTreeSet;

/// Attestations the queue lists.
const QUEUE_LIMIT: u64 = 200;
const DAY: i64 = 86_400;

async fn items(db: &impl ConnectionTrait, rows: Vec<attestation::Model>) -> Result<Vec<ReviewItem>, AppError> {
    let apps = lookup::apps(db, rows.iter().map(|a| a.app_id).collect()).await?;
    let orgs = lookup::org_names(db, apps.values().map(|a| a.organization_id).collect()).await?;
    Ok(rows
        .iter()
        .filter_map(|a| {
            let app = apps.get(&a.app_id)?;
            Some(ReviewItem {
                info: info(a),
                app_id: a.app_id,
                client_name: app.client_name.clone(),
                organization: orgs.get(&app.organization_id).cloned().unwrap_or_default(),
            })
        })
        .collect())
}

/// Attestations waiting for an admin: submitted ones, oldest first, then flagged ones.
pub async fn queue(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<ReviewItem>, AppError> {
    policy::review_attestations(actor)?;
    let rows = attestation::Entity::find()
        .filter(attestation::Column::State.is_in([AttestationState::Submitted, AttestationState::ReviewDue]))
        .order_by_asc(attestation::Column::UpdatedAt)
        .limit(QUEUE_LIMIT)
        .all(db)
        .await?;
    let (mut submitted, flagged): (Vec<_>, Vec<_>) =
        rows.into_iter().partition(|a| a.state == AttestationState::Submitted);
    submitted.extend(flagged);
    items(db, submitted).await
}

async fn row(db: &impl ConnectionTrait, id: i32) -> Result<attestation::Model, AppError> {
    attestation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no attestation {id}")))
}

/// One attestation with the app it describes, for an admin.
pub async fn review_page(db: &impl ConnectionTrait, actor: &Actor, id: i32) -> Result<ReviewPage, AppError> {
    policy::review_attestations(actor)?;
    let a = row(db, id).await?;
    let app = client_app::Entity::find_by_id(a.app_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no attestation {id}")))?;
    // What the developer submitted it against, not what the app says now.
    let m: AppMetadata = metadata_at(db, app.id, a.app_version).await?;
    let q = version(db, a.questionnaire_version).await?;
    let answers: Vec<Answered> = serde_json::from_str(&a.answers).unwrap_or_default();
    let certifications: Vec<Certification> = serde_json::from_str(&a.certifications).unwrap_or_default();
    let comments = comments_of(&a);
    let answered = q
        .questions
        .into_iter()
        .map(|question| AnsweredQuestion {
            answer: answers.iter().find(|x| x.key == question.key).cloned(),
            comment: comments.on(&question.key),
            question,
        })
        .collect();
    let item = items(db, vec![a.clone()])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("there is no attestation {id}")))?;
    Ok(ReviewPage {
        item,
        description: m.description.clone(),
        policy_uri: m.policy_uri.as_ref().map(|u| u.to_string()),
        scopes: m.scopes.iter().map(|s| (s.scope.text.clone(), s.reason.clone())).collect(),
        app_version: a.app_version,
        answers: answered,
        certifications,
        comments,
        can_decide: a.state.awaits_review(),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    RequestChanges,
    Reject,
}

#[derive(Debug)]
pub enum DecideOutcome {
    Decided(AttestationState),
    Invalid(FormErrors),
}

/// An admin decides on a submitted (or flagged) attestation. Asking for changes needs a
/// comment; rejecting needs a reason. Approving starts its 12 months and supersedes the app's
/// earlier approved attestation.
pub async fn decide<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
    decision: Decision,
    values: &[(String, String)],
    base: &str,
    now: i64,
) -> Result<DecideOutcome, AppError> {
    policy::review_attestations(actor)?;
    let a = row(db, id).await?;
    let q = version(db, a.questionnaire_version).await?;
    let comments = match ReviewComments::parse(&q.questions, values) {
        Ok(c) => c,
        Err(e) => return Ok(DecideOutcome::Invalid(e)),
    };
    match decision {
        Decision::RequestChanges if comments.is_empty() => {
            return Ok(DecideOutcome::Invalid(FormErrors::field("comment", "say what should change")));
        }
        Decision::Reject if comments.general.is_empty() => {
            return Ok(DecideOutcome::Invalid(FormErrors::field("comment", "say why it is rejected")));
        }
        _ => {}
    }
    let newest = latest(db).await?.version;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let a = attestation::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no attestation {id}")))?;
    let event = match decision {
        Decision::Approve => AttestationEvent::Approve,
        Decision::RequestChanges => AttestationEvent::RequestChanges,
        Decision::Reject => AttestationEvent::Reject,
    };
    let next = a.state.next(event).ok_or_else(|| {
        AppError::Conflict(format!("the attestation is {}: there is nothing to decide", a.state.label()))
    })?;
    if next == AttestationState::Approved && a.questionnaire_version < newest {
        return Err(AppError::Conflict(format!(
            "it answers questionnaire version {}: the developer attests to version {newest}",
            a.questionnaire_version
        )));
    }
    let app = client_app::Entity::find_by_id(a.app_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no attestation {id}")))?;
    // Confirming a flagged attestation keeps its 12 months: it is not a new attestation.
    let confirming = a.state == AttestationState::ReviewDue && next == AttestationState::Approved;
    let before = a.state;
    let mut am: attestation::ActiveModel = a.clone().into();
    am.state = Set(next);
    am.comments = Set(serde_json::to_string(&comments).map_err(|e| AppError::Internal(e.to_string()))?);
    am.decided_at = Set(Some(now));
    am.decided_by = Set(actor.account_id());
    am.updated_at = Set(now);
    if confirming {
        // The answers hold for the app as it is now.
        am.app_version = Set(app.current_version);
        am.review_reason = Set(None);
    } else if next == AttestationState::Approved {
        am.approved_at = Set(Some(now));
        am.valid_until = Set(Some(now + VALID_SECS));
        am.reminded_days = Set(None);
        am.review_reason = Set(None);
    }
    am.update(&txn).await?;
    if next == AttestationState::Approved && !confirming {
        // The app's earlier approved attestation gives way to this one.
        attestation::Entity::update_many()
            .col_expr(attestation::Column::State, Expr::value(AttestationState::Superseded))
            .col_expr(attestation::Column::UpdatedAt, Expr::value(now))
            .filter(attestation::Column::AppId.eq(a.app_id))
            .filter(attestation::Column::Id.ne(id))
            .filter(attestation::Column::State.is_in([AttestationState::Approved, AttestationState::ReviewDue]))
            .exec(&txn)
            .await?;
    }
    let action = match decision {
        Decision::Approve => AuditAction::AttestationApprove,
        Decision::RequestChanges => AuditAction::AttestationRequestChanges,
        Decision::Reject => AuditAction::AttestationReject,
    };
    audit::record(
        &txn,
        actor,
        action,
        Target::new("attestation", id),
        Some(serde_json::json!({"state": before.as_str()})),
        Some(serde_json::json!({"state": next.as_str(), "app": a.app_id, "comments": comments})),
        now,
    )
    .await?;
    let link = format!("{}/orgs/{}/apps/{}/attestation", base.trim_end_matches('/'), app.organization_id, app.id);
    let until = day(if confirming { a.valid_until.unwrap_or(now) } else { now + VALID_SECS });
    let mail = match decision {
        Decision::Approve => AttestationMail::Approved { app: &app.client_name, until: &until, link: &link },
        Decision::RequestChanges => {
            AttestationMail::ChangesRequested { app: &app.client_name, comments: &comments, link: &link }
        }
        Decision::Reject => AttestationMail::Rejected { app: &app.client_name, comments: &comments, link: &link },
    };
    let (subject, body) = mail.text();
    notify::members(
        &txn,
        app.organization_id,
        &format!("attestation-decided:{id}:{}:{now}", next.as_str()),
        &subject,
        &body,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(DecideOutcome::Decided(next))
}

/// Publishes a new questionnaire version. Every current attestation on an older version is
/// flagged and stays valid for the grace period at most; its organization is told to re-attest.
pub async fn publish_questionnaire<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    questions: &[Question],
    grace_days: i32,
    base: &str,
    now: i64,
) -> Result<i32, AppError> {
    policy::review_attestations(actor)?;
    check_questions(questions).map_err(AppError::BadRequest)?;
    if !(1..=365).contains(&grace_days) {
        return Err(AppError::BadRequest("the grace period is 1 to 365 days".into()));
    }
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let version = latest(&txn).await?.version + 1;
    questionnaire::Entity::insert(questionnaire::ActiveModel {
        version: Set(version),
        questions: Set(serde_json::to_string(questions).map_err(|e| AppError::Internal(e.to_string()))?),
        grace_days: Set(grace_days),
        published_at: Set(now),
        published_by: Set(actor.account_id()),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict(format!("version {version} was published at the same moment; try again"))
        }
        _ => AppError::from(e),
    })?;
    // Answers waiting for review were given to the old version: back to their developers.
    let note = format!("Questionnaire version {version} was published: answer its questions and submit again.");
    send_back(&txn, attestation::Column::QuestionnaireVersion.lt(version), &note, base, now).await?;
    let by = now + i64::from(grace_days) * DAY;
    let reason = format!("questionnaire version {version} was published: re-attest by {}", day(by));
    let flagged = attestation::Entity::find()
        .filter(attestation::Column::State.is_in([AttestationState::Approved, AttestationState::ReviewDue]))
        .filter(attestation::Column::QuestionnaireVersion.lt(version))
        .filter(attestation::Column::ValidUntil.gt(now))
        .all(&txn)
        .await?;
    for a in &flagged {
        let until = a.valid_until.unwrap_or(by).min(by);
        let Some(next) = a.state.next(AttestationEvent::Flag) else { continue };
        let mut am: attestation::ActiveModel = a.clone().into();
        am.state = Set(next);
        am.review_reason = Set(Some(reason.clone()));
        am.valid_until = Set(Some(until));
        am.reminded_days = Set(None);
        am.updated_at = Set(now);
        am.update(&txn).await?;
        if let Some(app) = client_app::Entity::find_by_id(a.app_id).one(&txn).await? {
            let link =
                format!("{}/orgs/{}/apps/{}/attestation", base.trim_end_matches('/'), app.organization_id, app.id);
            let until = day(until);
            let mail = AttestationMail::Reattest { app: &app.client_name, version, by: &until, link: &link };
            let (subject, body) = mail.text();
            let key = format!("attestation-reattest:{}:{version}", a.id);
            notify::members(&txn, app.organization_id, &key, &subject, &body, now).await?;
        }
    }
    audit::record(
        &txn,
        actor,
        AuditAction::QuestionnairePublish,
        Target::new("questionnaire", version),
        None,
        Some(serde_json::json!({"questions": questions.len(), "grace_days": grace_days, "flagged": flagged.len()})),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(version)
}

/// Sends submitted attestations matching `which` back to their developers (changes requested,
/// with `note`), mailing each organization.
async fn send_back(
    txn: &impl ConnectionTrait,
    which: sea_orm::sea_query::SimpleExpr,
    note: &str,
    base: &str,
    now: i64,
) -> Result<(), AppError> {
    let rows = attestation::Entity::find()
        .filter(attestation::Column::State.eq(AttestationState::Submitted))
        .filter(which)
        .all(txn)
        .await?;
    let comments = ReviewComments { general: note.to_string(), answers: Vec::new() };
    for a in rows {
        let Some(next) = a.state.next(AttestationEvent::RequestChanges) else { continue };
        let (id, app_id) = (a.id, a.app_id);
        let mut am: attestation::ActiveModel = a.into();
        am.state = Set(next);
        am.comments = Set(serde_json::to_string(&comments).map_err(|e| AppError::Internal(e.to_string()))?);
        am.updated_at = Set(now);
        am.update(txn).await?;
        if let Some(app) = client_app::Entity::find_by_id(app_id).one(txn).await? {
            let link =
                format!("{}/orgs/{}/apps/{}/attestation", base.trim_end_matches('/'), app.organization_id, app.id);
            let mail = AttestationMail::ChangesRequested { app: &app.client_name, comments: &comments, link: &link };
            let (subject, body) = mail.text();
            notify::members(
                txn,
                app.organization_id,
                &format!("attestation-sent-back:{id}:{now}"),
                &subject,
                &body,
                now,
            )
            .await?;
        }
    }
    Ok(())
}

fn scope_set(m: &AppMetadata) -> BTreeSet<&str> {
    m.scopes.iter().map(|s| s.scope.text.as_str()).collect()
}

/// Inside an app change's transaction: when the privacy policy address or the requested scopes
/// changed, the app's approved attestation is flagged for re-review (it stays current) and the
/// admins are told.
pub(super) async fn flag_app_change(
    txn: &impl ConnectionTrait,
    app: &client_app::Model,
    before: &AppMetadata,
    after: &AppMetadata,
    version: i32,
    base: &str,
    now: i64,
) -> Result<(), AppError> {
    let mut what = Vec::new();
    if before.policy_uri != after.policy_uri {
        what.push("its privacy policy address");
    }
    if scope_set(before) != scope_set(after) {
        what.push("the scopes it requests");
    }
    if what.is_empty() {
        return Ok(());
    }
    let reason = format!("{} changed in version {version}", what.join(" and "));
    // A submitted attestation was answered for the app before the change.
    let note = format!("After this attestation was submitted, {reason}: check the answers and submit again.");
    send_back(txn, attestation::Column::AppId.eq(app.id), &note, base, now).await?;
    let rows = attestation::Entity::find()
        .filter(attestation::Column::AppId.eq(app.id))
        .filter(attestation::Column::State.is_in([AttestationState::Approved, AttestationState::ReviewDue]))
        .filter(attestation::Column::ValidUntil.gt(now))
        .all(txn)
        .await?;
    for a in rows {
        let Some(next) = a.state.next(AttestationEvent::Flag) else { continue };
        let id = a.id;
        let mut am: attestation::ActiveModel = a.into();
        am.state = Set(next);
        am.review_reason = Set(Some(reason.clone()));
        am.updated_at = Set(now);
        am.update(txn).await?;
        let link = format!("{}/admin/attestations/{id}", base.trim_end_matches('/'));
        let mail = AttestationMail::Flagged { app: &app.client_name, reason: &reason, link: &link };
        let (subject, body) = mail.text();
        notify::admins(txn, &format!("attestation-flagged:{id}:{version}"), &subject, &body, now).await?;
    }
    Ok(())
}
