use sea_orm::entity::prelude::*;

/// One version of an app's metadata.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client_app_version")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub app_id: i32,
    pub version: i32,
    /// `AppMetadata` as JSON (every field parsed before it was stored).
    #[sea_orm(column_type = "Text")]
    pub metadata: String,
    /// The labels of the fields that changed since the version before, as a JSON list.
    #[sea_orm(column_type = "Text")]
    pub changed: String,
    pub created_at: i64,
    pub created_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
