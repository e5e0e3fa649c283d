//! The rules of the SMART App Launch 2.2 User-access Brands profile (and the checks of its
//! Inferno test kit), applied to a bundle one entry at a time, with cross-entry checks at the end.
use crate::address::{AddressError, EndpointAddress};
use crate::extract::{
    MAX_ID, array, codes, endpoint_fhir_versions, extensions_named, resource_id, str_of, telecom_url,
};
use crate::link::{WebUrl, logo_problem};
use crate::reader::{Header, read_streaming};
use crate::references::ResourceIndex;
use crate::validation::{Finding, Severity, ValidationReport};
use crate::{
    CATEGORIES, DATA_ABSENT_REASON, EXT_BRAND, EXT_FHIR_VERSION, EXT_PORTAL, SYSTEM_NPI, SYSTEM_URI, extension_is,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::Read;

struct OrgInfo {
    index: usize,
    id: String,
    part_of: Option<String>,
    endpoint_refs: Vec<String>,
    /// (portal index, sub-extension index, reference)
    portal_refs: Vec<(usize, usize, String)>,
}

/// Findings kept for one document; the rest are only counted, so a hostile bundle of a million
/// broken entries costs a counter, not a report of hundreds of megabytes.
pub const MAX_FINDINGS: usize = 1000;
/// Findings kept per rule, so one rule broken by every entry leaves room for the others.
pub const MAX_PER_RULE: u32 = 100;

#[derive(Default)]
pub struct Validator {
    findings: Vec<Finding>,
    /// Every finding by severity (error, warning, info), kept or not.
    counts: [u32; 3],
    per_rule: HashMap<String, u32>,
    /// Keep every finding (the operator's own `signpost validate FILE`).
    unlimited: bool,
    /// Organizations' references, checked at the end; an import that reads the bundle again
    /// checks them as it goes instead (`deferring`), and keeps none.
    orgs: Vec<OrgInfo>,
    defer: bool,
    /// For the depth check, only Organizations whose parent is in the bundle: their keys, and
    /// (entry, parent's key) in entry order. A national directory's million brands without a
    /// parent cost nothing here. Then the Endpoints some Organization lists.
    with_parent: HashSet<u128>,
    children: Vec<(usize, u128)>,
    referenced: HashSet<u128>,
    endpoints: Vec<(usize, String)>,
    refs: ResourceIndex,
}

/// What the reference checks need of an Organization.
fn org_info(index: usize, id: String, r: &Value) -> OrgInfo {
    let mut portal_refs = Vec::new();
    for (pn, portal) in extensions_named(r, EXT_PORTAL).enumerate() {
        for (sn, s) in array(&portal["extension"]).iter().enumerate() {
            if s["url"] == "portalEndpoint" {
                if let Some(reference) = str_of(&s["valueReference"]["reference"]) {
                    portal_refs.push((pn, sn, reference));
                }
            }
        }
    }
    OrgInfo {
        index,
        id,
        part_of: str_of(&r["partOf"]["reference"]),
        endpoint_refs: array(&r["endpoint"]).iter().filter_map(|e| str_of(&e["reference"])).collect(),
        portal_refs,
    }
}

fn ptr(index: usize, rest: &str) -> String {
    format!("/entry/{index}{rest}")
}

/// Whether an element carries the data-absent-reason extension (directly or on a primitive).
pub fn has_data_absent_reason(v: &Value) -> bool {
    let own = array(&v["extension"]).iter().any(|e| e["url"].as_str() == Some(DATA_ABSENT_REASON));
    own || v.as_object().is_some_and(|o| o.iter().any(|(k, x)| k.starts_with('_') && has_data_absent_reason(x)))
}

fn npi_is_valid(npi: &str) -> bool {
    // NPI check digit: Luhn over "80840" + the first nine digits.
    if npi.len() != 10 || !npi.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let digits: Vec<u32> = format!("80840{npi}").bytes().map(|b| (b - b'0') as u32).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                *d
            }
        })
        .sum();
    sum % 10 == 0
}

/// What is wrong with an identifier, if anything: both parts present, an absolute URI for
/// system urn:ietf:rfc:3986, a valid NPI for the NPI system.
pub fn identifier_problem(system: Option<&str>, value: Option<&str>) -> Option<String> {
    match (system, value) {
        (None, _) | (_, None) => Some("Identifier needs both a system and a value.".into()),
        (Some(SYSTEM_URI), Some(v)) if url::Url::parse(v).is_err() => {
            Some(format!("\"{v}\" is not an absolute URI, as system {SYSTEM_URI} requires."))
        }
        (Some(SYSTEM_NPI), Some(v)) if !npi_is_valid(v) => {
            Some(format!("\"{v}\" is not a valid NPI (10 digits with a check digit)."))
        }
        _ => None,
    }
}

impl Validator {
    fn add(&mut self, severity: Severity, rule: &str, pointer: String, message: impl Into<String>) {
        self.counts[severity as usize] += 1;
        let of_rule = self.per_rule.entry(rule.to_string()).or_default();
        *of_rule += 1;
        if self.unlimited || (self.findings.len() < MAX_FINDINGS && *of_rule <= MAX_PER_RULE) {
            self.findings.push(Finding { severity, rule: rule.into(), pointer, message: message.into() });
        }
    }

    /// A link in the data that is not a safe web address (or, for a logo, an allowed `data:`
    /// image) is an error, and the importer does not store it.
    fn link(&mut self, pointer: String, what: &str, value: Option<String>, logo: bool) {
        let Some(text) = value else { return };
        let problem = if logo { logo_problem(&text) } else { WebUrl::parse(&text).err() };
        if let Some(problem) = problem {
            let shown: String = text.chars().take(80).collect();
            self.add(Severity::Error, "unsafe-link", pointer, format!("{what} \"{shown}\" is not kept: {problem}."));
        }
    }

    /// The URLs of a resource's telecoms (or contacts) with system "url", by their index.
    fn telecom_links(&mut self, i: usize, r: &Value, member: &str, what: &str) {
        for (n, t) in array(&r[member]).iter().enumerate() {
            if t["system"].as_str() == Some("url") {
                self.link(ptr(i, &format!("/resource/{member}/{n}/value")), what, str_of(&t["value"]), false);
            }
        }
    }

    /// The link sub-extensions of a brand or portal extension.
    fn extension_links(&mut self, pointer: &str, ext: &Value, subs: &[(&str, &str, bool)]) {
        for (sn, sub) in array(&ext["extension"]).iter().enumerate() {
            let name = sub["url"].as_str().unwrap_or("");
            if let Some((_, what, logo)) = subs.iter().find(|(n, _, _)| *n == name) {
                let value = str_of(&sub["valueUrl"]).or_else(|| str_of(&sub["valueUri"]));
                self.link(format!("{pointer}/extension/{sn}"), what, value, *logo);
            }
        }
    }

    pub fn entry(&mut self, index: usize, entry: &Value) {
        let resource = &entry["resource"];
        if !resource.is_object() {
            self.add(Severity::Error, "entry-resource", ptr(index, ""), "Entry has no resource.");
            return;
        }
        let kind = resource["resourceType"].as_str().unwrap_or("").to_string();
        if kind != "Organization" && kind != "Endpoint" {
            self.add(
                Severity::Warning,
                "resource-type",
                ptr(index, "/resource/resourceType"),
                format!("A brands bundle holds Organization and Endpoint resources; \"{kind}\" is ignored."),
            );
            return;
        }
        let full_url = str_of(&entry["fullUrl"]);
        if full_url.is_none() {
            self.add(Severity::Warning, "entry-fullurl", ptr(index, "/fullUrl"), "Entry has no fullUrl.");
        }
        let Some(id) = resource_id(resource) else {
            if let Some(long) = resource["id"].as_str().map(str::trim).filter(|id| id.len() > MAX_ID) {
                self.add(
                    Severity::Error,
                    "resource-id",
                    ptr(index, "/resource/id"),
                    format!(
                        "{kind}'s id is {} bytes long; FHIR allows {MAX_ID}, so nothing can refer to it.",
                        long.len()
                    ),
                );
                return;
            }
            self.add(
                Severity::Error,
                "resource-id",
                ptr(index, "/resource/id"),
                format!("{kind} has no id, so nothing can refer to it."),
            );
            return;
        };
        if !self.refs.add(&kind, &id, full_url.as_deref()) {
            self.add(
                Severity::Error,
                "duplicate-id",
                ptr(index, "/resource/id"),
                format!("{kind}/{id} appears more than once."),
            );
        }
        if kind == "Organization" {
            self.organization(index, id, resource);
        } else {
            self.endpoint(index, id, resource);
        }
    }

    fn organization(&mut self, i: usize, id: String, r: &Value) {
        if str_of(&r["name"]).is_none() {
            if has_data_absent_reason(&r["_name"]) {
                self.add(
                    Severity::Info,
                    "data-absent",
                    ptr(i, "/resource/name"),
                    "Name is marked unknown (data-absent-reason).",
                );
            } else {
                self.add(Severity::Error, "org-name", ptr(i, "/resource/name"), "Organization has no name.");
            }
        }
        if telecom_url(r, "telecom").is_none() {
            let absent =
                array(&r["telecom"]).iter().any(|t| t["system"].as_str() == Some("url") && has_data_absent_reason(t));
            if absent {
                self.add(
                    Severity::Info,
                    "data-absent",
                    ptr(i, "/resource/telecom"),
                    "Website is marked unknown (data-absent-reason).",
                );
            } else {
                self.add(
                    Severity::Error,
                    "org-website",
                    ptr(i, "/resource/telecom"),
                    "Organization has no website (a telecom with system \"url\").",
                );
            }
        }
        self.telecom_links(i, r, "telecom", "Website");
        for (n, ext) in array(&r["extension"]).iter().enumerate() {
            let url = ext["url"].as_str().unwrap_or("");
            let p = ptr(i, &format!("/resource/extension/{n}"));
            if extension_is(url, EXT_BRAND) {
                self.extension_links(
                    &p,
                    ext,
                    &[("brandLogo", "Brand logo", true), ("brandLogoLicense", "Logo licence", false)],
                );
            } else if extension_is(url, EXT_PORTAL) {
                self.extension_links(
                    &p,
                    ext,
                    &[
                        ("portalUrl", "Portal URL", false),
                        ("portalLogo", "Portal logo", true),
                        ("portalLogoLicense", "Portal logo licence", false),
                    ],
                );
            }
        }
        let cats = codes(&r["type"]);
        if cats.is_empty() {
            self.add(
                Severity::Warning,
                "org-category",
                ptr(i, "/resource/type"),
                "Organization has no category (prov, ins, laboratory, ...).",
            );
        }
        for (n, c) in cats.iter().enumerate() {
            if !CATEGORIES.contains(&c.as_str()) {
                self.add(
                    Severity::Warning,
                    "org-category",
                    ptr(i, &format!("/resource/type/{n}")),
                    format!("Category \"{c}\" is not in the value set ({}).", CATEGORIES.join(", ")),
                );
            }
        }
        for (n, ident) in array(&r["identifier"]).iter().enumerate() {
            if let Some(problem) =
                identifier_problem(str_of(&ident["system"]).as_deref(), str_of(&ident["value"]).as_deref())
            {
                self.add(Severity::Error, "identifier", ptr(i, &format!("/resource/identifier/{n}")), problem);
            }
        }
        for portal in extensions_named(r, EXT_PORTAL) {
            if !array(&portal["extension"]).iter().any(|s| s["url"] == "portalName") {
                self.add(Severity::Warning, "portal-name", ptr(i, "/resource/extension"), "Portal has no portalName.");
            }
        }
        if !self.defer {
            self.orgs.push(org_info(i, id, r));
        }
    }

    fn endpoint(&mut self, i: usize, id: String, r: &Value) {
        match str_of(&r["address"]).map(|a| EndpointAddress::parse(&a)) {
            None | Some(Err(AddressError::Empty)) => {
                self.add(Severity::Error, "endpoint-address", ptr(i, "/resource/address"), "Endpoint has no address.")
            }
            Some(Err(e)) => self.add(
                Severity::Error,
                "endpoint-address",
                ptr(i, "/resource/address"),
                format!("Endpoint address is not usable: {e}."),
            ),
            Some(Ok(a)) if !a.is_https() => self.add(
                Severity::Error,
                "endpoint-https",
                ptr(i, "/resource/address"),
                format!("Endpoint address {a} must use https."),
            ),
            Some(Ok(_)) => {}
        }
        if str_of(&r["status"]).is_none() {
            if has_data_absent_reason(&r["_status"]) {
                self.add(
                    Severity::Info,
                    "data-absent",
                    ptr(i, "/resource/status"),
                    "Status is marked unknown (data-absent-reason).",
                );
            } else {
                self.add(Severity::Error, "endpoint-status", ptr(i, "/resource/status"), "Endpoint has no status.");
            }
        }
        let ct = codes(&r["connectionType"]);
        if !ct.iter().any(|c| c == "hl7-fhir-rest") {
            self.add(
                Severity::Error,
                "endpoint-connection-type",
                ptr(i, "/resource/connectionType"),
                "Endpoint connectionType must be hl7-fhir-rest.",
            );
        }
        let payloads = array(&r["payloadType"]).len();
        if payloads > 1 {
            self.add(
                Severity::Error,
                "endpoint-payload-type",
                ptr(i, "/resource/payloadType"),
                format!("Endpoint has {payloads} payloadType entries; at most one is allowed."),
            );
        }
        if endpoint_fhir_versions(r).is_empty() {
            let absent = extensions_named(r, EXT_FHIR_VERSION).any(has_data_absent_reason);
            if absent {
                self.add(
                    Severity::Info,
                    "data-absent",
                    ptr(i, "/resource/extension"),
                    "FHIR version is marked unknown (data-absent-reason).",
                );
            } else {
                self.add(
                    Severity::Error,
                    "endpoint-fhir-version",
                    ptr(i, "/resource/extension"),
                    "Endpoint has no endpoint-fhir-version extension.",
                );
            }
        }
        self.telecom_links(i, r, "contact", "Developer contact");
        if telecom_url(r, "contact").is_none() {
            let absent = array(&r["contact"]).iter().any(has_data_absent_reason);
            if absent {
                self.add(
                    Severity::Info,
                    "data-absent",
                    ptr(i, "/resource/contact"),
                    "Developer contact is marked unknown (data-absent-reason).",
                );
            } else {
                self.add(
                    Severity::Error,
                    "endpoint-contact",
                    ptr(i, "/resource/contact"),
                    "Endpoint has no developer contact URL (a contact with system \"url\").",
                );
            }
        }
        self.endpoints.push((i, id));
    }

    fn resolve(&self, kind: &str, reference: &str) -> Option<String> {
        self.refs.resolve(kind, reference)
    }

    pub fn finish(self, header: &Header) -> Vec<Finding> {
        self.finish_counted(header).0
    }

    /// The findings (at most `MAX_FINDINGS`, then one saying how many more there were) and the
    /// count of every finding by severity.
    pub fn finish_counted(mut self, header: &Header) -> (Vec<Finding>, [u32; 3]) {
        self.bundle_checks(header);
        for org in std::mem::take(&mut self.orgs) {
            self.check_org(&org);
        }
        self.final_checks()
    }

    /// A validator that keeps no Organization's references: the caller reads the bundle a
    /// second time and hands each entry to `references`, in order, between `start_references`
    /// and `finish_references`. The findings are the same as `finish_counted`'s, in the same
    /// order, without holding a national directory's references in memory.
    pub fn deferring() -> Self {
        Validator { defer: true, ..Default::default() }
    }

    pub fn start_references(&mut self, header: &Header) {
        self.bundle_checks(header);
    }

    /// One entry of the second reading (every entry, in order).
    pub fn references(&mut self, index: usize, entry: &Value) {
        let r = &entry["resource"];
        if r["resourceType"].as_str() != Some("Organization") {
            return;
        }
        if let Some(id) = resource_id(r) {
            self.check_org(&org_info(index, id, r));
        }
    }

    pub fn finish_references(self) -> (Vec<Finding>, [u32; 3]) {
        self.final_checks()
    }

    fn bundle_checks(&mut self, header: &Header) {
        let f = &header.fields;
        if f.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
            self.add(
                Severity::Error,
                "bundle-type",
                "/resourceType".into(),
                "Document is not a FHIR Bundle (resourceType must be \"Bundle\").",
            );
        }
        if f.get("type").and_then(Value::as_str) != Some("collection") {
            self.add(Severity::Error, "bundle-type", "/type".into(), "Bundle.type must be \"collection\".");
        }
        if header.item_count.unwrap_or(0) == 0 {
            // An empty collection is a valid Bundle (what an empty directory publishes): worth a
            // warning, since it lists no brands, but not an error.
            self.add(Severity::Warning, "bundle-empty", "/entry".into(), "Bundle has no entries: it lists no brands.");
        }
        if f.get("timestamp").and_then(Value::as_str).is_none() {
            self.add(Severity::Error, "bundle-timestamp", "/timestamp".into(), "Bundle has no timestamp.");
        }
        if f.get("meta").and_then(|m| m.get("lastUpdated")).and_then(Value::as_str).is_none() {
            self.add(
                Severity::Warning,
                "bundle-last-updated",
                "/meta/lastUpdated".into(),
                "Bundle has no meta.lastUpdated.",
            );
        }
    }

    /// One Organization's references: to Endpoints (and its portals' to ones it lists) and to
    /// its parent.
    fn check_org(&mut self, org: &OrgInfo) {
        let mut own = HashSet::new();
        for (n, r) in org.endpoint_refs.iter().enumerate() {
            match self.resolve("Endpoint", r) {
                Some(id) => {
                    let key = self.refs.key(&id);
                    own.insert(key);
                    self.referenced.insert(key);
                }
                None => self.add(
                    Severity::Error,
                    "reference",
                    ptr(org.index, &format!("/resource/endpoint/{n}")),
                    format!("Reference \"{r}\" does not resolve to an Endpoint in this bundle."),
                ),
            }
        }
        for (pn, sn, r) in &org.portal_refs {
            let p = ptr(org.index, &format!("/resource/extension/{pn}/extension/{sn}"));
            match self.resolve("Endpoint", r) {
                Some(id) if !own.contains(&self.refs.key(&id)) => self.add(
                    Severity::Error,
                    "uab-1",
                    p,
                    format!("portalEndpoint \"{r}\" must also appear in Organization.endpoint (uab-1)."),
                ),
                Some(id) => {
                    self.referenced.insert(self.refs.key(&id));
                }
                None => self.add(
                    Severity::Error,
                    "reference",
                    p,
                    format!("portalEndpoint \"{r}\" does not resolve to an Endpoint in this bundle."),
                ),
            }
        }
        let parent = match &org.part_of {
            Some(r) => match self.resolve("Organization", r) {
                Some(id) => Some(id),
                None => {
                    self.add(
                        Severity::Error,
                        "reference",
                        ptr(org.index, "/resource/partOf"),
                        format!("partOf \"{r}\" does not resolve to an Organization in this bundle."),
                    );
                    None
                }
            },
            None => None,
        };
        if let Some(parent) = parent {
            self.with_parent.insert(self.refs.key(&org.id));
            self.children.push((org.index, self.refs.key(&parent)));
        }
    }

    /// The checks that need every Organization: the hierarchy's depth and unlisted Endpoints;
    /// then the findings in order of severity, with a note of those left out.
    fn final_checks(mut self) -> (Vec<Finding>, [u32; 3]) {
        for (index, parent) in std::mem::take(&mut self.children) {
            if self.with_parent.contains(&parent) {
                self.add(
                    Severity::Error,
                    "brand-depth",
                    ptr(index, "/resource/partOf"),
                    "Brand hierarchy is deeper than two levels (this brand's parent has a parent).",
                );
            }
        }
        let endpoints = std::mem::take(&mut self.endpoints);
        for (i, id) in &endpoints {
            if !self.referenced.contains(&self.refs.key(id)) {
                self.add(
                    Severity::Error,
                    "endpoint-unreferenced",
                    ptr(*i, ""),
                    format!("Endpoint/{id} is not referenced by any Organization."),
                );
            }
        }
        self.findings.sort_by(|a, b| a.severity.cmp(&b.severity));
        let total: u32 = self.counts.iter().sum();
        let omitted = total.saturating_sub(self.findings.len() as u32);
        if omitted > 0 {
            self.findings.push(Finding {
                severity: Severity::Info,
                rule: "findings-truncated".into(),
                pointer: String::new(),
                message: format!(
                    "{omitted} more findings are not listed (at most {MAX_PER_RULE} per rule and {MAX_FINDINGS} in all are); `signpost validate FILE` lists them all."
                ),
            });
        }
        (self.findings, self.counts)
    }

    pub fn counts(&self) -> (u32, u32) {
        (self.orgs.len() as u32, self.endpoints.len() as u32)
    }
}

/// Validates a whole bundle from a reader, streaming its entries, keeping at most
/// `MAX_FINDINGS` findings (all are counted).
pub fn validate_reader<R: Read>(reader: R) -> ValidationReport {
    validate_with(reader, Validator::default())
}

/// The same, keeping every finding: for the command line, on the operator's own files.
pub fn validate_reader_all<R: Read>(reader: R) -> ValidationReport {
    validate_with(reader, Validator { unlimited: true, ..Validator::default() })
}

fn validate_with<R: Read>(reader: R, mut v: Validator) -> ValidationReport {
    match read_streaming(reader, "entry", |i, entry| {
        v.entry(i, &entry);
        Ok(())
    }) {
        Ok(header) => {
            let (orgs, endpoints) = v.counts();
            let (findings, [errors, warnings, infos]) = v.finish_counted(&header);
            ValidationReport { organizations: orgs, endpoints, errors, warnings, infos, findings, fatal: None }
        }
        Err(e) => ValidationReport { fatal: Some(format!("Not a readable JSON document: {e}")), ..Default::default() },
    }
}

/// Validates a document held as text (the Validate page, the JSON API), refusing one larger
/// than `max_bytes` before reading it.
pub fn validate_text(text: &str, max_bytes: usize) -> ValidationReport {
    if text.len() > max_bytes {
        return ValidationReport {
            fatal: Some(format!(
                "The bundle is {} bytes; the limit here is {} bytes. Use `signpost validate` for larger files.",
                text.len(),
                max_bytes
            )),
            ..Default::default()
        };
    }
    if text.trim().is_empty() {
        return ValidationReport {
            fatal: Some("Nothing to validate: paste a bundle or choose a file.".into()),
            ..Default::default()
        };
    }
    validate_reader(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(path: &str) -> std::fs::File {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/");
        std::fs::File::open(format!("{root}{path}")).expect("fixture (../shared beside the repo)")
    }

    fn rules(doc: &Value) -> Vec<(Severity, String, String)> {
        let report = validate_reader(serde_json::to_vec(doc).unwrap().as_slice());
        assert!(report.fatal.is_none(), "{:?}", report.fatal);
        report.findings.into_iter().map(|f| (f.severity, f.rule, f.pointer)).collect()
    }

    fn has(found: &[(Severity, String, String)], sev: Severity, rule: &str, pointer: &str) -> bool {
        found.iter().any(|(s, r, p)| *s == sev && r == rule && p == pointer)
    }

    /// A minimal bundle that passes every rule; each test breaks one thing.
    fn good() -> Value {
        json!({
            "resourceType": "Bundle", "type": "collection", "timestamp": "2026-01-01T00:00:00Z",
            "meta": {"lastUpdated": "2026-01-01T00:00:00Z"},
            "entry": [
                {"fullUrl": "https://x.org/Organization/o1", "resource": {
                    "resourceType": "Organization", "id": "o1", "name": "Acme Health Plan",
                    "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "ins"}]}],
                    "telecom": [{"system": "url", "value": "https://acme.example"}],
                    "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
                    "endpoint": [{"reference": "Endpoint/e1"}]}},
                {"fullUrl": "https://x.org/Endpoint/e1", "resource": {
                    "resourceType": "Endpoint", "id": "e1", "status": "active", "address": "https://fhir.acme.example/r4",
                    "connectionType": {"system": "http://terminology.hl7.org/CodeSystem/endpoint-connection-type", "code": "hl7-fhir-rest"},
                    "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/endpoint-fhir-version", "valueCode": "4.0.1"}],
                    "contact": [{"system": "url", "value": "https://dev.acme.example"}]}}
            ]
        })
    }

    #[test]
    fn a_good_bundle_has_no_findings() {
        assert_eq!(rules(&good()), vec![]);
    }

    #[test]
    fn spec_examples_have_no_errors() {
        for f in ["brands/smart-spec-example1.json", "brands/smart-spec-example2.json"] {
            let report = validate_reader(std::io::BufReader::new(fixture(f)));
            assert_eq!(report.errors, 0, "{f}: {:?}", report.findings);
            // The spec's own examples omit meta.lastUpdated: a warning, not an error.
            assert!(report.findings.iter().any(|x| x.rule == "bundle-last-updated" && x.severity == Severity::Warning));
        }
    }

    #[test]
    fn oracle_bundle_reports_what_it_lacks() {
        let report = validate_reader_all(std::io::BufReader::new(fixture("brands/oracle-millennium-patient-r4.json")));
        assert_eq!((report.organizations, report.endpoints), (1359, 1359));
        let count = |rule: &str| report.findings.iter().filter(|f| f.rule == rule).count();
        assert_eq!(count("org-website"), 1359);
        assert_eq!(count("endpoint-fhir-version"), 1359);
        assert_eq!(count("endpoint-contact"), 1359);
        assert_eq!(count("bundle-timestamp"), 1);
        assert_eq!(count("endpoint-unreferenced"), 0);
        assert_eq!(count("reference"), 0);
    }

    #[test]
    fn bundle_level_rules() {
        let mut b = good();
        b["type"] = json!("searchset");
        b.as_object_mut().unwrap().remove("timestamp");
        b.as_object_mut().unwrap().remove("meta");
        let f = rules(&b);
        assert!(has(&f, Severity::Error, "bundle-type", "/type"));
        assert!(has(&f, Severity::Error, "bundle-timestamp", "/timestamp"));
        assert!(has(&f, Severity::Warning, "bundle-last-updated", "/meta/lastUpdated"));
        let f = rules(
            &json!({"resourceType": "Bundle", "type": "collection", "timestamp": "2026-01-01T00:00:00Z", "entry": []}),
        );
        assert!(has(&f, Severity::Warning, "bundle-empty", "/entry"));
        let f = rules(&json!({"resourceType": "Patient"}));
        assert!(has(&f, Severity::Error, "bundle-type", "/resourceType"));
    }

    #[test]
    fn organization_rules() {
        let mut b = good();
        let org = &mut b["entry"][0]["resource"];
        org.as_object_mut().unwrap().remove("name");
        org["telecom"] = json!([{"system": "phone", "value": "555"}]);
        org["type"] = json!([{"coding": [{"code": "hospital"}]}]);
        org["identifier"] = json!([{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567890"}, {"system": "urn:ietf:rfc:3986", "value": "not a uri"}, {"value": "x"}]);
        let f = rules(&b);
        assert!(has(&f, Severity::Error, "org-name", "/entry/0/resource/name"));
        assert!(has(&f, Severity::Error, "org-website", "/entry/0/resource/telecom"));
        assert!(has(&f, Severity::Warning, "org-category", "/entry/0/resource/type/0"));
        assert!(has(&f, Severity::Error, "identifier", "/entry/0/resource/identifier/0"));
        assert!(has(&f, Severity::Error, "identifier", "/entry/0/resource/identifier/1"));
        assert!(has(&f, Severity::Error, "identifier", "/entry/0/resource/identifier/2"));
    }

    #[test]
    fn data_absent_reason_is_accepted_as_info() {
        let mut b = good();
        let dar = json!({"extension": [{"url": DATA_ABSENT_REASON, "valueCode": "asked-unknown"}]});
        b["entry"][0]["resource"]["telecom"] = json!([{"system": "url", "_value": dar}]);
        b["entry"][1]["resource"]["contact"] = json!([{"system": "url", "_value": dar}]);
        b["entry"][1]["resource"]["extension"] =
            json!([{"url": "http://hl7.org/fhir/StructureDefinition/endpoint-fhir-version", "_valueCode": dar}]);
        let f = rules(&b);
        assert_eq!(f.iter().filter(|x| x.0 == Severity::Error).count(), 0, "{f:?}");
        assert_eq!(f.iter().filter(|x| x.1 == "data-absent").count(), 3);
    }

    #[test]
    fn endpoint_rules() {
        let mut b = good();
        let ep = &mut b["entry"][1]["resource"];
        ep["address"] = json!("http://fhir.acme.example/r4");
        ep["connectionType"] = json!({"code": "direct-project"});
        ep["payloadType"] = json!([{"text": "a"}, {"text": "b"}]);
        ep["extension"] = json!([]);
        ep["contact"] = json!([{"system": "email", "value": "a@b.c"}]);
        ep.as_object_mut().unwrap().remove("status");
        let f = rules(&b);
        for rule in [
            "endpoint-https",
            "endpoint-connection-type",
            "endpoint-payload-type",
            "endpoint-fhir-version",
            "endpoint-contact",
            "endpoint-status",
        ] {
            assert!(
                f.iter().any(|x| x.0 == Severity::Error && x.1 == rule && x.2.starts_with("/entry/1/resource")),
                "{rule}: {f:?}"
            );
        }
        b["entry"][1]["resource"]["address"] = json!("not a url");
        assert!(has(&rules(&b), Severity::Error, "endpoint-address", "/entry/1/resource/address"));
    }

    #[test]
    fn reference_rules() {
        let mut b = good();
        b["entry"][0]["resource"]["endpoint"] = json!([{"reference": "Endpoint/missing"}]);
        let f = rules(&b);
        assert!(has(&f, Severity::Error, "reference", "/entry/0/resource/endpoint/0"));
        assert!(has(&f, Severity::Error, "endpoint-unreferenced", "/entry/1"));

        let mut b = good();
        b["entry"][0]["resource"]["endpoint"] = json!([{"reference": "https://x.org/Endpoint/e1"}]);
        assert_eq!(rules(&b), vec![], "fullUrl references resolve");
    }

    #[test]
    fn portal_endpoint_must_be_listed_on_the_organization_uab_1() {
        let mut b = good();
        let e2 = json!({"fullUrl": "https://x.org/Endpoint/e2", "resource": {"resourceType": "Endpoint", "id": "e2"}});
        b["entry"].as_array_mut().unwrap().push(e2);
        b["entry"][0]["resource"]["extension"] = json!([{"url": "http://hl7.org/fhir/StructureDefinition/organization-portal",
            "extension": [{"url": "portalName", "valueString": "P"}, {"url": "portalEndpoint", "valueReference": {"reference": "Endpoint/e2"}}]}]);
        let f = rules(&b);
        assert!(has(&f, Severity::Error, "uab-1", "/entry/0/resource/extension/0/extension/1"), "{f:?}");
    }

    #[test]
    fn hierarchy_depth_and_duplicates() {
        let mut b = good();
        let entries = b["entry"].as_array_mut().unwrap();
        for (id, parent) in [("o2", "o1"), ("o3", "o2")] {
            let mut o = entries[0].clone();
            o["fullUrl"] = json!(format!("https://x.org/Organization/{id}"));
            o["resource"]["id"] = json!(id);
            o["resource"]["partOf"] = json!({"reference": format!("Organization/{parent}")});
            entries.push(o);
        }
        entries.push(entries[1].clone());
        let f = rules(&b);
        assert!(has(&f, Severity::Error, "brand-depth", "/entry/3/resource/partOf"), "{f:?}");
        assert!(!f.iter().any(|x| x.1 == "brand-depth" && x.2 == "/entry/2/resource/partOf"));
        assert!(has(&f, Severity::Error, "duplicate-id", "/entry/4/resource/id"));
        // A second o3 with no partOf: it is a duplicate, and its own entry has no parent to
        // be too deep under; the first o3 still is.
        let mut twin = entries_of(&b)[3].clone();
        twin["resource"].as_object_mut().unwrap().remove("partOf");
        b["entry"].as_array_mut().unwrap().push(twin);
        let f = rules(&b);
        assert!(has(&f, Severity::Error, "brand-depth", "/entry/3/resource/partOf"), "{f:?}");
        assert!(!f.iter().any(|x| x.1 == "brand-depth" && x.2 == "/entry/5/resource/partOf"), "{f:?}");
        assert!(has(&f, Severity::Error, "duplicate-id", "/entry/5/resource/id"));
    }

    fn entries_of(b: &Value) -> &Vec<Value> {
        b["entry"].as_array().unwrap()
    }

    #[test]
    fn an_id_longer_than_fhir_allows_is_an_error_and_is_not_kept() {
        let mut b = good();
        let long = "e".repeat(MAX_ID + 1);
        b["entry"][1]["resource"]["id"] = json!(long);
        b["entry"][0]["resource"]["endpoint"] = json!([{"reference": format!("Endpoint/{long}")}]);
        let f = rules(&b);
        assert!(has(&f, Severity::Error, "resource-id", "/entry/1/resource/id"), "{f:?}");
        assert!(has(&f, Severity::Error, "reference", "/entry/0/resource/endpoint/0"), "{f:?}");
        let dir = crate::import::brands::read(serde_json::to_vec(&b).unwrap().as_slice()).unwrap();
        assert_eq!(dir.endpoints[0].resource_id, "entry-1");
        b["entry"][1]["resource"]["id"] = json!("e".repeat(MAX_ID));
        b["entry"][1]["fullUrl"] = json!(format!("https://x.org/Endpoint/{}", "e".repeat(MAX_ID)));
        b["entry"][0]["resource"]["endpoint"] = json!([{"reference": format!("Endpoint/{}", "e".repeat(MAX_ID))}]);
        assert_eq!(rules(&b), vec![], "64 characters are allowed");
    }

    #[test]
    fn unreadable_documents_are_fatal() {
        let r = validate_reader(&b"{\"entry\": [ oops ]}"[..]);
        assert!(r.fatal.as_deref().unwrap().contains("line 1"), "{:?}", r.fatal);
        assert!(!r.is_valid());
    }

    #[test]
    fn text_size_is_limited() {
        let r = validate_text(&" ".repeat(100), 10);
        assert!(r.fatal.unwrap().contains("limit"));
        assert!(validate_text("  ", 10).fatal.unwrap().contains("Nothing"));
    }

    #[test]
    fn findings_stop_at_the_cap_and_count_the_rest() {
        // 4 MB of `0,` entries once produced a 213 MB report.
        let entries = vec!["0"; 50_000].join(",");
        let doc = format!(
            r#"{{"resourceType":"Bundle","type":"collection","timestamp":"2026-01-01T00:00:00Z","entry":[{entries}]}}"#
        );
        let r = validate_text(&doc, 10 * 1024 * 1024);
        assert_eq!(r.errors, 50_000, "every finding is counted");
        assert_eq!(r.findings.iter().filter(|f| f.rule == "entry-resource").count(), MAX_PER_RULE as usize);
        let last = r.findings.last().unwrap();
        assert_eq!(last.rule, "findings-truncated");
        assert!(last.message.starts_with("49900 more"), "{}", last.message);
        // The same bundle capped per rule keeps room for other rules' findings.
        let oracle = validate_reader(std::io::BufReader::new(fixture("brands/oracle-millennium-patient-r4.json")));
        for rule in ["org-website", "endpoint-fhir-version", "endpoint-contact", "bundle-timestamp"] {
            assert!(oracle.findings.iter().any(|f| f.rule == rule), "{rule}");
        }
        assert!(oracle.findings.len() <= MAX_FINDINGS + 1);
        assert_eq!(
            oracle.errors,
            validate_reader_all(std::io::BufReader::new(fixture("brands/oracle-millennium-patient-r4.json"))).errors
        );
    }

    #[test]
    fn unsafe_links_are_errors_at_their_pointer() {
        let mut doc = good();
        doc["entry"][0]["resource"]["telecom"] = json!([{"system": "url", "value": "javascript:alert(1)"}]);
        doc["entry"][1]["resource"]["contact"] = json!([{"system": "url", "value": "vbscript:x"}]);
        let f = rules(&doc);
        assert!(has(&f, Severity::Error, "unsafe-link", "/entry/0/resource/telecom/0/value"), "{f:?}");
        assert!(has(&f, Severity::Error, "unsafe-link", "/entry/1/resource/contact/0/value"), "{f:?}");
        assert!(!has(&rules(&good()), Severity::Error, "unsafe-link", "/entry/0/resource/telecom/0/value"));
    }

    #[test]
    fn npi_check_digit() {
        assert!(npi_is_valid("1234567893"));
        assert!(!npi_is_valid("1234567890"));
        assert!(!npi_is_valid("123456789"));
    }
}
