//! What the proposal pages read: one proposal with its differences and thread, a proposer's own
//! list, the moderators' queue with the import conflicts, the form's starting draft, and the
//! public "needs attention" list.
use super::drafts;
use super::duplicates;
use super::review::draft_in;
use crate::error::AppError;
use crate::server::entities::{account, brand, import_conflict, proposal, proposal_message, source};
use crate::server::policy::{self, Actor};
use crate::server::services::search::SearchState;
use crate::server::services::sql::statement;
use crate::types::brand::BrandLink;
use crate::types::proposals::{
    AttentionPage, BrandDraft, CheckSummary, ConflictView, DownEndpoint, FieldDiff, ProposalForm, ProposalKind,
    ProposalMessageView, ProposalRow, ProposalState, ProposalView, QueueFilter, QueuePage, diff, display_value,
    field_label, same,
};
use crate::types::validation::Finding;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;
use std::collections::HashMap;

/// Rows in one list at most.
const LIST: u64 = 200;

async fn brand_links(db: &impl ConnectionTrait, ids: Vec<i32>) -> Result<HashMap<i32, BrandLink>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(brand::Entity::find()
        .filter(brand::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, BrandLink { id: b.id, name: b.name }))
        .collect())
}

async fn emails(db: &impl ConnectionTrait, ids: Vec<i32>) -> Result<HashMap<i32, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.email))
        .collect())
}

fn proposer_label(row: &proposal::Model, emails: &HashMap<i32, String>) -> String {
    match row.proposer_id {
        Some(id) => emails.get(&id).cloned().unwrap_or_else(|| format!("deleted account #{id}")),
        None => "a visitor".into(),
    }
}

fn title(row: &proposal::Model, brand: Option<&BrandLink>) -> String {
    let name = brand.map(|b| b.name.clone()).unwrap_or_default();
    match row.kind {
        ProposalKind::NewBrand => {
            let proposed = draft_in(&row.draft).map(|d| d.name).unwrap_or_default();
            format!("New brand: {proposed}")
        }
        ProposalKind::Edit => format!("Edit of {name}"),
        ProposalKind::NewEndpoint => format!("New endpoint for {name}"),
        ProposalKind::Report => {
            let what = row.report_kind.map(|k| k.label()).unwrap_or("A problem");
            format!("Report on {name}: {what}")
        }
    }
}

async fn rows(db: &impl ConnectionTrait, found: Vec<proposal::Model>) -> Result<Vec<ProposalRow>, AppError> {
    let brands = brand_links(db, found.iter().filter_map(|r| r.brand_id).collect()).await?;
    let people = emails(db, found.iter().filter_map(|r| r.proposer_id).collect()).await?;
    Ok(found
        .iter()
        .map(|r| {
            let brand = r.brand_id.and_then(|id| brands.get(&id)).cloned();
            ProposalRow {
                id: r.id,
                kind: r.kind,
                state: r.state,
                title: title(r, brand.as_ref()),
                brand,
                proposer: proposer_label(r, &people),
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
        })
        .collect())
}

/// One proposal, for its proposer and moderators.
pub async fn view(
    db: &impl ConnectionTrait,
    search: &SearchState,
    actor: &Actor,
    id: i32,
) -> Result<ProposalView, AppError> {
    let row =
        proposal::Entity::find_by_id(id).one(db).await?.ok_or_else(|| AppError::NotFound("no such proposal".into()))?;
    let maintainer = crate::server::services::publishing::claims::maintainer_org(db, row.brand_id).await?;
    policy::read_proposal(actor, row.proposer_id, maintainer)?;
    let moderator = policy::moderate(actor, maintainer).is_ok();
    let can_moderate = row.state.is_open() && moderator;
    let can_edit = row.state.is_open()
        && row.kind != ProposalKind::Report
        && policy::change_proposal(actor, row.proposer_id).is_ok();
    let base = draft_in(&row.base);
    let draft = draft_in(&row.draft);
    let current = match row.brand_id {
        Some(b) => drafts::load(db, b).await?.map(|l| drafts::draft_of(&l)),
        None => None,
    };
    let changes = match &draft {
        Some(d) => diff(&base.clone().unwrap_or_default().fields(), &d.fields()),
        None => Vec::new(),
    };
    let changed_since = match (&base, &current, row.state.is_open()) {
        (Some(b), Some(c), true) => since(b, c, &changes),
        _ => Vec::new(),
    };
    let duplicates = match (&draft, row.state.is_open()) {
        (Some(d), true) => duplicates::find(db, search, row.brand_id, d).await?,
        _ => Vec::new(),
    };
    let messages = proposal_message::Entity::find()
        .filter(proposal_message::Column::ProposalId.eq(id))
        .order_by_asc(proposal_message::Column::Id)
        .limit(super::proposals::MAX_MESSAGES)
        .all(db)
        .await?
        .into_iter()
        .map(|m| ProposalMessageView {
            // Moderators' addresses are for moderators.
            author: if m.from_moderator && !moderator { "A moderator".into() } else { m.author_label },
            from_moderator: m.from_moderator,
            body: m.body,
            at: m.created_at,
        })
        .collect();
    let people = emails(db, row.proposer_id.into_iter().collect()).await?;
    let mut proposer = proposer_label(&row, &people);
    if moderator && let Some(e) = &row.reporter_email {
        proposer = format!("a visitor ({e})");
    }
    let brand = match row.brand_id {
        Some(b) => brand_links(db, vec![b]).await?.remove(&b),
        None => None,
    };
    Ok(ProposalView {
        id: row.id,
        kind: row.kind,
        state: row.state,
        brand,
        endpoint_id: row.endpoint_id,
        proposer,
        created_at: row.created_at,
        updated_at: row.updated_at,
        comment: row.comment.clone(),
        report_kind: row.report_kind,
        report_detail: row.report_detail.clone(),
        changes,
        changed_since,
        findings: row
            .findings
            .as_deref()
            .and_then(|t| serde_json::from_str::<Vec<Finding>>(t).ok())
            .unwrap_or_default(),
        checks: row
            .check_result
            .as_deref()
            .and_then(|t| serde_json::from_str::<Vec<CheckSummary>>(t).ok())
            .unwrap_or_default(),
        duplicates,
        messages,
        decision_reason: row.decision_reason.clone(),
        can_moderate,
        can_edit,
        revision: super::review::revision_of(&row),
    })
}

/// Of the fields a proposal changes, those that changed on the record since it was proposed:
/// before is the value then, after the value now.
fn since(base: &BrandDraft, current: &BrandDraft, changes: &[FieldDiff]) -> Vec<FieldDiff> {
    let (b, c) = (base.fields(), current.fields());
    changes
        .iter()
        .filter_map(|ch| {
            let bv = b.get(&ch.path).unwrap_or(&Value::Null);
            let cv = c.get(&ch.path).unwrap_or(&Value::Null);
            (!same(bv, cv)).then(|| FieldDiff {
                path: ch.path.clone(),
                label: field_label(&ch.path),
                before: display_value(bv),
                after: display_value(cv),
            })
        })
        .collect()
}

/// The signed-in account's own proposals and reports, newest first.
pub async fn mine(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<ProposalRow>, AppError> {
    let id = actor.account_id().ok_or_else(|| AppError::Unauthorized("log in first".into()))?;
    let found = proposal::Entity::find()
        .filter(proposal::Column::ProposerId.eq(id))
        .order_by_desc(proposal::Column::Id)
        .limit(LIST)
        .all(db)
        .await?;
    rows(db, found).await
}

/// The moderators' queue, oldest first (the ones waiting longest), and the open import conflicts.
pub async fn queue(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &QueueFilter,
    now: i64,
) -> Result<QueuePage, AppError> {
    let scope = super::scope::moderated_brands(db, actor).await?;
    let mut q = proposal::Entity::find();
    if let Some(brands) = &scope {
        q = q.filter(proposal::Column::BrandId.is_in(brands.clone()));
    }
    q = match filter.state {
        Some(s) => q.filter(proposal::Column::State.eq(s)),
        None => q.filter(proposal::Column::State.is_in([ProposalState::Pending, ProposalState::NeedsInfo])),
    };
    if let Some(k) = filter.kind {
        q = q.filter(proposal::Column::Kind.eq(k));
    }
    if let Some(b) = filter.brand {
        q = q.filter(proposal::Column::BrandId.eq(b));
    }
    if let Some(days) = filter.older_than_days {
        q = q.filter(proposal::Column::CreatedAt.lte(now - i64::from(days) * 86_400));
    }
    let found = q.order_by_asc(proposal::Column::CreatedAt).limit(LIST).all(db).await?;
    let mut conflicts_q = import_conflict::Entity::find().filter(import_conflict::Column::ResolvedAt.is_null());
    if let Some(brands) = &scope {
        conflicts_q = conflicts_q.filter(import_conflict::Column::BrandId.is_in(brands.clone()));
    }
    let open = conflicts_q.order_by_desc(import_conflict::Column::Id).limit(LIST).all(db).await?;
    let brands = brand_links(db, open.iter().map(|c| c.brand_id).collect()).await?;
    let sources: HashMap<i32, String> =
        source::Entity::find().all(db).await?.into_iter().map(|s| (s.id, s.public_name())).collect();
    let conflicts = open
        .into_iter()
        .filter_map(|c| {
            let show = |text: &str| serde_json::from_str::<Value>(text).map(|v| display_value(&v)).unwrap_or_default();
            Some(ConflictView {
                id: c.id,
                brand: brands.get(&c.brand_id)?.clone(),
                label: if c.record_kind == "endpoint" {
                    field_label(&format!("endpoint/{}/{}", c.record_id, c.field))
                } else {
                    field_label(&c.field)
                },
                community_value: show(&c.community_value),
                import_value: show(&c.import_value),
                source: sources.get(&c.source_id).cloned().unwrap_or_default(),
                at: c.at,
            })
        })
        .collect();
    Ok(QueuePage { rows: rows(db, found).await?, conflicts })
}

/// The draft the proposal form starts from: the proposal being edited, the brand as it is, or
/// an empty brand.
pub async fn form(
    db: &impl ConnectionTrait,
    actor: &Actor,
    brand_id: Option<i32>,
    proposal_id: Option<i32>,
) -> Result<ProposalForm, AppError> {
    policy::propose_change(actor)?;
    if let Some(id) = proposal_id {
        let row = proposal::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::NotFound("no such proposal".into()))?;
        policy::change_proposal(actor, row.proposer_id)?;
        if !row.state.is_open() {
            return Err(AppError::Conflict(format!("this proposal is {} already", row.state.label().to_lowercase())));
        }
        let brand = match row.brand_id {
            Some(b) => brand_links(db, vec![b]).await?.remove(&b),
            None => None,
        };
        return Ok(ProposalForm {
            brand,
            proposal_id: Some(id),
            draft: draft_in(&row.draft).unwrap_or_default(),
            ..Default::default()
        });
    }
    match brand_id {
        Some(b) => {
            let loaded =
                drafts::load(db, b).await?.ok_or_else(|| AppError::NotFound("there is no such brand".into()))?;
            Ok(ProposalForm {
                brand: Some(BrandLink { id: b, name: loaded.brand.name.clone() }),
                draft: drafts::draft_of(&loaded),
                ..Default::default()
            })
        }
        None => Ok(ProposalForm { draft: BrandDraft { active: true, ..Default::default() }, ..Default::default() }),
    }
}

/// Down for more than this long: on the "needs attention" list.
const DOWN_FOR_SECS: i64 = 7 * 86_400;

/// The public "needs attention" list.
pub async fn attention(db: &impl ConnectionTrait, now: i64) -> Result<AttentionPage, AppError> {
    let down_sql = "SELECT be.brand_id, b.name, e.id, e.address, h.last_change_at FROM endpoint_health h \
         JOIN endpoint e ON e.id = h.endpoint_id JOIN brand_endpoint be ON be.endpoint_id = e.id \
         JOIN brand b ON b.id = be.brand_id \
         WHERE h.health = 'down' AND h.last_change_at IS NOT NULL AND h.last_change_at <= $1 \
         ORDER BY h.last_change_at, e.id LIMIT 200";
    let down = db
        .query_all_raw(statement(db, down_sql, vec![(now - DOWN_FOR_SECS).into()]))
        .await?
        .iter()
        .filter_map(|r| {
            Some(DownEndpoint {
                brand: BrandLink { id: r.try_get("", "brand_id").ok()?, name: r.try_get("", "name").ok()? },
                endpoint_id: r.try_get("", "id").ok()?,
                address: r.try_get("", "address").ok()?,
                down_since: r.try_get("", "last_change_at").ok()?,
            })
        })
        .collect();
    let links = |sql: &'static str| async move {
        Ok::<_, AppError>(
            db.query_all_raw(statement(db, sql, vec![]))
                .await?
                .iter()
                .filter_map(|r| Some(BrandLink { id: r.try_get("", "id").ok()?, name: r.try_get("", "name").ok()? }))
                .collect::<Vec<_>>(),
        )
    };
    let without_working = links(
        "SELECT b.id, b.name FROM brand b WHERE EXISTS (SELECT 1 FROM brand_endpoint be JOIN endpoint_health h \
         ON h.endpoint_id = be.endpoint_id WHERE be.brand_id = b.id AND h.health = 'down') AND NOT EXISTS \
         (SELECT 1 FROM brand_endpoint be JOIN endpoint_health h ON h.endpoint_id = be.endpoint_id \
         WHERE be.brand_id = b.id AND h.health IN ('up', 'degraded')) ORDER BY b.name, b.id LIMIT 200",
    )
    .await?;
    let without_endpoints = links(
        "SELECT b.id, b.name FROM brand b WHERE b.part_of IS NULL AND NOT EXISTS \
         (SELECT 1 FROM brand_endpoint be WHERE be.brand_id = b.id) ORDER BY b.name, b.id LIMIT 200",
    )
    .await?;
    let reports = proposal::Entity::find()
        .filter(proposal::Column::Kind.eq(ProposalKind::Report))
        .filter(proposal::Column::State.is_in([ProposalState::Pending, ProposalState::NeedsInfo]))
        .order_by_asc(proposal::Column::CreatedAt)
        .limit(LIST)
        .all(db)
        .await?;
    let mut reports = rows(db, reports).await?;
    // The list is public: who reported is not.
    for r in &mut reports {
        r.proposer = String::new();
    }
    Ok(AttentionPage { down, without_working, without_endpoints, reports })
}

/// The draft a moderator edits before approving: the proposal's changes over the record as it
/// is now (conflicting fields take the proposal's value; the page lists them).
pub async fn review_form(db: &impl ConnectionTrait, actor: &Actor, id: i32) -> Result<ProposalForm, AppError> {
    let row =
        proposal::Entity::find_by_id(id).one(db).await?.ok_or_else(|| AppError::NotFound("no such proposal".into()))?;
    super::scope::may_moderate(db, actor, row.brand_id).await?;
    let proposed = draft_in(&row.draft).unwrap_or_default();
    let (brand, draft, record_revision) = match (row.brand_id, row.kind) {
        (Some(b), ProposalKind::Edit | ProposalKind::NewEndpoint) => {
            let loaded = drafts::load(db, b).await?.ok_or_else(|| AppError::NotFound("the brand is gone".into()))?;
            let current = drafts::draft_of(&loaded);
            let base = draft_in(&row.base).unwrap_or_else(|| current.clone());
            let (merged, _) = super::review::merge(&base, &proposed, &current);
            let seen = super::review::record_revision(&current);
            (Some(BrandLink { id: b, name: loaded.brand.name }), merged, seen)
        }
        (_, ProposalKind::Report) => return Err(AppError::BadRequest("a report has no draft to edit".into())),
        _ => (None, proposed, String::new()),
    };
    Ok(ProposalForm {
        brand,
        proposal_id: Some(id),
        draft,
        revision: super::review::revision_of(&row),
        record_revision,
    })
}
