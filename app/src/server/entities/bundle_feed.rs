use sea_orm::entity::prelude::*;

/// A brand bundle at a URL, refetched on schedule (times in Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bundle_feed")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub url: String,
    /// The `ETag` of the last version imported, sent back as `If-None-Match`.
    pub etag: Option<String>,
    pub created_at: i64,
    pub next_fetch_at: i64,
    pub last_fetched_at: Option<i64>,
    /// HTTP status of the last fetch (304: unchanged).
    pub last_status: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub lease_until: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
