use crate::error::AppError;
use crate::types::search::{SearchQuery, SearchResponse};
use leptos::prelude::*;

/// The search the page runs. Its limits are the search service's, the same for the page, this
/// function called directly, and `/api/v1/brands`.
#[server(endpoint = "search_brands")]
pub async fn search_brands(query: SearchQuery) -> Result<SearchResponse, AppError> {
    let state = crate::server::state::app_state()?;
    state.search.search(&state.db, &query).await.map_err(super::fail)
}
