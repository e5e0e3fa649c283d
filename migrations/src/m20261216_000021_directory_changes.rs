//! The directory's recent versions with the random stamp each was given, so a search index
//! saved at an earlier version of this same history can be told from one of another history
//! (a restored backup, a copy that went its own way) and answer while the current one is built.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DirectoryChange::Table)
                    .col(big_integer(DirectoryChange::Version).primary_key())
                    .col(big_integer(DirectoryChange::Stamp))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DirectoryChange::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum DirectoryChange {
    Table,
    Version,
    Stamp,
}
