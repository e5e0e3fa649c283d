//! The one set of form controls every form uses: a field with its label, hint and error; text,
//! email, password and URL inputs, a select, a checkbox group and a textarea; a submit button
//! that shows when its form is being sent; and a summary of a form's errors that links to the
//! fields. Ids are `{form}-{name}`, so one page can hold several forms.
use crate::types::accounts::{FormErrors, PostedForm};
use leptos::prelude::*;

/// The form posted without JavaScript that this page answers, if it is `form`.
pub fn posted(form: &str) -> Option<PostedForm> {
    use_context::<PostedForm>().filter(|p| p.is(form))
}

fn field_id(form: &str, name: &str) -> String {
    format!("{form}-{name}")
}

/// The label, hint and error around a control, and the `aria-describedby` the control needs.
fn described(form: &str, name: &str, hint: Option<&str>, error: Option<&String>) -> Option<String> {
    let id = field_id(form, name);
    let mut ids = Vec::new();
    if hint.is_some() {
        ids.push(format!("{id}-hint"));
    }
    if error.is_some() {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A control's label, hint and error around it. The typed fields below use it; an island with a
/// control of its own (it reacts as you type) wraps that control in it, with class `input` and
/// id `{form}-{name}`.
#[component]
pub fn Field(
    form: &'static str,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(optional_no_strip)] hint: Option<&'static str>,
    #[prop(optional_no_strip)] error: Option<String>,
    children: Children,
) -> impl IntoView {
    let id = field_id(form, &name);
    let invalid = error.is_some();
    view! {
        <div class="field" class:field-invalid=invalid>
            <label class="field-label" for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            {error.map(|e| view! {
                <p class="field-error" id=format!("{id}-error")>
                    <span class="visually-hidden">"Error: "</span>{e}
                </p>
            })}
            {children()}
        </div>
    }
}

/// A one-line input: `kind` is `text`, `email`, `password` or `url`. A password is never
/// written back into the page.
#[component]
pub fn TextField(
    form: &'static str,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(default = true)] required: bool,
    #[prop(default = 254)] maxlength: usize,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    let p = posted(form);
    let error = p.as_ref().and_then(|p| p.errors.for_field(&name));
    let value = match (kind, &p) {
        ("password", _) => String::new(),
        (_, Some(p)) if !p.value(&name).is_empty() => p.value(&name),
        _ => value,
    };
    let describedby = described(form, &name, hint, error.as_ref());
    let invalid = error.is_some().then_some("true");
    view! {
        <Field form name=name.clone() label hint error>
            <input class="input" id=field_id(form, &name) name=name type=kind value=value required=required
                maxlength=maxlength autocomplete=autocomplete placeholder=placeholder
                aria-describedby=describedby aria-invalid=invalid />
        </Field>
    }
}

#[component]
pub fn TextArea(
    form: &'static str,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] value: String,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 6)] rows: u32,
    #[prop(default = false)] required: bool,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    let p = posted(form);
    let error = p.as_ref().and_then(|p| p.errors.for_field(&name));
    let value = p.as_ref().map(|p| p.value(&name)).filter(|v| !v.is_empty()).unwrap_or(value);
    let describedby = described(form, &name, hint, error.as_ref());
    let invalid = error.is_some().then_some("true");
    view! {
        <Field form name=name.clone() label hint error>
            <textarea class="input" id=field_id(form, &name) name=name rows=rows required=required
                placeholder=placeholder aria-describedby=describedby aria-invalid=invalid>{value}</textarea>
        </Field>
    }
}

#[component]
pub fn SelectField(
    form: &'static str,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    /// (value, label) pairs.
    options: Vec<(String, String)>,
    #[prop(optional, into)] selected: String,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let p = posted(form);
    let error = p.as_ref().and_then(|p| p.errors.for_field(&name));
    let selected = p.as_ref().map(|p| p.value(&name)).filter(|v| !v.is_empty()).unwrap_or(selected);
    let describedby = described(form, &name, hint, error.as_ref());
    view! {
        <Field form name=name.clone() label hint error>
            <select class="input" id=field_id(form, &name) name=name aria-describedby=describedby>
                {options.into_iter().map(|(v, l)| {
                    let is = v == selected;
                    view! { <option value=v selected=is>{l}</option> }
                }).collect_view()}
            </select>
        </Field>
    }
}

/// Several checkboxes under one legend, all named `name`.
#[component]
pub fn CheckboxGroup(
    form: &'static str,
    #[prop(into)] name: String,
    #[prop(into)] legend: String,
    options: Vec<(String, String)>,
    #[prop(optional)] checked: Vec<String>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let p = posted(form);
    let error = p.as_ref().and_then(|p| p.errors.for_field(&name));
    let id = field_id(form, &name);
    let invalid = error.is_some();
    view! {
        <fieldset class="field checkbox-group" class:field-invalid=invalid id=id.clone()>
            <legend class="field-label">{legend}</legend>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            {error.map(|e| view! { <p class="field-error"><span class="visually-hidden">"Error: "</span>{e}</p> })}
            {options.into_iter().enumerate().map(|(i, (v, l))| {
                let is = checked.contains(&v);
                let box_id = format!("{id}-{i}");
                view! {
                    <div class="checkbox">
                        <input type="checkbox" id=box_id.clone() name=name.clone() value=v checked=is />
                        <label for=box_id>{l}</label>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// The errors of a posted form, at its top, each linking to its field; or its success notice.
#[component]
pub fn FormMessages(form: &'static str) -> impl IntoView {
    let Some(p) = posted(form) else { return ().into_any() };
    if let Some(notice) = p.notice.clone() {
        return view! { <p class="notice ok" role="status">{notice}</p> }.into_any();
    }
    view! { <ErrorSummary form errors=p.errors /> }.into_any()
}

#[component]
pub fn ErrorSummary(form: &'static str, errors: FormErrors) -> impl IntoView {
    if errors.is_empty() {
        return ().into_any();
    }
    let heading = format!("{form}-errors");
    view! {
        <div class="error-summary" role="alert" aria-labelledby=heading.clone() tabindex="-1">
            <h2 id=heading.clone() class="error-summary-title">"There is a problem"</h2>
            {errors.summary.clone().map(|s| view! { <p>{s}</p> })}
            {(!errors.fields.is_empty()).then(|| view! {
                <ul>
                    {errors.fields.iter().map(|(name, message)| view! {
                        <li><a href=format!("#{}", field_id(form, name))>{message.clone()}</a></li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
    .into_any()
}

/// A form that posts to `action`, works without JavaScript, and once hydrated marks itself
/// busy while it is sent (its submit button shows it, and a second press does nothing).
#[island]
pub fn PendingForm(
    #[prop(into)] action: String,
    #[prop(optional, into)] class: Option<String>,
    /// `get` for a search form; `post` when not given.
    #[prop(optional, into)]
    method: Option<String>,
    children: Children,
) -> impl IntoView {
    let method = method.unwrap_or_else(|| "post".into());
    let class = class.unwrap_or_default();
    let pending = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if pending.get_untracked() {
            ev.prevent_default();
        } else {
            pending.set(true);
        }
    };
    view! {
        <form class=class method=method action=action on:submit=on_submit
            aria-busy=move || pending.get().then_some("true")>
            {children()}
        </form>
    }
}

/// The submit button of a `PendingForm`: reads "label…" with a spinner while its form is busy
/// (styled from the form's `aria-busy`).
#[component]
pub fn SubmitButton(label: &'static str, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! {
        <button type="submit" class=format!("button {class}")>
            <span class="button-label">{label}</span>
            <span class="spinner" aria-hidden="true"></span>
        </button>
    }
}
