//! Compile-fail and compile-pass tests of the macros (trybuild).
//!
//! Each `fail/<macro>/<mistake>.rs` holds one mistake; its `.stderr` is the
//! message a user reads, reviewed by hand. The `.stderr` files depend on the
//! compiler's wording: they are recorded with the project's pinned stable
//! rustc 1.95. After a deliberate change of a message, regenerate with
//! `TRYBUILD=overwrite cargo test -p ui-tests` and review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/fail/*/*.rs");
}
