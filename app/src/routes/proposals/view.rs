//! `/proposals/:id`: one proposal for its proposer and the moderators: what it changes (against
//! the record when proposed, and what the record became since), the checks, the thread, and what
//! the viewer may do (edit, withdraw, answer; approve, edit and approve, reject, ask).
use super::preview::{Checks, DiffTable, Duplicates, Findings};
use crate::api::proposals::load_proposal;
use crate::components::form::{FormMessages, PendingForm, SubmitButton, TextArea, posted};
use crate::routes::accounts::{failed, utc_label};
use crate::types::proposals::{ProposalKind, ProposalView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ProposalPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0)));
    let page = Resource::new(move || id.get(), load_proposal);
    view! {
        <div class="wrap page">
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <Proposal p /> }.into_any(),
                        Err(e) => view! { <Title text="Proposal" /> {failed(e)} }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Proposal(p: ProposalView) -> impl IntoView {
    let id = p.id;
    let title = format!("Proposal #{id}: {}", p.kind.label());
    let conflict = posted("decision").is_some_and(|f| f.value("conflict") == "1");
    let report = p.kind == ProposalKind::Report;
    let (seen_approve, seen_reject) = (p.revision.clone(), p.revision.clone());
    view! {
        <Title text=title.clone() />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <a href="/proposals">"My proposals"</a>
            {p.can_moderate.then(|| view! { <span aria-hidden="true">" · "</span><a href="/moderation">"Moderation queue"</a> })}
        </nav>
        <h1>{title}</h1>
        <p class="lede">
            <span class=format!("tag state-{}", p.state.as_str())>{p.state.label()}</span>" "
            {p.brand.clone().map(|b| view! { "on "<a href=format!("/brands/{}", b.id)>{b.name}</a>" · " })}
            "by "{p.proposer.clone()}" · "{utc_label(p.created_at)}
        </p>
        <FormMessages form="decision" />
        {p.decision_reason.clone().map(|r| view! { <p class="notice"><strong>"Moderator's note: "</strong>{r}</p> })}
        {report.then(|| view! {
            <section class="card" aria-labelledby="report-heading">
                <h2 id="report-heading">"The report"</h2>
                <p><strong>{p.report_kind.map(|k| k.label()).unwrap_or("A problem")}</strong></p>
                {p.endpoint_id.map(|e| view! { <p>"About "<a href=format!("/endpoints/{e}")>"endpoint #"{e}</a></p> })}
                {p.report_detail.clone().map(|d| view! { <p>"Detail: "<code>{d}</code></p> })}
            </section>
        })}
        {(!report).then(|| view! {
            <section class="card" aria-labelledby="changes-heading">
                <h2 id="changes-heading">"What it changes"</h2>
                <DiffTable diffs=p.changes.clone() caption="Changes against the record when proposed" before="When proposed" after="Proposed" />
                {(!p.changed_since.is_empty()).then(|| view! {
                    <h3>"Changed on the record since"</h3>
                    <p class="note">"These fields changed after the proposal was made. Approving overwrites them."</p>
                    <DiffTable diffs=p.changed_since.clone() caption="Changed on the record since it was proposed" before="When proposed" after="Now" />
                })}
                <Checks checks=p.checks.clone() />
                <Findings findings=p.findings.clone() />
                {p.state.is_open().then(|| view! { <Duplicates duplicates=p.duplicates.clone() /> })}
            </section>
        })}
        {(!p.comment.is_empty()).then(|| view! {
            <section class="card"><h2>"Comment"</h2><p class="pre">{p.comment.clone()}</p></section>
        })}
        <Thread p=p.clone() />
        {p.can_edit.then(|| view! {
            <section class="card" aria-labelledby="yours-heading">
                <h2 id="yours-heading">"Your proposal"</h2>
                <p><a class="button secondary" href=format!("/proposals/{id}/edit")>"Edit it"</a></p>
                <PendingForm action=format!("/proposals/{id}/withdraw") class="inline">
                    <SubmitButton label="Withdraw it" class="secondary" />
                </PendingForm>
            </section>
        })}
        {p.can_moderate.then(|| view! {
            <section class="card" aria-labelledby="decide-heading">
                <h2 id="decide-heading">"Decide"</h2>
                <PendingForm action=format!("/proposals/{id}/approve") class="stack">
                    <input type="hidden" name="seen" value=seen_approve />
                    <TextArea form="decision" name="note" label="Note for the proposer (optional)" rows=2 />
                    {conflict.then(|| view! { <input type="hidden" name="force" value="1" /> })}
                    <SubmitButton label=if conflict { "Approve anyway" } else if report { "Accept the report" } else { "Approve" } />
                </PendingForm>
                {(!report).then(|| view! { <p><a href=format!("/proposals/{id}/review")>"Edit it, then approve"</a></p> })}
                <PendingForm action=format!("/proposals/{id}/reject") class="stack">
                    <input type="hidden" name="seen" value=seen_reject />
                    <FormMessages form="reject" />
                    <TextArea form="reject" name="reason" label="Reason for rejecting (the proposer reads it)" rows=2 required=true />
                    <SubmitButton label="Reject" class="secondary" />
                </PendingForm>
            </section>
        })}
    }
}

#[component]
fn Thread(p: ProposalView) -> impl IntoView {
    let id = p.id;
    let may_write = p.state.is_open() && (p.can_moderate || p.can_edit || p.kind == ProposalKind::Report);
    let label = if p.can_moderate { "Ask the proposer a question" } else { "Your answer" };
    view! {
        <section class="card" id="thread" aria-labelledby="thread-heading">
            <h2 id="thread-heading">"Questions and answers"</h2>
            {if p.messages.is_empty() {
                view! { <p>"No messages yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="thread">
                        {p.messages.clone().into_iter().map(|m| view! {
                            <li class:from-moderator=m.from_moderator>
                                <p class="muted">{
                                    let who = if m.from_moderator && m.author != "A moderator" { format!("{} (moderator)", m.author) } else { m.author.clone() };
                                    format!("{who} · {}", utc_label(m.at))
                                }</p>
                                <p class="pre">{m.body}</p>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {may_write.then(|| view! {
                <PendingForm action=format!("/proposals/{id}/messages") class="stack">
                    <FormMessages form="message" />
                    <TextArea form="message" name="body" label=label rows=3 required=true />
                    <SubmitButton label="Send" />
                </PendingForm>
            })}
        </section>
    }
}
