//! What Signpost reads from documents an attacker may write: FHIR Patient Access Brands
//! bundles (SMART App Launch 2.2 and the older "service base URL" bundles), ONC Lantern's list
//! and the CMS State Medicaid Agency CSV, read into plain records; the validator; and the link
//! and report types they produce. A crate of its own, without the web stack or the database, so
//! the fuzz targets (`fuzz/`) build in minutes and the wire types reach the wasm build.
//!
//! The link, report and state types build everywhere; the readers need `ssr` (the default).
pub mod link;
pub mod states;
pub mod validation;

#[cfg(feature = "ssr")]
pub mod address;
#[cfg(feature = "ssr")]
pub mod extract;
#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
pub mod reader;
#[cfg(feature = "ssr")]
pub mod records;
#[cfg(feature = "ssr")]
pub mod references;
#[cfg(feature = "ssr")]
pub mod validate;

/// Extension URLs are matched by their last path segment, so the SMART 2.2 URLs
/// (`http://hl7.org/fhir/StructureDefinition/organization-brand`) and the Argonaut-era ones
/// (`http://fhir.org/argonaut/StructureDefinition/...`, `https://...`) read alike.
pub fn extension_is(url: &str, name: &str) -> bool {
    url.rsplit('/').next() == Some(name)
}

pub const EXT_BRAND: &str = "organization-brand";
pub const EXT_PORTAL: &str = "organization-portal";
pub const EXT_FHIR_VERSION: &str = "endpoint-fhir-version";
pub const DATA_ABSENT_REASON: &str = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";
pub const SYSTEM_URI: &str = "urn:ietf:rfc:3986";
pub const SYSTEM_NPI: &str = "http://hl7.org/fhir/sid/us-npi";
pub const CONNECTION_TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/endpoint-connection-type";
pub const ORG_TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/organization-type";

/// The brand categories of the SMART user-access-brand profile.
pub const CATEGORIES: [&str; 7] =
    ["prov", "ins", "laboratory", "imaging", "pharmacy", "health-information-network", "health-data-aggregator"];

/// A FHIR version code guessed from nothing but a release name in a URL path segment
/// ("/r4/", "/DSTU2/"). Each release name denotes exactly one published version, so this
/// is read from the data, not invented.
pub fn version_from_release_segment(address: &str) -> Option<&'static str> {
    let path = address.split("://").nth(1)?.split_once('/')?.1;
    path.split('/').find_map(|seg| match seg.to_ascii_lowercase().as_str() {
        "r4" => Some("4.0.1"),
        "stu3" | "r3" => Some("3.0.2"),
        "dstu2" | "r2" => Some("1.0.2"),
        "r4b" => Some("4.3.0"),
        "r5" => Some("5.0.0"),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_urls_match_by_name() {
        assert!(extension_is("http://hl7.org/fhir/StructureDefinition/organization-brand", EXT_BRAND));
        assert!(extension_is("http://fhir.org/argonaut/StructureDefinition/organization-brand", EXT_BRAND));
        assert!(!extension_is("http://example.org/organization-brand-x", EXT_BRAND));
    }

    #[test]
    fn release_segments() {
        assert_eq!(version_from_release_segment("https://fhir-myrecord.cerner.com/r4/abc/"), Some("4.0.1"));
        assert_eq!(version_from_release_segment("https://ehr.example.com/api/FHIR/DSTU2"), Some("1.0.2"));
        assert_eq!(version_from_release_segment("https://r4.example.com/fhir"), None);
    }
}
