//! The SLA clock: a pure function of a request's state history, a calendar and `now`. It runs
//! while the request waits on the payer (submitted, in review) and counts only business days in
//! the payer's time zone; it pauses while the request waits on the developer.
use super::calendar::Calendar;
use crate::types::registration::RequestState;

const DAY: i64 = 86_400;

/// Business seconds the request has waited on the payer by `now`. `history` is the state the
/// request entered at each instant, oldest first; entries after `now` are not counted.
pub fn elapsed_secs(history: &[(i64, RequestState)], calendar: &Calendar, now: i64) -> i64 {
    let mut total = 0;
    for (i, (at, state)) in history.iter().enumerate() {
        if *at >= now {
            break;
        }
        let until = history.get(i + 1).map_or(now, |(next, _)| (*next).min(now));
        if state.clock_runs() {
            total += calendar.business_secs(*at, until);
        }
    }
    total
}

/// The clock against the payer's target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    pub elapsed_secs: i64,
    pub target_days: i64,
    /// Negative once past the target.
    pub left_secs: i64,
    pub breached: bool,
    /// Within one business day of the target (the payer is reminded).
    pub due_soon: bool,
}

impl Clock {
    pub fn of(history: &[(i64, RequestState)], calendar: &Calendar, target_days: i64, now: i64) -> Clock {
        Clock::after(elapsed_secs(history, calendar, now), target_days)
    }

    /// The clock after `elapsed` business seconds (a decided request's stored seconds: its
    /// clock stopped at the decision).
    pub fn after(elapsed: i64, target_days: i64) -> Clock {
        let target = target_days * DAY;
        Clock {
            elapsed_secs: elapsed,
            target_days,
            left_secs: target - elapsed,
            breached: elapsed > target,
            due_soon: elapsed <= target && elapsed >= target - DAY,
        }
    }

    /// Business days elapsed, to one decimal.
    pub fn elapsed_days(&self) -> f64 {
        (self.elapsed_secs as f64 / DAY as f64 * 10.0).floor() / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::super::calendar::UsZone;
    use super::*;
    use RequestState::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    const HOUR: i64 = 3_600;

    fn at(y: i32, m: u32, d: u32, h: i64) -> i64 {
        UsZone::Eastern.start_of(NaiveDate::from_ymd_opt(y, m, d).unwrap()) + h * HOUR
    }

    #[test]
    fn the_clock_pauses_while_the_developer_answers() {
        let cal = Calendar::default();
        // Submitted Wednesday 2026-12-02 at 10:00, in review at 14:00, information asked
        // Thursday at 10:00, answered the next Tuesday at 10:00, approved Wednesday at 10:00.
        let history = [
            (at(2026, 12, 2, 10), Submitted),
            (at(2026, 12, 2, 14), InReview),
            (at(2026, 12, 3, 10), NeedsInfo),
            (at(2026, 12, 8, 10), InReview),
            (at(2026, 12, 9, 10), Approved),
        ];
        // Wednesday 10:00 to Thursday 10:00 (one day), paused across a weekend, then Tuesday
        // 10:00 to Wednesday 10:00 (one day).
        assert_eq!(elapsed_secs(&history, &cal, at(2026, 12, 20, 0)), 2 * DAY);
        // At Friday noon it is still one day: paused.
        assert_eq!(elapsed_secs(&history, &cal, at(2026, 12, 4, 12)), DAY);
        // Before it was made: nothing.
        assert_eq!(elapsed_secs(&history, &cal, at(2026, 12, 1, 0)), 0);
    }

    #[test]
    fn a_request_decided_the_day_it_was_made_and_one_past_its_target() {
        let cal = Calendar::default();
        let same_day = [(at(2026, 12, 2, 9), Submitted), (at(2026, 12, 2, 16), Denied)];
        let c = Clock::of(&same_day, &cal, 5, at(2027, 1, 1, 0));
        assert_eq!((c.elapsed_secs, c.breached), (7 * HOUR, false));
        assert_eq!(c.elapsed_days(), 0.2);
        // Submitted Monday 2026-11-23 at 09:00 with a 5-day target: Thanksgiving (26th) and the
        // weekend do not count, so the target is reached Tuesday 2026-12-01 at 09:00.
        let open = [(at(2026, 11, 23, 9), Submitted)];
        let before = Clock::of(&open, &cal, 5, at(2026, 11, 30, 10));
        assert!(!before.breached && before.due_soon, "{before:?}");
        let after = Clock::of(&open, &cal, 5, at(2026, 12, 1, 10));
        assert!(after.breached && after.left_secs == -HOUR, "{after:?}");
        let early = Clock::of(&open, &cal, 5, at(2026, 11, 24, 9));
        assert!(!early.due_soon && early.left_secs == 4 * DAY);
    }

    fn history_strategy() -> impl Strategy<Value = Vec<(i64, RequestState)>> {
        let start = at(2026, 1, 1, 0);
        let state = prop_oneof![Just(Submitted), Just(InReview), Just(NeedsInfo), Just(Approved), Just(Denied)];
        proptest::collection::vec((0..(20 * DAY), state), 1..8).prop_map(move |steps| {
            let mut t = start;
            steps
                .into_iter()
                .map(|(gap, s)| {
                    t += gap;
                    (t, s)
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn elapsed_is_never_negative_and_never_more_than_the_business_time(
            history in history_strategy(), later in 0..(60 * DAY)
        ) {
            let cal = Calendar::default();
            let now = history[0].0 + later;
            let e = elapsed_secs(&history, &cal, now);
            prop_assert!(e >= 0);
            prop_assert!(e <= cal.business_secs(history[0].0, now));
        }

        #[test]
        fn elapsed_only_grows_with_now(history in history_strategy(), a in 0..(60 * DAY), b in 0..(60 * DAY)) {
            let cal = Calendar::default();
            let (lo, hi) = (a.min(b), a.max(b));
            let t0 = history[0].0;
            prop_assert!(elapsed_secs(&history, &cal, t0 + lo) <= elapsed_secs(&history, &cal, t0 + hi));
        }

        #[test]
        fn each_second_counts_exactly_when_it_runs_on_a_business_day(
            history in history_strategy(), later in 0..(60 * DAY)
        ) {
            let cal = Calendar::default();
            let t = history[0].0 + later;
            // The state at t: the last entered at or before it.
            let state = history.iter().rev().find(|(at, _)| *at <= t).map(|(_, s)| *s);
            let runs = state.is_some_and(RequestState::clock_runs) && cal.is_business_day(cal.zone.date_at(t));
            let step = elapsed_secs(&history, &cal, t + 1) - elapsed_secs(&history, &cal, t);
            prop_assert_eq!(step, i64::from(runs));
        }
    }
}
