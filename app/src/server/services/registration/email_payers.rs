//! Payers that work no queue on Signpost but state a registration contact in their developer
//! facts: each request is mailed there with a link to answer without an account. A link is a
//! random 256-bit token stored only as its SHA-256; it answers one request once, within
//! `LINK_DAYS`. When it is the payer's turn again (after starting the review, after the
//! developer answers, at each SLA reminder) a new link is mailed.
use super::calendar::Calendar;
use super::requests::{Acted, Action, Side, change, check, tell};
use crate::error::AppError;
use crate::server::entities::{client_app, registration_request as request, request_event, request_link};
use crate::server::policy::Actor;
use crate::server::services::accounts::tokens::{Token, hash_token};
use crate::server::services::outbox::{NewMail, enqueue};
use crate::server::services::publishing::facts;
use crate::server::services::sql::begin_writing;
use crate::types::registration::{Channel, LinkStatus, RequestStep, RespondPage};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession, TransactionTrait,
};

/// How long a link answers.
pub const LINK_DAYS: i64 = 14;
/// The outbox key of every mail that holds a link: its text is dropped once sent.
pub const LINK_KEY_PREFIX: &str = "link:";
const DAY: i64 = 86_400;

/// The brand's registration contact, when requests go there: the brand has no maintainer on
/// Signpost (a maintainer answers in its queue), and the address was not set by a former
/// maintainer (imported, or set by an admin), so a revoked claim does not keep the decisions.
pub(super) async fn contact(db: &impl ConnectionTrait, brand_id: i32) -> Result<Option<String>, AppError> {
    if crate::server::services::publishing::claims::maintainer_org(db, Some(brand_id)).await?.is_some() {
        return Ok(None);
    }
    let (row, parsed) = facts::stored(db, brand_id).await?;
    if row.is_none_or(|r| r.origin == "maintainer") {
        return Ok(None);
    }
    Ok(Some(parsed.facts.registration_email).filter(|e| !e.is_empty()))
}

/// The link still answers for the brand: sent to its contact as it is now.
async fn still_answers(db: &impl ConnectionTrait, link: &request_link::Model, brand_id: i32) -> Result<bool, AppError> {
    Ok(contact(db, brand_id).await?.is_some_and(|c| c == link.sent_to))
}

async fn issue(db: &impl ConnectionTrait, request_id: i32, to: &str, now: i64) -> Result<Token, AppError> {
    // Only the newest link answers.
    spend_all(db, request_id, now).await?;
    let token = Token::generate();
    request_link::Entity::insert(request_link::ActiveModel {
        request_id: Set(request_id),
        token_hash: Set(token.hash()),
        sent_to: Set(to.to_string()),
        created_at: Set(now),
        expires_at: Set(now + LINK_DAYS * DAY),
        used_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(token)
}

/// Spends every unused link of the request (a newer one was sent, or it is decided).
pub(super) async fn spend_all(db: &impl ConnectionTrait, request_id: i32, now: i64) -> Result<(), AppError> {
    request_link::Entity::update_many()
        .col_expr(request_link::Column::UsedAt, Expr::value(now))
        .filter(request_link::Column::RequestId.eq(request_id))
        .filter(request_link::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

fn respond_url(base: &str, token: &Token) -> String {
    format!("{}/respond?token={}", base.trim_end_matches('/'), token.expose())
}

async fn mail(
    db: &impl ConnectionTrait,
    to: String,
    key: &str,
    subject: &str,
    body: String,
    now: i64,
) -> Result<(), AppError> {
    let m = NewMail {
        dedupe_key: key.to_string(),
        recipient: to,
        subject: subject.to_string(),
        body,
        unsubscribe_url: None,
    };
    enqueue(db, &[m], now).await?;
    Ok(())
}

fn link_paragraph(url: &str) -> String {
    format!(
        "Answer here, without an account (the link works once, for {LINK_DAYS} days; a new one comes when it is your \
         turn again):\n{url}\n"
    )
}

/// The mail for a new request.
pub(super) async fn mail_new(
    db: &impl ConnectionTrait,
    r: &request::Model,
    developer: &str,
    app: &str,
    brand: &str,
    base: &str,
    now: i64,
) -> Result<(), AppError> {
    let Some(to) = contact(db, r.brand_id).await? else { return Ok(()) };
    let token = issue(db, r.id, &to, now).await?;
    let subject = format!("{app} asks {brand} for {} access", r.environment.as_str());
    let body = format!(
        "{developer} asks {brand} for {} access for its app {app}, through Signpost. Signpost counts the turnaround \
         against your published target of {} business days, and publishes each payer's record.\n\nThe page below shows \
         the app's registration details; you can start the review, ask the developer a question, approve it with the \
         client id you issue, or deny it on a security or technical ground.\n\n{}",
        r.environment.as_str(),
        r.target_days,
        link_paragraph(&respond_url(base, &token))
    );
    mail(db, to, &format!("{LINK_KEY_PREFIX}request-new:{}", r.id), &subject, body, now).await
}

/// A change the contact should hear of; with a new link when the request waits on the payer.
#[allow(clippy::too_many_arguments)]
pub(super) async fn mail_contact(
    db: &impl ConnectionTrait,
    r: &request::Model,
    key: &str,
    subject: &str,
    body: &str,
    with_link: bool,
    base: &str,
    now: i64,
) -> Result<(), AppError> {
    let Some(to) = contact(db, r.brand_id).await? else { return Ok(()) };
    let mut body = body.to_string();
    let mut key = key.to_string();
    if with_link {
        let token = issue(db, r.id, &to, now).await?;
        body.push('\n');
        body.push_str(&link_paragraph(&respond_url(base, &token)));
        key = format!("{LINK_KEY_PREFIX}{key}");
    }
    mail(db, to, &key, subject, body, now).await
}

fn status_of(link: &request_link::Model, now: i64) -> LinkStatus {
    if link.used_at.is_some() {
        LinkStatus::Used
    } else if link.expires_at <= now {
        LinkStatus::Expired
    } else {
        LinkStatus::Valid
    }
}

async fn link_of(db: &impl ConnectionTrait, token: &str) -> Result<request_link::Model, AppError> {
    request_link::Entity::find()
        .filter(request_link::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("this link is not known: use the newest link mailed to you".into()))
}

/// What the link's page shows: the request and the app's registration details while the link
/// is valid, only its status otherwise.
pub async fn page(
    db: &impl ConnectionTrait,
    token: &str,
    calendar: &Calendar,
    now: i64,
) -> Result<RespondPage, AppError> {
    let link = link_of(db, token).await?;
    let status = status_of(&link, now);
    let mut out = RespondPage {
        status,
        expires_at: link.expires_at,
        summary: None,
        steps: Vec::new(),
        registration: String::new(),
    };
    if status != LinkStatus::Valid {
        return Ok(out);
    }
    let r = request::Entity::find_by_id(link.request_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("the request is gone".into()))?;
    if !still_answers(db, &link, r.brand_id).await? {
        out.status = LinkStatus::Replaced;
        return Ok(out);
    }
    let metadata = crate::server::services::apps::metadata_at(db, r.app_id, r.app_version).await?;
    out.registration = serde_json::to_string_pretty(&metadata.registration_request()).unwrap_or_default();
    out.steps = request_event::Entity::find()
        .filter(request_event::Column::RequestId.eq(r.id))
        .order_by_asc(request_event::Column::At)
        .order_by_asc(request_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| RequestStep { at: e.at, state: e.state, note: e.note })
        .collect();
    out.summary = super::views::summaries(db, vec![r], calendar, now).await?.pop();
    Ok(out)
}

/// The contact answers through the link: start the review, ask, approve or deny. The link is
/// spent in the same transaction as the change, so a failed change leaves it usable.
pub async fn act<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    token: &str,
    action: Action,
    calendar: &Calendar,
    base: &str,
    now: i64,
) -> Result<Acted, AppError> {
    if !matches!(action, Action::StartReview | Action::AskInfo { .. } | Action::Approve { .. } | Action::Deny { .. }) {
        return Err(AppError::BadRequest("a link starts the review, asks, approves or denies".into()));
    }
    let link = link_of(db, token).await?;
    match status_of(&link, now) {
        LinkStatus::Used => {
            return Err(AppError::Conflict("this link was used already: use the newest link mailed to you".into()));
        }
        LinkStatus::Expired => {
            return Err(AppError::Forbidden("this link has expired: use the newest link mailed to you".into()));
        }
        // Whether the contact still answers is checked with the request, below.
        LinkStatus::Valid | LinkStatus::Replaced => {}
    }
    if let Some(errors) = check(&action, false, &[]) {
        return Ok(Acted::Invalid(errors));
    }
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let spent = request_link::Entity::update_many()
        .col_expr(request_link::Column::UsedAt, Expr::value(now))
        .filter(request_link::Column::Id.eq(link.id))
        .filter(request_link::Column::UsedAt.is_null())
        .filter(request_link::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    if spent.rows_affected != 1 {
        return Err(AppError::Conflict("this link was used already: use the newest link mailed to you".into()));
    }
    let r = request::Entity::find_by_id(link.request_id)
        .one(&txn)
        .await?
        .filter(|r| r.channel == Channel::Email)
        .ok_or_else(|| AppError::NotFound("the request is gone".into()))?;
    let app = client_app::Entity::find_by_id(r.app_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("the request is gone".into()))?;
    if !still_answers(&txn, &link, r.brand_id).await? {
        return Err(AppError::Forbidden(
            "this link no longer answers: the payer's registration contact changed, or the brand is now answered on \
             Signpost by its maintainer"
                .into(),
        ));
    }
    let actor = Actor::contact(&link.sent_to, "signed link");
    let next = change(&txn, &actor, r.id, None, &action, Side::Contact, calendar, now).await?;
    tell(&txn, &r, &app, None, next, Side::Contact, base, now).await?;
    if next.clock_runs() || next == crate::types::registration::RequestState::NeedsInfo {
        // Still open: the next step needs a new link (while the developer is asked, one to deny
        // the request should no answer come; the answer brings another).
        let subject = format!("{}: your next link", app.client_name);
        let body = if next.clock_runs() {
            format!("You started reviewing {}'s request. Decide it, or ask the developer, here.\n", app.client_name)
        } else {
            format!(
                "The developer of {} is asked; their answer comes with a new link. Should none come, you can deny the \
                 request here.\n",
                app.client_name
            )
        };
        mail_contact(
            &txn,
            &r,
            &format!("request-link:{}:{}:{now}", r.id, next.as_str()),
            &subject,
            &body,
            true,
            base,
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Acted::Done(next))
}
