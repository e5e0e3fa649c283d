//! What waits, for an operator's metrics: mails not yet sent, proposals and attestations
//! waiting on a moderator, registration requests by state and those past their target. Read
//! from the database at each scrape, so every instance reports the same numbers.
use super::registration::calendar::Calendar;
use super::registration::clock::Clock;
use super::registration::overview::{TurnaroundCache, waiting_all};
use crate::error::AppError;
use crate::server::entities::{attestation, mail_outbox, proposal, registration_request as request};
use crate::types::attestation::AttestationState;
use crate::types::proposals::ProposalState;
use crate::types::registration::RequestState;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Depths {
    /// Mails still to be sent (retries included).
    pub outbox_pending: u64,
    /// Mails given up on (refused, or out of attempts) and still kept.
    pub outbox_given_up: u64,
    /// Proposals waiting on a moderator or on the proposer.
    pub proposals_open: u64,
    /// Attestations submitted for review.
    pub attestations_waiting: u64,
    pub requests_by_state: Vec<(RequestState, u64)>,
    /// Open requests past their payer's target.
    pub requests_breached: u64,
}

pub async fn depths(
    db: &impl ConnectionTrait,
    cache: &TurnaroundCache,
    calendar: &Calendar,
    now: i64,
) -> Result<Depths, AppError> {
    let unsent = mail_outbox::Entity::find().filter(mail_outbox::Column::SentAt.is_null());
    let outbox_given_up = unsent.clone().filter(mail_outbox::Column::NextAttemptAt.eq(i64::MAX)).count(db).await?;
    let outbox_pending = unsent.count(db).await? - outbox_given_up;
    let proposals_open = proposal::Entity::find()
        .filter(proposal::Column::State.is_in([ProposalState::Pending, ProposalState::NeedsInfo]))
        .count(db)
        .await?;
    let attestations_waiting = attestation::Entity::find()
        .filter(attestation::Column::State.eq(AttestationState::Submitted))
        .count(db)
        .await?;
    let counted: Vec<(RequestState, i64)> = request::Entity::find()
        .select_only()
        .column(request::Column::State)
        .column_as(request::Column::Id.count(), "n")
        .group_by(request::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let requests_by_state = RequestState::ALL
        .into_iter()
        .map(|s| (s, counted.iter().find(|(c, _)| *c == s).map_or(0, |(_, n)| (*n).max(0) as u64)))
        .collect();
    let requests_breached = waiting_all(db, cache, calendar, now)
        .await?
        .iter()
        .filter(|w| Clock::after(w.secs, i64::from(w.target_days)).breached)
        .count() as u64;
    Ok(Depths {
        outbox_pending,
        outbox_given_up,
        proposals_open,
        attestations_waiting,
        requests_by_state,
        requests_breached,
    })
}
