//! `/alerts/confirm?token=…` and `/alerts/unsubscribe?token=…`: the pages the links in alert
//! mails open. Opening a link changes nothing (mail scanners open links too): the page says
//! what the link is for and has a button that posts it (`server/src/http/alerts.rs`), which
//! comes back here with `done=1`.
use crate::api::alerts::preview_alert_link;
use crate::types::alerts::LinkPreview;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn query_value(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get(name).unwrap_or_default()))
}

#[component]
pub fn ConfirmPage() -> impl IntoView {
    let token = query_value("token");
    let preview = Resource::new(move || token.get(), |t| preview_alert_link(true, t));
    view! {
        <Title text="Confirm alerts" />
        <div class="wrap page">
            <h1>"Confirm alerts"</h1>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(LinkPreview::Ready { label, page, done: true }) => view! {
                            <p role="status">"Alerts for " <a href=page>{label}</a> " are on. Every mail has a link to stop them."</p>
                        }.into_any(),
                        Ok(LinkPreview::Ready { label, page, done: false }) => view! {
                            <p>"Send alert mails about " <a href=page>{label.clone()}</a> " to this address?"</p>
                            <PressForm action="/alerts/confirm" token=token.get_untracked() label="Confirm alerts" />
                        }.into_any(),
                        Ok(LinkPreview::Expired) => view! {
                            <p class="error" role="alert">"This confirmation link has expired. Subscribe again on the page you came from."</p>
                        }.into_any(),
                        Ok(LinkPreview::Invalid) => invalid().into_any(),
                        Err(e) => failed(e).into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let token = query_value("token");
    let done = query_value("done");
    let preview = Resource::new(move || token.get(), |t| preview_alert_link(false, t));
    view! {
        <Title text="Unsubscribe" />
        <div class="wrap page">
            <h1>"Unsubscribe"</h1>
            {move || if done.get() == "1" {
                view! { <p role="status">"You are unsubscribed from these alerts. Your address has been deleted."</p> }.into_any()
            } else {
                view! {
                    <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                        {move || Suspend::new(async move {
                            match preview.await {
                                Ok(LinkPreview::Ready { label, page, .. }) => view! {
                                    <p>"Stop alert mails about " <a href=page>{label.clone()}</a> " and delete this address?"</p>
                                    <PressForm action="/alerts/unsubscribe" token=token.get_untracked() label="Unsubscribe" />
                                }.into_any(),
                                Ok(_) => invalid().into_any(),
                                Err(e) => failed(e).into_any(),
                            }
                        })}
                    </Suspense>
                }.into_any()
            }}
        </div>
    }
}

/// The button that does what the link is for: a plain form, so it works without JavaScript.
#[component]
fn PressForm(action: &'static str, token: String, label: &'static str) -> impl IntoView {
    view! {
        <form method="post" action=action>
            <input type="hidden" name="token" value=token />
            <button type="submit">{label}</button>
        </form>
    }
}

fn invalid() -> impl IntoView {
    view! { <p class="error" role="alert">"This link is not valid, or the subscription no longer exists."</p> }
}

fn failed(e: crate::error::AppError) -> impl IntoView {
    view! { <p class="error" role="alert">"Something went wrong: " {e.to_string()}</p> }
}
