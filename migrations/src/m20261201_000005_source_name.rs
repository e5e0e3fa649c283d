//! A source's public name: the file name (or the name given on import), never the server's path.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Source::Table).add_column(string_null(Source::Name)).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Source::Table).drop_column(Source::Name).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Source {
    Table,
    Name,
}
