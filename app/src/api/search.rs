use crate::types::search::{SearchQuery, SearchResponse};
use leptos::prelude::*;

#[server(endpoint = "search_brands")]
pub async fn search_brands(query: SearchQuery) -> Result<SearchResponse, ServerFnError> {
    let state = crate::server::state::app_state()?;
    state.search.search(&state.db, &query).await.map_err(super::internal)
}
