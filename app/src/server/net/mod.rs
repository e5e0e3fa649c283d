//! Fetching URLs that come from the public, safely (SSRF policy, timeouts, caps, politeness).
pub mod address;
pub mod client;
pub mod error;
pub mod host_gate;
pub mod policy;
pub mod tls_probe;
