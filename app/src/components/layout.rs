use leptos::prelude::*;

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
                        <li><a href="/brands.json" rel="nofollow">"brands.json"</a></li>
                    </ul>
                </nav>
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
