//! `/account`: who you are, your organizations (and which one you act for), your address,
//! your password, your sessions, and deleting the account.
use super::{failed, utc_label};
use crate::api::accounts::my_account;
use crate::components::form::{FormMessages, PendingForm, SelectField, SubmitButton, TextField};
use crate::types::accounts::{AccountPage, OrgKind};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountSettingsPage() -> impl IntoView {
    let page = Resource::new(|| (), |_| my_account());
    view! {
        <Title text="Your account" />
        <div class="wrap page">
            <h1>"Your account"</h1>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <Sections page=p /> }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Sections(page: AccountPage) -> impl IntoView {
    let roles = page.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
    let acting_options = std::iter::once((String::new(), "Myself only".to_string()))
        .chain(page.orgs.iter().map(|o| (o.id.to_string(), o.name.clone())))
        .collect::<Vec<_>>();
    let acting =
        crate::components::layout::viewer().and_then(|v| v.acting).map(|o| o.id.to_string()).unwrap_or_default();
    let welcome = super::query_value("welcome");
    view! {
        {move || (welcome.get() == "1").then(|| view! {
            <p class="notice ok" role="status">"Your address is confirmed and you are signed in. Welcome to Signpost."</p>
        })}
        <p class="lede">
            "Signed in as " <strong>{page.email.clone()}</strong> " since " {utc_label(page.created_at)} ". Roles: " {roles} "."
        </p>
        <p>
            <a href="/proposals">{format!("Directory proposals: {} made, {} accepted", page.proposals, page.accepted)}</a>
            {page.trusted.then_some(". An admin trusts your edits: they apply at once, and stay revertable.")}
        </p>

        <section class="card" aria-labelledby="orgs-heading">
            <h2 id="orgs-heading">"Organizations"</h2>
            {if page.orgs.is_empty() {
                view! { <p>"You belong to no organization yet. Create one, or accept an invitation from a colleague."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {page.orgs.iter().map(|o| view! {
                            <li><a href=format!("/orgs/{}", o.id)>{o.name.clone()}</a> " · " {o.kind.label()} " · " {o.role.as_str()}</li>
                        }).collect_view()}
                    </ul>
                    <PendingForm action="/account/acting" class="stack">
                        <FormMessages form="acting" />
                        <SelectField form="acting" name="organization" label="Act for" options=acting_options selected=acting
                            hint="What you do on the site is done for this organization." />
                        <SubmitButton label="Switch" />
                    </PendingForm>
                }.into_any()
            }}
            <h3>"Create an organization"</h3>
            <PendingForm action="/orgs" class="stack">
                <FormMessages form="org" />
                <TextField form="org" name="name" label="Name" autocomplete="organization" maxlength=120 />
                <SelectField form="org" name="kind" label="Kind" selected=OrgKind::Developer.as_str().to_string()
                    options=vec![
                        (OrgKind::Developer.as_str().into(), "Developer organization (builds patient apps)".into()),
                        (OrgKind::Payer.as_str().into(), "Payer organization (publishes its plans' endpoints)".into()),
                    ] />
                <SubmitButton label="Create" />
            </PendingForm>
        </section>

        <section class="card" aria-labelledby="email-heading">
            <h2 id="email-heading">"Email address"</h2>
            {page.pending_email.clone().map(|e| view! {
                <p class="note">"Waiting for " <strong>{e}</strong> " to confirm the change."</p>
            })}
            <PendingForm action="/account/email" class="stack">
                <FormMessages form="email" />
                <TextField form="email" name="email" label="New address" kind="email" autocomplete="email"
                    hint="We send a link to the new address; the account moves when it is opened. The old address is told." />
                <TextField form="email" name="current_password" label="Current password" kind="password"
                    autocomplete="current-password" maxlength=256 />
                <SubmitButton label="Change address" />
            </PendingForm>
        </section>

        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <PendingForm action="/account/password" class="stack">
                <FormMessages form="password" />
                <TextField form="password" name="current_password" label="Current password" kind="password"
                    autocomplete="current-password" maxlength=256 />
                <TextField form="password" name="new_password" label="New password" kind="password"
                    autocomplete="new-password" maxlength=256 hint="Every other session is signed out." />
                <SubmitButton label="Change password" />
            </PendingForm>
        </section>

        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Sessions"</h2>
            <FormMessages form="sessions" />
            <table class="table">
                <caption class="visually-hidden">"Where your account is signed in"</caption>
                <thead><tr><th scope="col">"Browser"</th><th scope="col">"From"</th><th scope="col">"Signed in"</th><th scope="col">"Last used"</th></tr></thead>
                <tbody>
                    {page.sessions.iter().map(|s| view! {
                        <tr>
                            <td>{if s.user_agent.is_empty() { "unknown".to_string() } else { s.user_agent.clone() }}
                                {s.current.then(|| view! { " " <strong>"(this one)"</strong> })}</td>
                            <td>{s.client.clone()}</td>
                            <td>{utc_label(s.created_at)}</td>
                            <td>{utc_label(s.last_seen_at)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <PendingForm action="/account/sessions/end">
                <SubmitButton label="Log out everywhere" class="secondary" />
            </PendingForm>
        </section>

        <section class="card danger-zone" aria-labelledby="delete-heading">
            <h2 id="delete-heading">"Delete the account"</h2>
            <p>
                "Your sessions and memberships end. Where you are an organization's only owner, its longest-standing "
                "member becomes owner; an organization left with no members is deleted. The audit log keeps its "
                "entries, naming a deleted account instead of your address."
            </p>
            <PendingForm action="/account/delete" class="stack">
                <FormMessages form="delete" />
                <TextField form="delete" name="delete_password" label="Current password" kind="password"
                    autocomplete="current-password" maxlength=256 />
                <SubmitButton label="Delete my account" class="danger" />
            </PendingForm>
        </section>
    }
}
