//! `/admin/accounts` (list, search, disable, re-enable) and `/admin/audit` (the audit log,
//! filtered). Admins only: the server functions say 403 to anyone else.
use super::{failed, query_value, utc_label};
use crate::api::accounts::{admin_accounts, audit_entries};
use crate::components::form::{FormMessages, PendingForm, SubmitButton, TextField};
use crate::types::accounts::AccountState;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminAccountsPage() -> impl IntoView {
    let q = query_value("q");
    let list = Resource::new(move || q.get(), admin_accounts);
    let me = crate::components::layout::viewer().map(|v| v.account_id);
    view! {
        <Title text="Accounts" />
        <div class="wrap page">
            <h1>"Accounts"</h1>
            <p><a href="/admin/audit">"Audit log"</a>" · "<a href="/admin/claims">"Claims on brands"</a>" · "<a href="/admin/attestations">"Attestations"</a></p>
            <PendingForm action="/admin/accounts" method="get" class="stack">
                <TextField form="search-accounts" name="q" label="Address contains" kind="text" required=false
                    value=q.get_untracked() />
                <SubmitButton label="Search" />
            </PendingForm>
            <FormMessages form="accounts" />
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) if rows.is_empty() => view! { <p>"No account matches."</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="table">
                                <caption class="visually-hidden">"Accounts"</caption>
                                <thead><tr>
                                    <th scope="col">"Address"</th><th scope="col">"State"</th><th scope="col">"Admin"</th>
                                    <th scope="col">"Organizations"</th><th scope="col">"Proposals (accepted)"</th>
                                    <th scope="col">"Created"</th><th scope="col">"Actions"</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|a| {
                                        let action = match a.state {
                                            AccountState::Disabled => Some(("enable", "Re-enable")),
                                            _ if me == Some(a.id) => None,
                                            _ => Some(("disable", "Disable")),
                                        };
                                        view! {
                                            <tr>
                                                <td>{a.email.clone()}</td>
                                                <td>{a.state.as_str()}</td>
                                                <td>{if a.admin { "yes" } else { "" }}</td>
                                                <td>{a.orgs.join(", ")}</td>
                                                <td>{format!("{} ({}){}", a.proposals, a.accepted, if a.trusted { " · trusted" } else { "" })}</td>
                                                <td>{utc_label(a.created_at)}</td>
                                                <td class="actions">{action.map(|(path, label)| view! {
                                                    <PendingForm action=format!("/admin/accounts/{}/{path}", a.id) class="inline">
                                                        <SubmitButton label=label class="secondary small" />
                                                    </PendingForm>
                                                })}
                                                {(a.accepted > 0 || a.trusted).then(|| view! {
                                                    <PendingForm action=format!("/admin/accounts/{}/trust", a.id) class="inline">
                                                        <input type="hidden" name="trusted" value=if a.trusted { "0" } else { "1" } />
                                                        <SubmitButton label=if a.trusted { "Stop trusting" } else { "Trust their edits" } class="secondary small" />
                                                    </PendingForm>
                                                })}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let action = query_value("action");
    let actor = query_value("actor");
    let target_kind = query_value("target_kind");
    let target_id = query_value("target_id");
    let before = query_value("before");
    let entries = Resource::new(
        move || (action.get(), actor.get(), target_kind.get(), target_id.get(), before.get().parse::<i64>().ok()),
        |(a, who, kind, id, before)| audit_entries(a, who, kind, id, before),
    );
    view! {
        <Title text="Audit log" />
        <div class="wrap page">
            <h1>"Audit log"</h1>
            <p><a href="/admin/accounts">"Accounts"</a></p>
            <PendingForm action="/admin/audit" method="get" class="filters">
                <TextField form="audit" name="action" label="Action" required=false value=action.get_untracked()
                    placeholder="account.disable" />
                <TextField form="audit" name="actor" label="Who (address contains)" required=false value=actor.get_untracked() />
                <TextField form="audit" name="target_kind" label="Record kind" required=false value=target_kind.get_untracked()
                    placeholder="account" />
                <TextField form="audit" name="target_id" label="Record id" required=false value=target_id.get_untracked() />
                <SubmitButton label="Filter" />
            </PendingForm>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(rows) if rows.is_empty() => view! { <p>"No entries match."</p> }.into_any(),
                        Ok(rows) => {
                            let last = rows.last().map(|r| r.id);
                            let full = rows.len() as u64 >= 100;
                            view! {
                                <table class="table audit">
                                    <caption class="visually-hidden">"Audit log entries"</caption>
                                    <thead><tr>
                                        <th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"For"</th>
                                        <th scope="col">"Action"</th><th scope="col">"Record"</th><th scope="col">"Before"</th>
                                        <th scope="col">"After"</th><th scope="col">"From"</th>
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|e| view! {
                                            <tr>
                                                <td>{utc_label(e.at)}</td>
                                                <td>{e.actor}</td>
                                                <td>{e.organization.unwrap_or_default()}</td>
                                                <td><code>{e.action}</code></td>
                                                <td>{e.target}</td>
                                                <td><code>{e.before.unwrap_or_default()}</code></td>
                                                <td><code>{e.after.unwrap_or_default()}</code></td>
                                                <td>{e.client}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {(full).then(|| last.map(|id| view! {
                                    <p><a href=format!("/admin/audit?before={id}")>"Older entries"</a></p>
                                }))}
                            }.into_any()
                        }
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}
