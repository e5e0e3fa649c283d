use sea_orm::entity::prelude::*;

/// A recent version of the directory and the random stamp it was given (the last
/// `brands::KEPT_CHANGES`): what tells a search index saved earlier in this history from one
/// saved in another.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "directory_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i64,
    pub stamp: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
