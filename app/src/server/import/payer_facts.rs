//! Payer platform facts (one JSON object per payer API: `fhir_base_url`, `sandbox_url`,
//! `developer_portal`, `support_email`, `oauth`, `states`, ...), as gathered by the fhir-gateway
//! project, turned into a SMART 2.2 brands Bundle. Their shape is not a standard, so this module
//! is the only place that reads it; the demo data ships the national and Blue payers this way.
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One platform file, with the facts the payer-publishing work will want kept at hand.
#[derive(Clone, Debug, Deserialize)]
pub struct PlatformFacts {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// `payer`, `government`, `sandbox`, `ehr`, `lab`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub fhir_base_url: String,
    #[serde(default)]
    pub sandbox_url: Option<String>,
    #[serde(default)]
    pub developer_portal: Option<String>,
    #[serde(default)]
    pub support_email: Option<String>,
    #[serde(default)]
    pub fhir_version: Option<String>,
    #[serde(default)]
    pub states: Vec<String>,
    #[serde(default)]
    pub payer_ids: Vec<String>,
    #[serde(default)]
    pub oauth: Value,
    #[serde(default)]
    pub notes: Option<String>,
    /// Named API base URLs (`patient_access_base`, `provider_directory_base`, …); some are
    /// relative paths or null, which the facts form refuses or skips.
    #[serde(default)]
    pub endpoints: BTreeMap<String, Value>,
}

fn absent() -> Value {
    json!({"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "asked-unknown"}]})
}

/// The API a file describes, from its id's suffix: `anthem-provider` is Anthem's provider
/// directory. A `-sandbox` file describes the sandbox of its payer's patient access API.
fn split_id(id: &str) -> (&str, &'static str, bool) {
    for (suffix, api) in
        [("-patient", "Patient Access"), ("-provider", "Provider Directory"), ("-formulary", "Formulary")]
    {
        if let Some(key) = id.strip_suffix(suffix) {
            return (key, api, false);
        }
    }
    match id.strip_suffix("-sandbox") {
        Some(key) => (key, "Patient Access", true),
        None => (id, "Patient Access", false),
    }
}

/// The FHIR version a file names ("R4", or a version number such as "4.0.1").
fn fhir_release(v: Option<&str>) -> Option<String> {
    let v = v?.trim();
    let numeric =
        v.split('.').count() == 3 && v.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if numeric {
        return Some(v.to_string());
    }
    match v.to_ascii_uppercase().as_str() {
        "R4" => Some("4.0.1"),
        "R4B" => Some("4.3.0"),
        "STU3" | "R3" => Some("3.0.2"),
        "DSTU2" | "R2" => Some("1.0.2"),
        _ => None,
    }
    .map(str::to_string)
}

/// "Anthem Blue Cross Blue Shield (Patient Access)" → "Anthem Blue Cross Blue Shield".
fn brand_name(name: &str) -> String {
    name.split(" (").next().unwrap_or(name).trim().to_string()
}

struct Api {
    label: &'static str,
    sandbox: bool,
    url: String,
    facts: PlatformFacts,
}

/// The identifier system of claims payer ids in the demo bundle.
pub const PAYER_ID_SYSTEM: &str = "https://signpost.invalid/sid/payer-id";

/// The payers (and government payers) among `files`, each a brand with its production and
/// sandbox endpoints; EHR, lab and other vendors' sandboxes are left out. `timestamp` dates the
/// bundle (the facts carry no date of their own).
pub fn brands_bundle(files: &[PlatformFacts], timestamp: &str) -> Value {
    let payer_keys: Vec<&str> =
        files.iter().filter(|f| f.kind == "payer" || f.kind == "government").map(|f| split_id(&f.id).0).collect();
    let mut groups: BTreeMap<String, Vec<Api>> = BTreeMap::new();
    for f in files {
        let (key, label, sandbox_file) = split_id(&f.id);
        if !payer_keys.contains(&key) {
            continue;
        }
        let apis = groups.entry(key.to_string()).or_default();
        let mut add = |url: &str, sandbox: bool| {
            let url = url.trim().to_string();
            if !url.is_empty() && !apis.iter().any(|a| a.url.trim_end_matches('/') == url.trim_end_matches('/')) {
                apis.push(Api { label, sandbox, url, facts: f.clone() });
            }
        };
        add(&f.fhir_base_url, sandbox_file);
        if let Some(s) = &f.sandbox_url {
            add(s, true);
        }
    }
    let mut entries = Vec::new();
    for (key, apis) in &groups {
        // The brand's own facts: its patient access production file, else any.
        let Some(main) = apis.iter().find(|a| !a.sandbox && a.label == "Patient Access").or(apis.first()) else {
            continue;
        };
        let f = &main.facts;
        let name = brand_name(&f.name);
        let mut aliases: Vec<String> = Vec::new();
        for a in f.display_name.iter().chain(f.aliases.iter()) {
            // Aliases that are only digits are payer ids: identifiers, not names.
            if !a.chars().all(|c| c.is_ascii_digit()) && *a != name && !aliases.contains(a) {
                aliases.push(a.clone());
            }
        }
        let mut endpoint_refs = Vec::new();
        for (n, api) in apis.iter().enumerate() {
            let id = format!("{key}-{n}");
            let env = if api.sandbox { "sandbox" } else { "production" };
            let mut contact = Vec::new();
            if let Some(p) = &api.facts.developer_portal {
                contact.push(json!({"system": "url", "value": p}));
            }
            if let Some(e) = &api.facts.support_email {
                contact.push(json!({"system": "email", "value": e}));
            }
            let mut endpoint = json!({
                "resourceType": "Endpoint",
                "id": id,
                "status": "active",
                "name": format!("{name} {} ({env})", api.label),
                "connectionType": {"system": "http://terminology.hl7.org/CodeSystem/endpoint-connection-type", "code": "hl7-fhir-rest"},
                "payloadType": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/endpoint-payload-type", "code": "none"}]}],
                "address": api.url,
                "contact": contact,
            });
            let version_url = "http://hl7.org/fhir/StructureDefinition/endpoint-fhir-version";
            // A file that names no version says so (the importer then reads a release from the
            // address, such as `/r4`, if it has one).
            endpoint["extension"] = match fhir_release(api.facts.fhir_version.as_deref()) {
                Some(v) => json!([{"url": version_url, "valueCode": v}]),
                None => json!([{"url": version_url, "_valueCode": absent()}]),
            };
            entries.push(
                json!({"fullUrl": format!("https://signpost.invalid/payers/Endpoint/{id}"), "resource": endpoint}),
            );
            endpoint_refs.push(id);
        }
        let reference = |id: &String| json!({"reference": format!("Endpoint/{id}")});
        let mut portal = vec![json!({"url": "portalName", "valueString": format!("{name} developer portal")})];
        if let Some(p) = &f.developer_portal {
            portal.push(json!({"url": "portalUrl", "valueUrl": p}));
        }
        if let Some(notes) = &f.notes {
            portal.push(json!({"url": "portalDescription", "valueMarkdown": notes}));
        }
        portal.extend(endpoint_refs.iter().map(|id| json!({"url": "portalEndpoint", "valueReference": reference(id)})));
        let mut org = json!({
            "resourceType": "Organization",
            "id": key,
            "active": true,
            "name": name,
            "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "ins"}]}],
            "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/organization-portal", "extension": portal}],
            "endpoint": endpoint_refs.iter().map(reference).collect::<Vec<_>>(),
        });
        if !aliases.is_empty() {
            org["alias"] = json!(aliases);
        }
        // Claims payer ids, as clearinghouses list them. No code system names them, so they get
        // one under the demo bundle's own `.invalid` base, as its fullUrls do.
        let payer_ids: Vec<serde_json::Value> = f
            .payer_ids
            .iter()
            .map(|id| json!({"type": {"text": "Payer ID"}, "system": PAYER_ID_SYSTEM, "value": id}))
            .collect();
        if !payer_ids.is_empty() {
            org["identifier"] = json!(payer_ids);
        }
        org["telecom"] = match &f.developer_portal {
            Some(p) => json!([{"system": "url", "value": p}]),
            None => json!([{"system": "url", "_value": absent()}]),
        };
        if !f.states.is_empty() {
            org["address"] = json!(f.states.iter().map(|s| json!({"state": s, "country": "US"})).collect::<Vec<_>>());
        }
        entries
            .push(json!({"fullUrl": format!("https://signpost.invalid/payers/Organization/{key}"), "resource": org}));
    }
    json!({
        "resourceType": "Bundle",
        "id": "signpost-payers",
        "meta": {"lastUpdated": timestamp},
        "type": "collection",
        "timestamp": timestamp,
        "entry": entries,
    })
}

/// Each payer's developer-portal facts as the facts form would be filled in (so they pass the
/// same parsing as a maintainer's): portal, sandbox, support address, the scopes its OAuth
/// facts list, and the API base URLs of its files (Patient Access, provider directory,
/// formulary). Keyed by the brand's resource id in `brands_bundle`.
pub fn developer_forms(files: &[PlatformFacts]) -> Vec<(String, Vec<(String, String)>)> {
    let mut by_key: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let payer = |f: &PlatformFacts| f.kind == "payer" || f.kind == "government";
    let keys: Vec<&str> = files.iter().filter(|f| payer(f)).map(|f| split_id(&f.id).0).collect();
    for f in files {
        let (key, label, sandbox) = split_id(&f.id);
        if !keys.contains(&key) {
            continue;
        }
        let form = by_key.entry(key.to_string()).or_default();
        let mut put = |name: &str, value: &str| {
            let value = value.trim();
            if !value.is_empty() && !form.iter().any(|(n, _)| n == name) {
                form.push((name.to_string(), value.to_string()));
            }
        };
        if let Some(p) = &f.developer_portal {
            put("developer_portal", p);
        }
        if let Some(e) = &f.support_email {
            put("support_email", e);
        }
        if let Some(s) = &f.sandbox_url {
            put("sandbox_url", s);
        }
        let kind = match label {
            "Provider Directory" => "provider-directory",
            "Formulary" => "formulary",
            _ => "patient-access",
        };
        if sandbox {
            put("sandbox_url", &f.fhir_base_url);
        } else {
            put(&format!("api-{kind}"), &f.fhir_base_url);
        }
        for (name, field) in
            [("patient_access_base", "patient-access"), ("provider_directory_base", "provider-directory")]
        {
            if let Some(url) = f.endpoints.get(name).and_then(Value::as_str).filter(|u| u.starts_with("https://")) {
                put(&format!("api-{field}"), url);
            }
        }
        let scopes = f.oauth.get("scopes_supported").or_else(|| f.oauth.get("scopes")).and_then(Value::as_array);
        if let Some(list) = scopes {
            let words: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
            put("scopes", &words.join(" "));
        }
    }
    by_key.into_iter().collect()
}

/// Reads a JSON array of platform files (the demo data's shape).
pub fn read_facts(text: &[u8]) -> Result<Vec<PlatformFacts>, String> {
    serde_json::from_slice(text).map_err(|e| format!("not a list of platform facts: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::validate::validate_reader;

    #[test]
    fn the_fixtures_developer_facts_pass_the_facts_form() {
        let forms = developer_forms(&fixtures());
        let humana = forms.iter().find(|(k, _)| k == "humana").expect("humana");
        let parsed = crate::types::developer::FactsForm { values: humana.1.clone() }.parse().expect("parses");
        assert_eq!(parsed.facts.developer_portal.unwrap().as_str(), "https://developers.humana.com/");
        assert_eq!(parsed.facts.sandbox_url.unwrap().as_str(), "https://sandbox-fhir.humana.com/api/");
        let kinds: Vec<&str> = parsed.apis.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(kinds, ["patient-access", "provider-directory"]);
        for (key, form) in &forms {
            let f = crate::types::developer::FactsForm { values: form.clone() };
            assert!(f.parse().is_ok(), "{key}: {:?}", f.parse());
        }
        assert!(!forms.iter().any(|(k, _)| k == "cerner"), "EHR vendors are not payers");
    }

    fn fixtures() -> Vec<PlatformFacts> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/payers");
        let mut files: Vec<PlatformFacts> = std::fs::read_dir(dir)
            .expect("../shared/fixtures/payers beside the repo")
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .map(|e| serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap())
            .collect();
        files.sort_by(|a, b| a.id.cmp(&b.id));
        files
    }

    #[test]
    fn the_payer_fixtures_make_a_valid_brands_bundle() {
        let bundle = brands_bundle(&fixtures(), "2026-11-01T00:00:00Z");
        let report = validate_reader(serde_json::to_vec(&bundle).unwrap().as_slice());
        assert_eq!(report.errors, 0, "{:#?}", report.findings);
        let orgs: Vec<&Value> = bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["resource"])
            .filter(|r| r["resourceType"] == "Organization")
            .collect();
        let names: Vec<&str> = orgs.iter().map(|o| o["name"].as_str().unwrap()).collect();
        for payer in ["Aetna", "Cigna", "Humana", "UnitedHealthcare", "Medicare", "Anthem Blue Cross Blue Shield"] {
            assert!(names.contains(&payer), "{payer} in {names:?}");
        }
        assert!(!names.iter().any(|n| n.contains("Epic") || n.contains("Cerner") || n.contains("Quest")), "{names:?}");
        // Aetna: production and its sandbox (from both its own file and aetna-sandbox), once each.
        let endpoints: Vec<&Value> = bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["resource"])
            .filter(|r| r["resourceType"] == "Endpoint")
            .collect();
        let aetna: Vec<&str> = endpoints
            .iter()
            .filter(|e| e["id"].as_str().unwrap().starts_with("aetna-"))
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(aetna, ["Aetna Patient Access (production)", "Aetna Patient Access (sandbox)"]);
        // Anthem's three APIs are endpoints of one brand, with its states.
        let anthem = orgs.iter().find(|o| o["id"] == "anthem").unwrap();
        assert_eq!(anthem["endpoint"].as_array().unwrap().len(), 3);
        assert!(anthem["address"].as_array().unwrap().iter().any(|a| a["state"] == "NY"));
    }
}
