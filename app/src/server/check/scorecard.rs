//! The CARIN IG for Blue Button conformance scorecard (seeds/002): the SMART core capabilities
//! and scopes it requires, and the resources a payer's CapabilityStatement must offer.
use crate::types::check::{MetadataFacts, ScoreItem, SmartFacts, Verdict};

pub const CAPABILITIES: &[&str] = &[
    "launch-standalone",
    "client-public",
    "client-confidential-symmetric",
    "sso-openid-connect",
    "context-standalone-patient",
    "permission-offline",
    "permission-patient",
    "permission-user",
];

pub const SCOPE_RESOURCES: &[&str] = &["ExplanationOfBenefit", "Coverage", "Patient", "Organization", "Practitioner"];
pub const PLAIN_SCOPES: &[&str] = &["openid", "fhirUser", "launch/patient"];
pub const RESOURCES: &[&str] = &["ExplanationOfBenefit", "Coverage", "Patient"];

/// Whether `supported` grants read access to `resource` for `level` (`patient` or `user`):
/// the SMART v1 `.read`, the v2 `.r`/`.rs`/`.cruds` forms, or a `*` wildcard.
fn grants_read(supported: &[String], level: &str, resource: &str) -> bool {
    supported.iter().any(|s| {
        let Some(rest) = s.strip_prefix(level).and_then(|r| r.strip_prefix('/')) else { return false };
        let Some((res, perms)) = rest.split_once('.') else { return false };
        (res == resource || res == "*")
            && (perms == "read" || perms == "*" || (perms.contains('r') && perms.chars().all(|c| "cruds".contains(c))))
    })
}

fn verdict(known: bool, pass: bool) -> Verdict {
    match (known, pass) {
        (false, _) => Verdict::Unknown,
        (true, true) => Verdict::Pass,
        (true, false) => Verdict::Fail,
    }
}

/// `smart` is `None` when the smart-configuration could not be read; a document that answered
/// but lacks an item fails it. `scopes_supported` is optional in SMART, so missing scopes are
/// unknown rather than failed.
pub fn scorecard(smart: Option<&SmartFacts>, metadata: Option<&MetadataFacts>) -> Vec<ScoreItem> {
    let mut items = Vec::new();
    for cap in CAPABILITIES {
        let pass = smart.is_some_and(|s| s.capabilities.iter().any(|c| c == cap));
        items.push(ScoreItem { key: format!("capability:{cap}"), verdict: verdict(smart.is_some(), pass) });
    }
    let scopes = smart.and_then(|s| s.scopes_supported.as_deref());
    for scope in PLAIN_SCOPES {
        let pass = scopes.is_some_and(|s| s.iter().any(|have| have == scope));
        items.push(ScoreItem { key: format!("scope:{scope}"), verdict: verdict(scopes.is_some(), pass) });
    }
    for level in ["patient", "user"] {
        for resource in SCOPE_RESOURCES {
            let pass = scopes.is_some_and(|s| grants_read(s, level, resource));
            items.push(ScoreItem {
                key: format!("scope:{level}/{resource}.read"),
                verdict: verdict(scopes.is_some(), pass),
            });
        }
    }
    for resource in RESOURCES {
        let pass = metadata.is_some_and(|m| m.resource_types.iter().any(|t| t == resource));
        items.push(ScoreItem { key: format!("resource:{resource}"), verdict: verdict(metadata.is_some(), pass) });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::check::smart::read_smart;

    fn find<'a>(items: &'a [ScoreItem], key: &str) -> &'a ScoreItem {
        items.iter().find(|i| i.key == key).unwrap_or_else(|| panic!("{key}"))
    }

    #[test]
    fn cerner_configuration_scores_as_published() {
        let path =
            format!("{}/../../shared/fixtures/smart/cerner-smart-configuration.json", env!("CARGO_MANIFEST_DIR"));
        let smart = read_smart(&serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()).unwrap();
        let items = scorecard(Some(&smart), None);
        assert_eq!(find(&items, "capability:launch-standalone").verdict, Verdict::Pass);
        // Cerner's document lists launch-ehr context, not context-standalone-patient.
        assert_eq!(find(&items, "capability:context-standalone-patient").verdict, Verdict::Fail);
        assert_eq!(find(&items, "capability:permission-offline").verdict, Verdict::Fail);
        assert_eq!(find(&items, "scope:openid").verdict, Verdict::Pass);
        assert_eq!(find(&items, "scope:patient/Coverage.read").verdict, Verdict::Pass);
        assert_eq!(find(&items, "resource:Coverage").verdict, Verdict::Unknown);
        assert_eq!(items.len(), CAPABILITIES.len() + PLAIN_SCOPES.len() + 2 * SCOPE_RESOURCES.len() + RESOURCES.len());
    }

    #[test]
    fn v2_and_wildcard_scopes_grant_read() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(grants_read(&s(&["patient/Coverage.rs"]), "patient", "Coverage"));
        assert!(grants_read(&s(&["patient/*.read"]), "patient", "Coverage"));
        assert!(grants_read(&s(&["user/*.*"]), "user", "Patient"));
        assert!(!grants_read(&s(&["patient/Coverage.c"]), "patient", "Coverage"));
        assert!(!grants_read(&s(&["system/*.read"]), "patient", "Coverage"));
        assert!(!grants_read(&s(&["patient/CoverageX.read"]), "patient", "Coverage"));
    }

    #[test]
    fn nothing_known_is_all_unknown() {
        assert!(scorecard(None, None).iter().all(|i| i.verdict == Verdict::Unknown));
    }
}
