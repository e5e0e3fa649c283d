use sea_orm::entity::prelude::*;

/// One message in a proposal's thread (a moderator's question, the proposer's answer).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proposal_message")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub proposal_id: i32,
    pub author_id: Option<i32>,
    /// The author's address at the time (the thread reads the same after an address change).
    pub author_label: String,
    pub from_moderator: bool,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
