use crate::api::brands::get_brand;
use crate::components::brand_logo::BrandLogo;
use crate::components::copy_button::CopyButton;
use crate::components::external_link::ExternalLink;
use crate::components::form::FormMessages;
use crate::components::health::HealthBadge;
use crate::components::subscribe::{SubscribeForm, notice_from_url};
use crate::components::tags::{CategoryTags, FhirVersionTags};
use crate::types::alerts::TargetKind;
use crate::types::brand::{BrandDetail, EndpointView, PortalView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn BrandPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let brand = Resource::new(move || id.get(), get_brand);
    view! {
        <div class="wrap page">
            <Suspense fallback=|| view! { <p class="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match brand.await {
                        Ok(Some(b)) => view! { <BrandView brand=b /> }.into_any(),
                        Ok(None) => view! {
                            <Title text="Brand not found" />
                            <h1>"Brand not found"</h1>
                            <p><a href="/">"Search the directory"</a></p>
                        }
                        .into_any(),
                        Err(e) => view! { <p class="error" role="alert">"Could not load this brand: " {e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn BrandView(brand: BrandDetail) -> impl IntoView {
    let b = brand;
    let title = b.name.clone();
    let has_endpoints = b.portals.iter().any(|p| !p.endpoints.is_empty()) || !b.endpoints.is_empty();
    view! {
        <Title text=title />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <a href="/">"Directory"</a>
            {b.parent.clone().map(|p| view! { <span aria-hidden="true">" / "</span><a href=format!("/brands/{}", p.id)>{p.name}</a> })}
        </nav>
        <header class="brand-header">
            <BrandLogo name=b.name.clone() logo_url=b.logo_url.clone() size=72 />
            <div>
                <h1>{b.name.clone()}</h1>
                <p class="meta">
                    <CategoryTags categories=b.categories.clone() />
                    {(!b.active).then(|| view! { <span class="tag tag-inactive">"Inactive"</span> })}
                </p>
                {b.website.clone().map(|w| view! { <p><ExternalLink url=w.clone()>{w.to_string()}</ExternalLink></p> })}
            </div>
        </header>
        <div class="brand-grid">
            <section class="card" aria-labelledby="endpoints-heading">
                <h2 id="endpoints-heading">"FHIR endpoints"</h2>
                {b.inherited_from.clone().map(|p| view! {
                    <p class="note">"This brand is reached through the endpoints of its parent, " <a href=format!("/brands/{}", p.id)>{p.name}</a> "."</p>
                })}
                {(!has_endpoints).then(|| view! { <p class="note">"No endpoints are listed for this brand yet."</p> })}
                {b.portals.iter().cloned().map(|p| view! { <PortalBlock portal=p /> }.into_any()).collect_view()}
                {(!b.endpoints.is_empty()).then(|| view! { <EndpointList endpoints=b.endpoints.clone() /> })}
            </section>
            <BrandDetails brand=b.clone() />
        </div>
        <crate::routes::developers::ForDevelopersSection brand_id=b.id developer=b.developer.clone() can_edit=can_edit_facts(&b) />
        // A brand's alerts cover the endpoints it lists itself (inherited ones have their parent's).
        {(has_endpoints && b.inherited_from.is_none()).then(|| view! { <SubscribeForm kind=TargetKind::Brand id=b.id notice=notice_from_url() /> })}
    }
    .into_any()
}

#[component]
fn BrandDetails(brand: BrandDetail) -> impl IntoView {
    let b = brand;
    view! {
        <aside class="card details" aria-labelledby="details-heading">
                <h2 id="details-heading">"Details"</h2>
                <dl>
                    {(!b.aliases.is_empty()).then(|| view! {
                        <dt>"Also known as"</dt>
                        <dd><ul class="plain">{b.aliases.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}</ul></dd>
                    })}
                    {(!b.addresses.is_empty()).then(|| view! {
                        <dt>"Locations"</dt>
                        <dd><ul class="plain">{b.addresses.iter().map(|a| view! { <li>{a.one_line()}</li> }).collect_view()}</ul></dd>
                    })}
                    {(!b.identifiers.is_empty()).then(|| view! {
                        <dt>"Identifiers"</dt>
                        <dd><ul class="plain">{b.identifiers.iter().map(|i| view! {
                            <li><code>{i.value.clone().unwrap_or_default()}</code>" "<span class="muted">{identifier_label(i.system.as_deref())}</span></li>
                        }).collect_view()}</ul></dd>
                    })}
                    {b.parent.clone().map(|p| view! { <dt>"Part of"</dt><dd><a href=format!("/brands/{}", p.id)>{p.name}</a></dd> })}
                    {(!b.children.is_empty()).then(|| view! {
                        <dt>"Includes"</dt>
                        <dd><ul class="plain">{b.children.iter().map(|c| view! { <li><a href=format!("/brands/{}", c.id)>{c.name.clone()}</a></li> }).collect_view()}</ul></dd>
                    })}
                    {b.logo_license.clone().map(|l| view! { <dt>"Logo licence"</dt><dd><ExternalLink url=l.clone()>{l.to_string()}</ExternalLink></dd> })}
                    <dt>"Source"</dt>
                    <dd>
                        <span class="source-location">{b.source.name.clone()}</span>
                        " ("{b.source.format.clone()}")"<br />
                        <span class="muted">"Imported " <time datetime=b.source.imported_at.clone()>{short_date(&b.source.imported_at)}</time></span>
                        <br /><a href=format!("/sources/{}/brands.json", b.source.id) rel="nofollow">"This source as brands.json"</a>
                    </dd>
                    <dt>"Last changed"</dt>
                    <dd>
                        <time datetime=b.updated_at.clone()>{short_date(&b.updated_at)}</time>
                        <br /><a href=format!("/brands/{}/history", b.id)>"History of this brand"</a>
                    </dd>
                    {(!b.community_fields.is_empty()).then(|| view! {
                        <dt>"Changed by the community"</dt>
                        <dd>{b.community_fields.join(", ")}</dd>
                    })}
                    {b.maintainer.clone().map(|m| view! {
                        <dt>"Maintained by"</dt>
                        <dd>{maintained_line(&m)}</dd>
                    })}
                </dl>
                <h3>"Improve this entry"</h3>
                <FormMessages form="report" />
                <ul class="plain">
                    <li><a href=format!("/brands/{}/propose", b.id)>"Propose a change"</a></li>
                    <li><a href=format!("/brands/{}/report", b.id)>"Report a problem"</a></li>
                    {claim_link(b.id, b.maintainer.is_none()).map(|href| view! {
                        <li><a href=href>"Claim this brand for your organization"</a></li>
                    })}
                </ul>
            </aside>
    }
    .into_any()
}

fn maintained_line(m: &crate::types::claims::Maintainer) -> String {
    let when = m.verified_at.map(crate::routes::accounts::utc_label).map(|d| d.get(..10).unwrap_or(&d).to_string());
    match (m.state, when) {
        (crate::types::claims::ClaimState::Flagged, _) => format!("{} (re-verification pending)", m.organization),
        (_, Some(d)) => format!("{}, verified {d}", m.organization),
        (_, None) => m.organization.clone(),
    }
}

/// Admins, and the members of the maintaining organization, edit the developer facts (the
/// server checks it again on save).
fn can_edit_facts(b: &BrandDetail) -> bool {
    crate::components::layout::viewer().is_some_and(|v| {
        v.admin || b.maintainer.as_ref().is_some_and(|m| v.orgs.iter().any(|o| o.id == m.organization_id))
    })
}

/// For a member of a payer organization, while nobody maintains the brand: where to claim it.
fn claim_link(brand: i32, unclaimed: bool) -> Option<String> {
    let viewer = crate::components::layout::viewer()?;
    let org = viewer
        .acting
        .filter(|o| o.kind == crate::types::accounts::OrgKind::Payer)
        .or_else(|| viewer.orgs.into_iter().find(|o| o.kind == crate::types::accounts::OrgKind::Payer))?;
    unclaimed.then(|| format!("/orgs/{}?claim={brand}#claims", org.id))
}

fn short_date(rfc3339: &str) -> String {
    rfc3339.get(..10).unwrap_or(rfc3339).to_string()
}

fn identifier_label(system: Option<&str>) -> &'static str {
    match system {
        Some("http://hl7.org/fhir/sid/us-npi") => "NPI",
        Some("urn:ietf:rfc:3986") => "URI",
        _ => "",
    }
}

#[component]
fn PortalBlock(portal: PortalView) -> impl IntoView {
    let name = portal.name.clone().unwrap_or_else(|| "Patient portal".to_string());
    view! {
        <div class="portal">
            <h3>{name}</h3>
            {portal.description.clone().map(|d| view! { <p>{d}</p> })}
            {portal.url.clone().map(|u| view! { <p><ExternalLink url=u>"Open the portal"</ExternalLink></p> })}
            {(!portal.endpoints.is_empty()).then(|| view! { <EndpointList endpoints=portal.endpoints.clone() /> })}
        </div>
    }
    .into_any()
}

#[component]
fn EndpointList(endpoints: Vec<EndpointView>) -> impl IntoView {
    view! {
        <ul class="endpoint-list">
            {endpoints
                .into_iter()
                .map(|e| {
                    let label = format!("Copy endpoint address {}", e.address);
                    view! {
                        <li class="endpoint">
                            {e.name.clone().map(|n| view! { <p class="endpoint-name">{n}</p> })}
                            <div class="address-row">
                                <code class="endpoint-address">{e.address.clone()}</code>
                                <CopyButton text=e.address.clone() label=label />
                            </div>
                            <p class="meta">
                                <HealthBadge health=e.health />
                                <a href=format!("/endpoints/{}", e.id)>"Health and checks"</a>
                                <FhirVersionTags versions=e.fhir_versions.clone() />
                                {(!e.status.is_empty() && e.status != "active").then(|| view! { <span class="tag tag-inactive">{e.status.clone()}</span> })}
                                {e.contact_url.clone().map(|c| view! { <ExternalLink url=c>"Developer portal"</ExternalLink> })}
                            </p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
