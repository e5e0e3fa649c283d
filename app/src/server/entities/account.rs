use crate::types::accounts::{AccountState, SiteRole};
use sea_orm::entity::prelude::*;

/// A person's account. `password_hash` is an argon2id PHC string (`None` until an admin created
/// by `create-admin` sets one through the link in the outbox). The model is not `Serialize`:
/// wire types are built from it field by field.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Lower-cased; unique.
    #[sea_orm(unique)]
    pub email: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub password_hash: Option<String>,
    pub state: AccountState,
    pub role: SiteRole,
    pub created_at: i64,
    pub verified_at: Option<i64>,
    pub password_changed_at: i64,
    /// An admin trusts this contributor: their directory edits apply at once (still recorded
    /// and revertable).
    pub trusted: bool,
}

/// Without the password hash.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account").field("id", &self.id).field("state", &self.state).field("role", &self.role).finish()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
