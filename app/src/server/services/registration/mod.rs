//! Registration requests: an app asks payers for access, on each payer's published turnaround
//! target, counted in business days.
pub mod calendar;
pub mod clock;
pub mod requests;
pub mod views;
