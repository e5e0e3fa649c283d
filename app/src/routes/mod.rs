pub mod brand;
pub mod not_found;
pub mod search;
pub mod validate;
