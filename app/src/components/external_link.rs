use crate::types::link::WebUrl;
use leptos::prelude::*;

/// A link to another site. It takes only a `WebUrl`, so nothing but an http(s) address taken
/// from data can become an `href`; it opens apart from this page and tells the target nothing.
#[component]
pub fn ExternalLink(url: WebUrl, children: Children) -> impl IntoView {
    view! { <a href=url.as_str().to_string() rel="nofollow noopener noreferrer" target="_blank">{children()}</a> }
}
