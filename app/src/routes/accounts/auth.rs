//! `/signup`, `/login` and `/forgot`.
use super::query_value;
use crate::components::form::{FormMessages, PendingForm, SubmitButton, TextField, posted};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let sent = posted("signup").is_some_and(|p| p.notice.is_some());
    view! {
        <Title text="Sign up" />
        <div class="wrap page narrow">
            <h1>"Sign up"</h1>
            <p class="lede">
                "An account lets you propose fixes to the directory, act for a developer or payer organization, "
                "and register apps. Searching the directory needs none."
            </p>
            <PendingForm action="/signup" class="stack">
                <FormMessages form="signup" />
                {(!sent).then(|| view! {
                    <TextField form="signup" name="email" label="Email address" kind="email" autocomplete="email" />
                    <TextField form="signup" name="password" label="Password" kind="password" autocomplete="new-password"
                        maxlength=256 hint="At least 8 characters. A few unrelated words make a strong password that is easy to remember." />
                    <SubmitButton label="Sign up" />
                })}
            </PendingForm>
            <p>"Have an account? " <a href="/login">"Log in"</a></p>
        </div>
    }
}

#[component]
pub fn LogInPage() -> impl IntoView {
    let next = query_value("next");
    let said = |key: &'static str, text: &'static str| {
        let flag = query_value(key);
        move || (flag.get() == "1").then(|| view! { <p class="notice ok" role="status">{text}</p> })
    };
    let typed_next = posted("login").map(|p| p.value("next"));
    view! {
        <Title text="Log in" />
        <div class="wrap page narrow">
            <h1>"Log in"</h1>
            {said("verified", "Your address is confirmed. Log in to continue.")}
            {said("reset", "Your password is set, and every session was signed out. Log in with the new one.")}
            {said("out", "You are logged out.")}
            {said("ended", "Every session of your account was signed out, this one too.")}
            {said("deleted", "Your account is deleted.")}
            <PendingForm action="/login" class="stack">
                <FormMessages form="login" />
                <input type="hidden" name="next" value=move || typed_next.clone().unwrap_or_else(|| next.get()) />
                <TextField form="login" name="email" label="Email address" kind="email" autocomplete="username" />
                <TextField form="login" name="password" label="Password" kind="password" autocomplete="current-password" maxlength=256 />
                <SubmitButton label="Log in" />
            </PendingForm>
            <p><a href="/forgot">"Forgot your password?"</a> " · " <a href="/signup">"Sign up"</a></p>
        </div>
    }
}

#[component]
pub fn ForgotPage() -> impl IntoView {
    let sent = posted("forgot").is_some_and(|p| p.notice.is_some());
    view! {
        <Title text="Forgot password" />
        <div class="wrap page narrow">
            <h1>"Forgot your password?"</h1>
            <p>"We will mail a link to choose a new one. It works once, for 1 hour."</p>
            <PendingForm action="/forgot" class="stack">
                <FormMessages form="forgot" />
                {(!sent).then(|| view! {
                    <TextField form="forgot" name="email" label="Email address" kind="email" autocomplete="email" />
                    <SubmitButton label="Send the link" />
                })}
            </PendingForm>
        </div>
    }
}
