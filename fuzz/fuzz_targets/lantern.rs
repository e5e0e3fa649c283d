//! ONC Lantern's endpoint list importer.
#![no_main]
use libfuzzer_sys::fuzz_target;
use signpost_fhir::import::{Format, read_directory};

fuzz_target!(|data: &[u8]| {
    let _ = read_directory(data, Format::Lantern);
});
