pub mod brand_logo;
pub mod copy_button;
pub mod health;
pub mod hydration;
pub mod layout;
pub mod report;
pub mod subscribe;
pub mod tags;
