//! The embedded default backend: `SQLite` in WAL mode with `synchronous=FULL`, one writer
//! connection taking `BEGIN IMMEDIATE`, and a small pool of reader connections.

use std::path::Path;

use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};

use crate::{Batch, KeyRange, Store, StoreError, StoreResult, Table, Write};

/// A durable store in one `SQLite` database file.
pub struct SqliteStore {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: std::sync::atomic::AtomicUsize,
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn open(path: &Path, flags: OpenFlags) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(path, flags).map_err(backend)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(backend)?;
    // FULL makes every commit durable in WAL mode: an acknowledged write survives kill -9 and
    // power loss.
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;",
    )
    .map_err(backend)?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let writer = open(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        for table in Table::ALL {
            // BLOB keys compare with memcmp: byte order, as S3 listings need.
            writer
                .execute_batch(&format!(
                    "CREATE TABLE IF NOT EXISTS {} (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL) WITHOUT ROWID;",
                    table.name()
                ))
                .map_err(backend)?;
        }
        let readers = (0..4)
            .map(|_| {
                open(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map(Mutex::new)
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Self {
            writer: Mutex::new(writer),
            readers,
            next_reader: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    fn reader(&self) -> parking_lot::MutexGuard<'_, Connection> {
        for r in &self.readers {
            if let Some(guard) = r.try_lock() {
                return guard;
            }
        }
        let i = self
            .next_reader
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            % self.readers.len();
        self.readers[i].lock()
    }
}

fn bound_sql(range: &KeyRange) -> (String, Vec<Vec<u8>>) {
    use std::ops::Bound;
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    match &range.start {
        Bound::Included(s) => {
            clauses.push("k >= ?");
            args.push(s.clone());
        }
        Bound::Excluded(s) => {
            clauses.push("k > ?");
            args.push(s.clone());
        }
        Bound::Unbounded => {}
    }
    match &range.end {
        Bound::Included(e) => {
            clauses.push("k <= ?");
            args.push(e.clone());
        }
        Bound::Excluded(e) => {
            clauses.push("k < ?");
            args.push(e.clone());
        }
        Bound::Unbounded => {}
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, args)
}

impl Store for SqliteStore {
    fn get(&self, table: Table, key: &[u8]) -> StoreResult<Option<Vec<u8>>> {
        let conn = self.reader();
        let mut stmt = conn
            .prepare_cached(&format!("SELECT v FROM {} WHERE k = ?1", table.name()))
            .map_err(backend)?;
        let mut rows = stmt.query(params![key]).map_err(backend)?;
        match rows.next().map_err(backend)? {
            Some(row) => Ok(Some(row.get(0).map_err(backend)?)),
            None => Ok(None),
        }
    }

    fn scan(
        &self,
        table: Table,
        range: &KeyRange,
        limit: usize,
    ) -> StoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
        let (clause, args) = bound_sql(range);
        let conn = self.reader();
        let sql = format!(
            "SELECT k, v FROM {} {clause} ORDER BY k LIMIT {}",
            table.name(),
            i64::try_from(limit).unwrap_or(i64::MAX)
        );
        let mut stmt = conn.prepare_cached(&sql).map_err(backend)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .map_err(backend)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(backend)
    }

    fn commit(&self, batch: Batch) -> StoreResult<()> {
        if batch.writes.is_empty() && batch.absent.is_empty() {
            return Ok(());
        }
        let mut conn = self.writer.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        for (table, key) in &batch.absent {
            let exists: bool = tx
                .prepare_cached(&format!(
                    "SELECT EXISTS(SELECT 1 FROM {} WHERE k = ?1)",
                    table.name()
                ))
                .and_then(|mut s| s.query_row(params![key], |r| r.get(0)))
                .map_err(backend)?;
            if exists {
                return Err(StoreError::Conflict(table.name()));
            }
        }
        for write in &batch.writes {
            match write {
                Write::Put { table, key, value } => tx
                    .prepare_cached(&format!("INSERT INTO {} (k, v) VALUES (?1, ?2) ON CONFLICT(k) DO UPDATE SET v = excluded.v", table.name()))
                    .and_then(|mut s| s.execute(params![key, value])),
                Write::Delete { table, key } => tx
                    .prepare_cached(&format!("DELETE FROM {} WHERE k = ?1", table.name()))
                    .and_then(|mut s| s.execute(params![key])),
                Write::DeletePrefix { table, prefix } => {
                    let (clause, args) = bound_sql(&KeyRange::prefix(prefix));
                    tx.prepare_cached(&format!("DELETE FROM {} {clause}", table.name()))
                        .and_then(|mut s| s.execute(rusqlite::params_from_iter(args.iter())))
                }
            }
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}
