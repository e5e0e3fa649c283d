use crate::types::proposals::{ProposalKind, ProposalState, ReportKind};
use sea_orm::entity::prelude::*;

/// A proposed change to the directory, or a report of a problem. `base` is the brand's draft
/// (JSON) when the proposal was made, `draft` what the proposer wants it to be (already parsed
/// and normalized); `findings` and `check_result` what validation and the public check found.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proposal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: ProposalKind,
    pub state: ProposalState,
    pub brand_id: Option<i32>,
    pub endpoint_id: Option<i32>,
    /// `None` for a report from a visitor who was not signed in.
    pub proposer_id: Option<i32>,
    /// The address a visitor gave for the answer to a report.
    pub reporter_email: Option<String>,
    pub report_kind: Option<ReportKind>,
    #[sea_orm(column_type = "Text", nullable)]
    pub report_detail: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub comment: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub base: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub draft: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub findings: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub check_result: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub decided_at: Option<i64>,
    pub decided_by: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_reason: Option<String>,
    pub client: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
