use crate::types::developer::ApiKind;
use sea_orm::entity::prelude::*;

/// An API base URL of a brand (`plan_id` empty) or of one of its plans.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brand_api")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub brand_id: i32,
    pub plan_id: Option<i32>,
    pub kind: ApiKind,
    pub url: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
