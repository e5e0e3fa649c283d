//! The passing of an approved attestation's time: reminders 30 and 7 days before it lapses, and
//! its lapse. Run by the poller with `now` passed in; each step is a conditional update, so on
//! several instances each reminder and each lapse is sent once.
use super::mails::{AttestationMail, day};
use crate::error::AppError;
use crate::server::entities::{attestation, client_app};
use crate::server::services::notify;
use crate::server::services::sql::begin_writing;
use crate::types::attestation::{AttestationState, REMINDER_DAYS};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession,
    TransactionTrait,
};

const DAY: i64 = 86_400;
/// Attestations one round looks at.
const BATCH: u64 = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A reminder this many days before it lapses.
    Reminded(i64),
    Expired,
}

/// The reminder due at `now` for an attestation valid until `until` that last had
/// `reminded` (the smallest day count whose window has begun), if it has not been sent.
pub fn reminder_due(until: i64, reminded: Option<i32>, now: i64) -> Option<i64> {
    let left = until - now;
    if left <= 0 {
        return None;
    }
    let due = REMINDER_DAYS.iter().copied().filter(|d| left <= d * DAY).min()?;
    match reminded {
        Some(r) if i64::from(r) <= due => None,
        _ => Some(due),
    }
}

async fn tell(
    db: &impl ConnectionTrait,
    a: &attestation::Model,
    step: Step,
    base: &str,
    now: i64,
) -> Result<(), AppError> {
    let Some(app) = client_app::Entity::find_by_id(a.app_id).one(db).await? else { return Ok(()) };
    let link = format!("{}/orgs/{}/apps/{}/attestation", base.trim_end_matches('/'), app.organization_id, app.id);
    let until = day(a.valid_until.unwrap_or(now));
    let (mail, key) = match step {
        Step::Reminded(days) => (
            AttestationMail::Reminder { app: &app.client_name, days, until: &until, link: &link },
            format!("attestation-reminder:{}:{}:{days}", a.id, a.valid_until.unwrap_or(0)),
        ),
        Step::Expired => {
            (AttestationMail::Lapsed { app: &app.client_name, link: &link }, format!("attestation-lapsed:{}", a.id))
        }
    };
    let (subject, body) = mail.text();
    notify::members(db, app.organization_id, &key, &subject, &body, now).await
}

/// Sends the reminders that are due and ends the attestations whose time ran out.
pub async fn run_due<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    base: &str,
    now: i64,
) -> Result<Vec<(i32, Step)>, AppError> {
    let current = [AttestationState::Approved, AttestationState::ReviewDue];
    // Only rows with something due: lapsed, or inside a reminder's window not yet sent.
    let mut due = Condition::any().add(attestation::Column::ValidUntil.lte(now));
    for d in REMINDER_DAYS {
        due = due.add(
            Condition::all().add(attestation::Column::ValidUntil.lte(now + d * DAY)).add(
                Condition::any()
                    .add(attestation::Column::RemindedDays.is_null())
                    .add(attestation::Column::RemindedDays.gt(d as i32)),
            ),
        );
    }
    let rows = attestation::Entity::find()
        .filter(attestation::Column::State.is_in(current))
        .filter(due)
        .order_by_asc(attestation::Column::ValidUntil)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut done = Vec::new();
    for a in rows {
        let Some(until) = a.valid_until else { continue };
        let txn = db.begin().await?;
        begin_writing(&txn).await?;
        let step = if until <= now {
            let r = attestation::Entity::update_many()
                .col_expr(attestation::Column::State, Expr::value(AttestationState::Expired))
                .col_expr(attestation::Column::UpdatedAt, Expr::value(now))
                .filter(attestation::Column::Id.eq(a.id))
                .filter(attestation::Column::State.is_in(current))
                .filter(attestation::Column::ValidUntil.lte(now))
                .exec(&txn)
                .await?;
            (r.rows_affected == 1).then_some(Step::Expired)
        } else if let Some(days) = reminder_due(until, a.reminded_days, now) {
            let r = attestation::Entity::update_many()
                .col_expr(attestation::Column::RemindedDays, Expr::value(days as i32))
                .filter(attestation::Column::Id.eq(a.id))
                .filter(attestation::Column::State.is_in(current))
                .filter(attestation::Column::ValidUntil.eq(until))
                .filter(
                    Condition::any()
                        .add(attestation::Column::RemindedDays.is_null())
                        .add(attestation::Column::RemindedDays.gt(days as i32)),
                )
                .exec(&txn)
                .await?;
            (r.rows_affected == 1).then_some(Step::Reminded(days))
        } else {
            None
        };
        if let Some(step) = step {
            tell(&txn, &a, step, base, now).await?;
            done.push((a.id, step));
        }
        txn.commit().await?;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_come_once_each_at_30_and_7_days() {
        let until = 1_000 * DAY;
        assert_eq!(reminder_due(until, None, until - 31 * DAY), None);
        assert_eq!(reminder_due(until, None, until - 30 * DAY), Some(30));
        assert_eq!(reminder_due(until, Some(30), until - 20 * DAY), None);
        assert_eq!(reminder_due(until, Some(30), until - 7 * DAY), Some(7));
        assert_eq!(reminder_due(until, Some(7), until - DAY), None);
        // Approved with less than a week left: straight to the 7-day reminder, once.
        assert_eq!(reminder_due(until, None, until - 3 * DAY), Some(7));
        assert_eq!(reminder_due(until, None, until), None, "lapsed, not reminded");
    }
}
