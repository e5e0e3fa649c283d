use sea_orm::entity::prelude::*;

/// `Organization.endpoint`, in order; `portal_id` is set when a portal of the brand lists the
/// endpoint as a `portalEndpoint`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brand_endpoint")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub brand_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub endpoint_id: i32,
    pub portal_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
