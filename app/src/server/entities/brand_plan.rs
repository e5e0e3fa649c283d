use crate::types::developer::LineOfBusiness;
use sea_orm::entity::prelude::*;

/// A plan a brand covers.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brand_plan")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub brand_id: i32,
    pub position: i32,
    pub name: String,
    pub line_of_business: LineOfBusiness,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
