//! Plain HTTP endpoints beside the Leptos pages: the published bundle, the JSON API, exports.
pub mod alerts;
pub mod api;
pub mod bundle;
pub mod endpoints;
pub mod headers;
pub mod health;
pub mod validate_form;
