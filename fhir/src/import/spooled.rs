//! A brands bundle imported in bounded memory. The first reading copies the source to a
//! spool file while it validates each entry and indexes every resource id (16 bytes an id);
//! two more readings of the spool hand the writer the Endpoints, then the Organizations with
//! their references resolved, a batch at a time, and finish the validator's reference checks.
//! Nothing holds the whole directory, so a national one (a million brands, a gigabyte) needs
//! about what one batch does, plus the keys.
use crate::extract::{Record, entry_kind, given_id, record, resolve_brand, stored_id_again};
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
    /// Every record was handed over: without it the writer knows the reading stopped and
    /// must not treat the records it did not get as removed.
    End,
}

/// A bundle read once: valid enough to import, its ids indexed, its copy in the spool.
pub struct Scanned {
    spool: File,
    header: Header,
    index: ResourceIndex,
    /// The entries (in order) whose resource repeats an earlier one's type and id: the second
    /// and third readings name their records from this rather than index every id again.
    duplicates: Vec<usize>,
    validator: Validator,
    pub brands: usize,
    pub endpoints: usize,
}

/// Why a first reading failed: the document, or the reading or the spool's writing (a source
/// that broke off, a full disk), which is no fault of the document's.
#[derive(Debug)]
pub enum ScanError {
    Unreadable(String),
    Io(std::io::Error),
}

/// Copies what passes through into the spool, keeping the first I/O error: serde_json would
/// report it as a broken document.
struct Tee<R> {
    inner: R,
    copy: BufWriter<File>,
    failed: Option<std::io::Error>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let copied = self.inner.read(buf).and_then(|n| self.copy.write_all(&buf[..n]).map(|_| n));
        copied.inspect_err(|e| {
            // An interrupted read is retried by the JSON reader: not a failure.
            if e.kind() != std::io::ErrorKind::Interrupted {
                self.failed.get_or_insert_with(|| std::io::Error::new(e.kind(), e.to_string()));
            }
        })
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
pub fn scan<R: Read>(reader: R, spool: File) -> Result<Scanned, ScanError> {
    // Buffered outside the tee, so it copies whole blocks (serde_json reads a byte at a time).
    let copy = BufWriter::with_capacity(256 * 1024, spool);
    let mut tee = BufReader::with_capacity(256 * 1024, Tee { inner: reader, copy, failed: None });
    let mut index = ResourceIndex::default();
    let mut validator = Validator::deferring();
    let (mut brands, mut endpoints) = (0, 0);
    let mut duplicates = Vec::new();
    let header = read_streaming(&mut tee, "entry", |i, entry| {
        if let Some(kind) = entry_kind(&entry) {
            // As `stored_id` names it: a repeat of this type and id gets the entry number.
            if !index.add(kind, &given_id(i, &entry), entry["fullUrl"].as_str()) {
                duplicates.push(i);
            }
            if kind == "Organization" { brands += 1 } else { endpoints += 1 }
        }
        validator.entry(i, &entry);
        Ok(())
    });
    if let Some(e) = tee.get_mut().failed.take() {
        return Err(ScanError::Io(e));
    }
    let header = header.map_err(|e| ScanError::Unreadable(e.to_string()))?;
    check_bundle(&header).map_err(ScanError::Unreadable)?;
    let spool = tee.into_inner().copy.into_inner().map_err(|e| ScanError::Io(e.into_error()))?;
    Ok(Scanned { spool, header, index, duplicates, validator, brands, endpoints })
}

impl Scanned {
    /// Hands `on_batch` the records (batches of at most `size`, then `Batch::End`), unless
    /// `records` is false (the source is unchanged and only its findings are wanted); then the
    /// findings, the same as `brands::read` gives, and every finding's count by severity.
    /// Reading stops with an error as soon as `stopped` says so (the writer gave up), rather
    /// than at the next batch, which a pass without records of its kind never sends.
    pub fn read_records(
        mut self,
        records: bool,
        size: usize,
        stopped: impl Fn() -> bool,
        mut on_batch: impl FnMut(Batch) -> Result<(), String>,
    ) -> Result<(Vec<Finding>, [u32; 3]), String> {
        let size = size.max(1);
        let duplicates = std::mem::take(&mut self.duplicates);
        let duplicate = |i: usize| duplicates.binary_search(&i).is_ok();
        if records {
            let mut batch = Vec::with_capacity(size);
            self.reread(&stopped, |i, entry| {
                if entry_kind(&entry) == Some("Endpoint") {
                    let id = stored_id_again(i, &entry, duplicate(i));
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
        let mut batch = Vec::with_capacity(if records { size } else { 0 });
        let index = std::mem::take(&mut self.index);
        self.reread(&stopped, |i, entry| {
            validator.references(i, &entry);
            if records && entry_kind(&entry) == Some("Organization") {
                let id = stored_id_again(i, &entry, duplicate(i));
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
        if records {
            on_batch(Batch::End)?;
        }
        Ok(validator.finish_references())
    }

    /// Reads the spool again, entry by entry.
    fn reread(
        &mut self,
        stopped: &impl Fn() -> bool,
        mut on_entry: impl FnMut(usize, Value) -> Result<(), String>,
    ) -> Result<(), String> {
        self.spool.seek(SeekFrom::Start(0)).map_err(|e| format!("could not read the spool: {e}"))?;
        let reader = BufReader::with_capacity(256 * 1024, &mut self.spool);
        let on_entry = |i, entry| if stopped() { Err("the write stopped".to_string()) } else { on_entry(i, entry) };
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
        let scanned = scan(bytes, spool()).map_err(|e| format!("{e:?}"))?;
        let (mut brands, mut endpoints) = (vec![], vec![]);
        let mut seen_brands = false;
        let mut ended = false;
        let (findings, counts) = scanned.read_records(
            true,
            size,
            || false,
            |b| {
                assert!(!ended, "nothing after the end");
                match b {
                    Batch::End => ended = true,
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
            },
        )?;
        assert!(ended, "the end is said");
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
        let Err(ScanError::Unreadable(err)) = scan(&br#"{"resourceType":"Patient"}"#[..], spool()) else {
            panic!("a Patient was scanned")
        };
        assert!(err.contains("expected \"Bundle\""), "{err}");
        assert!(matches!(scan(&br#"{"resourceType":"Bundle","entry":[{"#[..], spool()), Err(ScanError::Unreadable(_))));
        // The writer's refusal stops the reading and comes back as the error.
        let scanned = scan(&fixture("brands/smart-spec-example2.json")[..], spool()).unwrap();
        let err = scanned.read_records(true, 1, || false, |_| Err("stopped".into())).unwrap_err();
        assert!(err.contains("stopped"), "{err}");
    }

    /// Gives `good` bytes, then fails as a dropped connection or a full disk does.
    struct Breaks<'a> {
        good: &'a [u8],
    }

    impl Read for Breaks<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.good.is_empty() {
                return Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer"));
            }
            self.good.read(buf)
        }
    }

    #[test]
    fn a_source_that_breaks_off_is_an_io_error_not_a_broken_document() {
        let bytes = fixture("brands/oracle-millennium-patient-r4.json");
        let Err(ScanError::Io(e)) = scan(Breaks { good: &bytes[..bytes.len() / 2] }, spool()) else {
            panic!("a broken read was taken for the document's fault")
        };
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset);
    }

    #[test]
    fn a_stopped_writer_stops_a_pass_that_sends_nothing() {
        // Asked to stop after the first batch, the reading ends at the next entry rather than
        // read the rest of the spool (and all of it again) before its next send fails.
        let scanned = scan(&fixture("brands/oracle-millennium-patient-r4.json")[..], spool()).unwrap();
        let (batches, entries) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
        let err = scanned
            .read_records(
                true,
                500,
                || {
                    let stop = batches.get() > 0;
                    entries.set(entries.get() + stop as usize);
                    stop
                },
                |_| {
                    batches.set(batches.get() + 1);
                    Ok(())
                },
            )
            .unwrap_err();
        assert!(err.contains("the write stopped"), "{err}");
        assert_eq!(batches.get(), 1);
        assert_eq!(entries.get(), 1, "entries read after the stop");
    }

    #[test]
    fn findings_alone_need_no_records() {
        let bytes = fixture("brands/smart-spec-example2.json");
        let whole = brands::read(&bytes[..]).unwrap();
        let (findings, _) =
            scan(&bytes[..], spool()).unwrap().read_records(false, 500, || false, |_| panic!("no records")).unwrap();
        assert_eq!(findings, whole.findings);
    }
}
