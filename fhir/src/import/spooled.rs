//! A brands bundle imported in bounded memory. The first reading copies the source to a
//! spool file while it validates each entry and indexes every resource id (16 bytes an id);
//! two more readings of the spool hand the writer the Endpoints, then the Organizations with
//! their references resolved, a batch at a time, and finish the validator's reference checks.
//! Nothing holds the whole directory, so a national one (a million brands, a gigabyte) needs
//! about what one batch does, plus the keys.
use crate::extract::{Record, entry_kind, record, resolve_brand, stored_id};
use crate::reader::{Header, read_streaming};
use crate::records::{BrandRecord, EndpointRecord};
use crate::references::ResourceIndex;
use crate::validate::Validator;
use crate::validation::Finding;
use serde_json::Value;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// Records as the writer takes them: every Endpoint batch comes before the first brand batch.
pub enum Batch {
    Endpoints(Vec<EndpointRecord>),
    Brands(Vec<BrandRecord>),
}

/// A bundle read once: valid enough to import, its ids indexed, its copy in the spool.
pub struct Scanned {
    spool: File,
    header: Header,
    index: ResourceIndex,
    validator: Validator,
    pub brands: usize,
    pub endpoints: usize,
}

/// Copies what passes through into the spool.
struct Tee<R> {
    inner: R,
    copy: BufWriter<File>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}

fn check_bundle(header: &Header) -> Result<(), String> {
    match header.fields.get("resourceType").and_then(Value::as_str) {
        Some("Bundle") => Ok(()),
        Some(other) => Err(format!("resourceType is \"{other}\", expected \"Bundle\"")),
        None => Err("the document has no resourceType; expected a FHIR Bundle".into()),
    }
}

/// The first reading: refuses, as `brands::read` does, only a document that is not JSON or
/// not a Bundle. `spool` is an empty file open for reading and writing.
pub fn scan<R: Read>(reader: R, spool: File) -> Result<Scanned, String> {
    // Buffered outside the tee, so it copies whole blocks (serde_json reads a byte at a time).
    let mut tee =
        BufReader::with_capacity(256 * 1024, Tee { inner: reader, copy: BufWriter::with_capacity(256 * 1024, spool) });
    let mut index = ResourceIndex::default();
    let mut validator = Validator::deferring();
    let (mut brands, mut endpoints) = (0, 0);
    let header = read_streaming(&mut tee, "entry", |i, entry| {
        if let Some(kind) = entry_kind(&entry) {
            stored_id(i, &entry, kind, &mut index);
            if kind == "Organization" { brands += 1 } else { endpoints += 1 }
        }
        validator.entry(i, &entry);
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    check_bundle(&header)?;
    let spool = tee.into_inner().copy.into_inner().map_err(|e| format!("could not write the spool: {}", e.error()))?;
    Ok(Scanned { spool, header, index, validator, brands, endpoints })
}

impl Scanned {
    /// Hands `on_batch` the records (batches of at most `size`), unless `records` is false
    /// (the source is unchanged and only its findings are wanted); then the findings, the same
    /// as `brands::read` gives, and every finding's count by severity.
    pub fn read_records(
        mut self,
        records: bool,
        size: usize,
        mut on_batch: impl FnMut(Batch) -> Result<(), String>,
    ) -> Result<(Vec<Finding>, [u32; 3]), String> {
        let size = size.max(1);
        if records {
            let mut seen = ResourceIndex::default();
            let mut batch = Vec::with_capacity(size);
            self.reread(|i, entry| {
                if entry_kind(&entry) == Some("Endpoint") {
                    let id = stored_id(i, &entry, "Endpoint", &mut seen);
                    if let Record::Endpoint(e) = record(id, &entry, "Endpoint") {
                        batch.push(e);
                    }
                    if batch.len() == size {
                        on_batch(Batch::Endpoints(std::mem::replace(&mut batch, Vec::with_capacity(size))))?;
                    }
                }
                Ok(())
            })?;
            if !batch.is_empty() {
                on_batch(Batch::Endpoints(batch))?;
            }
        }
        let mut validator = std::mem::take(&mut self.validator);
        validator.start_references(&self.header);
        let mut seen = ResourceIndex::default();
        let mut batch = Vec::with_capacity(if records { size } else { 0 });
        let index = std::mem::take(&mut self.index);
        self.reread(|i, entry| {
            validator.references(i, &entry);
            if records && entry_kind(&entry) == Some("Organization") {
                let id = stored_id(i, &entry, "Organization", &mut seen);
                if let Record::Brand(mut b) = record(id, &entry, "Organization") {
                    resolve_brand(&index, &mut b);
                    batch.push(b);
                }
                if batch.len() == size {
                    on_batch(Batch::Brands(std::mem::replace(&mut batch, Vec::with_capacity(size))))?;
                }
            }
            Ok(())
        })?;
        if !batch.is_empty() {
            on_batch(Batch::Brands(batch))?;
        }
        Ok(validator.finish_references())
    }

    /// Reads the spool again, entry by entry.
    fn reread(&mut self, on_entry: impl FnMut(usize, Value) -> Result<(), String>) -> Result<(), String> {
        self.spool.seek(SeekFrom::Start(0)).map_err(|e| format!("could not read the spool: {e}"))?;
        let reader = BufReader::with_capacity(256 * 1024, &mut self.spool);
        read_streaming(reader, "entry", on_entry).map(|_| ()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::brands;
    use crate::records::Directory;

    fn fixture(path: &str) -> Vec<u8> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/");
        std::fs::read(format!("{root}{path}")).expect("fixture (../shared beside the repo)")
    }

    fn spool() -> File {
        let path = std::env::temp_dir().join(format!(
            "signpost-spool-test-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let file = File::options().read(true).write(true).create(true).truncate(true).open(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        file
    }

    fn streamed(bytes: &[u8], size: usize) -> Result<Directory, String> {
        let scanned = scan(bytes, spool())?;
        let (mut brands, mut endpoints) = (vec![], vec![]);
        let mut seen_brands = false;
        let (findings, counts) = scanned.read_records(true, size, |b| {
            match b {
                Batch::Endpoints(v) => {
                    assert!(!seen_brands, "endpoints come first");
                    assert!(v.len() <= size);
                    endpoints.extend(v)
                }
                Batch::Brands(v) => {
                    seen_brands = true;
                    assert!(v.len() <= size);
                    brands.extend(v)
                }
            }
            Ok(())
        })?;
        Ok(Directory { brands, endpoints, findings, counts: Some(counts) })
    }

    #[test]
    fn streamed_records_and_findings_are_those_read_at_once() {
        for path in [
            "brands/smart-spec-example1.json",
            "brands/smart-spec-example2.json",
            "brands/oracle-millennium-patient-r4.json",
        ] {
            let bytes = fixture(path);
            let whole = brands::read(&bytes[..]).unwrap();
            let parts = streamed(&bytes, 7).unwrap();
            assert_eq!(parts.brands, whole.brands, "{path}");
            assert_eq!(parts.endpoints, whole.endpoints, "{path}");
            assert_eq!(parts.findings, whole.findings, "{path}");
            assert_eq!(parts.counts, whole.counts, "{path}");
        }
    }

    #[test]
    fn duplicates_forward_references_and_broken_ones_read_alike() {
        // A brand before its endpoint and parent, a duplicate id, a uuid fullUrl, a reference
        // to nothing and an entry with no id: the same records and findings either way.
        let doc = br#"{"resourceType":"Bundle","type":"collection","entry":[
          {"fullUrl":"https://x.org/Organization/child","resource":{"resourceType":"Organization","id":"child","name":"Child",
            "partOf":{"reference":"Organization/parent"},"endpoint":[{"reference":"urn:uuid:ep-1"},{"reference":"Endpoint/missing"}]}},
          {"fullUrl":"urn:uuid:ep-1","resource":{"resourceType":"Endpoint","id":"e1","address":"https://fhir.example.org/r4","status":"active"}},
          {"resource":{"resourceType":"Endpoint","id":"e1","address":"https://fhir.example.org/dup"}},
          {"resource":{"resourceType":"Endpoint","address":"https://fhir.example.org/noid"}},
          {"resource":{"resourceType":"Organization","id":"parent","name":"Parent","partOf":{"reference":"Organization/nowhere"}}},
          {"resource":{"resourceType":"Patient","id":"p"}}
        ]}"#;
        let whole = brands::read(&doc[..]).unwrap();
        for size in [1, 2, 500] {
            let parts = streamed(doc, size).unwrap();
            assert_eq!(parts.brands, whole.brands);
            assert_eq!(parts.endpoints, whole.endpoints);
            assert_eq!(parts.findings, whole.findings);
        }
        let child = &whole.brands[0];
        assert_eq!(child.part_of.as_deref(), Some("parent"));
        assert_eq!(child.endpoint_refs, vec!["e1"]);
        assert_eq!(
            whole.endpoints.iter().map(|e| e.resource_id.as_str()).collect::<Vec<_>>(),
            ["e1", "e1~2", "entry-3"]
        );
    }

    #[test]
    fn an_unreadable_source_is_refused_on_the_first_reading() {
        let Err(err) = scan(&br#"{"resourceType":"Patient"}"#[..], spool()) else { panic!("a Patient was scanned") };
        assert!(err.contains("expected \"Bundle\""), "{err}");
        assert!(scan(&br#"{"resourceType":"Bundle","entry":[{"#[..], spool()).is_err());
        // The writer's refusal stops the reading and comes back as the error.
        let scanned = scan(&fixture("brands/smart-spec-example2.json")[..], spool()).unwrap();
        let err = scanned.read_records(true, 1, |_| Err("stopped".into())).unwrap_err();
        assert!(err.contains("stopped"), "{err}");
    }

    #[test]
    fn findings_alone_need_no_records() {
        let bytes = fixture("brands/smart-spec-example2.json");
        let whole = brands::read(&bytes[..]).unwrap();
        let (findings, _) =
            scan(&bytes[..], spool()).unwrap().read_records(false, 500, |_| panic!("no records")).unwrap();
        assert_eq!(findings, whole.findings);
    }
}
