//! The FHIR resources Signpost publishes for a brand (Organization) and an endpoint (Endpoint),
//! in bundles and as reads at their `fullUrl`s (`/fhir/Organization/b{id}`). Links are published
//! only while they are still safe, and elements imported data lacks are marked with
//! data-absent-reason rather than invented.
use super::brands::{parse_list, safe_logo};
use crate::server::entities::{brand, brand_endpoint, endpoint, portal};
use crate::server::fhir::records::{Address, Identifier};
use crate::server::fhir::{CATEGORIES, CONNECTION_TYPE_SYSTEM, DATA_ABSENT_REASON, ORG_TYPE_SYSTEM};
use crate::server::validate::identifier_problem;
use crate::types::link::WebUrl;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const EXT_BASE: &str = "http://hl7.org/fhir/StructureDefinition/";

fn absent() -> Value {
    json!({"extension": [{"url": DATA_ABSENT_REASON, "valueCode": "asked-unknown"}]})
}

pub(crate) fn web(text: &Option<String>) -> Option<String> {
    WebUrl::parse_opt(text.as_deref()).map(String::from)
}

pub fn organization(
    b: &brand::Model,
    parent: Option<i32>,
    links: &[&brand_endpoint::Model],
    portals: &[&portal::Model],
) -> Value {
    let mut r = json!({"resourceType": "Organization", "id": format!("b{}", b.id)});
    // When this brand last changed: an import, an approved proposal or a revert.
    r["meta"] = json!({"lastUpdated": b.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)});
    let mut extensions = Vec::new();
    // Links are published only when they are still safe (old rows are filtered here too).
    let (logo, logo_license) = (safe_logo(b.logo_url.as_deref()), web(&b.logo_license));
    if logo.is_some() || logo_license.is_some() {
        let mut subs = Vec::new();
        if let Some(u) = &logo {
            subs.push(json!({"url": "brandLogo", "valueUrl": u}));
        }
        if let Some(u) = &logo_license {
            subs.push(json!({"url": "brandLogoLicense", "valueUrl": u}));
        }
        extensions.push(json!({"url": format!("{EXT_BASE}organization-brand"), "extension": subs}));
    }
    for p in portals {
        let mut subs = Vec::new();
        let mut push = |name: &str, key: &str, v: &Option<String>| {
            if let Some(v) = v {
                subs.push(json!({"url": name, key: v}));
            }
        };
        push("portalName", "valueString", &p.name);
        push("portalDescription", "valueMarkdown", &p.description);
        push("portalUrl", "valueUrl", &web(&p.url));
        push("portalLogo", "valueUrl", &safe_logo(p.logo_url.as_deref()));
        push("portalLogoLicense", "valueUrl", &web(&p.logo_license));
        for l in links.iter().filter(|l| l.portal_id == Some(p.id)) {
            subs.push(json!({"url": "portalEndpoint", "valueReference": {"reference": format!("Endpoint/e{}", l.endpoint_id)}}));
        }
        extensions.push(json!({"url": format!("{EXT_BASE}organization-portal"), "extension": subs}));
    }
    if !extensions.is_empty() {
        r["extension"] = Value::Array(extensions);
    }
    let identifiers: Vec<Value> = parse_list::<Identifier>(&b.identifiers)
        .into_iter()
        .filter(|i| identifier_problem(i.system.as_deref(), i.value.as_deref()).is_none())
        .map(|i| json!({"system": i.system, "value": i.value}))
        .collect();
    if !identifiers.is_empty() {
        r["identifier"] = Value::Array(identifiers);
    }
    r["active"] = json!(b.active);
    let categories: Vec<Value> = parse_list::<String>(&b.categories)
        .into_iter()
        .filter(|c| CATEGORIES.contains(&c.as_str()))
        .map(|c| json!({"coding": [{"system": ORG_TYPE_SYSTEM, "code": c}]}))
        .collect();
    if !categories.is_empty() {
        r["type"] = Value::Array(categories);
    }
    if b.name.trim().is_empty() {
        r["_name"] = absent();
    } else {
        r["name"] = json!(b.name);
    }
    let aliases: Vec<String> = parse_list(&b.aliases);
    if !aliases.is_empty() {
        r["alias"] = json!(aliases);
    }
    r["telecom"] = match &web(&b.website) {
        Some(w) => json!([{"system": "url", "value": w}]),
        None => json!([{"system": "url", "_value": absent()}]),
    };
    let addresses: Vec<Value> = parse_list::<Address>(&b.addresses)
        .into_iter()
        .map(|a| {
            let mut v = json!({});
            if !a.line.is_empty() {
                v["line"] = json!(a.line);
            }
            for (k, x) in [("city", a.city), ("state", a.state), ("postalCode", a.postal_code), ("country", a.country)]
            {
                if let Some(x) = x {
                    v[k] = json!(x);
                }
            }
            v
        })
        .collect();
    if !addresses.is_empty() {
        r["address"] = Value::Array(addresses);
    }
    if let Some(p) = parent {
        r["partOf"] = json!({"reference": format!("Organization/b{p}")});
    }
    if !links.is_empty() {
        r["endpoint"] = links.iter().map(|l| json!({"reference": format!("Endpoint/e{}", l.endpoint_id)})).collect();
    }
    r
}

pub fn endpoint_resource(e: &endpoint::Model) -> Value {
    let versions: Vec<String> = parse_list(&e.fhir_versions);
    let mut r = json!({"resourceType": "Endpoint", "id": format!("e{}", e.id)});
    r["extension"] = if versions.is_empty() {
        json!([{"url": format!("{EXT_BASE}endpoint-fhir-version"), "_valueCode": absent()}])
    } else {
        versions.iter().map(|v| json!({"url": format!("{EXT_BASE}endpoint-fhir-version"), "valueCode": v})).collect()
    };
    if e.status.is_empty() {
        r["_status"] = absent();
    } else {
        r["status"] = json!(e.status);
    }
    r["connectionType"] = json!({"system": CONNECTION_TYPE_SYSTEM, "code": "hl7-fhir-rest"});
    if let Some(n) = &e.name {
        r["name"] = json!(n);
    }
    // payloadType: the one the source gave, or "none" (the code for "not specified").
    let payload: Vec<String> = parse_list(&e.payload_types);
    r["payloadType"] = match payload.first() {
        Some(code) => json!([{"coding": [{"code": code}]}]),
        None => {
            json!([{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/endpoint-payload-type", "code": "none"}]}])
        }
    };
    r["address"] = json!(e.address);
    r["contact"] = match &web(&e.contact_url) {
        Some(c) => json!([{"system": "url", "value": c}]),
        None => json!([{"system": "url", "_value": absent()}]),
    };
    r
}

/// Whether an endpoint is published: https, FHIR REST, and listed by a brand.
fn publishable(e: &endpoint::Model) -> bool {
    e.address.starts_with("https://") && e.connection_type == "hl7-fhir-rest"
}

/// The resource at a published `fullUrl`, `Organization/b{id}` or `Endpoint/e{id}`, as a FHIR
/// read answers it; `None` when there is no such published resource.
pub async fn read<C: ConnectionTrait>(db: &C, kind: &str, id: &str) -> Result<Option<Value>, DbErr> {
    match kind {
        "Organization" => {
            let Some(n) = id.strip_prefix('b').and_then(|n| n.parse::<i32>().ok()) else { return Ok(None) };
            let Some(b) = brand::Entity::find_by_id(n).one(db).await? else { return Ok(None) };
            let parent = match &b.part_of {
                Some(rid) => brand::Entity::find()
                    .filter(brand::Column::SourceId.eq(b.source_id))
                    .filter(brand::Column::ResourceId.eq(rid.as_str()))
                    .one(db)
                    .await?
                    // Bundles keep brand hierarchies two levels deep.
                    .filter(|p| p.part_of.is_none())
                    .map(|p| p.id),
                None => None,
            };
            let (portals, links, endpoints) = super::brands::parts_of(db, b.id).await?;
            let shown: Vec<&brand_endpoint::Model> =
                links.iter().filter(|l| endpoints.iter().any(|e| e.id == l.endpoint_id && publishable(e))).collect();
            let portals: Vec<&portal::Model> = portals.iter().collect();
            Ok(Some(organization(&b, parent, &shown, &portals)))
        }
        "Endpoint" => {
            let Some(n) = id.strip_prefix('e').and_then(|n| n.parse::<i32>().ok()) else { return Ok(None) };
            let Some(e) = endpoint::Entity::find_by_id(n).one(db).await? else { return Ok(None) };
            let linked =
                brand_endpoint::Entity::find().filter(brand_endpoint::Column::EndpointId.eq(e.id)).one(db).await?;
            Ok((publishable(&e) && linked.is_some()).then(|| endpoint_resource(&e)))
        }
        _ => Ok(None),
    }
}
