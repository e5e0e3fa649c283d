pub mod brand_logo;
pub mod copy_button;
pub mod layout;
pub mod tags;
