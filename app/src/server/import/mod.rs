//! Import of a directory source: read it into records (streaming, off the async runtime; the
//! readers are in `signpost-fhir`), then write it in one transaction (see `store`).
pub mod payer_facts;
pub mod run;
pub mod store;

pub use signpost_fhir::import::{
    Format, Tracked, Unreadable, brands, detect, lantern, read_directory, sma_csv, spooled,
};
