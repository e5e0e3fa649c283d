//! Logos payers upload: re-encoded PNG bytes under a name the server makes from their hash, so
//! several instances serve the same file and a name never changes meaning.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Logo::Table)
                    .col(string_len(Logo::Name, 80).primary_key())
                    .col(blob(Logo::Bytes))
                    .col(integer(Logo::Width))
                    .col(integer(Logo::Height))
                    .col(integer_null(Logo::OrganizationId))
                    .col(integer_null(Logo::UploadedBy))
                    .col(big_integer(Logo::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Logo::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Logo {
    Table,
    Name,
    Bytes,
    Width,
    Height,
    OrganizationId,
    UploadedBy,
    CreatedAt,
}
