//! Authentication: what a session has proved, and the assurance level that follows.

pub mod assurance;
pub mod factors;
pub mod lockout;
pub mod password_rules;
pub mod webauthn;
