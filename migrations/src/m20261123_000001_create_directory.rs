//! The Patient Access Brands directory: sources, brands (FHIR Organization), their portals,
//! endpoints, and the links between them. List-valued FHIR elements that are never queried by
//! themselves (aliases, identifiers, addresses, FHIR versions) are stored as JSON text, which
//! reads the same on SQLite and PostgreSQL.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Source::Table)
                    .col(pk_auto(Source::Id))
                    .col(string(Source::Location).unique_key())
                    .col(string(Source::Format))
                    .col(string(Source::ContentHash))
                    .col(timestamp_with_time_zone(Source::ImportedAt))
                    .col(integer(Source::BrandCount))
                    .col(integer(Source::EndpointCount))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Endpoint::Table)
                    .col(pk_auto(Endpoint::Id))
                    .col(integer(Endpoint::SourceId))
                    .col(string(Endpoint::ResourceId))
                    .col(text(Endpoint::Address))
                    .col(text_null(Endpoint::Name))
                    .col(string(Endpoint::ConnectionType))
                    .col(text(Endpoint::PayloadTypes))
                    .col(text(Endpoint::FhirVersions))
                    .col(text_null(Endpoint::ContactUrl))
                    .col(string(Endpoint::Status))
                    .col(string(Endpoint::ContentHash))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Endpoint::Table, Endpoint::SourceId)
                            .to(Source::Table, Source::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_endpoint_source_resource")
                    .table(Endpoint::Table)
                    .col(Endpoint::SourceId)
                    .col(Endpoint::ResourceId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Brand::Table)
                    .col(pk_auto(Brand::Id))
                    .col(integer(Brand::SourceId))
                    .col(string(Brand::ResourceId))
                    .col(text(Brand::Name))
                    .col(text(Brand::Aliases))
                    .col(text(Brand::Identifiers))
                    .col(text(Brand::Categories))
                    .col(text_null(Brand::Website))
                    .col(text(Brand::Addresses))
                    .col(text_null(Brand::LogoUrl))
                    .col(text_null(Brand::LogoLicense))
                    .col(string_null(Brand::PartOf))
                    .col(boolean(Brand::Active))
                    .col(string(Brand::ContentHash))
                    .col(timestamp_with_time_zone(Brand::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Brand::Table, Brand::SourceId)
                            .to(Source::Table, Source::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_brand_source_resource")
                    .table(Brand::Table)
                    .col(Brand::SourceId)
                    .col(Brand::ResourceId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Portal::Table)
                    .col(pk_auto(Portal::Id))
                    .col(integer(Portal::BrandId))
                    .col(integer(Portal::Position))
                    .col(text_null(Portal::Name))
                    .col(text_null(Portal::Description))
                    .col(text_null(Portal::Url))
                    .col(text_null(Portal::LogoUrl))
                    .col(text_null(Portal::LogoLicense))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Portal::Table, Portal::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_portal_brand").table(Portal::Table).col(Portal::BrandId).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BrandEndpoint::Table)
                    .col(integer(BrandEndpoint::BrandId))
                    .col(integer(BrandEndpoint::EndpointId))
                    .col(integer_null(BrandEndpoint::PortalId))
                    .col(integer(BrandEndpoint::Position))
                    .primary_key(Index::create().col(BrandEndpoint::BrandId).col(BrandEndpoint::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrandEndpoint::Table, BrandEndpoint::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrandEndpoint::Table, BrandEndpoint::EndpointId)
                            .to(Endpoint::Table, Endpoint::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_brand_endpoint_endpoint")
                    .table(BrandEndpoint::Table)
                    .col(BrandEndpoint::EndpointId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Meta::Table)
                    .col(string(Meta::Key).primary_key())
                    .col(big_integer(Meta::Value))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(Meta::Table)
                    .columns([Meta::Key, Meta::Value])
                    .values_panic(["directory_version".into(), 0i64.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Meta::Table.into_iden(),
            BrandEndpoint::Table.into_iden(),
            Portal::Table.into_iden(),
            Brand::Table.into_iden(),
            Endpoint::Table.into_iden(),
            Source::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Source {
    Table,
    Id,
    Location,
    Format,
    ContentHash,
    ImportedAt,
    BrandCount,
    EndpointCount,
}

#[derive(DeriveIden)]
enum Endpoint {
    Table,
    Id,
    SourceId,
    ResourceId,
    Address,
    Name,
    ConnectionType,
    PayloadTypes,
    FhirVersions,
    ContactUrl,
    Status,
    ContentHash,
}

#[derive(DeriveIden)]
enum Brand {
    Table,
    Id,
    SourceId,
    ResourceId,
    Name,
    Aliases,
    Identifiers,
    Categories,
    Website,
    Addresses,
    LogoUrl,
    LogoLicense,
    PartOf,
    Active,
    ContentHash,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Portal {
    Table,
    Id,
    BrandId,
    Position,
    Name,
    Description,
    Url,
    LogoUrl,
    LogoLicense,
}

#[derive(DeriveIden)]
enum BrandEndpoint {
    Table,
    BrandId,
    EndpointId,
    PortalId,
    Position,
}

#[derive(DeriveIden)]
enum Meta {
    Table,
    Key,
    Value,
}
