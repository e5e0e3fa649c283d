use sea_orm::entity::prelude::*;

/// A brand's developer-portal facts: the whole set as JSON (`types::developer::Facts`), and the
/// few that search filters on as columns.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "developer_facts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub brand_id: i32,
    #[sea_orm(column_type = "Text")]
    pub facts: String,
    pub turnaround_days: i32,
    pub turnaround_sandbox_days: Option<i32>,
    pub self_service: Option<bool>,
    pub has_sandbox: bool,
    pub test_patients: Option<bool>,
    /// `import` (demo data and imports), `maintainer`, `admin`.
    pub origin: String,
    pub updated_by: Option<i32>,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
