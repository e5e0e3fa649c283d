//! The signed-in dashboard: for each developer organization its apps and requests with the next
//! step, for each payer organization its queue at a glance and its turnaround, and for admins
//! what waits on them.
use super::registration::RequestSummary;
use super::turnaround::PayerTurnaround;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppLine {
    pub id: i32,
    pub organization_id: i32,
    pub client_name: String,
    /// "attested", "attested, re-review due", "lapsed", "not attested".
    pub attestation: String,
    pub valid_until: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestLine {
    pub summary: RequestSummary,
    pub next_step: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeveloperDash {
    pub organization_id: i32,
    pub name: String,
    pub apps: Vec<AppLine>,
    pub requests: Vec<RequestLine>,
}

/// What a payer asked a developer, still unanswered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskedLine {
    pub request_id: i32,
    pub client_name: String,
    pub brand: String,
    pub question: String,
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayerDash {
    pub organization_id: i32,
    pub name: String,
    pub open: u32,
    pub breached: u32,
    pub due_soon: u32,
    /// The open requests with the least time left, at most 10.
    pub urgent: Vec<RequestSummary>,
    pub asked: Vec<AskedLine>,
    /// Its maintained brands' turnaround (at most 20).
    pub turnaround: Vec<PayerTurnaround>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreachLine {
    pub request_id: i32,
    pub brand_id: i32,
    pub brand: String,
    pub target_days: i32,
    pub elapsed_secs: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminDash {
    pub attestations_waiting: u32,
    pub proposals_open: u64,
    /// Open requests past their target across payers, most overdue first (at most 50).
    pub breaches: Vec<BreachLine>,
    pub breaches_total: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub developer: Vec<DeveloperDash>,
    pub payer: Vec<PayerDash>,
    pub admin: Option<AdminDash>,
}
