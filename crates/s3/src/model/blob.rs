//! Object bodies. Small ones ([`INLINE_MAX`] bytes or fewer) live in the object's record in
//! the store, so one durable commit stores them and one read serves them. Larger ones are blob
//! files on local disk: written to a temporary file, fsync'd, renamed into place and their
//! directory fsync'd before anyone is told they exist; metadata that points at a blob is
//! committed only after that, so nothing acknowledged is ever lost.

use std::io;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use tokio::fs;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// The largest body kept in the object's record instead of a blob file.
pub const INLINE_MAX: usize = 16 * 1024;

/// The largest read of a blob file in one hop to a blocking thread.
const READ_CHUNK: usize = 1024 * 1024;

/// Where an object's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectBody {
    /// A blob file.
    Blob(BlobId),
    /// In the object's record itself (at most [`INLINE_MAX`] bytes).
    Inline(Bytes),
}

impl ObjectBody {
    /// The bytes `start..start + len` as a response body stream.
    pub async fn read_range(
        &self,
        blobs: &BlobStore,
        start: u64,
        len: u64,
    ) -> io::Result<s3s::dto::StreamingBlob> {
        match self {
            ObjectBody::Inline(data) => {
                let piece = slice(data, start, len)?;
                Ok(s3s::dto::StreamingBlob::wrap(futures::stream::once(
                    async move { Ok::<_, io::Error>(piece) },
                )))
            }
            ObjectBody::Blob(id) => {
                let mut file = blobs.open_read(id).await?;
                if start > 0 {
                    file.seek(io::SeekFrom::Start(start)).await?;
                }
                // Each read is a hop to a blocking thread: large reads keep big GETs near the
                // speed of the page cache.
                let chunk = usize::try_from(len).map_or(READ_CHUNK, |n| n.clamp(1, READ_CHUNK));
                let stream = tokio_util::io::ReaderStream::with_capacity(file.take(len), chunk);
                Ok(s3s::dto::StreamingBlob::wrap(stream))
            }
        }
    }
}

/// `len` bytes of `data` from `start`, or an error when they are not all there.
pub(crate) fn slice(data: &Bytes, start: u64, len: u64) -> io::Result<Bytes> {
    let start = usize::try_from(start).map_err(io::Error::other)?;
    let end = start.saturating_add(usize::try_from(len).map_err(io::Error::other)?);
    if end > data.len() {
        return Err(io::Error::other(
            "inline body is shorter than its record says",
        ));
    }
    Ok(data.slice(start..end))
}

/// A new body on its way to the store: held in memory while it fits [`INLINE_MAX`] (or the
/// limit given), then spilled to a blob file.
pub enum BodySink {
    /// Still small.
    Memory(Vec<u8>, usize),
    /// Spilled to a blob being written.
    File(BlobWriter),
}

impl BodySink {
    /// Appends bytes, spilling to a new blob of `blobs` once past the limit.
    pub async fn write(&mut self, blobs: &BlobStore, bytes: &[u8]) -> io::Result<()> {
        match self {
            BodySink::Memory(buf, limit) if buf.len() + bytes.len() <= *limit => {
                buf.extend_from_slice(bytes);
                Ok(())
            }
            BodySink::Memory(buf, _) => {
                let mut writer = blobs.create().await?;
                writer.write(buf).await?;
                writer.write(bytes).await?;
                *self = BodySink::File(writer);
                Ok(())
            }
            BodySink::File(writer) => writer.write(bytes).await,
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        match self {
            BodySink::Memory(buf, _) => buf.len() as u64,
            BodySink::File(w) => w.len(),
        }
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The body, durable if it is a blob (inline bodies become durable with their record).
    pub async fn finish(self, blobs: &BlobStore) -> io::Result<ObjectBody> {
        match self {
            BodySink::Memory(buf, _) => Ok(ObjectBody::Inline(Bytes::from(buf))),
            BodySink::File(writer) => Ok(ObjectBody::Blob(blobs.commit(writer).await?.0)),
        }
    }

    /// Throws the body away.
    pub async fn abort(self, blobs: &BlobStore) {
        if let BodySink::File(writer) = self {
            blobs.abort(writer).await;
        }
    }
}

/// The id of a stored blob (a random UUID-like hex string).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct BlobId(pub String);

impl BlobId {
    /// A fresh random id.
    pub fn generate() -> Self {
        let bytes: [u8; 16] = rand::random();
        Self(hex::encode(bytes))
    }
}

/// Blob files under a directory, sharded by the first two hex digits of the id.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

/// A blob being written.
pub struct BlobWriter {
    file: fs::File,
    tmp: PathBuf,
    id: BlobId,
    written: u64,
}

impl BlobStore {
    /// Opens (creating) the blob directory.
    pub fn open(root: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    /// The path of a blob.
    pub fn path(&self, id: &BlobId) -> PathBuf {
        let shard = id.0.get(..2).unwrap_or("00");
        self.root.join(shard).join(&id.0)
    }

    /// A sink for a new object body: inline while it fits `limit` bytes (at most
    /// [`INLINE_MAX`]; 0 for bodies that must be blobs, such as multipart parts).
    pub fn sink(&self, limit: usize, expected: Option<u64>) -> BodySink {
        let limit = limit.min(INLINE_MAX);
        let capacity = expected
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n <= limit)
            .unwrap_or(0);
        BodySink::Memory(Vec::with_capacity(capacity), limit)
    }

    /// Removes the blob of a replaced or deleted body (inline bodies go with their record).
    pub async fn release(&self, body: &ObjectBody) {
        if let ObjectBody::Blob(id) = body {
            self.remove(id).await;
        }
    }

    /// A body as a blob file, writing one for an inline body (multipart parts are always blobs).
    pub async fn into_blob(&self, body: ObjectBody) -> io::Result<BlobId> {
        match body {
            ObjectBody::Blob(id) => Ok(id),
            ObjectBody::Inline(data) => {
                let mut writer = self.create().await?;
                writer.write(&data).await?;
                Ok(self.commit(writer).await?.0)
            }
        }
    }

    /// Starts writing a new blob.
    pub async fn create(&self) -> io::Result<BlobWriter> {
        let id = BlobId::generate();
        let tmp = self.root.join("tmp").join(format!("{}.part", id.0));
        let file = fs::File::create(&tmp).await?;
        Ok(BlobWriter {
            file,
            tmp,
            id,
            written: 0,
        })
    }

    /// Makes a written blob durable and visible under its id.
    pub async fn commit(&self, mut writer: BlobWriter) -> io::Result<(BlobId, u64)> {
        writer.file.flush().await?;
        writer.file.sync_all().await?;
        drop(writer.file);
        let dest = self.path(&writer.id);
        let dir = dest
            .parent()
            .map_or_else(|| self.root.clone(), Path::to_path_buf);
        fs::create_dir_all(&dir).await?;
        fs::rename(&writer.tmp, &dest).await?;
        fs::File::open(&dir).await?.sync_all().await?;
        Ok((writer.id, writer.written))
    }

    /// Throws away a blob that was being written.
    pub async fn abort(&self, writer: BlobWriter) {
        drop(writer.file);
        let _ = fs::remove_file(&writer.tmp).await;
    }

    /// Removes a blob (best effort: an orphan file is harmless).
    pub async fn remove(&self, id: &BlobId) {
        if let Err(e) = fs::remove_file(self.path(id)).await
            && e.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(blob = %id.0, error = %e, "could not remove blob");
        }
    }

    /// Opens a blob for reading.
    pub async fn open_read(&self, id: &BlobId) -> io::Result<fs::File> {
        fs::File::open(self.path(id)).await
    }
}

impl BlobWriter {
    /// Appends bytes.
    pub async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes).await?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.written
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.written == 0
    }
}
