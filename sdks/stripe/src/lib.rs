//! payforge-stripe (work in progress).
