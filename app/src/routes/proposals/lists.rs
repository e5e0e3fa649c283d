//! The lists: a proposer's own proposals (`/proposals`), the moderators' queue with its filters
//! and the import conflicts (`/moderation`), a brand's history (`/brands/:id/history`), and the
//! public "needs attention" list (`/needs-attention`).
use crate::api::proposals::{brand_history, moderation_queue, my_proposals, needs_attention};
use crate::components::form::{FormMessages, PendingForm, SelectField, SubmitButton, TextField};
use crate::routes::accounts::{failed, query_value, utc_label};
use crate::types::proposals::{
    AttentionPage, HistoryPage, ProposalKind, ProposalRow, ProposalState, QueueFilter, QueuePage,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
fn Rows(rows: Vec<ProposalRow>, caption: &'static str, show_proposer: bool) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p>"None."</p> }.into_any();
    }
    view! {
        <table class="table">
            <caption class="visually-hidden">{caption}</caption>
            <thead><tr>
                <th scope="col">"Proposal"</th><th scope="col">"State"</th>
                {show_proposer.then(|| view! { <th scope="col">"By"</th> })}
                <th scope="col">"Made"</th><th scope="col">"Last change"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr>
                        <td><a href=format!("/proposals/{}", r.id)>{format!("#{} {}", r.id, r.title)}</a></td>
                        <td><span class=format!("tag state-{}", r.state.as_str())>{r.state.label()}</span></td>
                        {show_proposer.then(|| view! { <td>{r.proposer.clone()}</td> })}
                        <td>{utc_label(r.created_at)}</td>
                        <td>{utc_label(r.updated_at)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn MyProposalsPage() -> impl IntoView {
    let rows = Resource::new(|| (), |_| my_proposals());
    view! {
        <Title text="My proposals" />
        <div class="wrap page">
            <h1>"My proposals"</h1>
            <p class="lede">"Changes and reports you sent, and where each stands. "<a href="/propose">"Propose a new brand"</a></p>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(r) => view! { <Rows rows=r caption="My proposals" show_proposer=false /> }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
pub fn ModerationPage() -> impl IntoView {
    let (kind, state, brand, older) =
        (query_value("kind"), query_value("state"), query_value("brand"), query_value("older_than_days"));
    let filter = Memo::new(move |_| QueueFilter {
        kind: ProposalKind::parse(&kind.get()),
        state: ProposalState::parse(&state.get()),
        brand: brand.get().trim().parse().ok(),
        older_than_days: older.get().trim().parse().ok(),
    });
    let page = Resource::new(move || filter.get(), moderation_queue);
    let kinds: Vec<(String, String)> = std::iter::once((String::new(), "Any kind".to_string()))
        .chain(ProposalKind::ALL.iter().map(|k| (k.as_str().to_string(), k.label().to_string())))
        .collect();
    let states: Vec<(String, String)> = std::iter::once((String::new(), "Open (pending or waiting)".to_string()))
        .chain(ProposalState::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())))
        .collect();
    view! {
        <Title text="Moderation queue" />
        <div class="wrap page">
            <h1>"Moderation queue"</h1>
            <PendingForm action="/moderation" method="get" class="filters">
                <SelectField form="queue" name="kind" label="Kind" options=kinds selected=kind.get_untracked() />
                <SelectField form="queue" name="state" label="State" options=states selected=state.get_untracked() />
                <TextField form="queue" name="brand" label="Brand number" required=false value=brand.get_untracked() maxlength=12 />
                <TextField form="queue" name="older_than_days" label="Older than (days)" required=false value=older.get_untracked() maxlength=4 />
                <SubmitButton label="Filter" class="secondary" />
            </PendingForm>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <Queue page=p /> }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Queue(page: QueuePage) -> impl IntoView {
    view! {
        <section aria-labelledby="queue-heading">
            <h2 id="queue-heading">"Proposals, oldest first"</h2>
            <Rows rows=page.rows caption="Proposals" show_proposer=true />
        </section>
        <section class="card" aria-labelledby="conflicts-heading">
            <h2 id="conflicts-heading">"Import conflicts"</h2>
            <p class="hint">"A re-import changed a field the community had changed. The import's value is in the directory now."</p>
            <FormMessages form="conflicts" />
            {if page.conflicts.is_empty() {
                view! { <p>"None."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <caption class="visually-hidden">"Import conflicts"</caption>
                        <thead><tr><th scope="col">"Brand"</th><th scope="col">"Field"</th><th scope="col">"Community"</th><th scope="col">"Import"</th><th scope="col">"Settle"</th></tr></thead>
                        <tbody>
                            {page.conflicts.into_iter().map(|c| view! {
                                <tr>
                                    <td><a href=format!("/brands/{}", c.brand.id)>{c.brand.name}</a><br /><span class="muted">{c.source}" · "{utc_label(c.at)}</span></td>
                                    <td>{c.label}</td>
                                    <td>{c.community_value}</td>
                                    <td>{c.import_value}</td>
                                    <td class="actions">
                                        <PendingForm action=format!("/moderation/conflicts/{}", c.id) class="inline">
                                            <input type="hidden" name="restore" value="1" />
                                            <SubmitButton label="Restore the community's" class="secondary small" />
                                        </PendingForm>
                                        <PendingForm action=format!("/moderation/conflicts/{}", c.id) class="inline">
                                            <SubmitButton label="Keep the import's" class="secondary small" />
                                        </PendingForm>
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn BrandHistoryPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0)));
    let page = Resource::new(move || id.get(), brand_history);
    view! {
        <div class="wrap page">
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <History page=p /> }.into_any(),
                        Err(e) => view! { <Title text="History" /> {failed(e)} }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn History(page: HistoryPage) -> impl IntoView {
    let brand = page.brand.clone();
    view! {
        <Title text=format!("History of {}", brand.name) />
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href=format!("/brands/{}", brand.id)>{brand.name.clone()}</a></nav>
        <h1>"History of "{brand.name.clone()}</h1>
        <p class="lede">"Every change since its import from "{page.source.clone()}", newest first."</p>
        <FormMessages form="revert" />
        {if page.entries.is_empty() {
            view! { <p>"No changes since it was imported."</p> }.into_any()
        } else {
            view! {
                <ol class="history">
                    {page.entries.into_iter().map(|e| view! {
                        <li class="card">
                            <p>
                                <strong>{utc_label(e.at)}</strong>" · "{e.origin.label()}" · "{e.by.clone()}
                                {e.proposal_id.map(|p| view! { " · "<a href=format!("/proposals/{p}")>"proposal #"{p}</a> })}
                            </p>
                            <p class="muted">{e.reason.clone()}</p>
                            <super::preview::DiffTable diffs=e.fields caption="Fields changed" before="Before" after="After" />
                            {page.can_revert.then(|| view! {
                                <PendingForm action=format!("/brands/{}/revert", brand.id) class="inline">
                                    <input type="hidden" name="change" value=e.id />
                                    <SubmitButton label="Revert this and later changes" class="secondary small" />
                                </PendingForm>
                            })}
                        </li>
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
    }
}

#[component]
pub fn NeedsAttentionPage() -> impl IntoView {
    let page = Resource::new(|| (), |_| needs_attention());
    view! {
        <Title text="Needs attention" />
        <div class="wrap page">
            <h1>"Needs attention"</h1>
            <p class="lede">"Where the directory may be wrong. Each is a place to propose a fix."</p>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <Attention page=p /> }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Attention(page: AttentionPage) -> impl IntoView {
    let links = |items: Vec<crate::types::brand::BrandLink>| {
        if items.is_empty() {
            return view! { <p>"None."</p> }.into_any();
        }
        view! {
            <ul class="plain-list">
                {items.into_iter().map(|b| view! {
                    <li><a href=format!("/brands/{}", b.id)>{b.name}</a>" · "<a href=format!("/brands/{}/propose", b.id)>"propose a fix"</a></li>
                }).collect_view()}
            </ul>
        }.into_any()
    };
    view! {
        <section class="card" aria-labelledby="down-heading">
            <h2 id="down-heading">"Endpoints down for more than 7 days"</h2>
            {if page.down.is_empty() {
                view! { <p>"None."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {page.down.into_iter().map(|d| view! {
                            <li>
                                <a href=format!("/endpoints/{}", d.endpoint_id)><code>{d.address}</code></a>" of "
                                <a href=format!("/brands/{}", d.brand.id)>{d.brand.name}</a>" · down since "{utc_label(d.down_since)}" · "
                                <a href=format!("/brands/{}/propose", d.brand.id)>"propose a fix"</a>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="broken-heading">
            <h2 id="broken-heading">"Brands without a working endpoint"</h2>
            {links(page.without_working)}
        </section>
        <section class="card" aria-labelledby="empty-heading">
            <h2 id="empty-heading">"Brands that list no endpoint"</h2>
            {links(page.without_endpoints)}
        </section>
        <section class="card" aria-labelledby="reports-heading">
            <h2 id="reports-heading">"Open reports"</h2>
            {if page.reports.is_empty() {
                view! { <p>"None."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {page.reports.into_iter().map(|r| view! {
                            <li>{r.title}" · "{utc_label(r.created_at)}
                                {r.brand.map(|b| view! { " · "<a href=format!("/brands/{}/propose", b.id)>"propose a fix"</a> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
