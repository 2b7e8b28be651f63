//! The embedded default backend: `SQLite` in WAL mode with `synchronous=FULL`, one writer
//! connection taking `BEGIN IMMEDIATE`, and a small pool of reader connections.
//!
//! Commits are grouped: a batch joins a queue, and whichever caller holds the writer next
//! applies every queued batch in one transaction — each inside its own savepoint, so a batch
//! that conflicts is rolled back alone — and pays one WAL fsync for all of them. Each caller
//! returns only once the transaction holding its batch is durable.

use std::path::Path;

use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};

use crate::{Batch, KeyRange, Store, StoreError, StoreResult, Table, Write};

/// A durable store in one `SQLite` database file.
pub struct SqliteStore {
    writer: Mutex<Connection>,
    /// Batches waiting for the next group commit.
    queue: Mutex<Vec<Queued>>,
    readers: Vec<Mutex<Connection>>,
    next_reader: std::sync::atomic::AtomicUsize,
}

/// What a committed batch answers: the values read before it applied.
type Outcome = StoreResult<Vec<Option<Vec<u8>>>>;

/// Where a group commit leaves one batch's outcome for the caller that queued it.
type Slot = std::sync::Arc<Mutex<Option<Outcome>>>;

/// A batch in the commit queue.
struct Queued {
    batch: Batch,
    slot: Slot,
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
            queue: Mutex::new(Vec::new()),
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

    fn commit_and_read(&self, batch: Batch) -> Outcome {
        if batch.writes.is_empty() && batch.absent.is_empty() && batch.read.is_empty() {
            return Ok(Vec::new());
        }
        let slot = Slot::default();
        self.queue.lock().push(Queued {
            batch,
            slot: slot.clone(),
        });
        // Whoever holds the writer commits everything queued so far; a caller whose batch a
        // previous holder already committed just takes its outcome.
        let mut conn = self.writer.lock();
        if let Some(done) = slot.lock().take() {
            return done;
        }
        let group = std::mem::take(&mut *self.queue.lock());
        commit_group(&mut conn, group);
        drop(conn);
        slot.lock()
            .take()
            .unwrap_or_else(|| Err(backend("the group commit lost a batch")))
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}

/// Applies `group` in one transaction, each batch in its own savepoint, and leaves every
/// batch's outcome in its slot.
fn commit_group(conn: &mut Connection, group: Vec<Queued>) {
    let mut outcomes: Vec<(Slot, Outcome)> = Vec::with_capacity(group.len());
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let text = e.to_string();
            for q in group {
                *q.slot.lock() = Some(Err(StoreError::Backend(text.clone())));
            }
            return;
        }
    };
    for q in group {
        let outcome = match tx.savepoint() {
            Ok(mut sp) => match apply(&sp, &q.batch) {
                Ok(previous) => sp.commit().map(|()| previous).map_err(backend),
                Err(e) => {
                    let _ = sp.rollback();
                    Err(e)
                }
            },
            Err(e) => Err(backend(e)),
        };
        outcomes.push((q.slot, outcome));
    }
    let committed = tx.commit().map_err(|e| e.to_string());
    for (slot, outcome) in outcomes {
        let outcome = match (&committed, outcome) {
            (Ok(()), o) => o,
            (Err(_), Err(e)) => Err(e),
            (Err(text), Ok(_)) => Err(StoreError::Backend(text.clone())),
        };
        *slot.lock() = Some(outcome);
    }
}

/// Checks and applies one batch inside the open transaction, returning the values read
/// before its writes.
fn apply(conn: &Connection, batch: &Batch) -> Outcome {
    for (table, key) in &batch.absent {
        let exists: bool = conn
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
    let mut previous = Vec::with_capacity(batch.read.len());
    for (table, key) in &batch.read {
        let value: Option<Vec<u8>> = conn
            .prepare_cached(&format!("SELECT v FROM {} WHERE k = ?1", table.name()))
            .and_then(|mut s| {
                let mut rows = s.query(params![key])?;
                rows.next()?.map(|r| r.get(0)).transpose()
            })
            .map_err(backend)?;
        previous.push(value);
    }
    for write in &batch.writes {
        match write {
            Write::Put { table, key, value } => conn
                .prepare_cached(&format!("INSERT INTO {} (k, v) VALUES (?1, ?2) ON CONFLICT(k) DO UPDATE SET v = excluded.v", table.name()))
                .and_then(|mut s| s.execute(params![key, value])),
            Write::Delete { table, key } => conn
                .prepare_cached(&format!("DELETE FROM {} WHERE k = ?1", table.name()))
                .and_then(|mut s| s.execute(params![key])),
            Write::DeletePrefix { table, prefix } => {
                let (clause, args) = bound_sql(&KeyRange::prefix(prefix));
                conn.prepare_cached(&format!("DELETE FROM {} {clause}", table.name()))
                    .and_then(|mut s| s.execute(rusqlite::params_from_iter(args.iter())))
            }
        }
        .map_err(backend)?;
    }
    Ok(previous)
}
