use sea_orm::entity::prelude::*;

/// A payer organization's bundle URL, refetched on schedule and published when it changed
/// (times in Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "publisher_feed")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub organization_id: i32,
    #[sea_orm(column_type = "Text")]
    pub url: String,
    /// The `ETag` of the last version fetched, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// SHA-256 of the last body published (or found blocked), so an unchanged body without an
    /// `ETag` is not published again.
    pub content_hash: Option<String>,
    /// The member whose powers the refetch publishes with, checked again at every refetch.
    pub registered_by: i32,
    pub created_at: i64,
    pub next_fetch_at: i64,
    pub last_fetched_at: Option<i64>,
    pub last_status: Option<i32>,
    /// What the last refetch came to, as the organization's page says it.
    #[sea_orm(column_type = "Text", nullable)]
    pub last_outcome: Option<String>,
    pub lease_until: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
