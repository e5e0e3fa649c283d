//! What a proposal may duplicate: an endpoint whose normalized address is listed already, a
//! brand at the same website host, or a brand with a very similar name in the same state.
use crate::error::AppError;
use crate::server::entities::{brand, brand_endpoint, endpoint};
use crate::server::services::search::{SearchState, edit_distance, host_of, phrase};
use crate::types::proposals::{BrandDraft, Duplicate};
use crate::types::search::{MAX_FILTER_CHARS, MAX_QUERY_CHARS, SearchQuery};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

/// At most this many of each kind are shown.
const SHOWN: usize = 10;

pub async fn find(
    db: &impl ConnectionTrait,
    search: &SearchState,
    own: Option<i32>,
    draft: &BrandDraft,
) -> Result<Vec<Duplicate>, AppError> {
    let mut out: Vec<Duplicate> = Vec::new();
    let push = |out: &mut Vec<Duplicate>, b: &brand::Model, reason: String| {
        if Some(b.id) != own && !out.iter().any(|d| d.brand_id == b.id && d.reason == reason) {
            out.push(Duplicate { brand_id: b.id, brand_name: b.name.clone(), reason });
        }
    };
    // Endpoints: new ones, and listed ones given a new address.
    let addresses: Vec<String> =
        draft.endpoints.iter().map(|e| e.address.clone()).filter(|a| !a.is_empty()).take(100).collect();
    if !addresses.is_empty() {
        let listed = endpoint::Entity::find().filter(endpoint::Column::Address.is_in(addresses)).all(db).await?;
        let mine: Vec<i32> = draft.endpoints.iter().filter_map(|e| e.id).collect();
        for e in listed.iter().filter(|e| !mine.contains(&e.id)).take(SHOWN) {
            let brand_ids: Vec<i32> = brand_endpoint::Entity::find()
                .select_only()
                .column(brand_endpoint::Column::BrandId)
                .filter(brand_endpoint::Column::EndpointId.eq(e.id))
                .into_tuple()
                .all(db)
                .await?;
            for b in brand::Entity::find().filter(brand::Column::Id.is_in(brand_ids)).all(db).await? {
                push(&mut out, &b, format!("lists {} already", e.address));
            }
        }
    }
    // The same website host.
    if let Some(host) = host_of(&draft.website).filter(|h| h.contains('.')) {
        let candidates =
            brand::Entity::find().filter(brand::Column::Website.contains(host.as_str())).limit(200).all(db).await?;
        for b in
            candidates.iter().filter(|b| b.website.as_deref().and_then(host_of).as_deref() == Some(&host)).take(SHOWN)
        {
            push(&mut out, b, format!("has the same website ({host})"));
        }
    }
    // A very similar name, in the same state when the draft gives one.
    let name = phrase(&draft.name);
    if !name.is_empty() {
        // Within the search's own limits (a long imported name must not make the form fail).
        let state = draft
            .addresses
            .iter()
            .map(|a| a.state.trim().chars().take(MAX_FILTER_CHARS).collect::<String>())
            .find(|s| !s.is_empty());
        let text: String = draft.name.chars().take(MAX_QUERY_CHARS).collect();
        let q = SearchQuery { q: text, state: state.clone(), per_page: Some(20), ..Default::default() };
        let found = search.search(db, &q).await?;
        let ids: Vec<i32> =
            found.results.iter().filter(|r| similar(&name, &phrase(&r.name))).map(|r| r.id).take(SHOWN).collect();
        if !ids.is_empty() {
            for b in brand::Entity::find().filter(brand::Column::Id.is_in(ids)).all(db).await? {
                let place = state.as_deref().map(|s| format!(" in {s}")).unwrap_or_default();
                push(&mut out, &b, format!("has a very similar name{place}"));
            }
        }
    }
    Ok(out)
}

/// Equal, or within a typo or two of each other (as normalized phrases).
pub fn similar(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let max = match a.len().min(b.len()) {
        0..=5 => 0,
        6..=11 => 1,
        _ => 2,
    };
    max > 0 && edit_distance(a.as_bytes(), b.as_bytes(), max).is_some()
}

#[cfg(test)]
mod tests {
    use super::similar;

    #[test]
    fn names_within_a_typo_or_two_are_similar() {
        assert!(similar("good health plan", "good health plan"));
        assert!(similar("good health plan", "good helth plan"));
        assert!(!similar("aetna", "atena"), "short names must match exactly");
        assert!(!similar("good health plan", "great health plans of ohio"));
    }
}
