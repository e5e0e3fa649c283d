//! The integration tests, as one test binary: every test file here reaches the whole server
//! (its async code is compiled in the crate that awaits it), so one crate compiles and links
//! that once instead of once per file.
#[macro_use]
mod helpers;

mod account_rules;
mod accounts;
mod alerts;
mod api;
mod apps;
mod attestations;
mod browser;
mod check;
mod claims;
mod cli;
mod config;
mod crash;
mod developer;
mod email_payers;
mod hardening;
mod instances;
mod long_queue;
mod moderation;
mod openapi;
mod operations;
mod page_cache;
mod poll;
mod publisher_feed;
mod publishing;
mod queue;
mod registration;
mod search_index;
mod search_quality;
mod served;
mod shutdown;
mod turnaround;
