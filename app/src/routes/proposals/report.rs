//! `/brands/:id/report`: "report a problem" with a brand or one of its endpoints, for anyone
//! (a visitor may leave an address for the answer). It enters the moderators' queue.
use crate::api::brands::get_brand;
use crate::components::form::{FormMessages, PendingForm, SelectField, SubmitButton, TextArea, TextField};
use crate::types::brand::BrandDetail;
use crate::types::proposals::ReportKind;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const FORM: &str = "report";

#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let brand = Resource::new(move || id.get(), get_brand);
    view! {
        <div class="wrap page">
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match brand.await {
                        Ok(Some(b)) => view! { <ReportForm brand=b /> }.into_any(),
                        Ok(None) => view! { <Title text="Brand not found" /> <h1>"Brand not found"</h1> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn ReportForm(brand: BrandDetail) -> impl IntoView {
    let signed_in = crate::components::layout::viewer().is_some();
    let kinds: Vec<(String, String)> = std::iter::once((String::new(), "Choose…".to_string()))
        .chain(ReportKind::ALL.iter().map(|k| (k.as_str().to_string(), k.label().to_string())))
        .collect();
    let endpoints: Vec<(String, String)> = std::iter::once((String::new(), "The brand as a whole".to_string()))
        .chain(
            brand
                .portals
                .iter()
                .flat_map(|p| p.endpoints.iter())
                .chain(brand.endpoints.iter())
                .map(|e| (e.id.to_string(), e.address.clone())),
        )
        .collect();
    // Opened from an endpoint's page: that endpoint.
    let chosen = crate::routes::accounts::query_value("endpoint").get_untracked();
    let title = format!("Report a problem with {}", brand.name);
    view! {
        <Title text=title.clone() />
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href=format!("/brands/{}", brand.id)>{brand.name.clone()}</a></nav>
        <h1>{title}</h1>
        <p class="lede">"A moderator checks every report. To fix it yourself, "<a href=format!("/brands/{}/propose", brand.id)>"propose a change"</a>"."</p>
        <PendingForm action=format!("/brands/{}/report", brand.id) class="stack card">
            <FormMessages form=FORM />
            <SelectField form=FORM name="kind" label="What is wrong" options=kinds />
            <SelectField form=FORM name="endpoint" label="With" options=endpoints selected=chosen />
            <TextField form=FORM name="detail" label="The new address, or the other brand's number" required=false maxlength=2048
                hint="For \"moved\": the new FHIR base address. For \"duplicate\": the other brand's number, as in /brands/N." />
            <TextArea form=FORM name="comment" label="What you saw" rows=4 required=true />
            {(!signed_in).then(|| view! {
                <TextField form=FORM name="email" label="Your email address, for the answer (optional)" kind="email" required=false autocomplete="email" />
            })}
            <SubmitButton label="Send the report" />
        </PendingForm>
    }
}
