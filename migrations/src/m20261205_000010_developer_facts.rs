//! What app developers need to wire up a payer: its developer-portal facts (one row per brand),
//! the plans a brand covers with their lines of business, and the API base URLs per brand or
//! per plan (Patient Access, provider directory, formulary, payer-to-payer, prior authorization).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let brand_fk = |table: DeveloperFacts| {
            ForeignKey::create()
                .from(table, Alias::new("brand_id"))
                .to(Brand::Table, Brand::Id)
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(DeveloperFacts::Table)
                    .col(integer(DeveloperFacts::BrandId).primary_key())
                    .col(text(DeveloperFacts::Facts))
                    .col(integer(DeveloperFacts::TurnaroundDays))
                    .col(integer_null(DeveloperFacts::TurnaroundSandboxDays))
                    .col(boolean_null(DeveloperFacts::SelfService))
                    .col(boolean(DeveloperFacts::HasSandbox))
                    .col(boolean_null(DeveloperFacts::TestPatients))
                    .col(string_len(DeveloperFacts::Origin, 16))
                    .col(integer_null(DeveloperFacts::UpdatedBy))
                    .col(big_integer(DeveloperFacts::UpdatedAt))
                    .foreign_key(&mut brand_fk(DeveloperFacts::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BrandPlan::Table)
                    .col(pk_auto(BrandPlan::Id))
                    .col(integer(BrandPlan::BrandId))
                    .col(integer(BrandPlan::Position))
                    .col(string_len(BrandPlan::Name, 200))
                    .col(string_len(BrandPlan::LineOfBusiness, 24))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrandPlan::Table, BrandPlan::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BrandApi::Table)
                    .col(pk_auto(BrandApi::Id))
                    .col(integer(BrandApi::BrandId))
                    .col(integer_null(BrandApi::PlanId))
                    .col(string_len(BrandApi::Kind, 24))
                    .col(string_len(BrandApi::Url, 2048))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrandApi::Table, BrandApi::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrandApi::Table, BrandApi::PlanId)
                            .to(BrandPlan::Table, BrandPlan::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, col) in [
            ("idx_brand_plan_brand", BrandPlan::Table.into_iden(), BrandPlan::BrandId.into_iden()),
            ("idx_brand_api_brand", BrandApi::Table.into_iden(), BrandApi::BrandId.into_iden()),
        ] {
            manager.create_index(Index::create().name(name).table(table).col(col).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BrandApi::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(BrandPlan::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(DeveloperFacts::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum DeveloperFacts {
    Table,
    BrandId,
    /// The facts as JSON (URLs, texts, scopes), each parsed and capped before it is stored.
    Facts,
    TurnaroundDays,
    TurnaroundSandboxDays,
    SelfService,
    HasSandbox,
    TestPatients,
    Origin,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BrandPlan {
    Table,
    Id,
    BrandId,
    Position,
    Name,
    LineOfBusiness,
}

#[derive(DeriveIden)]
enum BrandApi {
    Table,
    Id,
    BrandId,
    PlanId,
    Kind,
    Url,
}

#[derive(DeriveIden)]
enum Brand {
    Table,
    Id,
}
