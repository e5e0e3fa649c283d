use crate::types::link::DataLogo;
use leptos::prelude::*;

/// A brand's logo when it is embedded in the data (a `data:image` URL of an allowed type and
/// size); otherwise its initials. Remote logos are not fetched from the visitor's browser: that
/// would tell third parties who looks at which health plan.
#[component]
pub fn BrandLogo(name: String, logo_url: Option<String>, #[prop(default = 48)] size: u32) -> impl IntoView {
    let initials: String = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(2)
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect();
    match DataLogo::parse_opt(logo_url.as_deref()) {
        Some(src) => view! { <img class="logo" src=String::from(src) alt="" width=size height=size /> }.into_any(),
        None => view! {
            <span class="logo logo-initials" aria-hidden="true" style=format!("width:{size}px;height:{size}px")>
                {initials}
            </span>
        }
        .into_any(),
    }
}
