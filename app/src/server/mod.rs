//! Server-only code: database entities, the FHIR directory core, and the services the server
//! functions and HTTP handlers call.
pub mod alerts;
pub mod check;
pub mod csp;
pub mod entities;
pub use signpost_fhir as fhir;
pub mod import;
pub mod net;
pub mod policy;
pub mod public_limit;
pub mod rate_limit;
pub mod services;
pub mod session;
pub mod state;
pub mod validate;
