//! `/check?url=…`: a ping test of any FHIR endpoint (CARIN best practice), with the full report.
//! A plain GET form, so it works the same with JavaScript off.
use crate::api::check::check_url;
use crate::components::form::{Field, PendingForm, SubmitButton};
use crate::components::health::HealthBadge;
use crate::components::report::ReportView;
use crate::types::check::CheckOutcome;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn CheckPage() -> impl IntoView {
    let query = use_query_map();
    let url = Memo::new(move |_| query.with(|q| q.get("url").unwrap_or_default()));
    let outcome = Resource::new(
        move || url.get(),
        |url| async move { if url.trim().is_empty() { None } else { Some(check_url(url).await) } },
    );
    view! {
        <Title text="Check an endpoint" />
        <div class="wrap page">
            <h1>"Check an endpoint"</h1>
            <p class="lede">
                "Run the poller's checks on any FHIR base URL now: the CapabilityStatement, the SMART configuration, "
                "TLS and the certificate's expiry, CORS and the CARIN Blue Button scorecard."
            </p>
            <PendingForm action="/check" method="get" class="check-form">
                <Field form="check" name="url" label="FHIR base URL" hint=Some("Its /metadata and .well-known/smart-configuration are fetched from here.")>
                    <div class="search-row">
                        <input class="input" id="check-url" name="url" type="url" required maxlength="2000"
                            placeholder="https://fhir.example.org/r4" value=url.get_untracked() aria-describedby="check-url-hint" />
                        <SubmitButton label="Check" />
                    </div>
                </Field>
            </PendingForm>
            <div aria-live="polite">
                <Suspense fallback=|| view! { <p class="status">"Checking… (up to a minute for a slow server)"</p> }>
                    {move || Suspend::new(async move {
                        match outcome.await {
                            None => view! {}.into_any(),
                            Some(Ok(CheckOutcome::Report(r))) => view! {
                                <p class="meta"><HealthBadge health=r.health /> " " <code>{r.url.clone()}</code></p>
                                <ReportView report=r id=0 has_metadata=false has_smart=false />
                            }.into_any(),
                            Some(Ok(CheckOutcome::Refused(why))) => view! { <p class="error" role="alert">"Not checked: " {why}</p> }.into_any(),
                            Some(Ok(CheckOutcome::RateLimited(secs))) => view! {
                                <p class="error" role="alert">"Too many checks from your address. Try again in " {secs} " seconds."</p>
                            }.into_any(),
                            Some(Err(e)) => view! { <p class="error" role="alert">"The check failed: " {e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </div>
    }
}
