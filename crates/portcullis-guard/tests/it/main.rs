//! Integration tests of the guard, in one binary: against a key server of its own, and in front of
//! an API with tokens from a real Portcullis.

mod portcullis;
mod verify;
