use sea_orm::entity::prelude::*;

/// A field of an imported brand or endpoint that the community changed: its value (JSON), and
/// the value the import had given it (`upstream`). A re-import that leaves the field as it was
/// upstream keeps the community's value; one that changes it wins, and the conflict is listed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "community_field")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub field: String,
    #[sea_orm(column_type = "Text")]
    pub value: String,
    #[sea_orm(column_type = "Text")]
    pub upstream: String,
    pub proposal_id: Option<i32>,
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
