use crate::address::EndpointAddress;
use crate::extract::str_of;
use crate::records::{Address, BrandRecord, Directory, EndpointRecord, Identifier, content_hash};
use crate::validation::{Finding, Severity};
use crate::{SYSTEM_NPI, version_from_release_segment};
use std::collections::HashSet;
use std::io::BufRead;

/// Reads an ONC Lantern endpoint list: one organization and its FHIR base URL per item.
pub fn read<R: BufRead>(reader: R) -> Result<Directory, String> {
    let mut dir = Directory::default();
    let mut endpoint_ids = HashSet::new();
    let mut brand_ids = HashSet::new();
    let header = crate::reader::read_streaming(reader, "Endpoints", |i, item| {
        let pointer = format!("/Endpoints/{i}");
        let Some(raw) = str_of(&item["URL"]) else {
            dir.findings.push(finding(
                Severity::Warning,
                "lantern-url",
                format!("{pointer}/URL"),
                "Item has no URL; skipped.",
            ));
            return Ok(());
        };
        let address = match EndpointAddress::parse(&raw) {
            Ok(a) => a,
            Err(e) => {
                dir.findings.push(finding(
                    Severity::Warning,
                    "lantern-url",
                    format!("{pointer}/URL"),
                    &format!("{e}; skipped."),
                ));
                return Ok(());
            }
        };
        let name = str_of(&item["OrganizationName"]).unwrap_or_default();
        if name.is_empty() {
            dir.findings.push(finding(
                Severity::Warning,
                "org-name",
                format!("{pointer}/OrganizationName"),
                "Item has no organization name.",
            ));
        }
        let endpoint_id = address.as_str().to_string();
        if endpoint_ids.insert(endpoint_id.clone()) {
            dir.endpoints.push(EndpointRecord {
                resource_id: endpoint_id.clone(),
                address: endpoint_id.clone(),
                name: None,
                connection_type: "hl7-fhir-rest".into(),
                payload_types: vec![],
                fhir_versions: version_from_release_segment(address.as_str()).map(str::to_string).into_iter().collect(),
                contact_url: None,
                status: "active".into(),
            });
        }
        let brand_id = content_hash(&(&name, &endpoint_id));
        if !brand_ids.insert(brand_id.clone()) {
            return Ok(());
        }
        let npi = str_of(&item["NPIID"]);
        dir.brands.push(BrandRecord {
            resource_id: brand_id,
            name,
            identifiers: npi
                .map(|v| Identifier { system: Some(SYSTEM_NPI.into()), value: Some(v) })
                .into_iter()
                .collect(),
            addresses: str_of(&item["OrganizationZipCode"])
                .map(|zip| Address { postal_code: Some(zip), country: Some("US".into()), ..Default::default() })
                .into_iter()
                .collect(),
            active: true,
            endpoint_refs: vec![endpoint_id],
            ..Default::default()
        });
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    if header.item_count.is_none() {
        return Err("the document has no \"Endpoints\" array".into());
    }
    Ok(dir)
}

fn finding(severity: Severity, rule: &str, pointer: String, message: &str) -> Finding {
    Finding { severity, rule: rule.into(), pointer, message: message.into() }
}
