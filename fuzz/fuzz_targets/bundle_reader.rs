//! The brands-bundle reader (import and publishing) and the format guess: any bytes are a
//! directory or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use signpost_fhir::import::{Format, detect, read_directory};

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    let _ = read_directory(data, Format::Brands);
});
