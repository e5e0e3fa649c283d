//! `/endpoints/:id`: an endpoint's health, history, certificate, CORS and CARIN scorecard.
use crate::api::endpoints::get_endpoint;
use crate::components::copy_button::CopyButton;
use crate::components::health::{HealthBadge, LatencyChart, UptimeStrip, cert_class, percent, utc};
use crate::components::tags::FhirVersionTags;
use crate::types::check::{CheckReport, Verdict};
use crate::types::endpoint::EndpointStatus;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn EndpointPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i32>().ok())));
    let status = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_endpoint(id).await,
                None => Ok(None),
            }
        },
    );
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
        {(!s.brands.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="brands-heading">
                <h2 id="brands-heading">"Brands using this endpoint"</h2>
                <ul class="links">
                    {s.brands.iter().map(|b| view! { <li><a href=format!("/brands/{}", b.id)>{b.name.clone()}</a></li> }).collect_view()}
                </ul>
            </section>
        })}
    }
    .into_any()
}

#[component]
fn ReportView(report: CheckReport, id: i32, has_metadata: bool, has_smart: bool) -> impl IntoView {
    let r = report;
    let (pass, total) = r.score();
    let meta = r.metadata.facts.clone();
    view! {
        <section class="card" aria-labelledby="report-heading">
            <h2 id="report-heading">"Latest check"</h2>
            {(!r.problems.is_empty()).then(|| view! {
                <ul class="problems">{r.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
            })}
            <dl class="facts">
                <dt>"CapabilityStatement"</dt>
                <dd>{match &meta {
                    Some(m) => format!("{} {} · {}{}", m.resource_type, m.fhir_version.clone().unwrap_or_default(),
                        m.software_name.clone().unwrap_or_else(|| "unnamed software".into()),
                        m.software_version.clone().map(|v| format!(" {v}")).unwrap_or_default()),
                    None => r.metadata.failure.as_ref().map(|f| f.detail.clone()).unwrap_or_default(),
                }}
                {has_metadata.then(|| view! { " · " <a href=format!("/endpoints/{id}/metadata.json")>"as fetched"</a> })}
                </dd>
                <dt>"smart-configuration"</dt>
                <dd>{match (&r.smart.facts, &r.smart.failure) {
                    (Some(sm), _) => format!("{} capabilities", sm.capabilities.len()),
                    (None, Some(f)) => f.detail.clone(),
                    _ => String::new(),
                }}
                {has_smart.then(|| view! { " · " <a href=format!("/endpoints/{id}/smart-configuration.json")>"as fetched"</a> })}
                </dd>
                <dt>"TLS"</dt>
                <dd>{match &r.tls {
                    Some(Ok(t)) => view! {
                        {t.protocol.clone()} " · "
                        {t.days_left.map(|d| view! { <span class=cert_class(d)>{if d < 0 { format!("certificate expired {} days ago", -d) } else { format!("certificate: {d} days left") }}</span> })}
                        {t.trust_error.clone().map(|e| view! { " · " <span class="cert cert-critical">{e}</span> })}
                        {t.issuer.clone().map(|i| view! { <br /><span class="note">"Issuer: " {i}</span> })}
                    }.into_any(),
                    Some(Err(f)) => view! { {f.detail.clone()} }.into_any(),
                    None => view! { "not https" }.into_any(),
                }}</dd>
                <dt>"CORS"</dt>
                <dd>{match r.cors { Some(true) => "Access-Control-Allow-Origin sent", Some(false) => "no Access-Control-Allow-Origin", None => "–" }}</dd>
                <dt>"Resources"</dt>
                <dd>{meta.map(|m| m.resource_types.join(", ")).unwrap_or_default()}</dd>
            </dl>
            <h3>"CARIN Blue Button scorecard: " {pass} " of " {total}</h3>
            <ul class="scorecard">
                {r.scorecard.iter().map(|i| {
                    let (class, word) = match i.verdict { Verdict::Pass => ("pass", "pass"), Verdict::Fail => ("fail", "fail"), Verdict::Unknown => ("unknown", "unknown") };
                    view! { <li class=class><span class="verdict">{word}</span> " " <code>{i.key.clone()}</code></li> }
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}
