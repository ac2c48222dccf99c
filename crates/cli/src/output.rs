//! Tables for people, JSON for scripts.
//!
//! Everything goes through [`out`] and [`note`], never `println!`/`eprintln!`
//! (which panic when the reader has gone): a closed standard output ends
//! `vps` quietly (see `main`), a closed standard error is ignored.

use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

/// Writes `text` and a newline on standard output.
///
/// # Errors
/// The write's I/O error: `BrokenPipe` when the reader has gone
/// (`vps ... | head -1`), which `main` turns into a quiet exit.
pub fn out(text: impl std::fmt::Display) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    stdout.flush()?;
    Ok(())
}

/// Writes raw bytes on standard output (a completion script).
///
/// # Errors
/// As [`out`].
pub fn out_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.flush()?;
    Ok(())
}

/// Writes a message for the person on standard error; a closed standard
/// error is ignored (the work is done either way).
pub fn note(text: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Prints `value` as indented JSON.
///
/// # Errors
/// As [`out`].
pub fn json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    out(serde_json::to_string_pretty(value)?)
}

/// Prints rows under a header.
///
/// # Errors
/// As [`out`].
pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> anyhow::Result<()> {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    for row in rows {
        t.add_row(row);
    }
    out(t)
}

/// Prints `field: value` lines.
///
/// # Errors
/// As [`out`].
pub fn fields(pairs: &[(&str, String)]) -> anyhow::Result<()> {
    let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let text: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k:<width$}  {v}"))
        .collect();
    out(text.join("\n"))
}

/// `yes` or `no`.
pub fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

/// A time as a date and time, UTC.
pub fn when(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A date.
pub fn day(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}
