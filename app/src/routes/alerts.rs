//! `/alerts/confirm?token=…` and `/alerts/unsubscribe?token=…`: the pages the links in alert
//! mails open. Each acts at once (one click) and says what it did.
use crate::api::alerts::{confirm_alerts, unsubscribe_alerts};
use crate::types::alerts::LinkOutcome;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn token() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get("token").unwrap_or_default()))
}

#[component]
pub fn ConfirmPage() -> impl IntoView {
    let token = token();
    let outcome = Resource::new(move || token.get(), confirm_alerts);
    view! { <LinkResult title="Confirm alerts" outcome /> }
}

#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let token = token();
    let outcome = Resource::new(move || token.get(), unsubscribe_alerts);
    view! { <LinkResult title="Unsubscribe" outcome /> }
}

#[component]
fn LinkResult(title: &'static str, outcome: Resource<Result<LinkOutcome, ServerFnError>>) -> impl IntoView {
    view! {
        <Title text=title />
        <div class="wrap page">
            <h1>{title}</h1>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match outcome.await {
                        Ok(LinkOutcome::Confirmed { label, page }) => view! {
                            <p role="status">"Alerts for " <a href=page>{label}</a> " are on. Every mail has a link to stop them."</p>
                        }.into_any(),
                        Ok(LinkOutcome::Unsubscribed { label, page }) => view! {
                            <p role="status">"You are unsubscribed from alerts for " <a href=page>{label}</a> ". Your address has been deleted."</p>
                        }.into_any(),
                        Ok(LinkOutcome::Invalid) => view! {
                            <p class="error" role="alert">"This link is not valid, or the subscription no longer exists."</p>
                        }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">"Something went wrong: " {e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
