//! The mails a proposal sends its proposer (or a visitor who left an address with a report):
//! received, a question, approved, rejected. Each is queued in the outbox in the transaction of
//! the step it reports, keyed so that a retried step queues it once.
use crate::server::services::outbox::{NewMail, enqueue};
use sea_orm::{ConnectionTrait, DbErr};

pub enum ProposalMail<'a> {
    Received,
    AppliedAtOnce,
    Question { body: &'a str },
    Approved,
    Rejected { reason: &'a str },
    ReportReceived,
    ReportAccepted,
}

impl ProposalMail<'_> {
    fn key(&self) -> &'static str {
        match self {
            ProposalMail::Received => "received",
            ProposalMail::AppliedAtOnce => "applied",
            ProposalMail::Question { .. } => "question",
            ProposalMail::Approved => "approved",
            ProposalMail::Rejected { .. } => "rejected",
            ProposalMail::ReportReceived => "report-received",
            ProposalMail::ReportAccepted => "report-accepted",
        }
    }

    fn text(&self, id: i32, link: &str) -> (String, String) {
        match self {
            ProposalMail::ReportReceived => (
                format!("Signpost received your report #{id}"),
                format!(
                    "Thank you: your report #{id} is in the moderators' queue. We will write when it is decided.\n"
                ),
            ),
            ProposalMail::ReportAccepted => (
                format!("Your report #{id} was accepted"),
                format!("A moderator accepted your report #{id}; the directory is being put right. Thank you.\n"),
            ),
            ProposalMail::Received => (
                format!("Signpost received your proposal #{id}"),
                format!(
                    "Thank you: your proposal #{id} is in the moderators' queue. We will write when it is decided, or if \
                     a moderator has a question.\n\nFollow it here: {link}\n"
                ),
            ),
            ProposalMail::AppliedAtOnce => (
                format!("Your change #{id} is in the directory"),
                format!(
                    "Your change #{id} was applied at once (you are a trusted contributor, or you maintain the \
                     brand). It is recorded in the brand's history, where an admin can revert it.\n\n{link}\n"
                ),
            ),
            ProposalMail::Question { body } => (
                format!("A moderator asks about your proposal #{id}"),
                format!(
                    "A moderator has a question about your proposal #{id}:\n\n{}\n\nAnswer it here (the proposal waits \
                     for your answer): {link}\n",
                    quote(body)
                ),
            ),
            ProposalMail::Approved => (
                format!("Your proposal #{id} was approved"),
                format!(
                    "Your proposal #{id} was approved and is now in the directory, in search and in the published \
                     bundle.\n\n{link}\n\nThank you for keeping the directory right.\n"
                ),
            ),
            ProposalMail::Rejected { reason } => (
                format!("Your proposal #{id} was not accepted"),
                format!(
                    "A moderator did not accept your proposal #{id}, for this reason:\n\n{}\n\nYou can read it, and \
                     propose again, here: {link}\n",
                    quote(reason)
                ),
            ),
        }
    }
}

/// Text from a person, quoted; it is plain text in a plain-text mail, so nothing in it runs.
fn quote(text: &str) -> String {
    text.lines().map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n")
}

/// Queues one mail about proposal `id` to `to`. `step` makes it unique per step (a message id,
/// or the time of a decision).
pub async fn send(
    db: &impl ConnectionTrait,
    base: &str,
    to: &str,
    id: i32,
    step: i64,
    mail: ProposalMail<'_>,
    now: i64,
) -> Result<(), DbErr> {
    let link = format!("{base}/proposals/{id}");
    let (subject, body) = mail.text(id, &link);
    enqueue(
        db,
        &[NewMail {
            dedupe_key: format!("proposal:{id}:{}:{step}", mail.key()),
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
