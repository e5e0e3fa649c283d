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
    pub state: FeedState,
}

/// Whether a feed is fetched: an operator's import or approval makes it `Approved`; a URL found
/// in a checked smart-configuration waits as `Discovered` until an operator approves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum FeedState {
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "discovered")]
    Discovered,
}

impl FeedState {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedState::Approved => "approved",
            FeedState::Discovered => "discovered",
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
