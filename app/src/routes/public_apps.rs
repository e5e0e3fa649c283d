//! The public list of apps with a current attestation (`/apps`) and each app's page
//! (`/apps/:id`), with its answers in plain language for members.
use crate::api::attestations::{public_app, public_apps};
use crate::components::form::{PendingForm, SubmitButton, TextField};
use crate::routes::accounts::{failed, query_value, utc_label};
use crate::types::attestation_pages::{PAYER_NOTICE, PublicApp, PublicAppPage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn day(secs: i64) -> String {
    utc_label(secs).chars().take(10).collect()
}

#[component]
fn Highlights(items: Vec<String>) -> impl IntoView {
    (!items.is_empty()).then(|| {
        view! {
            <ul class="tags" aria-label="Answers to notice">
                {items.into_iter().map(|h| view! { <li class="tag warn">{h}</li> }).collect_view()}
            </ul>
        }
    })
}

#[component]
fn AppCard(app: PublicApp) -> impl IntoView {
    let href = format!("/apps/{}", app.id);
    view! {
        <li class="card app-card">
            {app.logo_path.clone().map(|src| view! { <img class="logo" src=src alt="" width="48" height="48" /> })}
            <h2><a href=href>{app.client_name.clone()}</a></h2>
            <p class="meta">{format!("{} · {}", app.organization, app.platforms.join(", "))}</p>
            <p>{app.description.clone()}</p>
            <p class="meta">
                {format!("Attested {} · valid until {}", day(app.attested_on), day(app.valid_until))}
                {app.review_due.then_some(" · re-review due")}
            </p>
            <Highlights items=app.highlights.clone() />
        </li>
    }
}

/// `/apps`.
#[component]
pub fn PublicAppsPage() -> impl IntoView {
    let q = query_value("q");
    let list = Resource::new(move || q.get(), public_apps);
    view! {
        <Title text="Attested apps" />
        <div class="wrap page">
            <h1>"Attested apps"</h1>
            <p class="lede">"Apps whose developers attested to their privacy practices and the CARIN Code of Conduct, reviewed by Signpost's admins, valid for 12 months. Read each app's answers before you connect it to your health plan."</p>
            <PendingForm action="/apps" method="get" class="stack search-form">
                <TextField form="search-apps" name="q" label="Name, organization or what it does" required=false value=q.get_untracked() maxlength=100 />
                <SubmitButton label="Search" />
            </PendingForm>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(l) if l.apps.is_empty() => view! { <p>"No attested app matches."</p> }.into_any(),
                        Ok(l) => view! {
                            <p role="status">{format!("{} app{}{}", l.apps.len(), if l.apps.len() == 1 { "" } else { "s" }, if l.more { ", and more: search to narrow" } else { "" })}</p>
                            <ul class="plain-list app-list">{l.apps.into_iter().map(|a| view! { <AppCard app=a /> }).collect_view()}</ul>
                        }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// `/apps/:id`.
#[component]
pub fn PublicAppPageView() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0)));
    let page = Resource::new(move || id.get(), public_app);
    view! {
        <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Title text=p.app.client_name.clone() /> <AppDetails page=p /> }.into_any(),
                    Err(e) => view! { <Title text="App" /> <div class="wrap page">{failed(e)}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AppDetails(page: PublicAppPage) -> impl IntoView {
    let a = page.app.clone();
    let links = [
        ("Home page", page.client_uri.clone()),
        ("Privacy policy", page.policy_uri.clone()),
        ("Terms", page.tos_uri.clone()),
    ];
    view! {
        <div class="wrap page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/apps">"Back to attested apps"</a></nav>
            <h1>{a.client_name.clone()}</h1>
            <p class="lede">{format!("By {} · {}", a.organization, a.platforms.join(", "))}</p>
            <p>{a.description.clone()}</p>
            <p>
                {links.into_iter().filter_map(|(label, u)| u.map(|u| view! {
                    <a href=u.to_string() rel="nofollow noopener noreferrer">{label}</a>" "
                })).collect_view()}
            </p>
            <section class="card" aria-labelledby="status-heading">
                <h2 id="status-heading">"Attestation"</h2>
                <p>{format!("Attested {} to questionnaire version {}; valid until {}.", day(a.attested_on), page.questionnaire_version, day(a.valid_until))}</p>
                {a.review_due.then(|| view! { <p class="notice warn">"The app changed since it was attested, or the questionnaire did: it is due for re-review."</p> })}
                <Highlights items=a.highlights.clone() />
                <p class="meta">
                    <a href=format!("/apps/{}/attestation.json", a.id)>"attestation.json"</a>" · "
                    <a href=format!("/apps/{}/badge.svg", a.id)>"badge"</a>
                </p>
            </section>
            <section aria-labelledby="answers-heading">
                <h2 id="answers-heading">"What the developer attests"</h2>
                <ul class="plain-list statements">
                    {page.statements.iter().map(|s| {
                        let class = if s.highlight.is_some() { "card statement highlighted" } else { "card statement" };
                        view! {
                            <li class=class>
                                {s.highlight.clone().map(|h| view! { <p class="tag warn">{h}</p> })}
                                <p><strong>{s.says.clone()}</strong></p>
                                <p class="meta">{s.principle.clone()}</p>
                                {s.evidence_url.clone().map(|u| view! { <p><a href=u.to_string() rel="nofollow noopener noreferrer">"Where the policy says so"</a></p> })}
                                {(!s.evidence_text.is_empty()).then(|| view! { <blockquote class="prewrap">{s.evidence_text.clone()}</blockquote> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
            {(!page.certifications.is_empty()).then(|| view! {
                <section class="card" aria-labelledby="certs-heading">
                    <h2 id="certs-heading">"Certifications"</h2>
                    <ul class="plain-list">{page.certifications.iter().map(|c| view! {
                        <li>{format!("{} {}", c.kind.label(), c.note)}" · "<a href=c.evidence_url.to_string() rel="nofollow noopener noreferrer">"check it"</a></li>
                    }).collect_view()}</ul>
                </section>
            })}
            <p class="notice" role="note">{PAYER_NOTICE}</p>
        </div>
    }
}
