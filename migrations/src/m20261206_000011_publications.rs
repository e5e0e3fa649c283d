//! A payer organization's published versions: the brands bundle of the brands it maintains as
//! it stood after each publish (an upload, a maintainer's edit, a rollback), with each brand's
//! draft for rolling back to it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Publication::Table)
                    .col(pk_auto(Publication::Id))
                    .col(integer(Publication::OrganizationId))
                    .col(integer(Publication::Version))
                    .col(string_len(Publication::Kind, 16))
                    .col(text(Publication::Bundle))
                    .col(text(Publication::Drafts))
                    .col(string_len(Publication::ContentHash, 64))
                    .col(integer(Publication::BrandCount))
                    .col(big_integer(Publication::PublishedAt))
                    .col(integer_null(Publication::PublishedBy))
                    .col(text(Publication::Note))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Publication::Table, Publication::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_publication_version")
                    .table(Publication::Table)
                    .col(Publication::OrganizationId)
                    .col(Publication::Version)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Publication::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Publication {
    Table,
    Id,
    OrganizationId,
    Version,
    Kind,
    Bundle,
    Drafts,
    ContentHash,
    BrandCount,
    PublishedAt,
    PublishedBy,
    Note,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}
