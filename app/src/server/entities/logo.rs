use sea_orm::entity::prelude::*;

/// An uploaded logo, re-encoded as PNG, under `{sha256 prefix}.png`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "logo")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    #[sea_orm(column_type = "Blob")]
    pub bytes: Vec<u8>,
    pub width: i32,
    pub height: i32,
    pub organization_id: Option<i32>,
    pub uploaded_by: Option<i32>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
