//! The CMS State Medicaid Agency directory CSV importer.
#![no_main]
use app::server::import::{Format, read_directory};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_directory(data, Format::SmaCsv);
});
