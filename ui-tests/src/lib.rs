//! Holds the trybuild tests in `tests/`; see `tests/ui.rs`.
