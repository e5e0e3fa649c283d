pub mod accounts;
pub mod alerts;
pub mod brand;
pub mod check;
pub mod endpoint;
pub mod not_found;
pub mod search;
pub mod validate;
