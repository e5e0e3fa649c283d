//! Plain HTTP endpoints beside the Leptos pages: the published bundle, the JSON API, exports,
//! and the forms that post without JavaScript.
pub mod accounts;
pub mod admin;
pub mod alerts;
pub mod api;
pub mod apps;
pub mod attestations;
pub mod bundle;
pub mod claims;
pub mod csrf;
pub mod ctx;
pub mod developer;
pub mod endpoints;
pub mod headers;
pub mod health;
pub mod messages;
pub mod orgs;
pub mod pages;
pub mod proposals;
pub mod publish;
pub mod requests;
pub mod respond;
pub mod session;
pub mod settings;
pub mod turnaround;
pub mod validate_form;
