use crate::api::validate::ValidateBundle;
use crate::components::form::Field;
use crate::types::validation::{PostedReport, Severity, ValidationReport};
use leptos::prelude::*;
use leptos_meta::Title;

/// Findings shown on the page; the rest are counted (the CLI lists them all).
const SHOWN: usize = 500;

/// The limit the server enforces, as the page states it.
fn limit_label() -> String {
    #[cfg(feature = "ssr")]
    let bytes = crate::server::state::app_state().map(|s| s.settings.max_validate_bytes).unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let bytes = 0;
    crate::types::validation::size_label(bytes)
}

#[component]
pub fn ValidatePage() -> impl IntoView {
    // Set when the form was posted without JavaScript: the server rendered this page with it.
    let posted = use_context::<PostedReport>();
    view! {
        <Title text="Validate a brands bundle" />
        <div class="wrap page">
            <h1>"Validate a brands bundle"</h1>
            <p class="lede">
                "Check a SMART App Launch 2.2 User-access Brands bundle against the rules of the spec and its Inferno test kit: "
                "bundle type and timestamp, organization names and websites, endpoint addresses, connection types, FHIR versions, "
                {format!("developer contacts, references, portals (uab-1) and brand hierarchy. Up to {} here; ", limit_label())}
                <code>"signpost validate FILE"</code>" checks any size."
            </p>
            <ValidateForm />
            {posted.map(|p| view! {
                <div aria-live="polite">
                    {match p.0 {
                        Ok(report) => view! { <Report report=report /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">"Validation failed: " {e}</p> }.into_any(),
                    }}
                </div>
            })}
        </div>
    }
}

/// The form and its report: the page's island (it reads files and shows the answer in place).
#[island]
fn ValidateForm() -> impl IntoView {
    let action = ServerAction::<ValidateBundle>::new();
    let text = RwSignal::new(String::new());
    let file_note = RwSignal::new(None::<String>);
    let on_file = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = _ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            file_note.set(Some(format!("{} ({} bytes)", file.name(), file.size() as u64)));
            leptos::task::spawn_local(async move {
                if let Ok(v) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    text.set(v.as_string().unwrap_or_default());
                }
            });
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(ValidateBundle { bundle: text.get_untracked() });
    };
    view! {
        // Without JavaScript the browser posts the form itself (`POST /validate`).
        <form class="validate-form" method="post" action="/validate" enctype="multipart/form-data" on:submit=on_submit>
            <Field form="bundle" name="file" label="Choose a file">
                <input class="input" id="bundle-file" name="file" type="file" accept=".json,application/json,application/fhir+json" on:change=on_file />
            </Field>
            {move || file_note.get().map(|n| view! { <p class="muted">{n}</p> })}
            <Field form="bundle" name="text" label="or paste the bundle JSON">
                <textarea class="input" id="bundle-text" name="bundle" rows="14" spellcheck="false" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </Field>
            <button type="submit" class="button" disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Validating…" } else { "Validate" }}
            </button>
        </form>
        <div aria-live="polite">
            {move || action.value().get().map(|result| match result {
                Ok(report) => view! { <Report report=report /> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">"Validation failed: " {e.to_string()}</p> }.into_any(),
            })}
        </div>
    }
}

#[component]
fn Report(report: ValidationReport) -> impl IntoView {
    if let Some(fatal) = report.fatal.clone() {
        return view! { <div class="report report-fatal" role="alert"><h2>"Not a readable bundle"</h2><p>{fatal}</p></div> }.into_any();
    }
    let verdict = if report.errors == 0 { "No errors: this bundle passes." } else { "This bundle has errors." };
    let hidden = report.findings.len().saturating_sub(SHOWN);
    view! {
        <div class=if report.errors == 0 { "report report-ok" } else { "report report-bad" }>
            <h2>{verdict}</h2>
            <p class="report-counts">
                {format!("{} organizations, {} endpoints · ", report.organizations, report.endpoints)}
                <span class="sev sev-error">{format!("{} errors", report.errors)}</span>" · "
                <span class="sev sev-warning">{format!("{} warnings", report.warnings)}</span>" · "
                <span class="sev sev-info">{format!("{} notes", report.infos)}</span>
            </p>
            {(!report.findings.is_empty()).then(|| view! {
                <table class="findings">
                    <caption class="visually-hidden">"Findings"</caption>
                    <thead><tr><th scope="col">"Severity"</th><th scope="col">"Where"</th><th scope="col">"Finding"</th></tr></thead>
                    <tbody>
                        {report.findings.iter().take(SHOWN).map(|f| view! {
                            <tr class=format!("sev-row sev-{}", f.severity.as_str())>
                                <td><span class=format!("sev sev-{}", f.severity.as_str())>{severity_label(f.severity)}</span></td>
                                <td><code>{f.pointer.clone()}</code></td>
                                <td>{f.message.clone()}" "<span class="muted">"("{f.rule.clone()}")"</span></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {(hidden > 0).then(|| view! { <p class="muted">{format!("…and {hidden} more.")}</p> })}
        </div>
    }
    .into_any()
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
        Severity::Info => "Note",
    }
}
