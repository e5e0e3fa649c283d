//! Registration requests: an app asks a payer brand for access, for sandbox or production; each
//! change of state is an event (the SLA clock is a function of them), and each request has a
//! message thread.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RegistrationRequest::Table)
                    .col(pk_auto(RegistrationRequest::Id))
                    .col(integer(RegistrationRequest::AppId))
                    .col(integer(RegistrationRequest::AppVersion))
                    .col(integer(RegistrationRequest::BrandId))
                    .col(integer_null(RegistrationRequest::PayerOrgId))
                    .col(string_len(RegistrationRequest::Environment, 20))
                    .col(string_len(RegistrationRequest::Channel, 20))
                    .col(string_len(RegistrationRequest::State, 20))
                    .col(integer(RegistrationRequest::TargetDays))
                    .col(string_len(RegistrationRequest::AttestationStatus, 30))
                    .col(text_null(RegistrationRequest::ClientId))
                    .col(text_null(RegistrationRequest::Notes))
                    .col(text_null(RegistrationRequest::DenialReason))
                    .col(text_null(RegistrationRequest::DenialText))
                    .col(integer_null(RegistrationRequest::AssigneeId))
                    .col(boolean(RegistrationRequest::SelfReported).default(false))
                    .col(big_integer(RegistrationRequest::CreatedAt))
                    .col(big_integer(RegistrationRequest::UpdatedAt))
                    .col(integer_null(RegistrationRequest::CreatedBy))
                    .col(big_integer_null(RegistrationRequest::DecidedAt))
                    .col(integer_null(RegistrationRequest::RemindedStage))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RegistrationRequest::Table, RegistrationRequest::AppId)
                            .to(ClientApp::Table, ClientApp::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RegistrationRequest::Table, RegistrationRequest::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_request_app", vec![RegistrationRequest::AppId]),
            ("idx_request_payer", vec![RegistrationRequest::PayerOrgId, RegistrationRequest::State]),
            ("idx_request_brand", vec![RegistrationRequest::BrandId, RegistrationRequest::State]),
        ] {
            let mut index = Index::create();
            index.name(name).table(RegistrationRequest::Table);
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(RequestEvent::Table)
                    .col(pk_auto(RequestEvent::Id))
                    .col(integer(RequestEvent::RequestId))
                    .col(big_integer(RequestEvent::At))
                    .col(string_len(RequestEvent::State, 20))
                    .col(integer_null(RequestEvent::ActorId))
                    .col(text_null(RequestEvent::Note))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RequestEvent::Table, RequestEvent::RequestId)
                            .to(RegistrationRequest::Table, RegistrationRequest::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_request_event")
                    .table(RequestEvent::Table)
                    .col(RequestEvent::RequestId)
                    .col(RequestEvent::At)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RequestMessage::Table)
                    .col(pk_auto(RequestMessage::Id))
                    .col(integer(RequestMessage::RequestId))
                    .col(big_integer(RequestMessage::At))
                    .col(integer_null(RequestMessage::AuthorId))
                    .col(string_len(RequestMessage::Side, 10))
                    .col(text(RequestMessage::Body))
                    .col(string_len_null(RequestMessage::AttachmentName, 200))
                    .col(string_len_null(RequestMessage::AttachmentType, 100))
                    .col(blob_null(RequestMessage::Attachment))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RequestMessage::Table, RequestMessage::RequestId)
                            .to(RegistrationRequest::Table, RegistrationRequest::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_request_message")
                    .table(RequestMessage::Table)
                    .col(RequestMessage::RequestId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RequestMessage::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(RequestEvent::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(RegistrationRequest::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum RegistrationRequest {
    Table,
    Id,
    AppId,
    AppVersion,
    BrandId,
    PayerOrgId,
    Environment,
    Channel,
    State,
    TargetDays,
    AttestationStatus,
    ClientId,
    Notes,
    DenialReason,
    DenialText,
    AssigneeId,
    SelfReported,
    CreatedAt,
    UpdatedAt,
    CreatedBy,
    DecidedAt,
    RemindedStage,
}

#[derive(DeriveIden)]
enum RequestEvent {
    Table,
    Id,
    RequestId,
    At,
    State,
    ActorId,
    Note,
}

#[derive(DeriveIden)]
enum RequestMessage {
    Table,
    Id,
    RequestId,
    At,
    AuthorId,
    Side,
    Body,
    AttachmentName,
    AttachmentType,
    Attachment,
}

#[derive(DeriveIden)]
enum ClientApp {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Brand {
    Table,
    Id,
}
