//! The crowdsourced directory: proposals and reports (`proposals`), the moderators' decisions
//! (`review`), what the pages read (`views`), applying a change with its history (`apply`,
//! `history`), history pages and reverts (`records`), and a re-import against the community's
//! changes (`reconcile`).
pub mod apply;
pub mod drafts;
pub mod duplicates;
pub mod history;
pub mod mails;
pub mod proposals;
pub mod reconcile;
pub mod records;
pub mod review;
pub mod scope;
pub mod views;
