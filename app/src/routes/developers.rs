//! The brand page's "For developers" section, and the facts form (`/brands/:id/developer`) its
//! maintainer and admins edit.
use crate::api::brands::developer_facts_page;
use crate::components::external_link::ExternalLink;
use crate::components::form::{FormMessages, PendingForm, SelectField, SubmitButton, TextArea, TextField, posted};
use crate::routes::accounts::{failed, utc_label};
use crate::types::developer::{ApiKind, ApiUrl, FactsForm, ForDevelopers, LineOfBusiness, MAX_PLANS};
use crate::types::link::WebUrl;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not stated",
    }
}

fn link(url: &WebUrl) -> impl IntoView + use<> {
    let u = url.clone();
    view! { <ExternalLink url=u.clone()>{u.to_string()}</ExternalLink> }
}

fn api_list(apis: &[ApiUrl]) -> impl IntoView + use<> {
    view! {
        <ul class="plain">
            {apis.iter().map(|a| view! { <li>{format!("{}: ", a.kind.label())}{link(&a.url)}</li> }).collect_view()}
        </ul>
    }
}

/// One fact as a `dt`/`dd` pair, left out when it is empty.
fn row(label: &'static str, value: Option<AnyView>) -> Option<impl IntoView> {
    value.map(|v| view! { <dt>{label}</dt><dd>{v}</dd> })
}

fn text_row(label: &'static str, v: &str) -> Option<impl IntoView + use<>> {
    let v = v.to_string();
    row(label, (!v.is_empty()).then(|| view! { {v} }.into_any()))
}

fn url_row(label: &'static str, v: &Option<WebUrl>) -> Option<impl IntoView + use<>> {
    row(label, v.as_ref().map(|u| link(u).into_any()))
}

#[component]
pub fn ForDevelopersSection(brand_id: i32, developer: ForDevelopers, can_edit: bool) -> impl IntoView {
    let d = developer;
    view! {
        <section class="card for-developers" aria-labelledby="developers-heading">
            <h2 id="developers-heading">"For developers"</h2>
            {d.is_empty().then(|| view! { <p class="note">"No developer facts are known for this brand yet."</p> })}
            {d.facts.clone().map(|f| {
                let turnaround = match f.turnaround_sandbox_days {
                    Some(s) => format!("{} business days (sandbox: {s})", f.turnaround_days),
                    None => format!("{} business days", f.turnaround_days),
                };
                let scopes = f.scopes.join(" ");
                let support_email = f.support_email.clone();
                let registration_email = f.registration_email.clone();
                view! {
                    <dl class="facts">
                        {url_row("Developer portal", &f.developer_portal)}
                        {url_row("Registration", &f.registration_url)}
                        {row("Registration contact", (!registration_email.is_empty()).then(|| view! { <a href=format!("mailto:{registration_email}")>{registration_email.clone()}</a> }.into_any()))}
                        <dt>"Self-service registration"</dt><dd>{yes_no(f.self_service)}</dd>
                        {url_row("Sandbox", &f.sandbox_url)}
                        <dt>"Test patients and credentials"</dt><dd>{yes_no(f.test_patients)}{(!f.test_patients_note.is_empty()).then(|| format!(" · {}", f.test_patients_note))}</dd>
                        <dt>"Registration turnaround"</dt><dd>{turnaround}</dd>
                        {text_row("Data refresh", &f.data_refresh)}
                        {text_row("Rate limits", &f.rate_limits)}
                        {text_row("Access-token lifetime", &f.access_token_lifetime)}
                        {text_row("Refresh-token lifetime", &f.refresh_token_lifetime)}
                        {row("Scopes", (!scopes.is_empty()).then(|| view! { <code class="wrap-anywhere">{scopes}</code> }.into_any()))}
                        {row("Support", (!support_email.is_empty()).then(|| view! { <a href=format!("mailto:{support_email}")>{support_email.clone()}</a> }.into_any()))}
                        {url_row("Support page", &f.support_url)}
                        {text_row("Support hours", &f.support_hours)}
                        {url_row("Release notes", &f.release_notes_url)}
                        {url_row("Terms of use", &f.terms_url)}
                    </dl>
                }
            })}
            {d.facts_origin.clone().zip(d.facts_updated_at).map(|(o, at)| view! {
                <p class="muted">{format!("Stated by the {o} · {}", utc_label(at))}</p>
            })}
            {d.turnaround.clone().map(|t| {
                let target = d.facts.as_ref().map(|f| i32::from(f.turnaround_days));
                view! {
                    <h3>"Turnaround on Signpost"</h3>
                    <p>{crate::routes::turnaround::sentence(&t.recent, target, "the last 90 days")}</p>
                    <p>{crate::routes::turnaround::sentence(&t.all_time, None, "all time")}{format!(" {} open now.", t.recent.open)}</p>
                    <p><a href=format!("/turnaround/{brand_id}")>"The payer's turnaround in full"</a></p>
                }
            })}
            {(!d.apis.is_empty()).then(|| view! { <h3>"APIs"</h3> {api_list(&d.apis)} })}
            {(!d.plans.is_empty()).then(|| view! {
                <h3>"Plans"</h3>
                <ul class="plain stack">
                    {d.plans.iter().map(|p| view! {
                        <li><strong>{p.name.clone()}</strong>{format!(" · {}", p.line_of_business.label())}{api_list(&p.apis)}</li>
                    }).collect_view()}
                </ul>
            })}
            {(!d.smart.is_empty()).then(|| view! {
                <h3>"What the endpoints' smart-configuration says"</h3>
                {d.smart.iter().map(|s| view! {
                    <div class="smart-summary">
                        <p><a href=format!("/endpoints/{}", s.endpoint_id)><code>{s.address.clone()}</code></a></p>
                        <dl class="facts">
                            {url_row("Authorize", &s.authorization_endpoint)}
                            {url_row("Token", &s.token_endpoint)}
                            {row("Scopes supported", (!s.scopes_supported.is_empty()).then(|| view! { <code class="wrap-anywhere">{s.scopes_supported.join(" ")}</code> }.into_any()))}
                            {row("Capabilities", (!s.capabilities.is_empty()).then(|| view! { {s.capabilities.join(", ")} }.into_any()))}
                        </dl>
                    </div>
                }).collect_view()}
            })}
            {can_edit.then(|| view! { <p><a href=format!("/brands/{brand_id}/developer")>"Edit the developer facts"</a></p> })}
        </section>
    }
}

/// `/brands/:id/developer`: the facts form.
#[component]
pub fn DeveloperFactsPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0)));
    let page = Resource::new(move || id.get(), developer_facts_page);
    view! {
        <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        // Typed values come back with the errors; else the facts as they are.
                        let form = posted("facts").filter(|x| !x.values.is_empty()).map(|x| FactsForm { values: x.values }).unwrap_or(p.form);
                        view! {
                            <Title text=format!("Developer facts · {}", p.brand) />
                            <div class="wrap page">
                                <nav class="breadcrumbs" aria-label="Breadcrumb"><a href=format!("/brands/{}", p.brand_id)>{format!("Back to {}", p.brand)}</a></nav>
                                <h1>{format!("Developer facts of {}", p.brand)}</h1>
                                <FactsFormView brand_id=p.brand_id form=form />
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <Title text="Developer facts" /> <div class="wrap page">{failed(e)}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FactsFormView(brand_id: i32, form: FactsForm) -> impl IntoView {
    let existing = form.plan_rows();
    let form = std::sync::Arc::new(form);
    let v = move |n: &str| form.get(n).to_string();
    let tri =
        vec![("".to_string(), "Not stated".to_string()), ("yes".into(), "Yes".into()), ("no".into(), "No".into())];
    let lobs: Vec<(String, String)> = std::iter::once(("".to_string(), "Choose…".to_string()))
        .chain(LineOfBusiness::ALL.iter().map(|l| (l.as_str().to_string(), l.label().to_string())))
        .collect();
    let rows = (existing + 1).min(MAX_PLANS);
    view! {
        <PendingForm action=format!("/brands/{brand_id}/developer") class="stack facts-form">
            <FormMessages form="facts" />
            <fieldset class="card">
                <legend>"Registration and sandbox"</legend>
                <TextField form="facts" name="developer_portal" label="Developer portal" kind="url" value=v("developer_portal") required=false maxlength=2048 />
                <TextField form="facts" name="registration_url" label="Registration page" kind="url" value=v("registration_url") required=false maxlength=2048 />
                <TextField form="facts" name="registration_email" label="Registration contact (Signpost mails requests there only when an admin set it, for a brand no organization maintains)" kind="email" value=v("registration_email") required=false />
                <SelectField form="facts" name="self_service" label="Developers register themselves" options=tri.clone() selected=v("self_service") />
                <TextField form="facts" name="turnaround_days" label="Registration turnaround (business days)" value=v("turnaround_days") required=false maxlength=3
                    hint="What the registration clock counts against; 5 when left empty." />
                <TextField form="facts" name="turnaround_sandbox_days" label="Turnaround for sandbox access (business days)" value=v("turnaround_sandbox_days") required=false maxlength=3 />
                <TextField form="facts" name="sandbox_url" label="Sandbox FHIR base address" kind="url" value=v("sandbox_url") required=false maxlength=2048 />
                <SelectField form="facts" name="test_patients" label="Test patients and credentials offered" options=tri.clone() selected=v("test_patients") />
                <TextField form="facts" name="test_patients_note" label="About the test patients" value=v("test_patients_note") required=false maxlength=500 />
            </fieldset>
            <fieldset class="card">
                <legend>"Limits and tokens"</legend>
                <TextField form="facts" name="data_refresh" label="How fresh the data is" value=v("data_refresh") required=false maxlength=500 placeholder="Claims within 1 business day" />
                <TextField form="facts" name="rate_limits" label="Rate limits" value=v("rate_limits") required=false maxlength=500 />
                <TextField form="facts" name="access_token_lifetime" label="Access-token lifetime" value=v("access_token_lifetime") required=false maxlength=500 />
                <TextField form="facts" name="refresh_token_lifetime" label="Refresh-token lifetime" value=v("refresh_token_lifetime") required=false maxlength=500 />
                <TextArea form="facts" name="scopes" label="Supported SMART scopes" value=v("scopes") rows=3 hint="Separated by spaces or lines." />
            </fieldset>
            <fieldset class="card">
                <legend>"Support"</legend>
                <TextField form="facts" name="support_email" label="Support address" kind="email" value=v("support_email") required=false />
                <TextField form="facts" name="support_url" label="Support page" kind="url" value=v("support_url") required=false maxlength=2048 />
                <TextField form="facts" name="support_hours" label="Support hours" value=v("support_hours") required=false maxlength=500 />
                <TextField form="facts" name="release_notes_url" label="Release notes (to subscribe to)" kind="url" value=v("release_notes_url") required=false maxlength=2048 />
                <TextField form="facts" name="terms_url" label="Terms of use" kind="url" value=v("terms_url") required=false maxlength=2048 />
            </fieldset>
            <fieldset class="card">
                <legend>"The brand's APIs"</legend>
                {ApiKind::ALL.iter().map(|k| {
                    let name = format!("api-{}", k.as_str());
                    view! { <TextField form="facts" name=name.clone() label=k.label() kind="url" value=v(&name) required=false maxlength=2048 /> }
                }).collect_view()}
            </fieldset>
            <fieldset class="card">
                <legend>"Plans"</legend>
                <p class="hint">"Leave a plan's name empty to remove it. An address given for a plan is that plan's; the brand's above are for all of them."</p>
                {(0..rows).map(|i| {
                    let n = |f: &str| format!("plan-{i}-{f}");
                    let group = if i < existing { format!("Plan {}", i + 1) } else { "New plan".to_string() };
                    view! {
                        <div class="group" role="group" aria-label=group.clone()>
                            <TextField form="facts" name=n("name") label=format!("{group}: name") value=v(&n("name")) required=false maxlength=200 />
                            <SelectField form="facts" name=n("lob") label="Line of business" options=lobs.clone() selected=v(&n("lob")) />
                            {ApiKind::ALL.iter().map(|k| {
                                let name = n(k.as_str());
                                view! { <TextField form="facts" name=name.clone() label=k.label() kind="url" value=v(&name) required=false maxlength=2048 /> }
                            }).collect_view()}
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <SubmitButton label="Save the developer facts" />
        </PendingForm>
    }
}
