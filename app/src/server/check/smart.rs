//! Reads `.well-known/smart-configuration`.
use crate::types::check::SmartFacts;
use serde_json::Value;

fn strings(v: &Value, key: &str) -> Option<Vec<String>> {
    v.get(key).and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

pub fn read_smart(doc: &Value) -> Result<SmartFacts, String> {
    if !doc.is_object() {
        return Err("the smart-configuration is not a JSON object".into());
    }
    let facts = SmartFacts {
        capabilities: strings(doc, "capabilities").unwrap_or_default(),
        authorization_endpoint: text(doc, "authorization_endpoint"),
        token_endpoint: text(doc, "token_endpoint"),
        scopes_supported: strings(doc, "scopes_supported"),
        user_access_brand_bundle: text(doc, "user_access_brand_bundle"),
        user_access_brand_identifier: text(doc, "user_access_brand_identifier"),
    };
    if facts.token_endpoint.is_none() && facts.capabilities.is_empty() {
        return Err("neither token_endpoint nor capabilities is present".into());
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/../../shared/fixtures/smart/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))).unwrap()
    }

    #[test]
    fn reads_cerner_and_a_sandbox() {
        let c = read_smart(&fixture("cerner-smart-configuration.json")).unwrap();
        assert!(c.capabilities.iter().any(|x| x == "launch-standalone"));
        assert!(c.scopes_supported.as_ref().unwrap().iter().any(|s| s == "patient/Coverage.read"));
        assert!(c.token_endpoint.unwrap().ends_with("/token"));
        let s = read_smart(&fixture("sandbox-smart-configuration.json")).unwrap();
        assert_eq!(s.scopes_supported.unwrap(), vec!["system/*.read"]);
        assert!(s.authorization_endpoint.is_some());
    }

    #[test]
    fn a_document_without_the_basics_is_refused() {
        assert!(read_smart(&serde_json::json!({"issuer": "x"})).is_err());
        assert!(read_smart(&serde_json::json!("text")).is_err());
    }
}
