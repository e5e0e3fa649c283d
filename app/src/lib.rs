#![recursion_limit = "256"]
//! Signpost's web app: components, routes and server functions (both targets), wire types,
//! and, behind the `ssr` feature, everything that touches the database.
pub mod api;
mod app;
pub mod components;
pub mod error;
pub mod routes;
pub mod types;

#[cfg(feature = "ssr")]
pub mod server;

pub use app::{App, shell};

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Islands: only the interactive parts of a page (`#[island]`) are hydrated; the rest is
    // server-rendered HTML that the browser never has to walk.
    leptos::mount::hydrate_islands();
}
