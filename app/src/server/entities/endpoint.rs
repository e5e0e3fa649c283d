use sea_orm::entity::prelude::*;

/// A user-access endpoint (FHIR Endpoint). `address` is normalized (see `EndpointAddress`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "endpoint")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub source_id: i32,
    pub resource_id: String,
    #[sea_orm(column_type = "Text")]
    pub address: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub name: Option<String>,
    pub connection_type: String,
    #[sea_orm(column_type = "Text")]
    pub payload_types: String,
    #[sea_orm(column_type = "Text")]
    pub fhir_versions: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub contact_url: Option<String>,
    pub status: String,
    pub content_hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
