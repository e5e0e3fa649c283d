//! The mails an attestation sends: to the admins when one waits for review, and to the app's
//! organization when it is decided, flagged for re-review, about to lapse, or lapsed.
use crate::types::attestation_pages::ReviewComments;

pub enum AttestationMail<'a> {
    Submitted {
        app: &'a str,
        organization: &'a str,
        version: i32,
        link: &'a str,
    },
    Approved {
        app: &'a str,
        until: &'a str,
        link: &'a str,
    },
    ChangesRequested {
        app: &'a str,
        comments: &'a ReviewComments,
        link: &'a str,
    },
    Rejected {
        app: &'a str,
        comments: &'a ReviewComments,
        link: &'a str,
    },
    /// For the admins: an approved attestation's app changed what it was approved for.
    Flagged {
        app: &'a str,
        reason: &'a str,
        link: &'a str,
    },
    /// A new questionnaire version asks the app to re-attest.
    Reattest {
        app: &'a str,
        version: i32,
        by: &'a str,
        link: &'a str,
    },
    Reminder {
        app: &'a str,
        days: i64,
        until: &'a str,
        link: &'a str,
    },
    Lapsed {
        app: &'a str,
        link: &'a str,
    },
}

fn listed(comments: &ReviewComments) -> String {
    let mut out = String::new();
    if !comments.general.is_empty() {
        out.push_str(&format!("{}\n\n", comments.general));
    }
    for (key, c) in &comments.answers {
        out.push_str(&format!("- On \"{key}\": {c}\n"));
    }
    out
}

impl AttestationMail<'_> {
    pub fn text(&self) -> (String, String) {
        match self {
            AttestationMail::Submitted { app, organization, version, link } => (
                format!("An attestation waits for review: {app}"),
                format!(
                    "{organization} submitted the attestation of its app {app} (questionnaire version {version}). \
                     Review it:\n\n{link}\n"
                ),
            ),
            AttestationMail::Approved { app, until, link } => (
                format!("The attestation of {app} is approved"),
                format!(
                    "An admin approved the attestation of {app}. It is listed in Signpost's public list of apps \
                     and valid until {until}; Signpost reminds you 30 and 7 days before.\n\n{link}\n"
                ),
            ),
            AttestationMail::ChangesRequested { app, comments, link } => (
                format!("Changes asked for in the attestation of {app}"),
                format!(
                    "An admin asked for changes to the attestation of {app} before approving it:\n\n{}\nChange \
                     the answers and submit again:\n\n{link}\n",
                    listed(comments)
                ),
            ),
            AttestationMail::Rejected { app, comments, link } => (
                format!("The attestation of {app} was rejected"),
                format!(
                    "An admin rejected the attestation of {app}:\n\n{}\nYou may attest again:\n\n{link}\n",
                    listed(comments)
                ),
            ),
            AttestationMail::Flagged { app, reason, link } => (
                format!("An approved attestation is due for re-review: {app}"),
                format!(
                    "The app {app} changed since its attestation was approved: {reason}. Re-review it:\n\n{link}\n"
                ),
            ),
            AttestationMail::Reattest { app, version, by, link } => (
                format!("Re-attest {app} to questionnaire version {version}"),
                format!(
                    "Signpost published version {version} of its attestation questionnaire. The attestation of \
                     {app} stays valid until {by}; answer the new version and submit it before then:\n\n{link}\n"
                ),
            ),
            AttestationMail::Reminder { app, days, until, link } => (
                format!("The attestation of {app} lapses in {days} days"),
                format!(
                    "The attestation of {app} is valid until {until}. Attest again before then to stay in the \
                     public list; the answers you gave are filled in for you:\n\n{link}\n"
                ),
            ),
            AttestationMail::Lapsed { app, link } => (
                format!("The attestation of {app} lapsed"),
                format!(
                    "The attestation of {app} is no longer valid, and the app has left Signpost's public list. \
                     Attest again to return:\n\n{link}\n"
                ),
            ),
        }
    }
}

/// Unix seconds as `2026-12-02`.
pub fn day(secs: i64) -> String {
    crate::routes::accounts::utc_label(secs).chars().take(10).collect()
}
