use sea_orm::entity::prelude::*;

/// A mail waiting to be sent (or sent: `sent_at`). `dedupe_key` is unique, so queueing the same
/// mail twice (after a crash and a retry) keeps one.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub dedupe_key: String,
    pub recipient: String,
    #[sea_orm(column_type = "Text")]
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// For the `List-Unsubscribe` header (RFC 8058 one-click).
    #[sea_orm(column_type = "Text", nullable)]
    pub unsubscribe_url: Option<String>,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub attempts: i32,
    pub lease_until: Option<i64>,
    pub sent_at: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
