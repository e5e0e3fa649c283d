//! Payers and their brands: claims on brands (proven by mail or a well-known file, re-verified
//! on schedule), and what admins do to them.
pub mod admin;
pub mod checks;
pub mod claims;
pub mod facts;
pub mod mails;
