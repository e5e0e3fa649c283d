//! Registration requests: an app asks payers for access, on each payer's published turnaround
//! target, counted in business days.
pub mod actions;
pub mod assign;
pub mod calendar;
pub mod clock;
pub mod email_payers;
pub mod overview;
pub mod queue;
pub mod reminders;
pub mod requests;
pub mod settings;
pub mod thread;
pub mod turnaround;
pub mod views;
