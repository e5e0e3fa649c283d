//! Registration requests: an app's requests with a payer picker (`/orgs/:id/apps/:app/requests`),
//! one request (`/requests/:id`) and a payer's queue (`/orgs/:id/queue`), each with its clock.
use crate::api::registration::{app_requests, request_record};
use crate::components::form::{FormMessages, PendingForm, SubmitButton, TextArea, TextField};
use crate::routes::accounts::{failed, query_value, utc_label};
use crate::types::registration::{Channel, RequestPage, RequestState, RequestSummary, RequestsPage, days_label};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

pub(crate) fn param(name: &'static str) -> Memo<i32> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get(name).and_then(|s| s.parse::<i32>().ok()).unwrap_or(0)))
}

/// "1.5 of 5 business days", and the flag when past.
pub(crate) fn clock_label(r: &RequestSummary) -> String {
    let mut s = format!("{} of {} business days", days_label(r.elapsed_secs), r.target_days);
    if r.breached {
        s.push_str(" · past the target");
    } else if r.due_soon {
        s.push_str(" · due within a business day");
    }
    s
}

/// Requests as a table; in the payer's queue, with the assignee and (for bulk assignment) a
/// checkbox for each.
#[component]
pub(crate) fn RequestTable(
    rows: Vec<RequestSummary>,
    payer_view: bool,
    #[prop(optional)] select: bool,
) -> impl IntoView {
    view! {
        <table class="table">
            <caption class="visually-hidden">"Requests"</caption>
            <thead><tr>
                {select.then(|| view! { <th scope="col"><span class="visually-hidden">"Select"</span></th> })}
                <th scope="col">"Request"</th>
                <th scope="col">{if payer_view { "App" } else { "Payer" }}</th>
                <th scope="col">"Environment"</th>
                <th scope="col">"State"</th>
                <th scope="col">"Clock"</th>
                {payer_view.then(|| view! { <th scope="col">"Assigned to"</th> })}
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let who = if payer_view { format!("{} ({})", r.client_name, r.developer_org) } else { r.brand.clone() };
                    let class = if r.breached { "breached" } else { "" };
                    view! {
                        <tr class=class>
                            {select.then(|| {
                                let id = format!("select-{}", r.id);
                                view! { <td><input type="checkbox" name="request" value=r.id.to_string() id=id.clone() aria-label=format!("Request #{}", r.id) /></td> }
                            })}
                            <td><a href=format!("/requests/{}", r.id)>{format!("#{}", r.id)}</a></td>
                            <td>{who}</td>
                            <td>{r.environment.as_str()}</td>
                            <td>{r.state.label()}{r.self_reported.then_some(" (self-reported)")}</td>
                            <td>{clock_label(&r)}</td>
                            {payer_view.then(|| view! { <td>{r.assignee.clone().unwrap_or_else(|| "nobody".into())}</td> })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// `/orgs/:id/apps/:app/requests`.
#[component]
pub fn AppRequestsPage() -> impl IntoView {
    let (org, app, q) = (param("id"), param("app"), query_value("q"));
    let page = Resource::new(move || (org.get(), app.get(), q.get()), |(o, a, q)| app_requests(o, a, q));
    view! {
        <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Title text=format!("Requests: {}", p.client_name) /> <RequestsView page=p /> }.into_any(),
                    Err(e) => view! { <Title text="Requests" /> <div class="wrap page">{failed(e)}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RequestsView(page: RequestsPage) -> impl IntoView {
    let base = format!("/orgs/{}/apps/{}", page.organization_id, page.app_id);
    let askable = page.found.iter().filter(|f| f.can_ask).count();
    view! {
        <div class="wrap page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href=base.clone()>{format!("Back to {}", page.client_name)}</a></nav>
            <h1>{format!("Requests: {}", page.client_name)}</h1>
            <p class="lede">"Ask payers for access once, from many at a time. Each request runs on the payer's published turnaround target, in business days; the clock stops while the payer waits on you."</p>
            <FormMessages form="requests" />
            {if page.requests.is_empty() {
                view! { <p>"No requests yet."</p> }.into_any()
            } else {
                view! { <RequestTable rows=page.requests.clone() payer_view=false /> }.into_any()
            }}
            {page.can_request.then(|| view! {
                <section class="card" aria-labelledby="pick-heading">
                    <h2 id="pick-heading">"Request access"</h2>
                    <PendingForm action=format!("{base}/requests") method="get" class="stack">
                        <TextField form="pick" name="q" label="Find payers" required=false value=page.q.clone() maxlength=200 hint="Several at once, separated by commas: Aetna, Cigna" />
                        <SubmitButton label="Search" class="secondary" />
                    </PendingForm>
                    {(!page.found.is_empty()).then(|| view! {
                        <PendingForm action=format!("{base}/requests") class="stack">
                            <fieldset class="field">
                                <legend class="field-label">"Payers found"</legend>
                                {page.found.iter().map(|f| {
                                    let id = format!("pick-{}", f.brand_id);
                                    let label_for = id.clone();
                                    view! {
                                        <label class="check" for=label_for>
                                            <input type="checkbox" id=id name="brand" value=f.brand_id.to_string() checked=f.can_ask disabled=!f.can_ask />
                                            " "{f.name.clone()}" — "{f.route.clone()}
                                        </label>
                                    }
                                }).collect_view()}
                            </fieldset>
                            <crate::components::form::SelectField form="requests" name="environment" label="Environment"
                                options=vec![("production".into(), "Production".into()), ("sandbox".into(), "Sandbox".into())] selected="production" />
                            <button type="submit" class="button">{format!("Request from the selected payers ({askable} can be asked)")}</button>
                        </PendingForm>
                    })}
                </section>
            })}
        </div>
    }
}

/// `/requests/:id`.
#[component]
pub fn RequestPageView() -> impl IntoView {
    let id = param("id");
    let page = Resource::new(move || id.get(), request_record);
    view! {
        <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Title text=format!("Request #{}", p.summary.id) /> <RequestView page=p /> }.into_any(),
                    Err(e) => view! { <Title text="Request" /> <div class="wrap page">{failed(e)}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RequestView(page: RequestPage) -> impl IntoView {
    let r = page.summary.clone();
    let action = format!("/requests/{}", r.id);
    let state = r.state;
    let external = r.channel == Channel::External;
    let payer_can = page.payer_side && (state == RequestState::Submitted || state == RequestState::InReview);
    // A request waiting on its developer may still be denied (a developer who never answers).
    let payer_may_deny = page.payer_side && !external && state == RequestState::NeedsInfo;
    view! {
        <div class="wrap page">
            <h1>{format!("Request #{}: {} at {}", r.id, r.client_name, r.brand)}</h1>
            <p class="lede">{format!("{} · {} access · {}{} · {}", r.developer_org, r.environment.as_str(), state.label(), if r.self_reported { " (self-reported by the developer)" } else { "" }, clock_label(&r))}</p>
            <FormMessages form="request" />
            {r.assignee.clone().filter(|_| page.payer_side).map(|a| view! { <p class="meta">{format!("Assigned to {a}")}</p> })}
            {page.payer_org.filter(|_| state.is_open()).map(|org| view! {
                <PendingForm action=format!("/orgs/{org}/queue/assign") class="inline-form">
                    <input type="hidden" name="request" value=r.id.to_string() />
                    <input type="hidden" name="back" value=format!("/requests/{}", r.id) />
                    <crate::components::form::SelectField form="request" name="assignee" label="Assign to"
                        options=crate::routes::queue::assignee_options(&page.members) selected="none" />
                    <button type="submit" class="button secondary">"Assign"</button>
                </PendingForm>
            })}
            {page.client_id.clone().map(|c| view! { <p>"Client id: "<code>{c}</code></p> })}
            {page.notes.clone().map(|n| view! { <p class="prewrap">{n}</p> })}
            {page.denial.clone().map(|(g, t)| view! { <p class="notice warn">{format!("Denied ({g}): {t}")}</p> })}
            <p class="meta">{format!("Attestation when asked: {}", r.attestation_status.replace('_', " "))}</p>
            {page.notice.clone().map(|n| view! {
                <section class="notice" aria-labelledby="notice-heading">
                    <h2 id="notice-heading">"The payer's notice about apps that have not attested"</h2>
                    <p class="prewrap">{n}</p>
                    <p class="meta">"The payer shows its members this same notice for every app without a current attestation; it is not a ground for denying access."</p>
                </section>
            })}
            <Steps steps=page.steps.clone() />
            <Thread request=r.id messages=page.thread.clone() can_write=page.can_write />
            {(page.developer_side && state == RequestState::NeedsInfo).then(|| view! {
                <PendingForm action=action.clone() class="stack card">
                    <TextArea form="request" name="answer" label="Your answer" rows=4 required=true />
                    <button type="submit" name="intent" value="answer" class="button">"Send the answer"</button>
                </PendingForm>
            })}
            {payer_can.then(|| view! {
                <section class="card" aria-labelledby="decide-heading">
                    <h2 id="decide-heading">{if external { "Record the payer's answer" } else { "Answer the request" }}</h2>
                    {(!external && state == RequestState::Submitted).then(|| view! {
                        <PendingForm action=action.clone() class="stack">
                            <button type="submit" name="intent" value="review" class="button secondary">"Start the review"</button>
                        </PendingForm>
                    })}
                    {(!external).then(|| view! {
                        <PendingForm action=action.clone() class="stack">
                            <TextArea form="request" name="question" label="Ask the developer" rows=3 />
                            <button type="submit" name="intent" value="ask" class="button secondary">"Ask for information"</button>
                        </PendingForm>
                    })}
                    <PendingForm action=action.clone() class="stack">
                        <TextField form="request" name="client_id" label="Client id issued" required=false maxlength=200 />
                        <TextArea form="request" name="notes" label="Notes for the developer (never a secret)" rows=2 />
                        <button type="submit" name="intent" value="approve" class="button">"Approve"</button>
                    </PendingForm>
                </section>
            })}
            {(payer_can || payer_may_deny).then(|| view! { <DenyForm action=action.clone() form="request" token=None reasons=page.denial_reasons.clone() /> })}
            {(page.payer_side && !external && state == RequestState::Approved).then(|| view! {
                <PendingForm action=action.clone() class="stack card">
                    <TextArea form="request" name="text" label="Why the approval is revoked" rows=3 required=true />
                    <button type="submit" name="intent" value="revoke" class="button danger">"Revoke the approval"</button>
                </PendingForm>
            })}
            {(page.developer_side && state.is_open()).then(|| view! {
                <PendingForm action=action.clone() class="stack">
                    <button type="submit" name="intent" value="withdraw" class="button secondary">"Withdraw the request"</button>
                </PendingForm>
            })}
        </div>
    }
}

/// The request's messages, and the form to write one with an attachment.
#[component]
fn Thread(request: i32, messages: Vec<crate::types::registration::ThreadMessage>, can_write: bool) -> impl IntoView {
    let file_error = crate::components::form::posted("thread").and_then(|p| p.errors.for_field("file"));
    view! {
        <section class="card" aria-labelledby="thread-heading">
            <h2 id="thread-heading">"Messages"</h2>
            <FormMessages form="thread" />
            {messages.is_empty().then(|| view! { <p class="muted">"No messages yet."</p> })}
            <ol class="plain-list thread">
                {messages.into_iter().map(|m| view! {
                    <li>
                        <p class="meta">{format!("{} · {} ({})", utc_label(m.at), m.author, if m.from_payer { "payer" } else { "developer" })}</p>
                        {(!m.body.is_empty()).then(|| view! { <p class="prewrap">{m.body.clone()}</p> })}
                        {m.attachment.clone().map(|name| view! {
                            <p><a href=format!("/requests/{request}/messages/{}/attachment", m.id) download>{format!("Attachment: {name}")}</a></p>
                        })}
                    </li>
                }).collect_view()}
            </ol>
            {can_write.then(|| view! {
                <form method="post" action=format!("/requests/{request}/messages") enctype="multipart/form-data" class="stack">
                    <TextArea form="thread" name="body" label="Message" rows=3 />
                    <div class="field">
                        <label class="field-label" for="thread-file">"Attach a file (PDF, PNG, JPEG or plain text, up to 1 MB)"</label>
                        <input type="file" id="thread-file" name="file" accept=".pdf,.png,.jpg,.jpeg,.txt,application/pdf,image/png,image/jpeg,text/plain"
                            aria-describedby=file_error.as_ref().map(|_| "thread-file-error") />
                        {file_error.clone().map(|e| view! { <p class="field-error" id="thread-file-error">{e}</p> })}
                    </div>
                    <button type="submit" class="button">"Send"</button>
                </form>
            })}
        </section>
    }
}

/// A request's history, oldest first.
#[component]
pub(crate) fn Steps(steps: Vec<crate::types::registration::RequestStep>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="steps-heading">
            <h2 id="steps-heading">"History"</h2>
            <ol class="plain-list">
                {steps.into_iter().map(|s| view! {
                    <li>{format!("{} · {}", utc_label(s.at), s.state.label())}{s.note.map(|n| view! { <span class="prewrap">{format!(": {n}")}</span> })}</li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// Denying a request: the grounds (never the attestation answers, CMS-9115-F) and what is
/// wrong. `token` is a signed link's, on the email-only payer's page.
#[component]
pub(crate) fn DenyForm(
    action: String,
    form: &'static str,
    token: Option<String>,
    reasons: Vec<(String, String)>,
) -> impl IntoView {
    let grounds_error = crate::components::form::posted(form).and_then(|p| p.errors.for_field("grounds"));
    view! {
        <section class="card" aria-labelledby="deny-heading">
            <h2 id="deny-heading">"Deny"</h2>
            <PendingForm action=action class="stack">
                {token.map(|t| view! { <input type="hidden" name="token" value=t /> })}
                <fieldset class="field" id=format!("{form}-grounds")>
                    <legend class="field-label">"Grounds for denying"</legend>
                    <p class="hint">"Under CMS-9115-F a payer may deny access only for a security risk to its own systems, or a technical reason; an app's attestation answers, or not having attested, are not grounds."</p>
                    {reasons.into_iter().map(|(code, label)| {
                        let id = format!("ground-{code}");
                        let label_for = id.clone();
                        view! { <label class="check" for=label_for><input type="checkbox" id=id name="grounds" value=code />" "{label}</label> }
                    }).collect_view()}
                    {grounds_error.clone().map(|e| view! { <p class="field-error">{e}</p> })}
                </fieldset>
                <TextArea form=form name="text" label="What is wrong, for the developer" rows=3 />
                <button type="submit" name="intent" value="deny" class="button danger">"Deny"</button>
            </PendingForm>
        </section>
    }
}
