//! Health at a glance: the status badge, the certificate's days left, the server-rendered SVG
//! latency chart and daily-uptime strip.
use crate::types::check::Health;
use crate::types::endpoint::DayUptime;
use leptos::prelude::*;

#[component]
pub fn HealthBadge(health: Health) -> impl IntoView {
    let (class, text) = match health {
        Health::Up => ("badge badge-up", "Up"),
        Health::Degraded => ("badge badge-degraded", "Degraded"),
        Health::Down => ("badge badge-down", "Down"),
        Health::Unknown => ("badge badge-unknown", "Not checked yet"),
    };
    view! { <span class=class>{text}</span> }
}

/// Colour steps at 30, 14 and 7 days, as the alerts do.
pub fn cert_class(days_left: i64) -> &'static str {
    match days_left {
        d if d < 7 => "cert cert-critical",
        d if d < 14 => "cert cert-danger",
        d if d < 30 => "cert cert-warn",
        _ => "cert cert-ok",
    }
}

/// Unix seconds as `YYYY-MM-DD HH:MM UTC` (no time zone data needed in the browser).
pub fn utc(ts: i64) -> String {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", secs / 3600, (secs % 3600) / 60)
}

pub fn percent(share: Option<f64>) -> String {
    share.map(|s| format!("{:.1}%", s * 100.0)).unwrap_or_else(|| "–".into())
}

#[component]
pub fn LatencyChart(series: Vec<(i64, Option<i32>)>) -> impl IntoView {
    let (w, h) = (600.0_f64, 120.0_f64);
    let points: Vec<(i64, i32)> = series.iter().filter_map(|(t, l)| l.map(|l| (*t, l))).collect();
    if points.len() < 2 {
        return view! { <p class="note">"Not enough checks for a latency chart yet."</p> }.into_any();
    }
    let (t0, t1) = (points[0].0, points[points.len() - 1].0.max(points[0].0 + 1));
    let max = points.iter().map(|p| p.1).max().unwrap_or(1).max(1) as f64;
    let path: String = points
        .iter()
        .map(|(t, l)| {
            let x = (t - t0) as f64 / (t1 - t0) as f64 * w;
            let y = h - (*l as f64 / max) * (h - 10.0);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let label = format!("Latency of the last {} checks, highest {} ms", points.len(), max as i32);
    let title = label.clone();
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {h}") role="img" aria-label=label preserveAspectRatio="none">
            <title>{title}</title>
            <polyline points=path fill="none" stroke="currentColor" stroke-width="2" vector-effect="non-scaling-stroke" />
        </svg>
        <p class="note">"Highest: " {max as i32} " ms"</p>
    }
    .into_any()
}

#[component]
pub fn UptimeStrip(days: Vec<DayUptime>) -> impl IntoView {
    let cell = 600.0 / days.len().max(1) as f64;
    view! {
        <svg class="strip" viewBox="0 0 600 24" role="img" aria-label="Daily uptime over the last 30 days">
            <title>"Daily uptime, last 30 days (oldest on the left)"</title>
            {days
                .into_iter()
                .enumerate()
                .map(|(i, d)| {
                    let class = match d.up_share {
                        None => "day day-none",
                        Some(s) if s >= 0.999 => "day day-up",
                        Some(s) if s >= 0.9 => "day day-partial",
                        Some(_) => "day day-down",
                    };
                    let tip = format!("{} days ago: {} checks, {} up", d.days_ago, d.checks, percent(d.up_share));
                    view! {
                        <rect class=class x=format!("{:.1}", i as f64 * cell) y="0" width=format!("{:.1}", cell - 2.0) height="24">
                            <title>{tip}</title>
                        </rect>
                    }
                })
                .collect_view()}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_795_426_665), "2026-11-23 09:37 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn certificate_colours_step_at_30_14_7() {
        assert_eq!(cert_class(45), "cert cert-ok");
        assert_eq!(cert_class(29), "cert cert-warn");
        assert_eq!(cert_class(13), "cert cert-danger");
        assert_eq!(cert_class(6), "cert cert-critical");
        assert_eq!(cert_class(-2), "cert cert-critical");
    }
}
