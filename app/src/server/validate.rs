//! The validator lives in `signpost-fhir`; here it is run off the async threads.
pub use signpost_fhir::validate::*;
use signpost_fhir::validation::ValidationReport;

/// `validate_text` on a blocking thread: a large bundle takes CPU time that must not hold up
/// the async threads serving other requests.
pub async fn validate_text_blocking(
    text: String,
    max_bytes: usize,
) -> Result<ValidationReport, crate::error::AppError> {
    super::services::cpu::run("validation", move || validate_text(&text, max_bytes)).await
}
