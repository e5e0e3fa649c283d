//! sea-orm entities for the directory tables (see the `migration` crate).
pub mod brand;
pub mod brand_endpoint;
pub mod endpoint;
pub mod meta;
pub mod portal;
pub mod source;
