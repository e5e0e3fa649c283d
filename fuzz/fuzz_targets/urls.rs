//! URL normalization: endpoint addresses (the key a directory is merged on) and the web links
//! pages render. A normalized address normalizes to itself; a link kept is http(s).
#![no_main]
use libfuzzer_sys::fuzz_target;
use signpost_fhir::address::EndpointAddress;
use signpost_fhir::import::sma_csv::{template_base, urls_in};
use signpost_fhir::link::WebUrl;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(address) = EndpointAddress::parse(text) {
        let again = EndpointAddress::parse(address.as_str()).expect("a normalized address parses");
        assert_eq!(again.as_str(), address.as_str(), "normalizing is idempotent");
    }
    if let Ok(link) = WebUrl::parse(text) {
        let lower = link.as_str().to_ascii_lowercase();
        assert!(lower.starts_with("https://") || lower.starts_with("http://"), "{lower}");
    }
    for url in urls_in(text) {
        let _ = template_base(&url);
    }
});
