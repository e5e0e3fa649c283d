//! An app's attestation, on the developer's side: the questionnaire it answers (the newest
//! version), the answers saved as a draft, and submitting them for an admin's review.
//!
//! An app has at most one open attestation (draft, submitted or changes requested). An approved
//! one is never edited: re-attesting opens a new one, filled from the last answers, and the
//! approved one stays what members see until the new one is approved.
use super::mails::AttestationMail;
use super::{app_of, org_of};
use crate::error::AppError;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{attestation, client_app, questionnaire};
use crate::server::policy::{self, Actor};
use crate::server::services::audit::{self, Target};
use crate::server::services::notify;
use crate::server::services::sql::begin_writing;
use crate::types::accounts::FormErrors;
use crate::types::attestation::{Answered, AttestationEvent, AttestationState, Question};
use crate::types::attestation_pages::{
    AttestationForm, AttestationInfo, AttestationPage, Certification, ReviewComments,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

/// Attestations an app's page lists.
const LISTED: u64 = 50;
const DAY: i64 = 86_400;

/// A questionnaire version and its questions.
pub struct Questionnaire {
    pub version: i32,
    pub questions: Vec<Question>,
    pub grace_days: i32,
}

fn parse_questions(row: &questionnaire::Model) -> Result<Questionnaire, AppError> {
    let questions = serde_json::from_str(&row.questions)
        .map_err(|e| AppError::Internal(format!("questionnaire {}: {e}", row.version)))?;
    Ok(Questionnaire { version: row.version, questions, grace_days: row.grace_days })
}

/// The newest questionnaire version.
pub async fn latest(db: &impl ConnectionTrait) -> Result<Questionnaire, AppError> {
    let row = questionnaire::Entity::find()
        .order_by_desc(questionnaire::Column::Version)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal("there is no questionnaire".into()))?;
    parse_questions(&row)
}

/// One questionnaire version.
pub async fn version(db: &impl ConnectionTrait, version: i32) -> Result<Questionnaire, AppError> {
    let row = questionnaire::Entity::find()
        .filter(questionnaire::Column::Version.eq(version))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal(format!("there is no questionnaire version {version}")))?;
    parse_questions(&row)
}

pub(super) fn info(a: &attestation::Model) -> AttestationInfo {
    AttestationInfo {
        id: a.id,
        state: a.state,
        questionnaire_version: a.questionnaire_version,
        submitted_at: a.submitted_at,
        approved_at: a.approved_at,
        valid_until: a.valid_until,
        review_reason: a.review_reason.clone(),
    }
}

/// Members and payers may rely on it now.
pub(super) fn is_valid(a: &attestation::Model, now: i64) -> bool {
    a.state.is_current() && a.valid_until.is_some_and(|v| v > now)
}

pub(super) fn stored_form(a: &attestation::Model) -> AttestationForm {
    let answers: Vec<Answered> = serde_json::from_str(&a.answers).unwrap_or_default();
    let certifications: Vec<Certification> = serde_json::from_str(&a.certifications).unwrap_or_default();
    AttestationForm::of(&answers, &certifications)
}

pub(super) fn comments_of(a: &attestation::Model) -> ReviewComments {
    serde_json::from_str(&a.comments).unwrap_or_default()
}

/// The app's attestations, newest first.
async fn of_app(db: &impl ConnectionTrait, app_id: i32) -> Result<Vec<attestation::Model>, AppError> {
    Ok(attestation::Entity::find()
        .filter(attestation::Column::AppId.eq(app_id))
        .order_by_desc(attestation::Column::Id)
        .limit(LISTED)
        .all(db)
        .await?)
}

/// The developer's attestation page for one app (its organization's members; admins read it).
pub async fn page(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org_id: i32,
    app_id: i32,
    now: i64,
) -> Result<AttestationPage, AppError> {
    let org = org_of(db, org_id).await?;
    policy::view_app(actor, org_id)?;
    let app = app_of(db, org_id, app_id).await?;
    let q = latest(db).await?;
    let rows = of_app(db, app_id).await?;
    let open = rows.iter().find(|a| a.state.is_open());
    let current = rows.iter().find(|a| is_valid(a, now));
    let history = rows
        .iter()
        .filter(|a| Some(a.id) != open.map(|o| o.id) && Some(a.id) != current.map(|c| c.id))
        .map(info)
        .collect();
    // The form holds the open attestation's answers, or else the last ones given.
    let form = open.or(rows.first()).map(stored_form).unwrap_or_default();
    let comments = match (open, rows.first()) {
        (Some(o), _) => comments_of(o),
        (None, Some(last)) if last.state == AttestationState::Rejected => comments_of(last),
        _ => ReviewComments::default(),
    };
    let can_edit = policy::attest_app(actor, org_id, org.kind).is_ok() && open.is_none_or(|o| o.state.is_editable());
    Ok(AttestationPage {
        app_id,
        organization_id: org_id,
        organization: org.name,
        client_name: app.client_name,
        open: open.map(info),
        current: current.map(info),
        history,
        questionnaire_version: q.version,
        questions: q.questions,
        form,
        comments,
        can_edit,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    /// Keep the answers as a draft (some may be missing).
    Save,
    /// Send them for review (every question answered, evidence where asked).
    Submit,
}

#[derive(Debug)]
pub enum AttestOutcome {
    Saved { id: i32 },
    Submitted { id: i32 },
    Invalid(FormErrors),
}

/// Saves the answers as the app's open attestation (opening one when there is none), and
/// submits it when asked.
pub async fn save<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    org_id: i32,
    app_id: i32,
    form: &AttestationForm,
    intent: Intent,
    base: &str,
    now: i64,
) -> Result<AttestOutcome, AppError> {
    let org = org_of(db, org_id).await?;
    policy::attest_app(actor, org_id, org.kind)?;
    app_of(db, org_id, app_id).await?;
    let q = latest(db).await?;
    let draft = match form.parse(&q.questions, intent == Intent::Submit) {
        Ok(d) => d,
        Err(e) => return Ok(AttestOutcome::Invalid(e)),
    };
    let answers = serde_json::to_string(&draft.answers).map_err(|e| AppError::Internal(e.to_string()))?;
    let certifications = serde_json::to_string(&draft.certifications).map_err(|e| AppError::Internal(e.to_string()))?;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    // The app's row, locked: two saves at once do not open two attestations.
    let app = client_app::Entity::find_by_id(app_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|a| a.organization_id == org_id)
        .ok_or_else(|| AppError::NotFound(format!("there is no app {app_id} here")))?;
    let open = attestation::Entity::find()
        .filter(attestation::Column::AppId.eq(app_id))
        .filter(attestation::Column::State.is_in([
            AttestationState::Draft,
            AttestationState::Submitted,
            AttestationState::ChangesRequested,
        ]))
        .one(&txn)
        .await?;
    let row = match open {
        Some(a) if !a.state.is_editable() => {
            return Err(AppError::Conflict(format!(
                "the attestation is {}: it cannot change until an admin decides",
                a.state.label()
            )));
        }
        Some(a) => {
            let mut am: attestation::ActiveModel = a.into();
            am.answers = Set(answers);
            am.certifications = Set(certifications);
            am.questionnaire_version = Set(q.version);
            am.app_version = Set(app.current_version);
            am.updated_at = Set(now);
            am.update(&txn).await?
        }
        None => {
            attestation::ActiveModel {
                app_id: Set(app_id),
                questionnaire_version: Set(q.version),
                app_version: Set(app.current_version),
                state: Set(AttestationState::Draft),
                answers: Set(answers),
                certifications: Set(certifications),
                comments: Set("{}".into()),
                created_at: Set(now),
                updated_at: Set(now),
                created_by: Set(actor.account_id()),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    let id = row.id;
    if intent == Intent::Save {
        txn.commit().await?;
        return Ok(AttestOutcome::Saved { id });
    }
    let next = row
        .state
        .next(AttestationEvent::Submit)
        .ok_or_else(|| AppError::Conflict(format!("a {} attestation cannot be submitted", row.state.label())))?;
    let mut am: attestation::ActiveModel = row.into();
    am.state = Set(next);
    am.submitted_at = Set(Some(now));
    am.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        AuditAction::AttestationSubmit,
        Target::new("attestation", id),
        None,
        Some(serde_json::json!({"app": app_id, "questionnaire": q.version, "app_version": app.current_version})),
        now,
    )
    .await?;
    let link = format!("{}/admin/attestations/{id}", base.trim_end_matches('/'));
    let mail =
        AttestationMail::Submitted { app: &app.client_name, organization: &org.name, version: q.version, link: &link };
    let (subject, body) = mail.text();
    notify::admins(&txn, &format!("attestation-submitted:{id}:{now}"), &subject, &body, now).await?;
    txn.commit().await?;
    Ok(AttestOutcome::Submitted { id })
}

/// Seconds an approval lasts.
pub const VALID_SECS: i64 = crate::types::attestation::VALID_DAYS * DAY;
