use sea_orm::entity::prelude::*;

/// One published version of a payer organization's brands.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "publication")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub version: i32,
    /// `upload`, `feed`, `edit`, `rollback`.
    pub kind: String,
    /// The brands bundle as served at `/publishers/{slug}/brands.json`.
    #[sea_orm(column_type = "Text")]
    pub bundle: String,
    /// Brand id → its draft (`BrandDraft`), what a rollback applies.
    #[sea_orm(column_type = "Text")]
    pub drafts: String,
    pub content_hash: String,
    pub brand_count: i32,
    pub published_at: i64,
    pub published_by: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub note: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
