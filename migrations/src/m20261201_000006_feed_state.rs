//! A feed is `approved` (fetched and imported on schedule) or `discovered` (named by a checked
//! smart-configuration, waiting for an operator): one endpoint owner cannot add brands alone.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(BundleFeed::Table)
                    .add_column(string_len(BundleFeed::State, 16).default("approved"))
                    .to_owned(),
            )
            .await?;
        // Feeds registered before this from a checked smart-configuration (their URL is in an
        // endpoint's fetched smart-configuration) were never approved by anyone: they wait now.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE bundle_feed SET state = 'discovered' WHERE EXISTS (SELECT 1 FROM endpoint_health h \
                 WHERE h.raw_smart LIKE '%\"' || bundle_feed.url || '\"%')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(BundleFeed::Table).drop_column(BundleFeed::State).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum BundleFeed {
    Table,
    State,
}
