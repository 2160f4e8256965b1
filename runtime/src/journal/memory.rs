//! An in-memory journal: keys survive retries inside one process, not a restart.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use futures::future::BoxFuture;

use super::{
    Begin, Completion, EntryState, IdempotencyJournal, IdempotencyKey, JournalEntry, JournalError,
    LogicalKey, NewEntry,
};

type Entries = BTreeMap<(String, LogicalKey), JournalEntry>;

/// A journal held in memory, for tests and one-shot scripts. A crash loses it, and with it
/// the keys of calls in flight: use [`super::SqliteJournal`] or [`super::PostgresJournal`]
/// in an application.
#[derive(Debug, Default)]
pub struct MemoryJournal {
    entries: Mutex<Entries>,
}

impl MemoryJournal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        // A panic while holding the lock cannot leave a half-written entry (every change is
        // one map operation), so a poisoned lock is still consistent.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl IdempotencyJournal for MemoryJournal {
    fn begin(&self, entry: NewEntry) -> BoxFuture<'_, Result<Begin, JournalError>> {
        let mut entries = self.lock();
        let map_key = (entry.provider.clone(), entry.logical_key.clone());
        let begin = match entries.get(&map_key) {
            Some(existing) => Begin::Existing(existing.clone()),
            None => {
                let created = entry.into_started();
                entries.insert(map_key, created.clone());
                Begin::Created(created)
            }
        };
        Box::pin(async move { Ok(begin) })
    }

    fn finish(&self, completion: Completion) -> BoxFuture<'_, Result<(), JournalError>> {
        let mut entries = self.lock();
        let map_key = (completion.provider, completion.logical_key);
        if let Some(entry) = entries.get_mut(&map_key)
            && entry.idempotency_key == completion.idempotency_key
            && !entry.state.is_final()
        {
            entry.state = completion.state;
            entry.response = completion.response;
            entry.updated_at = completion.now;
        }
        Box::pin(async { Ok(()) })
    }

    fn abandon(
        &self,
        provider: String,
        logical_key: LogicalKey,
        idempotency_key: IdempotencyKey,
    ) -> BoxFuture<'_, Result<(), JournalError>> {
        let mut entries = self.lock();
        let map_key = (provider, logical_key);
        if entries
            .get(&map_key)
            .is_some_and(|e| e.idempotency_key == idempotency_key && e.state == EntryState::Started)
        {
            entries.remove(&map_key);
        }
        Box::pin(async { Ok(()) })
    }

    fn get(
        &self,
        provider: String,
        logical_key: LogicalKey,
    ) -> BoxFuture<'_, Result<Option<JournalEntry>, JournalError>> {
        let found = self.lock().get(&(provider, logical_key)).cloned();
        Box::pin(async move { Ok(found) })
    }

    fn unresolved(
        &self,
        provider: String,
    ) -> BoxFuture<'_, Result<Vec<JournalEntry>, JournalError>> {
        let mut found: Vec<JournalEntry> = self
            .lock()
            .values()
            .filter(|e| e.provider == provider && !e.state.is_final())
            .cloned()
            .collect();
        found.sort_by(|a, b| (a.created_at, &a.logical_key).cmp(&(b.created_at, &b.logical_key)));
        Box::pin(async move { Ok(found) })
    }
}
