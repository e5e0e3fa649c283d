use crate::types::claims::{ClaimMethod, ClaimState};
use sea_orm::entity::prelude::*;

/// A payer organization's claim on a brand at a domain. An emailed link is stored only as its
/// token's SHA-256; a well-known file's token is public by design (the payer publishes it).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brand_claim")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub brand_id: i32,
    pub domain: String,
    pub method: ClaimMethod,
    pub state: ClaimState,
    pub email: Option<String>,
    pub token_hash: Option<String>,
    pub token_expires_at: Option<i64>,
    pub file_token: Option<String>,
    pub created_by: Option<i32>,
    pub created_at: i64,
    pub verified_at: Option<i64>,
    pub next_check_at: i64,
    pub flagged_at: Option<i64>,
    pub ended_at: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub lease_until: Option<i64>,
    /// For a brand published at a verified domain: the claim that proves the domain. This one
    /// is not re-verified on its own, moves with that claim and ends when it ends.
    pub derived_from: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
