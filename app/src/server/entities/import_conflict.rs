use sea_orm::entity::prelude::*;

/// A re-import changed a field the community had changed: the import's value won (the source
/// owns the record), and moderators see what the community's value was.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_conflict")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub record_kind: String,
    pub record_id: i32,
    pub brand_id: i32,
    pub field: String,
    #[sea_orm(column_type = "Text")]
    pub community_value: String,
    #[sea_orm(column_type = "Text")]
    pub import_value: String,
    pub source_id: i32,
    pub proposal_id: Option<i32>,
    pub at: i64,
    pub resolved_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
