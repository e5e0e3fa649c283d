//! Payer organizations' claims on brands: who claimed which brand, at which domain, how it was
//! proven (an emailed link, a well-known file, or an admin's grant), and where it stands. At
//! most one claim per brand is in force (verified or flagged) at a time.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BrandClaim::Table)
                    .col(pk_auto(BrandClaim::Id))
                    .col(integer(BrandClaim::OrganizationId))
                    .col(integer(BrandClaim::BrandId))
                    .col(string_len(BrandClaim::Domain, 260))
                    .col(string_len(BrandClaim::Method, 16))
                    .col(string_len(BrandClaim::State, 16))
                    .col(string_len_null(BrandClaim::Email, 254))
                    .col(string_len_null(BrandClaim::TokenHash, 64))
                    .col(big_integer_null(BrandClaim::TokenExpiresAt))
                    .col(string_len_null(BrandClaim::FileToken, 64))
                    .col(integer_null(BrandClaim::CreatedBy))
                    .col(big_integer(BrandClaim::CreatedAt))
                    .col(big_integer_null(BrandClaim::VerifiedAt))
                    .col(big_integer(BrandClaim::NextCheckAt))
                    .col(big_integer_null(BrandClaim::FlaggedAt))
                    .col(big_integer_null(BrandClaim::EndedAt))
                    .col(text_null(BrandClaim::LastError))
                    .col(big_integer_null(BrandClaim::LeaseUntil))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrandClaim::Table, BrandClaim::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrandClaim::Table, BrandClaim::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_brand_claim_brand", BrandClaim::BrandId),
            ("idx_brand_claim_org", BrandClaim::OrganizationId),
            ("idx_brand_claim_next_check", BrandClaim::NextCheckAt),
            ("idx_brand_claim_token", BrandClaim::TokenHash),
        ] {
            manager.create_index(Index::create().name(name).table(BrandClaim::Table).col(col).to_owned()).await?;
        }
        // One claim in force per brand, whichever instance writes it: a partial unique index
        // (SQLite and PostgreSQL both have them).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_brand_claim_in_force ON brand_claim (brand_id) \
                 WHERE state IN ('verified', 'flagged')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BrandClaim::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum BrandClaim {
    Table,
    Id,
    OrganizationId,
    BrandId,
    Domain,
    Method,
    State,
    Email,
    TokenHash,
    TokenExpiresAt,
    FileToken,
    CreatedBy,
    CreatedAt,
    VerifiedAt,
    NextCheckAt,
    FlaggedAt,
    EndedAt,
    LastError,
    LeaseUntil,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Brand {
    Table,
    Id,
}
