//! Object bodies on local disk. A blob is written to a temporary file, fsync'd, renamed into
//! place and its directory fsync'd before anyone is told it exists; metadata that points at it
//! is committed only after that, so nothing acknowledged is ever lost.

use std::io;
use std::path::{Path, PathBuf};

use tokio::fs;
use tokio::io::AsyncWriteExt;

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
