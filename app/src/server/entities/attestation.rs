use crate::types::attestation::AttestationState;
use sea_orm::entity::prelude::*;

/// An app's attestation against one questionnaire version, from draft to its review's end.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attestation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub app_id: i32,
    pub questionnaire_version: i32,
    /// The app's metadata version when it was submitted (what the review saw).
    pub app_version: i32,
    pub state: AttestationState,
    /// `Vec<Answered>` as JSON, parsed before it was stored.
    #[sea_orm(column_type = "Text")]
    pub answers: String,
    /// `Vec<Certification>` as JSON.
    #[sea_orm(column_type = "Text")]
    pub certifications: String,
    /// The reviewer's `ReviewComments` as JSON.
    #[sea_orm(column_type = "Text")]
    pub comments: String,
    /// Why an approved attestation is due for re-review.
    #[sea_orm(column_type = "Text", nullable)]
    pub review_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub created_by: Option<i32>,
    pub submitted_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub decided_by: Option<i32>,
    pub approved_at: Option<i64>,
    pub valid_until: Option<i64>,
    /// The last reminder sent before it lapses (30, then 7 days).
    pub reminded_days: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
