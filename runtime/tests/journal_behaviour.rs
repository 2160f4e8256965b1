//! One behavioural suite for every idempotency journal: SQLite, PostgreSQL and memory run
//! the same cases. PostgreSQL is at `PAYFORGE_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), each test in a schema of its own; when it
//! is unreachable the PostgreSQL cases are skipped locally and fail under `CI`.
#![cfg(feature = "sqlite")]

use std::time::Duration;

use futures::future::join_all;
use payforge::journal::{
    Begin, Completion, EntryState, Fingerprint, IdempotencyJournal, IdempotencyKey, JournalError,
    LogicalKey, NewEntry, RecoveryReport, StoredResponse, UnixMillis,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PROVIDER: &str = "testpay";

fn entry(
    logical: &str,
    body: &str,
    now: UnixMillis,
) -> Result<NewEntry, Box<dyn std::error::Error>> {
    Ok(NewEntry {
        provider: PROVIDER.to_owned(),
        logical_key: LogicalKey::new(logical)?,
        idempotency_key: IdempotencyKey::generate(),
        fingerprint: Fingerprint::of(
            &http::Method::POST,
            "/v1/charges",
            &payforge::RequestBody::Form(body.to_owned()),
        ),
        method: "POST".to_owned(),
        path: "/v1/charges".to_owned(),
        now,
    })
}

fn completion(new: &NewEntry, state: EntryState, response: Option<StoredResponse>) -> Completion {
    Completion {
        provider: new.provider.clone(),
        logical_key: new.logical_key.clone(),
        idempotency_key: new.idempotency_key.clone(),
        state,
        response,
        now: UnixMillis(new.now.0 + 5),
    }
}

fn ok_response() -> Option<StoredResponse> {
    Some(StoredResponse {
        status: 200,
        body: br#"{"id":"ch_1"}"#.to_vec(),
    })
}

async fn begin_writes_one_started_entry_per_logical_key(
    journal: &dyn IdempotencyJournal,
) -> TestResult {
    let first = entry("order-1/charge", "amount=100", UnixMillis(1_000))?;
    let Begin::Created(created) = journal.begin(first.clone()).await? else {
        return Err("the first begin must create".into());
    };
    assert_eq!(
        (created.state, &created.idempotency_key),
        (EntryState::Started, &first.idempotency_key)
    );

    let again = entry("order-1/charge", "amount=200", UnixMillis(2_000))?;
    let Begin::Existing(existing) = journal.begin(again).await? else {
        return Err("a second begin must find the first".into());
    };
    assert_eq!(
        existing, created,
        "unchanged: first key, first fingerprint, first time"
    );
    assert_eq!(
        journal.get(PROVIDER.to_owned(), first.logical_key).await?,
        Some(created)
    );
    Ok(())
}

async fn concurrent_begins_agree_on_one_key(journal: &dyn IdempotencyJournal) -> TestResult {
    let entries: Vec<NewEntry> = (0..8)
        .map(|_| entry("order-2/charge", "amount=100", UnixMillis(1_000)))
        .collect::<Result<_, _>>()?;
    let results = join_all(entries.into_iter().map(|e| journal.begin(e))).await;
    let mut created = 0;
    let mut keys = Vec::new();
    for result in results {
        match result? {
            Begin::Created(e) => {
                created += 1;
                keys.push(e.idempotency_key);
            }
            Begin::Existing(e) => keys.push(e.idempotency_key),
        }
    }
    assert_eq!(created, 1);
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    Ok(())
}

async fn finished_entries_keep_their_response_and_are_not_overwritten(
    journal: &dyn IdempotencyJournal,
) -> TestResult {
    let new = entry("order-3/charge", "amount=100", UnixMillis(1_000))?;
    journal.begin(new.clone()).await?;
    journal
        .finish(completion(&new, EntryState::Succeeded, ok_response()))
        .await?;
    let declined = Some(StoredResponse {
        status: 402,
        body: b"{}".to_vec(),
    });
    journal
        .finish(completion(&new, EntryState::FailedPermanently, declined))
        .await?;

    let stored = journal
        .get(PROVIDER.to_owned(), new.logical_key.clone())
        .await?
        .ok_or("entry missing")?;
    assert_eq!(stored.state, EntryState::Succeeded);
    assert_eq!(stored.response, ok_response());
    assert_eq!(
        (stored.created_at, stored.updated_at),
        (UnixMillis(1_000), UnixMillis(1_005))
    );
    Ok(())
}

async fn a_completion_under_another_key_changes_nothing(
    journal: &dyn IdempotencyJournal,
) -> TestResult {
    let new = entry("order-4/charge", "amount=100", UnixMillis(1_000))?;
    journal.begin(new.clone()).await?;
    let mut stranger = completion(&new, EntryState::Succeeded, ok_response());
    stranger.idempotency_key = IdempotencyKey::generate();
    journal.finish(stranger).await?;
    journal
        .abandon(
            PROVIDER.to_owned(),
            new.logical_key.clone(),
            IdempotencyKey::generate(),
        )
        .await?;

    let stored = journal
        .get(PROVIDER.to_owned(), new.logical_key)
        .await?
        .ok_or("entry missing")?;
    assert_eq!((stored.state, stored.response), (EntryState::Started, None));
    Ok(())
}

async fn abandon_removes_only_a_started_entry(journal: &dyn IdempotencyJournal) -> TestResult {
    let started = entry("order-5/charge", "amount=100", UnixMillis(1_000))?;
    let unknown = entry("order-6/charge", "amount=100", UnixMillis(1_000))?;
    journal.begin(started.clone()).await?;
    journal.begin(unknown.clone()).await?;
    journal
        .finish(completion(&unknown, EntryState::OutcomeUnknown, None))
        .await?;

    for e in [&started, &unknown] {
        journal
            .abandon(
                PROVIDER.to_owned(),
                e.logical_key.clone(),
                e.idempotency_key.clone(),
            )
            .await?;
    }

    assert_eq!(
        journal
            .get(PROVIDER.to_owned(), started.logical_key.clone())
            .await?,
        None
    );
    let kept = journal
        .get(PROVIDER.to_owned(), unknown.logical_key)
        .await?
        .map(|e| e.state);
    assert_eq!(
        kept,
        Some(EntryState::OutcomeUnknown),
        "an unknown outcome must stay for recovery"
    );
    let Begin::Created(fresh) = journal
        .begin(entry("order-5/charge", "amount=100", UnixMillis(9_000))?)
        .await?
    else {
        return Err("an abandoned logical key starts afresh".into());
    };
    assert_ne!(fresh.idempotency_key, started.idempotency_key);
    Ok(())
}

async fn unresolved_lists_started_and_unknown_oldest_first(
    journal: &dyn IdempotencyJournal,
) -> TestResult {
    let a = entry("b-started", "x", UnixMillis(3_000))?;
    let b = entry("a-unknown", "x", UnixMillis(2_000))?;
    let c = entry("c-succeeded", "x", UnixMillis(1_000))?;
    let d = entry("d-failed", "x", UnixMillis(1_000))?;
    let mut other_provider = entry("e-other", "x", UnixMillis(1_000))?;
    other_provider.provider = "otherpay".to_owned();
    for e in [&a, &b, &c, &d, &other_provider] {
        journal.begin(e.clone()).await?;
    }
    journal
        .finish(completion(&b, EntryState::OutcomeUnknown, None))
        .await?;
    journal
        .finish(completion(&c, EntryState::Succeeded, ok_response()))
        .await?;
    journal
        .finish(completion(&d, EntryState::FailedPermanently, ok_response()))
        .await?;

    let unresolved = journal.unresolved(PROVIDER.to_owned()).await?;
    let names: Vec<(&str, EntryState)> = unresolved
        .iter()
        .map(|e| (e.logical_key.as_str(), e.state))
        .collect();
    assert_eq!(
        names,
        [
            ("a-unknown", EntryState::OutcomeUnknown),
            ("b-started", EntryState::Started)
        ]
    );

    let now = UnixMillis(2_500 + 86_400_000);
    let report = RecoveryReport::classify(unresolved, Duration::from_secs(86_400), now);
    let names = |entries: &[payforge::journal::JournalEntry]| {
        entries
            .iter()
            .map(|e| e.logical_key.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&report.reconcile),
        ["a-unknown"],
        "older than the retention"
    );
    assert_eq!(names(&report.redrive), ["b-started"]);
    Ok(())
}

async fn binary_responses_round_trip(journal: &dyn IdempotencyJournal) -> TestResult {
    let new = entry("order-7/file", "x", UnixMillis(1_000))?;
    journal.begin(new.clone()).await?;
    let bytes = Some(StoredResponse {
        status: 200,
        body: vec![0, 159, 146, 150, 255],
    });
    journal
        .finish(completion(&new, EntryState::Succeeded, bytes.clone()))
        .await?;
    let stored = journal.get(PROVIDER.to_owned(), new.logical_key).await?;
    assert_eq!(stored.and_then(|e| e.response), bytes);
    Ok(())
}

/// Declares every case once per backend: `$open` is an async block giving a journal (and
/// whatever must live as long as it), or `None` to skip.
macro_rules! suite {
    ($backend:ident, $open:expr) => {
        mod $backend {
            #[allow(unused_imports)]
            use super::*;
            suite!(@cases $open;
                begin_writes_one_started_entry_per_logical_key,
                concurrent_begins_agree_on_one_key,
                finished_entries_keep_their_response_and_are_not_overwritten,
                a_completion_under_another_key_changes_nothing,
                abandon_removes_only_a_started_entry,
                unresolved_lists_started_and_unknown_oldest_first,
                binary_responses_round_trip
            );
        }
    };
    (@cases $open:expr; $($case:ident),*) => {
        $(
            #[tokio::test]
            async fn $case() -> TestResult {
                let Some((journal, _guard)) = $open.await? else { return Ok(()) };
                super::$case(&journal).await
            }
        )*
    };
}

suite!(memory, async {
    Ok::<_, Box<dyn std::error::Error>>(Some((payforge::journal::MemoryJournal::new(), ())))
});
suite!(sqlite, support::sqlite());
#[cfg(feature = "postgres")]
suite!(postgres, support::postgres());

mod support {
    use payforge::journal::SqliteJournal;

    pub(crate) type Opened<J, G> = Result<Option<(J, G)>, Box<dyn std::error::Error>>;

    pub(crate) async fn sqlite() -> Opened<SqliteJournal, tempfile::TempDir> {
        let dir = tempfile::tempdir()?;
        let journal = SqliteJournal::open(dir.path().join("journal.sqlite")).await?;
        Ok(Some((journal, dir)))
    }

    /// Drops the test's schema when the test ends.
    #[cfg(feature = "postgres")]
    pub(crate) struct Schema(String);

    #[cfg(feature = "postgres")]
    impl Drop for Schema {
        fn drop(&mut self) {
            // Best effort on a fresh connection: a leftover test schema is harmless.
            let (url, schema) = (database_url(), self.0.clone());
            let _cleanup = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                runtime.block_on(async {
                    let pool = sqlx::PgPool::connect(&url).await.ok()?;
                    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .execute(&pool)
                        .await
                        .ok()
                })
            })
            .join();
        }
    }

    #[cfg(feature = "postgres")]
    pub(crate) fn database_url() -> String {
        std::env::var("PAYFORGE_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
    }

    #[cfg(feature = "postgres")]
    pub(crate) async fn postgres() -> Opened<payforge::journal::PostgresJournal, Schema> {
        let schema = format!("pf_journal_{}", uuid::Uuid::new_v4().simple());
        match payforge::journal::PostgresJournal::connect_in_schema(&database_url(), &schema).await
        {
            Ok(journal) => Ok(Some((journal, Schema(schema)))),
            Err(error) if std::env::var_os("CI").is_none() => {
                eprintln!(
                    "skipping the PostgreSQL journal case: {error} (set CI to make this fail)"
                );
                Ok(None)
            }
            Err(error) => Err(error.into()),
        }
    }
}

#[tokio::test]
async fn a_sqlite_journal_survives_reopening_and_reports_a_closed_pool() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("journal.sqlite");
    let new = entry("order-8/charge", "x", UnixMillis(1_000))?;
    let first = payforge::journal::SqliteJournal::open(&path).await?;
    first.begin(new.clone()).await?;
    first.close().await;
    let closed = first
        .get(PROVIDER.to_owned(), new.logical_key.clone())
        .await;
    assert!(
        matches!(closed, Err(JournalError::Unavailable { .. })),
        "{closed:?}"
    );

    let reopened = payforge::journal::SqliteJournal::open(&path).await?;
    let stored = reopened.get(PROVIDER.to_owned(), new.logical_key).await?;
    assert_eq!(stored.map(|e| e.idempotency_key), Some(new.idempotency_key));
    Ok(())
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn a_postgres_schema_name_must_be_an_identifier() -> TestResult {
    let result = payforge::journal::PostgresJournal::connect_in_schema(
        "postgres://127.0.0.1:1/x",
        "a; DROP",
    )
    .await;
    assert!(
        matches!(result, Err(JournalError::InvalidIdentifier { .. })),
        "{result:?}"
    );
    Ok(())
}
