//! The "Email alerts" form on endpoint and brand pages: an address, then a confirmation mail.
use crate::api::alerts::Subscribe;
use crate::components::form::Field;
use crate::types::alerts::{SubscribeOutcome, TargetKind};
use leptos::prelude::*;

/// An island: the form answers in place once hydrated; without JavaScript it still posts.
#[island]
pub fn SubscribeForm(
    kind: TargetKind,
    id: i32,
    /// The outcome of a post made without JavaScript, brought back in the page's URL.
    notice: Option<SubscribeOutcome>,
) -> impl IntoView {
    let action = ServerAction::<Subscribe>::new();
    let email = RwSignal::new(String::new());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(Subscribe { email: email.get_untracked(), kind: kind.as_str().into(), id });
    };
    let shown = move || action.value().get().or_else(|| notice.clone().map(Ok));
    let what = match kind {
        TargetKind::Endpoint => "this endpoint",
        TargetKind::Brand => "any endpoint of this brand",
    };
    view! {
        <section class="card" aria-labelledby="alerts-heading">
            <h2 id="alerts-heading">"Email alerts"</h2>
            <p class="note">
                "Get a mail when " {what} " goes down or recovers, when its certificate is 30, 14, 7 or 1 days "
                "from expiry, or when it stops passing part of the CARIN scorecard. No account needed; "
                "every mail has a one-click unsubscribe link."
            </p>
            // Without JavaScript the browser posts the form itself (`POST /alerts/subscribe`).
            <form method="post" action="/alerts/subscribe" on:submit=on_submit>
                <input type="hidden" name="kind" value=kind.as_str() />
                <input type="hidden" name="id" value=id />
                <Field form="alert" name="email" label="Email address">
                    <div class="search-row">
                        <input class="input" id="alert-email" name="email" type="email" required autocomplete="email" maxlength="254"
                            on:input=move |ev| email.set(event_target_value(&ev)) />
                        <button type="submit" class="button" disabled=move || action.pending().get()>"Subscribe"</button>
                    </div>
                </Field>
            </form>
            <div aria-live="polite">
                {move || shown().map(|result| match result {
                    Ok(SubscribeOutcome::Pending) => view! {
                        <p class="ok" role="status">"Check your inbox: open the link in the mail we sent to start the alerts."</p>
                    }.into_any(),
                    Ok(SubscribeOutcome::InvalidEmail(why)) => view! { <p class="error" role="alert">{why}</p> }.into_any(),
                    Ok(SubscribeOutcome::NotFound) => view! { <p class="error" role="alert">"This is no longer in the directory."</p> }.into_any(),
                    Ok(SubscribeOutcome::RateLimited(secs)) => view! {
                        <p class="error" role="alert">"Too many requests from your address. Try again in " {secs} " seconds."</p>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">"Could not subscribe: " {e.to_string()}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}

/// The outcome of a subscription posted without JavaScript (`?alerts=` on the page it returns to).
pub fn notice_from_url() -> Option<SubscribeOutcome> {
    leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("alerts"))
        .and_then(|code| SubscribeOutcome::from_code(&code))
}
