//! Claims on brands: a payer organization's section of its page, the mailed link's page
//! (`/claims/confirm`), and the admins' list (`/admin/claims`).
use super::{failed, utc_label};
use crate::api::claims::{admin_claims, preview_claim_link};
use crate::components::form::{FormMessages, PendingForm, SelectField, SubmitButton, TextField};
use crate::types::claims::{ClaimMethod, ClaimState, ClaimView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn state_line(c: &ClaimView) -> String {
    let mut s = format!("{} · by {} · at {}", c.state.as_str(), c.method.label(), c.domain);
    if let Some(v) = c.verified_at {
        s.push_str(&format!(" · verified {}", utc_label(v)));
    }
    if let Some(n) = c.next_check_at {
        s.push_str(&format!(" · next check {}", utc_label(n)));
    }
    s
}

/// A payer organization's claims, with the form to claim another brand.
#[component]
pub fn OrgClaims(org: i32, claims: Vec<ClaimView>, member: bool) -> impl IntoView {
    let query = use_query_map();
    let brand = query.with_untracked(|q| q.get("claim")).unwrap_or_default();
    let methods = vec![
        ("well-known".to_string(), "A file on the website (/.well-known/signpost-verification.txt)".to_string()),
        ("email".to_string(), "A link mailed to an address at the domain".to_string()),
    ];
    view! {
        <section class="card" aria-labelledby="claims-heading" id="claims">
            <h2 id="claims-heading">"Brands this organization maintains"</h2>
            <p>"A claim proves that this organization controls a brand's website domain. While it is in force, \
                the brand page says so, and the community's proposals on the brand come to your moderation queue. \
                Signpost verifies it again every 30 days."</p>
            <FormMessages form="claims" />
            {if claims.is_empty() {
                view! { <p>"No claims yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list stack">
                        {claims.into_iter().map(|c| {
                            let waiting_file = c.method == ClaimMethod::WellKnown
                                && matches!(c.state, ClaimState::Pending | ClaimState::Flagged);
                            let open = matches!(c.state, ClaimState::Pending | ClaimState::Verified | ClaimState::Flagged);
                            view! {
                                <li class="claim">
                                    <a href=format!("/brands/{}", c.brand_id)>{c.brand.clone()}</a>
                                    " · " {state_line(&c)}
                                    {c.email.clone().map(|e| view! { <p class="hint">{format!("Link sent to {e}")}</p> })}
                                    {(waiting_file && member).then(|| view! {
                                        <p>"Serve this line at "<code>{c.file_url.clone().unwrap_or_default()}</code>":"</p>
                                        <pre class="code-block">{c.file_line.clone().unwrap_or_default()}</pre>
                                        <PendingForm action=format!("/orgs/{org}/claims/{}/check", c.id) class="inline">
                                            <SubmitButton label="Check the file now" class="secondary small" />
                                        </PendingForm>
                                    })}
                                    {c.last_error.clone().map(|e| view! { <p class="hint">{format!("Last check: {e}")}</p> })}
                                    {(open && member).then(|| view! {
                                        <PendingForm action=format!("/orgs/{org}/claims/{}/withdraw", c.id) class="inline">
                                            <SubmitButton label="Withdraw" class="secondary small" />
                                        </PendingForm>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {member.then(|| view! {
                <h3>"Claim a brand"</h3>
                <PendingForm action=format!("/orgs/{org}/claims") class="stack">
                    <FormMessages form="claim" />
                    <TextField form="claim" name="brand" label="The brand's number or page address" value=brand.clone()
                        hint="For example 12, or https://signpost.example/brands/12. The brand must list a website." />
                    <SelectField form="claim" name="method" label="How to prove the domain" options=methods.clone() />
                    <TextField form="claim" name="email" label="Address at the domain (for a mailed link)" kind="email"
                        required=false autocomplete="off"
                        hint="At the website's domain or a parent of it, such as api-team@example.com for www.example.com." />
                    <SubmitButton label="Claim the brand" />
                </PendingForm>
            })}
        </section>
    }
}

/// `/claims/confirm?token=…`: what the mailed link confirms, and its button.
#[component]
pub fn ClaimConfirmPage() -> impl IntoView {
    let query = use_query_map();
    let token = Memo::new(move |_| query.with(|q| q.get("token")).unwrap_or_default());
    let preview = Resource::new(move || token.get(), preview_claim_link);
    view! {
        <Title text="Confirm a claim" />
        <div class="wrap page narrow">
            <h1>"Confirm a claim"</h1>
            <FormMessages form="confirm" />
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(c) => view! {
                            <p>{format!(
                                "{} says it controls {}, the domain of {}'s website, and asks to maintain that brand on Signpost. This link went to {}.",
                                c.organization, c.domain, c.brand, c.email
                            )}</p>
                            <PendingForm action="/claims/confirm" class="stack">
                                <input type="hidden" name="token" value=token.get_untracked() />
                                <SubmitButton label="Yes, confirm the claim" />
                            </PendingForm>
                            <p class="hint">"If this is not right, close this page: nothing changes."</p>
                        }.into_any(),
                        Err(e) => failed(e).into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// `/admin/claims`: every claim, with grant, transfer and revoke.
#[component]
pub fn AdminClaimsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| admin_claims());
    view! {
        <Title text="Claims" />
        <div class="wrap page">
            <h1>"Claims on brands"</h1>
            <section class="card" aria-labelledby="grant-heading">
                <h2 id="grant-heading">"Grant a claim"</h2>
                <p>"The payer organization becomes the brand's maintainer at once; a claim in force on the brand ends."</p>
                <PendingForm action="/admin/claims" class="stack">
                    <FormMessages form="grant" />
                    <TextField form="grant" name="organization" label="Payer organization's number" maxlength=12 />
                    <TextField form="grant" name="brand" label="Brand's number or page address" />
                    <SubmitButton label="Grant" />
                </PendingForm>
            </section>
            <FormMessages form="claims" />
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) if rows.is_empty() => view! { <p>"No claims yet."</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="table">
                                <caption class="visually-hidden">"Claims"</caption>
                                <thead><tr>
                                    <th scope="col">"Brand"</th><th scope="col">"Organization"</th>
                                    <th scope="col">"State"</th><th scope="col">"Actions"</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|c| {
                                        let in_force = c.state.in_force();
                                        let open = in_force || c.state == ClaimState::Pending;
                                        view! {
                                            <tr>
                                                <td><a href=format!("/brands/{}", c.brand_id)>{c.brand.clone()}</a></td>
                                                <td><a href=format!("/orgs/{}", c.organization_id)>{format!("{} (#{})", c.organization, c.organization_id)}</a></td>
                                                <td>{state_line(&c)}</td>
                                                <td class="actions">
                                                    {in_force.then(|| view! {
                                                        <PendingForm action=format!("/admin/claims/{}/transfer", c.id) class="inline">
                                                            <label for=format!("transfer-{}", c.id) class="visually-hidden">{format!("Organization to transfer claim {} to", c.id)}</label>
                                                            <input class="input small" id=format!("transfer-{}", c.id) name="organization" inputmode="numeric" required maxlength="12" placeholder="org #" />
                                                            <SubmitButton label="Transfer" class="secondary small" />
                                                        </PendingForm>
                                                    })}
                                                    {open.then(|| view! {
                                                        <PendingForm action=format!("/admin/claims/{}/revoke", c.id) class="inline">
                                                            <SubmitButton label="Revoke" class="secondary small" />
                                                        </PendingForm>
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => failed(e).into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
