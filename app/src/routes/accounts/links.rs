//! The pages mail links open: confirm an address, choose a password, confirm a new address,
//! accept an invitation. Opening one changes nothing (mail scanners open links): each shows
//! what the link does and a button that does it.
use super::{failed, query_value};
use crate::api::accounts::{preview_account_link, preview_invitation};
use crate::components::form::{FormMessages, PendingForm, SubmitButton, TextField};
use crate::types::accounts::{AccountLinkKind, AccountLinkPreview, InvitationPreview};
use leptos::prelude::*;
use leptos_meta::Title;

fn invalid_link() -> AnyView {
    view! {
        <p class="error" role="alert">
            "This link is not valid: it was used already, it has expired, or it was never sent."
        </p>
    }
    .into_any()
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let token = query_value("token");
    let preview = Resource::new(move || token.get(), |t| preview_account_link(AccountLinkKind::Verify, t));
    view! {
        <Title text="Confirm your address" />
        <div class="wrap page narrow">
            <h1>"Confirm your address"</h1>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(AccountLinkPreview::Valid { email }) => view! {
                            <p>"Confirm " <strong>{email}</strong> " as the address of your new Signpost account."</p>
                            <PendingForm action="/verify" class="stack">
                                <FormMessages form="verify" />
                                <input type="hidden" name="token" value=token.get_untracked() />
                                <TextField form="verify" name="password" label="Password" kind="password"
                                    autocomplete="current-password" maxlength=256
                                    hint="The password you chose when you signed up: only the person who chose it can confirm." />
                                <SubmitButton label="Confirm my address" />
                            </PendingForm>
                        }.into_any(),
                        Ok(AccountLinkPreview::Invalid) => invalid_link(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
pub fn ResetPage() -> impl IntoView {
    let token = query_value("token");
    let preview = Resource::new(move || token.get(), |t| preview_account_link(AccountLinkKind::Reset, t));
    view! {
        <Title text="Choose a password" />
        <div class="wrap page narrow">
            <h1>"Choose a password"</h1>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(AccountLinkPreview::Valid { email }) => view! {
                            <p>"For " <strong>{email}</strong> ". Every session of the account is signed out when it is set."</p>
                            <PendingForm action="/reset" class="stack">
                                <FormMessages form="reset" />
                                <input type="hidden" name="token" value=token.get_untracked() />
                                <TextField form="reset" name="password" label="New password" kind="password"
                                    autocomplete="new-password" maxlength=256 hint="At least 8 characters." />
                                <SubmitButton label="Set the password" />
                            </PendingForm>
                        }.into_any(),
                        Ok(AccountLinkPreview::Invalid) => view! {
                            {invalid_link()}
                            <p><a href="/forgot">"Ask for a new link"</a></p>
                        }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let token = query_value("token");
    let done = query_value("done");
    let preview = Resource::new(move || token.get(), |t| preview_account_link(AccountLinkKind::EmailChange, t));
    view! {
        <Title text="Confirm your new address" />
        <div class="wrap page narrow">
            <h1>"Confirm your new address"</h1>
            {move || if done.get() == "1" {
                view! { <p class="notice ok" role="status">"Your account uses its new address now. We told the old one."</p> }.into_any()
            } else {
                view! {
                    <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                        {move || Suspend::new(async move {
                            match preview.await {
                                Ok(AccountLinkPreview::Valid { email }) => view! {
                                    <p>"Move your Signpost account to " <strong>{email}</strong> "?"</p>
                                    <PendingForm action="/account/email/confirm">
                                        <FormMessages form="confirm-email" />
                                        <input type="hidden" name="token" value=token.get_untracked() />
                                        <SubmitButton label="Use this address" />
                                    </PendingForm>
                                }.into_any(),
                                Ok(AccountLinkPreview::Invalid) => invalid_link(),
                                Err(e) => failed(e),
                            }
                        })}
                    </Suspense>
                }.into_any()
            }}
        </div>
    }
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    let token = query_value("token");
    let preview = Resource::new(move || token.get(), preview_invitation);
    let signed_in = crate::components::layout::viewer().is_some();
    view! {
        <Title text="Invitation" />
        <div class="wrap page narrow">
            <h1>"Invitation"</h1>
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(InvitationPreview::Open { organization, email }) => view! {
                            <p>"You are invited to join " <strong>{organization}</strong> " as " <strong>{email.clone()}</strong> "."</p>
                            {if signed_in {
                                view! {
                                    <PendingForm action="/invitations">
                                        <FormMessages form="accept" />
                                        <input type="hidden" name="token" value=token.get_untracked() />
                                        <SubmitButton label="Accept the invitation" />
                                    </PendingForm>
                                }.into_any()
                            } else {
                                let back = format!("/invitations?token={}", token.get_untracked());
                                view! {
                                    <FormMessages form="accept" />
                                    <p>
                                        <a href=format!("/login?next={}", encode(&back))>"Log in"</a>
                                        " or " <a href="/signup">"sign up"</a> " with that address, then open the link again."
                                    </p>
                                }.into_any()
                            }}
                        }.into_any(),
                        Ok(InvitationPreview::Invalid) => view! {
                            <FormMessages form="accept" />
                            <p class="error" role="alert">"This invitation is not valid: it was used already, withdrawn, or it has expired."</p>
                        }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// Percent-encodes a path for a query value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
