//! The client: keys, environments, the transport, retries and the idempotency journal.
