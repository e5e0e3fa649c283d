//! A payer organization's queue, filtered and sorted: by default the open requests, shortest
//! time left on the clock first. Every open request that matches is put on its clock (so the
//! order, the "past the target" filter and the counts are right however long the queue is);
//! decided ones are ordered and cut in the database. One page shows at most `LISTED`.
use super::calendar::Calendar;
use super::clock::Clock;
use super::views::{LISTED, summaries};
use crate::error::AppError;
use crate::server::entities::{client_app, organization, registration_request as request};
use crate::server::policy::{self, Actor};
use crate::types::registration::{Channel, QueueFilter, QueuePage, RequestState};
use sea_orm::sea_query::{NullOrdering, Order, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq)]
enum SortBy {
    Left,
    Oldest,
    Newest,
}

/// What ordering needs of a row, before the page's rows are read in full.
struct Place {
    id: i32,
    open: bool,
    left_secs: i64,
    created_at: i64,
    decided_at: Option<i64>,
}

impl Place {
    fn key(&self, by: SortBy) -> (bool, i64, i64) {
        match by {
            // Open first, least time left first; then the latest decisions (withdrawn last).
            SortBy::Left if self.open => (false, self.left_secs, -i64::from(self.id)),
            SortBy::Left => (true, -self.decided_at.unwrap_or(0), -i64::from(self.id)),
            SortBy::Oldest => (false, self.created_at, i64::from(self.id)),
            SortBy::Newest => (false, -self.created_at, -i64::from(self.id)),
        }
    }
}

const OPEN: [RequestState; 3] = [RequestState::Submitted, RequestState::InReview, RequestState::NeedsInfo];

/// The states the filter asks for: (open ones, decided or withdrawn ones).
fn states(filter: &QueueFilter) -> Result<(Vec<RequestState>, Vec<RequestState>), AppError> {
    let closed: Vec<RequestState> = RequestState::ALL.into_iter().filter(|s| !s.is_open()).collect();
    let (open, closed) = match filter.state.as_str() {
        "" | "open" => (OPEN.to_vec(), Vec::new()),
        "all" => (OPEN.to_vec(), closed),
        other => match RequestState::parse(other) {
            Some(s) if s.is_open() => (vec![s], Vec::new()),
            Some(s) => (Vec::new(), vec![s]),
            None => return Err(AppError::BadRequest("state is open, all or one state".into())),
        },
    };
    // Only an open request can be past its target.
    Ok(if filter.breached { (open, Vec::new()) } else { (open, closed) })
}

/// The apps that asked these brands whose name holds `part` (any case).
async fn apps_named(db: &impl ConnectionTrait, brands: &[i32], part: &str) -> Result<Vec<i32>, AppError> {
    let asked = Query::select()
        .distinct()
        .column(request::Column::AppId)
        .from(request::Entity)
        .and_where(request::Column::BrandId.is_in(brands.to_vec()))
        .to_owned();
    let apps: Vec<(i32, String)> = client_app::Entity::find()
        .select_only()
        .columns([client_app::Column::Id, client_app::Column::ClientName])
        .filter(client_app::Column::Id.in_subquery(asked))
        .into_tuple()
        .all(db)
        .await?;
    Ok(apps.into_iter().filter(|(_, name)| name.to_lowercase().contains(part)).map(|(id, _)| id).collect())
}

pub async fn queue(
    db: &impl ConnectionTrait,
    actor: &Actor,
    payer_org: i32,
    filter: QueueFilter,
    calendar: &Calendar,
    now: i64,
) -> Result<QueuePage, AppError> {
    if !policy::member_of(actor, payer_org) {
        policy::work_request(actor, None, 0)?;
    }
    let org = organization::Entity::find_by_id(payer_org)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no organization {payer_org}")))?;
    if org.kind != crate::types::accounts::OrgKind::Payer {
        return Err(AppError::Forbidden("a registration queue is a payer organization's".into()));
    }
    let by = match filter.sort.as_str() {
        "" | "left" => SortBy::Left,
        "oldest" => SortBy::Oldest,
        "newest" => SortBy::Newest,
        _ => return Err(AppError::BadRequest("sort is left, oldest or newest".into())),
    };
    let (open_states, closed_states) = states(&filter)?;
    // The requests for the brands the organization maintains now (a transferred claim brings
    // its open requests).
    let brands = crate::server::services::publishing::claims::maintained_brands(db, &[payer_org]).await?;
    let mut q = request::Entity::find()
        .filter(request::Column::BrandId.is_in(brands.clone()))
        .filter(request::Column::Channel.is_in([Channel::Queue, Channel::Email]));
    match filter.older_than_days.trim() {
        "" => {}
        d => match d.parse::<u16>() {
            Ok(days) => q = q.filter(request::Column::CreatedAt.lte(now - i64::from(days) * 86_400)),
            Err(_) => return Err(AppError::BadRequest("older_than_days is a number of days".into())),
        },
    }
    q = match filter.assignee.as_str() {
        "" => q,
        "me" => q.filter(request::Column::AssigneeId.eq(actor.account_id().unwrap_or(0))),
        "none" => q.filter(request::Column::AssigneeId.is_null()),
        id => match id.parse::<i32>() {
            Ok(id) => q.filter(request::Column::AssigneeId.eq(id)),
            Err(_) => return Err(AppError::BadRequest("assignee is me, none or an account".into())),
        },
    };
    let app: String = filter.app.trim().chars().take(100).collect::<String>().to_lowercase();
    if !app.is_empty() {
        q = q.filter(request::Column::AppId.is_in(apps_named(db, &brands, &app).await?));
    }

    let (mut places, breached, due_soon) =
        open_places(db, q.clone(), open_states, filter.breached, calendar, now).await?;
    let mut total = places.len() as u64;
    if !closed_states.is_empty() {
        let closed = q.filter(request::Column::State.is_in(closed_states));
        total += closed.clone().count(db).await?;
        let ordered = match by {
            SortBy::Left => closed
                .order_by_with_nulls(request::Column::DecidedAt, Order::Desc, NullOrdering::Last)
                .order_by_desc(request::Column::Id),
            SortBy::Oldest => closed.order_by_asc(request::Column::CreatedAt).order_by_asc(request::Column::Id),
            SortBy::Newest => closed.order_by_desc(request::Column::CreatedAt).order_by_desc(request::Column::Id),
        };
        let rows: Vec<(i32, i64, Option<i64>)> = ordered
            .select_only()
            .columns([request::Column::Id, request::Column::CreatedAt, request::Column::DecidedAt])
            .limit(LISTED)
            .into_tuple()
            .all(db)
            .await?;
        places.extend(rows.into_iter().map(|(id, created_at, decided_at)| Place {
            id,
            open: false,
            left_secs: 0,
            created_at,
            decided_at,
        }));
    }
    places.sort_by_key(|p| p.key(by));
    places.truncate(LISTED as usize);
    let order: HashMap<i32, usize> = places.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut models = Vec::with_capacity(places.len());
    for chunk in places.chunks(900) {
        models.extend(
            request::Entity::find().filter(request::Column::Id.is_in(chunk.iter().map(|p| p.id))).all(db).await?,
        );
    }
    models.sort_by_key(|m| order.get(&m.id).copied().unwrap_or(usize::MAX));
    let rows = summaries(db, models, calendar, now).await?;
    let members = super::assign::members(db, payer_org).await?;
    Ok(QueuePage { organization_id: payer_org, filter, rows, total, breached, due_soon, members })
}

/// Every matching open request on its clock; with how many are past the target and how many
/// are due within a business day.
async fn open_places(
    db: &impl ConnectionTrait,
    q: Select<request::Entity>,
    states: Vec<RequestState>,
    only_breached: bool,
    calendar: &Calendar,
    now: i64,
) -> Result<(Vec<Place>, u64, u64), AppError> {
    if states.is_empty() {
        return Ok((Vec::new(), 0, 0));
    }
    let rows: Vec<(i32, i32, Option<String>, i64)> = q
        .filter(request::Column::State.is_in(states))
        .select_only()
        .columns([
            request::Column::Id,
            request::Column::TargetDays,
            request::Column::TimeZone,
            request::Column::CreatedAt,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    let histories = super::requests::histories(db, &ids).await?;
    let (mut breached, mut due_soon) = (0, 0);
    let mut places = Vec::with_capacity(rows.len());
    for (id, target_days, zone, created_at) in rows {
        let clock = Clock::of(
            histories.get(&id).map_or(&[][..], Vec::as_slice),
            &calendar.in_zone(zone.as_deref()),
            i64::from(target_days),
            now,
        );
        if only_breached && !clock.breached {
            continue;
        }
        breached += u64::from(clock.breached);
        due_soon += u64::from(clock.due_soon);
        places.push(Place { id, open: true, left_secs: clock.left_secs, created_at, decided_at: None });
    }
    Ok((places, breached, due_soon))
}
