//! An app's attestation: the developer's questionnaire page (`/orgs/:id/apps/:app/attestation`),
//! and the admins' queue (`/admin/attestations`) and review page (`/admin/attestations/:id`).
use crate::api::attestations::{attestation_queue, attestation_record, attestation_review};
use crate::components::form::{FormMessages, PendingForm, TextArea, TextField, posted};
use crate::routes::accounts::{failed, utc_label};
use crate::types::attestation::{Answer, AttestationState, Evidence, Question};
use crate::types::attestation_pages::{
    AttestationForm, AttestationInfo, AttestationPage, CertificationKind, MAX_CERTIFICATIONS, ReviewPage,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn param(name: &'static str) -> Memo<i32> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get(name).and_then(|s| s.parse::<i32>().ok()).unwrap_or(0)))
}

fn day(secs: Option<i64>) -> String {
    secs.map(|s| utc_label(s).chars().take(10).collect()).unwrap_or_else(|| "—".into())
}

fn answer_label(a: Answer) -> &'static str {
    match a {
        Answer::Yes => "Yes",
        Answer::No => "No",
        Answer::NotApplicable => "Not applicable",
    }
}

/// One question, whole in its fieldset (so each evidence field is read with its question): yes /
/// no / not applicable, the reviewer's comment, and the evidence.
#[component]
fn QuestionFields(question: Question, form: AttestationForm, comment: Option<String>) -> impl IntoView {
    let k = question.key.clone();
    let v = |n: String| form.get(&n).to_string();
    let name = format!("answer-{k}");
    let value = v(name.clone());
    let error = posted("attestation").and_then(|p| p.errors.for_field(&name));
    let (hint_id, error_id) = (format!("{name}-hint"), format!("{name}-error"));
    let hint = (question.evidence == Evidence::RequiredWithYes)
        .then_some("With a yes, give a link into the app's policy, or quote it.");
    let describedby = [hint.map(|_| hint_id.clone()), error.as_ref().map(|_| error_id.clone())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let describedby = (!describedby.is_empty()).then_some(describedby);
    view! {
        <fieldset class="card question" aria-describedby=describedby>
            <legend><span class="meta">{question.principle.clone()}</span>" "{question.text.clone()}</legend>
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            <div class="checks-inline">
                {[Answer::Yes, Answer::No, Answer::NotApplicable].into_iter().map(|a| {
                    let id = format!("{name}-{}", a.as_str());
                    let label_for = id.clone();
                    view! {
                        <label class="check" for=label_for>
                            <input type="radio" id=id name=name.clone() value=a.as_str() checked=value == a.as_str() />" "{answer_label(a)}
                        </label>
                    }
                }).collect_view()}
            </div>
            {error.map(|e| view! { <p class="field-error" id=error_id>{e}</p> })}
            {comment.map(|c| view! { <p class="notice warn" role="note"><strong>"Reviewer: "</strong>{c}</p> })}
            <TextField form="attestation" name=format!("evidence_url-{k}") label="Evidence: a link into the policy" kind="url"
                value=v(format!("evidence_url-{k}")) required=false maxlength=2048 />
            <TextArea form="attestation" name=format!("evidence_text-{k}") label="Or the text that shows it" value=v(format!("evidence_text-{k}")) rows=2 />
        </fieldset>
    }
}

#[component]
fn CertificationRows(form: AttestationForm) -> impl IntoView {
    let kinds: Vec<(String, String)> = std::iter::once(("".to_string(), "None".to_string()))
        .chain(CertificationKind::ALL.iter().map(|k| (k.as_str().to_string(), k.label().to_string())))
        .collect();
    view! {
        <section class="card" aria-labelledby="certs-heading">
            <h2 id="certs-heading">"Certifications held"</h2>
            <p class="hint">"CARIN-CFA accreditation, EHNAC TDRAAP, a myhealthapplication.com listing, or another, each with a link where it can be checked."</p>
            {(0..MAX_CERTIFICATIONS).map(|i| {
                let kind = form.get(&format!("cert_kind-{i}")).to_string();
                view! {
                    <fieldset class="row-fields">
                        <legend class="visually-hidden">{format!("Certification {}", i + 1)}</legend>
                        <crate::components::form::SelectField form="attestation" name=format!("cert_kind-{i}") label=format!("Certification {}", i + 1)
                            options=kinds.clone() selected=kind />
                        <TextField form="attestation" name=format!("cert_url-{i}") label="Where to check it" kind="url"
                            value=form.get(&format!("cert_url-{i}")).to_string() required=false maxlength=2048 />
                        <TextField form="attestation" name=format!("cert_note-{i}") label="Name or number"
                            value=form.get(&format!("cert_note-{i}")).to_string() required=false maxlength=200 />
                    </fieldset>
                }
            }).collect_view()}
        </section>
    }
}

fn info_line(i: &AttestationInfo) -> String {
    let mut s = format!("{} · questionnaire version {}", i.state.label(), i.questionnaire_version);
    if i.submitted_at.is_some() {
        s.push_str(&format!(" · submitted {}", day(i.submitted_at)));
    }
    if i.approved_at.is_some() {
        s.push_str(&format!(" · approved {} · valid until {}", day(i.approved_at), day(i.valid_until)));
    }
    s
}

/// `/orgs/:id/apps/:app/attestation`.
#[component]
pub fn AttestationEditPage() -> impl IntoView {
    let org = param("id");
    let app = param("app");
    let page = Resource::new(move || (org.get(), app.get()), |(o, a)| attestation_record(o, a));
    view! {
        <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Title text=format!("Attestation: {}", p.client_name) /> <AttestationView page=p /> }.into_any(),
                    Err(e) => view! { <Title text="Attestation" /> <div class="wrap page">{failed(e)}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AttestationView(page: AttestationPage) -> impl IntoView {
    let app_page = format!("/orgs/{}/apps/{}", page.organization_id, page.app_id);
    let action = format!("{app_page}/attestation");
    let form = posted("attestation")
        .filter(|p| !p.values.is_empty())
        .map(|p| AttestationForm { values: p.values })
        .unwrap_or_else(|| page.form.clone());
    let comments = page.comments.clone();
    view! {
        <div class="wrap page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href=app_page.clone()>{format!("Back to {}", page.client_name)}</a></nav>
            <h1>{format!("Attestation: {}", page.client_name)}</h1>
            // Outside the form: after a submit the form is gone, and what happened is still said.
            <FormMessages form="attestation" />
            <p class="lede">"Attest once to the app's privacy practices and the CARIN Code of Conduct. An admin reviews it; once approved it is public for 12 months, and members and payers can read it. Under CMS-9115-F the answers inform members and payers: a payer may not refuse the app because of them."</p>
            <section class="card" aria-labelledby="status-heading">
                <h2 id="status-heading">"Where it stands"</h2>
                {match &page.current {
                    Some(c) => view! {
                        <p>{format!("Current: {}", info_line(c))}</p>
                        {c.review_reason.clone().map(|r| view! { <p class="notice warn">{format!("Due for re-review: {r}.")}</p> })}
                        <p>
                            <a href=format!("/apps/{}", page.app_id)>"Its public page"</a>" · "
                            <a href=format!("/apps/{}/attestation.json", page.app_id)>"attestation.json"</a>" · "
                            <a href=format!("/apps/{}/badge.svg", page.app_id)>"badge"</a>
                        </p>
                    }.into_any(),
                    None => view! { <p>"No current attestation: the app is not in the public list."</p> }.into_any(),
                }}
                {page.open.as_ref().map(|o| view! { <p>{format!("Open: {}", info_line(o))}</p> })}
            </section>
            {(!comments.general.is_empty()).then(|| view! {
                <section class="card" aria-labelledby="comments-heading">
                    <h2 id="comments-heading">"What the reviewer wrote"</h2>
                    <p class="prewrap">{comments.general.clone()}</p>
                </section>
            })}
            {if page.can_edit {
                view! {
                    <PendingForm action=action class="stack">
                        <p>{format!("Questionnaire version {}. Save a draft at any time; submitting needs every answer.", page.questionnaire_version)}</p>
                        {page.questions.iter().map(|q| view! {
                            <QuestionFields question=q.clone() form=form.clone() comment=comments.on(&q.key) />
                        }).collect_view()}
                        <CertificationRows form=form.clone() />
                        <div class="actions">
                            <button type="submit" name="intent" value="save" class="button secondary">"Save the draft"</button>
                            <button type="submit" name="intent" value="submit" class="button">"Submit for review"</button>
                        </div>
                    </PendingForm>
                }.into_any()
            } else if page.open.as_ref().is_some_and(|o| o.state == AttestationState::Submitted) {
                view! { <p>"The attestation waits for an admin's review; it cannot change until then."</p> }.into_any()
            } else {
                view! { <p>"Only the app's organization's members answer the questionnaire."</p> }.into_any()
            }}
            {(!page.history.is_empty()).then(|| view! {
                <section class="card" aria-labelledby="history-heading">
                    <h2 id="history-heading">"Earlier attestations"</h2>
                    <ul class="plain-list">{page.history.iter().map(|h| view! { <li>{info_line(h)}</li> }).collect_view()}</ul>
                </section>
            })}
        </div>
    }
}

/// `/admin/attestations`.
#[component]
pub fn AttestationQueuePage() -> impl IntoView {
    let list = Resource::new(|| (), |_| attestation_queue());
    view! {
        <Title text="Attestations to review" />
        <div class="wrap page">
            <h1>"Attestations to review"</h1>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) if rows.is_empty() => view! { <p>"Nothing waits for review."</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="table">
                                <caption class="visually-hidden">"Attestations to review"</caption>
                                <thead><tr><th scope="col">"App"</th><th scope="col">"Organization"</th><th scope="col">"State"</th><th scope="col">"Submitted"</th><th scope="col">"Why"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| view! {
                                        <tr>
                                            <td><a href=format!("/admin/attestations/{}", r.info.id)>{r.client_name}</a></td>
                                            <td>{r.organization}</td>
                                            <td>{r.info.state.label()}</td>
                                            <td>{day(r.info.submitted_at)}</td>
                                            <td>{r.info.review_reason.unwrap_or_default()}</td>
                                        </tr>
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

/// `/admin/attestations/:id`.
#[component]
pub fn AttestationReviewPage() -> impl IntoView {
    let id = param("id");
    let page = Resource::new(move || id.get(), attestation_review);
    view! {
        <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Title text=format!("Review: {}", p.item.client_name) /> <ReviewView page=p /> }.into_any(),
                    Err(e) => view! { <Title text="Review" /> <div class="wrap page">{failed(e)}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReviewView(page: ReviewPage) -> impl IntoView {
    let action = format!("/admin/attestations/{}", page.item.info.id);
    view! {
        <div class="wrap page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/admin/attestations">"Back to the queue"</a></nav>
            <h1>{format!("Review: {}", page.item.client_name)}</h1>
            <p class="lede">{format!("{} · {} · app version {}", page.item.organization, info_line(&page.item.info), page.app_version)}</p>
            {page.item.info.review_reason.clone().map(|r| view! { <p class="notice warn">{format!("Flagged: {r}.")}</p> })}
            <section class="card" aria-labelledby="app-heading">
                <h2 id="app-heading">"The app"</h2>
                <p class="prewrap">{page.description.clone()}</p>
                <p>{format!("Privacy policy: {}", page.policy_uri.clone().unwrap_or_else(|| "none given".into()))}</p>
                <ul class="plain-list">{page.scopes.iter().map(|(s, r)| view! { <li><code>{s.clone()}</code>" — "{r.clone()}</li> }).collect_view()}</ul>
            </section>
            <PendingForm action=action class="stack">
                <FormMessages form="review" />
                {page.answers.iter().map(|a| {
                    let answer = a.answer.clone();
                    view! {
                        <fieldset class="card question">
                            <legend><span class="meta">{a.question.principle.clone()}</span>" "{a.question.text.clone()}</legend>
                            <p>{answer.as_ref().map(|x| answer_label(x.answer)).unwrap_or("Not answered")}</p>
                            {answer.as_ref().and_then(|x| x.evidence_url.clone()).map(|u| view! {
                                <p>"Evidence: "<a href=u.to_string() rel="nofollow noopener noreferrer">{u.to_string()}</a></p>
                            })}
                            {answer.as_ref().map(|x| x.evidence_text.clone()).filter(|t| !t.is_empty()).map(|t| view! { <p class="prewrap">{t}</p> })}
                            {a.comment.clone().map(|c| view! { <p class="meta">{format!("Asked before: {c}")}</p> })}
                            {page.can_decide.then(|| view! {
                                <TextArea form="review" name=format!("comment-{}", a.question.key) label="Comment on this answer" rows=2 />
                            })}
                        </fieldset>
                    }
                }).collect_view()}
                <section class="card" aria-labelledby="certs-heading">
                    <h2 id="certs-heading">"Certifications"</h2>
                    {if page.certifications.is_empty() {
                        view! { <p>"None listed."</p> }.into_any()
                    } else {
                        view! { <ul class="plain-list">{page.certifications.iter().map(|c| view! {
                            <li>{format!("{} {}", c.kind.label(), c.note)}" · "<a href=c.evidence_url.to_string() rel="nofollow noopener noreferrer">{c.evidence_url.to_string()}</a></li>
                        }).collect_view()}</ul> }.into_any()
                    }}
                </section>
                {(!page.comments.general.is_empty()).then(|| view! { <p class="meta">{format!("Written before: {}", page.comments.general)}</p> })}
                {page.can_decide.then(|| {
                    let flagged = page.item.info.state == AttestationState::ReviewDue;
                    view! {
                        <TextArea form="review" name="comment" label="Comment for the developer (needed to reject)" rows=3 />
                        <div class="actions">
                            <button type="submit" name="intent" value="approve" class="button">{if flagged { "Confirm it still holds" } else { "Approve" }}</button>
                            {(!flagged).then(|| view! { <button type="submit" name="intent" value="changes" class="button secondary">"Request changes"</button> })}
                            <button type="submit" name="intent" value="reject" class="button danger">"Reject"</button>
                        </div>
                    }
                })}
            </PendingForm>
        </div>
    }
}
