//! The directory search: an in-memory index over names, aliases, portal names, places,
//! identifiers, endpoint addresses and web domains, rebuilt when the directory version changes.
//! Matching and ranking happen here, in Rust, so SQLite and PostgreSQL give identical answers.
mod address;
mod checksum;
mod compact;
mod facets;
mod health;
mod index;
mod interner;
mod load;
mod matching;
mod persist;
mod query;
mod requirement;
mod saved;
mod state;
mod summaries;
#[cfg(test)]
mod tests;
mod text;
mod vocabulary;

pub use address::host_of;
pub use health::HealthOverlay;
pub use index::{Hits, IndexBuilder, IndexInput, SearchIndex, environment_of};
pub use load::build_index;
pub use matching::edit_distance;
pub use query::QueryPlan;
pub use saved::{Saved, save_index};
pub use state::{REBUILD_WAIT, SearchState};
pub use summaries::summaries;
pub use text::phrase;
