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
}
