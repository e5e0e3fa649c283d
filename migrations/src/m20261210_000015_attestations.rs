//! App attestations: the questionnaire as data (a new version is a new row; version 1 is
//! seeded from `data/questionnaire_v1.json`), and each attestation an app makes against one.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Version 1 of the questionnaire: the ONC/CMS privacy-policy attestation and the CARIN Code of
/// Conduct principles (`../shared/research/attestation-and-registration.md`).
const QUESTIONNAIRE_V1: &str = include_str!("data/questionnaire_v1.json");
/// Days an attestation made against an older version stays valid once a new one is published.
const GRACE_DAYS_V1: i32 = 90;
/// 2026-12-02T00:00:00Z, when version 1 was published.
const PUBLISHED_V1: i64 = 1_796_169_600;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Questionnaire::Table)
                    .col(pk_auto(Questionnaire::Id))
                    .col(integer(Questionnaire::Version))
                    .col(text(Questionnaire::Questions))
                    .col(integer(Questionnaire::GraceDays))
                    .col(big_integer(Questionnaire::PublishedAt))
                    .col(integer_null(Questionnaire::PublishedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_questionnaire_version")
                    .table(Questionnaire::Table)
                    .col(Questionnaire::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(Questionnaire::Table)
                    .columns([
                        Questionnaire::Version,
                        Questionnaire::Questions,
                        Questionnaire::GraceDays,
                        Questionnaire::PublishedAt,
                    ])
                    .values([1.into(), QUESTIONNAIRE_V1.into(), GRACE_DAYS_V1.into(), PUBLISHED_V1.into()])
                    .map_err(|e| DbErr::Custom(e.to_string()))?
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Attestation::Table)
                    .col(pk_auto(Attestation::Id))
                    .col(integer(Attestation::AppId))
                    .col(integer(Attestation::QuestionnaireVersion))
                    .col(integer(Attestation::AppVersion))
                    .col(string_len(Attestation::State, 20))
                    .col(text(Attestation::Answers))
                    .col(text(Attestation::Certifications))
                    .col(text(Attestation::Comments))
                    .col(text_null(Attestation::ReviewReason))
                    .col(big_integer(Attestation::CreatedAt))
                    .col(big_integer(Attestation::UpdatedAt))
                    .col(integer_null(Attestation::CreatedBy))
                    .col(big_integer_null(Attestation::SubmittedAt))
                    .col(big_integer_null(Attestation::DecidedAt))
                    .col(integer_null(Attestation::DecidedBy))
                    .col(big_integer_null(Attestation::ApprovedAt))
                    .col(big_integer_null(Attestation::ValidUntil))
                    .col(integer_null(Attestation::RemindedDays))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Attestation::Table, Attestation::AppId)
                            .to(ClientApp::Table, ClientApp::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attestation_app")
                    .table(Attestation::Table)
                    .col(Attestation::AppId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attestation_state")
                    .table(Attestation::Table)
                    .col(Attestation::State)
                    .col(Attestation::ValidUntil)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Attestation::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Questionnaire::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Questionnaire {
    Table,
    Id,
    Version,
    Questions,
    GraceDays,
    PublishedAt,
    PublishedBy,
}

#[derive(DeriveIden)]
enum Attestation {
    Table,
    Id,
    AppId,
    QuestionnaireVersion,
    AppVersion,
    State,
    Answers,
    Certifications,
    Comments,
    ReviewReason,
    CreatedAt,
    UpdatedAt,
    CreatedBy,
    SubmittedAt,
    DecidedAt,
    DecidedBy,
    ApprovedAt,
    ValidUntil,
    RemindedDays,
}

#[derive(DeriveIden)]
enum ClientApp {
    Table,
    Id,
}
