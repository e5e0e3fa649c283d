//! sea-orm entities for the directory tables (see the `migration` crate).
pub mod brand;
pub mod brand_endpoint;
pub mod endpoint;
pub mod endpoint_check;
pub mod endpoint_health;
pub mod endpoint_snapshot;
pub mod meta;
pub mod portal;
pub mod source;
