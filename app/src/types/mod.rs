//! Wire types: what crosses between the server and the browser. Built for both targets, so
//! nothing here may depend on the database; `from_model` conversions live under `ssr`.
pub mod accounts;
pub mod alerts;
pub mod app_metadata;
pub mod apps;
pub mod attestation;
pub mod attestation_pages;
pub mod brand;
pub mod check;
pub mod claims;
pub mod dashboard;
pub mod developer;
pub mod endpoint;
pub mod proposals;
pub mod publishing;
pub mod registration;
pub mod search;
pub mod turnaround;
// Links, validation reports and US states are read by the FHIR readers too, so they live there.
pub use signpost_fhir::{link, states, validation};
