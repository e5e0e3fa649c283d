//! `/orgs/:id`: an organization's members and open invitations, for its members (and admins).
use super::{failed, utc_label};
use crate::api::accounts::organization_page;
use crate::components::form::{FormMessages, PendingForm, SubmitButton, TextField};
use crate::types::accounts::{MemberRole, OrgKind, OrgPage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn OrganizationPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0)));
    let page = Resource::new(move || id.get(), organization_page);
    view! {
        <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Title text=p.name.clone() /> <Members page=p /> }.into_any(),
                    Err(e) => view! { <Title text="Organization" /> <div class="wrap page">{failed(e)}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Members(page: OrgPage) -> impl IntoView {
    let id = page.id;
    let owner = page.my_role == Some(MemberRole::Owner);
    let member = page.my_role.is_some();
    let me = crate::components::layout::viewer().map(|v| v.account_id);
    view! {
        <div class="wrap page">
            <h1>{page.name.clone()}</h1>
            <p class="lede">{page.kind.label()}</p>
            <section class="card" aria-labelledby="members-heading">
                <h2 id="members-heading">"Members"</h2>
                <FormMessages form="members" />
                <table class="table">
                    <caption class="visually-hidden">"Members"</caption>
                    <thead><tr><th scope="col">"Address"</th><th scope="col">"Role"</th><th scope="col">"Since"</th><th scope="col">"Actions"</th></tr></thead>
                    <tbody>
                        {page.members.clone().into_iter().map(|m| {
                            let mine = me == Some(m.account_id);
                            let can_remove = (owner && !mine) || (mine && m.role == MemberRole::Member);
                            let can_promote = owner && !mine;
                            view! {
                                <tr>
                                    <td>{m.email}</td>
                                    <td>{m.role.as_str()}</td>
                                    <td>{utc_label(m.since)}</td>
                                    <td class="actions">
                                        {can_promote.then(|| view! {
                                            <PendingForm action=format!("/orgs/{id}/owner") class="inline">
                                                <input type="hidden" name="account_id" value=m.account_id />
                                                <SubmitButton label="Make owner" class="secondary small" />
                                            </PendingForm>
                                        })}
                                        {can_remove.then(|| view! {
                                            <PendingForm action=format!("/orgs/{id}/members/{}/remove", m.account_id) class="inline">
                                                <SubmitButton label=if mine { "Leave" } else { "Remove" } class="secondary small" />
                                            </PendingForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
            {(page.kind == OrgKind::Payer).then(|| view! {
                {member.then(|| view! {
                    <p><a class="button secondary" href=format!("/orgs/{id}/queue")>"Registration queue"</a>" "<a class="button secondary" href=format!("/orgs/{id}/registration")>"Registration settings"</a></p>
                })}
                <super::claims::OrgClaims org=id claims=page.claims.clone() member=member />
                <super::publishing::OrgPublishing org=id info=page.publishing.clone() member=member />
            })}
            {(page.kind == OrgKind::Developer).then(|| view! {
                <section class="card" aria-labelledby="apps-heading">
                    <h2 id="apps-heading">"Apps"</h2>
                    {if page.apps.is_empty() {
                        view! { <p>"No apps registered yet."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain-list">
                                {page.apps.iter().map(|a| view! {
                                    <li><a href=format!("/orgs/{id}/apps/{}", a.id)>{a.client_name.clone()}</a>
                                        {format!(" · version {} · changed {}", a.version, utc_label(a.updated_at))}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    {member.then(|| view! {
                        <p><a class="button secondary" href=format!("/orgs/{id}/apps/new")>"Register an app"</a></p>
                        <super::publishing::LogoUpload org=id field="an app's logo field (logo_uri); the public list of apps shows only logos stored here" />
                    })}
                </section>
            })}
            {member.then(|| view! {
                <section class="card" aria-labelledby="invite-heading">
                    <h2 id="invite-heading">"Invite a member"</h2>
                    <PendingForm action=format!("/orgs/{id}/invitations") class="stack">
                        <FormMessages form="invite" />
                        <TextField form="invite" name="email" label="Their email address" kind="email" autocomplete="off"
                            hint="They get a link that works once, for 7 days, for an account with this address." />
                        <SubmitButton label="Send the invitation" />
                    </PendingForm>
                    <h3>"Open invitations"</h3>
                    <FormMessages form="invitations" />
                    {if page.invitations.is_empty() {
                        view! { <p>"None."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain-list">
                                {page.invitations.clone().into_iter().map(|i| view! {
                                    <li>
                                        {i.email} " · sent " {utc_label(i.sent_at)} " · until " {utc_label(i.expires_at)} " "
                                        <PendingForm action=format!("/orgs/{id}/invitations/{}/revoke", i.id) class="inline">
                                            <SubmitButton label="Withdraw" class="secondary small" />
                                        </PendingForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            })}
        </div>
    }
}
