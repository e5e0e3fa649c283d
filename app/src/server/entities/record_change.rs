use crate::types::proposals::ChangeOrigin;
use sea_orm::entity::prelude::*;

/// One applied change to a brand or an endpoint: who (an account, or the import source), when,
/// why, and each field before and after (`fields`: JSON `[{"path", "before", "after"}]` with
/// the values as JSON). Rows are only ever added; a revert is a change of its own.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "record_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `brand` or `endpoint`.
    pub record_kind: String,
    pub record_id: i32,
    pub at: i64,
    pub origin: ChangeOrigin,
    pub source_id: Option<i32>,
    pub actor_id: Option<i32>,
    pub actor_label: String,
    pub proposal_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    #[sea_orm(column_type = "Text")]
    pub fields: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
