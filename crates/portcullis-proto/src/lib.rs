//! Wire types shared by the Portcullis server and its SDKs.
//!
//! Everything here is plain data with serde: claims (OIDC Core §2, RFC 9068), OAuth messages
//! (RFC 6749 §5), discovery metadata (RFC 8414) and the assurance levels of NIST SP 800-63B.
//! No I/O lives here so the guard and relying-party crates can depend on it cheaply.
//!
//! ```
//! use portcullis_proto::acr::Acr;
//! assert!(Acr::parse("aal3").unwrap().satisfies(Acr::Aal2));
//! ```

pub mod acr;
pub mod claims;
pub mod discovery;
pub mod oauth;
