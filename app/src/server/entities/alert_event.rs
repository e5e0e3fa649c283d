use sea_orm::entity::prelude::*;

/// Something subscribers should hear about, written in the transaction that records the check
/// which found it. `fanned_out` turns true once a mail per subscriber is in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub endpoint_id: i32,
    /// An `AlertKind` in its text form.
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub detail: String,
    pub created_at: i64,
    pub fanned_out: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
