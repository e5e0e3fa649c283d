//! Email alerts: which events a check causes (`events`), the signed tokens in confirmation and
//! unsubscribe links (`token`), and the words of each mail (`compose`). The subscriptions and
//! the outbox themselves are in `services::subscriptions` and `services::outbox`; sending is the
//! server's mailer.
pub mod compose;
pub mod email;
pub mod events;
pub mod token;
