//! The validator (the Validate page and `POST /api/v1/validate`): any bytes give a report.
#![no_main]
use libfuzzer_sys::fuzz_target;
use signpost_fhir::validate::validate_reader;

fuzz_target!(|data: &[u8]| {
    let report = validate_reader(data);
    // The counts are the findings' own, however many are listed.
    assert!(report.findings.len() <= (report.errors + report.warnings + report.infos) as usize + 1);
});
