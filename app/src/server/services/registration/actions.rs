//! What each side does to a request: the payer's members review, ask, approve, deny and revoke
//! (on an external payer's request the developer records the decision, self-reported); the
//! developer's members answer and withdraw. Every change goes through the state machine, is an
//! event the clock reads, and is a mail to the other side.
use super::calendar::Calendar;
use super::requests::{developer_org, history, readable, record_event};
use crate::error::AppError;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{brand, client_app, registration_request as request, request_event};
use crate::server::policy::{self, Actor};
use crate::server::services::audit::{self, Target};
use crate::server::services::notify;
use crate::server::services::sql::begin_writing;
use crate::types::accounts::FormErrors;
use crate::types::registration::{Channel, DENIAL_REASONS, RequestEvent, RequestState};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

const MAX_TEXT: usize = 2000;
const MAX_CLIENT_ID: usize = 200;

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
pub(super) fn check(action: &Action, self_reported: bool, extra: &[(String, String)]) -> Option<FormErrors> {
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
            let known = |g: &String| {
                DENIAL_REASONS.iter().any(|(code, _)| code == g)
                    || extra.iter().any(|(c, _)| c == g)
                    || g == "attestation"
            };
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
    let extra = match payer {
        Some(p) => super::settings::of(db, p).await?.reasons,
        None => Vec::new(),
    };
    if let Some(errors) = check(&action, self_reported, &extra) {
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
        let calendar = calendar.in_zone(r.time_zone.as_deref());
        am.decision_secs = Set(Some(super::clock::elapsed_secs(&history(txn, request_id).await?, &calendar, now)));
        am.self_reported = Set(self_reported);
    }
    am.update(txn).await?;
    record_event(txn, request_id, next, actor.account_id(), note.clone(), now).await?;
    if !next.is_open() {
        // A decided or withdrawn request takes no more answers by mail.
        super::email_payers::spend_all(txn, request_id, now).await?;
    }
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
