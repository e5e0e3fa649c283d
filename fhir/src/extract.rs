//! Bundle entries (as JSON values, one at a time) into brand and endpoint records.
use crate::address::EndpointAddress;
use crate::link::{WebUrl, logo_problem};
use crate::records::{Address, BrandRecord, EndpointRecord, Identifier, PortalRecord};
use crate::references::ResourceIndex;
use crate::{EXT_BRAND, EXT_FHIR_VERSION, EXT_PORTAL, extension_is, version_from_release_segment};
use serde_json::Value;
use std::collections::HashSet;

pub fn str_of(v: &Value) -> Option<String> {
    v.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(str_of).collect()).unwrap_or_default()
}

pub fn array(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// Sub-extensions of a complex extension, by their `url`.
fn sub_extensions<'a>(ext: &'a Value, name: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    array(&ext["extension"]).iter().filter(move |e| e["url"].as_str() == Some(name))
}

pub fn sub_url(ext: &Value, name: &str) -> Option<String> {
    sub_extensions(ext, name).find_map(|e| str_of(&e["valueUrl"]).or_else(|| str_of(&e["valueUri"])))
}

/// A link from data, kept only when it is a safe web address; the validator reports the rest.
fn web_link(text: Option<String>) -> Option<String> {
    WebUrl::parse_opt(text.as_deref()).map(String::from)
}

/// A logo from data, kept only when it is an allowed `data:` image or a safe web address.
fn logo_link(text: Option<String>) -> Option<String> {
    text.filter(|t| logo_problem(t).is_none())
}

pub fn extensions_named<'a>(resource: &'a Value, name: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    array(&resource["extension"]).iter().filter(move |e| e["url"].as_str().is_some_and(|u| extension_is(u, name)))
}

/// The codes of a CodeableConcept list (or a single Coding / CodeableConcept).
pub fn codes(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut push_concept = |c: &Value| {
        if let Some(code) = str_of(&c["code"]) {
            out.push(code);
        }
        for coding in array(&c["coding"]) {
            if let Some(code) = str_of(&coding["code"]) {
                out.push(code);
            }
        }
    };
    match v {
        Value::Array(items) => items.iter().for_each(&mut push_concept),
        Value::Object(_) => push_concept(v),
        _ => {}
    }
    out
}

pub fn telecom_url(resource: &Value, member: &str) -> Option<String> {
    array(&resource[member]).iter().filter(|t| t["system"].as_str() == Some("url")).find_map(|t| str_of(&t["value"]))
}

pub fn endpoint_fhir_versions(resource: &Value) -> Vec<String> {
    extensions_named(resource, EXT_FHIR_VERSION).filter_map(|e| str_of(&e["valueCode"])).collect()
}

/// An Organization or Endpoint entry read into its record.
pub enum Record {
    Brand(BrandRecord),
    Endpoint(EndpointRecord),
}

/// The kind of an entry's resource, when it is one a brands bundle holds.
pub fn entry_kind(entry: &Value) -> Option<&'static str> {
    match entry["resource"]["resourceType"].as_str() {
        Some("Organization") => Some("Organization"),
        Some("Endpoint") => Some("Endpoint"),
        _ => None,
    }
}

/// Registers the entry's resource (of `kind`) in `refs` and returns the id its record is
/// stored under: its own, `entry-N` when it has none, and `id~N` for a later duplicate (the
/// validator reports duplicates; both records are kept, and references reach the first).
/// The longest id FHIR allows (`[A-Za-z0-9\-\.]{1,64}`).
pub const MAX_ID: usize = 64;

/// A resource's id, if it has one FHIR allows the length of: a longer one counts as none (the
/// validator says so), so no stored id, key or finding carries an id of any size.
pub fn resource_id(resource: &Value) -> Option<String> {
    str_of(&resource["id"]).filter(|id| id.len() <= MAX_ID)
}

/// The id a record is stored under: its own, or for a second resource of that type and id,
/// the id with its entry number (`id~7`). Records the resource in `refs`.
pub fn stored_id(index: usize, entry: &Value, kind: &str, refs: &mut ResourceIndex) -> String {
    let given = given_id(index, entry);
    if refs.add(kind, &given, entry["fullUrl"].as_str()) { given } else { format!("{given}~{index}") }
}

/// `stored_id` again for an entry already recorded once, told whether it was a duplicate.
pub fn stored_id_again(index: usize, entry: &Value, duplicate: bool) -> String {
    let given = given_id(index, entry);
    if duplicate { format!("{given}~{index}") } else { given }
}

/// The entry's resource id, or `entry-N` for one without.
pub fn given_id(index: usize, entry: &Value) -> String {
    resource_id(&entry["resource"]).unwrap_or_else(|| format!("entry-{index}"))
}

/// The entry's record under `id`, with its references as written.
pub fn record(id: String, entry: &Value, kind: &str) -> Record {
    let resource = &entry["resource"];
    if kind == "Organization" {
        Record::Brand(organization(id, resource))
    } else {
        Record::Endpoint(endpoint(id, resource))
    }
}

/// Points a brand's references at the ids of the records they reach in the bundle, and drops
/// those that reach nothing.
pub fn resolve_brand(refs: &ResourceIndex, b: &mut BrandRecord) {
    b.part_of = b.part_of.take().and_then(|r| refs.resolve("Organization", &r));
    b.endpoint_refs = b.endpoint_refs.iter().filter_map(|r| refs.resolve("Endpoint", r)).collect();
    for p in &mut b.portals {
        p.endpoint_refs = p.endpoint_refs.iter().filter_map(|r| refs.resolve("Endpoint", r)).collect();
    }
}

/// Collects Organization and Endpoint entries of one bundle and resolves the references
/// between them once the whole bundle has been seen (the whole directory in memory: for
/// documents a request carries; an import streams them, `import::spooled`).
#[derive(Default)]
pub struct BundleCollector {
    brands: Vec<BrandRecord>,
    endpoints: Vec<EndpointRecord>,
    refs: ResourceIndex,
}

impl BundleCollector {
    pub fn add_entry(&mut self, index: usize, entry: &Value) {
        let Some(kind) = entry_kind(entry) else { return };
        let id = stored_id(index, entry, kind, &mut self.refs);
        match record(id, entry, kind) {
            Record::Brand(b) => self.brands.push(b),
            Record::Endpoint(e) => self.endpoints.push(e),
        }
    }

    pub fn finish(mut self) -> (Vec<BrandRecord>, Vec<EndpointRecord>) {
        let mut brands = std::mem::take(&mut self.brands);
        for b in &mut brands {
            resolve_brand(&self.refs, b);
        }
        (brands, self.endpoints)
    }
}

fn organization(resource_id: String, r: &Value) -> BrandRecord {
    let brand_ext = extensions_named(r, EXT_BRAND).next();
    let portals = extensions_named(r, EXT_PORTAL)
        .map(|p| PortalRecord {
            name: sub_extensions(p, "portalName").find_map(|e| str_of(&e["valueString"])),
            description: sub_extensions(p, "portalDescription")
                .find_map(|e| str_of(&e["valueMarkdown"]).or_else(|| str_of(&e["valueString"]))),
            url: web_link(sub_url(p, "portalUrl")),
            logo_url: logo_link(sub_url(p, "portalLogo")),
            logo_license: web_link(sub_url(p, "portalLogoLicense")),
            endpoint_refs: sub_extensions(p, "portalEndpoint")
                .filter_map(|e| str_of(&e["valueReference"]["reference"]))
                .collect(),
        })
        .collect();
    BrandRecord {
        resource_id,
        name: str_of(&r["name"]).unwrap_or_default(),
        aliases: strings(&r["alias"]),
        identifiers: array(&r["identifier"])
            .iter()
            .map(|i| Identifier { system: str_of(&i["system"]), value: str_of(&i["value"]) })
            .collect(),
        categories: dedup(codes(&r["type"])),
        website: web_link(telecom_url(r, "telecom")),
        addresses: array(&r["address"])
            .iter()
            .map(|a| Address {
                line: strings(&a["line"]),
                city: str_of(&a["city"]),
                state: str_of(&a["state"]),
                postal_code: str_of(&a["postalCode"]),
                country: str_of(&a["country"]),
            })
            .collect(),
        logo_url: logo_link(brand_ext.and_then(|e| sub_url(e, "brandLogo"))),
        logo_license: web_link(brand_ext.and_then(|e| sub_url(e, "brandLogoLicense"))),
        part_of: str_of(&r["partOf"]["reference"]),
        active: r["active"].as_bool().unwrap_or(true),
        portals,
        endpoint_refs: array(&r["endpoint"]).iter().filter_map(|e| str_of(&e["reference"])).collect(),
    }
}

fn endpoint(resource_id: String, r: &Value) -> EndpointRecord {
    let raw = str_of(&r["address"]).unwrap_or_default();
    let address = EndpointAddress::parse(&raw).map(|a| a.as_str().to_string()).unwrap_or(raw);
    let mut fhir_versions = endpoint_fhir_versions(r);
    if fhir_versions.is_empty() {
        fhir_versions.extend(version_from_release_segment(&address).map(str::to_string));
    }
    EndpointRecord {
        resource_id,
        name: str_of(&r["name"]),
        connection_type: codes(&r["connectionType"]).into_iter().next().unwrap_or_default(),
        payload_types: codes(&r["payloadType"]),
        fhir_versions,
        contact_url: web_link(telecom_url(r, "contact")),
        status: str_of(&r["status"]).unwrap_or_default(),
        address,
    }
}

pub fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::read_streaming;

    pub fn fixture(path: &str) -> std::fs::File {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/");
        std::fs::File::open(format!("{root}{path}")).expect("fixture (../shared beside the repo)")
    }

    fn collect(path: &str) -> (Vec<BrandRecord>, Vec<EndpointRecord>) {
        let mut c = BundleCollector::default();
        read_streaming(std::io::BufReader::new(fixture(path)), "entry", |i, v| {
            c.add_entry(i, &v);
            Ok(())
        })
        .unwrap();
        c.finish()
    }

    #[test]
    fn reads_the_smart_spec_example_with_portals_and_parents() {
        let (brands, endpoints) = collect("brands/smart-spec-example2.json");
        let parent = brands.iter().find(|b| b.resource_id == "examplehealth").unwrap();
        assert_eq!(parent.name, "ExampleHealth");
        assert_eq!(parent.aliases, vec!["GoodHealth Hospital", "GoodHealth Mental Health"]);
        assert_eq!(parent.categories, vec!["prov"]);
        assert_eq!(parent.website.as_deref(), Some("https://health.example.com"));
        assert_eq!(parent.portals.len(), 1);
        assert_eq!(parent.portals[0].name.as_deref(), Some("My ExampleHealth Portal"));
        assert_eq!(parent.portals[0].endpoint_refs, vec!["examplehealth-r4", "examplehealth-r2"]);
        let child = brands.iter().find(|b| b.resource_id == "ehchospital").unwrap();
        assert_eq!(child.part_of.as_deref(), Some("examplehealth"));
        let r2 = endpoints.iter().find(|e| e.resource_id == "examplehealth-r2").unwrap();
        assert_eq!(r2.fhir_versions, vec!["1.0.2"]);
        assert_eq!(r2.contact_url.as_deref(), Some("https://open.ehr.example.com"));
        assert_eq!(r2.connection_type, "hl7-fhir-rest");
    }

    #[test]
    fn reads_oracle_service_base_url_bundle() {
        let (brands, endpoints) = collect("brands/oracle-millennium-patient-r4.json");
        assert_eq!(brands.len(), 1359);
        assert_eq!(endpoints.len(), 1359);
        let b = &brands[0];
        assert_eq!(b.name, "Oscar Matthews, MD");
        assert_eq!(b.endpoint_refs, vec!["-KzIoYV6gk-ILcHOWbsH2m9KsSdDgi12"]);
        let e = &endpoints[0];
        assert_eq!(e.address, "https://fhir-myrecord.cerner.com/r4/-KzIoYV6gk-ILcHOWbsH2m9KsSdDgi12");
        // No fhir-version extension: the release named in the path says R4.
        assert_eq!(e.fhir_versions, vec!["4.0.1"]);
        assert_eq!(e.contact_url, None);
    }
}
