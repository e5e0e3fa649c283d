//! The signed-in dashboard, gathered from the domains it shows: for each of the viewer's
//! developer organizations its apps (attestation status and expiry) and requests (state, clock
//! and next step); for each payer organization its open queue, what it asked developers and its
//! brands' turnaround against their targets; for admins the attestations waiting for review,
//! the open proposals and the SLA breaches across payers.
use super::registration::calendar::Calendar;
use super::registration::overview::{self, TurnaroundCache};
use super::registration::{queue, views};
use crate::error::AppError;
use crate::server::entities::{client_app, proposal, registration_request as request, request_event};
use crate::server::policy::Actor;
use crate::server::services::apps::public::{self, Status};
use crate::types::accounts::{OrgKind, OrgRef};
use crate::types::dashboard::{
    AdminDash, AppLine, AskedLine, BreachLine, Dashboard, DeveloperDash, PayerDash, RequestLine,
};
use crate::types::proposals::ProposalState;
use crate::types::registration::{Channel, QueueFilter, RequestState, RequestSummary, days_label};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

const DAY: i64 = 86_400;

/// What the developer does next, in a few words.
pub fn next_step(r: &RequestSummary) -> String {
    match r.state {
        RequestState::Submitted | RequestState::InReview if r.channel == Channel::External => {
            "register on the payer's portal, then record its answer here".into()
        }
        RequestState::Submitted | RequestState::InReview if r.breached => {
            "waiting on the payer, past its target".into()
        }
        RequestState::Submitted | RequestState::InReview => {
            format!("waiting on the payer: {} business days left", days_label(r.left_secs))
        }
        RequestState::NeedsInfo => "answer the payer's question".into(),
        RequestState::Approved => "approved: use the client id issued".into(),
        RequestState::Denied => "denied: read the grounds, fix and ask again".into(),
        RequestState::Withdrawn => "withdrawn".into(),
        RequestState::Revoked => "approval revoked: read why".into(),
    }
}

async fn developer(
    db: &impl ConnectionTrait,
    org: &OrgRef,
    calendar: &Calendar,
    now: i64,
) -> Result<DeveloperDash, AppError> {
    let apps = client_app::Entity::find()
        .filter(client_app::Column::OrganizationId.eq(org.id))
        .order_by_asc(client_app::Column::ClientName)
        .limit(100)
        .all(db)
        .await?;
    let mut lines = Vec::new();
    for a in &apps {
        let (status, found) = public::status(db, a.id, now).await?;
        let attestation = match status {
            Status::Current => "attested",
            Status::ReviewDue => "attested, re-review due",
            Status::Lapsed => "lapsed",
            Status::None => "not attested",
        };
        lines.push(AppLine {
            id: a.id,
            organization_id: org.id,
            client_name: a.client_name.clone(),
            attestation: attestation.into(),
            valid_until: found.and_then(|(_, at)| at.valid_until),
        });
    }
    let rows = request::Entity::find()
        .filter(request::Column::AppId.is_in(apps.iter().map(|a| a.id)))
        .order_by_desc(request::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let requests = views::summaries(db, rows, calendar, now)
        .await?
        .into_iter()
        .map(|s| RequestLine { next_step: next_step(&s), summary: s })
        .collect();
    Ok(DeveloperDash { organization_id: org.id, name: org.name.clone(), apps: lines, requests })
}

async fn payer(
    db: &impl ConnectionTrait,
    cache: &TurnaroundCache,
    actor: &Actor,
    org: &OrgRef,
    calendar: &Calendar,
    now: i64,
) -> Result<PayerDash, AppError> {
    let queue = queue::queue(db, actor, org.id, QueueFilter::default(), calendar, now).await?;
    let rows = &queue.rows;
    let waiting: Vec<&RequestSummary> = rows.iter().filter(|r| r.state == RequestState::NeedsInfo).collect();
    // The question each waiting request was asked last.
    let mut questions: HashMap<i32, (i64, String)> = HashMap::new();
    for e in request_event::Entity::find()
        .filter(request_event::Column::RequestId.is_in(waiting.iter().map(|r| r.id)))
        .filter(request_event::Column::State.eq(RequestState::NeedsInfo))
        .order_by_asc(request_event::Column::Id)
        .all(db)
        .await?
    {
        questions.insert(e.request_id, (e.at, e.note.unwrap_or_default()));
    }
    let asked = waiting
        .iter()
        .map(|r| {
            let (at, question) = questions.get(&r.id).cloned().unwrap_or_default();
            AskedLine { request_id: r.id, client_name: r.client_name.clone(), brand: r.brand.clone(), question, at }
        })
        .collect();
    let brands = crate::server::services::publishing::claims::maintained_brands(db, &[org.id]).await?;
    let mut figures = Vec::new();
    for b in brands.into_iter().take(20) {
        figures.push(overview::of_brand(db, cache, b, calendar, now).await?.payer);
    }
    Ok(PayerDash {
        organization_id: org.id,
        name: org.name.clone(),
        open: queue.total as u32,
        breached: queue.breached as u32,
        due_soon: queue.due_soon as u32,
        urgent: rows.iter().filter(|r| r.state.clock_runs()).take(10).cloned().collect(),
        asked,
        turnaround: figures,
    })
}

async fn admin(
    db: &impl ConnectionTrait,
    cache: &TurnaroundCache,
    actor: &Actor,
    calendar: &Calendar,
    now: i64,
) -> Result<AdminDash, AppError> {
    let attestations = crate::server::services::apps::review::queue(db, actor).await?.len() as u32;
    let proposals = proposal::Entity::find()
        .filter(proposal::Column::State.is_in([ProposalState::Pending, ProposalState::NeedsInfo]))
        .count(db)
        .await?;
    let waiting = overview::waiting_all(db, cache, calendar, now).await?;
    let mut over: Vec<_> = waiting.into_iter().filter(|w| w.secs > i64::from(w.target_days) * DAY).collect();
    over.sort_by_key(|w| std::cmp::Reverse(w.secs - i64::from(w.target_days) * DAY));
    let total = over.len() as u32;
    over.truncate(50);
    let names = crate::server::services::lookup::brand_names(db, over.iter().map(|w| w.brand_id).collect()).await?;
    Ok(AdminDash {
        attestations_waiting: attestations,
        proposals_open: proposals,
        breaches: over
            .into_iter()
            .map(|w| BreachLine {
                request_id: w.id,
                brand_id: w.brand_id,
                brand: names.get(&w.brand_id).cloned().unwrap_or_default(),
                target_days: w.target_days,
                elapsed_secs: w.secs,
            })
            .collect(),
        breaches_total: total,
    })
}

/// The viewer's dashboard (`401` signed out).
pub async fn dashboard(
    db: &impl ConnectionTrait,
    cache: &TurnaroundCache,
    actor: &Actor,
    calendar: &Calendar,
    now: i64,
) -> Result<Dashboard, AppError> {
    let Some(viewer) = actor.viewer.as_ref() else {
        return Err(AppError::Unauthorized("log in first".into()));
    };
    let mut out = Dashboard { developer: Vec::new(), payer: Vec::new(), admin: None };
    for org in &viewer.orgs {
        match org.kind {
            OrgKind::Payer => out.payer.push(payer(db, cache, actor, org, calendar, now).await?),
            _ => out.developer.push(developer(db, org, calendar, now).await?),
        }
    }
    if viewer.admin {
        out.admin = Some(admin(db, cache, actor, calendar, now).await?);
    }
    Ok(out)
}
