//! The request bodies: one type per request, which deserializes, documents
//! (its schema's properties are the accepted fields) and parses into the
//! domain's types with every field's error collected
//! ([`crate::extract::body`]).

pub mod contacts;
pub mod domains;
pub mod forwards;
pub mod hosts;
pub mod records;
pub mod tsig_keys;
