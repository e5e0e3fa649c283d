//! A payer organization's bundle URL: Signpost refetches it on schedule (`If-None-Match`) and
//! publishes what changed, as if the payer had uploaded it. One per organization. And the claim
//! a brand published at a verified domain holds under: it ends when that claim ends.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PublisherFeed::Table)
                    .col(pk_auto(PublisherFeed::Id))
                    .col(integer(PublisherFeed::OrganizationId).unique_key())
                    .col(text(PublisherFeed::Url))
                    .col(string_len_null(PublisherFeed::Etag, 256))
                    .col(string_len_null(PublisherFeed::ContentHash, 64))
                    .col(integer(PublisherFeed::RegisteredBy))
                    .col(big_integer(PublisherFeed::CreatedAt))
                    .col(big_integer(PublisherFeed::NextFetchAt))
                    .col(big_integer_null(PublisherFeed::LastFetchedAt))
                    .col(integer_null(PublisherFeed::LastStatus))
                    .col(text_null(PublisherFeed::LastOutcome))
                    .col(big_integer_null(PublisherFeed::LeaseUntil))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PublisherFeed::Table, PublisherFeed::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_publisher_feed_due")
                    .table(PublisherFeed::Table)
                    .col(PublisherFeed::NextFetchAt)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(BrandClaim::Table).add_column(integer_null(BrandClaim::DerivedFrom)).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_brand_claim_derived")
                    .table(BrandClaim::Table)
                    .col(BrandClaim::DerivedFrom)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("idx_brand_claim_derived").table(BrandClaim::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(BrandClaim::Table).drop_column(BrandClaim::DerivedFrom).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(PublisherFeed::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum PublisherFeed {
    Table,
    Id,
    OrganizationId,
    Url,
    Etag,
    ContentHash,
    RegisteredBy,
    CreatedAt,
    NextFetchAt,
    LastFetchedAt,
    LastStatus,
    LastOutcome,
    LeaseUntil,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum BrandClaim {
    Table,
    DerivedFrom,
}
