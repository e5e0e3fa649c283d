//! Each payer's turnaround, as published: requests decided, median and 90th-percentile business
//! days to a decision, the share decided within the payer's own target, what is open now, and
//! the share of outcomes the developer reported. Statistics need `MIN_DECIDED` decisions.
use serde::{Deserialize, Serialize};

/// Fewer decided requests than this, and no statistic is shown (it would name one developer's
/// experience, and mean little).
pub const MIN_DECIDED: u32 = 5;
/// The recent window, in calendar days.
pub const RECENT_DAYS: i64 = 90;
/// Months the trend chart shows.
pub const TREND_MONTHS: usize = 12;

/// Turnaround over one window. The `Option`s are `None` below `MIN_DECIDED` decisions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Turnaround {
    pub decided: u32,
    /// Business seconds to a decision: the median (the mean of the two middle values when
    /// there is an even number) and the 90th percentile (nearest rank).
    pub median_secs: Option<i64>,
    pub p90_secs: Option<i64>,
    /// Percent of decisions within the target each request had, rounded.
    pub within_target_pct: Option<u32>,
    /// Percent of decisions the developer recorded for a payer outside Signpost, rounded.
    pub self_reported_pct: Option<u32>,
    /// Requests waiting now (on either side), and the longest business time any of them has
    /// waited on the payer.
    pub open: u32,
    pub oldest_open_secs: Option<i64>,
}

impl Turnaround {
    pub fn has_statistics(&self) -> bool {
        self.decided >= MIN_DECIDED
    }
}

/// One payer brand's row in the overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PayerTurnaround {
    pub brand_id: i32,
    pub brand: String,
    /// The target of its latest request, business days.
    pub target_days: i32,
    pub recent: Turnaround,
    pub all_time: Turnaround,
}

/// What the overview is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    #[default]
    Name,
    Decided,
    Median,
    P90,
    Within,
    Open,
}

impl SortBy {
    pub const ALL: [SortBy; 6] =
        [SortBy::Name, SortBy::Decided, SortBy::Median, SortBy::P90, SortBy::Within, SortBy::Open];

    pub fn parse(text: &str) -> SortBy {
        SortBy::ALL.into_iter().find(|s| s.as_str() == text).unwrap_or_default()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SortBy::Name => "name",
            SortBy::Decided => "decided",
            SortBy::Median => "median",
            SortBy::P90 => "p90",
            SortBy::Within => "within",
            SortBy::Open => "open",
        }
    }
}

/// Which window the overview sorts and shows first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Window {
    #[default]
    Recent,
    AllTime,
}

impl Window {
    pub fn parse(text: &str) -> Window {
        if text == "all" { Window::AllTime } else { Window::Recent }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Window::Recent => "90",
            Window::AllTime => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Window::Recent => "last 90 days",
            Window::AllTime => "all time",
        }
    }
}

/// The public overview of every payer that has had a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Overview {
    pub rows: Vec<PayerTurnaround>,
    pub sort: SortBy,
    pub window: Window,
    /// When the figures were computed (they are cached for a few minutes).
    pub as_of: i64,
}

/// One month of the trend: decisions made in it, and their median.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MonthPoint {
    /// `2026-11`.
    pub month: String,
    pub decided: u32,
    /// `None` below `MIN_DECIDED` decisions in the month.
    pub median_secs: Option<i64>,
}

/// One payer's public turnaround page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PayerPage {
    pub payer: PayerTurnaround,
    pub trend: Vec<MonthPoint>,
    pub as_of: i64,
}

/// What the brand page's "For developers" section shows next to the stated target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TurnaroundBrief {
    pub recent: Turnaround,
    pub all_time: Turnaround,
}

/// The median (mean of the two middle values for an even count) of sorted values.
pub fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

/// The nearest-rank percentile `p` (1–100) of sorted values.
pub fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// `part` of `whole` as a rounded percent.
pub fn percent(part: usize, whole: usize) -> Option<u32> {
    (whole > 0).then(|| ((part * 100 + whole / 2) / whole) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_percentiles_and_percents_by_hand() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3]), Some(3));
        assert_eq!(median(&[1, 2, 10]), Some(2));
        assert_eq!(median(&[1, 2, 4, 10]), Some(3));
        // Nearest rank: ceil(0.9 × 10) = 9th of 10, ceil(0.9 × 5) = 5th of 5.
        assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), Some(9));
        assert_eq!(percentile(&[1, 2, 3, 4, 5], 90), Some(5));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 90), None);
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(1, 8), Some(13));
        assert_eq!(percent(0, 0), None);
        assert_eq!(SortBy::parse("p90"), SortBy::P90);
        assert_eq!(SortBy::parse("<script>"), SortBy::Name);
        assert_eq!(Window::parse("all"), Window::AllTime);
    }
}
