//! Registration requests: a developer organization asks one payer brand or many at once for
//! access for an app; the payer's members work it (review, ask for information, approve with the
//! client id they issued, deny on a security or technical ground); every change is an event the
//! SLA clock reads, and a mail to the other side through the outbox.
use super::calendar::Calendar;
use super::clock::Clock;
use crate::error::AppError;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{brand, client_app, organization, registration_request as request, request_event};
use crate::server::policy::{self, Actor};
use crate::server::services::apps::public;
use crate::server::services::audit::{self, Target};
use crate::server::services::notify;
use crate::server::services::publishing::{claims, facts};
use crate::server::services::sql::begin_writing;
use crate::types::accounts::FormErrors;
use crate::types::registration::{Channel, DENIAL_REASONS, Environment, RequestEvent, RequestState};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

/// Brands one request may go to at once.
pub const MAX_BRANDS: usize = 100;
/// The default turnaround target, business days.
pub const DEFAULT_TARGET_DAYS: i32 = 5;
const MAX_TEXT: usize = 2000;
const MAX_CLIENT_ID: usize = 200;

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

async fn developer_org(db: &impl ConnectionTrait, org_id: i32) -> Result<organization::Model, AppError> {
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
    if !f.registration_email.is_empty() {
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
        let r = request::ActiveModel {
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

async fn record_event(
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
    Ok(Clock::of(&history(db, r.id).await?, calendar, i64::from(r.target_days), now))
}

/// The payer organization that answers a queue request now: the brand's current maintainer (a
/// claim transferred or revoked takes its requests with it), `None` for other channels.
pub(super) async fn current_payer(db: &impl ConnectionTrait, r: &request::Model) -> Result<Option<i32>, AppError> {
    match r.channel {
        Channel::Queue => claims::maintainer_org(db, Some(r.brand_id)).await,
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

/// What a side does to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    StartReview,
    AskInfo {
        question: String,
    },
    Answer {
        text: String,
    },
    Approve {
        client_id: String,
        notes: String,
    },
    /// `grounds`: codes from `DENIAL_REASONS`, or `attestation` (never enough on its own).
    Deny {
        grounds: Vec<String>,
        text: String,
    },
    Withdraw,
    Revoke {
        text: String,
    },
}

#[derive(Debug)]
pub enum Acted {
    Done(RequestState),
    Invalid(FormErrors),
}

fn plain(field: &str, text: &str, max: usize, needed: bool) -> Result<String, FormErrors> {
    let t = crate::types::app_metadata::plain(text, max).map_err(|e| FormErrors::field(field, e))?;
    if needed && t.is_empty() {
        return Err(FormErrors::field(field, "this is needed"));
    }
    Ok(t)
}

/// Checks what an action carries; `None` when it is fine. A denial the developer records for a
/// payer outside Signpost says what the payer said, whatever its ground.
pub(super) fn check(action: &Action, self_reported: bool) -> Option<FormErrors> {
    match action {
        Action::AskInfo { question } => plain("question", question, MAX_TEXT, true).err(),
        Action::Answer { text } => plain("text", text, MAX_TEXT, true).err(),
        Action::Revoke { text } => plain("text", text, MAX_TEXT, true).err(),
        Action::Approve { client_id, notes } => plain("client_id", client_id, MAX_CLIENT_ID, true)
            .err()
            .or_else(|| {
                (client_id.trim().contains(char::is_whitespace))
                    .then(|| FormErrors::field("client_id", "a client id has no spaces"))
            })
            .or_else(|| plain("notes", notes, MAX_TEXT, false).err()),
        Action::Deny { grounds, text } => {
            let known = |g: &String| DENIAL_REASONS.iter().any(|(code, _)| code == g) || g == "attestation";
            if grounds.len() > 20 {
                Some(FormErrors::field("grounds", "at most 20 grounds"))
            } else if let Some(bad) = grounds.iter().find(|g| !known(g)) {
                Some(FormErrors::field("grounds", format!("\"{}\" is not a ground on the list", bad.escape_default())))
            } else if !self_reported && !grounds.iter().any(|g| g != "attestation") {
                Some(FormErrors::field(
                    "grounds",
                    "name a security or technical ground: under CMS-9115-F a payer may not deny access because of \
                     an app's attestation answers, or because it has not attested",
                ))
            } else {
                plain("text", text, MAX_TEXT, true).err()
            }
        }
        Action::StartReview | Action::Withdraw => None,
    }
}

fn event_of(action: &Action) -> RequestEvent {
    match action {
        Action::StartReview => RequestEvent::StartReview,
        Action::AskInfo { .. } => RequestEvent::AskInfo,
        Action::Answer { .. } => RequestEvent::Answer,
        Action::Approve { .. } => RequestEvent::Approve,
        Action::Deny { .. } => RequestEvent::Deny,
        Action::Withdraw => RequestEvent::Withdraw,
        Action::Revoke { .. } => RequestEvent::Revoke,
    }
}

/// Does `action` to the request, for whichever side may: the payer's members review, ask,
/// approve, deny and revoke (on an external payer's request, the developer records those as
/// self-reported); the developer's members answer and withdraw.
#[allow(clippy::too_many_arguments)]
pub async fn act<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    request_id: i32,
    action: Action,
    calendar: &Calendar,
    base: &str,
    now: i64,
) -> Result<Acted, AppError> {
    let (r, app, payer) = readable(db, actor, request_id).await?;
    let developer_side = matches!(action, Action::Answer { .. } | Action::Withdraw);
    let self_reported = !developer_side && r.channel == Channel::External;
    if developer_side || self_reported {
        let org = developer_org(db, app.organization_id).await?;
        policy::request_access(actor, app.organization_id, org.kind)?;
    } else {
        policy::work_request(actor, payer, app.organization_id)?;
    }
    if self_reported && !matches!(action, Action::Approve { .. } | Action::Deny { .. }) {
        return Err(AppError::Conflict("a payer outside Signpost: record only its decision".into()));
    }
    if let Some(errors) = check(&action, self_reported) {
        return Ok(Acted::Invalid(errors));
    }
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let side = if developer_side { Side::Developer } else { Side::Payer { self_reported } };
    let next = change(&txn, actor, request_id, payer, &action, side, calendar, now).await?;
    tell(&txn, &r, &app, payer, next, side, base, now).await?;
    txn.commit().await?;
    Ok(Acted::Done(next))
}

/// Who changed a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Side {
    Developer,
    /// A payer's member, or the developer recording an outside payer's decision.
    Payer {
        self_reported: bool,
    },
    /// An email-only payer's registration contact, through a signed link.
    Contact,
}

/// The state change itself, inside the caller's transaction: the row locked, the state machine
/// asked, the event recorded and a decision audited. Returns the new state.
#[allow(clippy::too_many_arguments)]
pub(super) async fn change(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    request_id: i32,
    payer: Option<i32>,
    action: &Action,
    side: Side,
    calendar: &Calendar,
    now: i64,
) -> Result<RequestState, AppError> {
    let developer_side = side == Side::Developer;
    let self_reported = side == Side::Payer { self_reported: true };
    let r = request::Entity::find_by_id(request_id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no request {request_id}")))?;
    let next = r
        .state
        .next(event_of(action))
        .ok_or_else(|| AppError::Conflict(format!("the request is {}: that does not apply", r.state.label())))?;
    let before = r.state;
    let mut am: request::ActiveModel = r.clone().into();
    am.state = Set(next);
    am.updated_at = Set(now);
    if payer.is_some() {
        am.payer_org_id = Set(payer);
    }
    let note = match action {
        Action::AskInfo { question } => Some(question.trim().to_string()),
        Action::Answer { text } | Action::Revoke { text } => Some(text.trim().to_string()),
        Action::Approve { client_id, notes } => {
            am.client_id = Set(Some(client_id.trim().to_string()));
            am.notes = Set(Some(notes.trim().to_string()).filter(|n| !n.is_empty()));
            None
        }
        Action::Deny { grounds, text } => {
            let mut grounds = grounds.clone();
            grounds.sort();
            grounds.dedup();
            am.denial_reason = Set(Some(grounds.join(",")));
            am.denial_text = Set(Some(text.trim().to_string()));
            Some(text.trim().to_string())
        }
        Action::StartReview | Action::Withdraw => None,
    };
    if next.is_decision() {
        am.decided_at = Set(Some(now));
        am.decision_secs = Set(Some(super::clock::elapsed_secs(&history(txn, request_id).await?, calendar, now)));
        am.self_reported = Set(self_reported);
    }
    am.update(txn).await?;
    record_event(txn, request_id, next, actor.account_id(), note.clone(), now).await?;
    if !developer_side {
        let action_name = match next {
            RequestState::Approved => Some(AuditAction::RequestApprove),
            RequestState::Denied => Some(AuditAction::RequestDeny),
            RequestState::Revoked => Some(AuditAction::RequestRevoke),
            _ => None,
        };
        if let Some(a) = action_name {
            audit::record(
                txn,
                actor,
                a,
                Target::new("registration_request", request_id),
                Some(serde_json::json!({"state": before.as_str()})),
                Some(serde_json::json!({"state": next.as_str(), "self_reported": self_reported, "note": note})),
                now,
            )
            .await?;
        }
    }
    Ok(next)
}

/// The other side hears of the change: the payer's members (or its registration contact, with a
/// new link when it is the payer's turn again), or the developer's members.
#[allow(clippy::too_many_arguments)]
pub(super) async fn tell(
    txn: &impl ConnectionTrait,
    r: &request::Model,
    app: &client_app::Model,
    payer: Option<i32>,
    next: RequestState,
    side: Side,
    base: &str,
    now: i64,
) -> Result<(), AppError> {
    let request_id = r.id;
    let note = request_event::Entity::find()
        .filter(request_event::Column::RequestId.eq(request_id))
        .order_by_desc(request_event::Column::Id)
        .one(txn)
        .await?
        .and_then(|e| e.note);
    let b = brand::Entity::find_by_id(r.brand_id).one(txn).await?.map(|b| b.name).unwrap_or_default();
    let link = format!("{}/requests/{request_id}", base.trim_end_matches('/'));
    let subject = format!("{} at {}: {}", app.client_name, b, next.label());
    let mut body = format!(
        "The request for {} access for {} at {b} is now {}.\n",
        r.environment.as_str(),
        app.client_name,
        next.label()
    );
    if let Some(n) = &note {
        body.push_str(&format!("\n{n}\n"));
    }
    let key = format!("request-{}:{request_id}:{now}", next.as_str());
    match side {
        Side::Developer => match (payer, r.channel) {
            (Some(payer), _) => {
                body.push_str(&format!("\n{link}\n"));
                notify::members(txn, payer, &key, &subject, &body, now).await?
            }
            (None, Channel::Email) => {
                super::email_payers::mail_contact(txn, r, &key, &subject, &body, next.clock_runs(), base, now).await?
            }
            (None, _) => {}
        },
        Side::Payer { self_reported: true } => {}
        Side::Payer { self_reported: false } | Side::Contact => {
            body.push_str(&format!("\n{link}\n"));
            notify::members(txn, app.organization_id, &key, &subject, &body, now).await?
        }
    }
    Ok(())
}
