//! Brand bundles published at a URL (a source imported from a URL, or a smart-configuration's
//! `user_access_brand_bundle`), refetched on schedule with `If-None-Match`, leased like endpoints.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BundleFeed::Table)
                    .col(pk_auto(BundleFeed::Id))
                    .col(string(BundleFeed::Url).unique_key())
                    .col(string_null(BundleFeed::Etag))
                    .col(big_integer(BundleFeed::CreatedAt))
                    .col(big_integer(BundleFeed::NextFetchAt))
                    .col(big_integer_null(BundleFeed::LastFetchedAt))
                    .col(integer_null(BundleFeed::LastStatus))
                    .col(text_null(BundleFeed::LastError))
                    .col(big_integer_null(BundleFeed::LeaseUntil))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_bundle_feed_due")
                    .table(BundleFeed::Table)
                    .col(BundleFeed::NextFetchAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BundleFeed::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum BundleFeed {
    Table,
    Id,
    Url,
    Etag,
    CreatedAt,
    NextFetchAt,
    LastFetchedAt,
    LastStatus,
    LastError,
    LeaseUntil,
}
