//! Each payer brand's turnaround, made public: from the business seconds stored with each
//! decision and the clocks of the requests open now (the overview of every payer, cached, is in
//! `overview`).
use super::calendar::Calendar;
use super::clock::elapsed_secs;
use super::requests::histories;
use crate::error::AppError;
use crate::server::entities::registration_request as request;
use crate::types::registration::RequestState;
use crate::types::turnaround::{
    MIN_DECIDED, MonthPoint, Overview, PayerPage, PayerTurnaround, RECENT_DAYS, TREND_MONTHS, Turnaround,
    TurnaroundBrief, median, percent, percentile,
};
use chrono::{Datelike, TimeZone, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

const DAY: i64 = 86_400;

/// A decided request, as turnaround counts it.
#[derive(Clone, Copy, Debug)]
pub struct Decision {
    pub id: i32,
    pub brand_id: i32,
    pub secs: i64,
    pub target_days: i32,
    pub self_reported: bool,
    pub decided_at: i64,
}

/// A request not decided yet.
#[derive(Clone, Copy, Debug)]
pub struct Waiting {
    pub id: i32,
    pub brand_id: i32,
    pub secs: i64,
    pub target_days: i32,
}

/// Turnaround from decisions and open requests (pure; what the tests compute by hand).
pub fn summarize<'a>(
    decisions: impl IntoIterator<Item = &'a Decision>,
    waiting: impl IntoIterator<Item = &'a Waiting>,
) -> Turnaround {
    let decisions: Vec<&Decision> = decisions.into_iter().collect();
    let mut secs: Vec<i64> = decisions.iter().map(|d| d.secs).collect();
    secs.sort_unstable();
    let n = decisions.len();
    let enough = n >= MIN_DECIDED as usize;
    let within = decisions.iter().filter(|d| d.secs <= i64::from(d.target_days) * DAY).count();
    let reported = decisions.iter().filter(|d| d.self_reported).count();
    let waiting: Vec<&Waiting> = waiting.into_iter().collect();
    Turnaround {
        decided: n as u32,
        median_secs: median(&secs).filter(|_| enough),
        p90_secs: percentile(&secs, 90).filter(|_| enough),
        within_target_pct: percent(within, n).filter(|_| enough),
        self_reported_pct: percent(reported, n).filter(|_| enough),
        open: waiting.len() as u32,
        oldest_open_secs: waiting.iter().map(|w| w.secs).max(),
    }
}

/// Which requests' decisions to read.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    All,
    Brand(i32),
    /// These requests (those that changed since a cached overview).
    Requests(&'a [i32]),
}

/// The decided requests in `scope`.
pub async fn decisions(
    db: &impl ConnectionTrait,
    scope: Scope<'_>,
    calendar: &Calendar,
) -> Result<Vec<Decision>, AppError> {
    use request::Column as C;
    let decided = request::Entity::find()
        .select_only()
        .columns([C::Id, C::BrandId, C::DecisionSecs, C::TargetDays, C::SelfReported, C::DecidedAt])
        .filter(C::DecidedAt.is_not_null())
        .filter(C::State.is_in([RequestState::Approved, RequestState::Denied, RequestState::Revoked]));
    let mut rows: Vec<(i32, i32, Option<i64>, i32, bool, Option<i64>)> = Vec::new();
    match scope {
        Scope::All => rows = decided.into_tuple().all(db).await?,
        Scope::Brand(b) => rows = decided.filter(C::BrandId.eq(b)).into_tuple().all(db).await?,
        Scope::Requests(ids) => {
            for chunk in ids.chunks(900) {
                let part: Vec<(i32, i32, Option<i64>, i32, bool, Option<i64>)> =
                    decided.clone().filter(C::Id.is_in(chunk.to_vec())).into_tuple().all(db).await?;
                rows.extend(part);
            }
        }
    }
    // A decision stored before its seconds were (none in practice): replay its history.
    let missing: Vec<i32> = rows.iter().filter(|d| d.2.is_none()).map(|d| d.0).collect();
    let replayed = histories(db, &missing).await?;
    Ok(rows
        .into_iter()
        .map(|(id, brand_id, secs, target_days, self_reported, at)| {
            let decided_at = at.unwrap_or_default();
            let secs = secs.unwrap_or_else(|| {
                elapsed_secs(replayed.get(&id).map_or(&[][..], Vec::as_slice), calendar, decided_at)
            });
            Decision { id, brand_id, secs, target_days, self_reported, decided_at }
        })
        .collect())
}

/// An open request with its history, so its clock can be read at any `now`.
#[derive(Clone, Debug)]
pub struct OpenRequest {
    pub id: i32,
    pub brand_id: i32,
    pub target_days: i32,
    pub zone: Option<String>,
    pub history: Vec<(i64, RequestState)>,
}

impl OpenRequest {
    pub fn waiting(&self, calendar: &Calendar, now: i64) -> Waiting {
        Waiting {
            id: self.id,
            brand_id: self.brand_id,
            secs: elapsed_secs(&self.history, &calendar.in_zone(self.zone.as_deref()), now),
            target_days: self.target_days,
        }
    }
}

/// The open requests in `scope`, with their histories.
pub async fn open_requests(db: &impl ConnectionTrait, scope: Scope<'_>) -> Result<Vec<OpenRequest>, AppError> {
    use request::Column as C;
    let open = request::Entity::find()
        .select_only()
        .columns([C::Id, C::BrandId, C::TargetDays, C::TimeZone])
        .filter(C::State.is_in([RequestState::Submitted, RequestState::InReview, RequestState::NeedsInfo]));
    let mut rows: Vec<(i32, i32, i32, Option<String>)> = Vec::new();
    match scope {
        Scope::All => rows = open.into_tuple().all(db).await?,
        Scope::Brand(b) => rows = open.filter(C::BrandId.eq(b)).into_tuple().all(db).await?,
        Scope::Requests(ids) => {
            for chunk in ids.chunks(900) {
                let part: Vec<(i32, i32, i32, Option<String>)> =
                    open.clone().filter(C::Id.is_in(chunk.to_vec())).into_tuple().all(db).await?;
                rows.extend(part);
            }
        }
    }
    let ids: Vec<i32> = rows.iter().map(|o| o.0).collect();
    let mut histories = histories(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|(id, brand_id, target_days, zone)| OpenRequest {
            id,
            brand_id,
            target_days,
            zone,
            history: histories.remove(&id).unwrap_or_default(),
        })
        .collect())
}

pub(super) fn payer_rows<'a>(
    decisions: impl IntoIterator<Item = &'a Decision>,
    waiting: &[Waiting],
    names: &HashMap<i32, String>,
    now: i64,
) -> Vec<PayerTurnaround> {
    let mut by_brand: HashMap<i32, (Vec<&Decision>, Vec<&Waiting>)> = HashMap::new();
    for d in decisions {
        by_brand.entry(d.brand_id).or_default().0.push(d);
    }
    for w in waiting {
        by_brand.entry(w.brand_id).or_default().1.push(w);
    }
    let since = now - RECENT_DAYS * DAY;
    by_brand
        .into_iter()
        .filter_map(|(brand_id, (ds, ws))| {
            let latest = ds.iter().map(|d| (d.id, d.target_days)).chain(ws.iter().map(|w| (w.id, w.target_days))).max();
            Some(PayerTurnaround {
                brand_id,
                brand: names.get(&brand_id)?.clone(),
                target_days: latest.map_or(super::requests::DEFAULT_TARGET_DAYS, |l| l.1),
                recent: summarize(ds.iter().copied().filter(|d| d.decided_at >= since), ws.iter().copied()),
                all_time: summarize(ds.iter().copied(), ws.iter().copied()),
            })
        })
        .collect()
}

fn month_of(at: i64) -> (i32, u32) {
    Utc.timestamp_opt(at, 0).single().map_or((1970, 1), |t| (t.year(), t.month()))
}

/// The last `TREND_MONTHS` months, oldest first, with the decisions made in each.
pub fn trend(decisions: &[Decision], now: i64) -> Vec<MonthPoint> {
    let (mut y, mut m) = month_of(now);
    let mut months = Vec::with_capacity(TREND_MONTHS);
    for _ in 0..TREND_MONTHS {
        months.push((y, m));
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    months.reverse();
    months
        .into_iter()
        .map(|(y, m)| {
            let mut secs: Vec<i64> =
                decisions.iter().filter(|d| month_of(d.decided_at) == (y, m)).map(|d| d.secs).collect();
            secs.sort_unstable();
            MonthPoint {
                month: format!("{y:04}-{m:02}"),
                decided: secs.len() as u32,
                median_secs: median(&secs).filter(|_| secs.len() >= MIN_DECIDED as usize),
            }
        })
        .collect()
}

/// One payer brand's public page from its decisions and open requests (also for a brand
/// nobody has asked yet).
pub fn page_of(brand_id: i32, name: String, decisions: &[Decision], waiting: &[Waiting], now: i64) -> PayerPage {
    let names = HashMap::from([(brand_id, name.clone())]);
    let payer = payer_rows(decisions, waiting, &names, now).pop().unwrap_or(PayerTurnaround {
        brand_id,
        brand: name,
        target_days: super::requests::DEFAULT_TARGET_DAYS,
        recent: Turnaround::default(),
        all_time: Turnaround::default(),
    });
    PayerPage { payer, trend: trend(decisions, now), as_of: now }
}

/// What the brand page shows; `None` when nobody has asked the brand yet.
pub fn brief_of(decisions: &[Decision], waiting: &[Waiting], now: i64) -> Option<TurnaroundBrief> {
    if decisions.is_empty() && waiting.is_empty() {
        return None;
    }
    let since = now - RECENT_DAYS * DAY;
    Some(TurnaroundBrief {
        recent: summarize(decisions.iter().filter(|d| d.decided_at >= since), waiting),
        all_time: summarize(decisions, waiting),
    })
}

/// The overview as CSV: one row per payer, both windows; days with one decimal, empty below
/// the minimum of decisions.
pub fn csv(overview: &Overview) -> Result<Vec<u8>, AppError> {
    use crate::server::services::export::csv_cell;
    use crate::types::registration::days_label;
    let days = |s: Option<i64>| s.map(days_label).unwrap_or_default();
    let pct = |p: Option<u32>| p.map(|p| p.to_string()).unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["brand_id".to_string(), "brand".into(), "target_days".into()];
    for window in ["90d", "all"] {
        for col in
            ["decided", "median_days", "p90_days", "within_target_pct", "self_reported_pct", "open", "oldest_open_days"]
        {
            head.push(format!("{window}_{col}"));
        }
    }
    let fail = |e: csv::Error| AppError::Internal(e.to_string());
    w.write_record(&head).map_err(fail)?;
    for r in &overview.rows {
        let mut row = vec![r.brand_id.to_string(), csv_cell(&r.brand).into_owned(), r.target_days.to_string()];
        for t in [&r.recent, &r.all_time] {
            row.extend([
                t.decided.to_string(),
                days(t.median_secs),
                days(t.p90_secs),
                pct(t.within_target_pct),
                pct(t.self_reported_pct),
                t.open.to_string(),
                days(t.oldest_open_secs),
            ]);
        }
        w.write_record(&row).map_err(fail)?;
    }
    w.into_inner().map_err(|e| AppError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: i32, days_tenths: i64, target: i32, reported: bool, at: i64) -> Decision {
        Decision {
            id,
            brand_id: 1,
            secs: days_tenths * DAY / 10,
            target_days: target,
            self_reported: reported,
            decided_at: at,
        }
    }

    #[test]
    fn statistics_need_five_decisions_and_match_hand_figures() {
        let four: Vec<Decision> = (0..4).map(|i| d(i, 10, 5, false, 0)).collect();
        let t = summarize(&four, &[]);
        assert_eq!((t.decided, t.median_secs, t.p90_secs, t.within_target_pct), (4, None, None, None));
        // 1, 2, 3, 6 and 12 business days against targets of 5: the median is 3 days, the
        // 90th percentile the 5th of 5 (12 days), 3 of 5 within target, 1 of 5 self-reported.
        let five = [
            d(1, 10, 5, false, 0),
            d(2, 20, 5, false, 0),
            d(3, 30, 5, true, 0),
            d(4, 60, 5, false, 0),
            d(5, 120, 5, false, 0),
        ];
        let open = [
            Waiting { id: 9, brand_id: 1, secs: 2 * DAY, target_days: 5 },
            Waiting { id: 10, brand_id: 1, secs: DAY / 2, target_days: 5 },
        ];
        let t = summarize(&five, &open);
        assert_eq!(t.median_secs, Some(3 * DAY));
        assert_eq!(t.p90_secs, Some(12 * DAY));
        assert_eq!(t.within_target_pct, Some(60));
        assert_eq!(t.self_reported_pct, Some(20));
        assert_eq!((t.open, t.oldest_open_secs), (2, Some(2 * DAY)));
        // Exactly at the target is within it.
        let t = summarize(
            &[
                d(1, 50, 5, false, 0),
                d(2, 51, 5, false, 0),
                d(3, 0, 5, false, 0),
                d(4, 0, 5, false, 0),
                d(5, 0, 5, false, 0),
                d(6, 0, 5, false, 0),
            ],
            &[],
        );
        assert_eq!((t.within_target_pct, t.median_secs), (Some(83), Some(0)));
    }

    #[test]
    fn the_trend_has_twelve_months_ending_with_this_one() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap().timestamp();
        let nov = Utc.with_ymd_and_hms(2026, 11, 15, 12, 0, 0).unwrap().timestamp();
        let last_jan = Utc.with_ymd_and_hms(2026, 1, 3, 12, 0, 0).unwrap().timestamp();
        let decisions: Vec<Decision> =
            (0..5).map(|i| d(i, 10 * i64::from(i + 1), 5, false, nov)).chain([d(9, 10, 5, false, last_jan)]).collect();
        let t = trend(&decisions, now);
        assert_eq!(t.len(), 12);
        assert_eq!((t[0].month.as_str(), t[0].decided), ("2026-01", 1));
        assert_eq!(t[0].median_secs, None);
        assert_eq!((t[10].month.as_str(), t[10].decided, t[10].median_secs), ("2026-11", 5, Some(3 * DAY)));
        assert_eq!((t[11].month.as_str(), t[11].decided), ("2026-12", 0));
    }
}
