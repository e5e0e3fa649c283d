//! An endpoint's page: its health now, its history, and the latest report.
use super::brand::BrandLink;
use super::check::{CheckReport, Health};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckRow {
    pub checked_at: i64,
    pub health: Health,
    pub latency_ms: Option<i32>,
    pub reason: Option<String>,
}

/// Share of checks that found the endpoint answering (up or degraded), `None` without checks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Uptime {
    pub day: Option<f64>,
    pub week: Option<f64>,
    pub month: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DayUptime {
    /// Days before today (0 is today).
    pub days_ago: u32,
    pub checks: u32,
    pub up_share: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EndpointStatus {
    pub id: i32,
    pub address: String,
    pub name: Option<String>,
    pub fhir_versions: Vec<String>,
    pub health: Health,
    pub last_checked_at: Option<i64>,
    pub next_check_at: Option<i64>,
    pub uptime: Uptime,
    pub latency_p50: Option<i32>,
    pub latency_p95: Option<i32>,
    /// Oldest first, for the latency chart (last 30 days, at most 200 points).
    /// Each point is `[checked_at, latency_ms or null]`.
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Vec<Option<i64>>>))]
    pub latency_series: Vec<(i64, Option<i32>)>,
    /// 30 entries, oldest first.
    pub daily: Vec<DayUptime>,
    /// Newest first.
    pub recent: Vec<CheckRow>,
    pub report: Option<CheckReport>,
    pub has_raw_metadata: bool,
    pub has_raw_smart: bool,
    pub brands: Vec<BrandLink>,
}
