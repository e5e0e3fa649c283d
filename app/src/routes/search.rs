use crate::api::search::search_brands;
use crate::components::brand_logo::BrandLogo;
use crate::components::health::HealthBadge;
use crate::components::subscribe::notice_from_url;
use crate::components::tags::{CategoryTags, FhirVersionTags};
use crate::types::alerts::SubscribeOutcome;
use crate::types::search::{AddressKind, BrandSummary, FILTERS, FacetValue, SearchQuery, SearchResponse};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Typing pauses this long before the results (and the URL) follow.
const DEBOUNCE_MS: u64 = 250;

#[component]
pub fn SearchPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|m| {
            let mut q = SearchQuery {
                q: m.get("q").unwrap_or_default(),
                page: m.get("page").and_then(|p| p.parse().ok()),
                per_page: m.get("per_page").and_then(|p| p.parse().ok()),
                ..Default::default()
            };
            for name in FILTERS {
                q.set_filter(name, m.get(name));
            }
            q
        })
    });
    let results = Resource::new(move || query.get(), search_brands);
    // An alerts form posted (without JavaScript) for something no longer in the directory.
    let gone = matches!(notice_from_url(), Some(SubscribeOutcome::NotFound));

    // A plain string, not a closure over `query`: the server reads the title after the page's
    // reactive owner may already be gone, and reading a disposed memo panicked under load (the
    // connection was dropped: wrk's "read errors"). The page is a function of its URL anyway.
    let title = match query.get_untracked().q {
        q if q.is_empty() => "Find FHIR Patient Access endpoints".to_string(),
        q => format!("{q}: search"),
    };
    view! {
        <Title text=title />
        <section class="hero">
            <div class="wrap">
                <h1>"Find a health plan's FHIR Patient Access API"</h1>
                <p class="lede">"Search payers and providers by name, alias, city, state, web domain or NPI. Every result lists its FHIR endpoints."</p>
                <SearchBox query=query.get_untracked() />
            </div>
        </section>
        {gone.then(|| view! {
            <div class="wrap"><p class="error" role="alert">"That brand or endpoint is no longer in the directory, so no alerts were set up."</p></div>
        })}
        <div class="wrap search-layout">
            <Transition fallback=|| view! { <p class="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(r) => view! { <Results response=r query=query.get_untracked() /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">"Search failed: " {e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// The search form, and the one island of the search page: as you type, the results and the
/// URL follow. The results come as the server renders them (the same page a link would load),
/// so only this form is ever hydrated. Without JavaScript it is a plain GET form.
#[island]
fn SearchBox(query: SearchQuery) -> impl IntoView {
    let hidden = FILTERS
        .into_iter()
        .filter_map(|name| query.filter(name).map(|v| view! { <input type="hidden" name=name value=v.to_string() /> }))
        .collect_view();
    let q = query.q.clone();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    // Answers can overtake each other; only the newest search may fill the page.
    let newest = StoredValue::new(0u64);
    let on_input = move |ev| {
        let next = SearchQuery { q: event_target_value(&ev), page: None, ..query.clone() };
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                newest.update_value(|n| *n += 1);
                follow::show(next.href(), newest);
            },
            std::time::Duration::from_millis(DEBOUNCE_MS),
        )
        .ok();
        pending.set_value(handle);
    };
    view! {
        <form class="search-form" method="get" action="/" role="search">
            <label for="q" class="visually-hidden">"Search the directory"</label>
            <input id="q" name="q" type="search" autocomplete="off" placeholder="e.g. Aetna, Texas Medicaid, 1234567893" value=q on:input=on_input />
            {hidden}
            <button type="submit">"Search"</button>
            // Results swapped in while typing are new elements, which screen readers do not
            // announce; this region stays and says the new count.
            <p id="search-status" class="visually-hidden" role="status"></p>
        </form>
    }
}

/// Replaces the results with those of another search, fetched as the page a link would load.
mod follow {
    use leptos::prelude::StoredValue;

    #[cfg(not(feature = "hydrate"))]
    pub fn show(_href: String, _newest: StoredValue<u64>) {}

    #[cfg(feature = "hydrate")]
    pub fn show(href: String, newest: StoredValue<u64>) {
        use leptos::prelude::*;
        let this = newest.get_value();
        leptos::task::spawn_local(async move {
            let shown = match page(&href).await {
                Ok(_) if newest.get_value() != this => Ok(()), // a newer search is on its way
                Ok(html) => swap(&html, &href),
                Err(e) => Err(e),
            };
            if shown.is_err() {
                // Fall back on loading the page: it is the same page, only slower.
                let _ = window().location().set_href(&href);
            }
        });
    }

    #[cfg(feature = "hydrate")]
    async fn page(href: &str) -> Result<String, wasm_bindgen::JsValue> {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        let response: web_sys::Response =
            JsFuture::from(leptos::prelude::window().fetch_with_str(href)).await?.dyn_into()?;
        if !response.ok() {
            return Err(response.status().into());
        }
        Ok(JsFuture::from(response.text()?).await?.as_string().unwrap_or_default())
    }

    #[cfg(feature = "hydrate")]
    fn swap(html: &str, href: &str) -> Result<(), wasm_bindgen::JsValue> {
        use leptos::prelude::{document, window};
        let fresh = web_sys::DomParser::new()?.parse_from_string(html, web_sys::SupportedType::TextHtml)?;
        let missing = || wasm_bindgen::JsValue::from_str("no results in the page");
        let results = fresh.query_selector(".search-layout")?.ok_or_else(missing)?;
        let shown = document().query_selector(".search-layout")?.ok_or_else(missing)?;
        shown.set_inner_html(&results.inner_html());
        document().set_title(&fresh.title());
        if let (Some(status), Some(count)) =
            (document().get_element_by_id("search-status"), shown.query_selector(".results-count")?)
        {
            status.set_text_content(count.text_content().as_deref());
        }
        window().history()?.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
    }
}

#[component]
fn Results(response: SearchResponse, query: SearchQuery) -> impl IntoView {
    let facets = response.facets.clone();
    let any_filter = query.any_filter();
    let clear = SearchQuery { q: query.q.clone(), ..Default::default() }.href();
    let summary = match response.total {
        0 => "No brands match.".to_string(),
        1 => "1 brand".to_string(),
        n => format!("{n} brands"),
    };
    let notes = SearchNotes(&response, &query);
    view! {
        <aside class="facets" aria-label="Filters">
            <h2 class="visually-hidden">"Filters"</h2>
            {any_filter.then(|| view! { <p><a class="clear-filters" href=clear>"Clear filters"</a></p> })}
            <FacetGroup title="Category" values=facets.category query=query.clone() field="category" />
            <FacetGroup title="FHIR version" values=facets.fhir_version query=query.clone() field="fhir_version" />
            <FacetGroup title="Environment" values=facets.environment query=query.clone() field="environment" />
            <FacetGroup title="State" values=facets.state query=query.clone() field="state" />
            <FacetGroup title="Status" values=facets.status query=query.clone() field="status" />
            <FacetGroup title="Certificate expires" values=facets.cert_days query=query.clone() field="cert_days" />
            <FacetGroup title="CARIN conformance" values=facets.carin query=query.clone() field="carin" />
            <FacetGroup title="Claims data" values=facets.eob query=query.clone() field="eob" />
            <FacetGroup title="Line of business" values=facets.line_of_business query=query.clone() field="line_of_business" />
            <FacetGroup title="For developers" values=facets.developer query=query.clone() field="developer" />
        </aside>
        <section class="results" aria-labelledby="results-heading">
            <h2 id="results-heading" class="results-count">{summary}</h2>
            {notes}
            <ol class="result-list">
                {response.results.iter().cloned().map(|b| view! { <ResultCard brand=b /> }).collect_view()}
            </ol>
            <Pager response=response.clone() query=query />
        </section>
    }
    .into_any()
}

/// What the search did with the query: words it let go, a likely correction, the address it
/// found, and, when nothing matched, where to go next.
#[allow(non_snake_case)]
fn SearchNotes(response: &SearchResponse, query: &SearchQuery) -> impl IntoView + use<> {
    let relaxed = (!response.relaxed.is_empty() && response.total > 0).then(|| {
        let all = query.q.trim().to_string();
        let kept = response.kept.join(" ");
        view! {
            <p class="relaxed" role="status">
                {format!("No brand matches all of “{all}”; showing brands that match ")}
                <strong>{format!("“{kept}”")}</strong>
                "."
            </p>
        }
    });
    let did_you_mean = response.did_you_mean.clone().map(|fixed| {
        let href = SearchQuery { q: fixed.clone(), page: None, ..query.clone() }.href();
        view! { <p class="did-you-mean">"Did you mean " <a href=href>{fixed}</a> "?"</p> }
    });
    let address = response.address.clone().map(|a| {
        let what = match a.kind {
            AddressKind::Endpoint => "Brands using the endpoint ",
            AddressKind::Host => "Brands with an endpoint or website at ",
            AddressKind::Domain => "Brands with an endpoint or website in ",
        };
        view! { <p class="address-match">{what} <code>{a.value}</code></p> }
    });
    let dead_end = (response.total == 0 && response.did_you_mean.is_none()).then(|| {
        let unfiltered = SearchQuery { q: query.q.clone(), ..Default::default() };
        if query.any_filter() {
            view! { <p class="next-step"><a href=unfiltered.href()>"Search again without the filters"</a></p> }.into_any()
        } else {
            view! {
                <p class="next-step">
                    "No brand has these words. Try a plan or provider name, a city, a state, an NPI, a payer id or an endpoint URL, or "
                    <a href="/">"browse every brand"</a> "."
                </p>
            }
            .into_any()
        }
    });
    // Said, not hidden: someone checking a payer that was just added or removed should know
    // the list is a moment behind.
    let updating = response.updating.then(|| {
        view! {
            <p class="updating" role="status">
                "The directory has just changed and search is catching up: these results were found in the directory as it was before the change. Search again in a minute."
            </p>
        }
    });
    view! { {updating} {relaxed} {did_you_mean} {address} {dead_end} }
}

#[component]
fn FacetGroup(title: &'static str, values: Vec<FacetValue>, query: SearchQuery, field: &'static str) -> impl IntoView {
    if values.is_empty() {
        return ().into_any();
    }
    let current = query.filter(field).map(str::to_string);
    let id = format!("facet-{field}");
    view! {
        <div class="facet">
            <h3 id=id.clone()>{title}</h3>
            <ul aria-labelledby=id>
                {values
                    .into_iter()
                    .map(|v| {
                        let active = current.as_deref() == Some(v.value.as_str());
                        let mut next = SearchQuery { page: None, ..query.clone() };
                        next.set_filter(field, if active { None } else { Some(v.value.clone()) });
                        view! {
                            <li>
                                <a href=next.href() class:active=active aria-current=active.then_some("true")>
                                    <span>{v.label}</span>
                                    <span class="count">{v.count}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

#[component]
fn ResultCard(brand: BrandSummary) -> impl IntoView {
    let endpoints = match brand.endpoint_count {
        0 => "No endpoints listed".to_string(),
        1 => "1 endpoint".to_string(),
        n => format!("{n} endpoints"),
    };
    // The words the query matched, marked (server-rendered: no script needed).
    let name = brand
        .name_parts()
        .into_iter()
        .map(|(text, hit)| {
            let text = text.to_string();
            if hit { view! { <mark>{text}</mark> }.into_any() } else { text.into_any() }
        })
        .collect_view();
    view! {
        <li class="result-card">
            <BrandLogo name=brand.name.clone() logo_url=brand.logo_url.clone() />
            <div class="result-body">
                <h3><a href=format!("/brands/{}", brand.id)>{name}</a></h3>
                <p class="meta">
                    <CategoryTags categories=brand.categories.clone() />
                    {brand.location.clone().map(|l| view! { <span class="location">{l}</span> })}
                </p>
                <p class="meta">
                    {brand.health.map(|h| view! { <HealthBadge health=h /> })}
                    <span class="endpoint-count">{endpoints}</span>
                    <FhirVersionTags versions=brand.fhir_versions.clone() />
                </p>
            </div>
        </li>
    }
    .into_any()
}

#[component]
fn Pager(response: SearchResponse, query: SearchQuery) -> impl IntoView {
    let pages = response.page_count();
    if pages <= 1 {
        return ().into_any();
    }
    let page = response.page;
    let link = |p: u32| SearchQuery { page: Some(p), ..query.clone() }.href();
    view! {
        <nav class="pager" aria-label="Pages">
            {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">"← Previous"</a> })}
            <span>{format!("Page {page} of {pages}")}</span>
            {(page < pages).then(|| view! { <a href=link(page + 1) rel="next">"Next →"</a> })}
        </nav>
    }
    .into_any()
}
