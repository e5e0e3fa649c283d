//! A developer organization's apps: the form that describes one (RFC 7591 metadata), the new-app
//! page (`/orgs/:id/apps/new`) and each app's page (`/orgs/:id/apps/:app`) with its versions and
//! its exports.
use crate::api::apps::{app_record, new_app_form};
use crate::components::form::{FormMessages, PendingForm, SelectField, SubmitButton, TextArea, TextField, posted};
use crate::routes::accounts::{failed, utc_label};
use crate::types::app_metadata::{AppForm, AppPage, GrantType};
use crate::types::apps::{AuthMethod, Platform};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::sync::Arc;

fn param(name: &'static str) -> Memo<i32> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get(name).and_then(|s| s.parse::<i32>().ok()).unwrap_or(0)))
}

/// The posted values (with their errors) when the form came back, else `current`.
fn typed_or(current: AppForm) -> AppForm {
    posted("app").filter(|p| !p.values.is_empty()).map(|p| AppForm { values: p.values }).unwrap_or(current)
}

/// A group of checkboxes for a repeated field.
#[component]
fn Checks(
    name: &'static str,
    legend: &'static str,
    options: Vec<(String, String)>,
    checked: Vec<String>,
) -> impl IntoView {
    let error = posted("app").and_then(|p| p.errors.for_field(name));
    let error_id = format!("app-{name}-error");
    let describedby = error.as_ref().map(|_| error_id.clone());
    view! {
        <fieldset class="field checks" aria-describedby=describedby>
            <legend class="field-label">{legend}</legend>
            {options.into_iter().map(|(value, label)| {
                let id = format!("app-{name}-{value}");
                let label_for = id.clone();
                let on = checked.contains(&value);
                view! {
                    <label class="check" for=label_for>
                        <input type="checkbox" id=id name=name value=value checked=on />" "{label}
                    </label>
                }
            }).collect_view()}
            {error.map(|e| view! { <p class="field-error" id=error_id>{e}</p> })}
        </fieldset>
    }
}

#[component]
fn AppFormView(action: String, form: AppForm, submit: &'static str) -> impl IntoView {
    let all = |n: &str| form.all(n).into_iter().map(str::to_string).collect::<Vec<_>>();
    let (checked_platforms, checked_grants) = (all("platform"), all("grant_type"));
    let form = Arc::new(form);
    let v = move |n: &str| form.get(n).to_string();
    let platforms = Platform::ALL.iter().map(|p| (p.as_str().to_string(), p.label().to_string())).collect();
    let grants = GrantType::ALL.iter().map(|g| (g.as_str().to_string(), g.as_str().to_string())).collect();
    let methods: Vec<(String, String)> = std::iter::once(("".to_string(), "Choose…".to_string()))
        .chain(AuthMethod::ALL.iter().map(|m| (m.as_str().to_string(), m.as_str().to_string())))
        .collect();
    view! {
        <PendingForm action=action class="stack app-form">
            <FormMessages form="app" />
            <fieldset class="card">
                <legend>"The app"</legend>
                <TextField form="app" name="client_name" label="Name (client_name)" value=v("client_name") maxlength=100 />
                <TextArea form="app" name="description" label="What it does, for members" value=v("description") rows=4 />
                <Checks name="platform" legend="Platforms" options=platforms checked=checked_platforms />
                <TextField form="app" name="fhir_versions" label="FHIR versions it reads" value=v("fhir_versions") maxlength=100 placeholder="4.0.1" />
                <TextField form="app" name="client_uri" label="Home page (client_uri)" kind="url" value=v("client_uri") required=false maxlength=2048 />
                <TextField form="app" name="logo_uri" label="Logo (logo_uri)" kind="url" value=v("logo_uri") required=false maxlength=2048 />
                <TextField form="app" name="policy_uri" label="Privacy policy (policy_uri)" kind="url" value=v("policy_uri") required=false maxlength=2048 />
                <TextField form="app" name="tos_uri" label="Terms of service (tos_uri)" kind="url" value=v("tos_uri") required=false maxlength=2048 />
                <TextArea form="app" name="contacts" label="Contacts (one address a line)" value=v("contacts") rows=2 />
                <TextField form="app" name="software_id" label="Software id (software_id)" value=v("software_id") required=false maxlength=200 />
                <TextField form="app" name="software_version" label="Software version" value=v("software_version") required=false maxlength=50 />
            </fieldset>
            <fieldset class="card">
                <legend>"OAuth"</legend>
                <TextArea form="app" name="redirect_uris" label="Redirect URIs (one a line)" value=v("redirect_uris") rows=3
                    hint="https for web apps; native apps may use a private-use scheme in reverse-domain form (com.example.app:/callback) or http://127.0.0.1 / http://[::1] with any port. No fragments, never localhost." />
                <SelectField form="app" name="token_endpoint_auth_method" label="Client authentication (token_endpoint_auth_method)" options=methods selected=v("token_endpoint_auth_method")
                    hint="none for public clients (no secret); private_key_jwt or client_secret_basic for confidential ones. Signpost never stores a client secret." />
                <TextField form="app" name="jwks_uri" label="Public keys address (jwks_uri), for private_key_jwt" kind="url" value=v("jwks_uri") required=false maxlength=2048 />
                <TextArea form="app" name="jwks" label="Or the public JWK Set (jwks)" value=v("jwks") rows=3 />
                <Checks name="grant_type" legend="Grant types" options=grants checked=checked_grants />
                <TextArea form="app" name="scopes" label="Scopes, one a line, each followed by why the app needs it" value=v("scopes") rows=6
                    placeholder="patient/ExplanationOfBenefit.rs to show the member their claims"
                    hint="SMART v1 (patient/Observation.read) or v2 (patient/Observation.rs) scopes, openid, fhirUser, launch/patient, offline_access. Reviewers read each reason." />
            </fieldset>
            <SubmitButton label=submit />
        </PendingForm>
    }
}

/// `/orgs/:id/apps/new`.
#[component]
pub fn NewAppPage() -> impl IntoView {
    let org = param("id");
    let page = Resource::new(move || org.get(), new_app_form);
    view! {
        <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! {
                        <Title text="Register an app" />
                        <div class="wrap page">
                            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href=format!("/orgs/{}", p.organization_id)>{format!("Back to {}", p.organization)}</a></nav>
                            <h1>"Register an app"</h1>
                            <p class="lede">"Describe the app once, in the terms of OAuth dynamic client registration (RFC 7591). Every change is kept as a new version."</p>
                            <AppFormView action=format!("/orgs/{}/apps", p.organization_id) form=typed_or(AppForm::default()) submit="Register the app" />
                        </div>
                    }.into_any(),
                    Err(e) => view! { <Title text="Register an app" /> <div class="wrap page">{failed(e)}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/orgs/:id/apps/:app`.
#[component]
pub fn AppManagePage() -> impl IntoView {
    let org = param("id");
    let app = param("app");
    let page = Resource::new(move || (org.get(), app.get()), |(o, a)| app_record(o, a));
    view! {
        <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Title text=p.metadata.client_name.clone() /> <AppView page=p /> }.into_any(),
                    Err(e) => view! { <Title text="App" /> <div class="wrap page">{failed(e)}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AppView(page: AppPage) -> impl IntoView {
    let base = format!("/orgs/{}/apps/{}", page.organization_id, page.id);
    let m = page.metadata.clone();
    view! {
        <div class="wrap page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href=format!("/orgs/{}", page.organization_id)>{format!("Back to {}", page.organization)}</a></nav>
            <h1>{m.client_name.clone()}</h1>
            <p class="lede">{format!("Version {} · {}", page.version, m.platforms.iter().map(|p| p.label()).collect::<Vec<_>>().join(", "))}</p>
            <section class="card" aria-labelledby="attest-heading">
                <h2 id="attest-heading">"Attestation"</h2>
                <p>"Attest to the app's privacy practices and the CARIN Code of Conduct once; an admin reviews it, and members and payers can read it."</p>
                <p><a href=format!("{base}/attestation")>"The app's attestation"</a>" · "<a href=format!("{base}/requests")>"Request access from payers"</a></p>
            </section>
            <section class="card" aria-labelledby="export-heading">
                <h2 id="export-heading">"Registration request"</h2>
                <p>"What a payer's dynamic registration endpoint (RFC 7591) takes. It holds no client secret."</p>
                <pre class="code wrap-anywhere">{page.registration_request.clone()}</pre>
                <p>
                    <a href=format!("{base}/registration.json") download="registration.json">"Download it"</a>
                    " · "
                    <a href=format!("{base}/udap-claims.json") download="udap-claims.json">"UDAP software statement claims (unsigned)"</a>
                </p>
            </section>
            <section class="card" aria-labelledby="versions-heading">
                <h2 id="versions-heading">"Versions"</h2>
                <ul class="plain-list">
                    {page.versions.iter().map(|v| {
                        let what = if v.changed.is_empty() { "registered".to_string() } else { format!("changed: {}", v.changed.join(", ")) };
                        view! { <li>{format!("Version {} · {} · {what}", v.version, utc_label(v.created_at))}</li> }
                    }).collect_view()}
                </ul>
            </section>
            {page.can_edit.then(|| view! {
                <section aria-labelledby="edit-heading">
                    <h2 id="edit-heading">"Change the app"</h2>
                    <AppFormView action=base.clone() form=typed_or(page.form.clone()) submit="Save as a new version" />
                </section>
            })}
        </div>
    }
}
