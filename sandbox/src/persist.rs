//! Persistence of the state to a JSON snapshot file, written atomically (a temporary file
//! renamed over the old one) when the state changed, and read back on start.

use std::path::{Path, PathBuf};

use crate::store::Store;

/// Why the snapshot could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file could not be read or written.
    #[error("state file {path}: {source}")]
    Io {
        /// The state file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a snapshot this sandbox wrote.
    #[error("state file {path} is not a payforge-sandbox snapshot: {source}")]
    Corrupt {
        /// The state file.
        path: PathBuf,
        /// The decoding error.
        source: serde_json::Error,
    },
}

/// Loads a snapshot; a missing file is an empty store.
pub fn load(path: &Path) -> Result<Store, SnapshotError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Store::default()),
        Err(source) => {
            return Err(SnapshotError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    let mut store: Store =
        serde_json::from_slice(&bytes).map_err(|source| SnapshotError::Corrupt {
            path: path.to_owned(),
            source,
        })?;
    store.forget_in_flight();
    store.reindex();
    Ok(store)
}

/// Serialises the store (call with the lock held; writing happens in [`write`]).
pub fn encode(store: &Store) -> Vec<u8> {
    serde_json::to_vec(store).unwrap_or_default()
}

/// Writes encoded state to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), SnapshotError> {
    let temporary = path.with_extension("tmp");
    let io = |source| SnapshotError::Io {
        path: path.to_owned(),
        source,
    };
    std::fs::write(&temporary, bytes).map_err(io)?;
    std::fs::rename(&temporary, path).map_err(io)
}
