//! The mails accounts send. Each says plainly what happened and what to do if it was not the
//! reader, and is queued in the outbox in the same transaction as the change it reports.
use crate::server::services::outbox::{NewMail, enqueue};
use sea_orm::{ConnectionTrait, DbErr};

pub enum AccountMail<'a> {
    Verify { link: &'a str },
    SignUpAgain { base: &'a str },
    Reset { link: &'a str },
    SetPassword { link: &'a str },
    PasswordChanged { base: &'a str },
    EmailChangeConfirm { link: &'a str },
    EmailChangeNotice { new_email: &'a str, base: &'a str },
    EmailTaken { base: &'a str },
    EmailChanged { new_email: &'a str },
    Invitation { inviter: &'a str, organization: &'a str, link: &'a str },
    Deleted,
}

impl AccountMail<'_> {
    fn text(&self) -> (String, String) {
        let ignore = "If this was not you, you can ignore this mail.";
        match self {
            AccountMail::Verify { link } => (
                "Confirm your address for Signpost".into(),
                format!(
                    "Welcome to Signpost.\n\nOpen this link to confirm your address and finish signing up (it works once, \
                     for 24 hours):\n\n{link}\n\n{ignore} No account is made until the address is confirmed.\n"
                ),
            ),
            AccountMail::SignUpAgain { base } => (
                "Someone tried to sign up with your address".into(),
                format!(
                    "Someone tried to sign up for Signpost with this address, but it already has an account.\n\n\
                     If it was you, log in at {base}/login, or choose a new password at {base}/forgot.\n\n\
                     {ignore} Your account has not changed.\n"
                ),
            ),
            AccountMail::Reset { link } => (
                "Choose a new Signpost password".into(),
                format!(
                    "Someone asked to reset the password of the Signpost account with this address.\n\n\
                     Open this link to choose a new one (it works once, for 1 hour):\n\n{link}\n\n\
                     {ignore} Your password has not changed.\n"
                ),
            ),
            AccountMail::SetPassword { link } => (
                "Your Signpost admin account".into(),
                format!(
                    "An operator made this address a Signpost admin.\n\nOpen this link to choose your password \
                     (it works once, for 24 hours):\n\n{link}\n"
                ),
            ),
            AccountMail::PasswordChanged { base } => (
                "Your Signpost password was changed".into(),
                format!(
                    "The password of your Signpost account was just changed, and every other session was signed out.\n\n\
                     If this was not you, choose a new password now at {base}/forgot.\n"
                ),
            ),
            AccountMail::EmailChangeConfirm { link } => (
                "Confirm your new address for Signpost".into(),
                format!(
                    "Open this link to move your Signpost account to this address (it works once, for 24 hours):\n\n\
                     {link}\n\n{ignore}\n"
                ),
            ),
            AccountMail::EmailChangeNotice { new_email, base } => (
                "Your Signpost address is being changed".into(),
                format!(
                    "Someone signed in to your Signpost account asked to move it to {new_email}. It moves once that \
                     address confirms.\n\nIf this was not you, choose a new password now at {base}/forgot: that \
                     signs out every session.\n"
                ),
            ),
            AccountMail::EmailTaken { base } => (
                "Someone tried to move an account to your address".into(),
                format!(
                    "Someone signed in to Signpost asked to move their account to this address, but it already has \
                     an account, so nothing changed.\n\nLog in at {base}/login. {ignore}\n"
                ),
            ),
            AccountMail::EmailChanged { new_email } => (
                "Your Signpost address was changed".into(),
                format!(
                    "Your Signpost account now uses {new_email}. Mail about it goes there from now on.\n\n\
                     If this was not you, reply to the site's operators at once.\n"
                ),
            ),
            AccountMail::Invitation { inviter, organization, link } => (
                format!("Join {organization} on Signpost"),
                format!(
                    "{inviter} invited you to join {organization} on Signpost.\n\nOpen this link to accept (it works \
                     once, for 7 days; sign up first if you have no account, with this address):\n\n{link}\n\n{ignore}\n"
                ),
            ),
            AccountMail::Deleted => (
                "Your Signpost account was deleted".into(),
                "Your Signpost account and its sessions were deleted, as asked. Entries it left in the audit log now \
                 name a deleted account instead of this address.\n"
                    .into(),
            ),
        }
    }
}

/// Every account mail's outbox key starts with this: once sent, its body (which may hold a
/// single-use link) is blanked (`outbox::mark_sent`), so the outbox keeps no working token.
pub const KEY_PREFIX: &str = "acct:";

/// Queues one mail. `key` makes it unique: the same key queues nothing the second time.
pub async fn send(
    db: &impl ConnectionTrait,
    to: &str,
    key: String,
    mail: AccountMail<'_>,
    now: i64,
) -> Result<bool, DbErr> {
    let (subject, body) = mail.text();
    let n = enqueue(
        db,
        &[NewMail {
            dedupe_key: format!("{KEY_PREFIX}{key}"),
            recipient: to.to_string(),
            subject,
            body,
            unsubscribe_url: None,
        }],
        now,
    )
    .await?;
    Ok(n > 0)
}
