//! Registration requests: an app asks a payer brand for access, and the request's state machine.
#[cfg(feature = "ssr")]
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))"))]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "submitted"))]
    Submitted,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "in_review"))]
    InReview,
    /// Waiting on the developer: the clock stops.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "needs_info"))]
    NeedsInfo,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "approved"))]
    Approved,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "denied"))]
    Denied,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "withdrawn"))]
    Withdrawn,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "revoked"))]
    Revoked,
}

/// What can happen to a request, and who may make it happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestEvent {
    /// The payer starts reviewing it.
    StartReview,
    /// The payer asks the developer for information.
    AskInfo,
    /// The developer answers.
    Answer,
    Approve,
    Deny,
    /// The developer withdraws it.
    Withdraw,
    /// The payer revokes an approval.
    Revoke,
}

impl RequestState {
    /// The state machine: the next state, or `None` when the event does not apply.
    pub fn next(self, event: RequestEvent) -> Option<RequestState> {
        use RequestEvent::*;
        use RequestState::*;
        match (self, event) {
            (Submitted, StartReview) => Some(InReview),
            (Submitted | InReview, AskInfo) => Some(NeedsInfo),
            (NeedsInfo, Answer) => Some(InReview),
            (Submitted | InReview, Approve) => Some(Approved),
            // A payer may close a request whose developer never answers.
            (Submitted | InReview | NeedsInfo, Deny) => Some(Denied),
            (Submitted | InReview | NeedsInfo, Withdraw) => Some(Withdrawn),
            (Approved, Revoke) => Some(Revoked),
            _ => None,
        }
    }

    /// The request waits on the payer: its clock runs.
    pub fn clock_runs(self) -> bool {
        matches!(self, RequestState::Submitted | RequestState::InReview)
    }

    /// Not decided yet.
    pub fn is_open(self) -> bool {
        matches!(self, RequestState::Submitted | RequestState::InReview | RequestState::NeedsInfo)
    }

    /// The payer decided (approved or denied; what turnaround counts).
    pub fn is_decision(self) -> bool {
        matches!(self, RequestState::Approved | RequestState::Denied)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Submitted => "submitted",
            RequestState::InReview => "in_review",
            RequestState::NeedsInfo => "needs_info",
            RequestState::Approved => "approved",
            RequestState::Denied => "denied",
            RequestState::Withdrawn => "withdrawn",
            RequestState::Revoked => "revoked",
        }
    }

    pub const ALL: [RequestState; 7] = [
        RequestState::Submitted,
        RequestState::InReview,
        RequestState::NeedsInfo,
        RequestState::Approved,
        RequestState::Denied,
        RequestState::Withdrawn,
        RequestState::Revoked,
    ];

    pub fn parse(text: &str) -> Option<RequestState> {
        RequestState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            RequestState::Submitted => "submitted",
            RequestState::InReview => "in review",
            RequestState::NeedsInfo => "waiting on the developer",
            RequestState::Approved => "approved",
            RequestState::Denied => "denied",
            RequestState::Withdrawn => "withdrawn",
            RequestState::Revoked => "revoked",
        }
    }
}

/// Which of the payer's environments the app asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))"))]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "sandbox"))]
    Sandbox,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "production"))]
    Production,
}

impl Environment {
    pub fn parse(text: &str) -> Option<Environment> {
        match text.trim() {
            "sandbox" => Some(Environment::Sandbox),
            "production" => Some(Environment::Production),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Production => "production",
        }
    }
}

/// How the payer receives the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))"))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The payer organization that maintains the brand works it in its Signpost queue.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "queue"))]
    Queue,
    /// Mailed to the registration contact in the brand's developer facts, with links to answer.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "email"))]
    Email,
    /// The payer registers apps on its own portal; the developer records the outcome.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "external"))]
    External,
}

/// Grounds a payer may deny a request on: a security risk to its systems, or a technical one
/// (CMS-9115-F). Attestation answers are not among them.
pub const DENIAL_REASONS: [(&str, &str); 6] = [
    ("security-risk", "A security risk to the payer's systems"),
    ("redirect-uris", "Redirect URIs the payer's authorization server cannot accept"),
    ("client-type", "A client type or authentication method the payer does not support"),
    ("scopes", "Scopes the payer's API does not offer"),
    ("incomplete", "Technical information missing from the registration"),
    ("other-technical", "Another technical reason, stated below"),
];

/// A request as lists show it: the app, the payer, the state and the clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub id: i32,
    pub app_id: i32,
    pub client_name: String,
    pub developer_org_id: i32,
    pub developer_org: String,
    pub brand_id: i32,
    pub brand: String,
    pub environment: Environment,
    pub channel: Channel,
    pub state: RequestState,
    pub target_days: i32,
    /// Business seconds the request has waited on the payer.
    pub elapsed_secs: i64,
    /// Negative once past the target.
    pub left_secs: i64,
    pub breached: bool,
    pub due_soon: bool,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub attestation_status: String,
    pub self_reported: bool,
    pub assignee: Option<String>,
}

/// One step in a request's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestStep {
    pub at: i64,
    pub state: RequestState,
    pub note: Option<String>,
}

/// A request's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPage {
    pub summary: RequestSummary,
    pub steps: Vec<RequestStep>,
    pub client_id: Option<String>,
    pub notes: Option<String>,
    pub denial: Option<(String, String)>,
    /// The viewer answers for the payer (or records an external payer's decision).
    pub payer_side: bool,
    pub developer_side: bool,
    /// The payer organization answering it now and its members, for assigning (its own members
    /// only).
    pub payer_org: Option<i32>,
    pub members: Vec<(i32, String)>,
    pub thread: Vec<ThreadMessage>,
    /// The viewer may write in the thread (either side's members).
    pub can_write: bool,
    /// The grounds this payer may deny on: the list and its own.
    pub denial_reasons: Vec<(String, String)>,
    /// The payer's factual notice about apps that have not attested, shown when this app had
    /// not.
    pub notice: Option<String>,
}

/// A message in a request's thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadMessage {
    pub id: i32,
    pub at: i64,
    pub author: String,
    pub from_payer: bool,
    pub body: String,
    /// The attachment's safe file name.
    pub attachment: Option<String>,
}

/// The queue's filters, as the page's query string has them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    /// `open` (the default), `all`, or one state (`needs_info`).
    pub state: String,
    /// Only requests made at least this many calendar days ago.
    pub older_than_days: String,
    /// `me`, `none`, or an account id.
    pub assignee: String,
    /// Part of the app's name.
    pub app: String,
    /// Only requests past their target.
    pub breached: bool,
    /// `left` (time left on the clock, the default), `oldest` or `newest`.
    pub sort: String,
}

/// The payer's queue page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub organization_id: i32,
    pub filter: QueueFilter,
    /// The first `rows` of `total` that match, in order.
    pub rows: Vec<RequestSummary>,
    pub total: u64,
    /// Of the matching open requests, how many are past their target and how many are due
    /// within a business day.
    pub breached: u64,
    pub due_soon: u64,
    /// The organization's members, who requests can be assigned to: (account id, address).
    pub members: Vec<(i32, String)>,
}

/// A payer organization's registration settings form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayerSettingsPage {
    pub organization_id: i32,
    pub time_zone: String,
    pub zones: Vec<String>,
    pub notice: String,
    /// The payer's own denial grounds, one a line.
    pub reasons: String,
}

/// Requests one bulk assignment may move.
pub const MAX_ASSIGN: usize = 100;

/// Where a signed link stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkStatus {
    Valid,
    Used,
    Expired,
    /// The contact changed, or the brand is now answered by its maintainer.
    Replaced,
}

/// What an email-only payer's link shows: the request and the app's RFC 7591 registration
/// request while the link is valid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RespondPage {
    pub status: LinkStatus,
    pub expires_at: i64,
    pub summary: Option<RequestSummary>,
    pub steps: Vec<RequestStep>,
    /// Pretty-printed JSON.
    pub registration: String,
}

/// Business seconds as days, to one decimal ("2.5").
pub fn days_label(secs: i64) -> String {
    let tenths = secs.abs() * 10 / 86_400;
    let sign = if secs < 0 { "-" } else { "" };
    format!("{sign}{}.{}", tenths / 10, tenths % 10)
}

/// A payer found in the picker, with where its request would go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickItem {
    pub brand_id: i32,
    pub name: String,
    /// "its queue on Signpost, 5 business days", or why it cannot be asked.
    pub route: String,
    pub can_ask: bool,
}

/// The app's requests page: what it asked, and a search to pick payers from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestsPage {
    pub organization_id: i32,
    pub app_id: i32,
    pub client_name: String,
    pub q: String,
    pub found: Vec<PickItem>,
    pub requests: Vec<RequestSummary>,
    pub can_request: bool,
}

#[cfg(test)]
mod tests {
    use super::RequestEvent::*;
    use super::RequestState::*;

    #[test]
    fn requests_move_only_along_their_edges() {
        assert_eq!(Submitted.next(StartReview), Some(InReview));
        assert_eq!(InReview.next(AskInfo), Some(NeedsInfo));
        assert_eq!(Submitted.next(AskInfo), Some(NeedsInfo));
        assert_eq!(NeedsInfo.next(Answer), Some(InReview));
        assert_eq!(InReview.next(Approve), Some(Approved));
        assert_eq!(Submitted.next(Deny), Some(Denied));
        assert_eq!(NeedsInfo.next(Withdraw), Some(Withdrawn));
        assert_eq!(Approved.next(Revoke), Some(Revoked));
        for (s, e) in [
            (NeedsInfo, Approve),
            (Approved, Withdraw),
            (Denied, Approve),
            (Withdrawn, Answer),
            (Revoked, Approve),
            (InReview, StartReview),
            (Submitted, Revoke),
            (InReview, Answer),
        ] {
            assert_eq!(s.next(e), None, "{s:?} {e:?}");
        }
        assert!(Submitted.clock_runs() && InReview.clock_runs() && !NeedsInfo.clock_runs() && !Approved.clock_runs());
        assert!(NeedsInfo.is_open() && !Denied.is_open() && Denied.is_decision() && !Withdrawn.is_decision());
    }
}
