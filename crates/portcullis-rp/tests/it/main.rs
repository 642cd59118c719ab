//! Integration tests of the relying party, in one binary: against a real Portcullis, and against a
//! second, independent OpenID Provider.

mod portcullis;
mod second_provider;
