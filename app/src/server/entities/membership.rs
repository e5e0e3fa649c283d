use crate::types::accounts::MemberRole;
use sea_orm::entity::prelude::*;

/// An account's place in an organization (one row per pair).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i32,
    pub role: MemberRole,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
