//! The account pages: signing up and in, the links from mails, settings, organizations, and
//! the admin pages. Their forms post to the server's handlers (`server/src/http`), which answer
//! with a redirect or the same page rendered with the form's errors.
pub mod admin;
pub mod auth;
pub mod claims;
pub mod links;
pub mod orgs;
pub mod publishing;
pub mod settings;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub(crate) fn query_value(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get(name).unwrap_or_default()))
}

/// Unix seconds as `2026-12-02 06:31 UTC` (no clock library on the browser side).
pub fn utc_label(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

/// An error from a server function, as a page shows it.
pub(crate) fn failed(e: crate::error::AppError) -> AnyView {
    use crate::error::AppError;
    match e {
        AppError::Unauthorized(_) => view! {
            <p class="error" role="alert">"Log in to see this page. " <a href="/login">"Log in"</a></p>
        }
        .into_any(),
        AppError::Forbidden(why) => view! { <p class="error" role="alert">"Not allowed: " {why}</p> }.into_any(),
        AppError::NotFound(why) => view! { <p class="error" role="alert">"Not found: " {why}</p> }.into_any(),
        other => view! { <p class="error" role="alert">"Something went wrong: " {other.to_string()}</p> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(super::utc_label(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::utc_label(1_796_192_000), "2026-12-02 06:13 UTC");
        assert_eq!(super::utc_label(951_782_400), "2000-02-29 00:00 UTC");
    }
}
