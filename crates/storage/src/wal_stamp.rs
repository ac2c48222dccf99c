//! Whether an SQLite database in WAL mode changed, without a transaction.
//!
//! Every commit rewrites the wal-index header at the start of the `-shm`
//! file: SQLite's file format documents it (sqlite.org/walformat.html,
//! "The WAL-Index Header"): 48 bytes holding among others `iChange`, raised
//! by every commit, `mxFrame`, the salts and a checksum, written twice, the
//! second copy first. SQLite's own readers take it as valid when both
//! copies are equal; so do we. Two equal stamps read at two moments mean no
//! commit in between, in any process: the per-thread domain cache
//! (`sqlite.rs`) is exact, and a hit costs one `pread` instead of a read
//! transaction's two `fcntl` locks (docs/benchmarks.md).

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// The header's size; the file starts with two copies of it.
const HEADER: usize = 48;

/// A wal-index header: equal stamps, equal database.
pub(crate) type Stamp = [u8; HEADER];

/// The `-shm` file of a database, opened read-only.
#[derive(Debug)]
pub(crate) struct WalIndex {
    shm: File,
}

impl WalIndex {
    /// Opens `<database>-shm`; `None` if it is not there (not WAL, or not
    /// opened yet).
    pub(crate) fn open(database: &Path) -> Option<WalIndex> {
        let mut name = database.as_os_str().to_owned();
        name.push("-shm");
        File::open(name).ok().map(|shm| WalIndex { shm })
    }

    /// The current stamp; `None` while a writer is rewriting it (the two
    /// copies differ) or before the index is initialized.
    pub(crate) fn stamp(&self) -> Option<Stamp> {
        let mut buf = [0u8; 2 * HEADER];
        self.shm.read_exact_at(&mut buf, 0).ok()?;
        let (first, second) = buf.split_at(HEADER);
        // Byte 12 is `isInit`.
        if first != second || first[12] == 0 {
            return None;
        }
        let mut stamp = [0u8; HEADER];
        stamp.copy_from_slice(first);
        Some(stamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_changes_the_stamp_and_a_read_does_not() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("t.db");
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);")
            .expect("schema");
        let index = WalIndex::open(&path).expect("shm");
        let before = index.stamp().expect("stamp");
        let _: i64 = conn
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .expect("read");
        assert_eq!(index.stamp(), Some(before));
        // A commit from another connection (as from another process).
        let other = rusqlite::Connection::open(&path).expect("open");
        other
            .execute("INSERT INTO t VALUES (1)", [])
            .expect("insert");
        let after = index.stamp().expect("stamp");
        assert_ne!(after, before);
        other
            .execute("INSERT INTO t VALUES (2)", [])
            .expect("insert");
        assert_ne!(index.stamp().expect("stamp"), after);
    }
}
