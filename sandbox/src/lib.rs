//! payforge-sandbox (work in progress).
