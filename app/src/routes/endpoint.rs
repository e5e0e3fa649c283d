//! `/endpoints/:id`: an endpoint's health, history, certificate, CORS and CARIN scorecard.
use crate::api::endpoints::get_endpoint;
use crate::components::copy_button::CopyButton;
use crate::components::health::{HealthBadge, LatencyChart, UptimeStrip, percent, utc};
use crate::components::report::ReportView;
use crate::components::subscribe::{SubscribeForm, notice_from_url};
use crate::components::tags::FhirVersionTags;
use crate::types::alerts::TargetKind;
use crate::types::check::check_href;
use crate::types::endpoint::EndpointStatus;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn EndpointPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let status = Resource::new(move || id.get(), get_endpoint);
    view! {
        <div class="wrap page">
            <Suspense fallback=|| view! { <p class="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(Some(s)) => view! { <EndpointView status=s /> }.into_any(),
                        Ok(None) => view! {
                            <Title text="Endpoint not found" />
                            <h1>"Endpoint not found"</h1>
                            <p><a href="/">"Search the directory"</a></p>
                        }
                        .into_any(),
                        Err(e) => view! { <p class="error" role="alert">"Could not load this endpoint: " {e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn EndpointView(status: EndpointStatus) -> impl IntoView {
    let s = status;
    let title = s.name.clone().unwrap_or_else(|| s.address.clone());
    let label = format!("Copy endpoint address {}", s.address);
    view! {
        <Title text=title.clone() />
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/">"Directory"</a></nav>
        <header class="endpoint-header">
            <h1>{title}</h1>
            <div class="address-row">
                <code class="endpoint-address">{s.address.clone()}</code>
                <CopyButton text=s.address.clone() label=label />
            </div>
            <p class="meta">
                <HealthBadge health=s.health />
                <FhirVersionTags versions=s.fhir_versions.clone() />
                {s.last_checked_at.map(|t| view! { <span>"Last checked " {utc(t)}</span> })}
                <a href=check_href(&s.address)>"Check it now"</a>
            </p>
        </header>
        <section class="card" aria-labelledby="uptime-heading">
            <h2 id="uptime-heading">"Uptime and latency"</h2>
            <dl class="facts">
                <dt>"Last 24 hours"</dt><dd>{percent(s.uptime.day)}</dd>
                <dt>"Last 7 days"</dt><dd>{percent(s.uptime.week)}</dd>
                <dt>"Last 30 days"</dt><dd>{percent(s.uptime.month)}</dd>
                <dt>"Latency p50 / p95 (7 days)"</dt>
                <dd>{s.latency_p50.map(|v| format!("{v} ms")).unwrap_or("–".into())} " / " {s.latency_p95.map(|v| format!("{v} ms")).unwrap_or("–".into())}</dd>
            </dl>
            <UptimeStrip days=s.daily.clone() />
            <LatencyChart series=s.latency_series.clone() />
        </section>
        {s.report.clone().map(|r| view! { <ReportView report=r id=s.id has_metadata=s.has_raw_metadata has_smart=s.has_raw_smart /> })}
        <section class="card" aria-labelledby="checks-heading">
            <h2 id="checks-heading">"Last checks"</h2>
            {if s.recent.is_empty() {
                view! { <p class="note">"This endpoint has not been checked yet."</p> }.into_any()
            } else {
                view! {
                    <table class="checks">
                        <thead><tr><th scope="col">"When"</th><th scope="col">"Result"</th><th scope="col">"Latency"</th><th scope="col">"Reason"</th></tr></thead>
                        <tbody>
                            {s.recent.iter().map(|c| view! {
                                <tr>
                                    <td>{utc(c.checked_at)}</td>
                                    <td><HealthBadge health=c.health /></td>
                                    <td>{c.latency_ms.map(|l| format!("{l} ms")).unwrap_or_default()}</td>
                                    <td>{c.reason.clone().unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <SubscribeForm kind=TargetKind::Endpoint id=s.id notice=notice_from_url() />
        {(!s.brands.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="brands-heading">
                <h2 id="brands-heading">"Brands using this endpoint"</h2>
                <ul class="links">
                    {s.brands.iter().map(|b| view! {
                        <li>
                            <a href=format!("/brands/{}", b.id)>{b.name.clone()}</a>" · "
                            <a href=format!("/brands/{}/report?endpoint={}", b.id, s.id)>"report a problem with this endpoint"</a>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
    .into_any()
}
