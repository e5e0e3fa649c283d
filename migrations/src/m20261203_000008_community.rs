//! The crowdsourced directory: proposals (new brands, edits, new endpoints, reports) with their
//! threads, the history of every applied change to a brand or endpoint, the fields the community
//! changed on imported records (so a re-import does not silently undo them), and the conflicts a
//! re-import left for moderators. `account.trusted` lets an admin make a contributor's edits
//! apply at once.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Proposal::Table)
                    .col(pk_auto(Proposal::Id))
                    .col(string_len(Proposal::Kind, 16))
                    .col(string_len(Proposal::State, 16))
                    .col(integer_null(Proposal::BrandId))
                    .col(integer_null(Proposal::EndpointId))
                    .col(integer_null(Proposal::ProposerId))
                    .col(string_len_null(Proposal::ReporterEmail, 254))
                    .col(string_len_null(Proposal::ReportKind, 24))
                    .col(text_null(Proposal::ReportDetail))
                    .col(text(Proposal::Comment))
                    .col(text_null(Proposal::Base))
                    .col(text_null(Proposal::Draft))
                    .col(text_null(Proposal::Findings))
                    .col(text_null(Proposal::CheckResult))
                    .col(big_integer(Proposal::CreatedAt))
                    .col(big_integer(Proposal::UpdatedAt))
                    .col(big_integer_null(Proposal::DecidedAt))
                    .col(integer_null(Proposal::DecidedBy))
                    .col(text_null(Proposal::DecisionReason))
                    .col(string_len(Proposal::Client, 64))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_proposal_state", Proposal::State),
            ("idx_proposal_brand", Proposal::BrandId),
            ("idx_proposal_proposer", Proposal::ProposerId),
        ] {
            manager.create_index(Index::create().name(name).table(Proposal::Table).col(col).to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ProposalMessage::Table)
                    .col(pk_auto(ProposalMessage::Id))
                    .col(integer(ProposalMessage::ProposalId))
                    .col(integer_null(ProposalMessage::AuthorId))
                    .col(string_len(ProposalMessage::AuthorLabel, 254))
                    .col(boolean(ProposalMessage::FromModerator))
                    .col(text(ProposalMessage::Body))
                    .col(big_integer(ProposalMessage::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProposalMessage::Table, ProposalMessage::ProposalId)
                            .to(Proposal::Table, Proposal::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_proposal_message_proposal")
                    .table(ProposalMessage::Table)
                    .col(ProposalMessage::ProposalId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecordChange::Table)
                    .col(big_pk_auto(RecordChange::Id))
                    .col(string_len(RecordChange::RecordKind, 16))
                    .col(integer(RecordChange::RecordId))
                    .col(big_integer(RecordChange::At))
                    .col(string_len(RecordChange::Origin, 16))
                    .col(integer_null(RecordChange::SourceId))
                    .col(integer_null(RecordChange::ActorId))
                    .col(string_len(RecordChange::ActorLabel, 254))
                    .col(integer_null(RecordChange::ProposalId))
                    .col(text(RecordChange::Reason))
                    .col(text(RecordChange::Fields))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_record_change_record")
                    .table(RecordChange::Table)
                    .col(RecordChange::RecordKind)
                    .col(RecordChange::RecordId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CommunityField::Table)
                    .col(string_len(CommunityField::RecordKind, 16))
                    .col(integer(CommunityField::RecordId))
                    .col(string_len(CommunityField::Field, 40))
                    .col(text(CommunityField::Value))
                    .col(text(CommunityField::Upstream))
                    .col(integer_null(CommunityField::ProposalId))
                    .col(big_integer(CommunityField::At))
                    .primary_key(
                        Index::create()
                            .col(CommunityField::RecordKind)
                            .col(CommunityField::RecordId)
                            .col(CommunityField::Field),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ImportConflict::Table)
                    .col(pk_auto(ImportConflict::Id))
                    .col(string_len(ImportConflict::RecordKind, 16))
                    .col(integer(ImportConflict::RecordId))
                    .col(integer(ImportConflict::BrandId))
                    .col(string_len(ImportConflict::Field, 40))
                    .col(text(ImportConflict::CommunityValue))
                    .col(text(ImportConflict::ImportValue))
                    .col(integer(ImportConflict::SourceId))
                    .col(integer_null(ImportConflict::ProposalId))
                    .col(big_integer(ImportConflict::At))
                    .col(big_integer_null(ImportConflict::ResolvedAt))
                    .to_owned(),
            )
            .await?;
        // The bundle's `meta.lastUpdated` is the newest of the imports and the brands' changes.
        manager
            .create_index(
                Index::create().name("idx_brand_updated_at").table(Brand::Table).col(Brand::UpdatedAt).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(Account::Table).add_column(boolean(Account::Trusted).default(false)).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Account::Table).drop_column(Account::Trusted).to_owned()).await?;
        manager.drop_index(Index::drop().name("idx_brand_updated_at").table(Brand::Table).to_owned()).await?;
        for table in [
            ImportConflict::Table.into_iden(),
            CommunityField::Table.into_iden(),
            RecordChange::Table.into_iden(),
            ProposalMessage::Table.into_iden(),
            Proposal::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Brand {
    Table,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Trusted,
}

#[derive(DeriveIden)]
enum Proposal {
    Table,
    Id,
    Kind,
    State,
    BrandId,
    EndpointId,
    ProposerId,
    ReporterEmail,
    ReportKind,
    ReportDetail,
    Comment,
    Base,
    Draft,
    Findings,
    CheckResult,
    CreatedAt,
    UpdatedAt,
    DecidedAt,
    DecidedBy,
    DecisionReason,
    Client,
}

#[derive(DeriveIden)]
enum ProposalMessage {
    Table,
    Id,
    ProposalId,
    AuthorId,
    AuthorLabel,
    FromModerator,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RecordChange {
    Table,
    Id,
    RecordKind,
    RecordId,
    At,
    Origin,
    SourceId,
    ActorId,
    ActorLabel,
    ProposalId,
    Reason,
    Fields,
}

#[derive(DeriveIden)]
enum CommunityField {
    Table,
    RecordKind,
    RecordId,
    Field,
    Value,
    Upstream,
    ProposalId,
    At,
}

#[derive(DeriveIden)]
enum ImportConflict {
    Table,
    Id,
    RecordKind,
    RecordId,
    BrandId,
    Field,
    CommunityValue,
    ImportValue,
    SourceId,
    ProposalId,
    At,
    ResolvedAt,
}
