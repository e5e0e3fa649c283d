use crate::extract::BundleCollector;
use crate::reader::read_streaming;
use crate::records::Directory;
use crate::validate::Validator;
use serde_json::Value;
use std::io::BufRead;

/// Reads a FHIR brands bundle, entry by entry, keeping every record it can and the findings of
/// the validator. Refuses only a document that is not JSON or not a Bundle.
pub fn read<R: BufRead>(reader: R) -> Result<Directory, String> {
    let mut collector = BundleCollector::default();
    let mut validator = Validator::default();
    let header = read_streaming(reader, "entry", |i, entry| {
        collector.add_entry(i, &entry);
        validator.entry(i, &entry);
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    match header.fields.get("resourceType").and_then(Value::as_str) {
        Some("Bundle") => {}
        Some(other) => return Err(format!("resourceType is \"{other}\", expected \"Bundle\"")),
        None => return Err("the document has no resourceType; expected a FHIR Bundle".into()),
    }
    let (findings, counts) = validator.finish_counted(&header);
    let (brands, endpoints) = collector.finish();
    Ok(Directory { brands, endpoints, findings, counts: Some(counts) })
}
