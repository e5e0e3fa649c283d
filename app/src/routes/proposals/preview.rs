//! What a proposal changes, field by field, with the validator's findings, the public checks
//! of its new endpoints and the records it may duplicate: shown before submitting and to the
//! moderator.
use crate::types::proposals::{CheckSummary, Duplicate, FieldDiff, ProposalPreview};
use crate::types::validation::Finding;
use leptos::prelude::*;

#[component]
pub fn PreviewBlock(preview: ProposalPreview) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="preview-heading">
            <h2 id="preview-heading">"What the checks found"</h2>
            <h3>"Changes"</h3>
            <DiffTable diffs=preview.changes caption="Changes against the directory" before="Now" after="Proposed" />
            <Findings findings=preview.findings />
            <Duplicates duplicates=preview.duplicates />
        </section>
    }
}

#[component]
pub fn DiffTable(
    diffs: Vec<FieldDiff>,
    caption: &'static str,
    before: &'static str,
    after: &'static str,
) -> impl IntoView {
    if diffs.is_empty() {
        return view! { <p>"No field changes."</p> }.into_any();
    }
    view! {
        <table class="table diff">
            <caption class="visually-hidden">{caption}</caption>
            <thead><tr><th scope="col">"Field"</th><th scope="col">{before}</th><th scope="col">{after}</th></tr></thead>
            <tbody>
                {diffs.into_iter().map(|d| view! {
                    <tr>
                        <th scope="row">{d.label}</th>
                        <td class="diff-before">{if d.before.is_empty() { "(none)".to_string() } else { d.before }}</td>
                        <td class="diff-after">{if d.after.is_empty() { "(none)".to_string() } else { d.after }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn Findings(findings: Vec<Finding>) -> impl IntoView {
    view! {
        <h3>"Validation"</h3>
        {if findings.is_empty() {
            view! { <p>"No findings: it passes the SMART App Launch 2.2 brand rules."</p> }.into_any()
        } else {
            view! {
                <ul class="findings">
                    {findings.into_iter().map(|f| view! {
                        <li class=format!("finding finding-{}", f.severity.as_str())>
                            <strong>{f.severity.as_str()}</strong>" "{f.message}" "<code>{f.rule}</code>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
pub fn Duplicates(duplicates: Vec<Duplicate>) -> impl IntoView {
    view! {
        <h3>"Possible duplicates"</h3>
        {if duplicates.is_empty() {
            view! { <p>"None found."</p> }.into_any()
        } else {
            view! {
                <ul class="plain-list">
                    {duplicates.into_iter().map(|d| view! {
                        <li><a href=format!("/brands/{}", d.brand_id)>{d.brand_name}</a>" "{d.reason}</li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
pub fn Checks(checks: Vec<CheckSummary>) -> impl IntoView {
    (!checks.is_empty()).then(|| {
        view! {
            <h3>"New endpoints, checked when proposed"</h3>
            <ul class="plain-list">
                {checks.into_iter().map(|c| view! {
                    <li>
                        <code>{c.address}</code>" "<strong>{c.health}</strong>
                        {(!c.problems.is_empty()).then(|| view! { ": "{c.problems.join("; ")} })}
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}
