//! The API test suite: every test runs over real HTTP against a server on a
//! random port, once on SQLite and once on PostgreSQL.

mod endpoints;
mod helpers;

mod account;
mod audit;
mod cancel;
mod cli;
mod cluster;
mod concurrency;
mod contacts;
mod dns_rfcs;
mod epp;
mod errors;
mod examples;
mod forwarding;
mod hosts;
mod idempotency;
mod lifecycle;
mod mail;
mod money;
mod names;
mod nameserver;
mod observe;
mod openapi;
mod premium;
mod pricing;
mod rdap;
mod records;
mod renewals;
mod sandbox;
mod schemathesis;
mod security;
mod snippets;
mod tokens;
mod tsig_keys;
mod zone_file;
