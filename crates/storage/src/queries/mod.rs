//! The SQL of every aggregate, one file each, written once for both
//! backends. This directory is included by `sqlite.rs` and by `postgres.rs`
//! (`#[path]`), so each file is compiled once per backend against that
//! backend's `Db` (its sqlx database) and `ThisStore` (its store type),
//! through the hooks of [`crate::backend::Backend`]. The SQL is the subset
//! both databases share (`$n` parameters, `RETURNING`, partial indexes).

use super::{Db, ThisStore};

mod accounts;
mod audit;
mod clock;
mod common;
mod contacts;
mod domains;
mod feed;
mod health;
mod idempotency;
mod jobs;
mod lifecycle;
mod outbox;
mod premium;
mod rdap;
mod registry;
mod registry_contacts;
mod tokens;
mod transfers;
mod tsig_keys;
mod zone;
