//! Portcullis domain logic, free of HTTP and SQL.
//!
//! The server and the CLI call into this crate; storage is reached only through the [`ports::Store`]
//! trait and time only through [`clock::Clock`], so every rule here can be tested with a fake clock
//! and either database engine.
//!
//! ```
//! use portcullis_core::clock::{Clock, FakeClock};
//! let clock = FakeClock::new(1_700_000_000);
//! clock.advance(30);
//! assert_eq!(clock.now(), 1_700_000_030);
//! ```

pub mod actions;
pub mod admin;
pub mod audit;
pub mod authn;
pub mod clock;
pub mod crypto;
pub mod error;
pub mod factor;
pub mod identity;
pub mod import;
pub mod model;
pub mod notify;
pub mod oauth;
pub mod policy;
pub mod ports;
pub mod roles;

pub use error::{Error, Result};
