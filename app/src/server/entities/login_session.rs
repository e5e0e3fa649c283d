use sea_orm::entity::prelude::*;

/// A signed-in browser. The cookie holds a random token; only its SHA-256 is stored here, so a
/// copy of the database signs nobody in. `expires_at` is the idle limit, moved forward as the
/// session is used but never past `created_at` + the absolute lifetime.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    pub account_id: i32,
    pub acting_org_id: Option<i32>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    /// The client address at log-in, for the user's own list of sessions.
    pub client: String,
    pub user_agent: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
