//! What each side sees of requests: the app's requests for its developers and one request's
//! page, each with its clock at `now` (the payer's queue is in `queue`).
use super::calendar::Calendar;
use super::clock::Clock;
use crate::error::AppError;
use crate::server::entities::{client_app, organization, registration_request as request, request_event};
use crate::server::policy::{self, Actor};
use crate::types::registration::{Channel, RequestPage, RequestStep, RequestSummary};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Requests a list shows.
pub(crate) const LISTED: u64 = 500;

pub(crate) async fn summaries(
    db: &impl ConnectionTrait,
    rows: Vec<request::Model>,
    calendar: &Calendar,
    now: i64,
) -> Result<Vec<RequestSummary>, AppError> {
    use crate::server::services::lookup;
    let apps = lookup::apps(db, rows.iter().map(|r| r.app_id).collect()).await?;
    let orgs = lookup::org_names(db, apps.values().map(|a| a.organization_id).collect()).await?;
    let brands = lookup::brand_names(db, rows.iter().map(|r| r.brand_id).collect()).await?;
    let assignees = lookup::account_emails(db, rows.iter().filter_map(|r| r.assignee_id).collect()).await?;
    // A decision's clock stopped at the seconds stored with it; the others are replayed.
    let replay: Vec<i32> =
        rows.iter().filter(|r| r.state.is_open() || r.decision_secs.is_none()).map(|r| r.id).collect();
    let histories = super::requests::histories(db, &replay).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let app = apps.get(&r.app_id)?;
            let clock = match r.decision_secs.filter(|_| !r.state.is_open()) {
                Some(secs) => Clock::after(secs, i64::from(r.target_days)),
                None => Clock::of(
                    histories.get(&r.id).map_or(&[][..], Vec::as_slice),
                    &calendar.in_zone(r.time_zone.as_deref()),
                    i64::from(r.target_days),
                    now,
                ),
            };
            Some(RequestSummary {
                id: r.id,
                app_id: r.app_id,
                client_name: app.client_name.clone(),
                developer_org_id: app.organization_id,
                developer_org: orgs.get(&app.organization_id).cloned().unwrap_or_default(),
                brand_id: r.brand_id,
                brand: brands.get(&r.brand_id).cloned().unwrap_or_default(),
                environment: r.environment,
                channel: r.channel,
                state: r.state,
                target_days: r.target_days,
                elapsed_secs: clock.elapsed_secs,
                left_secs: clock.left_secs,
                breached: clock.breached && r.state.is_open(),
                due_soon: clock.due_soon && r.state.is_open(),
                created_at: r.created_at,
                decided_at: r.decided_at,
                attestation_status: r.attestation_status,
                self_reported: r.self_reported,
                assignee: r.assignee_id.and_then(|id| assignees.get(&id).cloned()),
            })
        })
        .collect())
}

/// The app's requests, newest first (its organization's members and admins).
pub async fn of_app(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org_id: i32,
    app_id: i32,
    calendar: &Calendar,
    now: i64,
) -> Result<Vec<RequestSummary>, AppError> {
    policy::view_app(actor, org_id)?;
    client_app::Entity::find_by_id(app_id)
        .one(db)
        .await?
        .filter(|a| a.organization_id == org_id)
        .ok_or_else(|| AppError::NotFound(format!("there is no app {app_id} here")))?;
    let rows = request::Entity::find()
        .filter(request::Column::AppId.eq(app_id))
        .order_by_desc(request::Column::Id)
        .limit(LISTED)
        .all(db)
        .await?;
    summaries(db, rows, calendar, now).await
}

/// One request, for either side and admins.
pub async fn page(
    db: &impl ConnectionTrait,
    actor: &Actor,
    request_id: i32,
    calendar: &Calendar,
    now: i64,
) -> Result<RequestPage, AppError> {
    let (r, app, payer) = super::requests::readable(db, actor, request_id).await?;
    let steps = request_event::Entity::find()
        .filter(request_event::Column::RequestId.eq(request_id))
        .order_by_asc(request_event::Column::At)
        .order_by_asc(request_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| RequestStep { at: e.at, state: e.state, note: e.note })
        .collect();
    let developer_member = policy::member_of(actor, app.organization_id);
    let payer_side = match r.channel {
        Channel::External => developer_member,
        _ => policy::work_request(actor, payer, app.organization_id).is_ok(),
    };
    let (client_id, notes) = (r.client_id.clone(), r.notes.clone());
    let denial = r.denial_reason.clone().map(|g| (g, r.denial_text.clone().unwrap_or_default()));
    let summary = summaries(db, vec![r], calendar, now)
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("there is no request {request_id}")))?;
    let settings = match payer {
        Some(p) => super::settings::of(db, p).await?,
        None => Default::default(),
    };
    let notice =
        settings.notice.clone().filter(|_| matches!(summary.attestation_status.as_str(), "none" | "not_current"));
    let (payer_org, members) = match (payer, payer_side && summary.channel != Channel::External) {
        (Some(org), true) => (Some(org), super::assign::members(db, org).await?),
        _ => (None, Vec::new()),
    };
    Ok(RequestPage {
        summary,
        steps,
        client_id,
        notes,
        denial,
        payer_side,
        developer_side: developer_member,
        payer_org,
        members,
        thread: super::thread::messages(db, request_id).await?,
        denial_reasons: super::settings::all_reasons(&settings),
        notice,
        can_write: developer_member || policy::work_request(actor, payer, app.organization_id).is_ok(),
    })
}

/// The app's requests page: its requests, and the payers a search finds with where each
/// request would go.
#[allow(clippy::too_many_arguments)]
pub async fn requests_page(
    db: &impl ConnectionTrait,
    actor: &Actor,
    search: &crate::server::services::search::SearchState,
    org_id: i32,
    app_id: i32,
    q: &str,
    calendar: &Calendar,
    now: i64,
) -> Result<crate::types::registration::RequestsPage, AppError> {
    use crate::types::registration::{Environment, PickItem};
    let requests = of_app(db, actor, org_id, app_id, calendar, now).await?;
    let app = client_app::Entity::find_by_id(app_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no app {app_id} here")))?;
    let org = organization::Entity::find_by_id(org_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no organization {org_id}")))?;
    let q: String = q.trim().chars().take(200).collect();
    let mut found = Vec::new();
    // "Aetna, Cigna": each part searched, the results together, each brand once.
    let mut seen = std::collections::HashSet::new();
    let mut hits = Vec::new();
    for part in q.split(',').map(str::trim).filter(|p| !p.is_empty()).take(10) {
        let query = crate::types::search::SearchQuery { q: part.to_string(), ..Default::default() };
        hits.extend(search.search(db, &query).await?.results.into_iter().filter(|b| seen.insert(b.id)));
    }
    {
        for b in hits {
            let item = match super::requests::route(db, b.id, Environment::Production).await? {
                Ok((Channel::Queue, _, days)) => PickItem {
                    brand_id: b.id,
                    name: b.name,
                    route: format!("its queue on Signpost, {days} business days in production"),
                    can_ask: true,
                },
                Ok((Channel::Email, _, days)) => PickItem {
                    brand_id: b.id,
                    name: b.name,
                    route: format!("by mail to its registration contact, {days} business days in production"),
                    can_ask: true,
                },
                Ok((_, _, days)) => PickItem {
                    brand_id: b.id,
                    name: b.name,
                    route: format!(
                        "registers apps on its own portal, {days} business days in production; you record its answer"
                    ),
                    can_ask: true,
                },
                Err(why) => PickItem { brand_id: b.id, name: b.name, route: why, can_ask: false },
            };
            found.push(item);
        }
    }
    Ok(crate::types::registration::RequestsPage {
        organization_id: org_id,
        app_id,
        client_name: app.client_name,
        q,
        found,
        requests,
        can_request: policy::request_access(actor, org_id, org.kind).is_ok(),
    })
}
