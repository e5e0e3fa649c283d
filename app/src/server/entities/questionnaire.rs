use sea_orm::entity::prelude::*;

/// One version of the attestation questionnaire. A new version is a new row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questionnaire")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub version: i32,
    /// The questions (`Vec<Question>`) as JSON.
    #[sea_orm(column_type = "Text")]
    pub questions: String,
    /// Days an attestation on an older version stays valid once this one is published.
    pub grace_days: i32,
    pub published_at: i64,
    pub published_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
