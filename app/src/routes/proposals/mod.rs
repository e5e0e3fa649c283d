//! The crowdsourced directory's pages: the proposal form, one proposal with its thread and the
//! moderator's decisions, the lists (mine, the queue, a brand's history, needs attention) and
//! "report a problem". Their forms post to the server's handlers (`server/src/http/proposals.rs`).
pub mod form;
pub mod lists;
pub mod preview;
pub mod report;
pub mod view;
