//! Apps that developer organizations describe once (RFC 7591 metadata): the app, and each
//! version of its metadata (a change is a new version, so a payer sees what changed since it
//! approved one).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ClientApp::Table)
                    .col(pk_auto(ClientApp::Id))
                    .col(integer(ClientApp::OrganizationId))
                    .col(string_len(ClientApp::ClientName, 100))
                    .col(integer(ClientApp::CurrentVersion))
                    .col(big_integer(ClientApp::CreatedAt))
                    .col(big_integer(ClientApp::UpdatedAt))
                    .col(integer_null(ClientApp::CreatedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ClientApp::Table, ClientApp::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_client_app_org")
                    .table(ClientApp::Table)
                    .col(ClientApp::OrganizationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ClientAppVersion::Table)
                    .col(pk_auto(ClientAppVersion::Id))
                    .col(integer(ClientAppVersion::AppId))
                    .col(integer(ClientAppVersion::Version))
                    .col(text(ClientAppVersion::Metadata))
                    .col(text(ClientAppVersion::Changed))
                    .col(big_integer(ClientAppVersion::CreatedAt))
                    .col(integer_null(ClientAppVersion::CreatedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ClientAppVersion::Table, ClientAppVersion::AppId)
                            .to(ClientApp::Table, ClientApp::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_client_app_version")
                    .table(ClientAppVersion::Table)
                    .col(ClientAppVersion::AppId)
                    .col(ClientAppVersion::Version)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ClientAppVersion::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ClientApp::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ClientApp {
    Table,
    Id,
    OrganizationId,
    ClientName,
    CurrentVersion,
    CreatedAt,
    UpdatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum ClientAppVersion {
    Table,
    Id,
    AppId,
    Version,
    Metadata,
    Changed,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}
