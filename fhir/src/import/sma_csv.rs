//! The CMS State Medicaid Agency endpoint directory: a title row, a header row, then one row
//! per state with several API base URLs per cell. Columns are found by their header text, so a
//! reordered survey still reads.
use crate::address::EndpointAddress;
use crate::extract::dedup;
use crate::records::{Address, BrandRecord, Directory, EndpointRecord};
use crate::states::state_code;
use crate::validation::{Finding, Severity};
use std::io::BufRead;

/// (header text it starts with, which occurrence, endpoint kind label)
const URL_COLUMNS: [(&str, usize, &str); 5] = [
    ("Production Base URL for Claims Data", 0, "Patient Access: claims (CARIN Blue Button)"),
    ("Production Base URL for Member Health Data", 0, "Patient Access: member health data (PDex)"),
    ("Production Base URL for Formulary", 0, "Formulary"),
    ("Production Base URL for CHIP", 0, "Patient Access: CHIP"),
    ("Provider Directory Production Base URL", 0, "Provider Directory"),
];

fn clean(cell: &str) -> &str {
    cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}')
}

/// Every http(s) URL in a free-text cell.
pub fn urls_in(cell: &str) -> Vec<String> {
    cell.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter_map(|tok| {
            let start = tok.find("http://").or_else(|| tok.find("https://"))?;
            Some(tok[start..].trim_end_matches([',', ';', ')', '.', '"']).to_string())
        })
        .collect()
}

/// The base of a URL template: everything before the path segment holding the first `{`.
pub fn template_base(url: &str) -> Option<String> {
    let at = url.find('{')?;
    let cut = url[..at].rfind('/')?;
    let base = url[..cut].trim_end_matches('/');
    base.contains("://").then(|| base.to_string()).filter(|b| b.split("://").nth(1).is_some_and(|h| !h.is_empty()))
}

pub fn read<R: BufRead>(reader: R) -> Result<Directory, String> {
    let mut rows = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
    let mut records = rows.records();
    let mut next = |what: &str| -> Result<csv::StringRecord, String> {
        match records.next() {
            Some(Ok(r)) => Ok(r),
            Some(Err(e)) => Err(format!("{what}: {e}")),
            None => Err(format!("{what} is missing")),
        }
    };
    let _title = next("the title row")?;
    let headers = next("the header row")?;
    if clean(headers.get(0).unwrap_or("")) != "State" {
        return Err("row 2 must be the header row starting with \"State\"".into());
    }
    let find = |prefix: &str, nth: usize| {
        headers.iter().enumerate().filter(|(_, h)| clean(h).starts_with(prefix)).nth(nth).map(|(i, _)| i)
    };
    let url_cols: Vec<(usize, &str)> =
        URL_COLUMNS.iter().filter_map(|(p, n, label)| find(p, *n).map(|i| (i, *label))).collect();
    if url_cols.is_empty() {
        return Err("no \"Production Base URL\" columns in the header row".into());
    }
    let version_col = find("FHIR Version", 0);
    let provdir_version_col = find("FHIR Version", 1);
    let status_col = find("Status", 0);
    let contact_cols = [find("API Registration Info", 0), find("Developer Support Contact Info", 0)];

    let mut dir = Directory::default();
    drop(next);
    for (n, row) in records.enumerate() {
        let line = n + 3;
        let row = row.map_err(|e| format!("row {line}: {e}"))?;
        let state = clean(row.get(0).unwrap_or(""));
        if state.is_empty() {
            continue;
        }
        let code = state_code(state);
        if code.is_none() {
            dir.findings.push(Finding {
                severity: Severity::Warning,
                rule: "sma-state".into(),
                pointer: format!("/rows/{line}/State"),
                message: format!("\"{state}\" is not a known US state or territory."),
            });
        }
        let state_name = state.split(" (").next().unwrap_or(state);
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).map(clean).unwrap_or("");
        let version = |i: Option<usize>| {
            let v = cell(i).trim_start_matches('v');
            (v.split('.').count() == 3 && v.split('.').all(|p| p.parse::<u32>().is_ok())).then(|| v.to_string())
        };
        let active = cell(status_col).eq_ignore_ascii_case("active");
        let contact = contact_cols.iter().find_map(|c| urls_in(cell(*c)).into_iter().next());
        let mut refs = Vec::new();
        for (col, label) in &url_cols {
            for raw in urls_in(cell(Some(*col))) {
                // Some states list a URL template (`https://host/fhir/{resource}`): the FHIR base
                // is the part before the first placeholder.
                let raw = match template_base(&raw) {
                    Some(base) => {
                        dir.findings.push(Finding {
                            severity: Severity::Warning,
                            rule: "endpoint-template".into(),
                            pointer: format!("/rows/{line}/{}", clean(&headers[*col])),
                            message: format!("{raw} is a URL template; imported as its base {base}."),
                        });
                        base
                    }
                    None => raw,
                };
                let address = match EndpointAddress::parse(&raw) {
                    Ok(a) => a.as_str().to_string(),
                    Err(e) => {
                        dir.findings.push(Finding {
                            severity: Severity::Warning,
                            rule: "endpoint-address".into(),
                            pointer: format!("/rows/{line}/{}", clean(&headers[*col])),
                            message: format!("{raw}: {e}; skipped."),
                        });
                        continue;
                    }
                };
                let resource_id = format!("{state_name}|{address}");
                if refs.contains(&resource_id) {
                    continue;
                }
                let is_provdir = label.starts_with("Provider");
                dir.endpoints.push(EndpointRecord {
                    resource_id: resource_id.clone(),
                    address,
                    name: Some(format!("{state_name} Medicaid {label}")),
                    connection_type: "hl7-fhir-rest".into(),
                    payload_types: vec![],
                    fhir_versions: version(if is_provdir { provdir_version_col } else { version_col })
                        .into_iter()
                        .collect(),
                    contact_url: crate::link::WebUrl::parse_opt(contact.as_deref()).map(String::from),
                    status: if active || is_provdir { "active".into() } else { "off".into() },
                });
                refs.push(resource_id);
            }
        }
        dir.brands.push(BrandRecord {
            resource_id: state_name.to_string(),
            name: format!("{state_name} Medicaid"),
            aliases: vec![format!("{state_name} Medicaid Agency")],
            categories: dedup(vec!["ins".into()]),
            addresses: vec![Address {
                state: code.map(str::to_string),
                country: Some("US".into()),
                ..Default::default()
            }],
            active: true,
            endpoint_refs: refs,
            ..Default::default()
        });
    }
    if dir.brands.is_empty() {
        return Err("no state rows after the header row".into());
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_cms_directory() {
        let path =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/directories/cms-sma-endpoint-directory.csv");
        let dir = read(std::io::BufReader::new(std::fs::File::open(path).unwrap())).unwrap();
        assert_eq!(dir.brands.len(), 56);
        let al = dir.brands.iter().find(|b| b.name == "Alabama Medicaid").unwrap();
        assert_eq!(al.addresses[0].state.as_deref(), Some("AL"));
        let al_eps: Vec<_> = dir.endpoints.iter().filter(|e| al.endpoint_refs.contains(&e.resource_id)).collect();
        // The survey's "base URL" is really a resource URL: kept as given.
        assert_eq!(
            al_eps[0].address,
            "https://fhir.alabamaonehealthrecord.com/csp/healthshare/hsods/fhir/r4/ExplanationOfbenefits"
        );
        assert_eq!(al_eps.len(), 3);
        assert_eq!(al_eps[1].name.as_deref(), Some("Alabama Medicaid Provider Directory"));
        assert_eq!(al_eps[0].fhir_versions, vec!["4.0.1"]);
        let guam = dir.brands.iter().find(|b| b.resource_id == "Guam").unwrap();
        assert_eq!(guam.addresses[0].state.as_deref(), Some("GU"));
        // Connecticut lists `https://ct-dss-medicaid.convergent-pd.com/fhir/{resource}`.
        assert!(dir.endpoints.iter().any(|e| e.address == "https://ct-dss-medicaid.convergent-pd.com/fhir"));
        assert!(!dir.endpoints.iter().any(|e| e.address.contains('{') || e.address.contains("%7B")));
        assert!(dir.findings.iter().any(|f| f.rule == "endpoint-template" && f.message.contains("{resource}")));
    }

    #[test]
    fn url_templates_keep_their_base() {
        assert_eq!(template_base("https://h.org/fhir/{resource}").as_deref(), Some("https://h.org/fhir"));
        assert_eq!(template_base("https://h.org/{x}/y").as_deref(), Some("https://h.org"));
        assert_eq!(template_base("https://h.org/fhir"), None);
        assert_eq!(template_base("https://{tenant}.h.org/fhir"), None);
    }

    #[test]
    fn refuses_a_csv_of_another_shape() {
        let err = read(&b"a,b\nc,d\n"[..]).unwrap_err();
        assert!(err.contains("header row"), "{err}");
    }

    #[test]
    fn finds_urls_in_free_text() {
        assert_eq!(
            urls_in("Claims: https://a.org/r4, \n\nhttps://b.org/x)"),
            vec!["https://a.org/r4", "https://b.org/x"]
        );
    }
}
