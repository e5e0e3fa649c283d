//! Reads a CapabilityStatement (R4, STU3) or Conformance (DSTU2) into the facts a directory user
//! needs. Real servers disagree on details, so every field is optional.
use crate::types::check::MetadataFacts;
use serde_json::Value;

const OAUTH_URIS: &str = "StructureDefinition/oauth-uris";

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// `Err` with the reason when the JSON is not a capability statement.
pub fn read_metadata(doc: &Value) -> Result<MetadataFacts, String> {
    let resource_type = doc.get("resourceType").and_then(Value::as_str).unwrap_or_default();
    if !matches!(resource_type, "CapabilityStatement" | "Conformance") {
        return Err(if resource_type.is_empty() {
            "the JSON has no resourceType".into()
        } else {
            format!("resourceType is {resource_type}, not CapabilityStatement")
        });
    }
    let mut facts = MetadataFacts {
        resource_type: resource_type.into(),
        fhir_version: text(doc, "fhirVersion"),
        software_name: doc.get("software").and_then(|s| text(s, "name")),
        software_version: doc.get("software").and_then(|s| text(s, "version")),
        implementation: doc.get("implementation").and_then(|i| text(i, "description").or_else(|| text(i, "url"))),
        formats: doc
            .get("format")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default(),
        ..MetadataFacts::default()
    };
    let servers = doc
        .get("rest")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get("mode").and_then(Value::as_str) != Some("client"));
    for rest in servers {
        if let Some(security) = rest.get("security") {
            if let Some(cors) = security.get("cors").and_then(Value::as_bool) {
                facts.cors_declared = Some(cors);
            }
            let oauth = security
                .get("extension")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|e| e.get("url").and_then(Value::as_str).is_some_and(|u| u.ends_with(OAUTH_URIS)));
            for ext in oauth.and_then(|o| o.get("extension")).and_then(Value::as_array).into_iter().flatten() {
                let uri = text(ext, "valueUri").or_else(|| text(ext, "valueUrl"));
                match ext.get("url").and_then(Value::as_str) {
                    Some("authorize") => facts.authorize_url = facts.authorize_url.take().or(uri),
                    Some("token") => facts.token_url = facts.token_url.take().or(uri),
                    _ => {}
                }
            }
        }
        for resource in rest.get("resource").and_then(Value::as_array).into_iter().flatten() {
            if let Some(t) = resource.get("type").and_then(Value::as_str) {
                if !facts.resource_types.iter().any(|have| have == t) {
                    facts.resource_types.push(t.to_string());
                }
            }
        }
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/../../shared/fixtures/capability/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))).unwrap()
    }

    #[test]
    fn reads_dstu2_conformance_from_cerner() {
        let f = read_metadata(&fixture("cerner-dstu2.json")).unwrap();
        assert_eq!(f.resource_type, "Conformance");
        assert_eq!(f.fhir_version.as_deref(), Some("1.0.2"));
        assert!(f.authorize_url.as_deref().unwrap().contains("/personas/patient/authorize"));
        assert!(f.token_url.as_deref().unwrap().ends_with("/token"));
        assert!(f.resource_types.iter().any(|t| t == "Patient"));
        assert!(!f.resource_types.iter().any(|t| t == "ExplanationOfBenefit"));
    }

    #[test]
    fn reads_stu3_capability_statement_from_epic() {
        let f = read_metadata(&fixture("epic-stu3.json")).unwrap();
        assert_eq!(f.resource_type, "CapabilityStatement");
        assert_eq!(f.fhir_version.as_deref(), Some("3.0.1"));
        assert_eq!(f.software_name.as_deref(), Some("February 2019"));
        assert_eq!(f.software_version.as_deref(), Some("8.7.0.1"));
        assert_eq!(f.cors_declared, Some(true));
        assert_eq!(f.formats, vec!["xml", "json"]);
        assert_eq!(f.authorize_url.as_deref(), Some("https://iconnect-fhir.cooperhealth.edu/fhir/oauth2/authorize"));
        assert!(f.resource_types.iter().any(|t| t == "Organization"));
    }

    #[test]
    fn reads_r4_without_oauth_extension() {
        let f = read_metadata(&fixture("r4-sample.json")).unwrap();
        assert_eq!(f.fhir_version.as_deref(), Some("4.0.1"));
        assert_eq!(f.implementation.as_deref(), Some("main EHR at ACME"));
        assert_eq!(f.authorize_url, None);
        assert_eq!(f.resource_types, vec!["Patient", "Condition"]);
    }

    #[test]
    fn other_json_is_refused_with_the_reason() {
        assert!(read_metadata(&serde_json::json!({"resourceType": "Bundle"})).unwrap_err().contains("Bundle"));
        assert!(read_metadata(&serde_json::json!({"hello": 1})).unwrap_err().contains("no resourceType"));
        assert!(read_metadata(&serde_json::json!([1, 2])).is_err());
    }
}
