use crate::types::accounts::Viewer;
use leptos::prelude::*;

/// Who is signed in for the request being rendered (pages are rendered on the server; the
/// browser build never asks).
pub fn viewer() -> Option<Viewer> {
    #[cfg(feature = "ssr")]
    {
        crate::server::session::current_session().map(|s| s.viewer)
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// The header's account corner: who is signed in and for which organization, or the way in.
#[component]
fn AccountNav() -> impl IntoView {
    match viewer() {
        Some(v) => {
            let acting = v.acting.as_ref().map(|o| o.name.clone());
            // Payer members moderate the brands their organization maintains.
            let payer = v.orgs.iter().any(|o| o.kind == crate::types::accounts::OrgKind::Payer);
            view! {
                <div class="account-nav">
                    <a href="/account" class="who">
                        <span class="visually-hidden">"Signed in as "</span>{v.email.clone()}
                        {acting.map(|name| view! { <span class="acting">{format!(" for {name}")}</span> })}
                    </a>
                    <a href="/dashboard">"Dashboard"</a>
                    <a href="/proposals">"My proposals"</a>
                    {(v.admin || payer).then(|| view! { <a href="/moderation">"Moderation"</a> })}
                    {v.admin.then(|| view! { <a href="/admin/accounts">"Admin"</a> })}
                    <form method="post" action="/logout" class="inline">
                        <button type="submit" class="link-button">"Log out"</button>
                    </form>
                </div>
            }
            .into_any()
        }
        None => view! {
            <div class="account-nav">
                <a href="/login">"Log in"</a>
                <a href="/signup" class="button small">"Sign up"</a>
            </div>
        }
        .into_any(),
    }
}

#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="site-header">
            <div class="wrap header-row">
                <a class="brand-mark" href="/">
                    <svg aria-hidden="true" width="28" height="28" viewBox="0 0 32 32">
                        <rect width="32" height="32" rx="7" fill="currentColor" />
                        <path d="M15 6h2v20h-2z M8 9h13l3 3-3 3H8z M24 17H11l-3 3 3 3h13z" fill="#fff" />
                    </svg>
                    <span>"Signpost"</span>
                </a>
                <nav aria-label="Main">
                    <ul class="nav-list">
                        <li><a href="/">"Directory"</a></li>
                        <li><a href="/check">"Check an endpoint"</a></li>
                        <li><a href="/validate">"Validate a bundle"</a></li>
                        <li><a href="/needs-attention">"Needs attention"</a></li>
                        <li><a href="/apps">"Attested apps"</a></li>
                        <li><a href="/turnaround">"Turnaround"</a></li>
                        <li><a href="/brands.json" rel="nofollow">"brands.json"</a></li>
                    </ul>
                </nav>
                <AccountNav />
            </div>
        </header>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="wrap">
                <p>
                    "Signpost is an open directory of FHIR Patient Access endpoints (CMS-9115-F, CMS-0057-F), "
                    "published as SMART App Launch 2.2 User-access Brands. Data: "
                    <a href="/brands.json" rel="nofollow">"brands bundle"</a>", "
                    <a href="/export/endpoints.csv" rel="nofollow">"endpoints CSV"</a>", "
                    <a href="/api/v1/brands" rel="nofollow">"JSON API"</a>"."
                </p>
            </div>
        </footer>
    }
}
