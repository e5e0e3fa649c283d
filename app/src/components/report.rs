//! One check's report: problems, CapabilityStatement, smart-configuration, TLS and certificate,
//! CORS, resources and the CARIN scorecard. Shared by the endpoint page and the Check page.
use crate::components::health::cert_class;
use crate::types::check::{CheckReport, Verdict};
use leptos::prelude::*;

/// `id` links to the raw documents when the poller stored them (the Check page has none).
#[component]
pub fn ReportView(report: CheckReport, id: i32, has_metadata: bool, has_smart: bool) -> impl IntoView {
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
