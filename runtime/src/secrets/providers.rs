//! The secret providers that ship: the environment and a file (a mounted secret).

use std::path::PathBuf;

use futures::future::BoxFuture;

use super::{SecretError, SecretKey, SecretProvider};

/// Reads the key from an environment variable each time it is asked, so a supervisor that
/// changes the process environment is not needed for rotation, but a re-exec is; prefer
/// [`FileSecretProvider`] for rotation without restart.
#[derive(Clone, Debug)]
pub struct EnvSecretProvider {
    variable: String,
}

impl EnvSecretProvider {
    /// Reads the variable `variable`.
    pub fn new(variable: impl Into<String>) -> Self {
        Self {
            variable: variable.into(),
        }
    }
}

impl SecretProvider for EnvSecretProvider {
    fn fetch(&self) -> BoxFuture<'_, Result<SecretKey, SecretError>> {
        Box::pin(async move {
            let value = std::env::var(&self.variable).map_err(|_| SecretError::MissingEnv {
                variable: self.variable.clone(),
            })?;
            SecretKey::from_secret_store(value)
        })
    }

    fn describe(&self) -> String {
        format!("environment variable {}", self.variable)
    }
}

/// Reads the key from a file, such as a Kubernetes or Docker secret mount. The file is read
/// again on every fetch, so replacing it rotates the key without a restart.
#[derive(Clone, Debug)]
pub struct FileSecretProvider {
    path: PathBuf,
}

impl FileSecretProvider {
    /// Reads the file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }
}

impl SecretProvider for FileSecretProvider {
    fn fetch(&self) -> BoxFuture<'_, Result<SecretKey, SecretError>> {
        Box::pin(async move {
            let value = tokio::fs::read_to_string(&self.path)
                .await
                .map_err(|source| SecretError::File {
                    path: self.path.clone(),
                    source,
                })?;
            SecretKey::from_secret_store(value)
        })
    }

    fn describe(&self) -> String {
        format!("file {}", self.path.display())
    }
}
