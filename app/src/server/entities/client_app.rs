use sea_orm::entity::prelude::*;

/// An app a developer organization registered; its metadata is in its versions.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client_app")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    /// The current version's `client_name`, for lists.
    pub client_name: String,
    pub current_version: i32,
    pub created_at: i64,
    pub updated_at: i64,
    pub created_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
