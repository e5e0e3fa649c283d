//! Queries and mutations over `&DatabaseConnection`, shared by server functions, HTTP handlers
//! and the CLI.
pub mod accounts;
pub mod apps;
pub mod audit;
pub mod brands;
pub mod cpu;
pub mod dashboard;
pub mod endpoint_status;
pub mod export;
pub mod feeds;
pub mod lookup;
pub mod moderation;
pub mod notify;
pub mod operations;
pub mod organizations;
pub mod outbox;
pub mod polling;
pub mod publishing;
pub mod registration;
pub mod resources;
pub mod search;
pub mod sources;
pub(crate) mod sql;
pub mod subscriptions;
