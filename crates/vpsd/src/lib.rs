//! `vpsd`: the Domains API server and the operator's commands.
//!
//! - [`server`]: builds the application from [`server::ServerSettings`] and
//!   runs the HTTP API and the background worker under one `select!`.
//! - [`cli`]: the command line (`vpsd serve`, `vpsd account ...`, ...).
//! - [`demo`]: the demo data `vpsd serve --demo` puts in an empty database.
//! - [`duration`]: durations written like `2s`, `5m`, `7d`.
//! - [`dns_updates`]: the nameserver's signed messages (TSIG keys, RFC 2136
//!   updates) on the registrar.
//! - [`secrets_file`]: the secrets key file TSIG secrets are sealed with.
//! - [`transfer_keys`]: the operator's TSIG keys for secondaries' transfers.

pub mod cli;
pub mod demo;
pub mod dns_updates;
pub mod duration;
pub mod secrets_file;
pub mod server;
pub mod transfer_keys;
