//! The proposal form: a brand's own fields, pre-filled, so proposing a change feels like
//! editing. `/propose` (a new brand), `/brands/:id/propose` (a change), `/proposals/:id/edit`
//! (the proposer's open proposal) and `/proposals/:id/review` (a moderator's edits before
//! approving). "Check" shows the changes, the validator's findings and possible duplicates
//! before anything is stored.
use super::preview::PreviewBlock;
use crate::api::proposals::{load_proposal_form, review_form};
use crate::components::form::{CheckboxGroup, FormMessages, PendingForm, SelectField, TextArea, TextField};
use crate::routes::accounts::failed;
use crate::types::accounts::PostedForm;
use crate::types::proposals::{BrandDraft, ENDPOINT_STATUSES, ProposalForm};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const FORM: &str = "proposal";

fn id_param() -> Memo<Option<i32>> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i32>().ok())))
}

/// Which form this page is.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    NewBrand,
    Change,
    Edit,
    Review,
}

#[component]
pub fn NewBrandPage() -> impl IntoView {
    view! { <FormPage mode=Mode::NewBrand /> }
}

#[component]
pub fn ProposeChangePage() -> impl IntoView {
    view! { <FormPage mode=Mode::Change /> }
}

#[component]
pub fn EditProposalPage() -> impl IntoView {
    view! { <FormPage mode=Mode::Edit /> }
}

#[component]
pub fn ReviewProposalPage() -> impl IntoView {
    view! { <FormPage mode=Mode::Review /> }
}

#[component]
fn FormPage(mode: Mode) -> impl IntoView {
    let id = id_param();
    let form = Resource::new(
        move || id.get(),
        move |id| async move {
            match mode {
                Mode::NewBrand => load_proposal_form(None, None).await,
                Mode::Change => load_proposal_form(id, None).await,
                Mode::Edit => load_proposal_form(None, id).await,
                Mode::Review => review_form(id.unwrap_or(0)).await,
            }
        },
    );
    view! {
        <div class="wrap page">
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match form.await {
                        Ok(f) => view! { <ProposalFormView form=f mode /> }.into_any(),
                        Err(e) => view! { <Title text="Propose a change" /> {failed(e)} }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn ProposalFormView(form: ProposalForm, mode: Mode) -> impl IntoView {
    let posted = use_context::<PostedForm>().filter(|p| p.is(FORM));
    // A form posted back shows what was typed, blanks included.
    let draft =
        posted.as_ref().and_then(|p| BrandDraft::from_form(&p.values).ok()).unwrap_or_else(|| form.draft.clone());
    let comment = posted.as_ref().map(|p| p.value("comment")).unwrap_or_default();
    let preview = posted.as_ref().and_then(|p| p.preview.clone());
    let brand_name = form.brand.as_ref().map(|b| b.name.clone()).unwrap_or_default();
    let pid = form.proposal_id.unwrap_or(0);
    let (title, action, submit) = match mode {
        Mode::NewBrand => ("Propose a new brand".to_string(), "/propose".to_string(), "Submit the proposal"),
        Mode::Change => (
            format!("Propose a change to {brand_name}"),
            format!("/brands/{}/propose", form.brand.as_ref().map_or(0, |b| b.id)),
            "Submit the proposal",
        ),
        Mode::Edit => (format!("Edit proposal #{pid}"), format!("/proposals/{pid}/edit"), "Save the proposal"),
        Mode::Review => {
            (format!("Edit and approve proposal #{pid}"), format!("/proposals/{pid}/approve"), "Approve as edited")
        }
    };
    let portal_options: Vec<(String, String)> = std::iter::once((String::new(), "No portal".to_string()))
        .chain(draft.portals.iter().enumerate().map(|(i, p)| {
            let name = if p.name.is_empty() { format!("Portal {}", i + 1) } else { p.name.clone() };
            (i.to_string(), name)
        }))
        .collect();
    let categories: Vec<(String, String)> =
        ["ins", "prov", "laboratory", "imaging", "pharmacy", "health-information-network", "health-data-aggregator"]
            .iter()
            .map(|c| (c.to_string(), crate::types::search::category_label(c).to_string()))
            .collect();
    let statuses: Vec<(String, String)> = ENDPOINT_STATUSES.iter().map(|s| (s.to_string(), s.to_string())).collect();
    let identifiers: String =
        draft.identifiers.iter().map(|i| format!("{}|{}", i.system, i.value)).collect::<Vec<_>>().join("\n");
    let mut addresses = draft.addresses.clone();
    addresses.push(Default::default());
    let mut portals = draft.portals.clone();
    portals.push(Default::default());
    let mut endpoints = draft.endpoints.clone();
    endpoints.push(Default::default());
    if mode == Mode::NewBrand {
        endpoints.push(Default::default());
    }
    let back = match (&form.brand, mode) {
        (_, Mode::Edit | Mode::Review) => Some((format!("/proposals/{pid}"), format!("Back to proposal #{pid}"))),
        (Some(b), _) => Some((format!("/brands/{}", b.id), format!("Back to {}", b.name))),
        (None, _) => None,
    };
    view! {
        <Title text=title.clone() />
        {back.map(|(href, label)| view! { <nav class="breadcrumbs" aria-label="Breadcrumb"><a href=href>{label}</a></nav> })}
        <h1>{title}</h1>
        <p class="lede">
            "Every value is checked as an import checks it (the SMART App Launch 2.2 brand rules; web addresses must be http or https). "
            {if mode == Mode::Review { "Approving applies it to the directory at once." } else { "A moderator reviews it before it reaches the directory." }}
        </p>
        {preview.map(|p| view! { <PreviewBlock preview=p /> })}
        <PendingForm action=action class="stack proposal-form">
            <FormMessages form=FORM />
            {(mode == Mode::Review).then(|| view! {
                <input type="hidden" name="edited" value="1" />
                <input type="hidden" name="seen" value=form.revision.clone() />
                <input type="hidden" name="record_seen" value=form.record_revision.clone() />
            })}
            <fieldset class="card">
                <legend>"The brand"</legend>
                <TextField form=FORM name="name" label="Name, as patients know it" value=draft.name.clone() maxlength=2048 />
                <TextArea form=FORM name="aliases" label="Also known as" rows=2 value=draft.aliases.join("\n") hint="One name per line." />
                <TextField form=FORM name="website" label="Website" kind="url" required=false value=draft.website.clone() maxlength=2048 />
                <CheckboxGroup form=FORM name="category" legend="Categories" options=categories checked=draft.categories.clone() />
                <TextArea form=FORM name="identifiers" label="Identifiers" rows=2 value=identifiers
                    hint="One per line, as system|value, for example http://hl7.org/fhir/sid/us-npi|1234567893." />
                <TextField form=FORM name="logo_url" label="Logo (a web address or a data: image)" required=false value=draft.logo_url.clone() maxlength=2048 />
                <TextField form=FORM name="logo_license" label="Logo licence" kind="url" required=false value=draft.logo_license.clone() maxlength=2048 />
                <SelectField form=FORM name="active" label="Active"
                    options=vec![("true".into(), "Yes".into()), ("false".into(), "No, it is no longer in use".into())]
                    selected=if draft.active { "true" } else { "false" } />
            </fieldset>
            <fieldset class="card">
                <legend>"Locations"</legend>
                {addresses.into_iter().enumerate().map(|(i, a)| view! {
                    <div class="group" role="group" aria-label=format!("Location {}", i + 1)>
                        <TextArea form=FORM name=format!("address-{i}-line") label=format!("Location {}: street", i + 1) rows=2 value=a.line.join("\n") />
                        <TextField form=FORM name=format!("address-{i}-city") label="City" required=false value=a.city.clone() maxlength=2048 />
                        <TextField form=FORM name=format!("address-{i}-state") label="State" required=false value=a.state.clone() maxlength=2048 />
                        <TextField form=FORM name=format!("address-{i}-postal_code") label="ZIP code" required=false value=a.postal_code.clone() maxlength=2048 />
                        <TextField form=FORM name=format!("address-{i}-country") label="Country" required=false value=a.country.clone() maxlength=2048 />
                    </div>
                }).collect_view()}
            </fieldset>
            <fieldset class="card">
                <legend>"Patient portals"</legend>
                {portals.into_iter().enumerate().map(|(i, p)| view! {
                    <div class="group" role="group" aria-label=format!("Portal {}", i + 1)>
                        <TextField form=FORM name=format!("portal-{i}-name") label=format!("Portal {}: name", i + 1) required=false value=p.name.clone() maxlength=2048 />
                        <TextField form=FORM name=format!("portal-{i}-url") label="Address" kind="url" required=false value=p.url.clone() maxlength=2048 />
                        <TextArea form=FORM name=format!("portal-{i}-description") label="Description" rows=2 value=p.description.clone() />
                        <TextField form=FORM name=format!("portal-{i}-logo_url") label="Logo" required=false value=p.logo_url.clone() maxlength=2048 />
                        <TextField form=FORM name=format!("portal-{i}-logo_license") label="Logo licence" kind="url" required=false value=p.logo_license.clone() maxlength=2048 />
                    </div>
                }).collect_view()}
            </fieldset>
            <fieldset class="card">
                <legend>"FHIR endpoints"</legend>
                <p class="hint">"Leave a new endpoint's address empty to add none. A new endpoint is checked once when you submit."</p>
                {endpoints.into_iter().enumerate().map(|(i, e)| {
                    let heading = match e.id { Some(id) => format!("Endpoint #{id}"), None => "New endpoint".to_string() };
                    view! {
                        <div class="group" role="group" aria-label=heading.clone()>
                            {e.id.map(|id| view! { <input type="hidden" name=format!("endpoint-{i}-id") value=id /> })}
                            <TextField form=FORM name=format!("endpoint-{i}-address") label=format!("{heading}: FHIR base address") kind="url"
                                required=e.id.is_some() value=e.address.clone() maxlength=2048 />
                            <TextField form=FORM name=format!("endpoint-{i}-name") label="Name" required=false value=e.name.clone() maxlength=2048 />
                            <TextField form=FORM name=format!("endpoint-{i}-fhir_versions") label="FHIR versions" required=false
                                value=e.fhir_versions.join(", ") placeholder="4.0.1" maxlength=2048 />
                            <SelectField form=FORM name=format!("endpoint-{i}-status") label="Status" options=statuses.clone()
                                selected=if e.status.is_empty() { "active".to_string() } else { e.status.clone() } />
                            <TextField form=FORM name=format!("endpoint-{i}-contact_url") label="Contact address" kind="url" required=false value=e.contact_url.clone() maxlength=2048 />
                            <SelectField form=FORM name=format!("endpoint-{i}-portal") label="Reached through portal" options=portal_options.clone()
                                selected=e.portal.map(|p| p.to_string()).unwrap_or_default() />
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            {(mode != Mode::Review).then(|| view! {
                <TextArea form=FORM name="comment" label="Why this change (for the moderator)" rows=3 value=comment.clone()
                    hint="Where you saw it: a payer's developer page, a support answer, a failed connection." />
            })}
            <div class="actions">
                {(mode != Mode::Review).then(|| view! {
                    <button type="submit" name="intent" value="check" class="button secondary">"Check"</button>
                })}
                <button type="submit" name="intent" value="submit" class="button">{submit}</button>
            </div>
        </PendingForm>
    }
}
