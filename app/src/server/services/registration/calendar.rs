//! Business days for the SLA clock: Saturdays, Sundays, the US federal holidays of 5 U.S.C. 6103
//! on their observed days (a holiday on a Saturday is observed the Friday before, one on a
//! Sunday the Monday after; Executive Order 11582) and extra closures, counted in a US time zone
//! (the payer's, from its settings; US Eastern by default). Inauguration Day (6103(c)) is left out: it closes only
//! the Washington, D.C. area.
//!
//! The zones are the US ones with their rules since 2007 (daylight time from the second Sunday
//! in March to the first Sunday in November, at 2:00 local time; none in Arizona or Hawaii):
//! payers under the CMS rules are US plans, and these rules are a few lines that are tested here,
//! where a time-zone database would be a large dependency for seven zones.
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::BTreeSet;

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

/// A US time zone, by its IANA name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UsZone {
    #[default]
    Eastern,
    Central,
    Mountain,
    /// Mountain standard time all year.
    Arizona,
    Pacific,
    Alaska,
    /// Hawaii–Aleutian standard time all year.
    Hawaii,
}

impl UsZone {
    pub const ALL: [UsZone; 7] = [
        UsZone::Eastern,
        UsZone::Central,
        UsZone::Mountain,
        UsZone::Arizona,
        UsZone::Pacific,
        UsZone::Alaska,
        UsZone::Hawaii,
    ];

    pub fn name(self) -> &'static str {
        match self {
            UsZone::Eastern => "America/New_York",
            UsZone::Central => "America/Chicago",
            UsZone::Mountain => "America/Denver",
            UsZone::Arizona => "America/Phoenix",
            UsZone::Pacific => "America/Los_Angeles",
            UsZone::Alaska => "America/Anchorage",
            UsZone::Hawaii => "Pacific/Honolulu",
        }
    }

    pub fn parse(name: &str) -> Option<UsZone> {
        UsZone::ALL.into_iter().find(|z| z.name() == name.trim())
    }

    fn standard(self) -> i64 {
        match self {
            UsZone::Eastern => -5 * HOUR,
            UsZone::Central => -6 * HOUR,
            UsZone::Mountain | UsZone::Arizona => -7 * HOUR,
            UsZone::Pacific => -8 * HOUR,
            UsZone::Alaska => -9 * HOUR,
            UsZone::Hawaii => -10 * HOUR,
        }
    }

    /// The zone's offset from UTC, in seconds, at the instant `t` (Unix seconds).
    pub fn offset_at(self, t: i64) -> i64 {
        let std = self.standard();
        if matches!(self, UsZone::Arizona | UsZone::Hawaii) {
            return std;
        }
        let year = civil(t + std).year();
        // 2:00 standard time on the second Sunday of March; 2:00 daylight time (1:00 standard)
        // on the first Sunday of November.
        let start = midnight(nth_weekday(year, 3, Weekday::Sun, 2)) + 2 * HOUR - std;
        let end = midnight(nth_weekday(year, 11, Weekday::Sun, 1)) + HOUR - std;
        if t >= start && t < end { std + HOUR } else { std }
    }

    /// The local calendar day at the instant `t`.
    pub fn date_at(self, t: i64) -> NaiveDate {
        civil(t + self.offset_at(t))
    }

    /// The instant the local day `d` begins (midnight is never skipped or repeated in the US).
    pub fn start_of(self, d: NaiveDate) -> i64 {
        let local = midnight(d);
        local - self.offset_at(local - self.standard())
    }
}

/// The UTC calendar day of Unix seconds `t`.
fn civil(t: i64) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt((t.div_euclid(DAY) + 719_163) as i32).unwrap_or_default()
}

/// Unix seconds at 00:00 UTC of `d` (as if it were UTC).
fn midnight(d: NaiveDate) -> i64 {
    (i64::from(d.num_days_from_ce()) - 719_163) * DAY
}

/// The `n`th `weekday` of the month (1-based).
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n as u8).unwrap_or_default()
}

fn last_weekday(year: i32, month: u32, weekday: Weekday) -> NaiveDate {
    let next = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    let mut d = NaiveDate::from_ymd_opt(next.0, next.1, 1).unwrap_or_default() - Duration::days(1);
    while d.weekday() != weekday {
        d -= Duration::days(1);
    }
    d
}

/// A fixed-date holiday's observed day.
fn observed(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d - Duration::days(1),
        Weekday::Sun => d + Duration::days(1),
        _ => d,
    }
}

/// The federal holidays of 5 U.S.C. 6103 for `year`, on the days they are observed (New Year's
/// Day of the next year may be observed on December 31 of this one; it is listed with its own
/// year, so look in both).
pub fn federal_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let fixed = |m: u32, d: u32| observed(NaiveDate::from_ymd_opt(year, m, d).unwrap_or_default());
    let mut out = vec![
        (fixed(1, 1), "New Year's Day"),
        (nth_weekday(year, 1, Weekday::Mon, 3), "Birthday of Martin Luther King, Jr."),
        (nth_weekday(year, 2, Weekday::Mon, 3), "Washington's Birthday"),
        (last_weekday(year, 5, Weekday::Mon), "Memorial Day"),
        (fixed(7, 4), "Independence Day"),
        (nth_weekday(year, 9, Weekday::Mon, 1), "Labor Day"),
        (nth_weekday(year, 10, Weekday::Mon, 2), "Columbus Day"),
        (fixed(11, 11), "Veterans Day"),
        (nth_weekday(year, 11, Weekday::Thu, 4), "Thanksgiving Day"),
        (fixed(12, 25), "Christmas Day"),
    ];
    // Juneteenth National Independence Day, from 2021 (Public Law 117-17).
    if year >= 2021 {
        out.push((fixed(6, 19), "Juneteenth National Independence Day"));
    }
    out.sort();
    out
}

/// Which days count, where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    pub zone: UsZone,
    /// Days the payer is also closed (configured).
    pub closures: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn new(zone: UsZone, closures: impl IntoIterator<Item = NaiveDate>) -> Calendar {
        Calendar { zone, closures: closures.into_iter().collect() }
    }

    /// The same days in the zone a request was made in (its payer's; `None` or a name not
    /// known: this calendar's own).
    pub fn in_zone(&self, name: Option<&str>) -> std::borrow::Cow<'_, Calendar> {
        match name.and_then(UsZone::parse) {
            Some(zone) if zone != self.zone => {
                std::borrow::Cow::Owned(Calendar { zone, closures: self.closures.clone() })
            }
            _ => std::borrow::Cow::Borrowed(self),
        }
    }

    pub fn holiday(&self, d: NaiveDate) -> Option<&'static str> {
        [d.year(), d.year() + 1].into_iter().flat_map(federal_holidays).find(|(h, _)| *h == d).map(|(_, name)| name)
    }

    pub fn is_business_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.closures.contains(&d) && self.holiday(d).is_none()
    }

    /// Seconds of business days between the instants `from` and `to` (0 when `to` ≤ `from`):
    /// each local business day counts its whole length, others nothing.
    pub fn business_secs(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        let (first, last) = (self.zone.date_at(from), self.zone.date_at(to));
        let mut total = 0;
        let mut d = first;
        while d <= last {
            if self.is_business_day(d) {
                let start = self.zone.start_of(d);
                let end = self.zone.start_of(d + Duration::days(1));
                total += (to.min(end) - from.max(start)).max(0);
            }
            d += Duration::days(1);
        }
        total
    }
}

/// Parses `2026-12-24,2026-12-31`: extra closure days (a bad entry is an error, not skipped).
pub fn parse_closures(text: &str) -> Result<BTreeSet<NaiveDate>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| format!("\"{}\" is not a date like 2026-12-24", s.escape_default()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_request_is_counted_in_its_payers_zone() {
        let cal = Calendar::new(UsZone::Eastern, [d(2026, 12, 24)]);
        let pacific = cal.in_zone(Some("America/Los_Angeles"));
        assert_eq!((pacific.zone, pacific.closures.len()), (UsZone::Pacific, 1), "the closures go along");
        assert_eq!(cal.in_zone(None).zone, UsZone::Eastern);
        assert_eq!(cal.in_zone(Some("Europe/Paris")).zone, UsZone::Eastern, "an unknown name is not guessed");
        // Monday 09:00 to 17:00 in Los Angeles is 8 business hours there; the same instants
        // start on a Monday in New York too, so only the zone's midnight differs.
        let (start, end) = (UsZone::Pacific.start_of(d(2026, 11, 30)), UsZone::Pacific.start_of(d(2026, 12, 1)));
        assert_eq!(pacific.business_secs(start, end), 86_400);
        assert_eq!(cal.business_secs(start, end), 86_400);
        // Saturday in Los Angeles begins at 03:00 Saturday in New York: Friday's last three
        // hours in New York are Friday evening in Los Angeles, business time for both.
        let (fri, sat) = (UsZone::Pacific.start_of(d(2026, 12, 4)), UsZone::Pacific.start_of(d(2026, 12, 5)));
        assert_eq!(pacific.business_secs(fri, sat), 86_400);
        assert_eq!(cal.business_secs(fri, sat), 86_400 - 3 * 3_600, "New York's Saturday starts 3 hours earlier");
    }

    fn at(y: i32, m: u32, day: u32, h: i64, zone: UsZone) -> i64 {
        zone.start_of(d(y, m, day)) + h * HOUR
    }

    #[test]
    fn each_federal_holiday_falls_on_its_observed_day() {
        let h2026: Vec<NaiveDate> = federal_holidays(2026).into_iter().map(|(x, _)| x).collect();
        // OPM's list for 2026: July 4 is a Saturday, observed Friday July 3.
        assert_eq!(
            h2026,
            [
                d(2026, 1, 1),
                d(2026, 1, 19),
                d(2026, 2, 16),
                d(2026, 5, 25),
                d(2026, 6, 19),
                d(2026, 7, 3),
                d(2026, 9, 7),
                d(2026, 10, 12),
                d(2026, 11, 11),
                d(2026, 11, 26),
                d(2026, 12, 25),
            ]
        );
        let cal = Calendar::default();
        // Sunday → Monday: Christmas 2022 was observed on Monday December 26.
        assert_eq!(cal.holiday(d(2022, 12, 26)), Some("Christmas Day"));
        assert!(cal.is_business_day(d(2022, 12, 23)));
        // Saturday → Friday, across a year: New Year's Day 2022 was observed on December 31, 2021.
        assert_eq!(cal.holiday(d(2021, 12, 31)), Some("New Year's Day"));
        assert!(cal.is_business_day(d(2022, 1, 3)));
        // Juneteenth only from 2021; Juneteenth 2027 is a Saturday, observed Friday June 18.
        assert!(cal.holiday(d(2020, 6, 19)).is_none());
        assert_eq!(cal.holiday(d(2027, 6, 18)), Some("Juneteenth National Independence Day"));
        // Veterans Day 2029 is a Sunday: Monday November 12.
        assert_eq!(cal.holiday(d(2029, 11, 12)), Some("Veterans Day"));
        // Thanksgiving is the fourth Thursday, not the last: 2029 has five.
        assert_eq!(cal.holiday(d(2029, 11, 22)), Some("Thanksgiving Day"));
        assert!(cal.is_business_day(d(2029, 11, 29)));
        // Memorial Day is the last Monday of May.
        assert_eq!(cal.holiday(d(2027, 5, 31)), Some("Memorial Day"));
        // Weekends, and configured closures.
        assert!(!cal.is_business_day(d(2026, 12, 5)) && !cal.is_business_day(d(2026, 12, 6)));
        let closed = Calendar::new(UsZone::Eastern, [d(2026, 12, 24)]);
        assert!(!closed.is_business_day(d(2026, 12, 24)) && cal.is_business_day(d(2026, 12, 24)));
    }

    #[test]
    fn zones_follow_daylight_time() {
        let e = UsZone::Eastern;
        // 2026: daylight time from March 8 at 2:00 to November 1 at 2:00.
        assert_eq!(e.offset_at(at(2026, 3, 8, 1, e)), -5 * HOUR);
        assert_eq!(e.offset_at(at(2026, 3, 8, 3, e)), -4 * HOUR);
        assert_eq!(e.offset_at(at(2026, 10, 31, 12, e)), -4 * HOUR);
        assert_eq!(e.offset_at(at(2026, 11, 2, 0, e)), -5 * HOUR);
        assert_eq!(UsZone::Arizona.offset_at(at(2026, 7, 1, 12, e)), -7 * HOUR);
        // A day is 23 hours in March and 25 in November.
        assert_eq!(e.start_of(d(2026, 3, 9)) - e.start_of(d(2026, 3, 8)), 23 * HOUR);
        assert_eq!(e.start_of(d(2026, 11, 2)) - e.start_of(d(2026, 11, 1)), 25 * HOUR);
        // Midnight in New York on 2026-12-02 is 05:00 UTC.
        assert_eq!(e.start_of(d(2026, 12, 2)), 1_796_169_600 + 5 * HOUR);
        assert_eq!(UsZone::parse("America/Chicago"), Some(UsZone::Central));
        assert_eq!(UsZone::parse("Europe/Paris"), None);
    }

    #[test]
    fn business_seconds_skip_weekends_and_holidays() {
        let cal = Calendar::default();
        let z = cal.zone;
        // Friday 2026-12-04 17:00 to Monday 2026-12-07 09:00: 7 h of Friday and 9 of Monday.
        assert_eq!(cal.business_secs(at(2026, 12, 4, 17, z), at(2026, 12, 7, 9, z)), 16 * HOUR);
        // Within a weekend, nothing; backwards, nothing.
        assert_eq!(cal.business_secs(at(2026, 12, 5, 1, z), at(2026, 12, 6, 23, z)), 0);
        assert_eq!(cal.business_secs(at(2026, 12, 7, 9, z), at(2026, 12, 4, 9, z)), 0);
        // Across Thanksgiving 2026 (Thursday 26th): Wednesday noon to Friday noon is 12 + 12 hours.
        assert_eq!(cal.business_secs(at(2026, 11, 25, 12, z), at(2026, 11, 27, 12, z)), 24 * HOUR);
        // A whole week with Christmas (Friday 25th): four business days.
        assert_eq!(cal.business_secs(at(2026, 12, 21, 0, z), at(2026, 12, 28, 0, z)), 4 * DAY);
        // Decided the same day it was made.
        assert_eq!(cal.business_secs(at(2026, 12, 2, 9, z), at(2026, 12, 2, 15, z)), 6 * HOUR);
    }

    #[test]
    fn closures_parse_or_say_why() {
        assert_eq!(parse_closures(" 2026-12-24, 2026-12-31 ,").unwrap().len(), 2);
        assert!(parse_closures("2026-13-01").unwrap_err().contains("2026-13-01"));
        assert!(parse_closures("").unwrap().is_empty());
    }
}
