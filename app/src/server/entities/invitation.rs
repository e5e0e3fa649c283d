use sea_orm::entity::prelude::*;

/// An invitation to join an organization, sent to an address as a single-use link (only the
/// token's SHA-256 is stored). Open while not accepted, not revoked and not expired.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub email: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub invited_by: Option<i32>,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub accepted_by: Option<i32>,
    pub revoked_at: Option<i64>,
}

impl Model {
    pub fn is_open(&self, now: i64) -> bool {
        self.accepted_at.is_none() && self.revoked_at.is_none() && now < self.expires_at
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
