//! Each payer's turnaround, public: the overview of every payer (`/turnaround`, sortable, also
//! as CSV and JSON) and one payer's page with its trend (`/turnaround/:brand`).
use crate::api::registration::{turnaround_of_payer, turnaround_overview};
use crate::routes::accounts::{failed, query_value, utc_label};
use crate::types::registration::days_label;
use crate::types::turnaround::{MIN_DECIDED, MonthPoint, PayerTurnaround, SortBy, Turnaround, Window};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Business days, or a dash below the minimum of decisions.
pub fn days_or_dash(secs: Option<i64>) -> String {
    secs.map_or_else(|| "—".to_string(), |s| days_label(s))
}

fn pct_or_dash(p: Option<u32>) -> String {
    p.map_or_else(|| "—".to_string(), |p| format!("{p}%"))
}

/// One sentence for the brand page and the payer page.
pub fn sentence(t: &Turnaround, target_days: Option<i32>, window: &str) -> String {
    let target = target_days.map(|d| format!(" against a target of {d}")).unwrap_or_default();
    match (t.median_secs, t.within_target_pct) {
        (Some(m), Some(w)) if t.has_statistics() => format!(
            "Median {} business days to a decision{target} over {window}; {w}% decided within target ({} decided).",
            days_label(m),
            t.decided
        ),
        _ => format!("{} decided over {window}: fewer than {MIN_DECIDED}, too few for a statistic.", t.decided),
    }
}

#[component]
fn SortLink(by: SortBy, label: &'static str, current: SortBy, window: Window) -> impl IntoView {
    let href = format!("/turnaround?sort={}&window={}", by.as_str(), window.as_str());
    // Names, medians and percentiles go up; counts and shares come largest first.
    let ascending = matches!(by, SortBy::Name | SortBy::Median | SortBy::P90);
    let aria = (by == current).then_some(if ascending { "ascending" } else { "descending" });
    view! {
        <th scope="col" aria-sort=aria>
            <a href=href>{label}{(by == current).then_some(if ascending { " ▴" } else { " ▾" })}</a>
        </th>
    }
}

fn figures(t: &Turnaround) -> impl IntoView + use<> {
    let oldest = t.oldest_open_secs.map(|s| format!(" (oldest {} days)", days_label(s))).unwrap_or_default();
    view! {
        <td>{t.decided}</td>
        <td>{days_or_dash(t.median_secs)}</td>
        <td>{days_or_dash(t.p90_secs)}</td>
        <td>{pct_or_dash(t.within_target_pct)}</td>
        <td>{format!("{}{oldest}", t.open)}</td>
        <td>{pct_or_dash(t.self_reported_pct)}</td>
    }
}

/// `/turnaround`.
#[component]
pub fn TurnaroundPage() -> impl IntoView {
    let (sort, window) = (query_value("sort"), query_value("window"));
    let overview = Resource::new(move || (sort.get(), window.get()), |(s, w)| turnaround_overview(s, w));
    view! {
        <Title text="Payers' registration turnaround" />
        <div class="wrap page">
            <h1>"Payers' registration turnaround"</h1>
            <p class="lede">"How long each payer takes to decide an app's request for access through Signpost, in business days while the request waits on the payer (weekends, federal holidays and time waiting on the developer are not counted). A payer with fewer than 5 decisions gets no statistic."</p>
            <p><a href="/turnaround.csv" download>"Download as CSV"</a>" · "<a href="/api/v1/turnaround">"JSON"</a></p>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) if o.rows.is_empty() => view! { <p>"No payer has had a request through Signpost yet."</p> }.into_any(),
                        Ok(o) => {
                            let (by, w) = (o.sort, o.window);
                            let other = if w == Window::Recent { Window::AllTime } else { Window::Recent };
                            view! {
                                <p>
                                    {format!("Showing the {}. ", w.label())}
                                    <a href=format!("/turnaround?sort={}&window={}", by.as_str(), other.as_str())>{format!("Show {}", other.label())}</a>
                                </p>
                                <table class="table">
                                    <caption class="visually-hidden">{format!("Turnaround by payer, {}", w.label())}</caption>
                                    <thead><tr>
                                        <SortLink by=SortBy::Name label="Payer" current=by window=w />
                                        <th scope="col">"Target (days)"</th>
                                        <SortLink by=SortBy::Decided label="Decided" current=by window=w />
                                        <SortLink by=SortBy::Median label="Median (days)" current=by window=w />
                                        <SortLink by=SortBy::P90 label="90th percentile (days)" current=by window=w />
                                        <SortLink by=SortBy::Within label="Within target" current=by window=w />
                                        <SortLink by=SortBy::Open label="Open now" current=by window=w />
                                        <th scope="col">"Self-reported"</th>
                                    </tr></thead>
                                    <tbody>
                                        {o.rows.into_iter().map(|r: PayerTurnaround| {
                                            let t = if w == Window::Recent { r.recent.clone() } else { r.all_time.clone() };
                                            view! {
                                                <tr>
                                                    <td><a href=format!("/turnaround/{}", r.brand_id)>{r.brand.clone()}</a></td>
                                                    <td>{r.target_days}</td>
                                                    {figures(&t)}
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <p class="muted">{format!("As of {}.", utc_label(o.as_of))}</p>
                            }.into_any()
                        }
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// Decisions per month as bars, with each month's median where there are enough.
#[component]
fn TrendChart(points: Vec<MonthPoint>) -> impl IntoView {
    let max = points.iter().map(|p| p.decided).max().unwrap_or(0).max(1);
    let (width, height, bar) = (600, 160, 50);
    let summary = points.iter().map(|p| format!("{}: {}", p.month, p.decided)).collect::<Vec<_>>().join(", ");
    view! {
        <figure class="trend">
            <svg viewBox=format!("0 0 {width} {}", height + 40) role="img" aria-labelledby="trend-title" class="trend-chart">
                <title id="trend-title">{format!("Decisions per month over the last 12 months: {summary}")}</title>
                {points.iter().enumerate().map(|(i, p)| {
                    let h = (p.decided * height as u32 / max) as i32;
                    let x = i as i32 * bar;
                    view! {
                        <g>
                            <rect x=x + 6 y=height - h width=bar - 12 height=h class="bar" />
                            <text x=x + bar / 2 y=height + 16 text-anchor="middle" class="axis">{p.month[5..].to_string()}</text>
                            <text x=x + bar / 2 y=(height - h - 4).max(12) text-anchor="middle" class="value">{p.decided}</text>
                            {p.median_secs.map(|m| view! {
                                <text x=x + bar / 2 y=height + 32 text-anchor="middle" class="median">{days_label(m)}</text>
                            })}
                        </g>
                    }
                }).collect_view()}
            </svg>
            <figcaption>"Bars: decisions each month. Below each month: its median in business days, where it had at least 5 decisions."</figcaption>
        </figure>
        <table class="table">
            <caption>"The trend, month by month"</caption>
            <thead><tr><th scope="col">"Month"</th><th scope="col">"Decided"</th><th scope="col">"Median (days)"</th></tr></thead>
            <tbody>
                {points.into_iter().map(|p| view! {
                    <tr><td>{p.month}</td><td>{p.decided}</td><td>{days_or_dash(p.median_secs)}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// `/turnaround/:brand`.
#[component]
pub fn PayerTurnaroundPage() -> impl IntoView {
    let params = use_params_map();
    let brand = Memo::new(move |_| params.with(|p| p.get("brand").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0)));
    let page = Resource::new(move || brand.get(), turnaround_of_payer);
    view! {
        <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        let r = p.payer;
                        view! {
                            <Title text=format!("Turnaround: {}", r.brand) />
                            <div class="wrap page">
                                <h1>{format!("Registration turnaround: {}", r.brand)}</h1>
                                <p class="lede">{format!("Requests for access through Signpost, in business days while each waited on the payer. Target: {} business days.", r.target_days)}</p>
                                <p><a href=format!("/brands/{}", r.brand_id)>"The brand's page"</a>" · "<a href=format!("/api/v1/turnaround/{}", r.brand_id)>"JSON"</a>" · "<a href="/turnaround">"Every payer"</a></p>
                                <table class="table">
                                    <caption class="visually-hidden">"Turnaround"</caption>
                                    <thead><tr>
                                        <th scope="col">"Window"</th>
                                        <th scope="col">"Decided"</th>
                                        <th scope="col">"Median (days)"</th>
                                        <th scope="col">"90th percentile (days)"</th>
                                        <th scope="col">"Within target"</th>
                                        <th scope="col">"Open now"</th>
                                        <th scope="col">"Self-reported"</th>
                                    </tr></thead>
                                    <tbody>
                                        <tr><th scope="row">"Last 90 days"</th>{figures(&r.recent)}</tr>
                                        <tr><th scope="row">"All time"</th>{figures(&r.all_time)}</tr>
                                    </tbody>
                                </table>
                                <p>{sentence(&r.recent, Some(r.target_days), "the last 90 days")}</p>
                                <h2>"Trend"</h2>
                                <TrendChart points=p.trend />
                                <p class="muted">{format!("As of {}.", utc_label(p.as_of))}</p>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <Title text="Turnaround" /> <div class="wrap page">{failed(e)}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}
