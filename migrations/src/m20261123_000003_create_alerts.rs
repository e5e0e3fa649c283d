//! Email alerts. `subscription` holds who wants to hear about an endpoint or a brand (confirmed
//! by double opt-in); `alert_event` is written in the same transaction as the status change that
//! causes it; `mail_outbox` holds each mail to send until the mail server has accepted it. So a
//! crash at any point loses no alert, and a unique key per mail keeps a restart from queueing one
//! twice. `endpoint_health.cert_alert_stage` remembers the last certificate warning sent.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Subscription::Table)
                    .col(pk_auto(Subscription::Id))
                    .col(string(Subscription::Email))
                    .col(string(Subscription::TargetKind))
                    .col(integer(Subscription::TargetId))
                    .col(big_integer(Subscription::CreatedAt))
                    .col(big_integer_null(Subscription::ConfirmedAt))
                    .col(big_integer_null(Subscription::ConfirmSentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_subscription_unique")
                    .table(Subscription::Table)
                    .col(Subscription::TargetKind)
                    .col(Subscription::TargetId)
                    .col(Subscription::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AlertEvent::Table)
                    .col(big_pk_auto(AlertEvent::Id))
                    .col(integer(AlertEvent::EndpointId))
                    .col(string(AlertEvent::Kind))
                    .col(text(AlertEvent::Detail))
                    .col(big_integer(AlertEvent::CreatedAt))
                    .col(boolean(AlertEvent::FannedOut))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AlertEvent::Table, AlertEvent::EndpointId)
                            .to(Endpoint::Table, Endpoint::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_alert_event_pending")
                    .table(AlertEvent::Table)
                    .col(AlertEvent::FannedOut)
                    .col(AlertEvent::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .col(big_pk_auto(MailOutbox::Id))
                    .col(string(MailOutbox::DedupeKey))
                    .col(string(MailOutbox::Recipient))
                    .col(text(MailOutbox::Subject))
                    .col(text(MailOutbox::Body))
                    .col(text_null(MailOutbox::UnsubscribeUrl))
                    .col(big_integer(MailOutbox::CreatedAt))
                    .col(big_integer(MailOutbox::NextAttemptAt))
                    .col(integer(MailOutbox::Attempts))
                    .col(big_integer_null(MailOutbox::LeaseUntil))
                    .col(big_integer_null(MailOutbox::SentAt))
                    .col(text_null(MailOutbox::LastError))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mail_outbox_dedupe")
                    .table(MailOutbox::Table)
                    .col(MailOutbox::DedupeKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mail_outbox_due")
                    .table(MailOutbox::Table)
                    .col(MailOutbox::SentAt)
                    .col(MailOutbox::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AppSecret::Table)
                    .col(string(AppSecret::Name).primary_key())
                    .col(string(AppSecret::Value))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(EndpointHealth::Table)
                    .add_column(integer_null(EndpointHealth::CertAlertStage))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(EndpointHealth::Table).drop_column(EndpointHealth::CertAlertStage).to_owned(),
            )
            .await?;
        for table in [
            AppSecret::Table.into_iden(),
            MailOutbox::Table.into_iden(),
            AlertEvent::Table.into_iden(),
            Subscription::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Endpoint {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EndpointHealth {
    Table,
    CertAlertStage,
}

#[derive(DeriveIden)]
enum Subscription {
    Table,
    Id,
    Email,
    TargetKind,
    TargetId,
    CreatedAt,
    ConfirmedAt,
    ConfirmSentAt,
}

#[derive(DeriveIden)]
enum AlertEvent {
    Table,
    Id,
    EndpointId,
    Kind,
    Detail,
    CreatedAt,
    FannedOut,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    DedupeKey,
    Recipient,
    Subject,
    Body,
    UnsubscribeUrl,
    CreatedAt,
    NextAttemptAt,
    Attempts,
    LeaseUntil,
    SentAt,
    LastError,
}

#[derive(DeriveIden)]
enum AppSecret {
    Table,
    Name,
    Value,
}
