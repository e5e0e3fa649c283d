use sea_orm::entity::prelude::*;

/// An endpoint's current health, schedule and poll lease (times in Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "endpoint_health")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub endpoint_id: i32,
    pub health: String,
    pub consecutive_failures: i32,
    pub next_check_at: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<i64>,
    pub last_checked_at: Option<i64>,
    pub last_change_at: Option<i64>,
    pub signature: Option<String>,
    /// The latest `CheckReport` as JSON.
    #[sea_orm(column_type = "Text", nullable)]
    pub report: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub raw_metadata: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub raw_smart: Option<String>,
    pub cert_days_left: Option<i32>,
    pub carin_conformant: bool,
    pub supports_eob: bool,
    /// The last certificate warning sent: 30, 14, 7 or 1 days, 0 for expired.
    pub cert_alert_stage: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
