use sea_orm::entity::prelude::*;

/// A payer organization's registration settings (none stored: the defaults).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payer_setting")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: i32,
    /// IANA name of one of the US zones the clock knows.
    pub time_zone: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub unattested_notice: Option<String>,
    /// `[[code, label], …]`: grounds the payer adds to the security and technical list.
    #[sea_orm(column_type = "Text")]
    pub denial_reasons: String,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
