//! sea-orm entities for the directory tables (see the `migration` crate).
pub mod alert_event;
pub mod app_secret;
pub mod brand;
pub mod brand_endpoint;
pub mod bundle_feed;
pub mod endpoint;
pub mod endpoint_check;
pub mod endpoint_health;
pub mod endpoint_snapshot;
pub mod mail_outbox;
pub mod meta;
pub mod portal;
pub mod source;
pub mod subscription;
