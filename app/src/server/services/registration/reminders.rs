//! SLA reminders: a payer is reminded when a request it has not decided comes within one
//! business day of its target, and again when it passes it. Each stage is sent once: the
//! request's `reminded_stage` moves up by a conditional update, so several instances running
//! this at once send each reminder once.
use super::calendar::Calendar;
use super::clock::Clock;
use super::requests::{current_payer, histories};
use crate::error::AppError;
use crate::server::entities::{brand, client_app, registration_request as request};
use crate::server::services::notify;
use crate::server::services::sql::begin_writing;
use crate::types::registration::{Channel, RequestState, days_label};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession, TransactionTrait};

/// Reminded one business day before the target.
pub const DUE_SOON: i32 = 1;
/// Reminded on breach.
pub const BREACHED: i32 = 2;

/// The stage a clock has reached (0: none).
pub fn stage_of(clock: &Clock) -> i32 {
    if clock.breached {
        BREACHED
    } else if clock.due_soon {
        DUE_SOON
    } else {
        0
    }
}

/// Sends the reminders due at `now`; returns the requests reminded, with their stage.
pub async fn run_due<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    calendar: &Calendar,
    base: &str,
    now: i64,
) -> Result<Vec<(i32, i32)>, AppError> {
    let rows = request::Entity::find()
        .filter(request::Column::State.is_in([RequestState::Submitted, RequestState::InReview]))
        .filter(request::Column::Channel.is_in([Channel::Queue, Channel::Email]))
        .filter(
            Condition::any()
                .add(request::Column::RemindedStage.is_null())
                .add(request::Column::RemindedStage.lt(BREACHED)),
        )
        .all(db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let clocks = histories(db, &ids).await?;
    let mut sent = Vec::new();
    for r in rows {
        let clock = Clock::of(
            clocks.get(&r.id).map_or(&[][..], Vec::as_slice),
            &calendar.in_zone(r.time_zone.as_deref()),
            i64::from(r.target_days),
            now,
        );
        let stage = stage_of(&clock);
        if stage <= r.reminded_stage.unwrap_or(0) {
            continue;
        }
        let txn = db.begin().await?;
        begin_writing(&txn).await?;
        let moved = request::Entity::update_many()
            .col_expr(request::Column::RemindedStage, Expr::value(stage))
            .filter(request::Column::Id.eq(r.id))
            .filter(request::Column::State.is_in([RequestState::Submitted, RequestState::InReview]))
            .filter(
                Condition::any()
                    .add(request::Column::RemindedStage.is_null())
                    .add(request::Column::RemindedStage.lt(stage)),
            )
            .exec(&txn)
            .await?;
        if moved.rows_affected == 1 {
            tell(&txn, &r, &clock, stage, base, now).await?;
            sent.push((r.id, stage));
        }
        txn.commit().await?;
    }
    Ok(sent)
}

async fn tell(
    db: &impl ConnectionTrait,
    r: &request::Model,
    clock: &Clock,
    stage: i32,
    base: &str,
    now: i64,
) -> Result<(), AppError> {
    let app = client_app::Entity::find_by_id(r.app_id).one(db).await?.map(|a| a.client_name).unwrap_or_default();
    let b = brand::Entity::find_by_id(r.brand_id).one(db).await?.map(|b| b.name).unwrap_or_default();
    let link = format!("{}/requests/{}", base.trim_end_matches('/'), r.id);
    let (subject, lead) = if stage == BREACHED {
        (
            format!("Past its target: {app} at {b}"),
            format!("The request is past your target of {} business days.", r.target_days),
        )
    } else {
        (
            format!("Due within a business day: {app} at {b}"),
            format!(
                "The request reaches your target of {} business days within one business day ({} left).",
                r.target_days,
                days_label(clock.left_secs)
            ),
        )
    };
    let body = format!(
        "{lead}\n\n{app} asks {b} for {} access; it has waited {} business days on you.\n",
        r.environment.as_str(),
        days_label(clock.elapsed_secs)
    );
    let key = format!("request-remind:{}:{stage}", r.id);
    // The brand's maintainer works it in its queue (also a request mailed before the claim);
    // otherwise the registration contact, with a new link.
    match (current_payer(db, r).await?, r.channel) {
        (Some(payer), _) => notify::members(db, payer, &key, &subject, &format!("{body}\n{link}\n"), now).await,
        (None, Channel::Email) => {
            super::email_payers::mail_contact(db, r, &key, &subject, &body, true, base, now).await
        }
        (None, _) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_follow_the_clock() {
        let c = |breached, due_soon| Clock { elapsed_secs: 0, target_days: 5, left_secs: 0, breached, due_soon };
        assert_eq!(stage_of(&c(false, false)), 0);
        assert_eq!(stage_of(&c(false, true)), DUE_SOON);
        assert_eq!(stage_of(&c(true, false)), BREACHED);
    }
}
