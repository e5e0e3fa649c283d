#![recursion_limit = "256"]
//! The `signpost` binary's library: configuration, start-up, HTTP handlers and the CLI, kept
//! in a library so integration tests can start the real application.
pub mod cli;
pub mod config;
pub mod demo;
pub mod fake_fhir;
pub mod http;
pub mod mailer;
pub mod poller;
pub mod scheduled;
pub mod startup;
pub mod telemetry;
pub mod workers;
