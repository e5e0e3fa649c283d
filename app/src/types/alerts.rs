//! Alert subscriptions as the browser sees them.
use serde::{Deserialize, Serialize};

/// What a subscription is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    Endpoint,
    Brand,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Endpoint => "endpoint",
            TargetKind::Brand => "brand",
        }
    }

    pub fn parse(s: &str) -> Option<TargetKind> {
        match s {
            "endpoint" => Some(TargetKind::Endpoint),
            "brand" => Some(TargetKind::Brand),
            _ => None,
        }
    }

    /// The site's page of the target.
    pub fn page(self, id: i32) -> String {
        match self {
            TargetKind::Endpoint => format!("/endpoints/{id}"),
            TargetKind::Brand => format!("/brands/{id}"),
        }
    }
}

/// The answer to a subscription request. It never says whether the address was subscribed
/// already, so the form cannot be used to learn who follows what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubscribeOutcome {
    /// A confirmation link is on its way (unless one was sent in the last few minutes, or the
    /// address is already confirmed).
    Pending,
    InvalidEmail(String),
    NotFound,
    /// Seconds to wait.
    RateLimited(u64),
}

impl SubscribeOutcome {
    /// The outcome as it travels in the page's URL (`?alerts=`) after the form was posted
    /// without JavaScript, when the answer cannot be shown in place.
    pub fn code(&self) -> String {
        match self {
            SubscribeOutcome::Pending => "pending".into(),
            SubscribeOutcome::InvalidEmail(_) => "invalid".into(),
            SubscribeOutcome::NotFound => "gone".into(),
            SubscribeOutcome::RateLimited(secs) => format!("wait-{secs}"),
        }
    }

    /// Reads `code`; the reason of an invalid address does not travel, so it is said generally.
    pub fn from_code(code: &str) -> Option<SubscribeOutcome> {
        Some(match code {
            "pending" => SubscribeOutcome::Pending,
            "invalid" => SubscribeOutcome::InvalidEmail(
                "That is not an email address we can send to. Check it and try again.".into(),
            ),
            "gone" => SubscribeOutcome::NotFound,
            _ => SubscribeOutcome::RateLimited(code.strip_prefix("wait-")?.parse().ok()?),
        })
    }
}

/// The answer to a confirmation or unsubscribe link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkOutcome {
    Confirmed {
        label: String,
        page: String,
    },
    Unsubscribed {
        label: String,
        page: String,
    },
    /// Not a valid link, or the subscription is gone.
    Invalid,
    /// A confirmation link older than `CONFIRM_LINK_DAYS`.
    Expired,
}

/// A confirmation link works for this many days after it was sent.
pub const CONFIRM_LINK_DAYS: i64 = 7;

/// What a link from a mail would do, shown before anything is done: opening a link only shows
/// a button, because mail scanners open links too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkPreview {
    /// `done`: a confirmation that has already been pressed.
    Ready {
        label: String,
        page: String,
        done: bool,
    },
    Invalid,
    Expired,
}
