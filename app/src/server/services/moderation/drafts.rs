//! A brand as a proposal holds it (`BrandDraft`): read from the directory's rows, checked field
//! by field with the same URL types an import uses, and then as the FHIR resources Signpost would
//! publish for it, through the bundle validator (the SMART 2.2 rules). What is stored is the
//! normalized draft, never the text as typed.
use crate::error::AppError;
use crate::server::entities::{brand, brand_endpoint, endpoint, portal};
use crate::server::fhir::CATEGORIES;
use crate::server::fhir::address::EndpointAddress;
use crate::server::fhir::records::{Address, BrandRecord, Identifier, PortalRecord};
use crate::server::services::brands::{parse_list, parts_of};
use crate::server::services::resources::{endpoint_resource, organization};
use crate::server::validate::{identifier_problem, validate_text};
use crate::types::accounts::FormErrors;
use crate::types::link::{WebUrl, logo_problem};
use crate::types::proposals::{
    AddressDraft, BrandDraft, ENDPOINT_STATUSES, EndpointDraft, IdentifierDraft, MAX_ENDPOINTS, MAX_ITEMS, PortalDraft,
};
use crate::types::validation::Finding;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};

/// A brand's rows: the brand, its portals, its endpoint links in order, and those endpoints.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub brand: brand::Model,
    pub portals: Vec<portal::Model>,
    pub links: Vec<brand_endpoint::Model>,
    pub endpoints: Vec<endpoint::Model>,
}

/// Several brands' rows in four queries, by brand id (ids with no brand are left out).
pub async fn load_many(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<std::collections::BTreeMap<i32, Loaded>, AppError> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let mut out = std::collections::BTreeMap::new();
    for chunk in ids.chunks(500) {
        let brands = brand::Entity::find().filter(brand::Column::Id.is_in(chunk.to_vec())).all(db).await?;
        let portals = portal::Entity::find()
            .filter(portal::Column::BrandId.is_in(chunk.to_vec()))
            .order_by_asc(portal::Column::Position)
            .all(db)
            .await?;
        let links = brand_endpoint::Entity::find()
            .filter(brand_endpoint::Column::BrandId.is_in(chunk.to_vec()))
            .order_by_asc(brand_endpoint::Column::Position)
            .all(db)
            .await?;
        let mut wanted: Vec<i32> = links.iter().map(|l| l.endpoint_id).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let endpoints = endpoint::Entity::find().filter(endpoint::Column::Id.is_in(wanted)).all(db).await?;
        for b in brands {
            let links: Vec<brand_endpoint::Model> = links.iter().filter(|l| l.brand_id == b.id).cloned().collect();
            let endpoints = endpoints.iter().filter(|e| links.iter().any(|l| l.endpoint_id == e.id)).cloned().collect();
            let portals = portals.iter().filter(|p| p.brand_id == b.id).cloned().collect();
            out.insert(b.id, Loaded { brand: b, portals, links, endpoints });
        }
    }
    Ok(out)
}

pub async fn load(db: &impl ConnectionTrait, brand_id: i32) -> Result<Option<Loaded>, AppError> {
    let Some(brand) = brand::Entity::find_by_id(brand_id).one(db).await? else { return Ok(None) };
    let (portals, links, endpoints) = parts_of(db, brand_id).await?;
    Ok(Some(Loaded { brand, portals, links, endpoints }))
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

pub fn endpoint_draft(e: &endpoint::Model, portal: Option<usize>) -> EndpointDraft {
    EndpointDraft {
        id: Some(e.id),
        address: e.address.clone(),
        name: text(&e.name),
        fhir_versions: parse_list(&e.fhir_versions),
        status: e.status.clone(),
        contact_url: text(&e.contact_url),
        portal,
    }
}

/// A stored portal's fields, without its endpoints (those are the brand's links).
pub fn portal_record(p: &portal::Model) -> PortalRecord {
    PortalRecord {
        name: p.name.clone(),
        description: p.description.clone(),
        url: p.url.clone(),
        logo_url: p.logo_url.clone(),
        logo_license: p.logo_license.clone(),
        endpoint_refs: vec![],
    }
}

/// The brand as it is now, as a draft.
pub fn draft_of(l: &Loaded) -> BrandDraft {
    let b = &l.brand;
    let record = BrandRecord {
        resource_id: b.resource_id.clone(),
        name: b.name.clone(),
        aliases: parse_list(&b.aliases),
        identifiers: parse_list(&b.identifiers),
        categories: parse_list(&b.categories),
        website: b.website.clone(),
        addresses: parse_list(&b.addresses),
        logo_url: b.logo_url.clone(),
        logo_license: b.logo_license.clone(),
        part_of: b.part_of.clone(),
        active: b.active,
        portals: l.portals.iter().map(portal_record).collect(),
        endpoint_refs: vec![],
    };
    BrandDraft {
        endpoints: l
            .links
            .iter()
            .filter_map(|link| {
                let e = l.endpoints.iter().find(|e| e.id == link.endpoint_id)?;
                let portal = link.portal_id.and_then(|id| l.portals.iter().position(|p| p.id == id));
                Some(endpoint_draft(e, portal))
            })
            .collect(),
        ..draft_of_record(&record)
    }
}

/// A brand record's own fields (its endpoints are records of their own), as a draft.
pub fn draft_of_record(b: &BrandRecord) -> BrandDraft {
    BrandDraft {
        name: b.name.clone(),
        aliases: b.aliases.clone(),
        identifiers: b
            .identifiers
            .iter()
            .map(|i| IdentifierDraft { system: text(&i.system), value: text(&i.value) })
            .collect(),
        categories: b.categories.clone(),
        website: text(&b.website),
        logo_url: text(&b.logo_url),
        logo_license: text(&b.logo_license),
        active: b.active,
        addresses: b
            .addresses
            .iter()
            .map(|a| AddressDraft {
                line: a.line.clone(),
                city: text(&a.city),
                state: text(&a.state),
                postal_code: text(&a.postal_code),
                country: text(&a.country),
            })
            .collect(),
        portals: b
            .portals
            .iter()
            .map(|p| PortalDraft {
                name: text(&p.name),
                url: text(&p.url),
                description: text(&p.description),
                logo_url: text(&p.logo_url),
                logo_license: text(&p.logo_license),
            })
            .collect(),
        endpoints: vec![],
    }
}

/// A draft after its checks: normalized values, the errors that stop it (by form field), and
/// what the bundle validator found.
#[derive(Clone, Debug)]
pub struct Checked {
    pub draft: BrandDraft,
    pub errors: FormErrors,
    pub findings: Vec<Finding>,
}

impl Checked {
    pub fn blocked(&self) -> bool {
        !self.errors.is_empty() || self.findings.iter().any(|f| f.severity == crate::types::validation::Severity::Error)
    }
}

fn web(errors: &mut FormErrors, field: &str, label: &str, v: &str) -> String {
    if v.is_empty() {
        return String::new();
    }
    match WebUrl::parse(v) {
        Ok(u) => u.as_str().to_string(),
        Err(e) => {
            errors.add(field, format!("{label}: {e}."));
            v.to_string()
        }
    }
}

fn logo(errors: &mut FormErrors, field: &str, v: &str) -> String {
    if v.is_empty() {
        return String::new();
    }
    if let Some(e) = logo_problem(v) {
        errors.add(field, format!("The logo: {e}."));
    }
    v.trim().to_string()
}

/// Checks every value of a draft, as an import would, and returns it normalized. `listed` are
/// the endpoint ids the brand lists now: a draft may edit only those.
pub fn check(draft: &BrandDraft, listed: &[i32]) -> Checked {
    let mut errors = FormErrors::default();
    let mut d = draft.clone();
    let lists = [
        ("aliases", d.aliases.len(), MAX_ITEMS),
        ("identifiers", d.identifiers.len(), MAX_ITEMS),
        ("category", d.categories.len(), MAX_ITEMS),
        ("addresses", d.addresses.len(), MAX_ITEMS),
        ("portals", d.portals.len(), MAX_ITEMS),
        ("endpoints", d.endpoints.len(), MAX_ENDPOINTS),
    ];
    for (field, n, max) in lists {
        if n > max {
            errors.add(field, format!("At most {max} here; this has {n}."));
        }
    }
    let mut ids: Vec<i32> = d.endpoints.iter().filter_map(|e| e.id).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        errors.add("endpoints", "An endpoint is listed twice.");
    }
    if d.name.is_empty() {
        errors.add("name", "Give the brand's name, as patients know it.");
    }
    d.website = web(&mut errors, "website", "The website", &d.website);
    d.logo_url = logo(&mut errors, "logo_url", &d.logo_url);
    d.logo_license = web(&mut errors, "logo_license", "The logo licence", &d.logo_license);
    for c in &d.categories {
        if !CATEGORIES.contains(&c.as_str()) {
            errors.add("category", format!("\"{c}\" is not a category of the directory."));
        }
    }
    for i in &d.identifiers {
        let system = (!i.system.is_empty()).then_some(i.system.as_str());
        if let Some(problem) = identifier_problem(system, Some(&i.value)) {
            errors.add("identifiers", format!("{}: {problem}", i.value));
        }
    }
    for (n, p) in d.portals.iter_mut().enumerate() {
        p.url = web(&mut errors, &format!("portal-{n}-url"), "The portal's address", &p.url);
        p.logo_url = logo(&mut errors, &format!("portal-{n}-logo_url"), &p.logo_url);
        p.logo_license = web(&mut errors, &format!("portal-{n}-logo_license"), "The logo licence", &p.logo_license);
        if p.url.is_empty() && p.name.is_empty() {
            errors.add(&format!("portal-{n}-name"), "A portal needs a name or an address.");
        }
    }
    let portals = d.portals.len();
    let mut seen = std::collections::HashSet::new();
    for (n, e) in d.endpoints.iter_mut().enumerate() {
        let field = |f: &str| format!("endpoint-{n}-{f}");
        if let Some(id) = e.id
            && !listed.contains(&id)
        {
            errors.add(&field("address"), format!("Endpoint #{id} is not one of this brand's."));
        }
        match EndpointAddress::parse(&e.address) {
            Ok(a) => e.address = a.as_str().to_string(),
            Err(err) => errors.add(&field("address"), format!("The endpoint's address: {err}.")),
        }
        if !seen.insert(e.address.clone()) {
            errors.add(&field("address"), "This address is listed twice in the proposal.");
        }
        if e.status.is_empty() {
            e.status = "active".into();
        }
        if !ENDPOINT_STATUSES.contains(&e.status.as_str()) {
            errors.add(&field("status"), format!("\"{}\" is not an endpoint status.", e.status));
        }
        e.contact_url = web(&mut errors, &field("contact_url"), "The contact address", &e.contact_url);
        for v in &e.fhir_versions {
            let ok = v.len() <= 16 && v.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                errors.add(&field("fhir_versions"), format!("\"{v}\" is not a FHIR version such as 4.0.1."));
            }
        }
        if e.portal.is_some_and(|p| p >= portals) {
            e.portal = None;
        }
    }
    let findings =
        if errors.is_empty() { validate_text(&bundle(&d).to_string(), 4 * 1024 * 1024).findings } else { vec![] };
    Checked { draft: d, errors, findings }
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// The rows a draft would be, unsaved (ids: the brand 0, endpoints their own or negative for
/// new ones, so they never meet a real one; portals by position).
pub fn rows_of(d: &BrandDraft) -> Loaded {
    let brand = brand::Model {
        id: 0,
        source_id: 0,
        resource_id: String::new(),
        name: d.name.clone(),
        aliases: json!(d.aliases).to_string(),
        identifiers: json!(
            d.identifiers
                .iter()
                .map(|i| Identifier { system: opt(&i.system), value: opt(&i.value) })
                .collect::<Vec<_>>()
        )
        .to_string(),
        categories: json!(d.categories).to_string(),
        website: opt(&d.website),
        addresses: json!(
            d.addresses
                .iter()
                .map(|a| Address {
                    line: a.line.clone(),
                    city: opt(&a.city),
                    state: opt(&a.state),
                    postal_code: opt(&a.postal_code),
                    country: opt(&a.country),
                })
                .collect::<Vec<_>>()
        )
        .to_string(),
        logo_url: opt(&d.logo_url),
        logo_license: opt(&d.logo_license),
        part_of: None,
        active: d.active,
        content_hash: String::new(),
        updated_at: chrono::DateTime::UNIX_EPOCH,
    };
    let portals: Vec<portal::Model> = d
        .portals
        .iter()
        .enumerate()
        .map(|(n, p)| portal::Model {
            id: n as i32,
            brand_id: 0,
            position: n as i32,
            name: opt(&p.name),
            description: opt(&p.description),
            url: opt(&p.url),
            logo_url: opt(&p.logo_url),
            logo_license: opt(&p.logo_license),
        })
        .collect();
    let mut links = Vec::new();
    let mut endpoints = Vec::new();
    for (n, e) in d.endpoints.iter().enumerate() {
        let id = e.id.unwrap_or(-(n as i32) - 1);
        endpoints.push(endpoint_model(id, e));
        links.push(brand_endpoint::Model {
            brand_id: 0,
            position: n as i32,
            endpoint_id: id,
            portal_id: e.portal.map(|p| p as i32),
        });
    }
    Loaded { brand, portals, links, endpoints }
}

pub fn endpoint_model(id: i32, e: &EndpointDraft) -> endpoint::Model {
    endpoint::Model {
        id,
        source_id: 0,
        resource_id: String::new(),
        address: e.address.clone(),
        name: opt(&e.name),
        connection_type: "hl7-fhir-rest".into(),
        payload_types: "[]".into(),
        fhir_versions: json!(e.fhir_versions).to_string(),
        contact_url: opt(&e.contact_url),
        status: e.status.clone(),
        content_hash: String::new(),
    }
}

/// The draft as the bundle Signpost would publish for it.
pub fn bundle(d: &BrandDraft) -> Value {
    let rows = rows_of(d);
    let links: Vec<&brand_endpoint::Model> = rows.links.iter().collect();
    let portals: Vec<&portal::Model> = rows.portals.iter().collect();
    let mut entries = vec![json!({
        "fullUrl": "https://signpost.invalid/fhir/Organization/b0",
        "resource": organization(&rows.brand, None, &links, &portals),
    })];
    for e in &rows.endpoints {
        entries.push(json!({
            "fullUrl": format!("https://signpost.invalid/fhir/Endpoint/e{}", e.id),
            "resource": endpoint_resource(e),
        }));
    }
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": "2026-01-01T00:00:00Z",
        "meta": {"lastUpdated": "2026-01-01T00:00:00Z"},
        "entry": entries,
    })
}
