//! Deciding on proposals: approve (as proposed, or after the moderator's edits), reject with a
//! reason, and the merge that finds what changed on the record since it was proposed. Approving
//! applies the change in the same transaction as the decision, its history, the audit entry and
//! the proposer's mail.
use super::apply::{apply_to_brand, create_brand};
use super::drafts::{self, check};
use super::history::ChangeMeta;
use super::mails::{self, ProposalMail};
use super::proposals::{locked, message_text, moved};
use crate::error::AppError;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{account, brand, proposal};
use crate::server::policy::Actor;
use crate::server::services::audit::{self, Target};
use crate::server::services::sql::begin_writing;
use crate::types::accounts::FormErrors;
use crate::types::proposals::{
    BrandDraft, ChangeOrigin, FieldDiff, ProposalEvent, ProposalKind, display_value, field_label, same,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QuerySelect, Set, TransactionSession, TransactionTrait};
use serde_json::{Value, json};

pub enum ApproveOutcome {
    Approved {
        brand_id: Option<i32>,
    },
    /// Fields the proposal changes that changed on the record since, to something else: shown
    /// to the moderator, who may approve anyway.
    Conflict(Vec<FieldDiff>),
    /// The draft (as edited by the moderator) does not pass the checks.
    Invalid(FormErrors),
}

/// The proposal's changes put over the record as it is now. A field the proposal changes that
/// also changed on the record since (to another value) is a conflict; the merged draft has the
/// proposal's value in it.
pub fn merge(base: &BrandDraft, proposed: &BrandDraft, current: &BrandDraft) -> (BrandDraft, Vec<FieldDiff>) {
    let (b, p, c) = (base.fields(), proposed.fields(), current.fields());
    let mut merged = current.clone();
    let mut conflicts = Vec::new();
    for (path, pv) in &p {
        let bv = b.get(path).unwrap_or(&Value::Null);
        if same(bv, pv) {
            continue;
        }
        let cv = c.get(path).unwrap_or(&Value::Null);
        let conflict = FieldDiff {
            path: path.clone(),
            label: field_label(path),
            before: display_value(cv),
            after: display_value(pv),
        };
        // A field set both ways is a conflict (approving anyway takes the proposal's value); an
        // endpoint no longer listed cannot be set at all.
        let set = merged.set_field(path, pv);
        if !set || (!same(cv, bv) && !same(cv, pv)) {
            conflicts.push(conflict);
        }
    }
    (merged, conflicts)
}

/// A proposal's revision: its draft, comment and state, hashed.
pub fn revision_of(row: &proposal::Model) -> String {
    crate::server::fhir::records::content_hash(&(&row.draft, &row.comment, row.state.as_str()))
}

/// A brand's revision: its fields as a draft, hashed.
pub fn record_revision(draft: &BrandDraft) -> String {
    crate::server::fhir::records::content_hash(draft)
}

pub(crate) fn draft_in(text: &Option<String>) -> Option<BrandDraft> {
    text.as_deref().and_then(|t| serde_json::from_str(t).ok())
}

pub(crate) async fn audit(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: AuditAction,
    row: &proposal::Model,
    after: Option<Value>,
    now: i64,
) -> Result<(), AppError> {
    let before = json!({"state": row.state.as_str(), "kind": row.kind.as_str(), "brand": row.brand_id});
    audit::record(db, actor, action, Target::new("proposal", row.id), Some(before), after, now).await
}

/// Where mails about a proposal go: its proposer's address, or the one a visitor gave.
pub(crate) async fn proposer_address(
    db: &impl ConnectionTrait,
    row: &proposal::Model,
) -> Result<Option<String>, AppError> {
    Ok(match row.proposer_id {
        Some(id) => account::Entity::find_by_id(id).one(db).await?.map(|a| a.email),
        None => row.reporter_email.clone(),
    })
}

/// What the moderator saw when deciding: the proposal's revision, and for edits the record's
/// (empty: not given, as from a script).
#[derive(Clone, Copy, Debug, Default)]
pub struct Seen<'a> {
    pub revision: &'a str,
    pub record_revision: &'a str,
}

/// Approves proposal `id`: `edited` is the moderator's version of the draft, `force` approves
/// over conflicts.
#[allow(clippy::too_many_arguments)]
pub async fn approve<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
    edited: Option<&BrandDraft>,
    force: bool,
    note: &str,
    seen: Seen<'_>,
    base: &str,
    now: i64,
) -> Result<ApproveOutcome, AppError> {
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let row = locked(&txn, id).await?;
    super::scope::may_moderate(&txn, actor, row.brand_id).await?;
    if !seen.revision.is_empty() && seen.revision != revision_of(&row) {
        return Err(AppError::Conflict("the proposal changed since you opened it: read it again".into()));
    }
    if let (Some(_), Some(brand_id), false) = (edited, row.brand_id, seen.record_revision.is_empty()) {
        let loaded =
            drafts::load(&txn, brand_id).await?.ok_or_else(|| AppError::NotFound("the brand is gone".into()))?;
        if record_revision(&drafts::draft_of(&loaded)) != seen.record_revision {
            return Err(AppError::Conflict("the brand changed since you started editing: start again".into()));
        }
    }
    let outcome = decide_approve(&txn, actor, &row, edited, force, ChangeOrigin::Proposal, base, now).await?;
    if matches!(outcome, ApproveOutcome::Approved { .. }) {
        let note = message_text(note);
        if !note.is_empty() {
            proposal::Entity::update(proposal::ActiveModel {
                id: Set(id),
                decision_reason: Set(Some(note)),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
        }
        txn.commit().await?;
    } else {
        txn.rollback().await?;
    }
    Ok(outcome)
}

/// The approval itself, inside the caller's transaction (which has the proposal locked). A
/// trusted contributor's own proposal comes here with `origin` `Trusted`; its caller checked
/// that they are trusted.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn decide_approve(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    row: &proposal::Model,
    edited: Option<&BrandDraft>,
    force: bool,
    origin: ChangeOrigin,
    base: &str,
    now: i64,
) -> Result<ApproveOutcome, AppError> {
    let next = moved(row.state, ProposalEvent::Approve)?;
    // The history names the proposer; the audit log, the moderator who approved.
    let proposer = proposer_address(txn, row).await?;
    let meta = ChangeMeta {
        origin,
        actor_id: row.proposer_id,
        actor_label: proposer.clone().unwrap_or_else(|| "a visitor".into()),
        proposal_id: Some(row.id),
        source_id: None,
        reason: format!("proposal #{}", row.id),
    };
    let mut applied_brand = row.brand_id;
    let mut applied_fields = Vec::new();
    // The moderator's edited draft, as checked: what the proposal says was applied.
    let mut stored_draft: Option<BrandDraft> = None;
    match row.kind {
        ProposalKind::Report => {}
        ProposalKind::NewBrand => {
            let Some(draft) = edited.cloned().or_else(|| draft_in(&row.draft)) else {
                return Err(AppError::Internal("a proposal without its draft".into()));
            };
            let checked = check(&draft, &[]);
            if checked.blocked() {
                return Ok(ApproveOutcome::Invalid(blocking(&checked)));
            }
            let applied = create_brand(txn, &checked.draft, &meta, now).await?;
            applied_brand = Some(applied.brand_id);
            applied_fields = applied.fields;
            stored_draft = edited.map(|_| checked.draft);
        }
        ProposalKind::Edit | ProposalKind::NewEndpoint => {
            let brand_id = row.brand_id.ok_or_else(|| AppError::Internal("an edit without its brand".into()))?;
            // One decision on a brand at a time (PostgreSQL; SQLite has one writer).
            brand::Entity::find_by_id(brand_id).lock_exclusive().one(txn).await?;
            let loaded =
                drafts::load(txn, brand_id).await?.ok_or_else(|| AppError::NotFound("the brand is gone".into()))?;
            let current = drafts::draft_of(&loaded);
            let target = match edited {
                Some(d) => d.clone(),
                None => {
                    let (Some(base_draft), Some(proposed)) = (draft_in(&row.base), draft_in(&row.draft)) else {
                        return Err(AppError::Internal("a proposal without its draft".into()));
                    };
                    let (merged, conflicts) = merge(&base_draft, &proposed, &current);
                    if !conflicts.is_empty() && !force {
                        return Ok(ApproveOutcome::Conflict(conflicts));
                    }
                    merged
                }
            };
            let listed: Vec<i32> = current.endpoints.iter().filter_map(|e| e.id).collect();
            let checked = check(&target, &listed);
            if checked.blocked() {
                return Ok(ApproveOutcome::Invalid(blocking(&checked)));
            }
            applied_fields = apply_to_brand(txn, brand_id, &checked.draft, &meta, now).await?.fields;
            stored_draft = edited.map(|_| checked.draft);
        }
    }
    let mut am: proposal::ActiveModel = row.clone().into();
    am.state = Set(next);
    am.updated_at = Set(now);
    am.decided_at = Set(Some(now));
    am.decided_by = Set(actor.account_id());
    am.brand_id = Set(applied_brand);
    if let Some(d) = stored_draft {
        am.draft = Set(serde_json::to_string(&d).ok());
    }
    am.update(txn).await?;
    let fields: Vec<&str> = applied_fields.iter().map(|f| f.path.as_str()).collect();
    let after = json!({"state": "approved", "fields": fields, "edited": edited.is_some()});
    audit(txn, actor, AuditAction::ProposalApprove, row, Some(after), now).await?;
    if let Some(to) = proposer {
        let mail = match (row.kind, origin) {
            (ProposalKind::Report, _) => ProposalMail::ReportAccepted,
            (_, ChangeOrigin::Trusted | ChangeOrigin::Maintainer) => ProposalMail::AppliedAtOnce,
            _ => ProposalMail::Approved,
        };
        mails::send(txn, base, &to, row.id, now, mail, now).await?;
    }
    Ok(ApproveOutcome::Approved { brand_id: applied_brand })
}

/// The checks' errors as the approve form shows them.
fn blocking(checked: &drafts::Checked) -> FormErrors {
    let mut errors = checked.errors.clone();
    let findings: Vec<String> = checked
        .findings
        .iter()
        .filter(|f| f.severity == crate::types::validation::Severity::Error)
        .map(|f| f.message.clone())
        .collect();
    if !findings.is_empty() {
        errors.summary = Some(format!("The bundle would not be valid: {}", findings.join(" ")));
    }
    errors
}

pub async fn reject<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
    reason: &str,
    seen: &str,
    base: &str,
    now: i64,
) -> Result<Result<(), FormErrors>, AppError> {
    let reason = message_text(reason);
    if reason.is_empty() {
        return Ok(Err(FormErrors::field("reason", "Say why, for the proposer: they read it.")));
    }
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let row = locked(&txn, id).await?;
    super::scope::may_moderate(&txn, actor, row.brand_id).await?;
    if !seen.is_empty() && seen != revision_of(&row) {
        return Err(AppError::Conflict("the proposal changed since you opened it: read it again".into()));
    }
    let next = moved(row.state, ProposalEvent::Reject)?;
    let mut am: proposal::ActiveModel = row.clone().into();
    am.state = Set(next);
    am.updated_at = Set(now);
    am.decided_at = Set(Some(now));
    am.decided_by = Set(actor.account_id());
    am.decision_reason = Set(Some(reason.clone()));
    am.update(&txn).await?;
    audit(&txn, actor, AuditAction::ProposalReject, &row, Some(json!({"state": "rejected", "reason": reason})), now)
        .await?;
    if let Some(to) = proposer_address(&txn, &row).await? {
        mails::send(&txn, base, &to, id, now, ProposalMail::Rejected { reason: &reason }, now).await?;
    }
    txn.commit().await?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::merge;
    use crate::types::proposals::{BrandDraft, EndpointDraft};

    fn brand(name: &str, website: &str) -> BrandDraft {
        BrandDraft {
            name: name.into(),
            website: website.into(),
            endpoints: vec![EndpointDraft {
                id: Some(3),
                address: "https://a.example/r4".into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_merge_keeps_other_changes_and_finds_conflicts() {
        let base = brand("Good", "https://good.example");
        let mut proposed = base.clone();
        proposed.name = "Good Health".into();
        // Someone else changed the website meanwhile: no conflict, both kept.
        let current = brand("Good", "https://goodhealth.example");
        let (merged, conflicts) = merge(&base, &proposed, &current);
        assert!(conflicts.is_empty());
        assert_eq!((merged.name.as_str(), merged.website.as_str()), ("Good Health", "https://goodhealth.example"));
        // Someone else renamed it: a conflict, unless to the same name.
        let renamed = brand("Good Plan", "https://good.example");
        let (_, conflicts) = merge(&base, &proposed, &renamed);
        assert_eq!(conflicts.len(), 1);
        assert_eq!((conflicts[0].before.as_str(), conflicts[0].after.as_str()), ("Good Plan", "Good Health"));
        let (_, conflicts) = merge(&base, &proposed, &brand("Good Health", "https://good.example"));
        assert!(conflicts.is_empty());
        // The endpoint it edits is gone.
        let mut status = base.clone();
        status.endpoints[0].status = "off".into();
        let mut gone = base.clone();
        gone.endpoints.clear();
        let (_, conflicts) = merge(&base, &status, &gone);
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    }
}
