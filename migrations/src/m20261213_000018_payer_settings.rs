//! A payer organization's registration settings: the time zone its business days are counted
//! in, the factual notice it shows members about apps that have not attested, and its own
//! denial grounds; and the time zone each request was made in.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PayerSetting::Table)
                    .col(integer(PayerSetting::OrganizationId).primary_key())
                    .col(string_len(PayerSetting::TimeZone, 40).default("America/New_York"))
                    .col(text_null(PayerSetting::UnattestedNotice))
                    .col(text(PayerSetting::DenialReasons).default("[]"))
                    .col(big_integer(PayerSetting::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PayerSetting::Table, PayerSetting::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RegistrationRequest::Table)
                    .add_column(string_len_null(RegistrationRequest::TimeZone, 40))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(RegistrationRequest::Table).drop_column(RegistrationRequest::TimeZone).to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(PayerSetting::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum PayerSetting {
    Table,
    OrganizationId,
    TimeZone,
    UnattestedNotice,
    DenialReasons,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RegistrationRequest {
    Table,
    TimeZone,
}
