//! payforge-generator (work in progress).
