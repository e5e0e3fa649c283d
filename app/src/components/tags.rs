use crate::types::search::{category_label, fhir_release_label};
use leptos::prelude::*;

#[component]
pub fn CategoryTags(categories: Vec<String>) -> impl IntoView {
    categories
        .into_iter()
        .map(|c| view! { <span class=format!("tag tag-{c}")>{category_label(&c)}</span> })
        .collect_view()
}

#[component]
pub fn FhirVersionTags(versions: Vec<String>) -> impl IntoView {
    versions.into_iter().map(|v| view! { <span class="tag tag-fhir">{fhir_release_label(&v)}</span> }).collect_view()
}
