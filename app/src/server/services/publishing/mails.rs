//! The mails a claim sends: the link that proves a domain (to the address at the domain), and
//! to the organization's members when a claim is verified, flagged or lapses. Queued in the
//! outbox in the transaction of the step they report.
use crate::error::AppError;
use crate::server::services::accounts::mails::KEY_PREFIX;
use crate::server::services::outbox::{NewMail, enqueue};
use sea_orm::ConnectionTrait;

pub enum ClaimMail<'a> {
    Confirm {
        organization: &'a str,
        brand: &'a str,
        domain: &'a str,
        link: &'a str,
        days: i64,
    },
    Verified {
        brand: &'a str,
    },
    Flagged {
        brand: &'a str,
        problem: &'a str,
    },
    Lapsed {
        brand: &'a str,
    },
    /// A proposal or report on a brand the organization maintains waits for its moderators.
    Waiting {
        brand: &'a str,
        link: &'a str,
    },
    /// The organization's bundle URL changed, but what it holds does not pass the checks.
    FeedBlocked {
        url: &'a str,
        problem: &'a str,
        link: &'a str,
    },
}

impl ClaimMail<'_> {
    fn text(&self) -> (String, String) {
        match self {
            ClaimMail::Confirm { organization, brand, domain, link, days } => (
                format!("Confirm that {organization} maintains {brand} on Signpost"),
                format!(
                    "{organization} says it controls {domain}, the domain of {brand}'s website, and wants to \
                     maintain that brand's entry in the Signpost directory.\n\nIf that is right, open this link and \
                     confirm (it works once, for {days} days):\n\n{link}\n\nIf it is not, ignore this mail: nothing \
                     changes.\n"
                ),
            ),
            ClaimMail::Verified { brand } => (
                format!("Your organization now maintains {brand} on Signpost"),
                format!(
                    "The claim on {brand} is verified. Proposals from the community on it now come to your \
                     organization's moderation queue. Signpost verifies the domain again every 30 days.\n"
                ),
            ),
            ClaimMail::Flagged { brand, problem } => (
                format!("Signpost could not verify your claim on {brand}"),
                format!(
                    "Re-verifying your organization's claim on {brand}: {problem}.\n\nThe claim stays in force \
                     for 14 days; if it is not verified by then, it lapses.\n"
                ),
            ),
            ClaimMail::Waiting { brand, link } => (
                format!("A change to {brand} waits for your organization"),
                format!(
                    "Someone proposed a change to {brand}, which your organization maintains on Signpost, or \
                     reported a problem with it. Your organization's members decide on it (an admin may too):\n\n\
                     {link}\n"
                ),
            ),
            ClaimMail::FeedBlocked { url, problem, link } => (
                "Signpost did not publish your changed bundle".to_string(),
                format!(
                    "Your organization's bundle at {url} changed, but it was not published: {problem}.\n\nWhat was \
                     published before stays live. Preview the bundle on your organization's page to see every \
                     finding:\n\n{link}\n"
                ),
            ),
            ClaimMail::Lapsed { brand } => (
                format!("Your claim on {brand} lapsed"),
                format!(
                    "Your organization's claim on {brand} could not be verified for 14 days and has lapsed. You can \
                     claim the brand again from your organization's page.\n"
                ),
            ),
        }
    }
}

/// Queues one mail to one address; `key` makes it unique. Confirm links go under the account
/// mails' prefix, so the outbox blanks their bodies once sent and keeps no working link.
pub async fn send_to(
    db: &impl ConnectionTrait,
    to: &str,
    key: &str,
    mail: ClaimMail<'_>,
    now: i64,
) -> Result<(), AppError> {
    let (subject, body) = mail.text();
    let prefix = if matches!(mail, ClaimMail::Confirm { .. }) { KEY_PREFIX } else { "" };
    enqueue(
        db,
        &[NewMail {
            dedupe_key: format!("{prefix}{key}:{to}"),
            recipient: to.to_string(),
            subject,
            body,
            unsubscribe_url: None,
        }],
        now,
    )
    .await?;
    Ok(())
}

/// Queues the mail to every active member of the organization.
pub async fn send_to_members(
    db: &impl ConnectionTrait,
    org_id: i32,
    key: &str,
    mail: ClaimMail<'_>,
    now: i64,
) -> Result<(), AppError> {
    let (subject, body) = mail.text();
    crate::server::services::notify::members(db, org_id, key, &subject, &body, now).await
}
