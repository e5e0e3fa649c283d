//! Payers and their brands: claims on brands (proven by mail or a well-known file, re-verified
//! on schedule) and what admins do to them; developer facts, plans and APIs; publishing a
//! bundle (`upload`) or following its URL (`feed`), and the published versions (`publications`).
pub mod admin;
pub mod checks;
pub mod claims;
pub mod facts;
pub mod feed;
pub mod logos;
pub mod mails;
pub mod publications;
pub mod upload;
