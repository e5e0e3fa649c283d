pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_directory;
mod m20261123_000002_create_polling;
mod m20261123_000003_create_alerts;
mod m20261123_000004_create_bundle_feed;
mod m20261201_000005_source_name;
mod m20261201_000006_feed_state;
mod m20261202_000007_accounts;
mod m20261203_000008_community;
mod m20261204_000009_claims;
mod m20261205_000010_developer_facts;
mod m20261206_000011_publications;
mod m20261207_000012_logos;
mod m20261208_000013_publisher_feed;
mod m20261209_000014_apps;
mod m20261210_000015_attestations;
mod m20261211_000016_registration_requests;
mod m20261212_000017_turnaround;
mod m20261213_000018_payer_settings;
mod m20261214_000019_queue_listing_index;
mod m20261215_000020_brand_children_index;
mod m20261216_000021_directory_changes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_directory::Migration),
            Box::new(m20261123_000002_create_polling::Migration),
            Box::new(m20261123_000003_create_alerts::Migration),
            Box::new(m20261123_000004_create_bundle_feed::Migration),
            Box::new(m20261201_000005_source_name::Migration),
            Box::new(m20261201_000006_feed_state::Migration),
            Box::new(m20261202_000007_accounts::Migration),
            Box::new(m20261203_000008_community::Migration),
            Box::new(m20261204_000009_claims::Migration),
            Box::new(m20261205_000010_developer_facts::Migration),
            Box::new(m20261206_000011_publications::Migration),
            Box::new(m20261207_000012_logos::Migration),
            Box::new(m20261208_000013_publisher_feed::Migration),
            Box::new(m20261209_000014_apps::Migration),
            Box::new(m20261210_000015_attestations::Migration),
            Box::new(m20261211_000016_registration_requests::Migration),
            Box::new(m20261212_000017_turnaround::Migration),
            Box::new(m20261213_000018_payer_settings::Migration),
            Box::new(m20261214_000019_queue_listing_index::Migration),
            Box::new(m20261215_000020_brand_children_index::Migration),
            Box::new(m20261216_000021_directory_changes::Migration),
        ]
    }
}
