//! Sweep integration tests.
