//! Turnaround: the business seconds each request waited on the payer, stored when it is decided
//! (the public statistics read them instead of replaying every history), and the signed links
//! an email-only payer answers with.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RegistrationRequest::Table)
                    .add_column(big_integer_null(RegistrationRequest::DecisionSecs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_request_decided")
                    .table(RegistrationRequest::Table)
                    .col(RegistrationRequest::DecidedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RequestLink::Table)
                    .col(pk_auto(RequestLink::Id))
                    .col(integer(RequestLink::RequestId))
                    .col(string_len_uniq(RequestLink::TokenHash, 64))
                    .col(string_len(RequestLink::SentTo, 254))
                    .col(big_integer(RequestLink::CreatedAt))
                    .col(big_integer(RequestLink::ExpiresAt))
                    .col(big_integer_null(RequestLink::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RequestLink::Table, RequestLink::RequestId)
                            .to(RegistrationRequest::Table, RegistrationRequest::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_request_link_request")
                    .table(RequestLink::Table)
                    .col(RequestLink::RequestId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RequestLink::Table).to_owned()).await?;
        manager
            .drop_index(Index::drop().name("idx_request_decided").table(RegistrationRequest::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RegistrationRequest::Table)
                    .drop_column(RegistrationRequest::DecisionSecs)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum RegistrationRequest {
    Table,
    Id,
    DecisionSecs,
    DecidedAt,
}

#[derive(DeriveIden)]
enum RequestLink {
    Table,
    Id,
    RequestId,
    TokenHash,
    SentTo,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}
