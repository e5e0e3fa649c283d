//! Registration requests: a developer organization asks one payer brand or many at once for
//! access for an app; the payer's members work it (review, ask for information, approve with the
//! client id they issued, deny on a security or technical ground); every change is an event the
//! SLA clock reads, and a mail to the other side through the outbox.
use super::calendar::Calendar;
use super::clock::Clock;
use crate::error::AppError;
use crate::server::entities::{brand, client_app, organization, registration_request as request, request_event};
use crate::server::policy::{self, Actor};
use crate::server::services::apps::public;
use crate::server::services::notify;
use crate::server::services::publishing::{claims, facts};
use crate::server::services::sql::begin_writing;
use crate::types::registration::{Channel, Environment, RequestState};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

/// Brands one request may go to at once.
pub const MAX_BRANDS: usize = 100;
/// The default turnaround target, business days.
pub const DEFAULT_TARGET_DAYS: i32 = 5;

/// What became of asking one brand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Asked {
    Requested {
        brand_id: i32,
        request_id: i32,
        channel: Channel,
    },
    /// The app already has an open or approved request there, in that environment.
    AlreadyOpen {
        brand_id: i32,
        request_id: i32,
    },
    Refused {
        brand_id: i32,
        why: String,
    },
}

pub(super) async fn developer_org(db: &impl ConnectionTrait, org_id: i32) -> Result<organization::Model, AppError> {
    organization::Entity::find_by_id(org_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no organization {org_id}")))
}

/// Where a brand's requests go, and its target for the environment.
pub(super) async fn route(
    db: &impl ConnectionTrait,
    brand_id: i32,
    environment: Environment,
) -> Result<Result<(Channel, Option<i32>, i32), String>, AppError> {
    let (row, parsed) = facts::stored(db, brand_id).await?;
    let stated = row.is_some();
    let f = parsed.facts;
    let target = match environment {
        Environment::Production => f.turnaround_days,
        Environment::Sandbox => f.turnaround_sandbox_days.unwrap_or(f.turnaround_days),
    };
    let target = if stated && target > 0 { i32::from(target) } else { DEFAULT_TARGET_DAYS };
    if let Some(org) = claims::maintainer_org(db, Some(brand_id)).await? {
        return Ok(Ok((Channel::Queue, Some(org), target)));
    }
    if super::email_payers::contact(db, brand_id).await?.is_some() {
        return Ok(Ok((Channel::Email, None, target)));
    }
    if f.registration_url.is_some() || f.developer_portal.is_some() {
        return Ok(Ok((Channel::External, None, target)));
    }
    Ok(Err("this payer takes no requests through Signpost yet, and states no registration address".into()))
}

/// Asks each brand for access for the app, in one environment.
#[allow(clippy::too_many_arguments)]
pub async fn request_access<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    org_id: i32,
    app_id: i32,
    brand_ids: &[i32],
    environment: Environment,
    base: &str,
    now: i64,
) -> Result<Vec<Asked>, AppError> {
    let org = developer_org(db, org_id).await?;
    policy::request_access(actor, org_id, org.kind)?;
    let mut ids = brand_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(AppError::BadRequest("choose at least one payer".into()));
    }
    if ids.len() > MAX_BRANDS {
        return Err(AppError::TooLarge(format!("at most {MAX_BRANDS} payers at once")));
    }
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    // The app's row, locked: two batches at once do not open the same request twice.
    let app = client_app::Entity::find_by_id(app_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|a| a.organization_id == org_id)
        .ok_or_else(|| AppError::NotFound(format!("there is no app {app_id} here")))?;
    let (status, _) = public::status(&txn, app_id, now).await?;
    let mut out = Vec::new();
    for brand_id in ids {
        let Some(b) = brand::Entity::find_by_id(brand_id).one(&txn).await?.filter(|b| b.active) else {
            out.push(Asked::Refused { brand_id, why: format!("there is no brand {brand_id}") });
            continue;
        };
        let open = request::Entity::find()
            .filter(request::Column::AppId.eq(app_id))
            .filter(request::Column::BrandId.eq(brand_id))
            .filter(request::Column::Environment.eq(environment))
            .filter(request::Column::State.is_in([
                RequestState::Submitted,
                RequestState::InReview,
                RequestState::NeedsInfo,
                RequestState::Approved,
            ]))
            .one(&txn)
            .await?;
        if let Some(r) = open {
            out.push(Asked::AlreadyOpen { brand_id, request_id: r.id });
            continue;
        }
        let (channel, payer_org, target) = match route(&txn, brand_id, environment).await? {
            Ok(x) => x,
            Err(why) => {
                out.push(Asked::Refused { brand_id, why });
                continue;
            }
        };
        let time_zone = match payer_org {
            Some(p) => Some(super::settings::of(&txn, p).await?.zone.name().to_string()),
            None => None,
        };
        let r = request::ActiveModel {
            time_zone: Set(time_zone),
            app_id: Set(app_id),
            app_version: Set(app.current_version),
            brand_id: Set(brand_id),
            payer_org_id: Set(payer_org),
            environment: Set(environment),
            channel: Set(channel),
            state: Set(RequestState::Submitted),
            target_days: Set(target),
            attestation_status: Set(status.as_str().to_string()),
            self_reported: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            created_by: Set(actor.account_id()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        record_event(&txn, r.id, RequestState::Submitted, actor.account_id(), None, now).await?;
        if let (Channel::Queue, Some(payer)) = (channel, payer_org) {
            let link = format!("{}/requests/{}", base.trim_end_matches('/'), r.id);
            let subject = format!("{} asks {} for {} access", app.client_name, b.name, environment.as_str());
            let body = format!(
                "{} asks for {} access to {} for its app {}. Your target is {target} business days.\n\n{link}\n",
                org.name,
                environment.as_str(),
                b.name,
                app.client_name
            );
            notify::members(&txn, payer, &format!("request-new:{}", r.id), &subject, &body, now).await?;
        }
        if channel == Channel::Email {
            super::email_payers::mail_new(&txn, &r, &org.name, &app.client_name, &b.name, base, now).await?;
        }
        out.push(Asked::Requested { brand_id, request_id: r.id, channel });
    }
    txn.commit().await?;
    Ok(out)
}

pub(super) async fn record_event(
    db: &impl ConnectionTrait,
    request_id: i32,
    state: RequestState,
    actor: Option<i32>,
    note: Option<String>,
    at: i64,
) -> Result<(), AppError> {
    request_event::Entity::insert(request_event::ActiveModel {
        request_id: Set(request_id),
        at: Set(at),
        state: Set(state),
        actor_id: Set(actor),
        note: Set(note),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The request's state history, oldest first, for the clock.
pub async fn history(db: &impl ConnectionTrait, request_id: i32) -> Result<Vec<(i64, RequestState)>, AppError> {
    Ok(request_event::Entity::find()
        .filter(request_event::Column::RequestId.eq(request_id))
        .order_by_asc(request_event::Column::At)
        .order_by_asc(request_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.at, e.state))
        .collect())
}

/// Several requests' state histories, oldest first, by request (in chunks the databases'
/// parameter limits allow).
pub async fn histories(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<std::collections::HashMap<i32, Vec<(i64, RequestState)>>, AppError> {
    let mut out: std::collections::HashMap<i32, Vec<(i64, RequestState)>> = Default::default();
    for chunk in ids.chunks(900) {
        let rows: Vec<(i32, i64, RequestState)> = request_event::Entity::find()
            .select_only()
            .columns([request_event::Column::RequestId, request_event::Column::At, request_event::Column::State])
            .filter(request_event::Column::RequestId.is_in(chunk.to_vec()))
            .order_by_asc(request_event::Column::At)
            .order_by_asc(request_event::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        for (id, at, state) in rows {
            out.entry(id).or_default().push((at, state));
        }
    }
    Ok(out)
}

/// The request's clock at `now`.
pub async fn clock(
    db: &impl ConnectionTrait,
    r: &request::Model,
    calendar: &Calendar,
    now: i64,
) -> Result<Clock, AppError> {
    Ok(Clock::of(&history(db, r.id).await?, &calendar.in_zone(r.time_zone.as_deref()), i64::from(r.target_days), now))
}

/// The payer organization that answers a queue request now: the brand's current maintainer (a
/// claim transferred or revoked takes its requests with it), `None` for other channels.
pub(super) async fn current_payer(db: &impl ConnectionTrait, r: &request::Model) -> Result<Option<i32>, AppError> {
    match r.channel {
        // A request mailed before the brand was claimed is answered by its maintainer now.
        Channel::Queue | Channel::Email => claims::maintainer_org(db, Some(r.brand_id)).await,
        _ => Ok(None),
    }
}

/// The request, its app and its current payer organization, when the actor may read it (either
/// side's members, admins).
pub(super) async fn readable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    request_id: i32,
) -> Result<(request::Model, client_app::Model, Option<i32>), AppError> {
    let r = request::Entity::find_by_id(request_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no request {request_id}")))?;
    let app = client_app::Entity::find_by_id(r.app_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no request {request_id}")))?;
    let payer = current_payer(db, &r).await?;
    policy::view_request(actor, app.organization_id, payer)?;
    Ok((r, app, payer))
}

pub use super::actions::{Acted, Action, act};
pub(super) use super::actions::{Side, change, check, tell};
