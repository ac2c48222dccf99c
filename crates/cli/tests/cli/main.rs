//! `vps` against a real server (in this process, SQLite, a random port),
//! run as a user would run it: the binary, its arguments, its environment.

mod contacts;
mod domains;
mod errors;
mod helpers;
mod login;
mod output;
mod reference;
mod transfers;
mod usage;
