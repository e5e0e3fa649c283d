use crate::types::registration::{Channel, Environment, RequestState};
use sea_orm::entity::prelude::*;

/// An app's request for access to one payer brand, in one environment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub app_id: i32,
    /// The app's metadata version the request was made with.
    pub app_version: i32,
    pub brand_id: i32,
    /// The payer organization that maintained the brand when it was made (the queue's owner).
    pub payer_org_id: Option<i32>,
    pub environment: Environment,
    pub channel: Channel,
    pub state: RequestState,
    /// The payer's turnaround target when it was made, business days.
    pub target_days: i32,
    /// The app's attestation status when it was made (`current`, `none`, …).
    pub attestation_status: String,
    /// The client id the payer issued (never a secret).
    #[sea_orm(column_type = "Text", nullable)]
    pub client_id: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    /// The grounds' codes, comma-separated.
    #[sea_orm(column_type = "Text", nullable)]
    pub denial_reason: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub denial_text: Option<String>,
    pub assignee_id: Option<i32>,
    /// The outcome was recorded by the developer (a payer outside Signpost).
    pub self_reported: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub created_by: Option<i32>,
    pub decided_at: Option<i64>,
    /// The last SLA reminder sent: 1 the day before the target, 2 on breach.
    pub reminded_stage: Option<i32>,
    /// Business seconds it waited on the payer until the decision (what turnaround counts).
    pub decision_secs: Option<i64>,
    /// The payer's time zone when it was made (IANA name; none: US Eastern).
    pub time_zone: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
