//! `/orgs/:id/registration`: a payer organization's registration settings: the time zone its
//! business days are counted in, its notice about apps that have not attested, and denial
//! grounds of its own.
use crate::api::registration::payer_settings_page;
use crate::components::form::{FormMessages, PendingForm, SelectField, SubmitButton, TextArea};
use crate::routes::accounts::failed;
use crate::routes::registration::param;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PayerSettingsPageView() -> impl IntoView {
    let org = param("id");
    let page = Resource::new(move || org.get(), payer_settings_page);
    view! {
        <Title text="Registration settings" />
        <div class="wrap page">
            <h1>"Registration settings"</h1>
            <FormMessages form="payer-settings" />
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => {
                            let zones: Vec<(String, String)> = p.zones.iter().map(|z| (z.clone(), z.clone())).collect();
                            view! {
                                <PendingForm action=format!("/orgs/{}/registration", p.organization_id) class="stack card">
                                    <SelectField form="payer-settings" name="time_zone" label="Time zone of your business days" options=zones selected=p.time_zone.clone()
                                        hint="New requests count business days in this zone; a request keeps the zone it was made in." />
                                    <TextArea form="payer-settings" name="notice" label="Notice you show members about apps that have not attested" value=p.notice.clone() rows=4
                                        hint="The same for every such app; shown on their requests. It is not a ground for denying access." />
                                    <TextArea form="payer-settings" name="reasons" label="Your own grounds for denying, one a line" value=p.reasons.clone() rows=4
                                        hint="Security or technical reasons only, at most 20; they are offered beside the standard list." />
                                    <SubmitButton label="Save" />
                                </PendingForm>
                            }.into_any()
                        }
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}
