//! The poller's tables. `endpoint_health` holds each endpoint's current state, its schedule and
//! its lease (so several instances share the work); `endpoint_check` is the compact history (one
//! small row per check); `endpoint_snapshot` keeps a full report only when the result changed.
//! Times are Unix seconds in big integers: compared and indexed the same on SQLite and PostgreSQL.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EndpointHealth::Table)
                    .col(integer(EndpointHealth::EndpointId).primary_key())
                    .col(string(EndpointHealth::Health))
                    .col(integer(EndpointHealth::ConsecutiveFailures))
                    .col(big_integer(EndpointHealth::NextCheckAt))
                    .col(string_null(EndpointHealth::LeaseOwner))
                    .col(big_integer_null(EndpointHealth::LeaseUntil))
                    .col(big_integer_null(EndpointHealth::LastCheckedAt))
                    .col(big_integer_null(EndpointHealth::LastChangeAt))
                    .col(string_null(EndpointHealth::Signature))
                    .col(text_null(EndpointHealth::Report))
                    .col(text_null(EndpointHealth::RawMetadata))
                    .col(text_null(EndpointHealth::RawSmart))
                    .col(integer_null(EndpointHealth::CertDaysLeft))
                    .col(boolean(EndpointHealth::CarinConformant))
                    .col(boolean(EndpointHealth::SupportsEob))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EndpointHealth::Table, EndpointHealth::EndpointId)
                            .to(Endpoint::Table, Endpoint::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_endpoint_health_due")
                    .table(EndpointHealth::Table)
                    .col(EndpointHealth::NextCheckAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EndpointCheck::Table)
                    .col(big_pk_auto(EndpointCheck::Id))
                    .col(integer(EndpointCheck::EndpointId))
                    .col(big_integer(EndpointCheck::CheckedAt))
                    .col(string(EndpointCheck::Health))
                    .col(integer_null(EndpointCheck::LatencyMs))
                    .col(string_null(EndpointCheck::FailureKind))
                    .col(text_null(EndpointCheck::Reason))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EndpointCheck::Table, EndpointCheck::EndpointId)
                            .to(Endpoint::Table, Endpoint::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_endpoint_check_endpoint_time")
                    .table(EndpointCheck::Table)
                    .col(EndpointCheck::EndpointId)
                    .col(EndpointCheck::CheckedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EndpointSnapshot::Table)
                    .col(big_pk_auto(EndpointSnapshot::Id))
                    .col(integer(EndpointSnapshot::EndpointId))
                    .col(big_integer(EndpointSnapshot::CheckedAt))
                    .col(text(EndpointSnapshot::Report))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EndpointSnapshot::Table, EndpointSnapshot::EndpointId)
                            .to(Endpoint::Table, Endpoint::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_endpoint_snapshot_endpoint")
                    .table(EndpointSnapshot::Table)
                    .col(EndpointSnapshot::EndpointId)
                    .col(EndpointSnapshot::CheckedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in
            [EndpointSnapshot::Table.into_iden(), EndpointCheck::Table.into_iden(), EndpointHealth::Table.into_iden()]
        {
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
    EndpointId,
    Health,
    ConsecutiveFailures,
    NextCheckAt,
    LeaseOwner,
    LeaseUntil,
    LastCheckedAt,
    LastChangeAt,
    Signature,
    Report,
    RawMetadata,
    RawSmart,
    CertDaysLeft,
    CarinConformant,
    SupportsEob,
}

#[derive(DeriveIden)]
enum EndpointCheck {
    Table,
    Id,
    EndpointId,
    CheckedAt,
    Health,
    LatencyMs,
    FailureKind,
    Reason,
}

#[derive(DeriveIden)]
enum EndpointSnapshot {
    Table,
    Id,
    EndpointId,
    CheckedAt,
    Report,
}
