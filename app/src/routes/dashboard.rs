//! `/dashboard`: what waits on the signed-in account, organization by organization.
use crate::api::registration::my_dashboard;
use crate::routes::accounts::{failed, utc_label};
use crate::routes::registration::{RequestTable, clock_label};
use crate::routes::turnaround::days_or_dash;
use crate::types::dashboard::{AdminDash, DeveloperDash, PayerDash};
use crate::types::registration::days_label;
use leptos::prelude::*;
use leptos_meta::Title;

fn day(secs: i64) -> String {
    utc_label(secs).chars().take(10).collect()
}

#[component]
fn Developer(d: DeveloperDash) -> impl IntoView {
    let org = d.organization_id;
    let (heading, labelled) = (format!("dev-{org}"), format!("dev-{org}"));
    view! {
        <section class="card" aria-labelledby=labelled>
            <h2 id=heading>{format!("{}: apps and requests", d.name)}</h2>
            {d.apps.is_empty().then(|| view! { <p><a href=format!("/orgs/{org}/apps/new")>"Register an app"</a></p> })}
            <ul class="plain-list">
                {d.apps.iter().map(|a| view! {
                    <li>
                        <a href=format!("/orgs/{org}/apps/{}", a.id)>{a.client_name.clone()}</a>
                        {format!(" · {}", a.attestation)}
                        {a.valid_until.map(|u| format!(", valid until {}", day(u)))}
                        " · "<a href=format!("/orgs/{org}/apps/{}/requests", a.id)>"Requests"</a>
                    </li>
                }).collect_view()}
            </ul>
            {(!d.requests.is_empty()).then(|| view! {
                <table class="table">
                    <caption class="visually-hidden">"Requests and their next step"</caption>
                    <thead><tr><th scope="col">"Request"</th><th scope="col">"App"</th><th scope="col">"Payer"</th><th scope="col">"State"</th><th scope="col">"Clock"</th><th scope="col">"Next step"</th></tr></thead>
                    <tbody>
                        {d.requests.iter().map(|l| {
                            let r = &l.summary;
                            view! {
                                <tr class=if r.breached { "breached" } else { "" }>
                                    <td><a href=format!("/requests/{}", r.id)>{format!("#{}", r.id)}</a></td>
                                    <td>{r.client_name.clone()}</td>
                                    <td>{format!("{} ({})", r.brand, r.environment.as_str())}</td>
                                    <td>{r.state.label()}</td>
                                    <td>{clock_label(r)}</td>
                                    <td>{l.next_step.clone()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

#[component]
fn Payer(p: PayerDash) -> impl IntoView {
    let org = p.organization_id;
    let (heading, labelled) = (format!("payer-{org}"), format!("payer-{org}"));
    view! {
        <section class="card" aria-labelledby=labelled>
            <h2 id=heading>{format!("{}: registration queue", p.name)}</h2>
            <p>
                {format!("{} open · {} past the target · {} due within a business day · ", p.open, p.breached, p.due_soon)}
                <a href=format!("/orgs/{org}/queue")>"The queue"</a>" · "<a href=format!("/orgs/{org}/queue?breached=1")>"Past the target"</a>
            </p>
            {(!p.urgent.is_empty()).then(|| view! { <h3>"Least time left"</h3> <RequestTable rows=p.urgent.clone() payer_view=true /> })}
            {(!p.asked.is_empty()).then(|| view! {
                <h3>"Asked of developers, not yet answered"</h3>
                <ul class="plain-list">
                    {p.asked.iter().map(|a| view! {
                        <li><a href=format!("/requests/{}", a.request_id)>{format!("#{} {} at {}", a.request_id, a.client_name, a.brand)}</a>{format!(" · {}: ", day(a.at))}<span class="prewrap">{a.question.clone()}</span></li>
                    }).collect_view()}
                </ul>
            })}
            {(!p.turnaround.is_empty()).then(|| view! {
                <h3>"Turnaround against target (last 90 days)"</h3>
                <table class="table">
                    <caption class="visually-hidden">"Turnaround of the brands you maintain"</caption>
                    <thead><tr><th scope="col">"Brand"</th><th scope="col">"Target (days)"</th><th scope="col">"Decided"</th><th scope="col">"Median (days)"</th><th scope="col">"Within target"</th></tr></thead>
                    <tbody>
                        {p.turnaround.iter().map(|t| view! {
                            <tr>
                                <td><a href=format!("/turnaround/{}", t.brand_id)>{t.brand.clone()}</a></td>
                                <td>{t.target_days}</td>
                                <td>{t.recent.decided}</td>
                                <td>{days_or_dash(t.recent.median_secs)}</td>
                                <td>{t.recent.within_target_pct.map_or_else(|| "—".to_string(), |w| format!("{w}%"))}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

#[component]
fn Admin(a: AdminDash) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="admin-heading">
            <h2 id="admin-heading">"For admins"</h2>
            <ul class="plain-list">
                <li><a href="/admin/attestations">{format!("{} attestations waiting for review", a.attestations_waiting)}</a></li>
                <li><a href="/moderation">{format!("{} open proposals", a.proposals_open)}</a></li>
                <li><a href="/admin/audit">"The audit log"</a></li>
            </ul>
            <h3>{format!("Requests past their target across payers: {}", a.breaches_total)}</h3>
            {(!a.breaches.is_empty()).then(|| view! {
                <table class="table">
                    <caption class="visually-hidden">"Breaches, most overdue first"</caption>
                    <thead><tr><th scope="col">"Request"</th><th scope="col">"Payer"</th><th scope="col">"Waited (days)"</th><th scope="col">"Target (days)"</th></tr></thead>
                    <tbody>
                        {a.breaches.iter().map(|b| view! {
                            <tr>
                                <td><a href=format!("/requests/{}", b.request_id)>{format!("#{}", b.request_id)}</a></td>
                                <td><a href=format!("/turnaround/{}", b.brand_id)>{b.brand.clone()}</a></td>
                                <td>{days_label(b.elapsed_secs)}</td>
                                <td>{b.target_days}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let page = Resource::new(|| (), |_| my_dashboard());
    view! {
        <Title text="Dashboard" />
        <div class="wrap page">
            <h1>"Dashboard"</h1>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(d) => {
                            let empty = d.developer.is_empty() && d.payer.is_empty() && d.admin.is_none();
                            view! {
                                {empty.then(|| view! { <p>"You belong to no organization yet. " <a href="/account">"Create one"</a>"."</p> })}
                                {d.developer.into_iter().map(|x| view! { <Developer d=x /> }).collect_view()}
                                {d.payer.into_iter().map(|x| view! { <Payer p=x /> }).collect_view()}
                                {d.admin.map(|a| view! { <Admin a=a /> })}
                            }.into_any()
                        }
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}
