use sea_orm::entity::prelude::*;

/// An email address that wants alerts about one endpoint or one brand. Alerts go only to
/// confirmed subscriptions (double opt-in); unsubscribing deletes the row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscription")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Lower-cased.
    pub email: String,
    /// `endpoint` or `brand`.
    pub target_kind: String,
    pub target_id: i32,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub confirm_sent_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
