//! Proposing: a signed-in account proposes a new brand, an edit of a brand (its fields, portals
//! and endpoints) or a new endpoint; anyone reports a problem. A proposer sees their proposals,
//! edits them while they are open, answers questions in the thread, and withdraws them. Every
//! value is checked as an import checks it before anything is stored.
use super::drafts::{self, Checked};
use super::duplicates;
use super::mails::{self, ProposalMail};
use super::review;
use crate::error::AppError;
use crate::server::alerts::email::EmailAddress;
use crate::server::check::{CheckOptions, check_endpoint, parse_base};
use crate::server::entities::{account, brand, proposal, proposal_message};
use crate::server::net::client::SafeClient;
use crate::server::policy::{self, Actor};
use crate::server::services::search::SearchState;
use crate::server::services::sql::begin_writing;
use crate::types::accounts::FormErrors;
use crate::types::proposals::{
    BrandDraft, CheckSummary, ProposalEvent, ProposalKind, ProposalPreview, ProposalState, ReportKind, diff,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

/// A comment, a reason or a message: at most this many characters.
pub const MAX_MESSAGE: usize = 4000;
/// Open proposals (pending or waiting on their proposer) one account may have.
pub const MAX_OPEN_PER_ACCOUNT: u64 = 50;
/// Messages in one proposal's thread.
pub const MAX_MESSAGES: u64 = 100;
/// New endpoints checked at once per proposal (the public check; more are checked by the
/// poller once approved).
const CHECKED_AT_ONCE: usize = 3;

/// What a proposal needs beyond the database.
pub struct Env<'a> {
    pub search: &'a SearchState,
    pub fetch: &'a SafeClient,
    /// The site's own address: links in mails, and the `Origin` of checks.
    pub base: &'a str,
    /// Whether this client may run one more public check now (the check limit); asked once
    /// per endpoint actually checked.
    pub may_check: &'a (dyn Fn() -> bool + Sync),
}

pub enum ProposeOutcome {
    /// The form again, with what the checks found (after "Check", or when something stops it).
    Checked { preview: ProposalPreview, errors: FormErrors },
    /// Stored (and, for a trusted contributor, applied at once).
    Created { id: i32, applied: bool },
}

pub(crate) fn message_text(text: &str) -> String {
    text.trim().chars().filter(|c| !c.is_control() || *c == '\n').take(MAX_MESSAGE).collect()
}

/// A draft checked against the brand as it is now.
struct Prepared {
    checked: Checked,
    base: Option<BrandDraft>,
    preview: ProposalPreview,
}

async fn prepare(
    db: &impl ConnectionTrait,
    env: &Env<'_>,
    brand_id: Option<i32>,
    draft: &BrandDraft,
) -> Result<Prepared, AppError> {
    let base = match brand_id {
        Some(id) => {
            let loaded =
                drafts::load(db, id).await?.ok_or_else(|| AppError::NotFound("there is no such brand".into()))?;
            Some(drafts::draft_of(&loaded))
        }
        None => None,
    };
    let listed: Vec<i32> = base.iter().flat_map(|b| b.endpoints.iter().filter_map(|e| e.id)).collect();
    let checked = drafts::check(draft, &listed);
    let mut errors = checked.errors.clone();
    for id in &listed {
        if !draft.endpoints.iter().any(|e| e.id == Some(*id)) {
            errors
                .add("endpoints", format!("Endpoint #{id} is missing: to say it is gone, set its status to \"off\"."));
        }
    }
    let changes = diff(&base.clone().unwrap_or_default().fields(), &checked.draft.fields());
    if base.is_some() && changes.is_empty() && errors.is_empty() {
        errors.summary = Some("Nothing is changed yet: change at least one field.".into());
    }
    let duplicates = duplicates::find(db, env.search, brand_id, &checked.draft).await?;
    let preview = ProposalPreview { changes, findings: checked.findings.clone(), duplicates };
    Ok(Prepared { checked: Checked { errors, ..checked }, base, preview })
}

/// The one public check of each new endpoint (at most `CHECKED_AT_ONCE`).
async fn check_new(env: &Env<'_>, draft: &BrandDraft) -> Vec<CheckSummary> {
    let mut out = Vec::new();
    for e in draft.new_endpoints().take(CHECKED_AT_ONCE) {
        let summary = |health: &str, problems: Vec<String>| CheckSummary {
            address: e.address.clone(),
            health: health.to_string(),
            problems,
        };
        if !(env.may_check)() {
            out.push(summary("unknown", vec!["Not checked: too many checks from this address just now.".into()]));
            continue;
        }
        let report = match parse_base(&e.address) {
            Ok(url) => check_endpoint(env.fetch, &url, &CheckOptions { origin: env.base.to_string() }).await,
            Err(refused) => Err(refused),
        };
        out.push(match report {
            Ok(r) => summary(r.health.as_str(), r.problems),
            Err(refused) => summary("refused", vec![refused.to_string()]),
        });
    }
    out
}

fn kind_of(brand_id: Option<i32>, preview: &ProposalPreview) -> ProposalKind {
    match brand_id {
        None => ProposalKind::NewBrand,
        Some(_) if preview.changes.iter().all(|c| c.path == "endpoints/new") => ProposalKind::NewEndpoint,
        Some(_) => ProposalKind::Edit,
    }
}

fn json<T: serde::Serialize>(v: &T) -> Option<String> {
    serde_json::to_string(v).ok()
}

/// Proposes a new brand (`brand_id` `None`) or a change to one. With `preview`, only checks.
#[allow(clippy::too_many_arguments)]
pub async fn propose<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    env: &Env<'_>,
    actor: &Actor,
    brand_id: Option<i32>,
    draft: &BrandDraft,
    comment: &str,
    preview: bool,
    now: i64,
) -> Result<ProposeOutcome, AppError> {
    policy::propose_change(actor)?;
    let account_id = actor.account_id().ok_or_else(|| AppError::Unauthorized("log in first".into()))?;
    let open = proposal::Entity::find()
        .filter(proposal::Column::ProposerId.eq(account_id))
        .filter(proposal::Column::State.is_in([ProposalState::Pending, ProposalState::NeedsInfo]))
        .count(db)
        .await?;
    if open >= MAX_OPEN_PER_ACCOUNT {
        return Err(AppError::Conflict(format!(
            "you have {open} open proposals; wait for some to be decided, or withdraw some"
        )));
    }
    let prepared = prepare(db, env, brand_id, draft).await?;
    if preview || prepared.checked.blocked() || !prepared.checked.errors.is_empty() {
        return Ok(ProposeOutcome::Checked { preview: prepared.preview, errors: prepared.checked.errors });
    }
    let checks = check_new(env, &prepared.checked.draft).await;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let row = proposal::ActiveModel {
        kind: Set(kind_of(brand_id, &prepared.preview)),
        state: Set(ProposalState::Pending),
        brand_id: Set(brand_id),
        endpoint_id: Set(None),
        proposer_id: Set(Some(account_id)),
        reporter_email: Set(None),
        report_kind: Set(None),
        report_detail: Set(None),
        comment: Set(message_text(comment)),
        base: Set(prepared.base.as_ref().and_then(json)),
        draft: Set(json(&prepared.checked.draft)),
        findings: Set(json(&prepared.checked.findings)),
        check_result: Set(json(&checks)),
        created_at: Set(now),
        updated_at: Set(now),
        decided_at: Set(None),
        decided_by: Set(None),
        decision_reason: Set(None),
        client: Set(actor.client.chars().take(64).collect()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let trusted = account::Entity::find_by_id(account_id).one(&txn).await?.is_some_and(|a| a.trusted);
    let maintainer = crate::server::services::publishing::claims::maintainer_org_for_change(&txn, brand_id).await?;
    let applied = if policy::apply_at_once(actor, trusted, maintainer).is_ok() {
        let maintains = policy::apply_at_once(actor, false, maintainer).is_ok();
        let origin = if maintains {
            crate::types::proposals::ChangeOrigin::Maintainer
        } else {
            crate::types::proposals::ChangeOrigin::Trusted
        };
        match review::decide_approve(&txn, actor, &row, None, false, origin, env.base, now).await? {
            review::ApproveOutcome::Approved { .. } => {
                // A maintainer's edit of its brand is published at once, as a new version.
                if let (true, Some(org)) = (maintains, maintainer) {
                    let base = env.base.trim_end_matches('/');
                    crate::server::services::publishing::publications::record(
                        &txn,
                        org,
                        base,
                        "edit",
                        &format!("proposal #{}", row.id),
                        actor.account_id(),
                        now,
                    )
                    .await?;
                }
                true
            }
            // Someone changed the same fields meanwhile: it waits for a moderator instead.
            review::ApproveOutcome::Conflict(_) | review::ApproveOutcome::Invalid(_) => false,
        }
    } else {
        false
    };
    if !applied {
        mails::send(&txn, env.base, &actor.label(), row.id, now, ProposalMail::Received, now).await?;
        tell_maintainer(&txn, env.base, maintainer, brand_id, row.id, now).await?;
    }
    txn.commit().await?;
    Ok(ProposeOutcome::Created { id: row.id, applied })
}

/// Mails the members of the organization that maintains the brand: the proposal (or report)
/// goes to its queue.
pub(crate) async fn tell_maintainer(
    db: &impl ConnectionTrait,
    base: &str,
    maintainer: Option<i32>,
    brand_id: Option<i32>,
    proposal_id: i32,
    now: i64,
) -> Result<(), AppError> {
    use crate::server::services::publishing::mails::{ClaimMail, send_to_members};
    let (Some(org), Some(brand_id)) = (maintainer, brand_id) else { return Ok(()) };
    let Some(b) = crate::server::entities::brand::Entity::find_by_id(brand_id).one(db).await? else { return Ok(()) };
    let link = format!("{}/proposals/{proposal_id}", base.trim_end_matches('/'));
    let key = format!("proposal:{proposal_id}:maintainer");
    send_to_members(db, org, &key, ClaimMail::Waiting { brand: &b.name, link: &link }, now).await
}

/// The proposal, locked for the rest of the transaction (`FOR UPDATE` on PostgreSQL).
pub(crate) async fn locked(db: &impl ConnectionTrait, id: i32) -> Result<proposal::Model, AppError> {
    proposal::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("there is no such proposal".into()))
}

pub(crate) fn moved(state: ProposalState, event: ProposalEvent) -> Result<ProposalState, AppError> {
    state
        .next(event)
        .ok_or_else(|| AppError::Conflict(format!("this proposal is {} already", state.label().to_lowercase())))
}

/// The proposer changes an open proposal's draft (its base stays the record as it was when
/// first proposed, so the moderator still sees what changed since).
#[allow(clippy::too_many_arguments)]
pub async fn edit<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    env: &Env<'_>,
    actor: &Actor,
    id: i32,
    draft: &BrandDraft,
    comment: &str,
    preview: bool,
    now: i64,
) -> Result<ProposeOutcome, AppError> {
    let existing =
        proposal::Entity::find_by_id(id).one(db).await?.ok_or_else(|| AppError::NotFound("no such proposal".into()))?;
    policy::change_proposal(actor, existing.proposer_id)?;
    if existing.kind == ProposalKind::Report {
        return Err(AppError::BadRequest("a report is answered in its thread, not edited".into()));
    }
    moved(existing.state, ProposalEvent::Edit)?;
    let prepared = prepare(db, env, existing.brand_id, draft).await?;
    if preview || prepared.checked.blocked() || !prepared.checked.errors.is_empty() {
        return Ok(ProposeOutcome::Checked { preview: prepared.preview, errors: prepared.checked.errors });
    }
    let checks = check_new(env, &prepared.checked.draft).await;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let row = locked(&txn, id).await?;
    let next = moved(row.state, ProposalEvent::Edit)?;
    let mut am: proposal::ActiveModel = row.into();
    am.state = Set(next);
    am.kind = Set(kind_of(existing.brand_id, &prepared.preview));
    am.draft = Set(json(&prepared.checked.draft));
    am.findings = Set(json(&prepared.checked.findings));
    am.check_result = Set(json(&checks));
    am.comment = Set(message_text(comment));
    am.updated_at = Set(now);
    am.update(&txn).await?;
    txn.commit().await?;
    Ok(ProposeOutcome::Created { id, applied: false })
}

pub async fn withdraw<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
    now: i64,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let row = locked(&txn, id).await?;
    policy::change_proposal(actor, row.proposer_id)?;
    let next = moved(row.state, ProposalEvent::Withdraw)?;
    let mut am: proposal::ActiveModel = row.into();
    am.state = Set(next);
    am.updated_at = Set(now);
    am.decided_at = Set(Some(now));
    am.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// A report of a problem, from anyone.
pub struct Report<'a> {
    pub brand_id: i32,
    pub endpoint_id: Option<i32>,
    pub kind: &'a str,
    pub detail: &'a str,
    pub comment: &'a str,
    /// For the answer, from a visitor who is not signed in.
    pub email: &'a str,
}

pub enum ReportOutcome {
    Sent { id: i32 },
    Invalid(FormErrors),
}

pub async fn report<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    base: &str,
    r: &Report<'_>,
    now: i64,
) -> Result<ReportOutcome, AppError> {
    let mut errors = FormErrors::default();
    let Some(target) = brand::Entity::find_by_id(r.brand_id).one(db).await? else {
        return Err(AppError::NotFound("there is no such brand".into()));
    };
    let loaded = drafts::load(db, target.id).await?.ok_or_else(|| AppError::NotFound("no such brand".into()))?;
    if let Some(e) = r.endpoint_id
        && !loaded.links.iter().any(|l| l.endpoint_id == e)
    {
        errors.add("endpoint", "That endpoint is not one of this brand's.");
    }
    let kind = ReportKind::parse(r.kind);
    let detail = message_text(r.detail);
    match kind {
        None => errors.add("kind", "Choose what is wrong."),
        Some(ReportKind::Moved) => {
            if let Err(e) = crate::server::fhir::address::EndpointAddress::parse(&detail) {
                errors.add("detail", format!("Give the new address: {e}."));
            }
        }
        Some(ReportKind::Duplicate) => {
            let other = detail.trim_start_matches("/brands/").trim().parse::<i32>().ok();
            let exists = match other {
                Some(n) if n != target.id => brand::Entity::find_by_id(n).one(db).await?.is_some(),
                _ => false,
            };
            if !exists {
                errors.add("detail", "Give the other brand's number (in its address, /brands/N).");
            }
        }
        _ => {}
    }
    let comment = message_text(r.comment);
    if comment.is_empty() {
        errors.add("comment", "Say what you saw, so a moderator can check it.");
    }
    let email = match (actor.viewer.is_some(), r.email.trim()) {
        (true, _) | (false, "") => None,
        (false, text) => match EmailAddress::parse(text) {
            Ok(e) => Some(e.as_str().to_string()),
            Err(e) => {
                errors.add("email", e);
                None
            }
        },
    };
    if !errors.is_empty() {
        return Ok(ReportOutcome::Invalid(errors));
    }
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let row = proposal::ActiveModel {
        kind: Set(ProposalKind::Report),
        state: Set(ProposalState::Pending),
        brand_id: Set(Some(target.id)),
        endpoint_id: Set(r.endpoint_id),
        proposer_id: Set(actor.account_id()),
        reporter_email: Set(email.clone()),
        report_kind: Set(kind),
        report_detail: Set((!detail.is_empty()).then_some(detail)),
        comment: Set(comment),
        created_at: Set(now),
        updated_at: Set(now),
        client: Set(actor.client.chars().take(64).collect()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // Only a signed-in reporter's (confirmed) address is mailed at once; a visitor's address
    // gets the moderator's decision only, so the form cannot be used to mail strangers.
    if let Some(v) = &actor.viewer {
        mails::send(&txn, base, &v.email, row.id, now, ProposalMail::ReportReceived, now).await?;
    }
    let maintainer =
        crate::server::services::publishing::claims::maintainer_org_for_change(&txn, Some(target.id)).await?;
    tell_maintainer(&txn, base, maintainer, Some(target.id), row.id, now).await?;
    txn.commit().await?;
    Ok(ReportOutcome::Sent { id: row.id })
}

/// A message in a proposal's thread: the proposer's answer (the proposal goes back to the
/// moderators), or a moderator's question (it waits for the proposer, who is mailed).
pub async fn post_message<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    base: &str,
    id: i32,
    body: &str,
    now: i64,
) -> Result<(), AppError> {
    let body = message_text(body);
    if body.is_empty() {
        return Err(AppError::BadRequest("the message is empty".into()));
    }
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let row = locked(&txn, id).await?;
    let proposer = row.proposer_id.is_some() && actor.account_id() == row.proposer_id;
    let event = if proposer {
        policy::change_proposal(actor, row.proposer_id)?;
        ProposalEvent::Answer
    } else {
        super::scope::may_moderate(&txn, actor, row.brand_id).await?;
        ProposalEvent::Ask
    };
    let next = moved(row.state, event)?;
    if event == ProposalEvent::Ask && row.proposer_id.is_none() {
        return Err(AppError::Conflict("a visitor's report has nobody to answer a question: decide on it".into()));
    }
    let count =
        proposal_message::Entity::find().filter(proposal_message::Column::ProposalId.eq(id)).count(&txn).await?;
    if count >= MAX_MESSAGES {
        return Err(AppError::Conflict(format!("this thread has {count} messages, the most one may have")));
    }
    let message = proposal_message::ActiveModel {
        proposal_id: Set(id),
        author_id: Set(actor.account_id()),
        author_label: Set(actor.label().chars().take(254).collect()),
        from_moderator: Set(!proposer),
        body: Set(body.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if !proposer {
        review::audit(&txn, actor, crate::server::entities::audit_log::AuditAction::ProposalAsk, &row, None, now)
            .await?;
        if let Some(to) = review::proposer_address(&txn, &row).await? {
            mails::send(&txn, base, &to, id, message.id as i64, ProposalMail::Question { body: &body }, now).await?;
        }
    }
    let mut am: proposal::ActiveModel = row.into();
    am.state = Set(next);
    am.updated_at = Set(now);
    am.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// How many changes an account proposed, and how many were accepted (reports do not count).
pub async fn contributions(db: &impl ConnectionTrait, account_id: i32) -> Result<(u64, u64), AppError> {
    Ok(contributions_of(db, vec![account_id]).await?.remove(&account_id).unwrap_or_default())
}

/// `contributions` of several accounts, in one query.
pub async fn contributions_of(
    db: &impl ConnectionTrait,
    accounts: Vec<i32>,
) -> Result<std::collections::HashMap<i32, (u64, u64)>, AppError> {
    let mut out = std::collections::HashMap::new();
    if accounts.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(Option<i32>, ProposalState)> = proposal::Entity::find()
        .select_only()
        .columns([proposal::Column::ProposerId, proposal::Column::State])
        .filter(proposal::Column::ProposerId.is_in(accounts))
        .filter(proposal::Column::Kind.ne(ProposalKind::Report))
        .into_tuple()
        .all(db)
        .await?;
    for (account, state) in rows {
        let Some(account) = account else { continue };
        let c: &mut (u64, u64) = out.entry(account).or_default();
        c.0 += 1;
        c.1 += u64::from(state == ProposalState::Approved);
    }
    Ok(out)
}
