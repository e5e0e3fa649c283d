use sea_orm::entity::prelude::*;

/// A single-use link sent by mail: only the SHA-256 of its token is stored.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_token")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub account_id: i32,
    pub purpose: TokenPurpose,
    /// For `EmailChange`: the address to move to once the link is opened.
    pub new_email: Option<String>,
    /// For `Verify`: the hash of the password chosen at the sign-up that sent this link. It
    /// becomes the account's only when the link is used with that password, so a stranger who
    /// signs up first with someone else's address never sets their password.
    #[sea_orm(column_type = "Text", nullable)]
    pub password_hash: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// Without the token hash or the password hash.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountToken").field("account_id", &self.account_id).field("purpose", &self.purpose).finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TokenPurpose {
    /// Confirms the address of a new account (24 h).
    #[sea_orm(string_value = "verify")]
    Verify,
    /// "Forgot password" (1 h).
    #[sea_orm(string_value = "reset")]
    Reset,
    /// Confirms a new address (24 h).
    #[sea_orm(string_value = "email-change")]
    EmailChange,
    /// Sets the first password of an admin made by `create-admin` (24 h).
    #[sea_orm(string_value = "set-password")]
    SetPassword,
}

impl TokenPurpose {
    pub fn lifetime_secs(self) -> i64 {
        match self {
            TokenPurpose::Reset => 3600,
            TokenPurpose::Verify | TokenPurpose::EmailChange | TokenPurpose::SetPassword => 24 * 3600,
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
