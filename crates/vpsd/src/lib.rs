//! `vpsd`: the Domains API server and the operator's commands.
//!
//! - [`server`]: builds the application from [`server::ServerSettings`] and
//!   runs the HTTP API and the background worker under one `select!`.
//! - [`cli`]: the command line (`vpsd serve`, `vpsd account ...`, ...).
//! - [`demo`]: the demo data `vpsd serve --demo` puts in an empty database.
//! - [`duration`]: durations written like `2s`, `5m`, `7d`.

pub mod cli;
pub mod demo;
pub mod duration;
pub mod server;
